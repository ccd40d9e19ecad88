"""The year's chapter texts: ``data/<year>/textos/<slug>.md`` or ``.docx``, written by the analysts.

A text is read by pandoc (from ``pypandoc-binary``, with ``--sandbox``: it opens no other file) into
its syntax tree, which is checked before anything else sees it. Refused, naming the file and the
paragraph (its top-level block, counted from 1 as a reader counts headings, paragraphs, lists and
tables): a file that is not UTF-8 or not a Word document, one over the size limit, raw HTML, LaTeX or
Typst, a Quarto shortcode (``{{< … >}}``, an include), Typst code typed as text (``#read(…)``), a link
that is not ``http(s)``, ``mailto`` or an anchor (``javascript:``, a local file), a remote image. Every
attribute (``{.class}``, ``{#id}``) is dropped and every div or span unwrapped: nothing in a text is
ever interpreted as markup of an output format or executed.

What a text may hold besides prose (headings, lists, emphasis, footnotes, links, tables):

* ``{{nombre}}``: a figure of the report by name (resolved and formatted by
  :mod:`informe.report.chapter`; the names are listed in the analyst's guide);
* a paragraph that is only ``{{tabla nombre}}`` (or ``{{figura nombre}}``): where a table or chart of
  the chapter's notebook goes;
* images (inside a .docx, or PNG/JPEG files next to a .md): they become numbered figures with their
  alternative text (a missing one is a warning naming the image).

The result, :class:`ChapterText`, is the text cut into parts (Markdown, table markers, images) and
its paragraphs as plain text (for the check of hand-typed figures against the data).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import tempfile
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .problems import WARNING, Problem
from .safety import UnsafeInput, bad_characters, check_input_file, check_zip_members

TEXT_DIR = "textos"
SUFFIXES = (".md", ".docx")
MAX_MARKDOWN_BYTES = 1024 * 1024  # a chapter of the 2022 report is at most ~80 KB of Markdown
MAX_DOCX_BYTES = 30 * 1024 * 1024
MAX_DOCX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_IMAGE_BYTES = 10 * 1024 * 1024
PANDOC_TIMEOUT = 60
# pandoc's Markdown as analysts type it: no smart quotes (text prints as typed), no ``$…$`` math (pesos are
# written with $), no citations (@), no YAML block; raw HTML/LaTeX/attributes stay *on* so that they are
# found and refused rather than silently printed.
MARKDOWN_READER = "markdown-smart-tex_math_dollars-tex_math_single_backslash-citations-yaml_metadata_block"
MARKDOWN_WRITER = "markdown-smart-simple_tables-multiline_tables-grid_tables-raw_html-raw_attribute-raw_tex"
MARKER = re.compile(r"^\{\{\s*(tabla|figura)\s+([a-z0-9][a-z0-9_.\-]*)\s*\}\}$")
CITATION = re.compile(r"\{\{\s*([a-z0-9][a-z0-9_.\-]*)\s*\}\}")
SHORTCODE = re.compile(r"\{\{\s*[<%]")
TYPST_CODE = re.compile(r"(?<![\w&])#(?:[A-Za-z_][\w-]*(?:\.[\w-]+)*\s*[(\[{]|(?:set|show|let|import|include)\b)")
SAFE_SCHEMES = ("http://", "https://", "mailto:")
TEXT_TABLE_LABEL = "tbl-texto-"  # a captioned table of a text: numbered, without a download (it is prose, not data)
IMAGE_TYPES = {b"\x89PNG\r\n\x1a\n": ("image/png", "png"), b"\xff\xd8\xff": ("image/jpeg", "jpg")}


class TextError(Exception):
    """A text that cannot be used at all; ``paragraph`` locates it when known."""

    def __init__(self, message: str, paragraph: int | None = None):
        super().__init__(message)
        self.paragraph = paragraph


@dataclass
class TextPart:
    """A piece of a chapter text: ``markdown`` (prose), ``block`` (a table or chart of the notebook,
    by ``name``) or ``image`` (``data`` in base64, ``mime``, ``alt``, ``caption``)."""

    kind: str
    paragraph: int
    markdown: str = ""
    name: str = ""
    mime: str = ""
    data: str = ""
    alt: str = ""
    caption: str = ""


@dataclass
class ChapterText:
    """One chapter's text, checked and cut into parts."""

    slug: str
    file: str  # as the analyst sees it: ``textos/inversion.md``
    parts: list[TextPart] = field(default_factory=list)
    paragraphs: list[tuple[int, str]] = field(default_factory=list)  # (paragraph, plain text)
    sha256: str = ""

    @property
    def citations(self) -> list[tuple[str, int]]:
        """Every ``{{nombre}}`` of the text with its paragraph."""
        return [(m.group(1), n) for n, text in self.paragraphs for m in CITATION.finditer(text)
                if not MARKER.match(text.strip())]

    @property
    def markers(self) -> list[tuple[str, int]]:
        return [(p.name, p.paragraph) for p in self.parts if p.kind == "block"]

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> ChapterText:
        text = cls(data["slug"], data["file"], [TextPart(**p) for p in data["parts"]],
                   [(int(n), str(t)) for n, t in data["paragraphs"]], data.get("sha256", ""))
        return text


# --------------------------------------------------------------------------
# Finding the texts
# --------------------------------------------------------------------------

def text_files(data_dir: Path) -> tuple[dict[str, Path], list[Problem]]:
    """``slug → file`` of ``data_dir/textos``; a slug with both a .md and a .docx is an error, files
    that are not texts (Word's ``~$`` owner files, hidden files) are ignored, others are warned about."""
    folder = Path(data_dir) / TEXT_DIR
    found: dict[str, Path] = {}
    problems: list[Problem] = []
    if not folder.is_dir():
        return found, problems
    for path in sorted(folder.iterdir()):
        name = path.name
        if name.startswith(("~$", ".")) or name in ("Thumbs.db", "desktop.ini"):
            continue
        if path.suffix.lower() not in SUFFIXES:
            if path.suffix.lower() in (".png", ".jpg", ".jpeg"):
                continue  # images a Markdown text shows
            if path.suffix.lower() in (".doc", ".odt", ".rtf", ".txt"):
                problems.append(Problem(f"{TEXT_DIR}/{name}", "", None, "",
                                        "este formato no se lee: guarde el texto como Word (.docx) o Markdown (.md)",
                                        WARNING))
            continue
        slug = path.stem
        if slug in found:
            problems.append(Problem(f"{TEXT_DIR}/{name}", "", None, "",
                                    f"hay dos textos para el capítulo «{slug}» ({found[slug].name} y {name}); "
                                    "deje solo uno"))
            continue
        found[slug] = path
    return found, problems


def read_texts(data_dir: Path, slugs: list[str] | None = None,
               cache: TextCache | None = None) -> tuple[dict[str, ChapterText], list[Problem]]:
    """Every chapter text of ``data_dir`` (only ``slugs`` when given); never raises for bad input.

    The texts are read side by side (pandoc runs in its own process); with ``cache`` (a build's), a text whose
    bytes and code are those of the last build is not read again.
    """
    from concurrent.futures import ThreadPoolExecutor

    files, problems = text_files(data_dir)
    wanted = [(slug, path) for slug, path in files.items() if slugs is None or slug in slugs]

    def one(item: tuple[str, Path]) -> tuple[ChapterText | None, list[Problem]]:
        slug, path = item
        found = cache.get(path) if cache is not None else None
        if found is None:
            found = read_text(path, slug)
            if cache is not None:
                cache.put(path, found)
        return found

    texts: dict[str, ChapterText] = {}
    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="informe-textos") as pool:
        for (slug, _path), (text, found) in zip(wanted, pool.map(one, wanted)):
            problems += found
            if text is not None:
                texts[slug] = text
    return texts, problems


class TextCache:
    """Texts read by the last build, reused when a file's bytes and the code (``salt``) are the same (the
    texts' counterpart of :class:`~informe.data.validation_cache.WorkbookCache`)."""

    def __init__(self, previous: Path | None, salt: str, memory: TextCache | None = None):
        self.previous, self.salt = (Path(previous) if previous else None), salt
        self._asked: dict[str, str | None] = {}
        self._entries: dict[str, tuple[str, dict]] = {}
        # the previous build's entries in this process (informe preview): reused without reading them back
        self._memory = dict(memory._entries) if memory is not None and memory.salt == salt else {}
        self.hits: list[str] = []

    def key(self, path: Path) -> str | None:
        try:
            digest = hashlib.sha256(Path(path).read_bytes()).hexdigest() if Path(path).is_file() else None
        except OSError:
            digest = None
        if digest is None:
            return None
        return hashlib.sha256(json.dumps([self.salt, Path(path).name, digest]).encode()).hexdigest()

    def get(self, path: Path) -> tuple[ChapterText | None, list[Problem]] | None:
        name = Path(path).name
        key = self._asked[name] = self.key(path)
        kept = self._memory.get(name)
        if key is None:
            return None
        try:
            if kept is not None and kept[0] == key:
                entry = kept[1]
            elif self.previous is not None:
                entry = json.loads((self.previous / f"{name}.json").read_text(encoding="utf-8"))
            else:
                return None
            if entry.get("key") != key:
                return None
            text = ChapterText.from_json(entry["text"]) if entry.get("text") else None
            problems = [Problem(**p) for p in entry["problems"]]
        except (OSError, ValueError, KeyError, TypeError):
            return None
        self._entries[name] = (key, entry)
        self.hits.append(f"{TEXT_DIR}/{name}")
        return text, problems

    def put(self, path: Path, found: tuple[ChapterText | None, list[Problem]]) -> None:
        name = Path(path).name
        key = self._asked.pop(name, None) or self.key(path)
        if key is not None:
            text, problems = found
            self._entries[name] = (key, {"key": key, "text": text.to_json() if text else None,
                                         "problems": [asdict(p) for p in problems]})

    def save(self, target: Path) -> None:
        target = Path(target)
        target.mkdir(parents=True, exist_ok=True)
        for name, (_key, entry) in self._entries.items():
            (target / f"{name}.json").write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")


# --------------------------------------------------------------------------
# Reading one text
# --------------------------------------------------------------------------

def read_text(path: Path, slug: str | None = None) -> tuple[ChapterText | None, list[Problem]]:
    """Read and check one text; return it (None when it cannot be used) and its problems."""
    path = Path(path)
    shown = f"{TEXT_DIR}/{path.name}"
    try:
        raw = _file_bytes(path)
        with tempfile.TemporaryDirectory(prefix="informe-texto-") as media:
            if path.suffix.lower() == ".docx":
                tree = _pandoc_json(raw, ["-f", "docx", f"--extract-media={media}"], media)
                images_root = Path(media)
            else:
                tree = _pandoc_json(_markdown_source(raw), ["-f", MARKDOWN_READER], media)
                images_root = path.parent
            problems: list[Problem] = []
            text = _chapter_text(tree, slug or path.stem, shown, images_root, problems)
    except TextError as exc:
        return None, [Problem(shown, "", None, "", str(exc), paragraph=exc.paragraph)]
    text.sha256 = hashlib.sha256(json.dumps(text.to_json(), sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    if any(p.is_error for p in problems):
        return None, problems
    return text, problems


def _file_bytes(path: Path) -> bytes:
    limit = MAX_DOCX_BYTES if path.suffix.lower() == ".docx" else MAX_MARKDOWN_BYTES
    try:
        info = check_input_file(path, max_bytes=2**62)  # the kind of file only: the size is judged below
    except UnsafeInput as exc:
        raise TextError(str(exc).replace("libro de Excel", "texto").replace(".xlsx", ".md o .docx")) from None
    except OSError as exc:
        raise TextError(f"no se puede leer ({exc.strerror or exc})") from None
    if info.st_size > limit:
        raise TextError(f"pesa {info.st_size / 1024 / 1024:.1f} MB, más que el límite de {limit // 1024 // 1024} MB "
                        "para el texto de un capítulo; divídalo o quite imágenes muy pesadas")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TextError(f"no se puede leer ({exc.strerror or exc})") from None
    if path.suffix.lower() == ".docx":
        _check_docx(path, data)
    return data


def _check_docx(path: Path, data: bytes) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            check_zip_members(zf, max_total=MAX_DOCX_UNCOMPRESSED)
            if "word/document.xml" not in zf.namelist():
                raise TextError("no es un documento de Word (.docx): le falta word/document.xml; ábralo en Word "
                                "y guárdelo de nuevo como .docx")
            bad = zf.testzip()
            if bad is not None:
                raise TextError(f"el documento está dañado (la parte interna {bad} no se puede leer); ábralo en "
                                "Word y guárdelo de nuevo")
    except zipfile.BadZipFile:
        raise TextError("no es un documento de Word (.docx) válido (el archivo está dañado o no es un .docx); "
                        "ábralo en Word y guárdelo de nuevo como .docx") from None
    except UnsafeInput as exc:
        raise TextError(str(exc).replace("libro de Excel", "documento de Word")) from None
    except (OSError, EOFError, zipfile.LargeZipFile, RuntimeError, ValueError) as exc:
        raise TextError(f"el documento está dañado ({exc}); ábralo en Word y guárdelo de nuevo") from None


def _markdown_source(data: bytes) -> bytes:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise TextError("está guardado en UTF-16; guárdelo como UTF-8 (en el Bloc de notas: Guardar como → "
                        "Codificación UTF-8)")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise TextError(f"no está en UTF-8 (byte 0x{data[exc.start]:02X} en la línea {line}); guárdelo con "
                        "codificación UTF-8") from None
    for number, text_line in enumerate(text.splitlines(), start=1):
        bad = bad_characters(text_line)
        if bad:
            raise TextError(f"la línea {number} tiene caracteres de control o no válidos ({', '.join(bad)}); "
                            "bórrelos")
    return text.encode("utf-8")


def _pandoc_json(source: bytes, reader: list[str], media: str) -> dict:
    import pypandoc

    try:
        proc = subprocess.run([pypandoc.get_pandoc_path(), "--sandbox", *reader, "-t", "json"], input=source,
                              capture_output=True, timeout=PANDOC_TIMEOUT, cwd=media)
    except subprocess.TimeoutExpired:
        raise TextError(f"pandoc no terminó de leerlo en {PANDOC_TIMEOUT} s; el archivo parece dañado") from None
    if proc.returncode:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise TextError("no se pudo leer" + (f" ({detail[-1][:300]})" if detail else "")
                        + "; ábralo y guárdelo de nuevo")
    try:
        return json.loads(proc.stdout)
    except ValueError:
        raise TextError("pandoc no devolvió un documento legible") from None


# --------------------------------------------------------------------------
# Checking the syntax tree
# --------------------------------------------------------------------------

def stringify(node) -> str:
    """The plain text of a pandoc JSON node (list, block or inline)."""
    if isinstance(node, list):
        return "".join(stringify(n) for n in node)
    if not isinstance(node, dict):
        return ""
    kind = node.get("t")
    content: Any = node.get("c")  # pandoc JSON: the shape of the content depends on the kind
    if kind == "Str":
        return content
    if kind in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if kind in ("Code", "Math"):
        return content[-1]
    if kind in ("RawInline", "RawBlock"):
        return content[1]
    if kind == "CodeBlock":
        return content[1]
    if kind in ("Para", "Plain", "Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript",
                "SmallCaps"):
        return stringify(content)
    if kind in ("Link", "Image", "Span", "Quoted", "Cite"):
        return stringify(content[1])
    if kind == "Header":
        return stringify(content[2])
    if kind in ("BulletList",):
        return " ".join(stringify(item) for item in content)
    if kind == "OrderedList":
        return " ".join(stringify(item) for item in content[1])
    if kind in ("BlockQuote", "Div", "Note"):
        inner = " ".join(stringify(b) for b in (content if kind != "Div" else content[1]))
        return f" {inner} " if kind == "Note" else inner
    if kind == "Figure":
        return stringify(content[2])
    if kind == "Table":
        return " ".join(stringify(x) for x in _table_cells(content))
    if kind == "DefinitionList":
        return " ".join(stringify(term) + " " + stringify(defs) for term, defs in content)
    return stringify(content) if isinstance(content, list) else ""


def _table_cells(content) -> list:
    """Every cell's blocks of a pandoc Table node (caption, head, bodies, foot)."""
    cells = [content[1][1]] if content[1] else []
    head, bodies, foot = content[3], content[4], content[5]
    rows = list(head[1]) + [r for body in bodies for r in body[2] + body[3]] + list(foot[1])
    for row in rows:
        for cell in row[1]:
            cells.append(cell[4])
    return cells


EMPTY_ATTR = ["", [], []]


class _Checker:
    """Walks the tree: refuses what must never reach a book, drops attributes, collects images."""

    def __init__(self, file: str, images_root: Path, problems: list[Problem], label_prefix: str = "texto"):
        self.file, self.images_root, self.problems = file, images_root, problems
        self.label_prefix = label_prefix
        self.ids: set[str] = set()
        self.paragraph = 0
        self.images: list[dict] = []

    def heading_id(self, title: str) -> str:
        base = f"{self.label_prefix}-{_slug(title)}"
        candidate, n = base, 2
        while candidate in self.ids:
            candidate, n = f"{base}-{n}", n + 1
        self.ids.add(candidate)
        return candidate

    def error(self, message: str) -> None:
        self.problems.append(Problem(self.file, "", None, "", message, paragraph=self.paragraph or None))

    def warn(self, message: str) -> None:
        self.problems.append(Problem(self.file, "", None, "", message, WARNING, paragraph=self.paragraph or None))

    def blocks(self, blocks: list) -> list:
        out = []
        for block in blocks:
            out += self.block(block)
        return out

    def block(self, node: dict) -> list:
        kind = node.get("t")
        c: Any = node.get("c")  # pandoc JSON: the shape of the content depends on the kind
        if kind == "RawBlock":
            self.error(f"contiene código {c[0].upper()} sin procesar («{_excerpt(c[1])}»); escriba solo texto")
            return []
        if kind == "Div":  # unwrapped: a class such as .content-hidden must not hide or show anything
            return self.blocks(c[1])
        if kind in ("Para", "Plain"):
            return [{"t": kind, "c": self.inlines(c)}]
        if kind == "Header":  # an id of its own chapter: the same heading in two chapters is two anchors
            return [{"t": "Header", "c": [c[0], [self.heading_id(stringify(c[2])), [], []], self.inlines(c[2])]}]
        if kind == "CodeBlock":
            return [{"t": "CodeBlock", "c": [EMPTY_ATTR, c[1]]}]
        if kind in ("BlockQuote",):
            return [{"t": kind, "c": self.blocks(c)}]
        if kind == "BulletList":
            return [{"t": kind, "c": [self.blocks(item) for item in c]}]
        if kind == "OrderedList":
            return [{"t": kind, "c": [c[0], [self.blocks(item) for item in c[1]]]}]
        if kind == "DefinitionList":
            return [{"t": kind, "c": [[self.inlines(term), [self.blocks(d) for d in defs]] for term, defs in c]}]
        if kind == "LineBlock":
            return [{"t": kind, "c": [self.inlines(line) for line in c]}]
        if kind == "Figure":
            return [{"t": "Figure", "c": [EMPTY_ATTR, [c[1][0], self.blocks(c[1][1])], self.blocks(c[2])]}]
        if kind == "Table":
            return [self.table(c)]
        if kind == "HorizontalRule":
            return [node]
        self.error(f"contiene un elemento que el informe no admite ({kind})")
        return []

    def table(self, c: list) -> dict:
        caption = [c[1][0], self.blocks(c[1][1])]

        def rows(rs):
            return [[EMPTY_ATTR, [[EMPTY_ATTR, cell[1], cell[2], cell[3], self.blocks(cell[4])] for cell in r[1]]]
                    for r in rs]

        head = [EMPTY_ATTR, rows(c[3][1])]
        bodies = [[EMPTY_ATTR, b[1], rows(b[2]), rows(b[3])] for b in c[4]]
        foot = [EMPTY_ATTR, rows(c[5][1])]
        # A table with a caption is numbered like the notebooks' tables (a label of its own); one without stays
        # unnumbered, introduced by the text around it.
        title = " ".join(stringify(caption[1]).split())
        attr = [f"{TEXT_TABLE_LABEL}{self.label_prefix}-{_slug(title)}", [], []] if title else EMPTY_ATTR
        return {"t": "Table", "c": [attr, caption, c[2], head, bodies, foot]}

    def inlines(self, inlines: list) -> list:
        out = []
        for node in inlines:
            out += self.inline(node)
        return out

    def inline(self, node: dict) -> list:
        kind = node.get("t")
        c: Any = node.get("c")  # pandoc JSON: the shape of the content depends on the kind
        if kind == "RawInline":
            self.error(f"contiene código {c[0].upper()} sin procesar («{_excerpt(c[1])}»); escriba solo texto")
            return []
        if kind == "Span":
            return self.inlines(c[1])
        if kind == "Link":
            target = c[2][0]
            if not (target.lower().startswith(SAFE_SCHEMES) or target.startswith("#")):
                self.error(f"el enlace «{_excerpt(stringify(c[1]))}» apunta a «{_excerpt(target)}»: solo se admiten "
                           "enlaces web (http:// o https://), de correo (mailto:) o a una sección del informe (#)")
                return self.inlines(c[1])
            return [{"t": "Link", "c": [EMPTY_ATTR, self.inlines(c[1]), c[2]]}]
        if kind == "Image":
            self.image(c)
            return []
        if kind == "Note":
            return [{"t": "Note", "c": self.blocks(c)}]
        if kind == "Code":
            return [{"t": "Code", "c": [EMPTY_ATTR, c[1]]}]
        if kind == "Cite":
            return self.inlines(c[1])
        if kind in ("Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps"):
            return [{"t": kind, "c": self.inlines(c)}]
        if kind == "Quoted":
            return [{"t": kind, "c": [c[0], self.inlines(c[1])]}]
        if kind == "Math":  # only from a docx equation: printed as typed, never as markup
            return [{"t": "Str", "c": c[1]}]
        return [node]

    def image(self, c: list) -> None:
        target, title = c[2]
        alt = " ".join(stringify(c[1]).split())
        shown = target.rsplit("/", 1)[-1]
        if target.lower().startswith(("http://", "https://", "data:", "//")) or ":" in target.split("/")[0]:
            self.error(f"la imagen «{_excerpt(target)}» no es un archivo del documento: las imágenes van dentro "
                       "del .docx (o como PNG/JPEG en la carpeta textos/)")
            return
        path = (self.images_root / target)
        try:
            resolved = path.resolve(strict=True)
            root = self.images_root.resolve(strict=True)
        except OSError:
            self.error(f"no se encuentra la imagen «{_excerpt(shown)}»")
            return
        if not resolved.is_relative_to(root) or not resolved.is_file():
            self.error(f"la imagen «{_excerpt(target)}» está fuera de la carpeta del texto; póngala en textos/")
            return
        if resolved.stat().st_size > MAX_IMAGE_BYTES:
            self.error(f"la imagen «{_excerpt(shown)}» pesa más de {MAX_IMAGE_BYTES // 1024 // 1024} MB; redúzcala")
            return
        data = resolved.read_bytes()
        kind = next((v for magic, v in IMAGE_TYPES.items() if data.startswith(magic)), None)
        if kind is None:
            self.error(f"la imagen «{_excerpt(shown)}» no es PNG ni JPEG (p. ej. EMF, WMF o SVG); cópiela en Word "
                       "como imagen PNG o JPEG")
            return
        if not alt or alt.lower() == shown.lower() or alt.lower().startswith(("image", "imagen")) and len(alt) < 12:
            # In a .docx the file name is pandoc's (rId12.png), which Word never shows: the image's number instead.
            which = (f"la imagen {len(self.images) + 1} del documento" if self.file.endswith(".docx")
                     else f"la imagen «{_excerpt(shown)}»")
            self.warn(f"{which} no tiene texto alternativo; en Word: clic derecho sobre la imagen → Ver texto "
                      "alternativo, y describa lo que muestra")
            alt = ""
        self.images.append({"mime": kind[0], "data": base64.b64encode(data).decode("ascii"), "alt": alt,
                            "caption": " ".join(title.split()) if title and title != "fig:" else ""})

    def text_checks(self, text: str) -> None:
        shortcode = SHORTCODE.search(text)
        if shortcode:
            self.error(f"contiene un código corto de Quarto («{_excerpt(shortcode.group(0))}…»); "
                       "escriba solo texto (las cifras se citan como {{nombre}})")
        found = TYPST_CODE.search(text)
        if found:
            self.error(f"contiene código de Typst («{_excerpt(text[found.start():found.start() + 30])}»); "
                       "escriba solo texto")


def _slug(text: str) -> str:
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60] or "tabla"


def _excerpt(text: str, length: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _chapter_text(tree: dict, slug: str, file: str, images_root: Path, problems: list[Problem]) -> ChapterText:
    """Check every top-level block and cut the text into parts (prose, markers, images)."""
    checker = _Checker(file, images_root, problems, _slug(slug))
    result = ChapterText(slug, file)
    pieces: list[tuple[str, int, object]] = []  # ("blocks", n, [blocks]) | ("block", n, name) | ("image", n, dict)
    for number, block in enumerate(tree.get("blocks", []), start=1):
        checker.paragraph = number
        plain = " ".join(stringify(block).split())
        marker = MARKER.match(plain) if block.get("t") in ("Para", "Plain") else None
        if marker:
            pieces.append(("block", number, marker.group(2)))
            result.paragraphs.append((number, plain))
            continue
        before = len(checker.images)
        checker.text_checks(stringify(block))  # the whole block: lists, tables, notes, definition terms
        cleaned = checker.block(block)
        result.paragraphs.append((number, plain))
        if cleaned and any(stringify(b).strip() or b.get("t") in ("Table", "HorizontalRule") for b in cleaned):
            pieces.append(("blocks", number, cleaned))
        for image in checker.images[before:]:
            pieces.append(("image", number, image))
    markdown = _to_markdown([p for p in pieces if p[0] == "blocks"])
    texts = iter(markdown)
    for kind, number, value in pieces:
        if kind == "blocks":
            result.parts.append(TextPart("markdown", number, markdown=next(texts)))
        elif kind == "block":
            result.parts.append(TextPart("block", number, name=str(value)))
        else:
            result.parts.append(TextPart("image", number, **value))  # type: ignore[arg-type]
    return _merge_prose(result)


SEPARATOR = "INFORMESEPARADORDEPARTES"


def _to_markdown(pieces: list[tuple[str, int, object]]) -> list[str]:
    """Each piece's blocks as Markdown, in one pandoc run (a separator paragraph between pieces)."""
    if not pieces:
        return []
    import pypandoc

    blocks: list = []
    for i, (_kind, _n, value) in enumerate(pieces):
        if i:
            blocks.append({"t": "Para", "c": [{"t": "Str", "c": SEPARATOR}]})
        assert isinstance(value, list), "a «blocks» piece holds the list of its blocks"
        blocks += value
    document = {"pandoc-api-version": [1, 23, 1, 1], "meta": {}, "blocks": blocks}
    proc = subprocess.run([pypandoc.get_pandoc_path(), "--sandbox", "-f", "json", "-t", MARKDOWN_WRITER,
                           "--wrap=none", "--reference-location=block"],
                          input=json.dumps(document).encode("utf-8"), capture_output=True, timeout=PANDOC_TIMEOUT)
    if proc.returncode:
        raise TextError("no se pudo convertir a Markdown: " + proc.stderr.decode("utf-8", "replace")[-300:])
    parts = re.split(rf"(?m)^{SEPARATOR}\s*$", proc.stdout.decode("utf-8"))
    if len(parts) != len(pieces):
        raise TextError("no se pudo dividir el texto en partes")
    return [p.strip("\n") + "\n" for p in parts]


def _merge_prose(text: ChapterText) -> ChapterText:
    """Consecutive prose parts become one (the paragraph of the first is kept)."""
    merged: list[TextPart] = []
    for part in text.parts:
        if part.kind == "markdown" and merged and merged[-1].kind == "markdown":
            merged[-1].markdown += "\n" + part.markdown
        else:
            merged.append(part)
    text.parts = merged
    return text


def skeleton(text: ChapterText) -> str:
    """A new year's starting point from last year's text: its headings, its markers and its citations
    (never its prose), as Markdown for ``data/<new year>/textos/<slug>.md``."""
    lines: list[str] = []
    for part in text.parts:
        if part.kind == "block":
            lines += [f"{{{{tabla {part.name}}}}}", ""]
        elif part.kind == "markdown":
            for line in part.markdown.splitlines():
                if re.match(r"^#{1,6}\s", line):
                    lines += [line, ""]
                    lines += ["*Por escribir.*", ""]
                cited = CITATION.findall(line) if not line.startswith("#") else []
                if cited:
                    lines += ["Cifras citadas el año anterior en este apartado: "
                              + ", ".join(f"{{{{{name}}}}}" for name in dict.fromkeys(cited)) + ".", ""]
    if not lines or not lines[0].startswith("#"):
        lines = ["*Por escribir.*", ""] + lines
    return "\n".join(lines).strip() + "\n"
