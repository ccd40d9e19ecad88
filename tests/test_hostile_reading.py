"""Issue 8: reading hostile inputs — files that are not regular, zip bombs, stale dimensions, merged
cells, formulas without a value, booleans, non-finite numbers, invisible text, duplicate headers,
roles and look-alike indicator codes. Regression tests for each bug the issue reported."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import matplotlib
import pytest
from openpyxl import load_workbook

from informe.data import finance
from informe.data.safety import (MAX_WORKBOOK_BYTES, UnsafeInput, bad_characters, check_input_file, check_zip_members,
                                 clean_text, confusable_key, unescape_ooxml)
from informe.data.validation import EXIT_ERRORS, EXIT_OK, EXIT_UNUSABLE, code_problems, validate_dir
from mutations.generator import column_index, edit_sheet_xml, row_where, rows_with_value

matplotlib.use("Agg")


def edit(path: Path, sheet: str, fn) -> None:
    wb = load_workbook(path)
    fn(wb[sheet])
    wb.save(path)


def put(path: Path, sheet: str, header: str, value, row_header=None, row_value=None) -> int:
    """Write ``value`` in column ``header`` of the row whose ``row_header`` is ``row_value`` (default: first row)."""
    holder = {}

    def fn(ws):
        row = row_where(ws, row_header, row_value) if row_header else rows_with_value(ws, header)[0]
        ws.cell(row, column_index(ws, header)).value = value
        holder["row"] = row

    edit(path, sheet, fn)
    return holder["row"]


# --------------------------------------------------------------------------- files that are not regular

def test_only_regular_files_are_read(tmp_path):
    (tmp_path / "carpeta.xlsx").mkdir()
    os.mkfifo(tmp_path / "tuberia.xlsx")
    (tmp_path / "cero.xlsx").symlink_to("/dev/zero")
    (tmp_path / "roto.xlsx").symlink_to(tmp_path / "no-existe.xlsx")
    for name, words in (("carpeta.xlsx", "carpeta"), ("tuberia.xlsx", "FIFO"), ("cero.xlsx", "dispositivo"),
                        ("roto.xlsx", "enlace simbólico roto")):
        with pytest.raises(UnsafeInput, match=words):
            check_input_file(tmp_path / name)
    regular = tmp_path / "normal.xlsx"
    regular.write_bytes(b"PK")
    (tmp_path / "enlace.xlsx").symlink_to(regular)
    assert check_input_file(tmp_path / "enlace.xlsx").st_size == 2


def test_size_cap_message_names_the_limit(tmp_path):
    big = tmp_path / "grande.xlsx"
    with big.open("wb") as fh:
        fh.truncate(MAX_WORKBOOK_BYTES + 1)
    with pytest.raises(UnsafeInput, match="límite de 50 MB"):
        check_input_file(big)


def test_zip_bomb_is_refused_before_parsing(tmp_path):
    path = tmp_path / "bomba.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/relleno.bin", b"\0" * (4 * 1024 * 1024))
    with zipfile.ZipFile(path) as zf, pytest.raises(UnsafeInput, match="bomba zip"):
        check_zip_members(zf)


def test_dev_zero_workbook_is_unusable_and_the_others_are_still_checked(data_copy):
    (data_copy / "inversion.xlsx").unlink()
    (data_copy / "inversion.xlsx").symlink_to("/dev/zero")
    (data_copy / "posicionamiento.xlsx").unlink()
    (data_copy / "posicionamiento.xlsx").mkdir()
    row = put(data_copy / "administrativo.xlsx", "PQRS", "Cantidad", True)
    report = validate_dir(data_copy)
    assert report.exit_code == EXIT_UNUSABLE
    located = {(p.file, p.sheet, p.row, p.column) for p in report.errors}
    assert {u.file for u in report.unusables} == {"inversion.xlsx", "posicionamiento.xlsx"}
    assert ("administrativo.xlsx", "PQRS", row, "Cantidad") in located  # independent problems in one run


# --------------------------------------------------------------------------- what read-only openpyxl hides

def test_stale_dimension_does_not_drop_rows(data_copy):
    """Regression: a stale <dimension> made the project total fall from USD 82,49 to 27,29 millones."""
    edit_sheet_xml(data_copy / "inversion.xlsx", "Proyectos",
                   lambda xml: xml.replace('<dimension ref="A1:G501" />', '<dimension ref="A1:G3" />'))
    with zipfile.ZipFile(data_copy / "inversion.xlsx") as zf:
        assert b'<dimension ref="A1:G3" />' in zf.read("xl/worksheets/sheet1.xml")
    report = validate_dir(data_copy)
    assert report.exit_code == EXIT_OK
    total = report.data[("inversion.xlsx", "Proyectos")]["Monto (USD millones)"].sum()
    assert round(total, 2) == 82.49  # the published "USD 82,49 millones"


def test_merged_cells_are_an_error_naming_the_range(data_copy):
    def merge(ws):
        row = row_where(ws, "Modalidad", "Mínima cuantía")
        col = column_index(ws, "Procesos")
        ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=col + 1)

    edit(data_copy / "administrativo.xlsx", "Contratación", merge)
    report = validate_dir(data_copy)
    assert report.exit_code == EXIT_ERRORS
    [p] = [p for p in report.errors if "combinadas" in p.message]
    assert (p.file, p.sheet, p.column) == ("administrativo.xlsx", "Contratación", "Procesos")
    assert f"B{p.row}:C{p.row}" in p.message


def test_formula_without_cached_value_is_reported(data_copy):
    row = put(data_copy / "administrativo.xlsx", "Contratación", "Valor (COP)", "=100+200",
              "Modalidad", "Mínima cuantía")
    report = validate_dir(data_copy)
    assert report.exit_code == EXIT_ERRORS
    [p] = [p for p in report.errors if "fórmula" in p.message]
    assert (p.sheet, p.row, p.column) == ("Contratación", row, "Valor (COP)")
    assert "abra y guarde el libro en Excel" in p.message


# --------------------------------------------------------------------------- values that are not data

@pytest.mark.parametrize("value", [True, False])
def test_boolean_in_amount_is_an_error(data_copy, value):
    row = put(data_copy / "estados_financieros.xlsx", "Situación financiera", "Año actual", value, "Rol", "efectivo")
    report = validate_dir(data_copy)
    [p] = report.errors
    assert (p.sheet, p.row, p.column) == ("Situación financiera", row, "Año actual")
    assert "valor lógico" in p.message


@pytest.mark.parametrize("stored", ["nan", "inf", "-inf", "1e999"])
def test_non_finite_number_is_an_error(data_copy, stored):
    path = data_copy / "administrativo.xlsx"
    row = put(path, "PQRS", "Cantidad", 123456.5, "Proceso", "Gestión de Proyectos")
    edit_sheet_xml(path, "PQRS", lambda xml: xml.replace("<v>123456.5</v>", f"<v>{stored}</v>"))
    report = validate_dir(data_copy)
    assert report.exit_code == EXIT_ERRORS
    assert any((p.sheet, p.row, p.column) == ("PQRS", row, "Cantidad") for p in report.errors)


@pytest.mark.parametrize("value", [1e300, 1e20, "1e300", -1e300])
def test_huge_amount_is_refused_not_a_crash(data_copy, value):
    row = put(data_copy / "administrativo.xlsx", "Contratación", "Procesos", value, "Modalidad", "Licitación")
    errors = validate_dir(data_copy).errors
    assert {(p.sheet, p.row, p.column) for p in errors} == {("Contratación", row, "Procesos")}
    # a huge number is out of range; a huge number typed as text is not a number an analyst types
    assert any(("no es un número" if isinstance(value, str) else "fuera del rango") in p.message for p in errors)


def test_impossible_period_is_an_error(data_copy):
    row = put(data_copy / "estados_financieros.xlsx", "Cambios en el patrimonio", "Periodo", 9999)
    [p] = validate_dir(data_copy, year=2022).errors
    assert (p.sheet, p.row, p.column) == ("Cambios en el patrimonio", row, "Periodo")
    assert "2021 y 2022" in p.message  # the window comes from the folder's year


@pytest.mark.parametrize("text", ["\u200b", "\ufeff", "\u00a0", " \u200b\u00a0"])
def test_invisible_only_required_text_is_empty(data_copy, text):
    row = put(data_copy / "inversion.xlsx", "Proyectos", "Empresa", text)
    [p] = validate_dir(data_copy).errors
    assert (p.sheet, p.row, p.column, p.message) == ("Proyectos", row, "Empresa", "valor obligatorio vacío")


def test_control_character_escaped_in_the_xml_is_an_error(data_copy):
    path = data_copy / "inversion.xlsx"
    row = put(path, "Proyectos", "Empresa", "ACME MARCA")
    edit_sheet_xml(path, "Proyectos", lambda xml: xml.replace("MARCA", "_xFFFF_"))
    [p] = validate_dir(data_copy).errors
    assert (p.sheet, p.row, p.column) == ("Proyectos", row, "Empresa") and "U+FFFF" in p.message


def test_duplicate_header_is_an_error_naming_both_columns(data_copy):
    def dup(ws):
        ws.cell(1, column_index(ws, "Procesos")).value = "Valor (COP)"

    edit(data_copy / "administrativo.xlsx", "Contratación", dup)
    report = validate_dir(data_copy)
    assert report.exit_code == EXIT_ERRORS
    assert any(p.row == 1 and p.column == "Valor (COP)" and "columnas B y C" in p.message for p in report.errors)


def test_text_helpers():
    assert clean_text("\ufeff Bancolombia\u00a0\u200b") == "Bancolombia"
    assert clean_text("\u200b\u2060 \u3000") is None
    assert bad_characters("a\uffffb\x01c\tok\n") == ["U+FFFF", "U+0001"]
    assert bad_characters("Medellín — ¿Por qué? 😀") == []
    assert unescape_ooxml("A_x0042_C") == "ABC"


def test_confusable_codes_share_a_key_and_distinct_codes_do_not():
    same = ["PI-01", "pi-01", "PІ-01", "PI-O1", "PI–01", "Pl-01", "PI - 01", "ＰＩ-01", "PI-01\u200b"]
    assert {confusable_key(c) for c in same} == {confusable_key("PI-01")}
    assert len({confusable_key(c) for c in ("PI-01", "PI-02", "PA-01", "PI-10")}) == 4


# --------------------------------------------------------------------------- roles and indicator codes

def test_missing_closing_cash_role_is_an_error(data_copy):
    put(data_copy / "estados_financieros.xlsx", "Flujo de efectivo", "Rol", None, "Rol", "efectivo_final")
    report = validate_dir(data_copy)
    assert report.exit_code == EXIT_ERRORS
    assert any(p.sheet == "Flujo de efectivo" and p.column == "Rol" and "efectivo_final" in p.message
               for p in report.errors)


def test_duplicated_role_names_both_rows(data_copy):
    path = data_copy / "estados_financieros.xlsx"
    wb = load_workbook(path)
    ws = wb["Situación financiera"]
    original = row_where(ws, "Rol", "efectivo")
    free = next(r for r in rows_with_value(ws, "Cuenta") if ws.cell(r, column_index(ws, "Rol")).value is None)
    ws.cell(free, column_index(ws, "Rol")).value = "efectivo"
    wb.save(path)
    rows = {p.row for p in validate_dir(data_copy).errors if p.column == "Rol"}
    assert rows == {original, free}


def test_line_never_guesses():
    statement = finance.pd.DataFrame({"Rol": ["a", "a", None], "Año actual": [1.0, 2.0, 3.0]}, index=[2, 3, 4])
    with pytest.raises(ValueError, match="varias líneas"):
        finance.line(statement, "a")
    with pytest.raises(KeyError):
        finance.line(statement, "b")


@pytest.mark.parametrize("new", ["pi-01", "PІ-01", "PI-O1"])
def test_look_alike_indicator_code_is_an_error_not_a_skipped_reconciliation(data_copy, new):
    row = put(data_copy / "plan_desarrollo.xlsx", "Indicadores", "Código", new, "Código", "PI-01")
    errors = validate_dir(data_copy).errors
    assert any((p.sheet, p.row, p.column) == ("Indicadores", row, "Código") and "PI-01" in p.message for p in errors)


def test_deleted_indicator_row_is_an_error(data_copy):
    edit(data_copy / "plan_desarrollo.xlsx", "Indicadores", lambda ws: ws.delete_rows(row_where(ws, "Código", "PI-06")))
    errors = validate_dir(data_copy).errors
    # Named where the reconciliation is declared (plan_desarrollo.xlsx, «Conciliaciones», its row).
    assert any(p.file == "plan_desarrollo.xlsx" and p.sheet and p.row and "PI-06" in p.message
               and "conciliación" in p.message for p in errors)


def test_code_problems_compares_codes_with_each_other():
    codes = finance.pd.Series(["PA-01", "PA-O1", "PA-02"], index=[2, 3, 4])
    [p] = code_problems("f.xlsx", "Indicadores", codes, {})
    assert p.row == 3 and "PA-01" in p.message


# --------------------------------------------------------------------------- data text renders literally

def test_charts_print_dollar_text_literally():
    import matplotlib.pyplot as plt

    from informe.report.charts import set_theme

    set_theme()
    fig, ax = plt.subplots()
    ax.set_title("$\\notacommand$ y $5 millones")
    ax.bar(["$\\alpha$"], [1])
    fig.savefig(io.BytesIO(), format="svg")  # with math parsing on, this raises ValueError
    plt.close(fig)
    assert matplotlib.rcParams["text.parse_math"] is False
