"""One real 2022 build from changed data, shared by the download and diff tests (built once per session).

The changes, and the figures they must move, are computed here from the published ones:
* the «Contratación directa» value of the procurement table, and the published total, get
  ``PROCUREMENT_DELTA`` more pesos;
* four investment projects get company names that spreadsheets would read as formulas.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from openpyxl import load_workbook

from conftest import DATA_2022, build

PROCUREMENT_DELTA = 1_000
PROCUREMENT_TOTAL = 1_615_131_603  # published total of the annual procurement plan
FORMULA_NAMES = ['=HYPERLINK("http://x","y")', "@SUM(A1)", "+1", "-2+3"]

_cache: dict[str, Path] = {}


def set_text(path: Path, sheet: str, cell: str, text: str) -> None:
    """Write ``text`` as a text cell (as an analyst typing it after an apostrophe), never as a formula."""
    wb = load_workbook(path)
    wb[sheet][cell].value = text
    wb[sheet][cell].data_type = "s"
    wb.save(path)


def procurement_row(path: Path, modality: str) -> int:
    ws = load_workbook(path)["Contratación"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == modality:
            return row[0].row
    raise AssertionError(modality)


def variant_2022(tmp_root: Path) -> Path:
    """Build the changed data once; return the output folder."""
    if "out" in _cache:
        return _cache["out"]
    data = tmp_root / "data-variante"
    shutil.copytree(DATA_2022, data)
    workbook = data / "administrativo.xlsx"
    wb = load_workbook(workbook)
    ws = wb["Contratación"]
    header = [c.value for c in ws[1]]
    row = procurement_row(workbook, "Contratación directa")
    cell = ws.cell(row=row, column=header.index("Valor (COP)") + 1)
    cell.value = cell.value + PROCUREMENT_DELTA
    figures = wb["Cifras"]
    for row in figures.iter_rows(min_row=2, max_col=3):
        if row[0].value == "contratacion_valor_total":  # the published total moves with it
            row[2].value = row[2].value + PROCUREMENT_DELTA
    wb.save(workbook)
    for i, name in enumerate(FORMULA_NAMES, start=2):
        set_text(data / "inversion.xlsx", "Proyectos", f"A{i}", name)
    out = tmp_root / "variante" / "2022"
    result = build("--year", "2022", "--data", str(data), "--out", str(out), "--engine", "pandoc")
    assert result.returncode == 0, result.stdout + result.stderr
    _cache["out"] = out
    return out
