"""The PDF a director reads without help (issue 23): accessible (PDF/UA-1), with a cover of the agency's
identity, captions kept with their tables, and no path of the machine in any output.

Expected values come from the inputs (the executed notebooks' charts and their text alternatives,
params/2022.yml), never from the PDF being tested.
"""

from __future__ import annotations

import json
import re
import gzip
import shutil
import zipfile
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from conftest import ROOT, build
from informe.publish.book import (PDF_STANDARDS, BookError, colophon_markdown, colophon_name, compile_pdf,
                                figure_alts, typst_with_alt)
from informe.data.params import load_params

PDF = "informe-gestion-2022.pdf"
# The agency's colours (book/typst-template.typ): blue, teal and green, as PDF fill colours (0..1).
AGENCY_COLOURS = {"blue": (0x1F, 0x4E, 0x79), "teal": (0x1A, 0x9E, 0x9A), "green": (0x6B, 0xA5, 0x39)}
# An absolute path of this machine (or any): «/tmp/…», «/work/…», «/home/…» not preceded by a name or a dot
# (a relative path such as ../../work/main, the notebooks' papermill parameters, is not one).
ABSOLUTE = re.compile(r"(?<![\w.~-])/(?:tmp|work|home|root|Users|var)/")


def structure(reader: PdfReader) -> dict[str, list[DictionaryObject]]:
    """Every structure element of the PDF's tag tree, by type (/Figure, /Table, /H1…)."""
    found: dict[str, list[DictionaryObject]] = {}

    def walk(node) -> None:
        node = node.get_object()
        if isinstance(node, ArrayObject):
            for kid in node:
                walk(kid)
        elif isinstance(node, DictionaryObject):
            if "/S" in node:
                found.setdefault(str(node["/S"]), []).append(node)
            if "/K" in node:
                walk(node["/K"])

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def chart_alts(notebooks: Path) -> list[str]:
    """The text alternative of every chart the executed notebooks show (``informe`` metadata), in book order."""
    alts = []
    for path in sorted(notebooks.glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            for output in cell.get("outputs", []):
                if any(k.startswith("image/") for k in output.get("data", {})):
                    alts.append(output.get("metadata", {}).get("informe", {}).get("alt"))
    return alts


@pytest.fixture(scope="module")
def reader(built_2022) -> PdfReader:
    return PdfReader(built_2022 / PDF)


# --------------------------------------------------------------------------
# 1. PDF/UA-1
# --------------------------------------------------------------------------

def test_pdf_declares_pdf_ua_1_tagged_and_displays_its_title(reader):
    catalog = reader.trailer["/Root"]
    assert PDF_STANDARDS == ("ua-1",)
    assert bool(catalog["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in catalog
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
    assert catalog["/Lang"] == "es-CO"
    xmp = catalog["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r"pdfuaid:part(>|=\")1", xmp), "XMP metadata without pdfuaid:part=1"
    assert "Informe de Gestión 2022" in xmp
    assert reader.metadata.title == "Informe de Gestión 2022"


def test_every_chart_carries_its_text_alternative(reader, built_2022):
    alts = chart_alts(built_2022 / "notebooks")
    assert len(alts) >= 5 and all(alts)  # the 2022 report's charts (five at least), each with its description
    figures = structure(reader).get("/Figure", [])
    assert [str(f.get("/Alt")) for f in figures] == alts  # one /Figure per chart, in order, with the HTML's text


def test_pdf_keeps_its_tags_bookmarks_and_embedded_fonts(reader):
    tags = structure(reader)
    assert len(tags["/H1"]) >= 17 and len(tags["/Table"]) >= 40 and len(tags["/Caption"]) >= 45
    assert [item["/Title"] for item in reader.outline if not isinstance(item, list)][0] == "Presentación"
    fonts = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor") or font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            descriptor = descriptor.get_object()
            fonts.add((str(font["/BaseFont"]), any(k in descriptor for k in ("/FontFile", "/FontFile2",
                                                                               "/FontFile3"))))
    assert fonts and all(embedded for _, embedded in fonts), fonts


def test_an_image_without_alt_text_fails_the_build_with_a_spanish_message(tmp_path):
    (tmp_path / "grafico.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>',
                                          encoding="utf-8")
    (tmp_path / "main.typ").write_text('#set document(title: "Prueba")\n#set text(lang: "es")\n= Título\n'
                                       '#figure(image("grafico.svg"), caption: [Un gráfico])\n', encoding="utf-8")
    with pytest.raises(BookError) as error:
        compile_pdf(tmp_path / "main.typ", tmp_path / "main.pdf", tmp_path)
    message = str(error.value)
    assert "PDF/UA-1" in message and "sin texto alternativo" in message and "grafico.svg" in message
    assert not (tmp_path / "main.pdf").exists()  # no PDF that only looks accessible


def test_a_document_without_title_is_refused(tmp_path):
    (tmp_path / "main.typ").write_text('#set text(lang: "es")\n= Título\nTexto.\n', encoding="utf-8")
    with pytest.raises(BookError, match="el documento no tiene título"):
        compile_pdf(tmp_path / "main.typ", tmp_path / "main.pdf", tmp_path)


def test_the_charts_alt_text_reaches_typst():
    markdown = ('![Monto](figuras/05-inversion-1.svg){#fig-monto fig-alt="Barras: \\"Colombia\\" 10 \\\\ fin" '
                'width=100%}\n\n![Otro](figuras/07-b-1.svg){#fig-otro fig-alt="Gráfico: Otro" width=100%}')
    alts = figure_alts(markdown)
    assert alts == {"figuras/05-inversion-1.svg": 'Barras: "Colombia" 10 \\ fin',
                    "figuras/07-b-1.svg": "Gráfico: Otro"}
    typst = '#figure(image("figuras/05-inversion-1.svg", width: 100.0%),\n#box(image("otra.png"))'
    assert typst_with_alt(typst, alts) == ('#figure(image("figuras/05-inversion-1.svg", alt: '
                                           '"Barras: \\"Colombia\\" 10 \\\\ fin", width: 100.0%),\n'
                                           '#box(image("otra.png"))')


def test_quarto_typst_format_asks_for_pdf_ua_1():
    config = yaml.safe_load((ROOT / "_quarto.yml").read_text(encoding="utf-8"))
    assert config["format"]["typst"]["pdf-standard"] == "ua-1"


# --------------------------------------------------------------------------
# 2. The cover
# --------------------------------------------------------------------------

def _fill_colours(page) -> set[tuple[int, int, int]]:
    stream = page.get_contents().get_data().decode("latin-1")
    return {tuple(round(float(v) * 255) for v in m.groups())
            for m in re.finditer(r"([\d.]+) ([\d.]+) ([\d.]+) (?:sc|scn|rg)\b", stream)}


def test_cover_has_the_agency_identity(reader):
    params = yaml.safe_load((ROOT / "params" / "2022.yml").read_text(encoding="utf-8"))
    cover = re.sub(r"\s+", " ", reader.pages[0].extract_text())
    assert "ACI Medellín" in cover and "Agencia de Cooperación e Inversión de Medellín" in cover
    assert re.search(r"Informe de Gestión 2022", cover)
    assert "Corte: 31 de diciembre de 2022" in cover and params["cutoff"].year == 2022
    assert "Página" not in cover
    # The identity: the agency's three colours filled on the cover (its bands and the drawn mark).
    colours = _fill_colours(reader.pages[0])
    assert all(any(max(abs(a - b) for a, b in zip(c, rgb)) <= 1 for c in colours)
               for rgb in AGENCY_COLOURS.values()), colours
    template = (ROOT / "book" / "typst-template.typ").read_text(encoding="utf-8")
    assert "#let aci-mark(" in template and "aci-mark(size:" in template.split("// Cover page")[1]


# --------------------------------------------------------------------------
# 4. No absolute path in any output; the colophon names the files read
# --------------------------------------------------------------------------

def test_colophon_names_inputs_relative_to_the_data_folder():
    assert colophon_name("data/2022/administrativo.xlsx", "data/2022") == "administrativo.xlsx"
    assert colophon_name("data/2022/textos/inversion.md", "data/2022") == "textos/inversion.md"
    assert colophon_name("params/2022.yml", "data/2022") == "params/2022.yml"
    assert colophon_name("2022/inversion.xlsx", "2023") == "../2022/inversion.xlsx"
    params = load_params(ROOT / "params" / "2022.yml")
    text = colophon_markdown(params, {"built_at": "2026-01-01T00:00:00+00:00", "data_dir": "datos-2022",
                                      "inputs": {"datos-2022/administrativo.xlsx": "a" * 64,
                                                 "datos-2022/textos/inversion.md": "b" * 64,
                                                 "params/2022.yml": "c" * 64}})
    assert "| administrativo.xlsx |" in text and "| textos/inversion.md |" in text
    assert "| params/2022.yml |" in text and "datos-2022" not in text


@pytest.fixture(scope="module")
def outside_build(tmp_path_factory):
    """2022 built from a copy of its data outside the project."""
    data = tmp_path_factory.mktemp("fuera") / "datos-ana" / "2022"
    shutil.copytree(ROOT / "data" / "2022", data)
    out = tmp_path_factory.mktemp("build") / "2022"
    result = build("--year", "2022", "--data", str(data), "--out", str(out), "--engine", "pandoc")
    assert result.returncode == 0, result.stdout + result.stderr
    return data, out


def _gunzip(path: Path) -> list[str]:
    raw = path.read_bytes()
    try:
        raw = gzip.decompress(raw)
    except OSError:
        pass
    return [raw.decode("utf-8", "replace")]


def test_no_absolute_path_in_any_output(outside_build):
    data, out = outside_build
    found = []
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        if path.suffix == ".pdf":
            text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
            text += str(PdfReader(path).metadata)
        elif path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as book:
                text = "\n".join(book.read(name).decode("utf-8", "replace") for name in book.namelist())
        elif path.parent.name == "pagefind" or path.parent.parent.name == "pagefind":
            text = "\n".join(_gunzip(path))
        else:
            text = path.read_bytes().decode("utf-8", "replace")
        for needle in (str(data), str(data.parent)):
            if needle in text:
                found.append((str(path.relative_to(out)), needle))
        if path.parent.name == "pagefind" and path.name.startswith(("wasm.", "pagefind")):
            continue  # pagefind's own program (its compiler's paths, not this machine's), as its wheel ships it
        found += [(str(path.relative_to(out)), text[max(0, m.start() - 40):m.end() + 40])
                  for m in ABSOLUTE.finditer(text)]
    assert not found, found[:10]


def test_colophon_lists_only_the_files_read_relative_to_the_data_folder(outside_build):
    data, out = outside_build
    colophon = (out / "book" / "colofon.html").read_text(encoding="utf-8")
    names = re.findall(r"<td[^>]*>([^<]+)</td>\s*<td[^>]*><code>[0-9a-f]{64}</code>", colophon)
    expected = sorted([p.name for p in data.glob("*.xlsx")] + [f"textos/{p.name}" for p in (data / "textos").glob("*")
                                                               if p.is_file()] + ["params/2022.yml"])
    assert sorted(names) == expected  # no 2021 data or params/2021.yml: no prior year was read
    info = json.loads((out / "build-info.json").read_text(encoding="utf-8"))
    assert info["data_dir"] == "2022" and "2022/administrativo.xlsx" in info["inputs"]
