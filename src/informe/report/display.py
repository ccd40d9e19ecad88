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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import pandas as pd

from ..fmt import (exact_sum, format_cop, format_cop_millions, format_number, format_percent, format_usd_millions,
                   format_value, is_missing)

Formatter = Callable[[object], str]
DOWNLOADS_DIR = "tablas"
SIDECAR_VERSION = 1
INDENT = "\u2003"  # em-space: one indent level in the printed table


def slugify(text: str) -> str:
    """ASCII file-name slug: «Proyectos por país de origen» → proyectos-por-pais-de-origen."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "tabla"


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
    return html.escape(value, quote=False).replace("\n", " ")


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
    """

    data: pd.DataFrame
    title: str = ""
    formats: dict[str, Formatter | Sequence[Formatter]] = field(default_factory=dict)
    note: str = ""
    bold_rows: tuple[int, ...] = ()
    align_right: tuple[str, ...] = ()  # text columns that hold numbers
    total_rows: tuple[int, ...] = ()
    indent: Sequence[int] = ()

    def _formatter(self, column, row: int):
        fmt = self.formats.get(column)
        if isinstance(fmt, (list, tuple)):
            fmt = fmt[row]
        return fmt

    def cell_format(self, column, row: int) -> Format:
        """The download format of one cell."""
        fmt = self._formatter(column, row)
        if isinstance(fmt, Format):
            return fmt
        if fmt in KNOWN_FORMATTERS:
            return KNOWN_FORMATTERS[fmt]
        return default_format(self.data[column].iloc[row])

    def formatted(self) -> pd.DataFrame:
        """Every cell as the text the reader sees."""
        out = pd.DataFrame(index=range(len(self.data)))
        for column in self.data.columns:
            values = []
            for row, value in enumerate(self.data[column]):
                fmt = self._formatter(column, row) or _default_format
                values.append("" if is_missing(value) else fmt(value))
            out[column] = values
        return out

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
        column_formats = [self._column_format(c) for c in self.data.columns]
        rows = []
        for i, (record, level) in enumerate(zip(self.data.itertuples(index=False), self._levels())):
            row = {"values": [_jsonable(v) for v in record], "role": self.row_role(i), "indent": level}
            overrides = {str(j): self.cell_format(c, i).spec() for j, (c, v) in enumerate(zip(self.data.columns, record))
                         if not is_missing(v) and self.cell_format(c, i).spec() != column_formats[j]}
            if overrides:
                row["formats"] = overrides
            rows.append(row)
        return {"version": SIDECAR_VERSION, "title": self.title, "slug": self.slug, "note": self.note, **context,
                "columns": [{"name": n, **f} for n, f in zip(columns, column_formats)], "rows": rows}

    def _column_format(self, column) -> dict:
        """The most common format of a column's non-empty cells (cells that differ say so)."""
        specs = [self.cell_format(column, i).spec() for i, v in enumerate(self.data[column]) if not is_missing(v)]
        if not specs:
            return TEXT.spec()
        return max(specs, key=lambda s: (specs.count(s), -specs.index(s)))

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
        cells = self.formatted()
        levels = self._levels()
        first = cells.columns[0] if len(cells.columns) else None
        numeric = set(self.numeric_columns())
        header = "| " + " | ".join(escape_markdown(c) for c in cells.columns) + " |"
        # The number of dashes sets each column's relative width when pandoc wraps a wide table.
        widths = {c: column_weight(str(c), cells[c], c in numeric) for c in cells.columns}
        align = "|" + "|".join(("-" * (widths[c] - 1) + ":") if c in numeric else (":" + "-" * (widths[c] - 1))
                               for c in cells.columns) + "|"
        body = []
        for i, record in enumerate(cells.itertuples(index=False)):
            values = [escape_markdown(v) for v in record]
            if i in self.bold_rows or i in self.total_rows:
                values = [_bold(v) for v in values]
            if first is not None and levels[i]:
                values[0] = INDENT * levels[i] + values[0]
            body.append("| " + " | ".join(values) + " |")
        parts = [header, align, *body]
        if self.title:
            parts += ["", f": {escape_markdown(self.title)} {{#tbl-{self.slug}}}"]
        if self.note:
            parts += ["", f"*{escape_markdown(self.note)}*"]
        return "\n".join(parts) + "\n" + self._downloads_markdown()


class HtmlOnlyTable(Table):
    """A table shown in the HTML book only (the PDF says where to find it); downloadable like every table."""

    def _repr_markdown_(self) -> str:
        return f'::::: {{.content-visible when-format="html"}}\n{super()._repr_markdown_()}\n:::::\n'


def column_weight(header: str, cells: pd.Series, numeric: bool = False) -> int:
    """Relative width of a column for wrapped tables.

    Numbers never wrap, so a numeric column gets its longest value (plus room for padding);
    a text column gets its longest word or a share of its typical length, at most 28.
    """
    header_word = max([int(len(w) * 1.25) + 2 for w in header.split()] + [4])  # headers are bold
    if numeric:
        return max(header_word + 1, max([len(str(v)) + 3 for v in cells] + [4]))
    longest_word = max([len(w) for v in cells for w in str(v).split()] + [header_word])
    typical = int(cells.map(lambda v: len(str(v))).quantile(0.9)) if len(cells) else 0
    return max(6, min(28, max(longest_word, typical // 2 if typical > 28 else typical)))


def _bold(value: str) -> str:
    """Bold Markdown text, keeping leading indentation outside the markers (``** x**`` is not bold)."""
    stripped = value.lstrip()
    return value[: len(value) - len(stripped)] + f"**{stripped}**" if stripped else value


def table_with_total(data: pd.DataFrame, label: str, title: str, fixed: dict | None = None, **options) -> Table:
    """A table with a bold «Total» row: the sum of every other column, except those given in ``fixed``
    (e.g. a share column whose total is 100 by definition)."""
    totals = {c: exact_sum(data[c]) if pd.api.types.is_float_dtype(data[c]) else data[c].sum()
              for c in data.columns if c != label}
    total = pd.DataFrame([{label: "Total", **totals, **(fixed or {})}])
    data = pd.concat([data, total], ignore_index=True)
    return Table(data, title, total_rows=(len(data) - 1,), **options)


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
