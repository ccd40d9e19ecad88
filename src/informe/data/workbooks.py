"""Reading the analysts' workbooks into DataFrames.

Every sheet is read with openpyxl (values, not formulas) into a DataFrame
whose index is the row number Excel shows, so every problem found later can
name the exact row. Nothing here judges the values: that is the job of
:mod:`informe.schemas` and :mod:`informe.checks`.
"""

from __future__ import annotations

import math
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from .contract import CONTRACT, Sheet, Workbook

OLE_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")  # encrypted xlsx and legacy .xls


class UnusableInput(Exception):
    """A workbook that cannot be read at all (exit code 2)."""

    def __init__(self, file: str, message: str, sheet: str = ""):
        super().__init__(message)
        self.file = file
        self.sheet = sheet
        self.message = message


@dataclass
class SheetData:
    """One sheet as read: the frame (index = Excel row) and its header row."""

    file: str
    sheet: Sheet
    frame: pd.DataFrame
    headers: list[str]


@dataclass
class YearData:
    """All the sheets of one data directory, keyed by (file name, sheet name)."""

    data_dir: Path
    sheets: dict[tuple[str, str], SheetData] = field(default_factory=dict)

    def frame(self, filename: str, sheet: str) -> pd.DataFrame:
        return self.sheets[(filename, sheet)].frame


def ensure_readable_xlsx(path: Path) -> None:
    """Raise :class:`UnusableInput` unless ``path`` is a plain, macro-free xlsx file."""
    name = path.name
    if not path.exists():
        raise UnusableInput(name, f"falta el archivo {name} en {path.parent}")
    if path.suffix.lower() == ".xlsm":
        raise UnusableInput(name, "el archivo tiene macros (.xlsm); guárdelo como libro de Excel (.xlsx)")
    with path.open("rb") as fh:
        head = fh.read(8)
    if head == OLE_SIGNATURE:
        raise UnusableInput(
            name,
            "el archivo está protegido con contraseña o es un .xls antiguo; quite la contraseña y guárdelo como .xlsx",
        )
    if not zipfile.is_zipfile(path):
        raise UnusableInput(name, "no es un libro de Excel .xlsx válido")
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise UnusableInput(name, "el archivo contiene macros; guárdelo como libro de Excel sin macros (.xlsx)")
    if "xl/workbook.xml" not in names:
        raise UnusableInput(name, "no es un libro de Excel .xlsx válido (falta xl/workbook.xml)")


def _cell_text(value) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def _clean(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def read_sheet(path: Path, spec: Sheet, workbook=None) -> SheetData:
    """Read one sheet of ``path`` following ``spec``; rows keep their Excel numbers.

    Text columns are read as text (a number typed in a text column becomes its
    text); other columns keep the raw cell value so that the schema can report
    text typed in an amount column.
    """
    close = workbook is None
    if workbook is None:
        workbook = open_workbook(path)
    try:
        if spec.name not in workbook.sheetnames:
            raise UnusableInput(
                path.name,
                f"falta la hoja «{spec.name}» (hojas encontradas: {', '.join(workbook.sheetnames)})",
                sheet=spec.name,
            )
        ws = workbook[spec.name]
        rows = ws.iter_rows(values_only=True)
        header_row = next(rows, ())
        headers = [_cell_text(h) or "" for h in header_row]
        while headers and headers[-1] == "":
            headers.pop()
        records, index = [], []
        for excel_row, values in enumerate(rows, start=2):
            values = list(values[: len(headers)]) + [None] * (len(headers) - len(values))
            cleaned = [_clean(v) for v in values]
            if all(v is None for v in cleaned):
                continue
            records.append(cleaned)
            index.append(excel_row)
    finally:
        if close:
            workbook.close()
    frame = pd.DataFrame.from_records(records, columns=headers, index=pd.Index(index, name="fila"))
    frame = frame.astype(object)
    for column in spec.columns:
        if column.header in frame.columns and column.kind == "text":
            frame[column.header] = frame[column.header].map(_cell_text)
    return SheetData(path.name, spec, frame, headers)


def open_workbook(path: Path):
    ensure_readable_xlsx(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about data validation extensions
            return load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise UnusableInput(path.name, f"no se pudo abrir el libro: {exc}") from exc


def read_workbook(path: Path, spec: Workbook) -> list[SheetData]:
    """Read every sheet of one workbook listed in the contract."""
    wb = open_workbook(path)
    try:
        return [read_sheet(path, sheet, workbook=wb) for sheet in spec.sheets]
    finally:
        wb.close()


def read_year(data_dir: Path, contract: tuple[Workbook, ...] = CONTRACT) -> YearData:
    """Read every workbook of the contract from ``data_dir``.

    Raises :class:`UnusableInput` for the first workbook that cannot be read.
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise UnusableInput(str(data_dir), f"no existe la carpeta de datos {data_dir}")
    year = YearData(data_dir)
    for spec in contract:
        for sheet in read_workbook(data_dir / spec.filename, spec):
            year.sheets[(spec.filename, sheet.sheet.name)] = sheet
    return year
