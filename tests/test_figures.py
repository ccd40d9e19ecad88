"""The figures a text may cite: declared in data (cifras-calculadas.yml), checked when loaded, listed in the docs."""

from __future__ import annotations

import pandas as pd
import pytest
from pydantic import ValidationError

from conftest import ROOT
from informe.fmt import format_cop, format_number, format_usd_millions
from informe.report.figures import ComputedSpec, FigureCatalog, figures_markdown
from informe.report.report import load_report


@pytest.fixture(scope="module")
def report_2022():
    return load_report(2022, ROOT / "data" / "2022", ROOT / "params" / "2022.yml", ROOT, with_prior=False)


def test_every_figure_of_2022_has_a_value_except_unpublished_goals(report_2022):
    catalog = FigureCatalog(report_2022)
    missing = {name for name in catalog.names() if catalog.get(name).value is None}
    # The published report gives no 2022 goal for these indicators: their goal and compliance are unknown («s. d.»).
    no_goal = [str(c).lower() for c in report_2022.indicators.loc[report_2022.indicators["Meta año"].isna(), "Código"]]
    assert missing == {f"indicador.{c}.{part}" for c in no_goal for part in ("meta", "cumplimiento")}
    assert catalog.get(f"indicador.{no_goal[0]}.meta").text == "s. d."


def test_figures_print_as_the_published_report(report_2022):
    catalog = FigureCatalog(report_2022)
    # Published 2022 figures: activo total $5.509.310.977, contratación $1.615.131.603, PQRS 96, liquidez 8,06,
    # 15 named investment projects, PI-01 USD 155,67 millones.
    assert catalog.get("financiero.activo_total").text == format_cop(5509310977)
    assert catalog.get("administrativo.valor_contratado").text == format_cop(1615131603)
    assert catalog.get("administrativo.pqrs").text == "96"
    assert catalog.get("financiero.liquidez").text == "8,06"
    assert catalog.get("inversion.proyectos_detallados").text == "15"
    assert catalog.get("indicador.pi-01").text == format_usd_millions(155.67)
    assert catalog.get("indicador.pi-01.cumplimiento").text == format_number(155.67 / 140 * 100, 1) + "\u00a0%"


def test_a_detail_figure_is_the_sum_of_its_sheet(report_2022):
    projects = report_2022.frame("inversion.xlsx", "Proyectos")
    expected = round(float(pd.to_numeric(projects["Monto (USD millones)"]).sum()), 2)
    assert FigureCatalog(report_2022).get("inversion.monto_detallado").value == pytest.approx(expected)


@pytest.mark.parametrize("change, message", [
    ({"medida": "Promedio"}, "medida"),
    ({"hoja": "Proyectoz"}, "no tiene la hoja «Proyectoz»"),
    ({"medida": "Suma", "columna": "Monto"}, "no tiene la columna «Monto»"),
    ({"medida": "Suma", "columna": None}, "necesita column"),
    ({"formato": "euros"}, "formato"),
    ({"nombre": "cooperacion.proyectos"}, "debe empezar por el libro"),
])
def test_a_broken_declaration_is_refused(change, message):
    entry = {"nombre": "inversion.prueba", "descripcion": "prueba", "libro": "inversion.xlsx", "hoja": "Proyectos",
             "medida": "Filas", "formato": "cantidad"}
    entry.update(change)
    entry = {k: v for k, v in entry.items() if v is not None}
    with pytest.raises(ValidationError) as info:
        ComputedSpec.model_validate(entry)
    assert message in str(info.value)


def test_the_list_of_figures_in_the_docs_is_current(report_2022):
    text = (ROOT / "docs" / "cifras-citables.md").read_text(encoding="utf-8")
    assert text == figures_markdown(report_2022), "run `python -m informe.report.figures` and commit the file"
