"""`informe validate` end to end: exit codes and messages naming file, sheet, row and column."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

from openpyxl import load_workbook

from conftest import DATA_2022, ROOT, set_cell
from informe.data.validation import EXIT_ERRORS, EXIT_OK, EXIT_UNUSABLE, validate_dir


def run_cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "informe", *args], cwd=cwd, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "COLUMNS": "200"})


def test_validate_2022_exits_0_with_only_expected_warnings(tmp_path):
    report = tmp_path / "r.json"
    result = run_cli("validate", "--year", "2022", "--report", str(report))
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    assert "0 errores" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["errores"] == 0
    warnings = data["problemas"]
    # The two wrong Var $ of the balance sheet, with the true values, are among the warnings.
    messages = " ".join(p["message"] for p in warnings)
    assert "calculada −382.871.509" in messages and "calculada 96.451.104" in messages
    assert {p["severity"] for p in warnings} == {"advertencia"}
    # The 23 findings of the workbooks, and one of the texts: the published report says «54 periodistas» in
    # its positioning chapter («en lo que llevamos del año») and 57 in its summary, the workbook's figure.
    assert len([p for p in warnings if not p["file"].startswith("textos/")]) == 23
    [text] = [p for p in warnings if p["file"].startswith("textos/")]
    journalists = cifra(DATA_2022 / "posicionamiento.xlsx", "periodistas_atendidos")
    assert journalists == 57
    assert (text["file"], text["paragraph"]) == ("textos/posicionamiento.md", journalists_paragraph())
    assert text["message"].startswith(f"el texto dice «54 periodistas» pero la cifra "
                                      f"{{{{posicionamiento.periodistas_atendidos}}}} (Periodistas internacionales "
                                      f"atendidos) es {journalists};")
    assert len(warnings) == 24


def cifra(workbook: Path, name: str):
    """The value of the figure ``name`` in a workbook's «Cifras» sheet (column A: name, column C: value)."""
    sheet = load_workbook(workbook, read_only=True)["Cifras"]
    [value] = [row[2] for row in sheet.iter_rows(values_only=True) if row[0] == name]
    return value


def journalists_paragraph() -> int:
    """The paragraph of the positioning text that says «54 periodistas»."""
    return paragraph_with(DATA_2022 / "textos" / "posicionamiento.md", "54 periodistas")


def paragraph_with(text: Path, words: str) -> int:
    """The number (from 1) of the paragraph of a Markdown text holding ``words`` (paragraphs separated by a blank
    line; a heading is a paragraph)."""
    paragraphs = [p for p in text.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    [number] = [n for n, p in enumerate(paragraphs, start=1) if words in p]
    return number


def test_text_in_amount_column_names_file_sheet_row_column(data_copy):
    set_cell(data_copy / "administrativo.xlsx", "Contratación", "C3", "ciento treinta millones")
    report = validate_dir(data_copy)
    assert report.exit_code == EXIT_ERRORS
    [problem] = report.errors
    assert (problem.file, problem.sheet, problem.row, problem.column) == (
        "administrativo.xlsx", "Contratación", 3, "Valor (COP)")
    assert "no es un número" in problem.message and "«ciento treinta millones»" in problem.message
    assert "escriba solo la cifra" in problem.message  # and how to type it


def test_cli_reports_text_in_amount_column(data_copy):
    set_cell(data_copy / "estados_financieros.xlsx", "Situación financiera", "G4", "7.325.935 pesos")
    result = run_cli("validate", str(data_copy))
    assert result.returncode == EXIT_ERRORS
    assert "estados_financieros.xlsx, hoja «Situación financiera», fila 4, columna «Año actual»" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_value_outside_enumeration(data_copy):
    set_cell(data_copy / "inversion.xlsx", "Proyectos", "C5", "Minería")
    [problem] = validate_dir(data_copy).errors
    assert (problem.sheet, problem.row, problem.column) == ("Proyectos", 5, "Sector")
    assert "Minería" in problem.message and "Agronegocios" in problem.message and "catálogo «Sector»" in problem.message


def test_missing_required_value_and_duplicate_key(data_copy):
    path = data_copy / "administrativo.xlsx"
    set_cell(path, "PQRS", "B2", None)
    set_cell(path, "PQRS", "A3", "Conocimiento e Innovación")
    problems = {(p.row, p.column, p.message.split(";")[0]) for p in validate_dir(data_copy).errors}
    assert (2, "Cantidad", "valor obligatorio vacío") in problems
    assert any(row == 3 and col == "Proceso" and "repetido" in msg for row, col, msg in problems)


def test_missing_sheet_is_unusable(data_copy):
    path = data_copy / "cooperacion.xlsx"
    wb = load_workbook(path)
    del wb["Sur-Sur"]
    wb.save(path)
    result = run_cli("validate", str(data_copy))
    assert result.returncode == EXIT_UNUSABLE
    assert "cooperacion.xlsx" in result.stdout and "falta la hoja «Sur-Sur»" in result.stdout


def test_missing_file_is_unusable(data_copy):
    (data_copy / "posicionamiento.xlsx").unlink()
    report = validate_dir(data_copy)
    assert report.exit_code == EXIT_UNUSABLE
    assert "falta el archivo posicionamiento.xlsx" in str(report.errors[0])


def test_non_xlsx_file_is_unusable(data_copy):
    (data_copy / "plan_desarrollo.xlsx").write_text("Código;Plan\nPI-01;Plan indicativo\n", encoding="utf-8")
    result = run_cli("validate", str(data_copy))
    assert result.returncode == EXIT_UNUSABLE
    assert "plan_desarrollo.xlsx" in result.stdout and "no es un libro de Excel" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_password_protected_file_is_unusable(data_copy):
    # Encrypted xlsx files are OLE compound documents, not zip files.
    (data_copy / "inversion.xlsx").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 504)
    report = validate_dir(data_copy)
    assert report.exit_code == EXIT_UNUSABLE
    assert "contraseña" in report.errors[0].message


def test_workbook_with_macros_is_unusable(data_copy):
    path = data_copy / "administrativo.xlsx"
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("xl/vbaProject.bin", b"macro")
    report = validate_dir(data_copy)
    assert report.exit_code == EXIT_UNUSABLE
    assert "macros" in report.errors[0].message


def test_missing_column_is_an_error(data_copy):
    path = data_copy / "administrativo.xlsx"
    set_cell(path, "Contratación", "B1", "Número")
    problems = validate_dir(data_copy).all_problems
    assert any(p.column == "Procesos" and p.row == 1 and p.is_error for p in problems)
    assert any(p.column == "Número" and not p.is_error for p in problems)  # unknown column: warning


def test_accounting_error_gives_exit_1(data_copy):
    set_cell(data_copy / "estados_financieros.xlsx", "Situación financiera", "G4", 9_999_999)
    report = validate_dir(data_copy)
    assert report.exit_code == EXIT_ERRORS
    assert any("EFECTIVO" in p.message for p in report.errors)


def test_csv_report(tmp_path):
    out = tmp_path / "r.csv"
    result = run_cli("validate", "--year", "2022", "--report", str(out))
    assert result.returncode == 0
    header, *lines = out.read_text(encoding="utf-8").splitlines()
    assert header == "file,sheet,row,column,message,severity,paragraph"
    # A problem of a chapter text names its paragraph; a workbook's leaves the column empty.
    paragraph = journalists_paragraph()
    assert any(line.startswith("textos/posicionamiento.md,") and line.endswith(f",advertencia,{paragraph}")
               for line in lines)
    assert any(line.startswith("estados_financieros.xlsx,") and line.endswith(",advertencia,") for line in lines)


def test_missing_data_dir(tmp_path):
    result = run_cli("validate", str(tmp_path / "nada"))
    assert result.returncode == EXIT_UNUSABLE
    assert "no existe la carpeta" in result.stdout
