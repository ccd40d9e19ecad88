"""What else an analyst's folder holds (issue 22, items 6 and 8), and the to-do list of a new year.

Lock and system files are ignored silently; a second copy of a workbook, or a workbook the contract does not know,
is a warning naming it; a workbook saved in another format says how to save it as .xlsx. `informe validate`
summarises a long list of problems in one screen (``--detalle`` prints every one); counts are in good Spanish.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from rich.console import Console

from conftest import DATA_2022, ROOT, project_copy
from informe.data.checks import CheckResult
from informe.data.contract import CONTRACT
from informe.data.problems import ERROR, WARNING, Problem
from informe.data.validation import (EXIT_OK, EXIT_UNUSABLE, SUMMARY_LINES, SUMMARY_OVER, counts, plural,
                                     print_report, summary_lines, validate_dir)

NOISE = {
    "~$inversion.xlsx": b"\x0bLuisa M.   " + b"\x00" * 150,  # Excel's owner file while the workbook is open
    ".~lock.inversion.xlsx#": b",Luisa M.,PC-ACI,12.03.2024 09:14,file:///C:/Users/luisa;",  # LibreOffice's lock
    "._inversion.xlsx": b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        ",  # macOS AppleDouble
    ".DS_Store": b"\x00\x00\x00\x01Bud1" + b"\x00" * 32,
    "Thumbs.db": bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504,
    "desktop.ini": b"[.ShellClassInfo]\r\nIconResource=C:\\Windows\\System32\\imageres.dll,-3\r\n",
    "inversion.xlsx.bak": (DATA_2022 / "inversion.xlsx").read_bytes(),
    "inversion.bak": b"not a workbook",
    "~WRL0001.tmp": b"\x00" * 64,
    "INVERSION.TMP": b"\x00" * 64,
}
COPIES = ["inversion - copia.xlsx", "INVERSION.xlsx", "inversion (1).xlsx", "Copia de inversion.xlsx",
          "inversion.ods"]
SAVE_AS = "guárdelo como .xlsx (Archivo → Guardar como → Libro de Excel)"


def run_cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "informe", *args], cwd=cwd, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "COLUMNS": "200", "HOME": str(Path.home())})


def year_copy(parent: Path) -> Path:
    """A copy of data/2022 named 2022 (so that the year and its period checks are those of the real folder)."""
    target = parent / "2022"
    shutil.copytree(DATA_2022, target)
    return target


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    folder = year_copy(tmp_path_factory.mktemp("limpia"))
    return folder, validate_dir(folder)


def without_folder(stdout: str) -> list[str]:
    """The CLI's output but its first line (which names the folder)."""
    return stdout.splitlines()[1:]


@pytest.mark.parametrize("name", list(NOISE))
def test_noise_is_ignored_silently(name, clean, tmp_path):
    _folder, expected = clean
    folder = year_copy(tmp_path)
    (folder / name).write_bytes(NOISE[name])
    (folder / "textos" / name).write_bytes(NOISE[name])
    report = validate_dir(folder)
    assert report.exit_code == expected.exit_code == EXIT_OK
    assert report.all_problems == expected.all_problems
    assert sorted(report.texts) == sorted(expected.texts) and report.texts  # textos/ is read, not noise


def test_a_folder_full_of_noise_prints_what_the_clean_folder_prints(clean, tmp_path):
    clean_folder, _ = clean
    folder = year_copy(tmp_path)
    for name, content in NOISE.items():
        (folder / name).write_bytes(content)
    (folder / "SOURCES.md").write_text("de dónde vienen los datos", encoding="utf-8")  # a document: not a workbook
    noisy, quiet = run_cli("validate", str(folder)), run_cli("validate", str(clean_folder))
    assert noisy.returncode == quiet.returncode == EXIT_OK, noisy.stdout + noisy.stderr
    assert without_folder(noisy.stdout) == without_folder(quiet.stdout)
    assert noisy.stderr == quiet.stderr == ""


@pytest.mark.parametrize("name", COPIES)
def test_second_copy_of_a_workbook_is_a_warning_naming_it(name, clean, tmp_path):
    _folder, expected = clean
    folder = year_copy(tmp_path)
    shutil.copy(folder / "inversion.xlsx", folder / name)
    report = validate_dir(folder)
    assert report.exit_code == expected.exit_code == EXIT_OK  # inversion.xlsx was read as always
    new = [p for p in report.all_problems if p not in expected.all_problems]
    assert len(report.all_problems) == len(expected.all_problems) + 1
    [warning] = new
    assert (warning.file, warning.sheet, warning.row, warning.column, warning.is_error) == (name, "", None, "", False)
    assert "otra copia de inversion.xlsx" in warning.message and "se leyó inversion.xlsx" in warning.message
    result = run_cli("validate", str(folder))
    assert result.returncode == EXIT_OK
    assert f"ADVERTENCIA {name}: parece otra copia de inversion.xlsx" in result.stdout


def test_unknown_workbook_is_a_warning_naming_it_and_the_workbooks_read(clean, tmp_path):
    _folder, expected = clean
    folder = year_copy(tmp_path)
    book = Workbook()
    book.active["A1"] = "Notas de la reunión"
    book.save(folder / "notas.xlsx")
    report = validate_dir(folder)
    assert report.exit_code == EXIT_OK
    [warning] = [p for p in report.all_problems if p not in expected.all_problems]
    assert warning.file == "notas.xlsx" and not warning.is_error
    assert "no es del contrato de datos y no se leyó" in warning.message
    assert all(spec.filename in warning.message for spec in CONTRACT)


@pytest.mark.parametrize("suffix", [".ods", ".xls", ".xlsm", ".csv"])
def test_workbook_in_another_format_says_save_it_as_xlsx(suffix, tmp_path):
    folder = year_copy(tmp_path)
    (folder / "plan_desarrollo.xlsx").rename(folder / f"plan_desarrollo{suffix}")
    report = validate_dir(folder)
    assert report.exit_code == EXIT_UNUSABLE
    [unusable] = report.unusables
    assert unusable.file == "plan_desarrollo.xlsx"
    assert unusable.message.startswith("falta el archivo plan_desarrollo.xlsx")
    assert f"encontré plan_desarrollo{suffix}: {SAVE_AS}" in unusable.message
    # The error says it once: the file in another format is not warned about as well.
    assert not [p for p in report.all_problems if p.file == f"plan_desarrollo{suffix}"]
    result = run_cli("validate", str(folder))
    assert result.returncode == EXIT_UNUSABLE
    assert f"encontré plan_desarrollo{suffix}: {SAVE_AS}" in result.stdout


def test_missing_workbook_with_a_copy_says_rename_it(tmp_path):
    folder = year_copy(tmp_path)
    (folder / "cooperacion.xlsx").rename(folder / "cooperacion - copia.xlsx")
    [unusable] = validate_dir(folder).unusables
    assert unusable.message.endswith("encontré cooperacion - copia.xlsx: cámbiele el nombre a cooperacion.xlsx")


def test_missing_workbook_without_stand_in_says_only_that_it_is_missing(tmp_path):
    folder = year_copy(tmp_path)
    (folder / "cooperacion.xlsx").unlink()
    [unusable] = validate_dir(folder).unusables
    assert unusable.message == f"falta el archivo cooperacion.xlsx en {folder}"


# A new year's to-do list -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def new_year(tmp_path_factory) -> Path:
    """A project with the real 2022 and a 2023 started by `informe new-year 2023`, nothing filled in."""
    root = project_copy(tmp_path_factory.mktemp("proyecto"))
    result = run_cli("new-year", "2023", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    return root / "data" / "2023"


def key_results(folder: Path) -> int:
    sheet = load_workbook(folder / "planeacion_estrategica.xlsx", read_only=True)["Resultados clave"]
    return sum(1 for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] is not None)


def test_new_year_todo_list_fits_one_screen_and_names_each_workbook(new_year, tmp_path):
    report = validate_dir(new_year)
    problems = report.all_problems
    assert len(problems) > SUMMARY_OVER
    out = tmp_path / "todo.json"
    result = run_cli("validate", str(new_year), "--report", str(out), cwd=new_year.parent.parent)
    assert result.returncode == report.exit_code == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) <= SUMMARY_LINES == 40, result.stdout
    assert lines[1].startswith(f"{len(problems)} problemas, resumidos por archivo")
    files = {p.file for p in problems}
    assert {spec.filename for spec in CONTRACT} <= files  # new-year leaves something in every workbook
    for name in files:
        errors = sum(p.is_error for p in problems if p.file == name)
        warnings = sum(not p.is_error for p in problems if p.file == name)
        tally = ", ".join(([plural(errors, "error", "errores")] if errors else [])
                          + ([plural(warnings, "advertencia", "advertencias")] if warnings else []))
        assert f"{name}: {tally}" in lines
    # The strategic framework: the «Estado» of every key result carried over, rows 2 to n + 1.
    n = key_results(new_year)
    assert (f"  hoja «Resultados clave», valores obligatorios vacíos: «Estado» en {n} filas (2–{n + 1})"
            in lines)
    assert f"{counts(len(report.errors), len(report.warnings))}." in lines
    # The JSON report still lists every problem.
    assert len(json.loads(out.read_text(encoding="utf-8"))["problemas"]) == len(problems)


def test_detalle_prints_every_problem(new_year):
    problems = validate_dir(new_year).all_problems
    result = run_cli("validate", str(new_year), "--detalle")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    for p in problems:
        severity = "ERROR" if p.is_error else "ADVERTENCIA"
        assert f"{severity} {p.location()}: {p.message}" in lines
    assert len([line for line in lines if line.startswith(("ERROR ", "ADVERTENCIA "))]) == len(problems)


def test_few_problems_are_all_printed(clean):
    folder, report = clean
    problems = report.all_problems
    assert 0 < len(problems) <= SUMMARY_OVER
    lines = run_cli("validate", str(folder)).stdout.splitlines()
    assert len([line for line in lines if line.startswith(("ERROR ", "ADVERTENCIA "))]) >= len(problems)
    for p in problems:
        assert f"ADVERTENCIA {p.location()}: {p.message}" in lines


# Spanish plurals ----------------------------------------------------------------------------------------------

def test_plural_helper():
    assert plural(1, "error", "errores") == "1 error" and plural(2, "error", "errores") == "2 errores"
    assert plural(0, "error", "errores") == "0 errores"
    assert counts(1, 1) == "1 error, 1 advertencia"
    assert counts(2, 3) == "2 errores, 3 advertencias"
    assert (f"{plural(1, 'sección ejecutada', 'secciones ejecutadas')}, {plural(2, 'reutilizada', 'reutilizadas')}"
            == "1 sección ejecutada, 2 reutilizadas")
    assert (f"{plural(2, 'sección ejecutada', 'secciones ejecutadas')}, {plural(1, 'reutilizada', 'reutilizadas')}"
            == "2 secciones ejecutadas, 1 reutilizada")


def printed(report) -> list[str]:
    console = Console(file=io.StringIO(), width=200, color_system=None)
    print_report(report, console)
    return console.file.getvalue().splitlines()


def check(status: str) -> CheckResult:
    return CheckResult("prueba", "total", "a", 1.0, "b", 1.0 if status == "ok" else 2.0, status, "inversion.xlsx",
                       "Proyectos", 2, "Monto (USD millones)")


@pytest.mark.parametrize("statuses, line, tally", [
    (["ok"], "Verificaciones cruzadas: 1 de 1 cuadra exactamente.", "0 errores, 0 advertencias."),
    (["ok", "error"], "Verificaciones cruzadas: 1 de 2 cuadra exactamente.", "1 error, 0 advertencias."),
    (["ok", "ok", "advertencia"], "Verificaciones cruzadas: 2 de 3 cuadran exactamente.",
     "0 errores, 1 advertencia."),
    (["error", "error", "advertencia", "advertencia", "advertencia"],
     "Verificaciones cruzadas: 0 de 5 cuadran exactamente.", "2 errores, 3 advertencias."),
])
def test_summary_lines_agree_in_number(clean, statuses, line, tally):
    _folder, report = clean
    report = type(report)(report.data_dir, year=report.year, checks=[check(s) for s in statuses])
    lines = printed(report)
    assert line in lines and tally in lines


def test_summary_of_many_different_problems_stays_within_its_lines():
    files = [spec.filename for spec in CONTRACT] + ["textos/inversion.md", "textos/cooperacion.md"]
    problems = [Problem(name, "" if name.startswith("textos/") else f"Hoja {s}", None if name.startswith("textos/")
                        else row, "" if name.startswith("textos/") else f"Columna {c}",
                        f"hallazgo {c} número {row}", ERROR if c % 2 else WARNING,
                        paragraph=row if name.startswith("textos/") else None)
                for name in files for s in range(3) for c in range(5) for row in range(2, 4)]
    lines = summary_lines(problems, SUMMARY_LINES - 6)
    assert len(lines) <= SUMMARY_LINES - 6
    headers = [text for _style, text in lines if not text.startswith(" ")]
    per_file = 3 * 5 * 2
    workbooks = [f"{spec.filename}: {counts(per_file // 5 * 2, per_file // 5 * 3)}"
                 for spec in CONTRACT]
    texts = f"textos/: {plural(2 * per_file * 2 // 5, 'error', 'errores')}, " \
            f"{plural(2 * per_file * 3 // 5, 'advertencia', 'advertencias')}"
    assert headers == workbooks + [texts]
    assert any("grupos más" in text for _style, text in lines)
