"""The pip-only engine's HTML book, at the level of a Quarto book.

pandoc converts the staged ``book.md`` once to HTML5 (``--section-divs``, numbered sections); this
module splits it into one page per chapter of ``_quarto.yml``, named after the chapter's source file
(``notebooks/03-inversion.ipynb`` → ``03-inversion.html``), and gives every page:

* a skip link, a header with the search form and links to the PDF and to the downloads page,
  a sidebar with every chapter and its sections, ``<main>``, previous/next links, ``lang="es"``;
* numbered captions (``Tabla 3.2: …``, ``Figura 3.1: …``): per chapter, tables and figures counted
  separately in order of appearance; unnumbered chapters (front matter, colophon) get no numbers;
* every table inside a labelled region that the keyboard can focus and that scrolls sideways when
  the table is wider than the page; every chart with its text alternative.

Search is pagefind's index (the ``pagefind`` package ships its binary), queried by ``book/informe.js``.
The page template is ``book/page.html``; the styles ``book/styles.css`` are shared with Quarto, and
every rule for these pages only is scoped under ``body.informe-pip``.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from string import Template

from bs4 import BeautifulSoup, Tag
from bs4.element import AttributeValueList

from ..report.display import DOWNLOADS_DIR, SOURCE_CLASS
from ..report.trace import NUMBER
from .book import ASSETS, FIGURES, MARKDOWN_READER, BookError, convert_book, lua_filter_args, pandoc_text
from .chapters import ChapterPieces, split_pieces

TEMPLATE = "page.html"
STATIC = ("styles.css", "informe.js", "fuentes.js")  # copied from book/ next to the pages
SOURCES_SCRIPT = "fuentes.js"  # shows each number's source (both engines)
PIP_BODY_CLASS = "informe-pip"
DOWNLOADS_PAGE = "descargas.html"
CAPTION_KINDS = {"table": "Tabla", "figure": "Figura"}


@dataclass
class Chapter:
    """One page of the book: a level-1 section of ``book.md``."""

    page: str
    title: str
    number: str  # "" for unnumbered chapters
    section: Tag
    sections: list[tuple[str, str]] = field(default_factory=list)  # (id, title) of its level-2 sections


Downloads = list[tuple[str, list[tuple[str, str]]]]  # a chapter's tables: (title, [(file, format)])


@dataclass(frozen=True)
class Page:
    """A chapter made ready to write from its own HTML alone (see :class:`PageCache`): its title, number and
    sections for the sidebar, its prepared content (numbered captions, wrapped tables, described figures,
    traced numbers), the identifiers it defines, the in-page links it makes and its tables' downloads."""

    page: str
    title: str
    number: str
    sections: tuple[tuple[str, str], ...]
    html: str
    anchor: str  # the chapter's own id (its level-1 section's)
    ids: frozenset[str]  # the identifiers of its elements
    targets: frozenset[str]  # the ``#id`` its links point to
    downloads: tuple = ()  # :data:`Downloads`, as a tuple


def prepare(chapter: Chapter) -> Page:
    """What every page gets that depends on its own chapter only (in this order: the alt text names the
    chart, not its number)."""
    describe_figures(chapter)
    number_captions(chapter)
    wrap_tables(chapter)
    trace_numbers(chapter.section)
    ids = {_attr(tag, "id") for tag in chapter.section.find_all(id=True)}
    targets = {_attr(a, "href")[1:] for a in chapter.section.find_all("a", href=True)
               if _attr(a, "href").startswith("#")}
    return Page(chapter.page, chapter.title, chapter.number, tuple(chapter.sections), str(chapter.section),
                _attr(chapter.section, "id"), frozenset(ids - {""}), frozenset(targets),
                tuple(download_entries(chapter)))


class PageCache:
    """Pages already prepared by this process, by their page name and chapter HTML (``informe preview``: an edit
    parses and prepares again only the chapters whose HTML changed; measured on 2022, about 0,6 s for the
    whole book on two cores)."""

    def __init__(self) -> None:
        self._pages: dict[tuple[str, str], Page] = {}
        self.reused = 0

    def get(self, page: str, piece: str) -> Page:
        key = (page, piece)
        found = self._pages.get(key)
        if found is not None:
            self.reused += 1
            return found
        chapter = split_chapters(piece, [page])[0]
        made = self._pages[key] = prepare(chapter)
        return made

    def keep_only(self, pages: list[Page]) -> None:
        """Forget the pages not in ``pages`` (an edited chapter's former HTML is never asked for again)."""
        wanted = {id(p) for p in pages}
        self._pages = {k: v for k, v in self._pages.items() if id(v) in wanted}


def linked(pages: list[Page]) -> list[str]:
    """Each page's content with ``href="#id"`` pointing to another page made ``page.html#id`` (an element's id
    belongs to the last page that has it, a chapter's own id to its page); a page whose links all stay on it is
    not parsed again."""
    owner = {ident: page.page for page in pages for ident in page.ids}
    owner.update({page.anchor: page.page for page in pages if page.anchor})
    out = []
    for page in pages:
        if all(owner.get(t, page.page) == page.page for t in page.targets):
            out.append(page.html)
            continue
        soup = BeautifulSoup(page.html, "html.parser")
        for link in soup.find_all("a", href=True):
            href = _attr(link, "href")
            target = href[1:] if href.startswith("#") else None
            if target and owner.get(target, page.page) != page.page:
                link["href"] = f"{owner[target]}#{target}"
        out.append(str(soup))
    return out


def page_name(chapter: str | dict) -> str:
    """The HTML page of a ``_quarto.yml`` chapter: its file name with ``.html`` (``03-inversion.html``)."""
    path = chapter if isinstance(chapter, str) else chapter["href"]
    return PurePosixPath(path).with_suffix(".html").name


def chapter_pages(config: dict) -> list[str]:
    names = [page_name(c) for c in config["book"]["chapters"]]
    if names and names[0] != "index.html":
        raise BookError("el primer capítulo de _quarto.yml debe ser index.qmd (la portada del libro HTML)")
    if not all(n.isascii() for n in names) or len(set(names)) != len(names):
        raise BookError(f"los nombres de los capítulos deben ser ASCII y distintos: {names}")
    return names


def _attr(tag: Tag, key: str) -> str:
    """A single-valued attribute (``id``, ``href``, ``style``…) as a string; "" when the tag has none."""
    value = tag.get(key)
    if value is None:
        return ""
    return value if isinstance(value, str) else " ".join(value)


def _classes(tag: Tag) -> list[str]:
    """The tag's classes (bs4 parses ``class`` into a list of values)."""
    value = tag.get("class")
    if value is None:
        return []
    return value.split() if isinstance(value, str) else list(value)


def _heading_text(heading: Tag) -> str:
    number = heading.find("span", class_="header-section-number")
    text = heading.get_text(" ", strip=True)
    return text[len(number.get_text()):].strip() if number else text


def split_chapters(body: str, pages: list[str]) -> list[Chapter]:
    """The level-1 sections of pandoc's HTML, one per chapter listed in ``_quarto.yml``."""
    soup = BeautifulSoup(body, "html.parser")
    sections = soup.find_all("section", class_="level1", recursive=False)
    if len(sections) != len(pages):
        titles = [h1.get_text(" ", strip=True) for s in sections if (h1 := s.find("h1"))]
        raise BookError(f"el libro tiene {len(pages)} capítulos en _quarto.yml pero {len(sections)} títulos de "
                        f"nivel 1 ({'; '.join(titles)}): cada capítulo debe empezar con un único título «# …»")
    chapters = []
    for page, section in zip(pages, sections):
        h1 = section.find("h1")
        if h1 is None:  # pandoc's --section-divs opens every level-1 section with its heading
            raise BookError(f"el capítulo {page} no tiene título de nivel 1 («# …»)")
        number = "" if "unnumbered" in _classes(section) else str(section.get("data-number", ""))
        subs = [(sid, _heading_text(h2)) for s in section.find_all("section", class_="level2")
                if (sid := _attr(s, "id")) and (h2 := s.find("h2"))]
        chapters.append(Chapter(page, _heading_text(h1), number, section, subs))
    return chapters


def _caption_element(node: Tag, kind: str) -> Tag | None:
    return node.find("caption", recursive=False) if kind == "table" else node.find("figcaption")


def number_captions(chapter: Chapter) -> None:
    """``Tabla 3.2: …`` / ``Figura 3.1: …`` on captioned tables and figures of a numbered chapter."""
    counters = {kind: 0 for kind in CAPTION_KINDS}
    for node in chapter.section.find_all(["table", "figure"]):
        caption = _caption_element(node, node.name)
        if caption is None or not caption.get_text(strip=True) or not chapter.number:
            continue
        counters[node.name] += 1
        prefix = node.new_tag("span", attrs={"class": "caption-number"})  # a tag of the same document
        prefix.string = f"{CAPTION_KINDS[node.name]} {chapter.number}.{counters[node.name]}:"
        caption.insert(0, " ")
        caption.insert(0, prefix)


def wrap_tables(chapter: Chapter) -> None:
    """Every table inside a focusable region named by its caption, which scrolls when the table is wide."""
    for index, table in enumerate(chapter.section.find_all("table"), start=1):
        caption = table.find("caption", recursive=False)
        attrs = {"class": "table-scroll", "role": "region", "tabindex": "0"}
        if caption is not None and caption.get_text(strip=True):
            caption_id = _attr(caption, "id") or f"{_attr(table, 'id') or chapter.page[:-5]}-caption-{index}"
            caption["id"] = caption_id
            attrs["aria-labelledby"] = caption_id
        else:
            attrs["aria-label"] = f"Tabla {index} de «{chapter.title}»"
        table.wrap(table.parent.new_tag("div", attrs=attrs) if table.parent else Tag(name="div", attrs=attrs))
        for cell in table.find_all(["td", "th"]):
            if "right" in _attr(cell, "style"):
                cell["class"] = AttributeValueList([*_classes(cell), "num"])


SOURCE_NOTE_CLASS = "fuente-nota"


def trace_numbers(root: Tag, prefix: str = "fuente") -> int:
    """Every number of a table that carries its source (``<span class="fuente" data-fuente="…">``, written by
    :class:`informe.report.display.Table`) becomes focusable and described by a tooltip that says where it
    comes from: shown on hover and on keyboard focus (book/styles.css), read by screen readers as the number's
    description (``aria-describedby``), left out of the search index. Returns how many numbers it marked."""
    count = 0
    for span in root.select(f"span.{SOURCE_CLASS}[data-fuente]"):
        count += 1
        note_id = f"{prefix}-{count}"
        note = Tag(name="span", attrs={"class": SOURCE_NOTE_CLASS, "role": "tooltip", "id": note_id,
                                       "data-pagefind-ignore": ""})
        source = _attr(span, "data-fuente")
        del span["data-fuente"]
        note.string = "Fuente: " + source
        span["tabindex"] = "0"
        span["aria-describedby"] = note_id
        span.insert_after(note)
    return count




def source_coverage(html_dir: Path) -> tuple[int, int]:
    """(numbers with a source, numbers) in the tables of the HTML book's pages: a number is a table cell that
    holds only a figure (a total, an amount, a percentage, a count), whatever column it is in."""
    traced = total = 0
    for page in sorted(Path(html_dir).glob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for cell in soup.select("table td"):
            for note in cell.select(f".{SOURCE_NOTE_CLASS}"):
                note.extract()
            if NUMBER.match(cell.get_text(" ", strip=True)):
                total += 1
                traced += cell.select_one(f".{SOURCE_CLASS}[tabindex]") is not None
    return traced, total


def describe_figures(chapter: Chapter) -> None:
    """Charts: alt text is the caption; the generated description (``#desc-<label>``) follows the figure.

    A figure without description keeps its text alternative (``fig-alt``) as ``alt``; a figure whose
    description is printed below it points at it with ``aria-describedby`` instead of repeating it.
    """
    for figure in chapter.section.find_all("figure"):
        img = figure.find("img")
        if img is None:
            continue
        caption = figure.find("figcaption")
        if caption is not None and caption.get("aria-hidden"):
            del caption["aria-hidden"]  # pandoc hides it when alt repeats it; alt says something else now
        long_alt = img.attrs.pop("data-fig-alt", None)
        description = chapter.section.find(id=f"desc-{figure.get('id')}") if figure.get("id") else None
        if description is not None:
            img["alt"] = f"Gráfico: {caption.get_text(' ', strip=True) if caption else ''}".strip()
            img["aria-describedby"] = description["id"]
        elif long_alt:
            img["alt"] = long_alt
    for img in chapter.section.find_all("img"):
        img.attrs.setdefault("alt", "")


def _label(chapter: Chapter | Page) -> str:
    return f"{chapter.number}. {chapter.title}" if chapter.number else chapter.title


def sidebar_html(chapters: list[Chapter] | list[Page], current: Chapter | Page | None) -> str:
    """Every chapter and its sections; the current page (if a chapter's) marked with ``aria-current``."""
    items = []
    for ch in chapters:
        here = ' aria-current="page"' if ch is current else ""
        subs = "".join(f'<li><a href="{ch.page}#{html.escape(sid)}">{html.escape(title)}</a></li>'
                       for sid, title in ch.sections)
        items.append(f'<li><a href="{ch.page}"{here}>{html.escape(_label(ch))}</a>'
                     + (f"<ul>{subs}</ul>" if subs else "") + "</li>")
    return f'    <ol class="toc-chapters">{"".join(items)}</ol>'


def pager_html(chapters: list[Chapter] | list[Page], index: int) -> str:
    links = []
    if index > 0:
        prev = chapters[index - 1]
        links.append(f'<a class="pager-prev" href="{prev.page}" rel="prev"><span class="pager-dir">Anterior</span> '
                     f"{html.escape(_label(prev))}</a>")
    if index + 1 < len(chapters):
        nxt = chapters[index + 1]
        links.append(f'<a class="pager-next" href="{nxt.page}" rel="next"><span class="pager-dir">Siguiente</span> '
                     f"{html.escape(_label(nxt))}</a>")
    return f'<nav class="pager" aria-label="Capítulo anterior y siguiente" data-pagefind-ignore>{"".join(links)}</nav>'


def _download_title(link: Tag, slug: str, ids: dict[str, Tag]) -> str:
    """The title of a downloadable table: the caption of ``#tbl-<slug>`` (``ids``: the chapter's elements
    by id, first of each), else the caption before the link."""
    table = ids.get(f"tbl-{slug}")
    caption = table.find(["caption", "figcaption"]) if table else None
    if caption is None:
        caption = link.find_previous(["caption", "figcaption"])
    if caption is None:
        return slug
    number = caption.find("span", class_="caption-number")
    text = caption.get_text(" ", strip=True)
    text = text[len(number.get_text()):].strip() if number else text
    return f"Datos del gráfico «{text}»" if link.find_parent(class_="chart-description") else text


def download_entries(chapter: Chapter) -> Downloads:
    """The chapter's downloadable tables as its links name them: (title, [(file, format)]), in order."""
    entries: dict[str, tuple[str, list[tuple[str, str]]]] = {}
    ids: dict[str, Tag] = {}
    for element in chapter.section.find_all(id=True):
        ids.setdefault(_attr(element, "id"), element)
    for link in chapter.section.find_all("a", href=True):
        href = _attr(link, "href")
        if not href.startswith(f"{DOWNLOADS_DIR}/"):
            continue
        slug = re.sub(r"(-excel)?\.[a-z]+$", "", href[len(DOWNLOADS_DIR) + 1:])
        title, files = entries.setdefault(slug, (_download_title(link, slug, ids), []))
        if href not in [f for f, _ in files]:
            files.append((href, link.get_text(" ", strip=True)))
    return list(entries.values())


def downloads_html(config: dict, chapters: list[Chapter] | list[Page], tables_dir: Path) -> str:
    """The downloads page: the PDF, then every table's files (as the chapters link them), by chapter."""
    parts = ['<section id="descargas" class="level1">', "<h1>Descargas</h1>",
             f'<p>El informe completo en <a href="{_pdf_href(config["informe"])}">PDF</a>. Cada tabla del libro, '
             "y los datos de cada gráfico, en los formatos que ofrece su capítulo:</p>"]
    linked_files: set[str] = set()
    for chapter in chapters:
        entries = list(chapter.downloads) if isinstance(chapter, Page) else download_entries(chapter)
        if not entries:
            continue
        parts.append(f'<h2 id="descargas-{chapter.page[:-5]}"><a href="{chapter.page}">'
                     f"{html.escape(_label(chapter))}</a></h2><ul>")
        for title, files in entries:
            linked_files.update(f for f, _ in files)
            links = " · ".join(f'<a href="{html.escape(f)}">{html.escape(text)}</a>' for f, text in files)
            parts.append(f"<li>{html.escape(title)}: {links}</li>")
        parts.append("</ul>")
    others = sorted(f"{DOWNLOADS_DIR}/{p.name}" for p in tables_dir.glob("*")
                    if p.is_file() and p.suffix != ".json" and f"{DOWNLOADS_DIR}/{p.name}" not in linked_files)
    if others:
        parts.append('<h2 id="descargas-otros">Otros archivos</h2><ul>')
        parts += [f'<li><a href="{html.escape(f)}">{html.escape(f.split("/", 1)[1])}</a></li>' for f in others]
        parts.append("</ul>")
    parts.append("</section>")
    return "\n".join(parts)


def _pdf_href(info: dict) -> str:
    return f"../informe-gestion-{info['year']}.pdf"  # the PDF sits next to the book folder in outputs/<year>/


def pandoc_body(src: Path, chapters: list[str] | None = None, pieces: ChapterPieces | None = None) -> str:
    """pandoc's HTML5 of the book's ``chapters`` (one document; :func:`split_chapters` makes the pages),
    reusing the unchanged chapters of ``pieces`` (see :mod:`.chapters`); without ``chapters``, of the
    staged ``book.md``."""
    args = ["-f", MARKDOWN_READER, "-t", "html5", "--section-divs", "--number-sections", "--wrap=none",
            *lua_filter_args(src)]
    if chapters is None:
        return pandoc_text(src, (src / "book.md").read_text(encoding="utf-8"), args)
    return convert_book(src, chapters, args, pieces)


def _banner(src: Path, config: dict) -> str:
    banner = config.get("format", {}).get("html", {}).get("include-before-body")
    return (src / banner).read_text(encoding="utf-8").strip() if banner else ""


def write_pages(src: Path, config: dict, chapters: list[Page], html_dir: Path) -> list[Path]:
    """Every chapter's page and the downloads page, in ``html_dir``."""
    info = config["informe"]
    book_title = f"{config['book']['title']} {info['year']}"
    template = Template((src / ASSETS / TEMPLATE).read_text(encoding="utf-8"))
    common = {"book_title": html.escape(book_title), "agency": html.escape(str(info.get("agency", ""))),
              "banner": _banner(src, config), "pdf_href": _pdf_href(info)}
    written = []
    for i, (chapter, content) in enumerate(zip(chapters, linked(chapters))):
        page = template.substitute(common, page_title=html.escape(f"{chapter.title} – {book_title}"),
                                   sidebar=sidebar_html(chapters, chapter), content=content,
                                   pager=pager_html(chapters, i))
        written.append(html_dir / chapter.page)
        written[-1].write_text(page, encoding="utf-8")
    downloads = template.substitute(common, page_title=html.escape(f"Descargas – {book_title}"),
                                    sidebar=sidebar_html(chapters, None),
                                    content=downloads_html(config, chapters, src / "notebooks" / DOWNLOADS_DIR),
                                    pager="")
    (html_dir / DOWNLOADS_PAGE).write_text(downloads, encoding="utf-8")
    return [*written, html_dir / DOWNLOADS_PAGE]


def pagefind_command() -> list[str]:
    """pagefind's binary from its ``pagefind_bin`` wheel (``python -m pagefind`` starts a Python process
    only to find and exec it: 0.06 s more per build), else ``python -m pagefind``."""
    try:
        from pagefind_bin import get_executable

        return [str(get_executable())]
    except (ImportError, FileNotFoundError):
        return [sys.executable, "-m", "pagefind"]


def index_search(html_dir: Path) -> None:
    """pagefind's search index of the pages (in ``html_dir/pagefind``), in Spanish."""
    proc = subprocess.run([*pagefind_command(), "--site", str(html_dir), "--force-language", "es", "--quiet"],
                          capture_output=True, text=True)
    if proc.returncode or not (html_dir / "pagefind" / "pagefind.js").exists():
        raise BookError(f"pagefind no pudo indexar el libro HTML: {(proc.stderr or proc.stdout).strip()[-1500:]}")


def link_tree(source: Path, target: Path) -> None:
    """``source`` copied to ``target`` as hard links (both in the build's staging folder, written once and
    never modified: the staged copy is deleted afterwards), or as copies where links cannot be made."""
    try:
        shutil.copytree(source, target, copy_function=os.link)
    except OSError:  # another file system, or links not supported
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target)


def book_pages(body: str, pages: list[str], cache: PageCache | None = None) -> list[Page]:
    """The book's pages from pandoc's HTML of the whole book, each chapter prepared alone (:func:`prepare`);
    with ``cache``, a chapter whose HTML was prepared before is reused."""
    pieces = split_pieces(body, "html5", len(pages))
    if pieces is None:  # not one level-1 section per chapter: split_chapters says what is wrong
        return [prepare(chapter) for chapter in split_chapters(body, pages)]
    cache = cache if cache is not None else PageCache()
    made = [cache.get(page, piece) for page, piece in zip(pages, pieces)]
    cache.keep_only(made)
    return made


def render_html_book(src: Path, config: dict, html_dir: Path, body: str | None = None,
                     cache: PageCache | None = None, search: bool = True) -> None:
    """One page per chapter in ``html_dir``, with the book's styles, figures, downloads and search index.

    ``body``: :func:`pandoc_body` of ``src`` when already made (else it is made here). ``cache``: the pages
    prepared by the previous renders of this process (see :class:`PageCache`). ``search=False``: no search
    index (``informe preview`` indexes the published pages once the open pages have reloaded).
    """
    chapters = book_pages(pandoc_body(src) if body is None else body, chapter_pages(config), cache)
    shutil.rmtree(html_dir, ignore_errors=True)
    html_dir.mkdir(parents=True)
    write_pages(src, config, chapters, html_dir)
    if (src / FIGURES).exists():
        link_tree(src / FIGURES, html_dir / FIGURES)
    link_tree(src / "notebooks" / DOWNLOADS_DIR, html_dir / DOWNLOADS_DIR)
    for name in STATIC:
        shutil.copy2(src / ASSETS / name, html_dir / name)
    if search:
        index_search(html_dir)


# --------------------------------------------------------------------------
# Quarto's HTML book: the same links to the PDF and the downloads page as the pip-only book
# --------------------------------------------------------------------------

QUARTO_MAIN = "quarto-document-content"
QUARTO_SIDEBAR = "quarto-sidebar"
LINKS_CLASS = "informe-links"
# Names of Quarto's other navigation landmarks, by class (every landmark of a page named, and differently).
NAV_NAMES = {"quarto-secondary-nav": "Menú del libro", "quarto-page-breadcrumbs": "Ruta de la página",
             "navbar": "Barra del libro"}


def _relative(page: Path, html_dir: Path, target: str) -> str:
    """``target`` (relative to the book's root) as linked from ``page``."""
    depth = len(page.relative_to(html_dir).parts) - 1
    return "../" * depth + target


def _links_nav(soup: BeautifulSoup, pdf: str, downloads: str) -> Tag:
    nav = soup.new_tag("nav", attrs={"class": LINKS_CLASS, "aria-label": "Descargas"})
    for href, text in ((pdf, "Informe en PDF"), (downloads, "Tablas en CSV y XLSX")):
        link = soup.new_tag("a", attrs={"href": href})
        link.string = text
        nav.append(link)
    return nav


def _name_landmarks(soup: BeautifulSoup) -> None:
    """The sidebar and the other navigation landmarks Quarto writes get distinct names (axe
    ``landmark-unique``); the previous/next links are named by their visible text (axe
    ``label-content-name-mismatch``). ``book/quarto-tables.html`` does the same in the browser."""
    sidebar = soup.find(id=QUARTO_SIDEBAR)
    if sidebar is not None:
        sidebar["aria-label"] = "Capítulos"
    toc = soup.find(id="TOC")
    if toc is not None and toc.name == "nav" and not toc.get("aria-label"):
        toc["aria-label"] = "En esta página"
    pager = soup.find("nav", class_="page-navigation")
    if pager is not None:
        pager["aria-label"] = "Capítulo anterior y siguiente"
        for link in pager.find_all("a", attrs={"aria-label": True}):
            del link["aria-label"]  # Quarto's label repeats the title's markup: the visible text names the link
    seen: dict[str, int] = {}
    for n, nav in enumerate(soup.find_all("nav"), start=1):
        if nav.get("aria-labelledby"):
            continue
        name = _attr(nav, "aria-label") or NAV_NAMES.get(next((c for c in _classes(nav) if c in NAV_NAMES), ""),
                                                         f"Navegación {n}")
        seen[name] = seen.get(name, 0) + 1
        nav["aria-label"] = name if seen[name] == 1 else f"{name} ({seen[name]})"


def quarto_chapters(config: dict, html_dir: Path) -> list[Chapter]:
    """Quarto's rendered chapter pages as :class:`Chapter` (page relative to the book's root)."""
    chapters = []
    for entry in config["book"]["chapters"]:
        path = PurePosixPath(entry if isinstance(entry, str) else entry["href"]).with_suffix(".html")
        page = html_dir / path
        if not page.exists():
            continue
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        main = soup.find(id=QUARTO_MAIN) or soup.find("main")
        if main is None:
            continue
        h1 = main.find("h1")
        number = main.find(class_="chapter-number") if h1 else None
        title = main.find(class_="chapter-title") if h1 else None
        chapters.append(Chapter(str(path), (title or h1).get_text(" ", strip=True) if h1 else str(path),
                                number.get_text(strip=True) if number else "", main))
    return chapters


def finish_quarto_book(src: Path, config: dict, html_dir: Path) -> None:
    """Quarto's HTML book at the level of the pip-only one: every page links to the PDF and to a downloads
    page (``descargas.html``, written here from Quarto's front page, listing every table's files by chapter),
    and its navigation landmarks have distinct, accurate names. Without JavaScript too."""
    info = config["informe"]
    index = html_dir / "index.html"
    tables = f"notebooks/{DOWNLOADS_DIR}"
    shutil.copyfile(src / ASSETS / SOURCES_SCRIPT, html_dir / SOURCES_SCRIPT)
    for page in sorted(html_dir.rglob("*.html")):
        if page.relative_to(html_dir).parts[0] in ("site_libs", "search"):
            continue
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        if soup.find(class_=LINKS_CLASS) is None:
            nav = _links_nav(soup, _relative(page, html_dir, _pdf_href(info)),
                             _relative(page, html_dir, DOWNLOADS_PAGE))
            sidebar = soup.find(id=QUARTO_SIDEBAR)
            main = soup.find(id=QUARTO_MAIN) or soup.find("main")
            if sidebar is not None:
                sidebar.insert(0, nav)
            elif main is not None:
                main.insert(0, nav)
            elif soup.body is not None:
                soup.body.insert(0, nav)
        _name_landmarks(soup)
        if (trace_numbers(soup) and soup.head is not None
                and soup.find("script", src=re.compile(SOURCES_SCRIPT)) is None):
            soup.head.append(soup.new_tag("script", src=_relative(page, html_dir, SOURCES_SCRIPT), defer=""))
        page.write_text(str(soup), encoding="utf-8")
    if not index.exists():
        return
    content = downloads_html(config, quarto_chapters(config, html_dir), src / "notebooks" / DOWNLOADS_DIR)
    content = content.replace(f'href="{DOWNLOADS_DIR}/', f'href="{tables}/')
    soup = BeautifulSoup(index.read_text(encoding="utf-8"), "html.parser")
    book_title = f"{config['book']['title']} {info['year']}"
    if soup.title is not None:
        soup.title.string = f"Descargas – {book_title}"
    main = soup.find(id=QUARTO_MAIN) or soup.find("main")
    if main is None:
        main = soup.new_tag("main", attrs={"id": QUARTO_MAIN})
        (soup.body or soup).append(main)
    main.clear()
    main.append(BeautifulSoup(content, "html.parser"))
    for link in soup.select(f"#{QUARTO_SIDEBAR} a.active, #{QUARTO_SIDEBAR} a[aria-current]"):
        link["class"] = AttributeValueList(c for c in _classes(link) if c != "active")
        link.attrs.pop("aria-current", None)
    for pager in soup.find_all("nav", class_="page-navigation"):
        pager.decompose()
    (html_dir / DOWNLOADS_PAGE).write_text(str(soup), encoding="utf-8")
