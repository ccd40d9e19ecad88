"""Objects the section notebooks display: tables and short texts.

A :class:`Table` keeps the raw data (for downloads and tests) and renders
itself as escaped HTML (HTML book) and as a Markdown pipe table (PDF engines
read Markdown, not HTML). Nothing from the data is ever inserted unescaped.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from ..fmt import exact_sum, format_value

Formatter = Callable[[object], str]
TABLE_MIME = "application/vnd.informe.table+json"
DOWNLOADS_DIR = "tablas"


def slugify(text: str) -> str:
    """ASCII file-name slug: «Proyectos por país de origen» → proyectos-por-pais-de-origen."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "tabla"


def _jsonable(value):
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def escape_markdown(text: object) -> str:
    """Text safe inside Markdown (and, through it, HTML): no markup from the data survives."""
    value = str(text).replace("\\", "\\\\")
    for char in "`*_{}[]#|$~^@":
        value = value.replace(char, "\\" + char)
    return html.escape(value, quote=False).replace("\n", " ")


def _default_format(value: object) -> str:
    return format_value(value)  # numpy counts included (the formatting layer, informe.fmt)


@dataclass
class Table:
    """A titled table with per-column formatters and right-aligned numeric columns."""

    data: pd.DataFrame
    title: str = ""
    formats: dict[str, Formatter] = field(default_factory=dict)
    note: str = ""
    bold_rows: tuple[int, ...] = ()
    align_right: tuple[str, ...] = ()  # pre-formatted text columns that hold numbers

    def formatted(self) -> pd.DataFrame:
        """Every cell as the text the reader sees."""
        out = pd.DataFrame(index=range(len(self.data)))
        for column in self.data.columns:
            fmt = self.formats.get(column, _default_format)
            out[column] = [fmt(v) if not (v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)))
                           else "" for v in self.data[column]]
        return out

    def numeric_columns(self) -> list[str]:
        return [c for c in self.data.columns
                if c in self.align_right or pd.api.types.is_numeric_dtype(self.data[c])]

    def to_frame(self) -> pd.DataFrame:
        """The raw data (for CSV/XLSX downloads and tests)."""
        return self.data.copy()

    @property
    def slug(self) -> str:
        return slugify(self.title)

    def records(self) -> dict:
        """The raw data as JSON (columns and rows), carried in the notebook for the downloads."""
        return {"title": self.title, "slug": self.slug, "columns": [str(c) for c in self.data.columns],
                "rows": [[_jsonable(v) for v in row] for row in self.data.itertuples(index=False)]}

    def _downloads_markdown(self) -> str:
        if not self.title:
            return ""
        base = f"{DOWNLOADS_DIR}/{self.slug}"
        return ('\n::: {.content-visible when-format="html"}\n'
                f"[Descargar CSV]({base}.csv) · [Descargar XLSX]({base}.xlsx)\n:::\n")

    def _repr_mimebundle_(self, include=None, exclude=None) -> dict:
        bundle = {"text/markdown": self._repr_markdown_(), "text/html": self._repr_html_(),
                  "text/plain": self.title or "tabla"}
        if self.title:
            bundle[TABLE_MIME] = self.records()
        return bundle

    def _repr_html_(self) -> str:
        cells = self.formatted()
        numeric = set(self.numeric_columns())
        head = "".join(f'<th class="{"num" if c in numeric else "txt"}">{html.escape(str(c))}</th>'
                       for c in cells.columns)
        rows = []
        for i, record in enumerate(cells.itertuples(index=False)):
            css = ' class="total"' if i in self.bold_rows else ""
            tds = "".join(f'<td class="{"num" if c in numeric else "txt"}">{html.escape(v)}</td>'
                          for c, v in zip(cells.columns, record))
            rows.append(f"<tr{css}>{tds}</tr>")
        caption = f"<caption>{html.escape(self.title)}</caption>" if self.title else ""
        note = f'<p class="table-note">{html.escape(self.note)}</p>' if self.note else ""
        downloads = ""
        if self.title:
            base = f"{DOWNLOADS_DIR}/{self.slug}"
            downloads = (f'<p class="descargas"><a href="{base}.csv">Descargar CSV</a> · '
                         f'<a href="{base}.xlsx">Descargar XLSX</a></p>')
        return (f'<table class="informe-table">{caption}<thead><tr>{head}</tr></thead>'
                f"<tbody>{''.join(rows)}</tbody></table>{note}{downloads}")

    def _repr_markdown_(self) -> str:
        cells = self.formatted()
        numeric = set(self.numeric_columns())
        header = "| " + " | ".join(escape_markdown(c) for c in cells.columns) + " |"
        # The number of dashes sets each column's relative width when pandoc wraps a wide table.
        widths = {c: column_weight(str(c), cells[c], c in numeric) for c in cells.columns}
        align = "|" + "|".join(("-" * (widths[c] - 1) + ":") if c in numeric else (":" + "-" * (widths[c] - 1))
                               for c in cells.columns) + "|"
        body = []
        for i, record in enumerate(cells.itertuples(index=False)):
            values = [escape_markdown(v) for v in record]
            if i in self.bold_rows:
                values = [_bold(v) for v in values]
            body.append("| " + " | ".join(values) + " |")
        parts = [header, align, *body]
        if self.title:
            parts += ["", f": {escape_markdown(self.title)}"]
        if self.note:
            parts += ["", f"*{escape_markdown(self.note)}*"]
        return "\n".join(parts) + "\n" + self._downloads_markdown()


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
    return Table(data, title, bold_rows=(len(data) - 1,), **options)


@dataclass
class Text:
    """A paragraph of report text (Markdown), built from escaped data."""

    markdown: str

    def _repr_markdown_(self) -> str:
        return self.markdown

    def _repr_html_(self) -> str:
        import re

        text = re.sub(r"\\(.)", r"\1", self.markdown)  # the data in it is already HTML-escaped
        text = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", text)
        paragraphs = [p.strip() for p in text.split("\n\n") if p.strip()]
        out = []
        for p in paragraphs:
            lines = p.splitlines()
            if all(line.startswith("- ") for line in lines):
                out.append("<ul>" + "".join(f"<li>{line[2:]}</li>" for line in lines) + "</ul>")
            else:
                out.append(f"<p>{' '.join(lines)}</p>")
        return "".join(out)


def bullet_list(items: list[str]) -> Text:
    """A Markdown bullet list; items must already be escaped Markdown."""
    return Text("\n".join(f"- {item}" for item in items) + "\n")
