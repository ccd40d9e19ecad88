"""Where each printed number comes from: workbook, sheet, cells, and how it was computed.

Every validated frame knows its origin (``frame.attrs["origen"]``, set by the validation: the workbook, the
sheet, the year and the column letter of each header) and its index is the Excel row of each record. From
those, a :class:`Source` names the cells a number was read from or computed with, and says how:

>>> source = cell(projects, 5, "Empleos")                            # doctest: +SKIP
>>> source.describe()                                                # doctest: +SKIP
'2022/inversion.xlsx, hoja «Proyectos», celda F5: valor escrito'

A :class:`informe.report.display.Table` shows the description of every number on hover and on keyboard focus
(HTML) and writes it to the «Fuentes» sheet of its XLSX download.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from ..data.workbooks import ORIGIN
from ..fmt import is_missing

TYPED = "valor escrito en el libro"


@dataclass(frozen=True)
class Part:
    """Cells of one sheet: ``cells`` are A1 references (``F5``), in sheet order."""

    book: str  # «2022/inversion.xlsx»: the year's folder and the workbook
    sheet: str
    cells: tuple[str, ...]

    def describe(self) -> str:
        return f"{self.book}, hoja «{self.sheet}», {cells_text(self.cells)}"


@dataclass(frozen=True)
class Source:
    """The cells a number comes from and how it was obtained («valor escrito en el libro», «suma de 7 filas»)."""

    parts: tuple[Part, ...]
    how: str = TYPED

    def describe(self) -> str:
        """«2022/inversion.xlsx, hoja «Proyectos», celda F5: valor escrito en el libro»; a figure the report
        computes from no cell (a count of checks) says only how."""
        where = "; ".join(p.describe() for p in self.parts)
        return f"{where}: {self.how}" if where else self.how[:1].upper() + self.how[1:]

    def as_dict(self) -> dict:
        """The sidecar's (and the XLSX «Fuentes» sheet's) form."""
        return {"libros": [p.book for p in self.parts], "hojas": [p.sheet for p in self.parts],
                "celdas": [cells_text(p.cells, prefix=False) for p in self.parts], "calculo": self.how,
                "texto": self.describe()}


def _row_number(ref: str) -> tuple[str, int]:
    letters = ref.rstrip("0123456789")
    return letters, int(ref[len(letters):])


def _column_order(letters: str) -> tuple[int, str]:
    return len(letters), letters


def cells_text(cells: Sequence[str], prefix: bool = True) -> str:
    """«celda F5», «celdas F2:F7 y F9»: each column's rows, consecutive rows as a range («ninguna fila»: a
    count of rows that matched none)."""
    if not cells:
        return "ninguna fila"
    by_column: dict[str, list[int]] = {}
    for ref in cells:
        letters, number = _row_number(ref)
        by_column.setdefault(letters, []).append(number)
    pieces = []
    for letters in sorted(by_column, key=_column_order):
        rows = sorted(set(by_column[letters]))
        start = previous = rows[0]
        for row in [*rows[1:], None]:
            if row is not None and row == previous + 1:
                previous = row
                continue
            pieces.append(f"{letters}{start}" if start == previous else f"{letters}{start}:{letters}{previous}")
            if row is not None:
                start = previous = row
    listed = pieces[0] if len(pieces) == 1 else ", ".join(pieces[:-1]) + f" y {pieces[-1]}"
    if not prefix:
        return listed
    single = len(pieces) == 1 and ":" not in pieces[0]
    return f"{'celda' if single else 'celdas'} {listed}"


def origin(frame: pd.DataFrame) -> dict | None:
    """Where a validated frame (or a frame filtered from one, keeping its Excel rows) was read; None for
    a frame the report computed."""
    found = frame.attrs.get(ORIGIN)
    return found if isinstance(found, dict) and frame.index.name == "fila" else None


def book_name(found: dict) -> str:
    year = found.get("año")
    return f"{year}/{found['libro']}" if year else str(found["libro"])


def cells(frame: pd.DataFrame, column: str, rows: Iterable[int] | None = None, how: str = TYPED) -> Source | None:
    """The cells of ``column`` in the Excel ``rows`` of ``frame`` (default: all its rows); None when the frame
    does not know its origin or the column is not one of its sheet's."""
    found = origin(frame)
    letter = (found or {}).get("letras", {}).get(column)
    if found is None or letter is None:
        return None
    rows = list(frame.index if rows is None else rows)  # none: a count of 0 names the sheet it looked in
    return Source((Part(book_name(found), str(found["hoja"]), tuple(f"{letter}{int(r)}" for r in rows)),), how)


def cell(frame: pd.DataFrame, row: int, column: str, how: str = TYPED) -> Source | None:
    """One cell: ``row`` is its Excel row (the frame's index)."""
    return cells(frame, column, [row], how)


def column(frame: pd.DataFrame, name: str, how: str = TYPED) -> list[Source | None]:
    """The cell of ``name`` in each row of ``frame``, in the frame's order."""
    return [cell(frame, row, name, how) for row in frame.index]


def frame_sources(frame: pd.DataFrame) -> dict[str, list[Source | None]]:
    """Each column of a sheet's frame (as read: each row one Excel row) → the cell of each of its rows."""
    found = origin(frame)
    if found is None:
        return {}
    return {str(name): column(frame, name) for name in frame.columns if name in found.get("letras", {})}


def combine(how: str, sources: Iterable[Source | None]) -> Source | None:
    """One source made of several (their cells merged sheet by sheet), computed as ``how``; None when none
    of them is known."""
    parts: dict[tuple[str, str], list[str]] = {}
    for source in sources:
        for part in (source.parts if source is not None else ()):
            parts.setdefault((part.book, part.sheet), [])
            parts[(part.book, part.sheet)] += [c for c in part.cells if c not in parts[(part.book, part.sheet)]]
    if not parts:
        return None
    return Source(tuple(Part(book, sheet, tuple(refs)) for (book, sheet), refs in parts.items()), how)


def rows_phrase(count: int) -> str:
    return "1 fila" if count == 1 else f"{count} filas"


def group_sources(frame: pd.DataFrame, by: str, keys: Sequence, value: str, how: str,
                  missing_key=None) -> list[Source | None]:
    """For each of ``keys`` (the rows of a grouped table), the cells of ``value`` in the rows of ``frame`` whose
    ``by`` is that key (``missing_key``: the key of the rows where ``by`` is empty). ``how`` is formatted with
    the number of rows (``{filas}``), the column grouped by (``{por}``) and the key (``{clave}``)."""
    labels = frame[by].where(frame[by].notna(), missing_key)
    out: list[Source | None] = []
    for key in keys:
        rows = list(frame.index[labels == key])
        out.append(cells(frame, value, rows, how.format(filas=rows_phrase(len(rows)), por=by, clave=key)))
    return out


def sum_sources(sources: Sequence[Source | None], how: str = "") -> Source | None:
    """A column's total: the cells of its values, summed (``how`` by default «total: suma de N celdas»)."""
    merged = combine("", sources)
    if merged is None:
        return None
    if how:
        return Source(merged.parts, how)
    count = sum(len(p.cells) for p in merged.parts)
    if all(s.how.startswith("conteo de") for s in sources if s is not None):  # a total of counts counts rows
        return Source(merged.parts, f"total: conteo de {rows_phrase(count)}")
    return Source(merged.parts, f"total: suma de {count} {'celda' if count == 1 else 'celdas'}")


SourceColumns = Mapping[str, Sequence[Source | None]]


def table_cells(data: pd.DataFrame, sources: SourceColumns, numeric: Iterable[str]) -> dict[tuple[int, str], Source]:
    """The sources of the non-empty cells of ``numeric`` columns: {(row position, column): source}."""
    out = {}
    for name in numeric:
        column_sources = sources.get(str(name))
        if column_sources is None or name not in data.columns:
            continue
        for i, (value, source) in enumerate(zip(data[name], column_sources)):
            if source is not None and not is_missing(value) and (
                    not isinstance(value, str) or NUMBER.match(value.strip())):
                out[(i, str(name))] = source
    return out


# --------------------------------------------------------------------------
# Sources carried by a computed frame: a hidden column per traced column, so that sorting and filtering the
# frame keeps each row's source with it. A Table takes them out (informe.report.display.Table).
# --------------------------------------------------------------------------

CARRIED = "fuente: "  # prefix of a carried-source column
COUNT = "conteo de {filas} con «{por}» = «{clave}»"
SUM = "suma de {filas} con «{por}» = «{clave}»"
COUNT_KNOWN = "conteo de {filas} con «{por}» = «{clave}» y un valor escrito"


def attach(frame: pd.DataFrame, column: str, sources: Sequence[Source | None]) -> pd.DataFrame:
    """Carry ``sources`` (one per row of ``frame``) as the source of ``column`` (in place; returns ``frame``)."""
    frame[CARRIED + column] = list(sources)
    return frame


def carried(frame: pd.DataFrame, columns: Iterable[str] | None = None) -> list[str]:
    """The carried-source columns of ``frame`` (of ``columns`` only, when given)."""
    wanted = None if columns is None else {CARRIED + str(c) for c in columns}
    return [c for c in frame.columns
            if isinstance(c, str) and c.startswith(CARRIED) and (wanted is None or c in wanted)]


def split(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, list[Source | None]]]:
    """``frame`` without its carried sources, and those sources by column."""
    names = carried(frame)
    if not names:
        return frame, {}
    return frame.drop(columns=names), {name[len(CARRIED):]: list(frame[name]) for name in names}


def share_sources(frame: pd.DataFrame, column: str, how: str = "") -> list[Source | None]:
    """The share of each row in a column's total (``value ÷ total × 100``): the row's cell and the column's."""
    whole = cells(frame, column)
    how = how or f"calculado: «{column}» de la fila ÷ su suma en la hoja × 100"
    return [combine(how, [cell(frame, row, column), whole]) for row in frame.index]


# --------------------------------------------------------------------------
# Tables the analysts type in a chapter's text: their numbers come from the text file
# --------------------------------------------------------------------------

_DELIMITER_ROW = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$")
_AMOUNT = r"(?:(?:USD|COP|US\$|\$)\s*)?\d[\d.,\s\u00a0]*(?:\s*%)?"
# A cell that holds only a figure: a signed amount, count or percentage, or one between accounting parentheses.
# What the texts' tables mark as typed figures, and what the HTML book counts as numbers (source coverage).
NUMBER = re.compile(rf"^(?:[-−+]?\s*{_AMOUNT}|\(\s*{_AMOUNT}\s*\))$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")


def text_table_sources(markdown: str, file: str, first_table: int = 1) -> tuple[str, int]:
    """The numbers typed in the pipe tables of a chapter's text (``file``: «2022/textos/inversion.md»), each
    with its source: the text file, the table's number in the text, its row and column. Returns the Markdown
    and how many tables it holds."""
    lines = markdown.split("\n")
    out, table, i = [], first_table - 1, 0
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith("|") and i + 1 < len(lines) and _DELIMITER_ROW.match(lines[i + 1]):
            table += 1
            headers = [h.strip() for h in _CELL_SPLIT.split(line.strip().strip("|"))]
            out += [line, lines[i + 1]]
            i += 2
            row = 0
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                row += 1
                cells = _CELL_SPLIT.split(lines[i].strip()[1:-1] if lines[i].strip().endswith("|")
                                          else lines[i].strip()[1:])
                marked = []
                for j, content in enumerate(cells):
                    value = content.strip()
                    if value and NUMBER.match(value):
                        header = headers[j] if j < len(headers) else f"{j + 1}"
                        where = (f"{file}, tabla {table} del texto, fila {row}, columna «{header}»: cifra escrita en "
                                 "el texto del capítulo").replace('"', "'").replace("\\", "")
                        content = f' [{value}]{{.fuente data-fuente="{where}"}} '
                    marked.append(content)
                out.append("|" + "|".join(marked) + "|")
                i += 1
            continue
        out.append(line)
        i += 1
    return "\n".join(out), table - first_table + 1
