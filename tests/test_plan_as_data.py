"""The development plan and the domain lists are data: nothing in the code knows a code, a plan or a sector."""

from __future__ import annotations

import re

from conftest import ROOT, set_cell
from informe.data.validation import validate_dir


def test_no_indicator_code_plan_or_period_in_code_or_notebooks():
    pattern = re.compile(r"P[IA]-\d\d|2020-2023|Medellín Futuro|cuatrienio")
    sources = [*(ROOT / "src").rglob("*.py"), *(ROOT / "notebooks").glob("*.ipynb")]
    offenders = [str(p.relative_to(ROOT)) for p in sources if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_2022_plan_is_declared_in_its_workbook(frames_2022):
    from informe.data.plan import plan_info

    info = plan_info(frames_2022)
    assert (info.name, info.first_year, info.last_year) == ("Plan de Desarrollo 2020-2023 «Medellín Futuro»", 2020, 2023)
    reconciliations = frames_2022[("plan_desarrollo.xlsx", "Conciliaciones")]
    assert sorted(reconciliations["Código"]) == ["PI-01", "PI-02", "PI-04", "PI-05", "PI-06", "PI-07"]


def test_2022_headline_figures_as_published(frames_2022):
    """Executive summary of the 2022 report: USD 155,67 M investment, USD 7,43 M cooperation, 24 companies,
    11 ¿Por qué Medellín? events, 12 Sos Paisa contributions, 9 sur-sur actions."""
    from informe.report.report import load_report
    from informe.report.sections import summary

    data = summary.headline_figures(load_report(2022, root=ROOT)).set_index("Resultado")["Texto"]
    assert data["Inversión nacional y extranjera reportada"] == "USD\u00a0155,67 millones"
    assert data["Cooperación técnica y financiera recibida"] == "USD\u00a07,43 millones"
    assert (data["Empresas con nuevos proyectos de inversión o reinversión"], data["Eventos ¿Por qué Medellín?"],
            data["Aportes de la red Sos Paisa"], data["Acciones de cooperación sur-sur"]) == ("24", "11", "12", "9")


def test_goal_of_an_unknown_indicator_is_an_error(data_copy):
    set_cell(data_copy / "plan_desarrollo.xlsx", "Metas", "A2", "PI-99")
    [error] = validate_dir(data_copy).errors
    assert (error.file, error.sheet, error.row, error.column) == ("plan_desarrollo.xlsx", "Metas", 2, "Código")


def test_headline_without_label_is_an_error(data_copy):
    set_cell(data_copy / "plan_desarrollo.xlsx", "Indicadores", "K2", None)
    [error] = validate_dir(data_copy).errors
    assert (error.sheet, error.row, error.column) == ("Indicadores", 2, "Cifra en resumen")
