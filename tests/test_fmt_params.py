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
    assert format_usd_millions(155.67) == "USD 155,67 millones"
    assert format_usd_millions(7.43) == "USD 7,43 millones"
    assert format_ratio(8.0569) == "8,06"
    assert format_percent(12.5) == "12,5 %"
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
