"""Issue 19: the chapter texts (``data/<year>/textos/<slug>.md`` or ``.docx``) as read by informe.data.texts.

Hostile input is refused naming its kind, the file (``textos/<name>``) and the paragraph (the top-level block,
counted from 1, computed here from each fixture); a well-formed text keeps its structure; a Word document's
images become image parts with their alternative text (a missing one is a warning naming the image).
"""

from __future__ import annotations

import base64
import io
import os
import re
import struct
import zipfile
import zlib
from pathlib import Path

import pypandoc
import pytest

from informe.data.problems import ERROR, WARNING
from informe.data.texts import MAX_MARKDOWN_BYTES, ChapterText, read_text, read_texts

try:  # a Word document as Word writes it when python-docx is there; else pandoc writes it
    import docx as python_docx
except ImportError:  # pragma: no cover - depends on the environment
    python_docx = None


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

def png(rgb: bytes = b"\xff\x00\x00") -> bytes:
    """A valid 1×1 PNG of colour ``rgb``, written byte by byte."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" + rgb))
            + chunk(b"IEND", b""))


RED, BLUE = png(b"\xff\x00\x00"), png(b"\x00\x00\xff")


def document(*blocks: str) -> str:
    """Markdown whose top-level blocks are ``blocks`` (paragraph n is ``blocks[n - 1]``)."""
    return "\n\n".join(blocks) + "\n"


def paragraph_of(blocks: tuple[str, ...], block: str) -> int:
    return blocks.index(block) + 1


@pytest.fixture()
def textos(tmp_path) -> Path:
    folder = tmp_path / "data" / "textos"
    folder.mkdir(parents=True)
    return folder


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


UNSET = object()


def refused(path: Path, kind: str, paragraph=UNSET, excerpt: str | None = None):
    """Assert ``path`` is refused: no text, an error naming the file, matching ``kind`` (a regular
    expression), quoting ``excerpt`` and placed at ``paragraph``; return that error."""
    text, problems = read_text(path)
    assert text is None, f"{path.name} was accepted: {[p.markdown for p in text.parts]}"
    errors = [p for p in problems if p.severity == ERROR]
    assert errors, problems
    shown = f"textos/{path.name}"
    assert all(p.file == shown for p in problems), [p.file for p in problems]
    matching = [p for p in errors if re.search(kind, p.message)]
    assert matching, f"no error says {kind!r}: {[p.message for p in errors]}"
    error = matching[0]
    if paragraph is not UNSET:
        assert error.paragraph == paragraph, (error.paragraph, paragraph, error.message)
    if excerpt is not None:
        assert excerpt in error.message, error.message
    assert shown in str(error)  # what the analyst reads: «textos/x.md, párrafo n: …»
    if error.paragraph:
        assert f"párrafo {error.paragraph}" in str(error)
    return error


def accepted(path: Path, slug: str | None = None) -> tuple[ChapterText, list]:
    text, problems = read_text(path, slug)
    assert text is not None, [str(p) for p in problems]
    assert not [p for p in problems if p.severity == ERROR], [str(p) for p in problems]
    return text, problems


def to_html(markdown: str) -> str:
    return pypandoc.convert_text(markdown, "html", format="markdown", extra_args=["--wrap=none"])


# --------------------------------------------------------------------------
# Hostile Markdown: one kind each, at a paragraph the fixture knows
# --------------------------------------------------------------------------

INTRO = ("## Atracción de inversión", "La agencia acompañó a las empresas durante el año.", "- Un punto\n- Otro punto",
         "Un párrafo antes del bloque hostil.")

HOSTILE = [
    # (id, hostile block, what the message says, the excerpt it quotes)
    ("html-inline", "Texto con <b>x</b> en negrita.", r"código HTML sin procesar", "<b>"),
    ("html-script", "<script>alert(1)</script>", r"código HTML sin procesar", "<script>"),
    ("html-comment", "<!-- oculto para el lector -->", r"código HTML sin procesar", "<!--"),
    ("html-img-onerror", 'Una <img src="x" onerror="alert(1)"> imagen.', r"código HTML sin procesar", "onerror"),
    ("raw-typst-block", '```{=typst}\n#read("/etc/passwd")\n```', r"código TYPST sin procesar", "#read"),
    ("raw-html-block", "```{=html}\n<iframe src=x></iframe>\n```", r"código HTML sin procesar", "<iframe"),
    ("raw-latex-block", "```{=latex}\n\\input{/etc/passwd}\n```", r"código (LA)?TEX sin procesar", "\\input"),
    ("raw-inline-attribute", "Uno `<b>x</b>`{=html} dos.", r"código HTML sin procesar", "<b>"),
    ("latex-input", "\\input{x}", r"código TEX sin procesar", "\\input{x}"),
    ("latex-inline", "Un texto con \\input{x} dentro.", r"código TEX sin procesar", "\\input{x}"),
    ("latex-environment", "\\begin{itemize}\n\\item x\n\\end{itemize}", r"código TEX sin procesar", "\\begin{itemize}"),
    ("typst-read", 'El valor es #read("x") según el sistema.', r"código de Typst", '#read("x")'),
    ("typst-set", "#set text(fill: red)", r"código de Typst", "#set text"),
    ("typst-import", '#import "plantilla.typ": *', r"código de Typst", "#import"),
    ("typst-in-heading", '### Título #eval("1+1")', r"código de Typst", "#eval"),
    ("typst-in-table", "| A | B |\n|---|---|\n| #show: x | 2 |", r"código de Typst", "#show"),
    ("shortcode-include", "{{< include x.qmd >}}", r"código corto de Quarto", "{{<"),
    ("shortcode-meta", "El título es {{< meta title >}} este año.", r"código corto de Quarto", "{{<"),
    ("shortcode-env", "{{< env HOME >}}", r"código corto de Quarto", "{{<"),
    ("shortcode-percent", "{{% include x.qmd %}}", r"código corto de Quarto", "{{%"),
    ("shortcode-in-list", "- uno\n- {{< include x.qmd >}}", r"código corto de Quarto", "{{<"),
    ("shortcode-in-quote", "> {{< include x.qmd >}}", r"código corto de Quarto", "{{<"),
    ("shortcode-in-code", "```\n{{< include x.qmd >}}\n```", r"código corto de Quarto", "{{<"),
    ("link-javascript", "Vea [x](javascript:alert(1)).", r"enlace «x» apunta a «javascript:alert\(1\)»", None),
    ("link-javascript-upper", "Vea [x](JavaScript:alert(1)).", r"enlace «x» apunta a «JavaScript:", None),
    ("link-file", "Vea [x](file:///etc/passwd).", r"enlace «x» apunta a «file:///etc/passwd»", None),
    ("link-relative", "Vea [x](../params/2022.yml).", r"enlace «x» apunta a «\.\./params/2022\.yml»", None),
    ("link-data", "Vea [x](data:text/html;base64,PHNjcmlwdD4=).", r"enlace «x» apunta a «data:", None),
    ("link-autolink-file", "Vea <file:///etc/passwd>.", r"apunta a «file:///etc/passwd»", None),
    ("link-reference", "Vea [x][r].\n\n[r]: javascript:alert(1)", r"enlace «x» apunta a «javascript:", None),
    ("image-remote", "![Una foto](https://example.com/foto.png)", r"imagen «https://example\.com/foto\.png» no es un "
     r"archivo del documento", None),
    ("image-protocol-relative", "![Una foto](//example.com/foto.png)", r"imagen «//example\.com/foto\.png» no es",
     None),
]


@pytest.mark.parametrize("hostile,kind,excerpt", [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE])
def test_a_hostile_block_is_refused_naming_kind_file_and_paragraph(textos, hostile, kind, excerpt):
    blocks = (*INTRO, hostile, "Un párrafo final.")
    path = write(textos, "inversion.md", document(*blocks))
    refused(path, kind, paragraph_of(blocks, hostile), excerpt)


def test_the_paragraph_counts_top_level_blocks_as_a_reader_does(textos):
    """Heading, paragraph, list, table and quote are one block each; a hostile link in the sixth is paragraph 6."""
    blocks = ("# Título", "Un párrafo.", "1. uno\n2. dos", "| A | B |\n|---|---|\n| 1 | 2 |", "> Una cita.",
              "Vea [esto](file:///etc/passwd) y [aquello](javascript:void(0)).")
    path = write(textos, "retos.md", document(*blocks))
    text, problems = read_text(path)
    assert text is None
    assert [(p.paragraph, p.severity) for p in problems] == [(6, ERROR), (6, ERROR)]
    assert "file:///etc/passwd" in problems[0].message and "javascript:void(0)" in problems[1].message


def test_a_footnote_is_checked_at_the_paragraph_that_calls_it(textos):
    blocks = ("Primer párrafo.", "Segundo párrafo con nota[^1].", "[^1]: Vea [x](file:///etc/passwd).")
    path = write(textos, "retos.md", document(*blocks))
    refused(path, r"apunta a «file:///etc/passwd»", paragraph=2)


def test_control_characters_are_refused_naming_the_line(textos):
    path = write(textos, "retos.md", "Uno.\n\nDos\x1b[31m rojo.\n")
    refused(path, r"la línea 3 tiene caracteres de control o no válidos \(U\+001B\)")
    path = write(textos, "sobre-la-aci.md", "Uno\x00 dos.\n")
    refused(path, r"la línea 1 tiene caracteres de control .*U\+0000")


def test_a_markdown_file_not_in_utf8_is_refused(textos):
    path = write(textos, "retos.md", "Uno.\n\nAño de gestión.\n".encode("latin-1"))
    refused(path, r"no está en UTF-8 \(byte 0xF1 en la línea 3\)")


@pytest.mark.parametrize("encoding,bom", [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")])
def test_a_markdown_file_in_utf16_is_refused_as_utf16(textos, encoding, bom):
    path = write(textos, "retos.md", bom + "Año de gestión.\n".encode(encoding))
    refused(path, r"está guardado en UTF-16; guárdelo como UTF-8")


def test_a_utf16_file_without_bom_is_refused_too(textos):
    path = write(textos, "retos.md", "Año de gestión.\n".encode("utf-16-le"))
    refused(path, r"caracteres de control|UTF-16|UTF-8")


def test_a_utf8_bom_is_accepted(textos):
    path = write(textos, "retos.md", b"\xef\xbb\xbf" + "Año de gestión.\n".encode("utf-8"))
    text, _ = accepted(path)
    assert text.paragraphs == [(1, "Año de gestión.")]


def test_a_ten_megabyte_text_is_refused_for_its_size(textos):
    path = write(textos, "cooperacion.md", ("Un párrafo de relleno.\n\n" * 500_000).encode()[: 10 * 1000 * 1000])
    refused(path, r"más que el límite de 1 MB para el texto de un capítulo")


def test_a_text_one_byte_over_the_limit_is_refused(textos):
    line = b"Un parrafo de relleno.\n\n"
    content = (line * (MAX_MARKDOWN_BYTES // len(line) + 1))[: MAX_MARKDOWN_BYTES + 1]
    path = write(textos, "cooperacion.md", content)
    refused(path, r"límite de 1 MB")


def test_a_huge_text_is_refused_naming_the_real_limit(textos):
    path = textos / "cooperacion.md"
    with path.open("wb") as fh:  # sparse: the size is real, the disk use is not
        fh.truncate(50 * 1024 * 1024)
    error = refused(path, r"pesa")
    assert "límite de 1 MB" in error.message and "libro" not in error.message and "hojas" not in error.message


def test_a_text_that_is_not_a_regular_file_is_refused_without_reading_it(textos):
    fifo = textos / "retos.md"
    os.mkfifo(fifo)  # reading it would block forever
    refused(fifo, r"tubería \(FIFO\)")
    (textos / "innovacion.md").symlink_to("/dev/zero")
    refused(textos / "innovacion.md", r"no es un archivo normal")
    (textos / "sobre-la-aci.md").mkdir()
    refused(textos / "sobre-la-aci.md", r"es una carpeta")


def test_every_hostile_file_in_a_folder_is_reported_and_none_is_returned(textos):
    for i, (_id, hostile, _kind, _excerpt) in enumerate(HOSTILE):
        write(textos, f"hostil-{i:02d}.md", document(*INTRO, hostile))
    write(textos, "retos.md", "Un texto correcto.\n")
    texts, problems = read_texts(textos.parent)
    assert sorted(texts) == ["retos"]
    named = {p.file for p in problems if p.severity == ERROR}
    assert named == {f"textos/hostil-{i:02d}.md" for i in range(len(HOSTILE))}


@pytest.mark.parametrize("block", ["{{< include x.qmd >}}\n:   una definición", "| {{< include x.qmd >}}\n| dos",
                                   '#read("x")\n:   una definición'], ids=["definition-term", "line-block",
                                                                         "typst-definition-term"])
def test_shortcodes_and_typst_are_refused_in_every_kind_of_block(textos, block):
    blocks = ("Un párrafo.", block)
    path = write(textos, "retos.md", document(*blocks))
    refused(path, r"código corto de Quarto|código de Typst", paragraph=2)


# --------------------------------------------------------------------------
# What a text may hold
# --------------------------------------------------------------------------

WELL_FORMED = (
    "## Logros del año {#logros .destacado}",
    "La agencia atrajo *inversión* y **cooperación**[^nota] según el [informe](https://www.acimedellin.org/informe).",
    "- Primer punto\n- Segundo punto con {{indicador.pi-04}} empresas",
    "1. uno\n2. dos",
    "| Sector | Proyectos |\n|--------|----------:|\n| Software | 7 |\n| Salud | 3 |",
    "{{tabla inversion.proyectos-por-sector}}",
    "Texto [marcado]{.rojo} con un [ancla](#sec-logros) y un [correo](mailto:info@acimedellin.org).",
    "::: {.content-hidden}\nDentro de un div.\n:::",
    "[^nota]: Una nota al pie que cita {{indicador.pi-01}}.",
)


@pytest.fixture()
def well_formed(textos) -> ChapterText:
    text, problems = accepted(write(textos, "inversion.md", document(*WELL_FORMED)), "inversion")
    assert problems == []
    return text


def test_a_well_formed_text_keeps_its_structure(well_formed):
    assert well_formed.slug == "inversion" and well_formed.file == "textos/inversion.md"
    assert [p.kind for p in well_formed.parts] == ["markdown", "block", "markdown"]
    prose = well_formed.parts[0].markdown
    assert prose.startswith("## Logros del año {#inversion-logros-del-ano}\n")  # an id of its chapter
    assert "*inversión*" in prose and "**cooperación**[^1]" in prose
    assert "[^1]: Una nota al pie que cita {{indicador.pi-01}}." in prose
    assert "[informe](https://www.acimedellin.org/informe)" in prose
    assert "- Primer punto\n- Segundo punto con {{indicador.pi-04}} empresas" in prose
    assert re.search(r"(?m)^1\.\s+uno$", prose) and re.search(r"(?m)^2\.\s+dos$", prose)
    assert re.search(r"(?m)^\| Sector\s+\| Proyectos \|$", prose) and re.search(r"(?m)^\| Software\s+\|\s+7 \|$", prose)
    assert well_formed.parts[1].paragraph == paragraph_of(WELL_FORMED, "{{tabla inversion.proyectos-por-sector}}")
    last = well_formed.parts[2].markdown
    assert "[ancla](#sec-logros)" in last and "[correo](mailto:info@acimedellin.org)" in last


def test_a_well_formed_text_converts_to_the_expected_html(well_formed):
    html = "".join(to_html(p.markdown) for p in well_formed.parts if p.kind == "markdown")
    assert re.search(r"<h2[^>]*>Logros del año</h2>", html)
    assert "<ul>" in html and "<li>Primer punto</li>" in html
    assert "<ol" in html and "<li>uno</li>" in html
    assert "<em>inversión</em>" in html and "<strong>cooperación</strong>" in html
    assert 'class="footnote-ref"' in html and "Una nota al pie que cita" in html
    assert '<a href="https://www.acimedellin.org/informe">informe</a>' in html
    assert '<a href="mailto:info@acimedellin.org">correo</a>' in html
    assert "<table>" in html and "<td>Software</td>" in html


def test_attributes_are_dropped_and_divs_unwrapped(well_formed):
    markdown = "".join(p.markdown for p in well_formed.parts if p.kind == "markdown")
    for gone in ("{#logros", ".destacado", "{.rojo}", "rojo", "content-hidden", ":::"):
        assert gone not in markdown, gone
    assert "Texto marcado con" in markdown  # the span's text stays, as text
    assert "Dentro de un div." in markdown  # a div's class hides nothing


def test_inline_code_attributes_are_dropped(textos):
    text, _ = accepted(write(textos, "retos.md", "Escriba `informe build`{.bash #cmd} en la terminal.\n"))
    assert text.parts[0].markdown == "Escriba `informe build` en la terminal.\n"


def test_citations_are_listed_with_their_paragraph(well_formed):
    # the footnote's citation belongs to the paragraph that calls the note
    assert well_formed.citations == [
        ("indicador.pi-01", paragraph_of(WELL_FORMED, WELL_FORMED[1])),
        ("indicador.pi-04", paragraph_of(WELL_FORMED, WELL_FORMED[2])),
    ]
    assert well_formed.markers == [("inversion.proyectos-por-sector", 6)]


def test_markers_become_block_parts(textos):
    blocks = ("## Proyectos", "{{tabla inversion.proyectos}}", "Un párrafo entre tablas.",
              "{{ figura inversion.mapa }}", "{{tabla inversion.sectores}}", "Cierre con {{indicador.pi-01}}.")
    text, _ = accepted(write(textos, "inversion.md", document(*blocks)))
    assert [(p.kind, p.paragraph, p.name) for p in text.parts] == [
        ("markdown", 1, ""), ("block", 2, "inversion.proyectos"), ("markdown", 3, ""),
        ("block", 4, "inversion.mapa"), ("block", 5, "inversion.sectores"), ("markdown", 6, ""),
    ]
    assert text.markers == [("inversion.proyectos", 2), ("inversion.mapa", 4), ("inversion.sectores", 5)]
    assert text.citations == [("indicador.pi-01", 6)]  # a marker is not a citation
    assert "{{indicador.pi-01}}" in text.parts[-1].markdown  # left for the chapter to resolve


def test_a_marker_inside_a_sentence_is_not_a_block(textos):
    text, _ = accepted(write(textos, "inversion.md", "Vea {{tabla inversion.proyectos}} más abajo.\n"))
    assert [p.kind for p in text.parts] == ["markdown"]


def test_the_parts_survive_the_snapshot_round_trip(well_formed):
    again = ChapterText.from_json(well_formed.to_json())
    assert again == well_formed and again.citations == well_formed.citations


# --------------------------------------------------------------------------
# Images next to a Markdown text
# --------------------------------------------------------------------------

def test_png_and_jpeg_next_to_a_markdown_text_become_image_parts(textos):
    from PIL import Image

    write(textos, "mapa.png", RED)
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), (0, 128, 0)).save(buffer, "JPEG")
    write(textos, "foto.jpg", buffer.getvalue())
    blocks = ("Un párrafo.", "![Mapa de los proyectos por país](mapa.png)", "![](foto.jpg)")
    text, problems = accepted(write(textos, "inversion.md", document(*blocks)))
    images = [p for p in text.parts if p.kind == "image"]
    assert [(i.paragraph, i.mime, i.alt) for i in images] == [(2, "image/png", "Mapa de los proyectos por país"),
                                                             (3, "image/jpeg", "")]
    assert base64.b64decode(images[0].data) == RED and base64.b64decode(images[1].data) == buffer.getvalue()
    assert [(p.severity, p.paragraph, p.file) for p in problems] == [(WARNING, 3, "textos/inversion.md")]
    assert "«foto.jpg» no tiene texto alternativo" in problems[0].message


@pytest.mark.parametrize("alt", ["imagen", "Image 3", "mapa.png"])
def test_a_placeholder_alt_text_counts_as_missing(textos, alt):
    write(textos, "mapa.png", RED)
    text, problems = accepted(write(textos, "inversion.md", f"![{alt}](mapa.png)\n"))
    assert [p.severity for p in problems] == [WARNING] and "«mapa.png»" in problems[0].message
    assert text.parts[0].alt == ""


def test_images_that_are_not_png_or_jpeg_or_outside_the_folder_are_refused(textos, tmp_path):
    write(textos, "dibujo.png", b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    refused(write(textos, "inversion.md", document("Uno.", "![Un dibujo](dibujo.png)")),
            r"«dibujo\.png» no es PNG ni JPEG", paragraph=2)
    (tmp_path / "secreto.png").write_bytes(RED)
    refused(write(textos, "cooperacion.md", document("Uno.", "Dos.", "![Secreto](../../secreto.png)")),
            r"está fuera de la carpeta del texto", paragraph=3)
    (textos / "enlace.png").symlink_to(tmp_path / "secreto.png")
    refused(write(textos, "retos.md", "![Secreto](enlace.png)\n"), r"fuera de la carpeta", paragraph=1)
    refused(write(textos, "innovacion.md", "![Falta](no-existe.png)\n"), r"no se encuentra la imagen «no-existe\.png»",
            paragraph=1)


# --------------------------------------------------------------------------
# Word documents
# --------------------------------------------------------------------------

ALT = "Mapa de los proyectos de inversión por país"


def word_document(path: Path, workdir: Path) -> Path:
    """A .docx with a heading, a paragraph citing a figure, an image with alternative text, a paragraph, an
    image without it and a table marker (paragraphs 1 to 6)."""
    (workdir / "rojo.png").write_bytes(RED)
    (workdir / "azul.png").write_bytes(BLUE)
    if python_docx is not None:
        doc = python_docx.Document()
        doc.add_heading("Inversión", level=2)
        doc.add_paragraph("La inversión fue de {{indicador.pi-01}}.")
        doc.add_picture(str(workdir / "rojo.png")).\
            _inline.docPr.set("descr", ALT)
        doc.add_paragraph("Otro párrafo.")
        doc.add_picture(str(workdir / "azul.png"))  # no descr: no alternative text
        doc.add_paragraph("{{tabla inversion.proyectos}}")
        doc.save(path)
    else:
        markdown = document("## Inversión", "La inversión fue de {{indicador.pi-01}}.", f"![{ALT}](rojo.png)",
                            "Otro párrafo.", "![](azul.png)", "{{tabla inversion.proyectos}}")
        pypandoc.convert_text(markdown, "docx", format="markdown", outputfile=str(path),
                              extra_args=[f"--resource-path={workdir}"])
    return path


def test_a_word_document_is_read_with_its_images(textos, tmp_path):
    path = word_document(textos / "inversion.docx", tmp_path)
    text, problems = accepted(path, "inversion")
    assert text.file == "textos/inversion.docx"
    assert [(p.kind, p.paragraph) for p in text.parts] == [("markdown", 1), ("image", 3), ("markdown", 4),
                                                           ("image", 5), ("block", 6)]
    assert text.parts[0].markdown == "## Inversión {#inversion-inversion}\n\nLa inversión fue de {{indicador.pi-01}}.\n"
    first, second = text.parts[1], text.parts[3]
    assert (first.mime, first.alt) == ("image/png", ALT) and base64.b64decode(first.data) == RED
    assert (second.mime, second.alt) == ("image/png", "") and base64.b64decode(second.data) == BLUE
    assert text.parts[4].name == "inversion.proyectos"
    assert text.citations == [("indicador.pi-01", 2)]
    # the image without alternative text is a warning naming it as Word shows it (the document's second image; pandoc's
    # internal file name means nothing to the analyst), at its paragraph; the other one is not warned
    assert [(p.severity, p.paragraph, p.file) for p in problems] == [(WARNING, 5, "textos/inversion.docx")]
    assert "la imagen 2 del documento no tiene texto alternativo" in problems[0].message


def test_a_word_document_is_checked_like_markdown(textos, tmp_path):
    markdown = document("Uno.", r"Escriba \{\{< include x.qmd >\}\} aquí.", "Vea [x](file:///etc/passwd).")
    path = textos / "retos.docx"
    pypandoc.convert_text(markdown, "docx", format="markdown", outputfile=str(path))
    text, problems = read_text(path)
    assert text is None
    assert sorted((p.paragraph, bool(re.search(r"código corto de Quarto|apunta a «file:", p.message)))
                  for p in problems) == [(2, True), (3, True)]


def test_random_bytes_are_not_a_word_document(textos):
    path = write(textos, "inversion.docx", os.urandom(4096))
    refused(path, r"no es un documento de Word \(\.docx\) válido")


def test_a_truncated_word_document_is_refused(textos, tmp_path):
    whole = word_document(tmp_path / "entero.docx", tmp_path).read_bytes()
    for cut in (len(whole) // 2, len(whole) - 30):
        path = write(textos, "inversion.docx", whole[:cut])
        refused(path, r"documento de Word|dañado")


def test_a_zip_that_is_not_a_word_document_is_refused(textos):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("hola.txt", "no soy un documento")
    refused(write(textos, "inversion.docx", buffer.getvalue()), r"le falta word/document\.xml")


def test_a_word_document_with_a_damaged_part_is_refused(textos, tmp_path):
    whole = word_document(tmp_path / "entero.docx", tmp_path)
    with zipfile.ZipFile(whole) as zf:
        members = [(i, zf.read(i.filename)) for i in zf.infolist()]
    damaged = textos / "inversion.docx"
    with zipfile.ZipFile(damaged, "w", zipfile.ZIP_STORED) as out:
        for info, data in members:
            out.writestr(info.filename, data)
    raw = bytearray(damaged.read_bytes())
    start = raw.index(b"<w:body>")  # a byte of the stored document.xml: its checksum no longer matches
    raw[start + 2] ^= 0x20
    damaged.write_bytes(bytes(raw))
    refused(damaged, r"dañado")


def test_a_word_document_with_a_zip_bomb_is_refused(textos, tmp_path):
    whole = word_document(tmp_path / "entero.docx", tmp_path)
    path = textos / "inversion.docx"
    path.write_bytes(whole.read_bytes())
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("word/media/relleno.bin", b"\0" * (8 * 1024 * 1024))
    refused(path, r"bomba zip|se expande")


# --------------------------------------------------------------------------
# The folder
# --------------------------------------------------------------------------

def test_a_text_with_both_md_and_docx_is_an_error(textos, tmp_path):
    word_document(textos / "inversion.docx", tmp_path)
    write(textos, "inversion.md", "Otra versión del texto.\n")
    _texts, problems = read_texts(textos.parent)
    errors = [p for p in problems if p.severity == ERROR]
    assert len(errors) == 1, [str(p) for p in problems]
    assert errors[0].file in ("textos/inversion.md", "textos/inversion.docx")
    assert "hay dos textos para el capítulo «inversion»" in errors[0].message
    assert "inversion.docx" in errors[0].message and "inversion.md" in errors[0].message


def test_files_that_are_not_texts(textos):
    write(textos, "retos.md", "Un texto.\n")
    write(textos, "~$retos.docx", b"owner file of an open Word document")
    write(textos, ".DS_Store", b"\0\0")
    write(textos, "Thumbs.db", b"\0\0")
    write(textos, "mapa.png", RED)
    write(textos, "innovacion.doc", b"\xd0\xcf\x11\xe0")
    texts, problems = read_texts(textos.parent)
    assert sorted(texts) == ["retos"]
    assert [(p.file, p.severity) for p in problems] == [("textos/innovacion.doc", WARNING)]
    assert ".docx" in problems[0].message and ".md" in problems[0].message


def test_the_2022_texts_are_all_read_without_problems():
    root = Path(__file__).resolve().parents[1]
    texts, problems = read_texts(root / "data" / "2022")
    assert problems == []
    assert {"inversion", "cooperacion", "posicionamiento", "resumen-ejecutivo"} <= set(texts)


def test_the_same_heading_in_two_chapters_or_twice_in_one_gets_distinct_ids(tmp_path):
    """Regression: «Frentes de Trabajo» in inversion.md and cooperacion.md (and «Otros cuadros» in every 2023 demo
    text) got the same anchor, which made the book convert every chapter again on each edit."""
    from informe.data.texts import read_texts

    folder = tmp_path / "textos"
    folder.mkdir()
    (folder / "inversion.md").write_text("## Frentes de Trabajo\n\nUno.\n\n## Frentes de Trabajo\n\nDos.\n",
                                         encoding="utf-8")
    (folder / "cooperacion.md").write_text("## Frentes de Trabajo\n\nTres.\n", encoding="utf-8")
    texts, problems = read_texts(tmp_path)
    assert problems == []
    ids = re.findall(r"\{#([a-z0-9-]+)\}", texts["inversion"].parts[0].markdown)
    ids += re.findall(r"\{#([a-z0-9-]+)\}", texts["cooperacion"].parts[0].markdown)
    assert ids == ["inversion-frentes-de-trabajo", "inversion-frentes-de-trabajo-2", "cooperacion-frentes-de-trabajo"]
