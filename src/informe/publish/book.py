"""The book: executed notebooks → HTML book and PDF, with Quarto or the pip-only engine.

Both engines read the same ``_quarto.yml`` and use the same Typst template
(``book/typst-template.typ``). The build first stages the book sources: the
project's ``_quarto.yml``, ``index.qmd`` and ``book/`` assets, the executed
notebooks, the tables for download (``tablas/``), the colophon and the year's
metadata (``_quarto-build.yml``, the Quarto profile ``build``).

Charts are staged as Markdown figures (``![caption](figuras/…svg){#fig-…}``)
and every table carries a labelled caption (``: Title {#tbl-…}``), so both
engines number them per chapter («Tabla 3.2», «Figura 3.1») and keep their
captions. Text is read with pandoc's ``smart`` extension off: data appear
exactly as typed (no curly quotes, dashes or ellipses).

* Quarto (found through ``$QUARTO`` or ``PATH``) renders that staging folder
  with one ``quarto render --profile build`` (HTML book and Typst PDF).
* The pip-only engine converts the notebooks' outputs (never their code) to one
  Markdown book, then uses pandoc (from ``pypandoc-binary``) for the
  HTML book (``build.html_book``: one page per chapter, sidebar, search) and for Typst, and the
  ``typst`` package for the PDF.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import posixpath
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat
import pypandoc
import typst
import yaml
from babel.dates import format_date

from ..data.params import Params
from ..fmt import format_datetime as fmt_datetime
from ..report.display import DOWNLOADS_DIR, escape_markdown, slugify
from .chapters import ChapterPieces, convert_chapters
from .downloads import DownloadError, PreviousDownloads, write_downloads
from .tools import find_quarto  # noqa: F401 - re-exported: the engine search lives in tools

if TYPE_CHECKING:  # PDFStandard exists in typst's stubs only; html_book imports this module
    from typst import PDFStandard

    from .html_book import PageCache

QUARTO_FILES = ("_quarto.yml", "index.qmd")
ASSETS = "book"
FIGURES = "figuras"
# Pandoc's Markdown reader for the pip-only engine (``_quarto.yml`` sets ``from: markdown-smart`` for
# Quarto): no ``smart`` extension, so the workbooks' text keeps its straight quotes, ``--`` and ``...``.
MARKDOWN_READER = "markdown-citations-smart"
# Lua filters of the pip-only engine's PDF, in ``book/``: Quarto's ``content-visible``/``content-hidden``
# blocks, and Typst shorthands kept literal.
LUA_FILTERS = ("format-visibility.lua", "literal-text.lua", "key-figures.lua", "text-tables.lua")
# The year's key figures (tiles), staged beside index.qmd, which includes them: the book's home page and the
# PDF's first page after the cover.
KEY_FIGURES = "_cifras-clave.md"
# index.qmd's line where the staged copy includes the key figures (a comment: a plain `quarto render` of the
# project shows nothing there, the build's book the heading and the tiles)
KEY_FIGURES_MARKER = "<!-- cifras-clave:"
KEY_FIGURES_SECTION = f"## Cifras clave del año {{.unnumbered}}\n\n{{{{< include {KEY_FIGURES} >}}}}"
IMAGE_MIMES = (("image/svg+xml", "svg"), ("image/png", "png"))
# The PDF is accessible: tagged, with a title it displays, alternative text on every chart (PDF/UA-1, checked by
# typst while it writes the PDF; ``pdf-standard`` in _quarto.yml for Quarto).
PDF_STANDARDS: tuple[PDFStandard, ...] = ("ua-1",)
PDF_UA_REQUIREMENTS = {
    "missing alt text": "una imagen o un gráfico sin texto alternativo",
    "missing document title": "el documento no tiene título",
    "invalid document structure": "la estructura del documento no es válida: una etiqueta del PDF quedaría partida",
}


class BookError(RuntimeError):
    """The book could not be rendered; the message says which engine and why."""


@dataclass(frozen=True)
class BookResult:
    engine: str
    html_dir: Path
    pdf: Path | None  # None: the HTML book only (informe preview)


def spanish_date(value: dt.date) -> str:
    """``2022-12-31`` → ``31 de diciembre de 2022``."""
    return format_date(value, "d 'de' MMMM 'de' y", locale="es_CO")


def book_metadata(params: Params) -> dict:
    """The year's metadata added to ``_quarto.yml`` (as the Quarto profile ``build``)."""
    meta = {
        "informe": {"year": str(params.year), "cutoff": spanish_date(params.cutoff), "demo": params.demo,
                    "agency": params.agency},
        "book": {"title": "Informe de Gestión", "subtitle": f"{params.year}", "date": params.cutoff.isoformat()},
    }
    if params.demo:
        meta["format"] = {"html": {"include-before-body": f"{ASSETS}/demo-banner.html"}}
    return meta


def load_book_config(src: Path) -> dict:
    """``_quarto.yml`` merged with the ``build`` profile, as Quarto merges them."""
    config = yaml.safe_load((src / "_quarto.yml").read_text(encoding="utf-8"))
    profile = src / "_quarto-build.yml"
    if profile.exists():
        config = _merge(config, yaml.safe_load(profile.read_text(encoding="utf-8")) or {})
    return config


def _merge(base: dict, extra: dict) -> dict:
    out = dict(base)
    for key, value in extra.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


# --------------------------------------------------------------------------
# Staging the sources
# --------------------------------------------------------------------------

def colophon_markdown(params: Params, info: dict) -> str:
    built = dt.datetime.fromisoformat(info["built_at"])
    lines = [
        "# Colofón {.unnumbered}",
        "",
        f"Informe de Gestión {params.year} de la ACI Medellín, con corte al {spanish_date(params.cutoff)}.",
        "",
        f"- Construido el {fmt_datetime(built)} "
        f"con el motor «{escape_markdown(info.get('engine', ''))}».",
        f"- Versión del código (commit): `{info.get('commit', 'desconocido')}`.",
        "- Libros de datos, textos y parámetros leídos (huella SHA-256); los datos, con su ruta dentro de la "
        "carpeta de datos del año; los parámetros, dentro del proyecto:",
        "",
        "| Archivo | SHA-256 |",
        "|:---|:---|",
    ]
    names = {colophon_name(name, info.get("data_dir")): digest for name, digest in info["inputs"].items()}
    lines += [f"| {escape_markdown(name)} | `{digest}` |" for name, digest in sorted(names.items())]
    lines += ["", ": Huella de los archivos de entrada {#tbl-huella-de-los-archivos-de-entrada}", ""]
    if params.demo:
        lines += ["**DATOS DE DEMOSTRACIÓN:** las cifras de este informe son sintéticas.", ""]
    return "\n".join(lines)


def colophon_name(name: str, data_dir: str | None) -> str:
    """An input as the colophon names it: a data file relative to the year's data folder
    (``administrativo.xlsx``, ``textos/inversion.md``, the prior year's ``../2021/inversion.xlsx``), the
    parameters relative to the project (``params/2022.yml``); never an absolute path of the machine."""
    name = name.replace("\\", "/")
    if data_dir and not name.startswith("params/"):
        name = posixpath.relpath(name, data_dir.replace("\\", "/"))
    return name.lstrip("/")


def signatories_markdown(params: Params) -> str:
    """The closing page: name and role of each signatory (``params/<year>.yml``), above a signature line."""
    lines = ["# Firmas {.unnumbered}", "",
             f"Informe de Gestión {params.year} de la ACI Medellín, con corte al {spanish_date(params.cutoff)}.", ""]
    if not params.signatories:
        lines += [f"Los parámetros del año (params/{params.year}.yml) no definen firmantes (clave `signatories`).", ""]
        return "\n".join(lines)
    people = ", ".join(f"(name: {_typst_string(s.name)}, role: {_typst_string(s.role)})" for s in params.signatories)
    lines += ["```{=typst}", f"#firmas(({people},))", "```", "",
              '::: {.content-visible when-format="html"}',
              *[f"- **{escape_markdown(s.name)}**, {escape_markdown(s.role)}" for s in params.signatories],
              ":::", ""]
    return "\n".join(lines)


def _figure_markdown(meta: dict, path: str, caption_markdown: str, label: str, caption: str = "") -> str:
    """A chart as a labelled, captioned Markdown figure whose ``fig-alt`` is its text alternative: the chart's
    own (``alt`` in its metadata), else «Gráfico: <caption>». Every chart has one: the accessible PDF
    (PDF/UA-1) refuses an image without it, and Quarto writes ``fig-alt`` as Typst's ``image(alt: …)``."""
    alt = meta.get("alt") or (f"Gráfico: {caption}" if caption else "Gráfico")
    return f'![{caption_markdown}]({path}){{#{label} fig-alt="{_attribute(alt)}" width=100%}}'


# A staged chart's Markdown figure: its image path and its ``fig-alt`` (see :func:`_figure_markdown`).
FIGURE_ALT = re.compile(r'\]\((' + FIGURES + r'/[^)\s]+)\)\{#[^\s}]+ fig-alt="((?:[^"\\]|\\.)*)"')


def figure_alts(markdown: str) -> dict[str, str]:
    """Image path → text alternative of every staged chart in ``markdown``."""
    return {path: re.sub(r"\\(.)", r"\1", alt) for path, alt in FIGURE_ALT.findall(markdown)}


def typst_with_alt(typst_source: str, alts: dict[str, str]) -> str:
    """pandoc's Typst with each chart's text alternative: ``image("figuras/x.svg", alt: "…", …)``.

    pandoc's Typst writer (3.9) drops an image's alternative text; the accessible PDF needs it on every image.
    """
    def add(match: re.Match) -> str:
        alt = alts.get(match.group(1))
        return match.group(0) if alt is None else f"{match.group(0)}, alt: {_typst_string(alt)}"
    return re.sub(r'(?<![\w.])image\("([^"\\]+)"(?!, alt:)', add, typst_source)


def _attribute(value: object) -> str:
    return " ".join(str(value).split()).replace("\\", "\\\\").replace('"', '\\"')


def _unique(label: str, seen: set[str]) -> str:
    candidate, n = label, 2
    while candidate in seen:
        candidate, n = f"{label}-{n}", n + 1
    seen.add(candidate)
    return candidate


def _heading(source: str) -> str | None:
    """The last Markdown heading of a cell, without its ``{...}`` attributes."""
    found = None
    for line in source.splitlines():
        match = re.match(r"#{1,6}\s+(.*?)\s*(\{[^}]*\})?\s*$", line)
        if match:
            found = match.group(1)
    return found


def stage_figures(notebook: Path, folder: Path, seen: set[str]) -> int:
    """Turn the charts of a staged notebook into Markdown figures, their images into files in ``folder``.

    The caption, alt text and label come from the output's ``informe`` metadata when the chart sets them;
    otherwise the caption is the section heading the chart sits under. Returns the number of figures.
    """
    nb = nbformat.read(notebook, as_version=4)
    heading, count = notebook.stem, 0
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            heading = _heading(cell.source) or heading
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            mime = next((m for m, _ in IMAGE_MIMES if m in data), None)
            if mime is None or "text/markdown" in data:
                continue
            count += 1
            ext = dict(IMAGE_MIMES)[mime]
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{notebook.stem}-{count}.{ext}"
            content = data[mime] if isinstance(data[mime], str) else "".join(data[mime])
            if ext == "svg":
                path.write_text(content, encoding="utf-8")
            else:
                path.write_bytes(base64.b64decode(content))
            meta = output.get("metadata", {}).get("informe", {}) or {}
            caption = str(meta.get("caption") or heading)
            # A caption from the metadata is data (escaped); the heading fallback is already Markdown.
            caption_md = escape_markdown(caption) if meta.get("caption") else caption
            label = slugify(str(meta.get("label") or caption))
            label = _unique(label if label.startswith("fig-") else f"fig-{label}", seen)
            # Other payloads (e.g. the chart's data for download) stay; no engine may pick the image or HTML instead.
            kept = {k: v for k, v in data.items() if not k.startswith("image/") and k != "text/html"}
            output["data"] = {**kept, "text/markdown": _figure_markdown(meta, f"{FIGURES}/{path.name}", caption_md,
                                                                        label, caption), "text/plain": caption}
    if count:
        nbformat.write(nb, notebook)
    return count


def stage_chapters(src: Path, chapters: list[str]) -> list[str]:
    """Each executed notebook of ``chapters`` as a Markdown chapter ``notebooks/NN-slug.qmd`` (its Markdown cells
    and its outputs, never its code: what both engines render), and the staged ``_quarto.yml`` listing them
    between the presentation and the signatories' page. Returns the book's chapter list."""
    listed = ["index.qmd"]
    for name in chapters:
        notebook = src / "notebooks" / name
        qmd = notebook.with_suffix(".qmd")
        qmd.write_text(notebook_markdown(notebook) + "\n", encoding="utf-8")
        listed.append(f"notebooks/{qmd.name}")
    listed += ["firmas.qmd", "colofon.qmd"]
    config_path = src / "_quarto.yml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config.setdefault("book", {})["chapters"] = listed
    # Quarto renders only these (not the executed .ipynb they come from, which stay for the downloads).
    config.setdefault("project", {})["render"] = list(listed)
    header = "# Staged by informe build: the chapters come from params/<year>.yml (see the project's _quarto.yml).\n"
    config_path.write_text(header + yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return listed


def stage_sources(root: Path, executed: Path, src: Path, params: Params, info: dict, downloads: bool = True,
                  previous_downloads: PreviousDownloads | None = None, chapters: list[str] | None = None,
                  home: str = "") -> Path:
    """Copy everything the book needs into ``src``; return it.

    With ``downloads=False`` the tables' download files are left to :func:`write_staged_downloads` (the
    pip-only engine writes them while the PDF compiles). ``previous_downloads``: see
    :func:`~informe.publish.downloads.write_downloads`. ``home``: the key figures' Markdown, staged as
    ``_cifras-clave.md`` for index.qmd to include.
    """
    src.mkdir(parents=True, exist_ok=True)
    for name in QUARTO_FILES:
        shutil.copy2(root / name, src / name)
    shutil.copytree(root / ASSETS, src / ASSETS, dirs_exist_ok=True)
    shutil.copytree(executed, src / "notebooks", dirs_exist_ok=True)
    notebooks = sorted((src / "notebooks").glob("*.ipynb"))
    labels: set[str] = set()
    for notebook in notebooks:
        stage_figures(notebook, src / "notebooks" / FIGURES, labels)
    if downloads:
        write_staged_downloads(src, previous_downloads)
    stage_chapters(src, chapters if chapters is not None else [n.name for n in notebooks])
    (src / KEY_FIGURES).write_text(home, encoding="utf-8")
    index = src / "index.qmd"
    index.write_text("\n".join(KEY_FIGURES_SECTION if line.startswith(KEY_FIGURES_MARKER) else line
                               for line in index.read_text(encoding="utf-8").split("\n")), encoding="utf-8")
    (src / "colofon.qmd").write_text(colophon_markdown(params, info), encoding="utf-8")
    (src / "firmas.qmd").write_text(signatories_markdown(params), encoding="utf-8")
    (src / "_quarto-build.yml").write_text(yaml.safe_dump(book_metadata(params), allow_unicode=True),
                                           encoding="utf-8")
    return src


def write_staged_downloads(src: Path, previous: PreviousDownloads | None = None) -> None:
    """Every table's download files, next to the staged chapters (so that the tables' relative links work
    in both engines' HTML); the unchanged ones copied from ``previous`` (the last build's)."""
    notebooks = sorted((src / "notebooks").glob("*.ipynb"))
    try:
        write_downloads(notebooks, src / "notebooks" / DOWNLOADS_DIR, previous)
    except DownloadError as exc:
        raise BookError(str(exc)) from exc


# --------------------------------------------------------------------------
# Quarto engine
# --------------------------------------------------------------------------

def render_quarto(quarto: str, src: Path, html_dir: Path, pdf: Path | None) -> None:
    """HTML book and Typst PDF with one ``quarto render`` of every format of ``_quarto.yml`` (the project is
    set up and its notebooks read once, not once per format). Both land in ``_book/``: the PDF is moved out, the
    rest is the HTML book. ``pdf=None``: the HTML book only (``informe preview``)."""
    book = src / "_book"
    shutil.rmtree(book, ignore_errors=True)
    # Without --to, `quarto render` of a project renders every format of _quarto.yml (html and typst).
    formats = [] if pdf is not None else ["--to", "html"]
    proc = subprocess.run([quarto, "render", str(src), *formats, "--profile", "build", "--no-execute"],
                          capture_output=True, text=True)
    if proc.returncode:
        raise BookError(f"quarto render falló:\n{(proc.stderr or proc.stdout)[-3000:]}")
    if pdf is not None:
        pdfs = sorted(book.glob("*.pdf"))
        if not pdfs:
            raise BookError("quarto render no produjo ningún PDF en _book/ (formato typst)")
        shutil.move(str(pdfs[0]), pdf)
    if not (book / "index.html").exists():
        raise BookError("quarto render no produjo el libro HTML (_book/index.html)")
    shutil.copytree(book, html_dir, dirs_exist_ok=True)
    from .html_book import finish_quarto_book

    finish_quarto_book(src, load_book_config(src), html_dir)


# --------------------------------------------------------------------------
# pip-only engine
# --------------------------------------------------------------------------

def _meta_shortcodes(text: str, config: dict) -> str:
    """Replace Quarto's ``{{< meta a.b >}}`` shortcodes with the metadata value."""
    def value(match):
        node = config
        for part in match.group(1).split("."):
            node = node.get(part, "") if isinstance(node, dict) else ""
        return escape_markdown(node)
    return re.sub(r"\{\{<\s*meta\s+([\w.-]+)\s*>\}\}", value, text)


def _output_markdown(output: dict, stem: str) -> str:
    if output.get("output_type") == "error":
        raise BookError(f"{stem}: el cuaderno ejecutado contiene un error ({output.get('ename')})")
    data = output.get("data", {})
    if "text/markdown" in data:  # tables, texts, and the charts (staged as Markdown figures)
        return data["text/markdown"]
    if any(mime in data for mime, _ in IMAGE_MIMES):
        raise BookError(f"{stem}: una figura no se preparó como figura Markdown (stage_figures)")
    return ""  # plain text, streams and HTML-only outputs are not part of the printed report


def notebook_markdown(notebook: Path) -> str:
    """A staged notebook as Markdown: its Markdown cells and its code cells' outputs, never the code."""
    nb = nbformat.read(notebook, as_version=4)
    parts = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            parts.append(cell.source)
        elif cell.cell_type == "code":
            parts += [_output_markdown(o, notebook.stem) for o in cell.get("outputs", [])]
    return "\n\n".join(p for p in parts if p.strip())


def book_chapters(src: Path, config: dict) -> list[str]:
    """Each chapter of ``_quarto.yml`` as Markdown, in order (figures resolve from ``src/figuras``)."""
    staged = src / "notebooks" / FIGURES
    if staged.exists():
        shutil.copytree(staged, src / FIGURES, dirs_exist_ok=True)
    (src / FIGURES).mkdir(exist_ok=True)
    chapters = []
    for chapter in config["book"]["chapters"]:
        path = src / (chapter if isinstance(chapter, str) else chapter["href"])
        if not path.exists():
            raise BookError(f"falta el capítulo {path.name} listado en _quarto.yml")
        text = notebook_markdown(path) if path.suffix == ".ipynb" else path.read_text(encoding="utf-8")
        chapters.append(_meta_shortcodes(_include_shortcodes(text, path.parent), config))
    return chapters


def _include_shortcodes(text: str, folder: Path) -> str:
    """Replace Quarto's ``{{< include file.md >}}`` shortcodes with the file's text (a staged file of ``folder``;
    a missing one is an error, as in Quarto)."""
    def content(match):
        path = folder / match.group(1)
        if not path.is_file() or folder.resolve() not in path.resolve().parents:
            raise BookError(f"falta el archivo {match.group(1)} que incluye un capítulo")
        return path.read_text(encoding="utf-8")
    return re.sub(r"\{\{<\s*include\s+([\w./-]+)\s*>\}\}", content, text)


def lua_filter_args(src: Path) -> list[str]:
    """``--lua-filter`` arguments for the pip-only engine's pandoc call to Typst."""
    return [arg for name in LUA_FILTERS for arg in ("--lua-filter", str(src / ASSETS / name))]


def without_smart(args: tuple[str, ...] | list[str]) -> list[str]:
    """Pandoc arguments whose Markdown reader (``-f markdown…``) has the ``smart`` extension off."""
    out = list(args)
    for i, arg in enumerate(out[:-1]):
        if arg in ("-f", "--from") and out[i + 1].startswith("markdown") and "-smart" not in out[i + 1]:
            out[i + 1] = out[i + 1].replace("+smart", "") + "-smart"
    return out


def pandoc_text(src: Path, text: str, args: list[str]) -> str:
    """pandoc's output (stdout) for the Markdown ``text``, with ``src`` as working directory (relative
    resource paths resolve there).

    Every pandoc call of the book reads its Markdown without ``smart``: text from the workbooks keeps its
    straight quotes, ``--`` and ``...`` in the HTML book and in the PDF.
    """
    proc = subprocess.run([pypandoc.get_pandoc_path(), *without_smart(args)], input=text, capture_output=True,
                          text=True, encoding="utf-8", cwd=src)
    if proc.returncode:
        raise BookError(f"pandoc falló: {proc.stderr.strip()[-2000:]}")
    return proc.stdout


def convert_book(src: Path, chapters: list[str], args: list[str], pieces: ChapterPieces | None = None) -> str:
    """pandoc's output of the book's ``chapters`` with ``args`` (``-t html5`` or ``-t typst``), reusing the
    unchanged chapters of ``pieces`` (see :mod:`.chapters`)."""
    to = args[args.index("-t") + 1]
    filters = {arg: hashlib.sha256(Path(arg).read_bytes()).hexdigest() for arg in args if arg.endswith(".lua")}
    salt = json.dumps([pypandoc.get_pandoc_version(), [filters.get(a, a) for a in args]], ensure_ascii=False)
    return convert_chapters(chapters, to, lambda text, extra: pandoc_text(src, text, [*args, *extra]), salt,
                            pieces)


def _typst_string(value: object) -> str:
    """A Typst string literal: Typst's escapes are JSON's, but for ``\\u{…}`` (control characters)."""
    return re.sub(r"\\u([0-9a-fA-F]{4})", r"\\u{\1}", json.dumps(str(value), ensure_ascii=False))


def render_pandoc(src: Path, html_dir: Path, pdf: Path | None, downloads: bool = False,
                  pieces: ChapterPieces | None = None, previous_downloads: PreviousDownloads | None = None,
                  pages: PageCache | None = None, search: bool = True) -> None:
    """HTML book (pandoc HTML5 split into chapter pages) and PDF (pandoc → Typst → typst) from the staged sources.

    The two run side by side: the PDF's pandoc and typst (which releases the GIL) in one thread, the HTML
    book's pandoc in another, while this thread writes the download files (``downloads``) and then builds
    the pages (measured on 2 cores: 2.25 s one after the other, see ``benchmarks/build_time.py``).
    """
    from .html_book import pandoc_body, render_html_book  # it imports this module

    config = load_book_config(src)
    chapters = book_chapters(src, config)
    (src / "book.md").write_text("\n\n".join(chapters) + "\n", encoding="utf-8")
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="informe-render") as pool:
        pdf_job = pool.submit(render_pdf, src, config, pdf, chapters, pieces) if pdf is not None else None
        body_job = pool.submit(pandoc_body, src, chapters, pieces)
        if downloads:
            write_staged_downloads(src, previous_downloads)
        render_html_book(src, config, html_dir, body=body_job.result(), cache=pages, search=search)
        if pdf_job is not None:
            pdf_job.result()


def render_pdf(src: Path, config: dict, pdf: Path, chapters: list[str] | None = None,
               pieces: ChapterPieces | None = None) -> None:
    """The PDF: pandoc turns the chapters into Typst (reusing the unchanged ones of ``pieces``), the
    ``typst`` package compiles it with the shared template."""
    info = config["informe"]
    chapters = book_chapters(src, config) if chapters is None else chapters
    typst_body = convert_book(src, chapters, ["-f", MARKDOWN_READER, "-t", "typst", *lua_filter_args(src)],
                              pieces)
    body = src / "body.typ"  # an included file has its own scope: it imports what the raw Typst blocks call
    typst_body = typst_with_alt(typst_body, figure_alts("\n".join(chapters)))
    body.write_text(f'#import "{ASSETS}/typst-template.typ": firmas\n' + typst_body, encoding="utf-8")
    main = (f'#import "{ASSETS}/typst-template.typ": informe\n'
            f"#show: informe.with(title: {_typst_string(config['book']['title'])}, "
            f"year: {_typst_string(info['year'])}, cutoff: {_typst_string(info['cutoff'])}, "
            f"agency: {_typst_string(info['agency'])}, demo: {'true' if info.get('demo') else 'false'})\n"
            '#include "body.typ"\n')
    (src / "main.typ").write_text(main, encoding="utf-8")
    compile_pdf(src / "main.typ", pdf, src)


def compile_pdf(main: Path, pdf: Path, root: Path) -> None:
    """``main`` compiled by the ``typst`` package as an accessible PDF (PDF/UA-1, ``PDF_STANDARDS``).

    Typst checks the standard while it writes: an image without alternative text, a document without a
    title… stop the build with a Spanish message naming what is missing and where, never a PDF that only
    looks accessible.
    """
    try:
        typst.compile(str(main), output=str(pdf), root=str(root), font_paths=[str(bundled_fonts())],
                      pdf_standards=list(PDF_STANDARDS))
    except Exception as exc:  # noqa: BLE001 - typst raises its own error types
        raise BookError(typst_error_message(exc)) from exc


def typst_error_message(exc: Exception) -> str:
    """typst's error in Spanish: a refused PDF standard says which requirement failed, and where."""
    message = str(getattr(exc, "message", "") or exc).strip()
    where = str(getattr(exc, "diagnostic", "") or "").strip()
    hints = [str(h) for h in (getattr(exc, "hints", None) or [])]
    if "PDF/UA" not in message and "PDF/A" not in message:
        return f"typst no pudo compilar el PDF: {exc}"
    images = sorted(set(re.findall(r'image\("([^"]+)"', where)))
    if images:
        hints.insert(0, "imágenes: " + ", ".join(images))
    requirement = next((spanish for english, spanish in PDF_UA_REQUIREMENTS.items() if english in message),
                       "un requisito de la norma")
    detail = "\n".join(part for part in (where, *(f"pista de typst: {h}" for h in hints if h not in where)) if part)
    return (f"el PDF no cumple la norma de accesibilidad PDF/UA-1 ({requirement}); typst se negó a escribirlo "
            f"(«{message}»). Corrija el contenido indicado y vuelva a construir."
            + (f"\n{detail}" if detail else ""))


def bundled_fonts() -> Path:
    """The DejaVu fonts that ship with matplotlib (``mpl-data/fonts/ttf``, what ``matplotlib.get_data_path``
    points to), found without importing matplotlib (0.14 s of the render)."""
    spec = find_spec("matplotlib")
    if spec is None or spec.origin is None:
        raise BookError("falta matplotlib, que trae las fuentes DejaVu del PDF: ejecute `make setup`")
    return Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf"


def render_book(root: Path, executed: Path, work: Path, out_dir: Path, params: Params, info: dict,
                engine: str = "auto", pieces: ChapterPieces | None = None,
                previous_downloads: PreviousDownloads | None = None, chapters: list[str] | None = None,
                home: str = "", pdf: bool = True, pages: PageCache | None = None, search: bool = True) -> BookResult:
    """Stage the sources in ``work`` and render ``out_dir/book/`` and ``out_dir/informe-gestion-<year>.pdf``
    (``pdf=False``: the HTML book only, as ``informe preview`` renders it while the analyst writes).

    ``pieces``: the pip-only engine's converted chapters to reuse and keep (see :mod:`.chapters`);
    ``previous_downloads``: the last build's download files, written by the same code, to copy the
    unchanged tables' from; ``pages``: the pip-only engine's pages prepared by this process's previous renders
    (``informe preview``, see :class:`~.html_book.PageCache`); ``search=False``: the pip-only engine's HTML
    without its search index (``informe preview`` makes it after the reload, see
    :meth:`~.pipeline.Session.index_search`).
    """
    quarto = find_quarto() if engine in ("auto", "quarto") else None
    if engine == "quarto" and quarto is None:
        raise BookError("no se encontró Quarto (defina QUARTO o agréguelo al PATH), o use --engine pandoc")
    chosen = "quarto" if quarto else "pandoc"
    info = {**info, "engine": "Quarto" if quarto else "pandoc + typst (solo pip)"}
    src = stage_sources(root, executed, work / "book-src", params, info, downloads=bool(quarto),
                        previous_downloads=previous_downloads, chapters=chapters, home=home)
    html_dir, pdf_path = out_dir / "book", out_dir / f"informe-gestion-{params.year}.pdf"
    if quarto:
        render_quarto(quarto, src, html_dir, pdf_path if pdf else None)
    else:
        render_pandoc(src, html_dir, pdf_path if pdf else None, downloads=True, pieces=pieces,
                      previous_downloads=previous_downloads, pages=pages, search=search)
    return BookResult(chosen, html_dir, pdf_path if pdf else None)
