"""`informe template`: empty workbooks that follow the contract."""

from __future__ import annotations

import subprocess
import sys

import pytest
from openpyxl import load_workbook

from conftest import ROOT
from informe.data.contract import CONTRACT
from informe.data.template import write_templates
from informe.data.validation import EXIT_UNUSABLE, validate_dir
from informe.data.workbooks import read_year


@pytest.fixture(scope="module")
def template_dir(tmp_path_factory):
    directory = tmp_path_factory.mktemp("plantilla")
    write_templates(directory)
    return directory


def test_every_workbook_and_sheet_has_the_contract_headers(template_dir):
    year = read_year(template_dir)
    for spec in CONTRACT:
        for sheet in spec.sheets:
            data = year.sheets[(spec.filename, sheet.name)]
            assert data.headers == sheet.headers
            assert data.frame.empty


def test_headers_have_notes_and_enumerations_have_dropdowns(template_dir):
    wb = load_workbook(template_dir / "inversion.xlsx")
    ws = wb["Proyectos"]
    assert "Sector priorizado" in ws["C1"].comment.text and "Obligatorio" not in ws["C1"].comment.text
    assert "catálogo «Sector»" in ws["C1"].comment.text
    sources = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    # Catalog columns offer the workbook's own «Catálogos» column (visible, for analysts to extend).
    assert sources["C2:C501"] == "'Catálogos'!$A$2:$A$201"
    catalogs = wb["Catálogos"]
    assert catalogs.sheet_state == "visible" and catalogs["A1"].value == "Sector"
    # Structural lists stay in the hidden «Listas» sheet.
    events = load_workbook(template_dir / "posicionamiento.xlsx")
    sources = {str(dv.sqref): dv.formula1 for dv in events["Eventos"].data_validations.dataValidation}
    assert sources["A2:A501"].startswith("'Listas'!$") and events["Listas"].sheet_state == "hidden"
    lists = events["Listas"]
    column = lists[sources["A2:A501"].split("!$")[1].split("$")[0]]
    assert [c.value for c in column[1:4]] == ["Propio", "Invitado", "Gestionado para la Alcaldía"]


def test_amount_columns_reject_text_in_excel(template_dir):
    ws = load_workbook(template_dir / "administrativo.xlsx")["Contratación"]
    kinds = {str(dv.sqref): dv.type for dv in ws.data_validations.dataValidation}
    assert kinds["B2:B501"] == "whole" and kinds["C2:C501"] == "decimal"


def test_empty_template_is_valid_structure_but_incomplete(template_dir):
    report = validate_dir(template_dir)
    assert report.unusable is None
    assert not report.problems  # every sheet and header is right
    assert report.exit_code == 1  # but the checks need the statements' lines


def test_cli_template_refuses_to_overwrite(tmp_path):
    cmd = [sys.executable, "-m", "informe", "template", str(tmp_path / "2024")]
    first = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert first.returncode == 0 and (tmp_path / "2024" / "estados_financieros.xlsx").exists()
    second = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert second.returncode == EXIT_UNUSABLE and "No se sobrescriben" in second.stderr
