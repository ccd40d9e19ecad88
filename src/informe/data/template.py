"""Empty workbooks that follow the data contract, for analysts to start a new year."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook as XlsxWorkbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from .contract import CATALOG_SHEET, CONTRACT, UNITS, Column, Sheet, Workbook

HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")
LISTS_SHEET = "Listas"
TEMPLATE_ROWS = 500
CATALOG_ROWS = 200  # rows of each catalog the drop-down lists offer
LIMIT = 999_999_999_999_999  # bounds of "any number" validations


def header_note(column: Column) -> str:
    """The comment shown on a header cell: what goes in the column."""
    lines = [column.description, f"Unidad: {UNITS[column.unit]}.", "Obligatorio." if column.required else "Opcional."]
    if column.catalog:
        lines.append(f"Valores: los del catálogo «{column.catalog}» (hoja «{CATALOG_SHEET}»); agregue allí los nuevos.")
    elif column.allowed:
        lines.append("Valores: " + "; ".join(column.allowed) + ".")
    if column.minimum is not None:
        lines.append(f"Mínimo: {column.minimum:g}.")
    if column.unique:
        lines.append("Sin repetidos.")
    return "\n".join(lines)


def _number_format(column: Column) -> str:
    return {"text": "@", "integer": "#,##0", "number": "#,##0.00"}[column.kind] if column.unit != "cop" else "#,##0"


def _catalog_source(spec: Workbook, catalog: str) -> str:
    """The «Catálogos» range the drop-down list of a column of the catalog ``catalog`` reads."""
    catalog_sheet = spec.sheet(CATALOG_SHEET)
    letter = get_column_letter(catalog_sheet.headers.index(catalog) + 1)
    return f"{quote_sheetname(CATALOG_SHEET)}!${letter}$2:${letter}${CATALOG_ROWS + 1}"


def _write_sheet(ws, sheet: Sheet, lists_ws, list_cursor: list[int], spec: Workbook) -> None:
    for idx, column in enumerate(sheet.columns, start=1):
        cell = ws.cell(row=1, column=idx, value=column.header)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.comment = Comment(header_note(column), "informe", width=320, height=160)
        letter = get_column_letter(idx)
        ws.column_dimensions[letter].width = max(14, min(45, len(column.header) + 4))
        for row in range(2, TEMPLATE_ROWS + 2):
            ws.cell(row=row, column=idx).number_format = _number_format(column)
        if column.catalog:
            dv = DataValidation(type="list", formula1=_catalog_source(spec, column.catalog),
                                allow_blank=not column.required,
                                showErrorMessage=True, errorTitle="Valor no permitido",
                                error=f"Elija un valor del catálogo «{column.catalog}» (hoja {CATALOG_SHEET}).")
        elif column.allowed:
            list_col = get_column_letter(list_cursor[0])
            lists_ws.cell(row=1, column=list_cursor[0], value=f"{sheet.name} · {column.header}")
            for r, value in enumerate(column.allowed, start=2):
                lists_ws.cell(row=r, column=list_cursor[0], value=value)
            source = f"{quote_sheetname(LISTS_SHEET)}!${list_col}$2:${list_col}${len(column.allowed) + 1}"
            list_cursor[0] += 1
            dv = DataValidation(type="list", formula1=source, allow_blank=not column.required,
                                showErrorMessage=True, errorTitle="Valor no permitido",
                                error="Elija un valor de la lista.")
        elif column.kind in ("number", "integer"):
            dv = DataValidation(type="whole" if column.kind == "integer" else "decimal",
                                operator="greaterThanOrEqual" if column.minimum is not None else "between",
                                formula1=str(column.minimum if column.minimum is not None else -LIMIT),
                                formula2=None if column.minimum is not None else str(LIMIT),
                                allow_blank=not column.required, showErrorMessage=True,
                                errorTitle="Número inválido", error="Escriba un número (sin texto).")
        else:
            continue
        ws.add_data_validation(dv)
        dv.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
    ws.freeze_panes = "A2"


def write_workbook(spec: Workbook, path: Path, rows: dict[str, pd.DataFrame] | None = None) -> Path:
    """Write ``spec`` as an xlsx with headers, notes and drop-downs; optionally with data rows."""
    wb = XlsxWorkbook()
    wb.remove(wb.active)
    lists_ws = None
    cursor = [1]
    sheets = []
    for sheet in spec.sheets:
        sheets.append((sheet, wb.create_sheet(sheet.name)))
    lists_ws = wb.create_sheet(LISTS_SHEET)
    for sheet, ws in sheets:
        _write_sheet(ws, sheet, lists_ws, cursor, spec)
        frame = (rows or {}).get(sheet.name)
        if frame is not None:
            frame = frame.reindex(columns=sheet.headers)
            for r, record in enumerate(frame.itertuples(index=False), start=2):
                for c, value in enumerate(record, start=1):
                    ws.cell(row=r, column=c, value=None if pd.isna(value) else value)
    lists_ws.sheet_state = "hidden"
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def write_templates(directory: Path, contract: tuple[Workbook, ...] = CONTRACT) -> list[Path]:
    """Write one empty workbook per contract entry into ``directory``; refuse to overwrite."""
    directory = Path(directory)
    existing = [directory / spec.filename for spec in contract if (directory / spec.filename).exists()]
    if existing:
        raise FileExistsError(", ".join(p.name for p in existing))
    return [write_workbook(spec, directory / spec.filename) for spec in contract]
