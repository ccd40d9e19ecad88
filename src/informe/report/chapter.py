"""A chapter of the book: the analysts' text with the notebook's tables and charts where the text puts them.

A section notebook declares its blocks (tables, charts, generated sentences) in order, grouped under
default headings, then shows the chapter::

    capitulo = Capitulo(report, chapter)
    capitulo.section("Proyectos de inversión", intro="Las tablas siguientes…")
    capitulo.add("proyectos-por-sector", investment.summary_table(report, "Sector", "Proyectos por sector"))
    capitulo.show()

What :meth:`Capitulo.show` prints: the chapter's title (declared in ``params/<year>.yml``), the demo
banner, then the year's text (``data/<year>/textos/<slug>``) with each ``{{tabla <slug>.<bloque>}}``
replaced by that block and each ``{{cifra}}`` by the figure as the tables print it; the blocks the
text does not place follow it, under their default headings. A chapter without text prints its blocks
with their headings and introductions. A block marked ``fallback`` (a generated sentence that stands in
for the analysts' prose) is printed only when the chapter has no text.

A table without rows is never printed as a header alone: the chapter says instead, once, «En 2024 no se
registraron proyectos de inversión.» (the table's noun phrase, :attr:`Table.empty`, and the report's
year); a chart without data is left out, and a block left with nothing to show is not introduced.

:func:`prose_findings` compares each number typed by hand in a text with the chapter's figures: a
number that reads like one of them (same unit, or the same noun: «24 empresas») but differs is
reported (data-quality annex and ``informe validate``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from IPython.display import display

from ..data.numbers import read_digits
from ..data.problems import WARNING, Problem
from ..data.texts import CITATION, MARKER, ChapterText
from ..fmt import keep_units_together
from . import trace
from .display import Table, Text, escape_markdown
from .figures import Figure, FigureCatalog, FigureError, stem, unknown_message
from .report import YearReport


class ChapterError(RuntimeError):
    """A text that the chapter cannot print (an unknown block or figure); names file and paragraph."""


@dataclass
class Block:
    name: str
    items: tuple
    intro: str = ""
    fallback: bool = False
    section: int = -1


@dataclass
class _Section:
    heading: str
    intro: str = ""
    level: int = 2


@dataclass
class Capitulo:
    """One chapter being assembled in a notebook (see the module's docstring)."""

    report: YearReport
    slug: str
    blocks: list[Block] = field(default_factory=list)
    sections: list[_Section] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.declaration = self.report.params.chapter(self.slug)
        self.text: ChapterText | None = self.report.text(self.slug)
        self._catalog = FigureCatalog(self.report)

    def section(self, heading: str, intro: str = "", level: int = 2) -> None:
        """A default heading for the blocks added after it (printed only when one of them is left to print)."""
        self.sections.append(_Section(heading, intro, level))

    def add(self, name: str, *items: Any, intro: str = "", fallback: bool = False) -> None:
        """A block: ``items`` (tables, charts, texts; ``None`` skipped) shown together, introduced by ``intro``
        when the text does not place it."""
        if any(b.name == name for b in self.blocks):
            raise ValueError(f"el bloque «{name}» ya existe en el capítulo «{self.slug}»")
        self.blocks.append(Block(name, tuple(i for i in items if i is not None), intro, fallback,
                                 len(self.sections) - 1))

    @property
    def block_names(self) -> list[str]:
        return [f"{self.slug}.{b.name}" for b in self.blocks]

    def _block(self, name: str, paragraph: int) -> Block:
        short = name.removeprefix(f"{self.slug}.")
        for block in self.blocks:
            if block.name == short and name.startswith(f"{self.slug}."):
                return block
        available = ", ".join(self.block_names) or "ninguno"
        raise ChapterError(f"{self.text.file if self.text else self.slug}, párrafo {paragraph}: el capítulo no tiene "
                           f"la tabla o el gráfico «{name}»; los disponibles son: {available}")

    # Citations ---------------------------------------------------------------------------------------------
    def resolve(self, markdown: str, paragraph: int | None = None) -> str:
        """``markdown`` with every ``{{cifra}}`` replaced by the figure as printed."""
        def value(match: re.Match) -> str:
            try:
                return escape_markdown(self._catalog.get(match.group(1)).text)
            except FigureError as exc:
                where = f"{self.text.file}, " if self.text else ""
                found = self._paragraph_of(match.group(0), paragraph)
                raise ChapterError(f"{where}{'párrafo ' + str(found) + ': ' if found else ''}{exc}") from None
        return CITATION.sub(value, markdown)

    def _paragraph_of(self, citation: str, start: int | None) -> int | None:
        """The paragraph (from ``start`` on) whose text holds ``citation``: prose parts join several paragraphs."""
        if self.text is None or start is None:
            return start
        cited = CITATION.match(citation)
        assert cited is not None, "``citation`` is a match of CITATION (see resolve)"
        name = cited.group(1)
        for number, plain in self.text.paragraphs:
            if number >= start and any(m.group(1) == name for m in CITATION.finditer(plain)):
                return number
        return start

    # Showing -----------------------------------------------------------------------------------------------
    def parts(self) -> list:
        """Everything the chapter prints, in order, as display objects (what :meth:`show` displays)."""
        out: list = [Text(f"# {escape_markdown(self.declaration.title)}" +
                          ("" if self.declaration.numbered else " {.unnumbered}"))]
        if self.report.params.demo:
            from .notebook import DEMO_BANNER

            out.append(Text(DEMO_BANNER))
        placed: set[str] = set()
        said: set[str] = set()  # the sentences that stand for empty tables, each said once
        if self.text is not None:
            tables = 1  # the next table of the text (its numbers say which table of the text they are in)
            for part in self.text.parts:
                if part.kind == "markdown":
                    markdown, count = trace.text_table_sources(part.markdown, f"{self.report.year}/{self.text.file}",
                                                               tables)
                    tables += count
                    # «265,3 %», «USD 155,67»: a number never breaks from its unit, in the analysts' text too
                    out.append(Text(keep_units_together(self.resolve(markdown, part.paragraph))))
                elif part.kind == "image":
                    out.append(TextImage(part.mime, part.data, part.alt, part.caption, self.slug, part.paragraph))
                else:
                    block = self._block(part.name, part.paragraph)
                    if block.name in placed:
                        raise ChapterError(f"{self.text.file}, párrafo {part.paragraph}: «{part.name}» ya se "
                                           "mostró antes en este capítulo; cada tabla va una sola vez")
                    placed.add(block.name)
                    items, shown = self._printable(block, said)
                    if block.intro and shown and not _ends_with_prose(out[-1]):
                        out.append(Text(block.intro))  # a marker right under a heading: its own introduction
                    out += items
        out += self._rest(placed, said)
        return out

    def empty_sentence(self, table: Table) -> str:
        """What the chapter says instead of a table without rows: «En 2024 no se registraron proyectos de
        inversión.» (the table's noun phrase and the report's year)."""
        what = table.empty or (f"datos para «{table.title}»" if table.title else "datos")
        return f"En {self.report.year} no se registraron {escape_markdown(what)}."

    def _printable(self, block: Block, said: set[str]) -> tuple[list, bool]:
        """A block's items as printed (empty tables as one sentence each, said once per chapter; empty charts
        left out) and whether anything but those sentences remains (then the block's introduction applies)."""
        from .charts import chart_text

        items, shown = [], False
        for item in block.items:
            if isinstance(item, Table) and item.data.empty:
                sentence = self.empty_sentence(item)
                if sentence not in said:
                    said.add(sentence)
                    items.append(Text(sentence))
                continue
            text = chart_text(item) if hasattr(item, "savefig") else None
            if text is not None and text.data.data.empty:
                continue
            items.append(item)
            shown = True
        return items, shown

    def _rest(self, placed: set[str], said: set[str] | None = None) -> list:
        """The blocks the text did not place, under their default headings (each heading once)."""
        out: list = []
        said = set() if said is None else said
        shown_sections: set[int] = set()
        for block in self.blocks:
            if block.name in placed or (block.fallback and self.text is not None) or not block.items:
                continue
            items, shown = self._printable(block, said)
            if not items:
                continue
            if block.section >= 0 and block.section not in shown_sections:
                shown_sections.add(block.section)
                section = self.sections[block.section]
                out.append(Text("#" * section.level + " " + escape_markdown(section.heading)))
                if section.intro:
                    out.append(Text(section.intro))
            if block.intro and shown:
                out.append(Text(block.intro))
            out += items
        return out

    def show(self) -> None:
        from .notebook import show

        show(*self.parts())


def _ends_with_prose(item) -> bool:
    """Whether ``item`` (what precedes a placed block) ends with a paragraph that can introduce it."""
    if not isinstance(item, Text):
        return False
    lines = [line for line in item.markdown.strip().splitlines() if line.strip()]
    return bool(lines) and not lines[-1].lstrip().startswith(("#", "|", ":", "{{", "- ", "* "))


class TextImage:
    """An image of a chapter text, shown as a numbered figure with its alternative text."""

    def __init__(self, mime: str, data: str, alt: str, caption: str, slug: str, paragraph: int):
        self.mime, self.data, self.alt, self.caption = mime, data, alt, caption
        self.label = f"fig-{slug}-texto-{paragraph}"

    def _ipython_display_(self) -> None:
        caption = self.caption or self.alt or "Imagen"
        display({self.mime: self.data, "text/plain": caption}, raw=True,
                metadata={"informe": {"alt": self.alt, "caption": caption, "label": self.label}})


# --------------------------------------------------------------------------
# Checking a text against the data (before anything runs)
# --------------------------------------------------------------------------

# A number as typed in Spanish prose: 155,67 · 1.615.131.603 · 24 · 7.43 (a slip of the decimal mark).
NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)?)(?![\w])")
USD = re.compile(r"(?:USD|US\$|U\$S)\s*$", re.IGNORECASE)
MILLIONS = re.compile(r"^\s*(?:de\s+)?millones", re.IGNORECASE)
PERCENT = re.compile(r"^\s*%")
PESOS = re.compile(r"(?:\$|COP\s*\$?)\s*$")
NOUN = re.compile(r"^\s*\)?\s*([A-Za-zÁÉÍÓÚáéíóúÑñ]{4,})")
# A typed number is read as a figure it differs from only when it is this close to it: a slip or a stale
# figure, not another quantity (measured on the 2022 texts: looser bounds flag unrelated numbers).
CLOSE_AMOUNT = 0.01  # amounts and percentages: within 1 %
CLOSE_COUNT = 0.10  # counts with the figure's own noun («24 empresas» for 25): within 10 %


def parse_number(text: str) -> float | None:
    """«1.615.131.603» → 1615131603; «155,67» → 155.67; «7.43» → 7.43 (a decimal point typed in English): the
    reading of numbers typed in the workbooks (:func:`informe.data.numbers.read_digits`)."""
    read = read_digits(text)
    return read[0] if read else None


@dataclass
class TypedNumber:
    paragraph: int
    typed: str
    value: float
    kind: str  # usd_millions | cop | percent | count
    noun: str = ""


def typed_numbers(text: ChapterText) -> list[TypedNumber]:
    """The numbers typed by hand in ``text`` with the unit their context gives them (citations left out)."""
    found = []
    for paragraph, plain in text.paragraphs:
        if MARKER.match(plain.strip()):
            continue
        plain = CITATION.sub("CITA", plain)
        for match in NUMBER.finditer(plain):
            before, after = plain[max(0, match.start() - 12):match.start()], plain[match.end():match.end() + 30]
            if re.search(r"\d[/-]$", before) or re.match(r"^[/-]\d", after) \
                    or re.search(r"(?:19|20)\d\d", match.group(0)) and len(match.group(0)) == 4:
                continue  # dates, ranges of years and years
            value = parse_number(match.group(1))
            if value is None:
                continue
            if USD.search(before) and MILLIONS.match(after):
                found.append(TypedNumber(paragraph, f"USD {match.group(1)} millones", value, "usd_millions"))
            elif PERCENT.match(after):
                found.append(TypedNumber(paragraph, f"{match.group(1)} %", value, "percent"))
            elif PESOS.search(before) and not MILLIONS.match(after):
                found.append(TypedNumber(paragraph, f"${match.group(1)}", value, "cop"))
            else:
                noun = NOUN.match(after)
                if noun and float(value).is_integer():
                    found.append(TypedNumber(paragraph, f"{match.group(1)} {noun.group(1)}", value, "count",
                                             stem(noun.group(1).lower())))
    return found


def _value(figure: Figure) -> float:
    """The value of a figure that has one (:func:`prose_findings` compares only those)."""
    assert figure.value is not None, "prose_findings keeps only the figures with a value"
    return float(figure.value)


def _same(typed: float, value: float, decimals: int) -> bool:
    return round(typed, decimals) == round(value, decimals) or abs(typed - value) < 0.5 * 10 ** -decimals


def prose_findings(report: YearReport, text: ChapterText, namespaces: tuple[str, ...],
                   catalog: FigureCatalog | None = None) -> list[Problem]:
    """Hand-typed numbers of ``text`` that contradict a figure of the chapter (see the module's docstring)."""
    catalog = catalog or FigureCatalog(report)
    names = dict.fromkeys([*catalog.names(namespaces), *(n for n, _ in text.citations)])
    figures = []
    for name in names:
        try:
            figure = catalog.get(name)
        except (FigureError, KeyError):
            continue
        if figure.value is not None and not figure.goal:
            figures.append(figure)
    problems = []
    for number in typed_numbers(text):
        decimals = len(number.typed.split(",")[1].split()[0]) if "," in number.typed else 0
        if number.kind == "count":
            candidates = [f for f in figures if f.format.kind == "number" and f.head and number.noun == f.head]
            bound, decimals = CLOSE_COUNT, 0
        else:
            candidates = [f for f in figures if f.format.kind == number.kind]
            bound = CLOSE_AMOUNT
        if not candidates or any(_same(number.value, _value(f), decimals) for f in candidates):
            continue
        close = [f for f in candidates if f.value and abs(number.value - float(f.value)) <= bound * abs(float(f.value))]
        if not close:
            continue
        nearest = min(close, key=lambda f: abs(_value(f) - number.value))
        problems.append(Problem(text.file, "", None, "", f"el texto dice «{number.typed}» pero la cifra "
                                f"{{{{{nearest.name}}}}} ({nearest.label}) es {nearest.text}; cite la cifra con "
                                f"{{{{{nearest.name}}}}} o corrija el texto", WARNING, paragraph=number.paragraph))
    return problems


def citation_problems(report: YearReport, text: ChapterText, known: set[str] | None = None) -> list[Problem]:
    """Unknown figure names in ``text`` (errors naming file and paragraph)."""
    known = known if known is not None else set(FigureCatalog(report).names())
    problems = []
    for name, paragraph in text.citations:
        if name not in known:
            problems.append(Problem(text.file, "", None, "", unknown_message(name, sorted(known)),
                                    paragraph=paragraph))
    return problems


PENDING = "*Por escribir.*"  # what `informe new-year` leaves where a text is still to be written


def check_texts(report: YearReport) -> list[Problem]:
    """What the year's texts say that the data contradict, or that the book cannot print: a text-only
    chapter without its text, a text no chapter declares, an unknown figure name (errors); a hand-typed
    number that contradicts a figure, a text still to write (warnings)."""
    problems: list[Problem] = []
    declared = {c.slug: c for c in report.params.chapters}
    catalog = FigureCatalog(report)  # one for the year: each figure computed once
    known = set(catalog.names())
    for chapter in report.params.chapters:
        text = report.texts.get(chapter.slug)
        if text is None:
            if chapter.text_only:
                problems.append(Problem(f"textos/{chapter.slug}.md", "", None, "",
                                        f"falta el texto del capítulo «{chapter.title}», que no tiene tablas: "
                                        f"escríbalo en textos/{chapter.slug}.docx o textos/{chapter.slug}.md"))
            continue
        problems += citation_problems(report, text, known)
        problems += prose_findings(report, text, chapter.namespaces, catalog)
        pending = [n for n, plain in text.paragraphs if PENDING.strip("*") in plain]
        if pending:
            problems.append(Problem(text.file, "", None, "", f"el texto está por escribir en {len(pending)} "
                                    f"apartado{'s' if len(pending) != 1 else ''} (marcados «Por escribir»)",
                                    WARNING, paragraph=pending[0]))
    for slug, text in report.texts.items():
        if slug not in declared:
            problems.append(Problem(text.file, "", None, "", f"ningún capítulo se llama «{slug}» en params/"
                                    f"{report.year}.yml (clave chapters): el texto no se publica; renómbrelo o "
                                    "declare el capítulo", WARNING))
    return problems
