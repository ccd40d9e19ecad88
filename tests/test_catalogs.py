"""Catalogs live in each workbook's «Catálogos» sheet: extending one is editing Excel, not Python."""

from __future__ import annotations

from openpyxl import load_workbook

from conftest import set_cell
from informe.data.validation import validate_dir


def test_unknown_value_names_the_catalog_to_extend(data_copy):
    set_cell(data_copy / "inversion.xlsx", "Proyectos", "C5", "Minería")
    [error] = validate_dir(data_copy).errors
    assert (error.file, error.sheet, error.row, error.column) == ("inversion.xlsx", "Proyectos", 5, "Sector")
    assert "catálogo «Sector»" in error.message and "Catálogos" in error.message


def test_a_new_value_added_to_the_catalog_is_accepted(data_copy):
    path = data_copy / "inversion.xlsx"
    wb = load_workbook(path)
    wb["Catálogos"]["A10"] = "Minería"
    wb["Proyectos"]["C5"] = "Minería"
    wb.save(path)
    assert validate_dir(data_copy).exit_code == 0


def test_figure_keys_are_a_catalog(data_copy):
    set_cell(data_copy / "posicionamiento.xlsx", "Cifras", "A2", "clave_nueva")
    errors = validate_dir(data_copy).errors
    assert [(e.sheet, e.column) for e in errors] == [("Cifras", "Clave")] and "catálogo «Clave»" in errors[0].message
