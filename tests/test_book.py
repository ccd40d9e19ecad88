"""The book: PDF and HTML of 2022 (pip-only engine), their contents, escaping and the demo mark."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import CHAPTERS_2022, ROOT, SECTIONS_2022

CHAPTERS = [title for _, title in CHAPTERS_2022]  # the 14 numbered chapters of 2022, in the book's order
HEADER = "ACI Medellín · Informe de Gestión 2022"


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="session")
def pdf_pages(built_2022) -> list[str]:
    reader = PdfReader(built_2022 / "informe-gestion-2022.pdf")
    return [squash(page.extract_text()) for page in reader.pages]


def test_build_used_the_pip_engine(built_2022):
    import json

    info = json.loads((built_2022 / "build-info.json").read_text(encoding="utf-8"))
    assert info["engine"] == "pandoc" and "render" in info["timings"]


def test_pdf_headline_figures(pdf_pages):
    text = " ".join(pdf_pages)
    for figure in ("USD 155,67 millones", "USD 7,43 millones", "$5.509.310.977", "$1.615.131.603",
                   "($382.871.509)", "8,06"):
        assert figure in text, figure


def test_pdf_cover(pdf_pages):
    cover = pdf_pages[0]
    assert "Informe de Gestión" in cover and "2022" in cover
    assert "Corte: 31 de diciembre de 2022" in cover
    assert "Agencia de Cooperación e Inversión de Medellín" in cover
    assert "Página" not in cover  # no header or page number on the cover
    assert "DATOS DE DEMOSTRACIÓN" not in " ".join(pdf_pages)


def test_pdf_table_of_contents_and_chapters(pdf_pages, built_2022):
    # The table of contents follows the cover, on as many pages as it takes (chapters and their sections).
    toc_pages = [page for page in pdf_pages[1:] if page.startswith(f"{HEADER} Contenido")]
    assert toc_pages == pdf_pages[1:1 + len(toc_pages)] and "Contenido Presentación" in toc_pages[0]
    toc = " ".join(toc_pages)
    body = pdf_pages[1 + len(toc_pages):]
    positions = []
    for number, title in enumerate(CHAPTERS, start=1):
        # «N Title ..... page»: the number of the page where the chapter begins
        entry = re.search(rf"(?<![\d.]){number} {re.escape(title)} [. ]*(\d+)", toc)
        assert entry, title
        positions.append(entry.start())
        # The chapter's pages carry the Spanish running header with its title; its first page shows the numbered
        # title, whole (a heading is not hyphenated).
        header = f"{HEADER} {title}"
        first = next((i for i, page in enumerate(pdf_pages) if page.startswith(header)), None)
        assert first is not None and pdf_pages[first] in body, title
        assert pdf_pages[first].startswith(f"{header} {number} {title}"), pdf_pages[first][:200]
        assert int(entry.group(1)) == first + 1, title
    assert positions == sorted(positions)  # in the book's order
    total = len(pdf_pages)
    assert all(f"Página {i + 1} de {total}" in page for i, page in enumerate(pdf_pages) if i > 0)
    assert not any("import " in page or "show(" in page for page in pdf_pages)  # no code cells
    # The PDF's bookmarks: the front page, the numbered chapters, the signatures and the colophon.
    outline = [item["/Title"] for item in PdfReader(built_2022 / "informe-gestion-2022.pdf").outline
               if not isinstance(item, list)]
    assert outline == ["Presentación", *(f"{n} {title}" for n, title in enumerate(CHAPTERS, start=1)), "Firmas",
                       "Colofón"]


def test_pdf_colophon(pdf_pages, built_2022):
    import hashlib

    colophon = pdf_pages[-1] if "Colofón" in pdf_pages[-1] else " ".join(pdf_pages[-3:])
    assert "Colofón" in colophon and "commit" in colophon
    digest = hashlib.sha256((ROOT / "data" / "2022" / "estados_financieros.xlsx").read_bytes()).hexdigest()
    assert digest[:20] in colophon.replace(" ", "")


def test_html_book_navigation_and_chapters(built_2022):
    from bs4 import BeautifulSoup

    book = built_2022 / "book"
    index = (book / "index.html").read_text(encoding="utf-8")
    for title in CHAPTERS:
        assert title in index, title
    # One page per chapter, named after its executed notebook (NN-slug.html), in the sidebar in the book's order.
    sidebar = [(a["href"], a.get_text(" ", strip=True))
               for a in BeautifulSoup(index, "html.parser").select("nav.sidebar .toc-chapters > li > a")]
    assert sidebar == [("index.html", "Presentación"),
                       *((f"{name}.html", f"{n}. {title}")
                         for n, (name, title) in enumerate(zip(SECTIONS_2022, CHAPTERS), start=1)),
                       ("firmas.html", "Firmas"), ("colofon.html", "Colofón")]
    pages = sorted(book.glob("*.html"))
    assert sorted(p.name for p in pages) == sorted([*(f"{name}.html" for name in SECTIONS_2022), "index.html",
                                                    "firmas.html", "colofon.html", "descargas.html"])
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "styles.css" in text
        assert "show(" not in text and "from informe" not in text
    for n, (name, title) in enumerate(zip(SECTIONS_2022, CHAPTERS), start=1):
        h1 = BeautifulSoup((book / f"{name}.html").read_text(encoding="utf-8"), "html.parser").h1
        assert h1.get_text(" ", strip=True) == f"{n} {title}", name


def test_html_tables_are_downloadable(built_2022):
    book = built_2022 / "book"
    links = set()
    for page in book.glob("*.html"):
        links |= set(re.findall(r'href="(tablas/[^"]+)"', page.read_text(encoding="utf-8")))
    assert len(links) >= 40
    for link in links:
        assert (book / link).exists(), link
    with (book / "tablas" / "contratacion-por-modalidad-plan-anual-de-adquisiciones.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert rows[-1]["Modalidad"] == "Total" and float(rows[-1]["Valor (COP)"]) == 1_615_131_603


def test_html_charts_scale(built_2022):
    figures = list((built_2022 / "book" / "figuras").glob("*.svg"))
    assert len(figures) >= 5
    css = (built_2022 / "book" / "styles.css").read_text(encoding="utf-8")
    assert "max-width: 100%" in css


def test_demo_year_marks_every_page(built_2023):
    out = built_2023
    pages = [squash(p.extract_text()) for p in PdfReader(out / "informe-gestion-2023.pdf").pages]
    assert all("DATOS DE DEMOSTRACIÓN" in page for page in pages)
    for page in (out / "book").glob("*.html"):
        assert "DATOS DE DEMOSTRACIÓN" in page.read_text(encoding="utf-8"), page.name


def test_bundled_fonts_are_matplotlibs_without_importing_it():
    """The PDF's fonts are matplotlib's DejaVu; finding them must not import matplotlib in the build."""
    import subprocess
    import sys

    from matplotlib import get_data_path

    from informe.publish.book import bundled_fonts

    assert bundled_fonts() == Path(get_data_path()) / "fonts" / "ttf"
    assert (bundled_fonts() / "DejaVuSans.ttf").is_file()
    code = ("import sys; from informe.publish.book import bundled_fonts; bundled_fonts(); "
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
