"""Reading the analysts' workbooks into DataFrames.

Every sheet is read with openpyxl (values, not formulas) into a DataFrame
whose index is the row number Excel shows, so every problem found later can
name the exact row. Reading judges only what a later stage could not see or
would misread: cells that are not data (booleans, NaN/±inf, control
characters), merged cells, formulas without a computed value, duplicate
headers. Values are judged by :mod:`informe.data.schemas` and
:mod:`informe.data.checks`.

Nothing is trusted before it is opened: a workbook must be a regular file
under a size cap and a zip whose declared contents stay within limits
(:mod:`informe.data.safety`); read-only openpyxl is told to ignore the
sheet's ``<dimension>`` so that every real row is read.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
import warnings
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.utils.exceptions import InvalidFileException

from .contract import CONTRACT, Sheet, Workbook
from .numbers import SERIAL_MAX, SERIAL_MIN, parse_text_number, serial_to_date, show_date
from .plausibility import unnamed_columns
from .problems import WARNING, Problem
from .safety import (
    DAMAGED_ZIP,
    MAX_RATIO_MEMBER_BYTES,
    PERMISSION_DENIED,
    UnsafeInput,
    UnsafeXml,
    bad_characters,
    check_input_file,
    check_zip_members,
    clean_text,
    sheet_xml_facts,
    unescape_ooxml,
)

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
    """One sheet as read: the frame (index = Excel row), its header row and what reading found.

    ``problems`` are findings of the reading itself (each names its cell); ``bad_cells`` are the
    (row, header) cells they blanked in ``frame``, so the schema does not report them a second time.
    """

    file: str
    sheet: Sheet
    frame: pd.DataFrame
    headers: list[str]
    problems: list[Problem] = field(default_factory=list)
    bad_cells: set[tuple[int, str]] = field(default_factory=set)


@dataclass
class YearData:
    """All the sheets of one data directory, keyed by (file name, sheet name).

    ``unusable`` lists the workbooks that could not be read at all; the others are still read.
    """

    data_dir: Path
    sheets: dict[tuple[str, str], SheetData] = field(default_factory=dict)
    unusable: list[UnusableInput] = field(default_factory=list)

    def frame(self, filename: str, sheet: str) -> pd.DataFrame:
        return self.sheets[(filename, sheet)].frame


# A validated frame's attrs key: {"libro", "hoja", "año", "letras": {encabezado: letra de columna}} (its index
# is the Excel row): every figure of the report can say which cells it comes from (informe.report.trace).
ORIGIN = "origen"

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
NOISE_NAMES = ("thumbs.db", "desktop.ini")  # besides hidden files («.DS_Store», «._x.xlsx», «.~lock.x.xlsx#»)
NOISE_SUFFIXES = (".bak", ".tmp")
SAVE_AS_XLSX = "guárdelo como .xlsx (Archivo → Guardar como → Libro de Excel)"
_COPY_PREFIX = re.compile(r"^(copia de|copy of)\s+")
_COPY_SUFFIX = re.compile(r"(\s*[-_]?\s*(copia|copy)|\s*[(\[]\d+[)\]])$")


def is_noise(name: str) -> bool:
    """Files that Excel, LibreOffice or the operating system leave in a folder: never read, never reported.

    Excel's owner files (``~$inversion.xlsx``), hidden files (LibreOffice locks ``.~lock.inversion.xlsx#``,
    macOS ``._inversion.xlsx`` and ``.DS_Store``), ``Thumbs.db``, ``desktop.ini``, ``*.bak`` and ``*.tmp``.
    """
    lower = name.lower()
    return name.startswith(("~$", ".")) or lower in NOISE_NAMES or lower.endswith(NOISE_SUFFIXES)


def workbook_key(name: str) -> str:
    """What a spreadsheet's name says it is, whatever its case, accents, extension or copy mark.

    «inversion - copia.xlsx», «INVERSIÓN.xlsx», «inversion (1).xlsx» and «Copia de inversion.ods» all give
    ``inversion``; «plan desarrollo.xls» gives ``plan_desarrollo``.
    """
    stem = Path(name).stem
    text = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode().lower().strip()
    text = _COPY_PREFIX.sub("", text)
    while True:
        shorter = _COPY_SUFFIX.sub("", text).strip()
        if shorter == text:
            break
        text = shorter
    return re.sub(r"[\s\-_.]+", "_", text).strip("_")


def spreadsheets(folder: Path) -> list[Path]:
    """The spreadsheet files of ``folder`` (by extension), noise left out, sorted by name."""
    try:
        entries = sorted(Path(folder).iterdir())
    except OSError:
        return []
    return [p for p in entries if not is_noise(p.name) and p.suffix.lower() in SPREADSHEET_SUFFIXES
            and not p.is_dir()]


def stand_ins(path: Path) -> list[Path]:
    """Other spreadsheets of ``path``'s folder that are, by their name, the same workbook (a copy, another
    case, another format), the file itself left out."""
    key = workbook_key(path.name)
    return [p for p in spreadsheets(path.parent) if p.name != path.name and workbook_key(p.name) == key]


def missing_workbook_message(path: Path) -> str:
    """Why ``path`` is missing, and what to do when a file of the same name but another format or spelling is there."""
    name = path.name
    message = f"falta el archivo {name} en {path.parent}"
    hints = []
    for other in stand_ins(path):
        if other.suffix.lower() != ".xlsx":
            save_as = SAVE_AS_XLSX if other.stem == path.stem else f"guárdelo como {name} (Archivo → Guardar como → " \
                                                                    "Libro de Excel)"
            hints.append(f"encontré {other.name}: {save_as}")
        else:
            hints.append(f"encontré {other.name}: cámbiele el nombre a {name}")
    return "; ".join([message, *hints])


def ensure_readable_xlsx(path: Path) -> None:
    """Raise :class:`UnusableInput` unless ``path`` is a regular, reasonably sized, macro-free xlsx file.

    Checked in an order that never blocks nor exhausts memory: ``stat`` first (folders, FIFOs,
    devices and oversized files are refused without opening them), then the zip directory.
    """
    name = path.name
    if not path.exists() and not path.is_symlink():
        raise UnusableInput(name, missing_workbook_message(path))
    try:
        check_input_file(path)
    except UnsafeInput as exc:
        raise UnusableInput(name, str(exc)) from None
    if path.suffix.lower() == ".xlsm":
        raise UnusableInput(name, "el archivo tiene macros (.xlsm); guárdelo como libro de Excel (.xlsx)")
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
        if head == OLE_SIGNATURE:
            raise UnusableInput(
                name,
                "el archivo está protegido con contraseña o es un .xls antiguo; "
                "quite la contraseña y guárdelo como .xlsx",
            )
        if not zipfile.is_zipfile(path):
            raise UnusableInput(name, "no es un libro de Excel .xlsx válido")
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            check_zip_members(zf, ratio_above=MAX_RATIO_MEMBER_BYTES)
    except UnsafeInput as exc:
        raise UnusableInput(name, str(exc)) from None
    except PermissionError:
        raise UnusableInput(name, PERMISSION_DENIED) from None
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnusableInput(name, f"no es un libro de Excel .xlsx válido ({exc})") from None
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise UnusableInput(name, "el archivo contiene macros; guárdelo como libro de Excel sin macros (.xlsx)")
    if "xl/workbook.xml" not in names:
        raise UnusableInput(name, "no es un libro de Excel .xlsx válido (falta xl/workbook.xml)")


def _cell_text(value) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return clean_text(str(value))


def _clean(value):
    if isinstance(value, str):
        return clean_text(value)
    return value


def _letter(index: int) -> str:
    return get_column_letter(index + 1)


def _cell_problem(value, kind: str) -> str | None:
    """Why a raw cell value cannot be data of a column of ``kind`` (None when it can)."""
    if isinstance(value, bool):
        shown = "VERDADERO" if value else "FALSO"
        what = "un número" if kind != "text" else "texto"
        return f"valor lógico {shown} donde se esperaba {what}; escriba el valor"
    if isinstance(value, float) and not math.isfinite(value):
        return f"valor numérico no válido ({value}); escriba una cifra finita"
    if isinstance(value, str):
        bad = bad_characters(value)
        if bad:
            return f"el texto contiene caracteres no permitidos ({', '.join(bad)}); bórrelos"
    return None


def _header_problems(file: str, sheet: str, headers: list[str]) -> tuple[list[Problem], set[int]]:
    """Repeated header names: an error naming both columns; returns the indexes of the repeats."""
    problems: list[Problem] = []
    drop: set[int] = set()
    first: dict[str, int] = {}
    for i, h in enumerate(headers):
        if not h:
            continue
        if h in first:
            problems.append(Problem(file, sheet, 1, h, f"encabezado repetido en las columnas {_letter(first[h])} y "
                                    f"{_letter(i)}; deje una sola columna «{h}»"))
            drop.add(i)
        else:
            first[h] = i
    return problems, drop


def _xml_problems(file: str, sheet: str, headers: list[str], facts) -> list[Problem]:
    """Merged ranges and formulas without a computed value inside the table."""
    problems = []
    width = len(headers)

    def header_at(col: int) -> str:
        return headers[col - 1] if 0 < col <= width else ""

    for ref in facts.merged:
        try:
            min_col, min_row, max_col, max_row = range_boundaries(ref)
        except (ValueError, TypeError):
            continue
        if min_col > max(width, 1):
            continue
        problems.append(Problem(file, sheet, min_row, header_at(min_col),
                                f"celdas combinadas {ref}: al combinar, Excel deja vacías todas menos la primera; "
                                "separe las celdas y escriba el valor en cada una"))
    for ref in facts.formulas_without_value:
        try:
            min_col, row, _c, _r = range_boundaries(ref)
        except (ValueError, TypeError):
            continue
        if min_col > width:
            continue
        problems.append(Problem(file, sheet, row, header_at(min_col),
                                f"la celda {ref} tiene una fórmula sin valor calculado; abra y guarde el libro en "
                                "Excel (o escriba el valor)"))
    return problems


def read_sheet(path: Path, spec: Sheet, workbook=None, facts=None) -> SheetData:
    """Read one sheet of ``path`` following ``spec``; rows keep their Excel numbers.

    Text columns are read as text (a number typed in a text column becomes its
    text); other columns keep the raw cell value so that the schema can report
    text typed in an amount column. Every row in the sheet is read, whatever
    its ``<dimension>`` element claims.
    """
    close = workbook is None
    if workbook is None:
        workbook = open_workbook(path)
    file = path.name
    kinds = {c.header: c.kind for c in spec.columns}
    units = {c.header: c.unit for c in spec.columns}
    epoch = getattr(workbook, "epoch", None) or dt.datetime(1899, 12, 30)
    problems: list[Problem] = []
    bad: set[tuple[int, str]] = set()
    try:
        if spec.name not in workbook.sheetnames:
            raise UnusableInput(
                file,
                f"falta la hoja «{spec.name}» (hojas encontradas: {', '.join(workbook.sheetnames)})",
                sheet=spec.name,
            )
        ws = workbook[spec.name]
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()  # a stale <dimension> would otherwise hide real rows
        rows = ws.iter_rows(values_only=True)
        try:
            header_row = next(rows, ())
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError, SyntaxError) as exc:
            raise UnusableInput(file, f"la fila de encabezados de la hoja «{spec.name}» no se pudo leer "
                                f"({type(exc).__name__}: {exc})", sheet=spec.name) from None
        headers = []
        for i, h in enumerate(header_row):
            h = unescape_ooxml(h) if isinstance(h, str) else h
            reason = _cell_problem(h, "text") if h is not None else None
            if reason:
                problems.append(Problem(file, spec.name, 1, _letter(i), f"encabezado no válido: {reason}"))
                h = None
            headers.append(_cell_text(h) or "")
        while headers and headers[-1] == "":
            headers.pop()
        dup_problems, drop = _header_problems(file, spec.name, headers)
        problems += dup_problems
        records: list[list[object]] = []
        index: list[int] = []
        beyond: dict[int, list[int]] = {}
        try:
            _read_rows(rows, headers, kinds, drop, file, spec.name, problems, bad, records, index, units, epoch, beyond)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError, SyntaxError) as exc:
            unreadable = facts.bad_numbers if facts is not None else []
            if not unreadable:
                raise UnusableInput(file, f"la hoja «{spec.name}» no se pudo leer ({type(exc).__name__}: {exc})",
                                    sheet=spec.name) from None
            for ref, text in unreadable:  # openpyxl stops at the first one; every one is reported
                min_col, row, _c, _r = range_boundaries(ref)
                header = headers[min_col - 1] if 0 < min_col <= len(headers) else ""
                problems.append(Problem(file, spec.name, row, header,
                                        f"la celda {ref} guarda «{text}», que no es un número; escriba una cifra"))
                bad.add((row, header))
    finally:
        if close:
            workbook.close()
    if facts is not None:
        problems += _xml_problems(file, spec.name, headers, facts)
    problems += unnamed_columns(file, spec.name, headers, records, index, beyond)
    keep = [i for i, h in enumerate(headers) if i not in drop and h]
    columns = [headers[i] for i in keep]
    frame = pd.DataFrame.from_records([[r[i] for i in keep] for r in records], columns=columns,
                                      index=pd.Index(index, name="fila"))
    frame = frame.astype(object)
    for column in spec.columns:
        if column.header in frame.columns and column.kind == "text":
            frame[column.header] = frame[column.header].map(_cell_text)
    return SheetData(file, spec, frame, headers, problems, bad)


def _read_rows(rows, headers, kinds, drop, file, sheet, problems, bad, records, index, units=None,
               epoch=None, beyond=None) -> None:
    """Append every non-empty data row to ``records``/``index``; report and blank cells that are not data.

    A numeric cell holding text is read as an es-CO number with a remark, or refused
    (:func:`~informe.data.numbers.parse_text_number`); a date in a text column, or a date serial number in a
    date column, becomes the day Excel shows (``epoch``: the workbook's date system).
    """
    units = units or {}
    beyond = beyond if beyond is not None else {}
    for excel_row, values in enumerate(rows, start=2):
        for i in range(len(headers), len(values)):  # values right of the last header: a column without a name
            if values[i] is not None and not (isinstance(values[i], str) and not clean_text(values[i])):
                beyond.setdefault(i, []).append(excel_row)
        values = list(values[: len(headers)]) + [None] * (len(headers) - len(values))
        cleaned = []
        for i, v in enumerate(values):
            header = headers[i]
            if isinstance(v, str):
                v = unescape_ooxml(v)
            kind = kinds.get(header, "text")
            reason = _cell_problem(v, kind) if v is not None else None
            if reason and header in kinds and i not in drop:
                problems.append(Problem(file, sheet, excel_row, header, reason))
                bad.add((excel_row, header))
                v = None
            elif reason:
                v = None  # an ignored column (unnamed or repeated): nothing to report twice
            elif header in kinds and i not in drop:
                v, remark, refused = _typed_value(v, kind, units.get(header, "text"), epoch)
                if refused:
                    problems.append(Problem(file, sheet, excel_row, header, remark))
                    bad.add((excel_row, header))
                elif remark:
                    problems.append(Problem(file, sheet, excel_row, header, remark, WARNING))
            cleaned.append(_clean(v))
        if all(v is None for v in cleaned) and not any((excel_row, h) in bad for h in headers):
            continue
        records.append(cleaned)
        index.append(excel_row)


def _typed_value(value, kind: str, unit: str, epoch) -> tuple[object, str, bool]:
    """(value as read, remark or reason, refused) for one cell of a contract column."""
    if value is None:
        return None, "", False
    if kind != "text" and isinstance(value, str):
        text = clean_text(value)
        if not text:
            return None, "", False
        read = parse_text_number(text, unit)
        return read.value, read.remark, read.value is None
    if kind != "text" and isinstance(value, (dt.datetime, dt.date, dt.time)):
        return None, (f"la celda guarda una fecha ({show_date(value) if not isinstance(value, dt.time) else value}) "
                      "donde se esperaba un número; escriba la cifra (y quite el formato de fecha de la celda)"), True
    if kind == "text" and isinstance(value, (dt.datetime, dt.date)):
        shown = show_date(value)
        if unit == "date":
            return shown, "", False
        return shown, (f"la celda guarda una fecha de Excel y se lee como «{shown}»; si no es una fecha, escriba el "
                       "texto con un apóstrofo delante (') para que Excel no lo convierta"), False
    if kind == "text" and isinstance(value, dt.time):
        return f"{value:%H:%M}", "", False
    if (kind == "text" and unit == "date" and isinstance(value, (int, float)) and not isinstance(value, bool)
            and float(value).is_integer() and SERIAL_MIN <= value <= SERIAL_MAX):
        shown = show_date(serial_to_date(value, epoch or dt.datetime(1899, 12, 30)))
        return shown, (f"fecha escrita como número de serie ({int(value)}): se lee como «{shown}», el día que Excel "
                       "muestra con formato de fecha; escriba la fecha tal como se publica"), False
    return value, "", False


# A member whose bytes were damaged (one flipped byte): zlib cannot inflate it, or its CRC does not match.
DAMAGED_MEMBER_ERRORS = (zlib.error, EOFError)


def _is_damaged(exc: BaseException) -> bool:
    return isinstance(exc, DAMAGED_MEMBER_ERRORS) or (isinstance(exc, zipfile.BadZipFile) and "CRC" in str(exc))


def damaged_member(path: Path) -> str | None:
    """The first member of the (already size-checked) zip at ``path`` that cannot be inflated or whose CRC
    does not match, else None. Only called once reading has failed: it explains the failure."""
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                try:
                    with zf.open(info) as stream:
                        while stream.read(1 << 20):
                            pass
                except (zipfile.BadZipFile, zlib.error, EOFError):
                    return info.filename
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return None
    return None


def _unreadable(path: Path, exc: BaseException, message: str, sheet: str = "") -> UnusableInput:
    """The :class:`UnusableInput` for a failure while reading ``path``: damaged (bad CRC, bad deflate data)
    when a member is, else ``message``."""
    if isinstance(exc, PermissionError):
        return UnusableInput(path.name, PERMISSION_DENIED)
    if _is_damaged(exc) or damaged_member(path) is not None:
        return UnusableInput(path.name, DAMAGED_ZIP)
    return UnusableInput(path.name, message, sheet=sheet)


def open_workbook(path: Path):
    ensure_readable_xlsx(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about data validation extensions
            return load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError,
            AttributeError, IndexError, SyntaxError, *DAMAGED_MEMBER_ERRORS) as exc:  # SyntaxError: xml ParseError
        raise _unreadable(path, exc, f"no se pudo abrir el libro: {exc}") from None


def _xml_facts(path: Path, spec: Workbook) -> dict:
    try:
        with zipfile.ZipFile(path) as zf:
            return sheet_xml_facts(zf, [s.name for s in spec.sheets])
    except UnsafeXml as exc:
        raise _unreadable(path, exc, str(exc), sheet=exc.sheet) from None
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, SyntaxError, *DAMAGED_MEMBER_ERRORS) as exc:
        raise _unreadable(path, exc, f"no se pudo leer la estructura del libro: {exc}") from None


def read_workbook(path: Path, spec: Workbook) -> list[SheetData]:
    """Read every sheet of one workbook listed in the contract."""
    wb = open_workbook(path)
    try:
        facts = _xml_facts(path, spec)
        return [read_sheet(path, sheet, workbook=wb, facts=facts.get(sheet.name)) for sheet in spec.sheets]
    except (KeyError, OSError, ValueError, TypeError, AttributeError, IndexError, SyntaxError,
            zipfile.BadZipFile, *DAMAGED_MEMBER_ERRORS) as exc:
        raise _unreadable(path, exc, f"no se pudo leer el libro: {type(exc).__name__}: {exc}") from None
    finally:
        wb.close()


def read_year(data_dir: Path, contract: tuple[Workbook, ...] = CONTRACT) -> YearData:
    """Read every workbook of the contract from ``data_dir``.

    A workbook that cannot be read is listed in ``unusable`` and the others are still read, so one
    run reports every independent problem. Raises :class:`UnusableInput` only when the folder itself
    is missing.
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise UnusableInput(str(data_dir), f"no existe la carpeta de datos {data_dir}")
    year = YearData(data_dir)
    for spec in contract:
        try:
            sheets = read_workbook(data_dir / spec.filename, spec)
        except UnusableInput as exc:
            year.unusable.append(exc)
            continue
        for sheet in sheets:
            year.sheets[(spec.filename, sheet.sheet.name)] = sheet
    return year
