"""Objects the section notebooks display: tables and short texts.

A :class:`Table` keeps the raw data and renders itself as one Markdown pipe table
(what both book engines read; the notebook stores nothing else, so a changed figure
shows up once in a diff). Its raw values, number formats, total rows and indent levels
go to a JSON sidecar (:meth:`Table.sidecar`) from which the build writes the CSV/XLSX
downloads. Nothing from the data is ever inserted unescaped.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..fmt import (
    UNKNOWN,
    exact_sum,
    format_cop,
    format_cop_millions,
    format_number,
    format_percent,
    format_usd_millions,
    format_value,
    is_missing,
    keep_units_together,
)
from . import trace
from .trace import Source, SourceColumns

Formatter = Callable[[object], str]
DOWNLOADS_DIR = "tablas"
SIDECAR_VERSION = 1
INDENT = "\u2003"  # em-space: one indent level in the printed table
UNKNOWN_NOTE = f"{UNKNOWN}: sin dato; el libro de datos no reporta el valor (no es cero)."


def slugify(text: str) -> str:
    """ASCII file-name slug: «Proyectos por país de origen» → proyectos-por-pais-de-origen."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "tabla"


def _most_common(specs: list) -> dict:
    """The most common format of a column's non-empty cells (``None``: empty; cells that differ say so), the first
    one on a tie; text for a column without values."""
    found = [s for s in specs if s is not None]
    if not found:
        return TEXT.spec()
    return max(found, key=lambda s: (found.count(s), -found.index(s)))


def _jsonable(value):
    if is_missing(value):
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def escape_markdown(text: object) -> str:
    """Text safe inside Markdown (and, through it, HTML): no markup from the data survives."""
    value = str(text).replace("\\", "\\\\")
    for char in "`*_{}[]#|$~^@":
        value = value.replace(char, "\\" + char)
    return keep_units_together(html.escape(value, quote=False).replace("\n", " "))


@dataclass(frozen=True)
class Format:
    """How a number reads in the report (es-CO) and what kind it is for the downloads.

    Kinds: ``cop`` (pesos, negatives in parentheses), ``cop_millions`` (pesos shown in millions:
    ``$4.618,83 millones``), ``number`` (``decimals`` digits),
    ``percent`` (the value is already in percent: 97.6 → ``97,6 %``), ``usd_millions``
    (``USD 155,67 millones``), ``plain`` (a year or code: digits only) and ``text``.
    """

    kind: str
    decimals: int = 0

    def __call__(self, value) -> str:
        if isinstance(value, str) or self.kind == "text":
            return str(value)
        if isinstance(value, bool):
            return "Sí" if value else "No"
        if self.kind == "cop":
            return format_cop(value)
        if self.kind == "cop_millions":
            return format_cop_millions(value, self.decimals)
        if self.kind == "percent":
            return format_percent(value, self.decimals)
        if self.kind == "usd_millions":
            return format_usd_millions(value, self.decimals)
        if self.kind == "plain":
            return str(int(value)) if float(value).is_integer() else str(value)
        return format_number(value, self.decimals)

    def spec(self) -> dict:
        return {"kind": self.kind, "decimals": self.decimals}


COP = Format("cop")
TEXT = Format("text")
PLAIN = Format("plain")


def number(decimals: int = 0) -> Format:
    return Format("number", decimals)


def percent(decimals: int = 1) -> Format:
    return Format("percent", decimals)


def usd_millions(decimals: int = 2) -> Format:
    return Format("usd_millions", decimals)


def cop_millions(decimals: int = 2) -> Format:
    return Format("cop_millions", decimals)


# Plain formatting functions used as column formats map to their kind.
KNOWN_FORMATTERS: dict = {format_cop: COP, str: PLAIN}


def default_format(value) -> Format:
    """Integers without decimals, other numbers with two, text as is (what the report always did)."""
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()  # numpy scalars
    if is_missing(value) or isinstance(value, bool) or not isinstance(value, (int, float)) \
            or hasattr(value, "isoformat"):
        return TEXT
    return number(0) if float(value).is_integer() else number(2)


def _default_format(value: object) -> str:
    return format_value(value)  # numpy counts included (the formatting layer, informe.fmt)


@dataclass
class Table:
    """A titled table with per-column formats and right-aligned numeric columns.

    ``formats`` maps a column to a :class:`Format` (or any callable giving the text), or to a
    list with one per row (when a column mixes units). ``total_rows`` are the summary rows
    (bold, and apart from the data in the XLSX); ``bold_rows`` are subtotals shown bold in
    place; ``indent`` gives each row's indent level (first column).

    ``unknown``: the columns (or ``True``: every column) where a missing value means «not reported»: it
    prints «s. d.» and a note under the table explains it (elsewhere a missing value prints empty).
    ``headings``: heading rows printed before the row of each key (the printed table only: the
    downloads keep one row per data row). ``empty``: what the rows are, in plural («proyectos de
    inversión»): a chapter prints «En <año> no se registraron proyectos de inversión.» instead of
    a table without rows. ``hidden``: columns left out of the printed table, kept in the downloads.
    """

    data: pd.DataFrame
    title: str = ""
    formats: Mapping[str, Formatter | Sequence[Formatter]] = field(default_factory=dict)
    note: str = ""
    bold_rows: tuple[int, ...] = ()
    align_right: tuple[str, ...] = ()  # text columns that hold numbers
    total_rows: tuple[int, ...] = ()
    indent: Sequence[int] = ()
    unknown: tuple[str, ...] | bool = ()
    headings: dict[int, str] = field(default_factory=dict)
    empty: str = ""
    hidden: tuple[str, ...] = ()  # columns only in the downloads (e.g. a period the headings already say)
    sources: SourceColumns = field(default_factory=dict)
    _whole_columns: dict = field(default_factory=dict, init=False, repr=False, compare=False)
    _cell_sources: dict | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.data, carried = trace.split(self.data)
        self.sources = {**carried, **self.sources}
        if trace.origin(self.data) is not None:  # a sheet's rows as read: each cell is its own source
            self.sources = {**trace.frame_sources(self.data), **self.sources}
            self.data = self.data.reset_index(drop=True)
        for name, column_sources in self.sources.items():
            if len(column_sources) != len(self.data):
                raise ValueError(f"la tabla «{self.title}»: {len(column_sources)} fuentes para la columna «{name}» "
                                 f"de {len(self.data)} filas")

    def cell_sources(self) -> dict[tuple[int, str], Source]:
        """The source of every number the table prints: {(row, column): source} (made once: the Markdown and the
        sidecar both ask)."""
        if self._cell_sources is None:
            self._cell_sources = trace.table_cells(self.data, self.sources, [*self.numeric_columns(), *self.sources])
        return self._cell_sources

    def _formatter(self, column, row: int):
        fmt = self.formats.get(column)
        if isinstance(fmt, (list, tuple)):
            fmt = fmt[row]
        elif isinstance(fmt, Format) and fmt.kind == "number" and fmt.decimals and self._whole(column):
            fmt = Format("number", 0)  # counts: no «10,00» when every value of the column is whole
        return fmt

    def _whole(self, column) -> bool:
        """Whether every value of ``column`` is a whole number (a count)."""
        if column not in self._whole_columns:
            values = [v.item() if hasattr(v, "item") else v for v in self.data[column] if not is_missing(v)]
            self._whole_columns[column] = bool(values) and all(
                isinstance(v, (int, float)) and not isinstance(v, bool) and float(v).is_integer() for v in values)
        return self._whole_columns[column]

    def _unknown(self, column) -> bool:
        return self.unknown is True or (not isinstance(self.unknown, bool) and column in self.unknown)

    def cell_format(self, column, row: int) -> Format:
        """The download format of one cell."""
        return self._cell_format(column, row, self.data[column].iloc[row])

    def _cell_format(self, column, row: int, value) -> Format:
        """:meth:`cell_format` of the cell at ``row`` that holds ``value`` (not looked up again in the frame)."""
        fmt = self._formatter(column, row)
        if isinstance(fmt, Format):
            return fmt
        if fmt in KNOWN_FORMATTERS:
            return KNOWN_FORMATTERS[fmt]
        return default_format(value)

    def _cell_specs(self) -> dict:
        """Every non-empty cell's format spec, by column (None for an empty cell): computed once per sidecar (it was
        looked up three times per cell, through pandas' indexing: 0,2 s of the annex's section)."""
        return {c: [None if is_missing(v) else self._cell_format(c, i, v).spec()
                    for i, v in enumerate(self.data[c].tolist())]
                for c in self.data.columns}

    def formatted(self) -> pd.DataFrame:
        """Every cell as the text the reader sees."""
        out = pd.DataFrame(index=range(len(self.data)))
        for column in self.data.columns:
            values = []
            unknown = self._unknown(column)
            for row, value in enumerate(self.data[column]):
                fmt = self._formatter(column, row) or _default_format
                values.append((UNKNOWN if unknown else "") if is_missing(value) else fmt(value))
            out[column] = values
        return out

    def prints_unknown(self) -> bool:
        """Whether a cell prints «s. d.» (then the table explains it in a note)."""
        return any(self._unknown(c) and self.data[c].map(is_missing).any() for c in self.data.columns)

    def numeric_columns(self) -> list[str]:
        numeric = []
        for c in self.data.columns:
            fmt = self.formats.get(c)
            kinds = [f.kind for f in (fmt if isinstance(fmt, (list, tuple)) else [fmt]) if isinstance(f, Format)]
            if c in self.align_right or pd.api.types.is_numeric_dtype(self.data[c]) or (
                    kinds and all(k not in ("text",) for k in kinds)
                    and self.data[c].map(lambda v: is_missing(v) or isinstance(v, (int, float))).all()):
                numeric.append(c)
        return numeric

    def to_frame(self) -> pd.DataFrame:
        """The raw data (for tests)."""
        return self.data.copy()

    @property
    def slug(self) -> str:
        return slugify(self.title)

    def _levels(self) -> list[int]:
        levels = list(self.indent) or [0] * len(self.data)
        if len(levels) != len(self.data):
            raise ValueError(f"la tabla «{self.title}» tiene {len(self.data)} filas y {len(levels)} niveles de sangría")
        return [int(level) for level in levels]

    def row_role(self, row: int) -> str:
        if row in self.total_rows:
            return "total"
        return "subtotal" if row in self.bold_rows else "data"

    def sidecar(self, **context) -> dict:
        """Raw values, formats, row roles and indent levels: what the downloads are written from.

        ``context`` adds the report's metadata (year, source note, demo flag).
        """
        columns = [str(c) for c in self.data.columns]
        specs = self._cell_specs()
        column_formats = [_most_common(specs[c]) for c in self.data.columns]
        sources = self.cell_sources()
        rows = []
        for i, (record, level) in enumerate(zip(self.data.itertuples(index=False), self._levels())):
            row = {"values": [_jsonable(v) for v in record], "role": self.row_role(i), "indent": level}
            overrides = {str(j): spec for j, c in enumerate(self.data.columns)
                         if (spec := specs[c][i]) is not None and spec != column_formats[j]}
            if overrides:
                row["formats"] = overrides
            found = {str(j): sources[(i, str(c))].as_dict() for j, c in enumerate(self.data.columns)
                     if (i, str(c)) in sources}
            if found:
                row["sources"] = found
            rows.append(row)
        return {"version": SIDECAR_VERSION, "title": self.title, "slug": self.slug, "note": self.note, **context,
                "columns": [{"name": n, **f} for n, f in zip(columns, column_formats)], "rows": rows}


    def save_sidecar(self, folder: Path | str, **context) -> Path:
        """Write ``<folder>/tablas/<slug>.json`` (the build reads it for the downloads)."""
        path = Path(folder) / DOWNLOADS_DIR / f"{self.slug}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.sidecar(**context), ensure_ascii=False, indent=1), encoding="utf-8")
        return path

    def _downloads_markdown(self) -> str:
        if not self.title:
            return ""
        base = f"{DOWNLOADS_DIR}/{self.slug}"
        return ('\n::: {.content-visible when-format="html"}\n'
                f"[Descargar: [XLSX]({base}.xlsx) · [CSV para Excel]({base}-excel.csv) · "
                f"[CSV datos abiertos]({base}.csv)]{{.descargas}}\n:::\n")

    def _ipython_display_(self) -> None:
        """The notebook keeps one form of the table: its Markdown (no HTML, JSON or plain-text copies)."""
        from IPython.display import display

        display({"text/markdown": self._repr_markdown_()}, raw=True)

    def _repr_markdown_(self) -> str:
        cells = self.formatted().drop(columns=[c for c in self.hidden if c in self.data.columns])
        levels = self._levels()
        numeric = set(self.numeric_columns())
        bold = set(self.bold_rows) | set(self.total_rows)
        header = "| " + " | ".join(escape_markdown(c) for c in cells.columns) + " |"
        # The number of dashes sets each column's relative width when pandoc wraps a wide table.
        ems = column_ems(cells, numeric, bold, levels, self.headings)
        widths = {c: max(3, round(ems[c] * 3)) for c in cells.columns}
        first_em = (ems[cells.columns[0]] / sum(ems.values()) * TEXT_WIDTH_EM) if len(cells.columns) else 0
        hang = wraps(cells) and len(cells.columns) > 1
        align = "|" + "|".join(("-" * (widths[c] - 1) + ":") if c in numeric else (":" + "-" * (widths[c] - 1))
                               for c in cells.columns) + "|"
        body = []
        blank = [""] * max(len(cells.columns) - 1, 0)
        sources = self.cell_sources()
        for i, record in enumerate(cells.itertuples(index=False)):
            if i in self.headings and len(cells.columns):
                body.append("| " + " | ".join([_bold(escape_markdown(self.headings[i])), *blank]) + " |")
            values = [_with_source(escape_markdown(v), sources.get((i, str(c))))
                      for v, c in zip(record, cells.columns)]
            lines = hanging_lines(values[0], levels[i], first_em, i in bold) if hang and levels[i] else []
            if i in bold:
                values = [_bold(v) for v in values]
                lines = [_bold(line) for line in lines]
            if len(values) and levels[i]:
                indent = INDENT * levels[i]
                values[0] = indent + (LINE_BREAK + indent).join(lines) if len(lines) > 1 else indent + values[0]
            body.append("| " + " | ".join(values) + " |")
        parts = [header, align, *body]
        if self.title:
            parts += ["", f": {escape_markdown(self.title)} {{#tbl-{self.slug}}}"]
        notes = [self.note] if self.note else []
        if self.prints_unknown():
            notes.append(UNKNOWN_NOTE)
        for note in notes:
            parts += ["", f"*{escape_markdown(note)}*"]
        return "\n".join(parts) + "\n" + self._downloads_markdown()


class HtmlOnlyTable(Table):
    """A table shown in the HTML book only (the PDF says where to find it); downloadable like every table."""

    def _repr_markdown_(self) -> str:
        return f'::::: {{.content-visible when-format="html"}}\n{super()._repr_markdown_()}\n:::::\n'


# Advance widths (hundredths of an em) of the characters U+0020–U+007E in DejaVu Sans, the font of the PDF's
# tables, regular and bold: a column's width is estimated from the text it prints.
_REGULAR = (32, 40, 46, 84, 64, 95, 78, 27, 39, 39, 50, 84, 32, 36, 32, 34, 64, 64, 64, 64, 64, 64, 64, 64, 64, 64,
            34, 34, 84, 84, 84, 53, 100, 68, 69, 70, 77, 63, 58, 77, 75, 29, 29, 66, 56, 86, 75, 79, 60, 79, 69, 63,
            61, 73, 68, 99, 69, 61, 69, 39, 34, 39, 84, 50, 50, 61, 63, 55, 63, 62, 35, 63, 63, 28, 28, 58, 28, 97,
            63, 61, 63, 63, 41, 52, 39, 63, 59, 82, 59, 59, 52, 64, 34, 64, 84)
_BOLD = (35, 46, 52, 84, 70, 100, 87, 31, 46, 46, 52, 84, 38, 42, 38, 37, 70, 70, 70, 70, 70, 70, 70, 70, 70, 70, 40,
         40, 84, 84, 84, 58, 100, 77, 76, 73, 83, 68, 68, 82, 84, 37, 37, 77, 64, 100, 84, 85, 73, 85, 77, 72, 68, 81,
         77, 110, 77, 72, 73, 46, 37, 46, 84, 50, 50, 67, 72, 59, 72, 68, 44, 72, 71, 34, 34, 67, 34, 104, 71, 69, 72,
         72, 49, 60, 48, 71, 65, 92, 65, 65, 58, 71, 37, 71, 84)
_WIDE = {"\u2003": 100, "\u2212": 84, "\u00a0": 32, "%": 95}
TEXT_WIDTH_EM = 65.7  # the PDF's text width (17,4 cm) in ems of the tables' 7,5 pt type
TABLE_WIDTH_EM = 64.0  # what the columns are given: a little to spare
CELL_PADDING_EM = 1.3  # 4 pt each side of a cell, and rounding
LABEL_SHARE = 0.45  # a text column asks for at most this share of the width for one line


def text_width(text: str, bold: bool = False) -> float:
    """Estimated width of ``text`` in ems (accented letters as their base letter, other characters as «n»)."""
    table = _BOLD if bold else _REGULAR
    total = 0.0
    for char in text:
        if char in _WIDE:
            total += _WIDE[char] * (1.08 if bold else 1)
            continue
        base = unicodedata.normalize("NFKD", char)[:1] or char
        code = ord(base)
        total += table[code - 32] if 32 <= code < 127 else table[ord("n") - 32]
    return total / 100


def _words(text: str) -> list[str]:
    return text.replace("\u00a0", "\x00").split() or [""]


def column_widths(cells: pd.DataFrame, numeric: set, bold: Set[int] = frozenset(), levels: Sequence[int] = (),
                  headings: dict | None = None) -> dict:
    """The dashes of each column of the separator line (see :func:`column_ems`)."""
    widths = column_ems(cells, numeric, bold, levels, headings)
    return {c: max(3, round(widths[c] * 3)) for c in cells.columns}


def column_ems(cells: pd.DataFrame, numeric: set, bold: Set[int] = frozenset(), levels: Sequence[int] = (),
               headings: dict | None = None) -> dict:
    """The width of each column in ems: its share of the width when pandoc wraps the table.

    A numeric column gets its longest printed value (bold where the row is bold), so numbers never wrap;
    every column gets at least its longest word (headers are bold and wrap between words); the rest of
    the width goes to the text (label) columns, in proportion to what each needs to print its cells on
    one line, up to that: an account name keeps its line (and its indent) whenever the width allows.
    """
    levels = list(levels) or [0] * len(cells)
    headings = headings or {}
    fixed, least, most = {}, {}, {}
    for j, column in enumerate(cells.columns):
        header = max(text_width(w.replace("\x00", " "), True) for w in _words(str(column)))
        shown = [(str(v), i in bold, (levels[i] if j == 0 else 0)) for i, v in enumerate(cells[column])]
        if j == 0:
            shown += [(str(h), True, 0) for h in headings.values()]
        full = [text_width(v, b) + indent for v, b, indent in shown] or [0.0]
        if column in numeric:
            fixed[column] = max(header, *full) + CELL_PADDING_EM
            continue
        word = [max(text_width(w.replace("\x00", " "), b) for w in _words(v)) + indent for v, b, indent in shown]
        least[column] = max(header, *(word or [0.0])) + CELL_PADDING_EM
        most[column] = max(least[column], min(max(full) + CELL_PADDING_EM, LABEL_SHARE * TABLE_WIDTH_EM))
    room = TABLE_WIDTH_EM - sum(fixed.values())
    widths = dict(fixed)
    if most and sum(most.values()) <= room:  # every label on one line: the spare width goes to the labels
        spare = room - sum(most.values())
        widths.update({c: w + spare * w / sum(most.values()) for c, w in most.items()})
    elif most and sum(least.values()) < room:  # labels wrap: each gets its longest word and a share of the rest
        spare, wanted = room - sum(least.values()), sum(most[c] - least[c] for c in most) or 1.0
        widths.update({c: least[c] + spare * (most[c] - least[c]) / wanted for c in most})
    else:
        widths.update(least)
    return widths


# A line break in a table cell, for both book engines (a pipe-table cell is one line of Markdown).
LINE_BREAK = "`<br>`{=html}`#linebreak()`{=typst}"
PANDOC_COLUMNS = 72  # pandoc's line width: a wider pipe table gets the relative widths of its dashes


def wraps(cells: pd.DataFrame) -> bool:
    """Whether pandoc gives this table relative column widths (a row wider than its line width)."""
    rows = [list(map(str, cells.columns)), *(list(map(str, r)) for r in cells.itertuples(index=False))]
    return any(sum(len(v) for v in row) + len(row) + 1 > PANDOC_COLUMNS for row in rows)


def hanging_lines(text: str, level: int, width_em: float, bold: bool = False) -> list[str]:
    """``text`` (indented ``level`` em-spaces) cut into the lines its column prints, so that each line keeps
    the indent: a wrapped account name never looks like a line of a higher level."""
    room = (width_em - CELL_PADDING_EM) * 0.93 - level  # a little short of the edge: the engine never wraps it
    lines: list[str] = []
    for word in text.split(" "):
        if lines and text_width(lines[-1] + " " + word, bold) <= room:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def column_weight(header: str, cells: pd.Series, numeric: bool = False) -> int:
    """Dashes of one column on its own (see :func:`column_widths`, which shares the width between columns)."""
    frame = pd.DataFrame({header: list(cells)})
    return column_widths(frame, {header} if numeric else set())[header]


SOURCE_CLASS = "fuente"  # the span of a number with a source (the HTML book makes it focusable, html_book)


_SOURCE_SPAN = re.compile(r'\[([^\]]*)\]\{\.' + SOURCE_CLASS + r' data-fuente="[^"]*"\}')


def strip_sources(markdown: str) -> str:
    """Markdown with each number's source span reduced to the number (what a reader of the PDF sees)."""
    return _SOURCE_SPAN.sub(r"\1", markdown)


def _with_source(markdown: str, source: Source | None) -> str:
    """A printed number with its source as a Pandoc span (``[1.234]{.fuente data-fuente="…"}``): the HTML
    book shows it on hover and focus, the PDF prints the number alone."""
    if source is None or not markdown:
        return markdown
    text = source.describe().replace("\\", "/").replace('"', "'")
    return f'[{markdown}]{{.{SOURCE_CLASS} data-fuente="{text}"}}'


def _bold(value: str) -> str:
    """Bold Markdown text, keeping leading indentation outside the markers (``** x**`` is not bold)."""
    stripped = value.lstrip()
    return value[: len(value) - len(stripped)] + f"**{stripped}**" if stripped else value


def _total(column: pd.Series):
    """The sum of a column; unknown (missing) when the column has values but none is reported."""
    if pd.api.types.is_float_dtype(column):
        return exact_sum(column)
    if len(column) and column.isna().all():
        return pd.NA
    return column.sum()


def table_with_total(data: pd.DataFrame, label: str, title: str, fixed: dict | None = None, **options) -> Table:
    """A table with a bold «Total» row: the sum of every other column, except those given in ``fixed``
    (e.g. a share column whose total is 100 by definition). A table without rows gets no total: the chapter
    says instead that the year has none."""
    if data.empty:
        return Table(trace.split(data)[0], title, **options)
    data, carried = trace.split(data)
    sources: dict = {**trace.frame_sources(data), **carried, **options.pop("sources", {})}
    data = data.reset_index(drop=True)
    totals = {c: _total(data[c]) for c in data.columns if c != label}
    total = pd.DataFrame([{label: "Total", **totals, **(fixed or {})}])
    sources = {c: [*s, trace.sum_sources(s, "total de la columna: 100 % por definición" if c in (fixed or {}) else "")]
               for c, s in sources.items()}
    data = pd.concat([data, total], ignore_index=True)
    return Table(data, title, total_rows=(len(data) - 1,), sources=sources, **options)


@dataclass
class Text:
    """A paragraph of report text (Markdown), built from escaped data."""

    markdown: str

    def _repr_markdown_(self) -> str:
        return self.markdown

    def _ipython_display_(self) -> None:
        """Stored once, as Markdown (what both book engines read)."""
        from IPython.display import display

        display({"text/markdown": self.markdown}, raw=True)


def bullet_list(items: list[str]) -> Text:
    """A Markdown bullet list; items must already be escaped Markdown."""
    return Text("\n".join(f"- {item}" for item in items) + "\n")
