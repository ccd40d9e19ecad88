"""Issue 22, items 1 to 5: numbers that look valid but are wrong.

Wrong units, numbers typed as text, rows typed twice, years and dates that moved, and tables whose structure
an analyst changed by hand: each is read correctly with a remark naming the cell, or refused naming the row and
saying what it looks like; never a wrong figure in silence. Expected values are computed here from the 2022
fixture's own cells (the published figures), not copied from the tool's output.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.worksheet.table import Table

from conftest import DATA_2022, ROOT, project_copy
from informe.data.numbers import format_es, parse_text_number, serial_to_date
from informe.data.validation import report_year, validate_dir

PLAN, INV, COOP, POS, ADM, FS = ("plan_desarrollo.xlsx", "inversion.xlsx", "cooperacion.xlsx", "posicionamiento.xlsx",
                                 "administrativo.xlsx", "estados_financieros.xlsx")


@pytest.fixture()
def project(tmp_path) -> Path:
    """A project copy: data/2022 and params/2022.yml (the report year comes from the params)."""
    return project_copy(tmp_path) / "data" / "2022"


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    root = project_copy(tmp_path_factory.mktemp("base"))
    report = validate_dir(root / "data" / "2022", texts=False)
    assert report.exit_code == 0
    return report


def _key(p):
    return (p.file, p.sheet, p.row, p.column, p.message)


def new_problems(report, baseline):
    known = {_key(p) for p in baseline.all_problems}
    return [p for p in report.all_problems if _key(p) not in known]


def headers(ws) -> dict[str, int]:
    return {c.value: c.column for c in ws[1] if c.value}


def find_row(ws, header: str, value) -> int:
    col = headers(ws)[header]
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, col).value == value:
            return r
    raise KeyError(value)


def edit(folder: Path, file: str, sheet: str, change) -> object:
    wb = load_workbook(folder / file)
    result = change(wb[sheet])
    wb.save(folder / file)
    return result


def set_where(folder, file, sheet, match_header, match_value, header, value) -> int:
    def change(ws):
        row = find_row(ws, match_header, match_value)
        ws.cell(row, headers(ws)[header]).value = value(ws.cell(row, headers(ws)[header]).value) if callable(value) \
            else value
        return row
    return edit(folder, file, sheet, change)


def last_row(ws) -> int:
    return max(r for r in range(1, ws.max_row + 1) if any(c.value not in (None, "") for c in ws[r]))


# --------------------------------------------------------------------------
# Item 2: numbers typed as text
# --------------------------------------------------------------------------

def es_co(value: float, decimals: int) -> str:
    """``value`` written by hand the Colombian way: 1.234.567,89."""
    whole, _, frac = f"{abs(value):.{decimals}f}".partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    text = ".".join(groups) + ("," + frac if frac else "")
    return ("-" if value < 0 else "") + text


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=-10**12, max_value=10**12), st.integers(min_value=0, max_value=2))
def test_an_es_co_number_typed_as_text_reads_as_itself(cents, decimals):
    value = round(cents / 100, decimals)
    typed = es_co(value, decimals)
    read = parse_text_number(typed, "cop")
    assert read.value == pytest.approx(value, abs=1e-9), typed
    assert f"«{typed}»" in read.remark


@pytest.mark.parametrize("typed, unit, expected", [
    ("693.123", "usd", 693123), ("1.234.567", "cop", 1234567), ("4,5", "count", 4.5), ("USD 3,2", "usd_m", 3.2),
    ("35 %", "pct", 35), ("$ 1.550.910", "cop", 1550910), ("(1.234)", "cop", -1234), ("1 234 567", "cop", 1234567),
    ("1,234,567.89", "usd", 1234567.89), ("813.000 USD", "usd", 813000), ("\u22125", "cop", -5),
    # «Cifras» and indicator values take the unit of their row: any mark is the row's unit
    ("USD 155,67", "varies", 155.67), ("35 %", "varies", 35), ("$ 3.815.000.000", "varies", 3815000000),
])
def test_text_numbers_are_read_the_way_they_are_typed_in_colombia(typed, unit, expected):
    read = parse_text_number(typed, unit)
    assert read.value == pytest.approx(expected)
    assert "se leyó como" in read.remark


@pytest.mark.parametrize("typed, unit, says", [
    ("35 %", "usd", "porcentaje"), ("COP 5.000", "usd", "COP"), ("USD 5", "cop", "USD"), ("doce", "count", "no es"),
    ("1.2.3", "count", "no es"), ("12,5,7", "count", "no es"), ("1e300", "cop", "no es"), ("nan", "cop", "no es"),
])
def test_text_that_is_not_a_number_of_the_column_is_refused_saying_how_to_type_it(typed, unit, says):
    read = parse_text_number(typed, unit)
    assert read.value is None
    assert says in read.remark and "escriba solo la cifra" in read.remark


def test_a_thousands_dotted_text_amount_is_the_amount_with_a_remark(project, baseline):
    row = set_where(project, COOP, "Cooperación recibida", "Monto (USD)", 693123, "Monto (USD)", "693.123")
    report = validate_dir(project, texts=False)
    assert report.exit_code == 0
    frame = report.data[(COOP, "Cooperación recibida")]
    assert frame.at[row, "Monto (USD)"] == 693123  # not 693,123
    [remark] = new_problems(report, baseline)
    assert (remark.sheet, remark.row, remark.column, remark.severity) == ("Cooperación recibida", row, "Monto (USD)",
                                                                          "advertencia")
    assert "693.123" in remark.message and "texto" in remark.message


def test_a_percent_typed_in_an_amount_column_is_refused_naming_the_cell(project):
    row = set_where(project, COOP, "Cooperación recibida", "Monto (USD)", 693123, "Monto (USD)", "35 %")
    report = validate_dir(project, texts=False)
    assert report.exit_code == 1
    assert any(p.row == row and p.column == "Monto (USD)" and "porcentaje" in p.message for p in report.errors)


# --------------------------------------------------------------------------
# Item 1: plausibility as data
# --------------------------------------------------------------------------

def test_an_amount_typed_in_millions_is_a_warning_with_the_factor(project, baseline):
    pesos = 1550910  # the published «Cuantía» of a judicial process
    row = set_where(project, ADM, "Procesos judiciales", "Cuantía (COP)", pesos, "Cuantía (COP)", pesos / 1e6)
    report = validate_dir(project, texts=False)
    assert report.exit_code == 0
    [warning] = new_problems(report, baseline)
    assert (warning.sheet, warning.row, warning.column) == ("Procesos judiciales", row, "Cuantía (COP)")
    assert "inusual" in warning.message and f"× 1.000.000 queda {format_es(pesos)}" in warning.message


def test_a_goal_typed_a_hundred_times_too_small_is_a_probable_unit_error(project, baseline):
    wb = load_workbook(project / PLAN)
    goal = next(r for r in range(2, wb["Metas"].max_row + 1)
                if wb["Metas"].cell(r, 1).value == "PI-01" and wb["Metas"].cell(r, 2).value == 2022)
    published = wb["Metas"].cell(goal, 3).value
    wb["Metas"].cell(goal, 3).value = published / 100
    wb.save(project / PLAN)
    report = validate_dir(project, texts=False)
    [warning] = [p for p in new_problems(report, baseline) if p.sheet == "Metas"]
    assert (warning.row, warning.column) == (goal, "Meta")
    assert "error de unidad" in warning.message and f"× 100 quedaría {format_es(published)}" in warning.message


def test_a_percentage_indicator_typed_as_a_fraction_is_a_probable_unit_error(project, baseline):
    achieved = set_where(project, PLAN, "Indicadores", "Código", "PI-09", "Logro año", lambda v: v / 100)
    report = validate_dir(project, texts=False)
    found = [p for p in new_problems(report, baseline) if p.sheet == "Indicadores"]
    assert [(p.row, p.column) for p in found] == [(achieved, "Logro año")]
    assert "× 100" in found[0].message


def test_percentages_typed_as_fractions_are_a_warning(project, baseline):
    def as_fractions(ws):
        col = headers(ws)["Porcentaje publicado"]
        for r in range(2, last_row(ws) + 1):
            if isinstance(ws.cell(r, col).value, (int, float)):
                ws.cell(r, col).value /= 100
    edit(project, ADM, "PQRS", as_fractions)
    report = validate_dir(project, texts=False)
    assert any("fracciones" in p.message and p.sheet == "PQRS" for p in new_problems(report, baseline))


def test_a_negative_count_in_the_figures_is_refused(project):
    row = set_where(project, POS, "Cifras", "Clave", "agendas_trabajo", "Valor", lambda v: -v)
    report = validate_dir(project, texts=False)
    assert any(p.sheet == "Cifras" and p.row == row and "negativo" in p.message for p in report.errors)


def test_a_share_above_100_percent_is_refused(project):
    def above(ws):
        ws.cell(2, headers(ws)["Porcentaje publicado"]).value = 140
        return 2
    row = edit(project, ADM, "PQRS", above)
    report = validate_dir(project, texts=False)
    assert any(p.sheet == "PQRS" and p.row == row and "máximo" in p.message for p in report.errors)


# --------------------------------------------------------------------------
# Item 3: duplicated rows
# --------------------------------------------------------------------------

def test_a_row_typed_twice_names_both_rows_and_the_reconciliation_says_so(project, baseline):
    def copy_first(ws):
        target = last_row(ws) + 1
        for c in range(1, ws.max_column + 1):
            ws.cell(target, c).value = ws.cell(2, c).value
        return target
    copy = edit(project, COOP, "Cooperación recibida", copy_first)
    report = validate_dir(project, texts=False)
    assert report.exit_code == 0
    found = new_problems(report, baseline)
    assert any(p.row == copy and f"la fila {copy} repite la fila 2" in p.message for p in found)
    reconciliation = [p for p in found if "cooperación detallada" in p.message]
    assert reconciliation and "filas repetidas" in reconciliation[0].message


# --------------------------------------------------------------------------
# Item 4: years and dates
# --------------------------------------------------------------------------

def test_the_year_comes_from_the_params_not_from_the_folder_name(tmp_path):
    folder = tmp_path / "copia-de-trabajo"
    shutil.copytree(DATA_2022, folder)
    wb = load_workbook(folder / FS)
    ws = wb["Cambios en el patrimonio"]
    row = find_row(ws, "Periodo", 2021)
    ws.cell(row, headers(ws)["Periodo"]).value = 2020
    wb.save(folder / FS)
    assert report_year(folder) is None
    assert validate_dir(folder, year=2022, texts=False).exit_code == 1
    result = subprocess.run([sys.executable, "-m", "informe", "validate", str(folder), "--year", "2022"], cwd=ROOT,
                            capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "COLUMNS": "250"})
    assert result.returncode == 1 and f"fila {row}" in result.stdout and "2020" in result.stdout
    unknown = subprocess.run([sys.executable, "-m", "informe", "validate", str(folder)], cwd=ROOT,
                             capture_output=True, text=True, env={"PATH": "/usr/bin:/bin", "COLUMNS": "250"})
    assert "--year" in unknown.stdout  # the year is not guessed from the folder: the analyst is told


def test_a_project_folder_takes_its_year_from_params(project):  # and only when they agree with their file
    assert report_year(project) == 2022
    params = project.parent.parent / "params" / "2022.yml"
    params.write_text(params.read_text(encoding="utf-8").replace("year: 2022", "year: 2023"), encoding="utf-8")
    assert report_year(project) is None  # params of another year: refused by the params check, no window
    report = validate_dir(project, texts=False)
    assert any(p.file == "params/2022.yml" and p.column == "year" for p in report.errors)


def test_a_goal_row_of_another_year_is_an_error_naming_it(project):
    row = set_where(project, PLAN, "Metas", "Meta", 140, "Año", 2021)
    report = validate_dir(project, texts=False)
    assert any(p.sheet == "Metas" and p.row == row and "2021" in p.message and "2022" in p.message
               for p in report.errors)


def test_last_years_goals_pasted_are_an_error(project):
    def shift(ws):
        col = headers(ws)["Año"]
        for r in range(2, last_row(ws) + 1):
            ws.cell(r, col).value -= 1
    edit(project, PLAN, "Metas", shift)
    report = validate_dir(project, texts=False)
    assert any(p.sheet == "Metas" and "ninguna meta es de 2023" in p.message for p in report.errors)


def test_a_date_serial_in_a_date_column_is_the_day_excel_shows(project, baseline):
    serial = 44620
    expected = dt.date(1899, 12, 30) + dt.timedelta(days=serial)  # the 1900 system, from 1 March 1900 on
    row = set_where(project, POS, "Eventos", "Fecha", "19 de abril", "Fecha", serial)
    report = validate_dir(project, texts=False)
    assert report.data[(POS, "Eventos")].at[row, "Fecha"] == f"{expected:%d/%m/%Y}"
    assert any(p.row == row and "serie" in p.message for p in new_problems(report, baseline))


def test_a_workbook_in_the_1904_date_system_shows_its_dates_and_flags_another_year(project, baseline):
    serial = 44620
    row = set_where(project, POS, "Eventos", "Fecha", "19 de abril", "Fecha", dt.datetime(2022, 2, 28))
    path = project / POS
    # What a Mac workbook holds: the serial of the 1904 system under a date format, and the flag that says so.
    with zipfile.ZipFile(path) as zf:
        parts = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(b"<workbookPr", b'<workbookPr date1904="1"', 1) \
        if b"<workbookPr" in parts["xl/workbook.xml"] else parts["xl/workbook.xml"].replace(
            b"<bookViews>", b'<workbookPr date1904="1"/><bookViews>', 1)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    shows = serial_to_date(serial_of(dt.date(2022, 2, 28)), dt.datetime(1904, 1, 1))
    assert shows == dt.date(1904, 1, 1) + dt.timedelta(days=serial)
    report = validate_dir(project, texts=False)
    assert report.data[(POS, "Eventos")].at[row, "Fecha"] == f"{shows:%d/%m/%Y}"  # never «2026-03-02 00:00:00»
    assert any(p.row == row and str(shows.year) in p.message for p in new_problems(report, baseline))


def serial_of(day: dt.date) -> int:
    return (day - dt.date(1899, 12, 30)).days


def test_a_date_in_a_text_column_is_read_as_shown_with_a_remark(project, baseline):
    def first_month(ws):
        col = headers(ws)["Mes"]
        row = next(r for r in range(2, last_row(ws) + 1) if ws.cell(r, col).value)
        ws.cell(row, col).value = dt.datetime(2022, 3, 1)
        return row
    row = edit(project, COOP, "Sos Paisa", first_month)
    report = validate_dir(project, texts=False)
    assert report.data[(COOP, "Sos Paisa")].at[row, "Mes"] == "01/03/2022"
    assert any(p.row == row and "fecha" in p.message for p in new_problems(report, baseline))


# --------------------------------------------------------------------------
# Item 5: structure
# --------------------------------------------------------------------------

def test_a_hand_typed_total_row_is_refused_as_such(project):
    def add_total(ws):
        target = last_row(ws) + 1
        ws.cell(target, headers(ws)["Empresa"]).value = "Total general"
        col = headers(ws)["Monto (USD millones)"]
        ws.cell(target, col).value = sum(ws.cell(r, col).value or 0 for r in range(2, target))
        return target
    row = edit(project, INV, "Proyectos", add_total)
    report = validate_dir(project, texts=False)
    assert [p.message for p in report.errors if p.row == row] == [
        f"la fila {row} parece un total escrito a mano («Total general»): el informe suma las filas por su cuenta y "
        "la contaría como un dato más; bórrela"]


def test_values_under_no_header_are_a_warning_naming_the_column(project, baseline):
    def add_notes(ws):
        col = ws.max_column + 1
        for r in range(2, 5):
            ws.cell(r, col).value = "revisar"
        return col
    col = edit(project, INV, "Proyectos", add_notes)
    report = validate_dir(project, texts=False)
    from openpyxl.utils import get_column_letter
    [warning] = new_problems(report, baseline)
    assert warning.column == get_column_letter(col) and "encabezado" in warning.message and "3 filas" in warning.message


def test_swapped_current_and_prior_year_columns_are_refused(project):
    def swap(ws):
        h = {c.value: c for c in ws[1]}
        h["Año actual"].value, h["Año anterior"].value = "Año anterior", "Año actual"
    edit(project, FS, "Situación financiera", swap)
    report = validate_dir(project, texts=False)
    assert any("intercambiadas" in p.message and p.sheet == "Situación financiera" for p in report.errors)


def test_columns_moved_with_their_data_an_excel_table_an_autofilter_and_blank_rows_read_the_same(project, baseline):
    def rework(ws):
        for r in range(1, ws.max_row + 1):  # swap the first two columns, data and all
            a, b = ws.cell(r, 1).value, ws.cell(r, 2).value
            ws.cell(r, 1).value, ws.cell(r, 2).value = b, a
        end = last_row(ws)
        ws.add_table(Table(displayName="Proyectos", ref=f"A1:{ws.cell(end, ws.max_column).coordinate}"))
        ws.insert_rows(5, 2)  # blank rows inside the table
    edit(project, INV, "Proyectos", rework)
    edit(project, COOP, "Cooperación recibida", lambda ws: setattr(ws.auto_filter, "ref", ws.dimensions))
    report = validate_dir(project, texts=False)
    assert report.exit_code == 0 and not new_problems(report, baseline)
    before = baseline.data[(INV, "Proyectos")].reset_index(drop=True)
    after = report.data[(INV, "Proyectos")].reset_index(drop=True)[list(before.columns)]
    assert after.equals(before)
    assert report.data[(COOP, "Cooperación recibida")].equals(baseline.data[(COOP, "Cooperación recibida")])


def test_an_achievement_far_from_the_prior_real_years_is_a_probable_unit_error(tmp_path):
    project_copy(tmp_path, (2022, 2023))  # 2023 is a demo year: it may be compared with the real 2022
    prior = load_workbook(DATA_2022 / PLAN)["Indicadores"]
    previous = prior.cell(find_row(prior, "Código", "PI-04"), headers(prior)["Logro año"]).value
    folder = tmp_path / "data" / "2023"
    row = set_where(folder, PLAN, "Indicadores", "Código", "PI-04", "Logro año", lambda v: v * 1000)
    report = validate_dir(folder, texts=False)
    jumps = [p for p in report.all_problems if p.row == row and "que el de 2022" in p.message]
    assert len(jumps) == 1 and f"({format_es(previous)})" in jumps[0].message and "÷ 1.000" in jumps[0].message


def test_a_total_typed_in_a_catalog_column_is_called_a_total_not_a_missing_catalog_value(project):
    def add_total(ws):
        target = last_row(ws) + 1
        ws.cell(target, headers(ws)["Modalidad"]).value = "TOTAL"
        return target
    row = edit(project, ADM, "Contratación", add_total)
    report = validate_dir(project, texts=False)
    [error] = [p for p in report.errors if p.row == row]
    assert "total escrito a mano" in error.message and "catálogo" not in error.message


def test_an_achievement_and_cumulative_in_the_same_wrong_unit_do_not_blame_the_right_goal(project, baseline):
    wb = load_workbook(project / PLAN)
    ws = wb["Indicadores"]
    row = find_row(ws, "Código", "PA-01")
    for header in ("Logro año", "Acumulado"):
        ws.cell(row, headers(ws)[header]).value *= 1000
    wb.save(project / PLAN)
    report = validate_dir(project, texts=False)
    flagged = {(p.sheet, p.row, p.column) for p in new_problems(report, baseline) if "unidad" in p.message}
    assert flagged == {("Indicadores", row, "Logro año")}


@pytest.mark.parametrize("line, year", [("year: 2021", None), ("year: true", None), ("cutoff: 2022-02-30", None),
                                        ("year: 2022", 2022)])
def test_the_report_year_is_taken_only_from_params_that_agree_with_their_file(project, line, year):
    params = project.parent.parent / "params" / "2022.yml"
    text = params.read_text(encoding="utf-8")
    key = line.split(":")[0]
    params.write_text("\n".join(line if row.startswith(f"{key}:") else row for row in text.splitlines()),
                      encoding="utf-8")
    assert report_year(project) == year
