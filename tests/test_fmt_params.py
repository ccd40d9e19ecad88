"""es-CO formats and the per-year parameters file."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import ROOT
from informe.fmt import format_cop, format_number, format_percent, format_ratio, format_usd_millions
from informe.data.params import ParamsError, load_params


def test_colombian_number_formats():
    assert format_cop(5_509_310_977) == "$5.509.310.977"
    assert format_cop(-382_871_509) == "($382.871.509)"
    assert format_cop(1_615_131_603) == "$1.615.131.603"
    assert format_usd_millions(155.67) == "USD\u00a0155,67 millones"  # «USD» never alone at a line's end
    assert format_usd_millions(7.43) == "USD\u00a07,43 millones"
    assert format_ratio(8.0569) == "8,06"
    assert format_percent(12.5) == "12,5\u00a0%"  # never «12,5» at a line's end and «%» on the next
    assert format_number(float("nan")) == "—"
    assert format_number(-0.001, 2) == "0,00"


def test_params_2022():
    params = load_params(ROOT / "params" / "2022.yml")
    assert params.year == 2022 and params.cutoff == dt.date(2022, 12, 31) and params.demo is False
    assert params.signatories[0].name == "Luisa Fernanda Márquez Ruíz"


def test_params_errors_are_spanish(tmp_path):
    with pytest.raises(ParamsError, match="falta el archivo"):
        load_params(tmp_path / "2030.yml")
    bad = tmp_path / "2030.yml"
    bad.write_text("year: 2030\ncutoff: mañana\ndemo: false\nagency: ACI\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="cutoff"):
        load_params(bad)
    bad.write_text("year: 2030\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="faltan las claves"):
        load_params(bad)


def test_project_root_is_found_from_a_subfolder():
    from informe.paths import find_project_root

    assert find_project_root(ROOT / "notebooks") == ROOT
    assert find_project_root(ROOT) == ROOT


# ---------------------------------------------------------------- the formatting layer (issue 9, item 8)

def test_numpy_counts_get_thousands_separators():
    """The 2022 PDF printed jobs as «1123» and «1043»: numpy integers skipped the formatter."""
    import numpy as np

    from informe.fmt import format_value
    from informe.report.display import Table

    assert format_value(np.int64(1123)) == "1.123" and format_value(np.int32(1043)) == "1.043"
    assert format_value(np.float64(1123.0)) == "1.123" and format_value(np.float64(0.5)) == "0,50"
    table = Table(__import__("pandas").DataFrame({"Empleos": np.array([1123, 1043], dtype="int64")}))
    assert table.formatted()["Empleos"].tolist() == ["1.123", "1.043"]


def test_negative_numbers_use_the_minus_sign():
    assert format_number(-1234.5, 1) == "\u22121.234,5"
    assert "-" not in format_number(-7)


def test_dates_in_words():
    from informe.fmt import format_date

    assert format_date(dt.date(2026, 11, 24)) == "24 de noviembre de 2026"
    assert format_date(dt.datetime(2022, 12, 31, 8, 0)) == "31 de diciembre de 2022"


def test_sums_of_decimal_data_have_no_float_artefacts():
    from informe.fmt import decimals_of, exact_sum

    values = [117.0, 0.1]
    assert sum([0.1, 0.2]) != 0.3  # the artefact the downloads showed
    assert exact_sum([0.1, 0.2]) == 0.3 and exact_sum(values) == 117.1
    assert exact_sum([1.25, 2.5, None, float("nan")]) == 3.75
    assert decimals_of([3, 0.79, 4.5]) == 2


def test_table_total_row_is_exact():
    import pandas as pd

    from informe.report.display import table_with_total

    table = table_with_total(pd.DataFrame({"Línea": ["a", "b", "c"], "Monto": [0.1, 0.2, 117.0]}), "Línea", "t")
    assert table.data["Monto"].iloc[-1] == 117.3


def test_working_capital_and_debt_ratio_print_alike_in_table_and_text():
    """Published 2022 (9.10.4): working capital «$4,618.83» (millions), debt level «0,12»."""
    from informe.fmt import format_cop_millions
    from informe.report.report import load_report
    from informe.report.sections import financial

    report = load_report(2022, root=ROOT)
    table = financial.indicators_table(report).formatted().set_index("Indicador")["2022"]
    text = " ".join(financial.indicator_sentences(report))
    assert table["Capital de trabajo"] == "$4.618,83 millones" and "$4.618,83 millones" in text
    assert table["Nivel de endeudamiento"] == "0,12" and "debe 0,12 pesos" in text
    assert format_cop_millions(4_618_830_000) == "$4.618,83 millones"


def test_count_axes_have_whole_ticks():
    import pandas as pd

    from informe.report import charts

    fig = charts.bar_chart(pd.DataFrame({"País": ["A", "B"], "Acciones": [1, 2]}), "País", "Acciones", "t", "Acciones")
    ax = fig.axes[0]
    ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
    assert all(float(t).is_integer() for t in ticks)


def test_colophon_datetime_in_words():
    """The 2022 colophon printed «24 noviembre 2026»."""
    from informe.fmt import format_datetime

    assert format_datetime(dt.datetime(2026, 11, 24, 18, 5)) == "24 de noviembre de 2026, 18:05"


def test_pandas_missing_values_print_empty_not_na():
    """Regression: an empty «Empleos» cell (nullable Int64, pd.NA) printed «<NA>» in the projects table."""
    import pandas as pd

    from informe.fmt import format_value, is_missing
    from informe.report.display import Table

    assert is_missing(pd.NA) and is_missing(pd.NaT) and is_missing(float("nan")) and not is_missing(0)
    assert format_value(pd.NA) == ""
    jobs = pd.DataFrame({"Empresa": ["A", "B"], "Empleos": pd.array([1123, None], dtype="Int64")})
    markdown = Table(jobs, "Empleos por empresa")._repr_markdown_()
    assert "NA" not in markdown and "| A | 1.123 |" in markdown and "| B |  |" in markdown
