"""The strategic framework as data (planeacion_estrategica.xlsx): the 2022 values as published, the checks of
its references and the report's section.

Expected texts are typed from the 2022 report (../shared/seeds/informe-gestion-2022.txt, «PLANEACIÓN
ESTRATÉGICA») and the 2021 planning document (planeacion-estrategia-2021.txt, section 3.1); counts are computed
here from the fixture's own rows.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from conftest import DATA_2022, ROOT
from informe.data.contract import workbook
from informe.data.validation import validate_dir
from informe.report.display import Table, Text

F = "planeacion_estrategica.xlsx"
SEEDS = ROOT.parent / "shared" / "seeds"
VISION = ("Ser el actor líder de la internacionalización de la ciudad región posicionándola a nivel local e "
          "internacional y respondiendo de manera estratégica a los cambios del contexto global")


def frame(frames, sheet: str) -> pd.DataFrame:
    return frames[(F, sheet)]


# ---------------------------------------------------------------- the 2022 workbook

def test_2022_identity_as_published(frames_2022):
    marco = frame(frames_2022, "Marco")
    assert marco["Elemento"].tolist() == ["Propósito inspirador", "Cómo lo hacemos", "Qué hacemos", "Eslogan",
                                          "Visión"]
    texts = dict(zip(marco["Elemento"], marco["Texto"]))
    assert texts["Visión"] == VISION
    assert texts["Eslogan"] == "Creemos en el poder de las alianzas con el mundo para lograr el desarrollo sostenible"
    assert texts["Qué hacemos"] == "Impulsamos la internacionalización de la ciudad-región."
    assert texts["Propósito inspirador"].startswith("porque creemos en el poder de las alianzas con el mundo")


def test_2022_objectives_as_published(frames_2022):
    objectives = frame(frames_2022, "Objetivos estratégicos")
    assert dict(zip(objectives["Código"], objectives["Nombre"])) == {
        "OE1": "Cooperación", "OE2": "Inversión", "OE3": "Posicionamiento", "OE4": "Conocimiento e innovación",
        "OE5": "Gestión Interna"}
    tactical = frame(frames_2022, "Objetivos tácticos")
    assert tactical.groupby("Objetivo estratégico").size().to_dict() == {"OE1": 4, "OE2": 4, "OE3": 4, "OE4": 4,
                                                                          "OE5": 3}
    descriptions = dict(zip(tactical["Código"], tactical["Descripción"]))
    assert descriptions["OE2.OT3"] == ("Gestionar proyectos de inversión hacia nuestro territorio que apunten a la "
                                       "creación de nuevas zonas francas.")
    assert descriptions["OE1.OT4"] == "Consolidar a Medellín como referente de oferta de cooperación."


def test_2022_key_results_come_from_the_2021_quarterly_tables(frames_2022):
    results = frame(frames_2022, "Resultados clave")
    # No source publishes a 2022 status: none is invented.
    assert set(results["Estado"]) == {"Sin reporte"}
    assert results["Observación"].str.contains("no publica").all()
    assert set(results["Trimestre"]) == {"Q1", "Q2", "Q3", "Q4"}
    # Posicionamiento, «Impulsar las líneas estratégicas…» (2021 table, line 255): two bullets in Q1, one in
    # each of Q2-Q4, now under OE3.OT1.
    row = results[results["Objetivo táctico"] == "OE3.OT1"]
    assert row.groupby("Trimestre").size().to_dict() == {"Q1": 2, "Q2": 1, "Q3": 1, "Q4": 1}
    assert row["Resultado clave"].tolist()[1:] == ["Actualizar el discurso ¿Por qué MED?"] + [
        "Socializar el discurso ¿Por qué MED?"] * 3
    diplomacy = results[(results["Objetivo táctico"] == "OE3.OT2") & (results["Trimestre"] == "Q4")]
    assert diplomacy["Resultado clave"].tolist() == ["Realizar la tercera actividad de 'Traer el mundo a Medellín'."]
    # Gestión interna, rows 1-2 have an empty Q4; OTs without a 2021 row have no key results.
    assert not len(results[results["Objetivo táctico"].isin(["OE5.OT1", "OE5.OT2"]) & (results["Trimestre"] == "Q4")])
    assert not results["Objetivo táctico"].isin(["OE1.OT4", "OE2.OT3", "OE2.OT4"]).any()
    # Codes number the key results of each OT.
    first = results.groupby("Objetivo táctico")["Código"].first()
    assert (first == first.index + ".KR1").all()
    # One key result is the plan's PI-08 «Proyectos impactados…»; no other is linked.
    linked = results[results["Indicador del plan"].notna()]
    assert linked[["Resultado clave", "Indicador del plan"]].values.tolist() == [
        ["Proyectos impactados con los montos gestionados.", "PI-08"]]


def _script():
    spec = importlib.util.spec_from_file_location("make_strategy_2022", ROOT / "scripts" / "make_strategy_2022.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not (SEEDS / "planeacion-estrategia-2021.txt").exists(), reason="seeds not available")
def test_every_text_occurs_in_the_seeds():
    assert _script().seed_mismatches(SEEDS) == []


def test_2022_workbook_regenerates_identically(tmp_path):
    out = tmp_path / F
    subprocess.run([sys.executable, "scripts/make_strategy_2022.py", "--out", str(out)], cwd=ROOT, check=True,
                   capture_output=True)
    committed, fresh = load_workbook(DATA_2022 / F, read_only=True), load_workbook(out, read_only=True)
    for sheet in workbook(F).sheets:
        assert list(committed[sheet.name].values) == list(fresh[sheet.name].values), sheet.name


def test_demo_year_has_the_same_framework_with_synthetic_statuses(frames_2022):
    demo = validate_dir(ROOT / "data" / "2023").data
    for sheet in ("Marco", "Objetivos estratégicos", "Objetivos tácticos"):
        pd.testing.assert_frame_equal(frame(demo, sheet), frame(frames_2022, sheet))
    results = frame(demo, "Resultados clave")
    assert results["Resultado clave"].tolist() == frame(frames_2022, "Resultados clave")["Resultado clave"].tolist()
    assert results["Observación"].str.contains("demostración").all()


# ---------------------------------------------------------------- broken references

def _edit(data: Path, sheet: str, code: str, header: str, value) -> int:
    """Set ``header`` of the row whose «Código» is ``code``; return its Excel row."""
    path = data / F
    wb = load_workbook(path)
    ws = wb[sheet]
    headers = [c.value for c in ws[1]]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 1).value == code)
    ws.cell(row, headers.index(header) + 1).value = value  # cell(..., value=None) would leave the cell as it is
    wb.save(path)
    return row


def _errors(data: Path) -> list[tuple]:
    return [(p.file, p.sheet, p.row, p.column) for p in validate_dir(data).errors]


def test_tactical_objective_of_an_unknown_strategic_objective_is_an_error(data_copy):
    row = _edit(data_copy, "Objetivos tácticos", "OE2.OT3", "Objetivo estratégico", "OE9")
    [error] = validate_dir(data_copy).errors
    assert (error.file, error.sheet, error.row, error.column) == (F, "Objetivos tácticos", row, "Objetivo estratégico")
    assert "«OE9» no es el código de ningún objetivo estratégico" in error.message
    assert f"{F}, hoja «Objetivos tácticos», fila {row}, columna «Objetivo estratégico»" in str(error)


def test_key_result_of_an_unknown_tactical_objective_is_an_error(data_copy):
    row = _edit(data_copy, "Resultados clave", "OE4.OT2.KR3", "Objetivo táctico", "OE4.OT9")
    [error] = validate_dir(data_copy).errors
    assert (error.file, error.sheet, error.row, error.column) == (F, "Resultados clave", row, "Objetivo táctico")
    assert "«OE4.OT9»" in error.message


def test_key_result_without_status_is_an_error(data_copy):
    row = _edit(data_copy, "Resultados clave", "OE1.OT3.KR2", "Estado", None)
    [error] = validate_dir(data_copy).errors
    assert (error.file, error.sheet, error.row, error.column) == (F, "Resultados clave", row, "Estado")
    assert error.message == "valor obligatorio vacío"


def test_key_result_status_outside_its_catalog_is_an_error(data_copy):
    row = _edit(data_copy, "Resultados clave", "OE1.OT3.KR2", "Estado", "Casi")
    [error] = validate_dir(data_copy).errors
    assert (error.sheet, error.row, error.column) == ("Resultados clave", row, "Estado")
    assert "catálogo «Estado»" in error.message


def test_key_result_linked_to_an_unknown_plan_indicator_is_an_error(data_copy):
    row = _edit(data_copy, "Resultados clave", "OE2.OT1.KR4", "Indicador del plan", "PI-99")
    [error] = validate_dir(data_copy).errors
    assert (error.file, error.sheet, error.row, error.column) == (F, "Resultados clave", row, "Indicador del plan")
    assert "«PI-99» no es el código de ningún indicador de la hoja «Indicadores» de plan_desarrollo.xlsx" in (
        error.message)


def test_empty_objectives_sheet_is_an_error(data_copy):
    path = data_copy / F
    wb = load_workbook(path)
    ws = wb["Objetivos estratégicos"]
    ws.delete_rows(2, ws.max_row)
    wb.save(path)
    errors = _errors(data_copy)
    assert (F, "Objetivos estratégicos", None, "") in errors
    assert all(e[0] == F for e in errors)


# ---------------------------------------------------------------- the report's section

@pytest.fixture(scope="module")
def report():
    from informe.report.report import load_report

    return load_report(2022, root=ROOT)


def test_framework_text(report):
    from informe.report.sections import strategy

    text = strategy.framework_text(report)
    assert isinstance(text, Text)
    assert f"**Visión:** {VISION}" in text.markdown
    assert text.markdown.index("**Propósito inspirador:**") < text.markdown.index("**Visión:**")
    assert text.markdown.count("\n\n") == 4  # five paragraphs


def test_framework_text_escapes_the_data(report):
    from dataclasses import replace

    from informe.report.sections import strategy

    frames = dict(report.frames)
    marco = frames[(F, "Marco")].copy()
    marco.loc[marco.index[0], "Texto"] = "*negrita* <b>x</b> [enlace](http://x)"
    frames[(F, "Marco")] = marco
    markdown = strategy.framework_text(replace(report, frames=frames)).markdown
    assert "\\*negrita\\* &lt;b&gt;x&lt;/b&gt; \\[enlace\\](http://x)" in markdown


def test_objectives_table(report):
    from informe.report.sections import strategy

    table = strategy.objectives_table(report)
    assert isinstance(table, Table) and table.title
    data = table.to_frame()
    results = report.frame(F, "Resultados clave")
    assert [data["Código"][i] for i in table.bold_rows] == ["OE1", "OE2", "OE3", "OE4", "OE5"]
    assert len(data) == 5 + 19
    counts = dict(zip(data["Código"], data["Resultados clave"]))
    assert counts["OE1.OT4"] == 0 and counts["OE3.OT1"] == 5
    for oe in ("OE1", "OE2", "OE3", "OE4", "OE5"):
        assert counts[oe] == results["Objetivo táctico"].str.startswith(oe + ".").sum()
    assert counts["OE1.OT2"] == (results["Objetivo táctico"] == "OE1.OT2").sum()
    assert data.loc[data["Código"] == "OE1", "Objetivo"].iloc[0].startswith("Cooperación: Articular el ecosistema")
    assert list(table.indent) == [0 if code.count(".") == 0 else 1 for code in data["Código"]]


def test_key_results_table(report):
    from informe.report.sections import strategy

    table = strategy.key_results_table(report)
    assert table.title == "Resultados clave 2022"
    data = table.formatted()
    assert len(data) == len(report.frame(F, "Resultados clave"))
    assert list(data.columns) == ["Objetivo estratégico", "Objetivo táctico", "Resultado clave", "Trimestre",
                                  "Estado", "Indicador del plan", "Logro 2022", "Cumplimiento año (%)"]
    [linked] = data[data["Indicador del plan"] != ""].to_dict("records")
    # PI-08 (published): 22 projects in 2022 against a 2022 goal of 18.
    assert linked["Indicador del plan"].startswith("PI-08 Proyectos impactados por las acciones de cooperación")
    assert linked["Logro 2022"] == "22"
    assert linked["Cumplimiento año (%)"] == f"{22 / 18 * 100:.1f}\u00a0%".replace(".", ",")
    assert (linked["Objetivo estratégico"], linked["Objetivo táctico"]) == ("OE1 Cooperación", "OE1.OT2")
    assert data.loc[data["Indicador del plan"] == "", "Logro 2022"].eq("").all()
    # Objectives in order: every OE1 row first, every OE5 row last.
    assert data["Objetivo estratégico"].iloc[0] == "OE1 Cooperación"
    assert data["Objetivo estratégico"].iloc[-1] == "OE5 Gestión Interna"


def test_key_results_of_one_objective_without_plan_links(report):
    from informe.report.sections import strategy

    table = strategy.key_results_table(report, "OE3")
    data = table.to_frame()
    results = report.frame(F, "Resultados clave")
    assert len(data) == results["Objetivo táctico"].str.startswith("OE3.").sum()
    assert set(data["Objetivo estratégico"]) == {"OE3 Posicionamiento"}
    # No OE3 key result supports a plan indicator: the indicator columns are left out.
    assert list(data.columns) == ["Objetivo estratégico", "Objetivo táctico", "Resultado clave", "Trimestre",
                                  "Estado"]
    assert table.slug == "resultados-clave-2022-oe3"
