"""Issue 19: a chapter's text against the 2022 data (informe.report.chapter, informe.report.figures).

Citations ``{{nombre}}`` print as the tables print the figure (the expected strings are computed here from the
data with informe.fmt); an unknown name is an error naming file and paragraph; a number typed by hand that
contradicts a figure is a warning; :class:`Capitulo` places the notebook's blocks where the text puts them.
"""

from __future__ import annotations

import dataclasses
import re
import struct
import zlib
from pathlib import Path

import pypandoc
import pytest

from conftest import DATA_2022, ROOT
from informe.data.problems import ERROR, WARNING
from informe.data.texts import ChapterText, read_text
from informe.fmt import format_cop, format_number, format_percent, format_usd_millions
from informe.report.chapter import (Capitulo, ChapterError, TextImage, check_texts, citation_problems,
                                    prose_findings, typed_numbers)
from informe.report.display import Text
from informe.report.figures import FigureCatalog, head_word
from informe.report.report import load_report

PARAMS_2022 = ROOT / "params" / "2022.yml"
PROCUREMENT_TOTAL = 1_615_131_603  # published total of the 2022 annual procurement plan


@pytest.fixture(scope="module")
def year_report(report_2022):
    """The 2022 report (its validation shared with the session), without its texts' side effects."""
    return load_report(2022, DATA_2022, PARAMS_2022, ROOT, with_prior=False, validation=report_2022)


@pytest.fixture(scope="module")
def textos(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("capitulo") / "textos"
    folder.mkdir()
    return folder


def text_of(folder: Path, slug: str, *blocks: str) -> ChapterText:
    """The chapter text ``slug`` made of ``blocks`` (paragraph n is ``blocks[n - 1]``), read as the build reads it."""
    path = folder / f"{slug}.md"
    path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    text, problems = read_text(path, slug)
    assert text is not None and not [p for p in problems if p.is_error], [str(p) for p in problems]
    return text


def with_texts(report, **texts: ChapterText):
    """``report`` with ``texts`` (slug → text) as its only chapter texts."""
    return dataclasses.replace(report, texts={slug.replace("_", "-"): t for slug, t in texts.items()})


def png() -> bytes:
    """A valid 1×1 red PNG."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def markdown_of(parts: list) -> list[str]:
    return [p.markdown if isinstance(p, Text) else p for p in parts]


def printed(markdown: str) -> str:
    """What a reader sees of ``markdown`` (pandoc's plain text, one line per paragraph)."""
    return pypandoc.convert_text(markdown, "plain", format="markdown", extra_args=["--wrap=none"])


# --------------------------------------------------------------------------
# The figures, from the data
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def expected(year_report) -> dict[str, str]:
    """Each cited figure as the tables print it, computed from the validated frames with informe.fmt."""
    pi01, pi04 = year_report.indicator("PI-01"), year_report.indicator("PI-04")
    logro, meta = float(pi01["Logro año"]), float(pi01["Meta año"])
    assert logro == 155.67 and float(pi04["Logro año"]) == 24  # the published 2022 report
    agendas = year_report.figure("posicionamiento.xlsx", "agendas_trabajo")
    assert agendas == 76
    procurement = float(year_report.frame("administrativo.xlsx", "Contratación")["Valor (COP)"].sum())
    assert procurement == PROCUREMENT_TOTAL
    return {
        "indicador.pi-01": format_usd_millions(logro),
        "indicador.pi-01.meta": format_usd_millions(meta),
        "indicador.pi-01.cumplimiento": format_percent(logro / meta * 100),
        "indicador.pi-04": format_number(float(pi04["Logro año"])),
        "posicionamiento.agendas_trabajo": format_number(agendas),
        "inversion.proyectos_detallados": format_number(len(year_report.frame("inversion.xlsx", "Proyectos"))),
        "administrativo.valor_contratado": format_cop(procurement),
    }


def test_the_expected_strings_are_the_published_ones(expected):
    # a guard on the computation above (not on the program): the 2022 report prints these
    assert expected["indicador.pi-01"] == "USD\u00a0155,67 millones"
    assert expected["indicador.pi-04"] == "24"
    assert expected["administrativo.valor_contratado"] == "$1.615.131.603"


def test_the_names_of_the_brief_exist(year_report):
    names = set(FigureCatalog(year_report).names())
    assert {"indicador.pi-01", "indicador.pi-01.meta", "posicionamiento.agendas_trabajo",
            "inversion.proyectos_detallados"} <= names


def test_citations_resolve_as_the_tables_print_them(year_report, textos, expected):
    blocks = tuple(f"La cifra {name} es {{{{{name}}}}} según los datos." for name in expected)
    text = text_of(textos, "inversion", *blocks)
    capitulo = Capitulo(with_texts(year_report, inversion=text), "inversion")
    markdown = "\n\n".join(m for m in markdown_of(capitulo.parts()[1:]))
    assert "{{" not in markdown
    lines = [line for line in printed(markdown).splitlines() if line.strip()]
    assert lines == [f"La cifra {name} es {value} según los datos." for name, value in expected.items()]


def test_a_citation_in_a_footnote_a_list_and_a_table_resolves(year_report, textos, expected):
    text = text_of(textos, "inversion", "Un logro[^1].", "- Empresas: {{indicador.pi-04}}",
                   "| Indicador | Logro |\n|---|---|\n| PI-01 | {{indicador.pi-01}} |",
                   "[^1]: Con {{posicionamiento.agendas_trabajo}} agendas.")
    capitulo = Capitulo(with_texts(year_report, inversion=text), "inversion")
    shown = printed("\n\n".join(markdown_of(capitulo.parts()[1:])))
    assert f"Empresas: {expected['indicador.pi-04']}" in shown
    assert re.search(rf"PI-01\s+{re.escape(expected['indicador.pi-01'])}", shown)
    assert f"Con {expected['posicionamiento.agendas_trabajo']} agendas." in shown


def test_a_cited_amount_is_escaped_for_markdown(year_report, textos, expected):
    text = text_of(textos, "administrativo", "Se contrató por {{administrativo.valor_contratado}} en el año.")
    parts = Capitulo(with_texts(year_report, administrativo=text), "administrativo").parts()
    assert parts[1].markdown == "Se contrató por \\" + expected["administrativo.valor_contratado"] + " en el año.\n"


# --------------------------------------------------------------------------
# Unknown names
# --------------------------------------------------------------------------

UNKNOWN = ("## Proyectos", "Se detallaron {{inversion.proyectos_detallado}} proyectos.")


def test_an_unknown_citation_is_an_error_naming_file_paragraph_and_the_close_name(year_report, textos):
    text = text_of(textos, "inversion", *UNKNOWN)
    problems = citation_problems(year_report, text)
    assert [(p.file, p.paragraph, p.severity) for p in problems] == [("textos/inversion.md", 2, ERROR)]
    message = problems[0].message
    assert "«{{inversion.proyectos_detallado}}» no existe" in message
    assert "¿quiso decir {{inversion.proyectos_detallados}}" in message
    assert str(problems[0]).startswith("textos/inversion.md, párrafo 2: ")


def test_printing_an_unknown_citation_raises_naming_file_and_paragraph(year_report, textos):
    text = text_of(textos, "inversion", "Un párrafo que abre.", "{{tabla inversion.proyectos}}", *UNKNOWN[1:])
    capitulo = Capitulo(with_texts(year_report, inversion=text), "inversion")
    capitulo.add("proyectos", Text("TABLA"))
    with pytest.raises(ChapterError, match=r"^textos/inversion\.md, párrafo 3: .*«\{\{inversion\.proyectos_detallado\}\}» "
                                           r"no existe; ¿quiso decir \{\{inversion\.proyectos_detallados\}\}"):
        capitulo.parts()


def test_printing_an_unknown_citation_names_its_own_paragraph_in_merged_prose(year_report, textos):
    text = text_of(textos, "inversion", *UNKNOWN)
    capitulo = Capitulo(with_texts(year_report, inversion=text), "inversion")
    with pytest.raises(ChapterError, match=r"^textos/inversion\.md, párrafo 2: .*«\{\{inversion\.proyectos_detallado\}\}» "
                                           r"no existe; ¿quiso decir \{\{inversion\.proyectos_detallados\}\}"):
        capitulo.parts()


# --------------------------------------------------------------------------
# Numbers typed by hand
# --------------------------------------------------------------------------

WRONG = (
    "## Resultados del año",
    "En 2022 la inversión reportada fue de USD 155,76 millones, por encima de la meta.",
    "Se concretaron 25 empresas con nuevos proyectos de inversión en la ciudad.",
    "Desde 2008 se han gestionado USD 3.410 millones; la agencia prioriza 8 sectores y 30 empresas ancla.",
)
RIGHT = (
    "## Resultados del año",
    "En 2022 la inversión reportada fue de USD 155,67 millones, por encima de la meta.",
    "Se concretaron 24 empresas con nuevos proyectos de inversión en la ciudad.",
    WRONG[3],
)


@pytest.fixture(scope="module")
def checked(year_report, textos):
    """check_texts on the year's own texts, with inversion typing two wrong figures and cooperacion citing
    an unknown name (one run: it is what the build and `informe validate` run)."""
    texts = dict(year_report.texts)
    texts["inversion"] = text_of(textos, "inversion", *WRONG)
    texts["cooperacion"] = text_of(textos, "cooperacion", "Un párrafo.", "Cooperación: {{indicador.pi-02.metas}}.")
    return check_texts(dataclasses.replace(year_report, texts=texts))


def test_the_head_noun_of_pi04_is_the_typed_noun(year_report):
    figure = FigureCatalog(year_report).get("indicador.pi-04")
    assert figure.head == head_word("empresas") == "empresa"


def test_typed_numbers_read_their_unit(textos):
    found = [(n.paragraph, n.kind, n.value, n.noun) for n in typed_numbers(text_of(textos, "inversion", *WRONG))]
    assert (2, "usd_millions", 155.76, "") in found and (3, "count", 25.0, "empresa") in found
    assert not [n for n in found if n[2] in (2022.0, 2008.0)]  # years are not figures


def test_a_number_opening_a_footnote_is_read(textos):
    text = text_of(textos, "inversion", "Se concretaron nuevas inversiones[^1].", "[^1]: 25 empresas con proyectos.")
    assert [(n.paragraph, n.typed) for n in typed_numbers(text)] == [(1, "25 empresas")]


def test_contradicting_figures_are_exactly_two_warnings(checked, expected):
    mine = [p for p in checked if p.file == "textos/inversion.md"]
    assert [(p.severity, p.paragraph) for p in mine] == [(WARNING, 2), (WARNING, 3)], [str(p) for p in mine]
    usd, count = mine
    assert usd.message.startswith("el texto dice «USD 155,76 millones» pero la cifra {{indicador.pi-01}}")
    assert f"es {expected['indicador.pi-01']};" in usd.message
    assert count.message.startswith("el texto dice «25 empresas» pero la cifra {{indicador.pi-04}}")
    assert f"es {expected['indicador.pi-04']};" in count.message


def test_check_texts_reports_the_unknown_citation(checked):
    mine = [p for p in checked if p.file == "textos/cooperacion.md"]
    assert [(p.severity, p.paragraph) for p in mine] == [(ERROR, 2)]
    assert "¿quiso decir {{indicador.pi-02.meta}}" in mine[0].message


def test_the_right_figures_yield_no_warning(year_report, textos):
    text = text_of(textos, "inversion", *RIGHT)
    chapter = year_report.params.chapter("inversion")
    assert prose_findings(year_report, text, chapter.namespaces) == []
    assert citation_problems(year_report, text) == []


def test_a_cited_figure_is_never_a_contradiction(year_report, textos):
    text = text_of(textos, "inversion", "La inversión fue de USD {{indicador.pi-01}} millones, no USD 155,67 millones.")
    assert prose_findings(year_report, text, ("inversion", "indicador")) == []


# --------------------------------------------------------------------------
# Capitulo: the blocks where the text puts them
# --------------------------------------------------------------------------

def chapter(report) -> Capitulo:
    """A chapter as a notebook declares it: two sections, four blocks (one a fallback sentence)."""
    capitulo = Capitulo(report, "inversion")
    capitulo.section("Proyectos de inversión", intro="INTRO-SECCION-PROYECTOS")
    capitulo.add("proyectos", Text("TABLA-PROYECTOS"), intro="INTRO-BLOQUE-PROYECTOS")
    capitulo.add("sectores", Text("TABLA-SECTORES"), intro="INTRO-BLOQUE-SECTORES")
    capitulo.section("Zonas francas")
    capitulo.add("resumen", Text("FRASE-GENERADA"), fallback=True)
    capitulo.add("zonas", Text("TABLA-ZONAS"))
    capitulo.add("vacio", None)  # nothing to show: never printed, not even its heading
    return capitulo


def title(report) -> str:
    return f"# {report.params.chapter('inversion').title}"


def test_a_block_is_placed_at_its_marker_and_the_rest_follow_under_their_headings(year_report, textos):
    text = text_of(textos, "inversion", "Párrafo uno.", "{{tabla inversion.sectores}}", "## Balance", "Párrafo final.")
    parts = markdown_of(chapter(with_texts(year_report, inversion=text)).parts())
    assert parts == [
        title(year_report),
        "Párrafo uno.\n",
        "TABLA-SECTORES",  # after a paragraph: no introduction of its own
        "## Balance {#inversion-balance}\n\nPárrafo final.\n",  # headings of a text: ids of their chapter
        "## Proyectos de inversión", "INTRO-SECCION-PROYECTOS", "INTRO-BLOQUE-PROYECTOS", "TABLA-PROYECTOS",
        "## Zonas francas", "TABLA-ZONAS",  # the fallback sentence is not printed: the chapter has a text
    ]


def test_a_marker_after_a_paragraph_under_a_heading_brings_no_introduction(year_report, textos):
    text = text_of(textos, "inversion", "## Inversión", "Párrafo uno.", "{{tabla inversion.sectores}}")
    parts = markdown_of(chapter(with_texts(year_report, inversion=text)).parts())
    assert parts[1:3] == ["## Inversión {#inversion-inversion}\n\nPárrafo uno.\n", "TABLA-SECTORES"]


def test_a_marker_right_under_a_heading_brings_its_introduction(year_report, textos):
    text = text_of(textos, "inversion", "## Sectores", "{{tabla inversion.sectores}}")
    parts = markdown_of(chapter(with_texts(year_report, inversion=text)).parts())
    assert parts[1:4] == ["## Sectores {#inversion-sectores}\n", "INTRO-BLOQUE-SECTORES", "TABLA-SECTORES"]


def test_every_block_placed_leaves_no_default_heading(year_report, textos):
    text = text_of(textos, "inversion", "{{tabla inversion.zonas}}", "{{tabla inversion.proyectos}}",
                   "{{tabla inversion.sectores}}")
    parts = markdown_of(chapter(with_texts(year_report, inversion=text)).parts())
    assert parts == [title(year_report), "TABLA-ZONAS", "TABLA-PROYECTOS", "TABLA-SECTORES"]


def test_without_text_the_blocks_print_with_headings_and_the_fallback(year_report):
    parts = markdown_of(chapter(with_texts(year_report)).parts())
    assert parts == [
        title(year_report),
        "## Proyectos de inversión", "INTRO-SECCION-PROYECTOS", "INTRO-BLOQUE-PROYECTOS", "TABLA-PROYECTOS",
        "INTRO-BLOQUE-SECTORES", "TABLA-SECTORES",
        "## Zonas francas", "FRASE-GENERADA", "TABLA-ZONAS",
    ]


@pytest.mark.parametrize("marker", ["{{tabla inversion.no-existe}}", "{{tabla cooperacion.proyectos}}",
                                    "{{figura proyectos}}"])
def test_an_unknown_marker_raises_naming_file_and_paragraph(year_report, textos, marker):
    text = text_of(textos, "inversion", "## Inversión", "Un párrafo.", marker)
    name = marker.strip("{}").split()[1]
    with pytest.raises(ChapterError) as raised:
        chapter(with_texts(year_report, inversion=text)).parts()
    message = str(raised.value)
    assert message.startswith("textos/inversion.md, párrafo 3: ")
    assert f"«{name}»" in message and "inversion.proyectos" in message  # and what is available


def test_a_block_placed_twice_raises(year_report, textos):
    text = text_of(textos, "inversion", "{{tabla inversion.zonas}}", "Entre las dos.", "{{tabla inversion.zonas}}")
    with pytest.raises(ChapterError, match=r"^textos/inversion\.md, párrafo 3: .*una sola vez"):
        chapter(with_texts(year_report, inversion=text)).parts()


def test_an_image_of_the_text_is_printed_where_it_is(year_report, textos):
    (textos / "mapa.png").write_bytes(png())
    text = text_of(textos, "inversion", "Antes.", "![Mapa de proyectos](mapa.png)", "Después.")
    parts = chapter(with_texts(year_report, inversion=text)).parts()
    image = parts[2]
    assert isinstance(image, TextImage)
    assert (image.alt, image.mime, image.label) == ("Mapa de proyectos", "image/png", "fig-inversion-texto-2")
    assert markdown_of(parts[1:4:2]) == ["Antes.\n", "Después.\n"]
