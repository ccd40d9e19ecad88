"""The pip-only HTML book: pages, navigation, search index, numbered captions, table regions, charts."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup

from conftest import CHAPTERS_2022, ROOT, SECTIONS_2022
from informe.publish.book import MARKDOWN_READER, BookError, load_book_config, lua_filter_args, pandoc_text
from informe.publish.html_book import PageCache, page_name, pandoc_body, render_html_book

# A small book: an unnumbered front page, two numbered chapters, an unnumbered colophon.
SMALL_BOOK = """# Presentación {.unnumbered}

| A | B |
|:--|--:|
| x | 1 |

: Tabla de la portada

# Primero

## Sección uno {#sec-uno}

| Concepto | Valor |
|:--|--:|
| a | 1.234 |
| **Total** | **1.234** |

: Primera tabla {#tbl-primera}

![Un gráfico](figuras/a.svg){#fig-un-grafico fig-alt="Barras: a 1.234" width=100%}

::: {.chart-description #desc-fig-un-grafico}
**Descripción del gráfico.** Barras: a 1.234.
:::

| C | D |
|:--|--:|
| b | 2 |

: Segunda tabla

Véase la [sección dos](#sec-dos).

# Segundo

## Sección dos {#sec-dos}

![Otro gráfico](figuras/b.svg){#fig-otro fig-alt="Barras: b 5"}

| E |
|:--|
| c |

: Tercera tabla

| sin título |
|:--|
| d |

# Colofón {.unnumbered}

Fin.
"""


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# x")]
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def small_book(tmp_path_factory) -> Path:
    src = tmp_path_factory.mktemp("src")
    shutil.copytree(ROOT / "book", src / "book")
    (src / "notebooks" / "tablas").mkdir(parents=True)
    for name in ("01-primero", "02-segundo"):
        _notebook(src / "notebooks" / f"{name}.ipynb")
    (src / "figuras").mkdir()
    for name in ("a.svg", "b.svg"):
        (src / "figuras" / name).write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>')
    (src / "book.md").write_text(SMALL_BOOK, encoding="utf-8")
    config = {"book": {"title": "Informe de Gestión", "chapters": ["index.qmd", "notebooks/01-primero.ipynb",
                                                                   "notebooks/02-segundo.ipynb", "colofon.qmd"]},
              "informe": {"year": "2022", "agency": "ACI Medellín"}}
    out = src / "html"
    render_html_book(src, config, out)
    return out


def test_page_names_come_from_the_chapter_files():
    assert page_name("notebooks/03-inversion.ipynb") == "03-inversion.html"
    assert page_name("notebooks/05-inversion.qmd") == "05-inversion.html"  # a staged chapter of 2022
    assert page_name("index.qmd") == "index.html"
    assert page_name({"href": "colofon.qmd"}) == "colofon.html"


def test_small_book_pages(small_book):
    assert sorted(p.name for p in small_book.glob("*.html")) == [
        "01-primero.html", "02-segundo.html", "colofon.html", "descargas.html", "index.html"]
    assert (small_book / "pagefind" / "pagefind.js").exists()
    assert (small_book / "styles.css").exists() and (small_book / "informe.js").exists()


def test_captions_are_numbered_per_chapter_tables_and_figures_apart(small_book):
    def captions(page):
        page = soup(small_book / page)
        return [c.get_text(" ", strip=True) for c in page.select("main caption, main figcaption")]

    assert captions("index.html") == ["Tabla de la portada"]  # front matter: no numbers
    assert captions("01-primero.html") == ["Tabla 1.1: Primera tabla", "Figura 1.1: Un gráfico",
                                           "Tabla 1.2: Segunda tabla"]
    assert captions("02-segundo.html") == ["Figura 2.1: Otro gráfico", "Tabla 2.1: Tercera tabla"]


def test_every_table_sits_in_a_focusable_labelled_region(small_book):
    for name in ("index.html", "01-primero.html", "02-segundo.html"):
        page = soup(small_book / name)
        for table in page.select("main table"):
            region = table.parent
            assert region.name == "div" and region["role"] == "region" and region["tabindex"] == "0"
            label = region.get("aria-labelledby")
            if label:
                assert page.find(id=label) is table.find("caption")
            else:
                assert region["aria-label"].startswith("Tabla")
    numbers = soup(small_book / "01-primero.html").select("main td.num")
    assert [td.get_text(strip=True) for td in numbers] == ["1.234", "1.234", "2"]


def test_total_rows_stay_bold(small_book):
    total = [tr for tr in soup(small_book / "01-primero.html").select("main tbody tr") if "Total" in tr.get_text()]
    assert len(total) == 1 and all(td.find("strong") for td in total[0].find_all("td"))


def test_charts_have_a_text_alternative(small_book):
    page = soup(small_book / "01-primero.html")
    img = page.select_one("#fig-un-grafico img")
    assert img["alt"] == "Gráfico: Un gráfico" and img["aria-describedby"] == "desc-fig-un-grafico"
    assert "a 1.234" in page.find(id="desc-fig-un-grafico").get_text()
    assert soup(small_book / "02-segundo.html").select_one("#fig-otro img")["alt"] == "Barras: b 5"


def test_navigation_on_every_page(small_book):
    order = ["index.html", "01-primero.html", "02-segundo.html", "colofon.html"]
    for i, name in enumerate(order):
        page = soup(small_book / name)
        assert page.html["lang"] == "es"
        assert page.select_one("a.skip-link")["href"] == "#contenido" and page.find("main", id="contenido")
        sidebar = [a["href"] for a in page.select("nav.sidebar .toc-chapters > li > a")]
        assert sidebar == order
        assert page.select_one("nav.sidebar a[aria-current=page]")["href"] == name
        assert "01-primero.html#sec-uno" in [a["href"] for a in page.select("nav.sidebar a")]
        prev, nxt = page.select_one("a.pager-prev"), page.select_one("a.pager-next")
        assert (prev["href"] if prev else None) == (order[i - 1] if i else None)
        assert (nxt["href"] if nxt else None) == (order[i + 1] if i + 1 < len(order) else None)
        links = [a["href"] for a in page.select("header nav a")]
        assert links == ["../informe-gestion-2022.pdf", "descargas.html"]
        assert page.select_one("form[role=search] label[for=buscar]")


def test_links_to_another_chapter_name_its_page(small_book):
    link = soup(small_book / "01-primero.html").find("a", string="sección dos")
    assert link["href"] == "02-segundo.html#sec-dos"


def test_the_page_cache_prepares_again_only_the_chapters_whose_html_changed(small_book, tmp_path):
    """Issue 24 (informe preview): pages made from a cache are the pages made without one, and an edit parses and
    prepares again only its own chapter; links across pages still name the page that now holds their target."""
    src = small_book.parent
    config = {"book": {"title": "Informe de Gestión", "chapters": ["index.qmd", "notebooks/01-primero.ipynb",
                                                                   "notebooks/02-segundo.ipynb", "colofon.qmd"]},
              "informe": {"year": "2022", "agency": "ACI Medellín"}}
    body = pandoc_body(src)
    cache = PageCache()
    first, again = tmp_path / "primera", tmp_path / "otra"
    render_html_book(src, config, first, body=body, cache=cache, search=False)
    assert cache.reused == 0
    render_html_book(src, config, again, body=body, cache=cache, search=False)
    assert cache.reused == 4  # every chapter
    html = {p.name: p.read_bytes() for p in small_book.glob("*.html")}
    assert {p.name: p.read_bytes() for p in again.glob("*.html")} == html  # what a build without cache writes
    assert not (again / "pagefind").exists()

    # «Sección dos» moves to the first chapter: only the two edited chapters are prepared again, and the
    # link in the first chapter now stays on its page, as a render without cache makes it.
    edited = SMALL_BOOK.replace("## Sección dos {#sec-dos}\n", "").replace(
        "Véase la [sección dos](#sec-dos).", "Véase la [sección dos](#sec-dos).\n\n## Sección dos {#sec-dos}\n")
    (tmp_path / "book.md").write_text(edited, encoding="utf-8")
    edited_body = pandoc_text(src, edited, ["-f", MARKDOWN_READER, "-t", "html5", "--section-divs",
                                            "--number-sections", "--wrap=none", *lua_filter_args(src)])
    before = cache.reused
    render_html_book(src, config, tmp_path / "editado", body=edited_body, cache=cache, search=False)
    assert cache.reused - before == 2  # the front page and the colophon
    render_html_book(src, config, tmp_path / "sin-cache", body=edited_body, search=False)
    made = {p.name: p.read_bytes() for p in (tmp_path / "editado").glob("*.html")}
    assert made == {p.name: p.read_bytes() for p in (tmp_path / "sin-cache").glob("*.html")}
    assert soup(tmp_path / "editado" / "01-primero.html").find("a", string="sección dos")["href"] == "#sec-dos"


def test_a_chapter_without_its_title_is_reported(small_book, tmp_path):
    src = small_book.parent
    config = {"book": {"title": "T", "chapters": ["index.qmd", "notebooks/01-primero.ipynb"]},
              "informe": {"year": "2022"}}
    with pytest.raises(BookError, match="2 capítulos en _quarto.yml pero 4 títulos"):
        render_html_book(src, config, tmp_path / "html")


# ---------- the real 2022 book ----------

def test_2022_book_pages_are_ascii_chapter_files(built_2022):
    book = built_2022 / "book"
    # The staged book lists the year's chapters (params/2022.yml) as notebooks/NN-<slug>.qmd, between the front
    # page and the signatures: one page per chapter, named after its file (05-inversion.qmd → 05-inversion.html).
    chapters = ["index.qmd", *(f"notebooks/{name}.qmd" for name in SECTIONS_2022), "firmas.qmd", "colofon.qmd"]
    for chapter in chapters:
        assert (book / page_name(chapter)).exists(), chapter
    assert (book / "05-inversion.html").exists()
    assert sorted(p.name for p in book.glob("*.html")) == sorted([*map(page_name, chapters), "descargas.html"])
    assert all(p.name.isascii() and not p.name.startswith("-") for p in book.glob("*.html"))


def test_2022_book_links_resolve(built_2022):
    book = built_2022 / "book"
    for page in book.glob("*.html"):
        for a in soup(page).find_all("a", href=True):
            href = a["href"].split("#")[0]
            if href and not re.match(r"^[a-z]+:", href):
                assert (book / href).resolve().exists(), f"{page.name}: {a['href']}"


def test_2022_investment_chapter_numbers_and_chart(built_2022, frames_2022):
    number = 1 + [slug for slug, _ in CHAPTERS_2022].index("inversion")  # the 5th chapter of 2022
    page = soup(built_2022 / "book" / f"{SECTIONS_2022[number - 1]}.html")
    assert page.h1.get_text(" ", strip=True) == f"{number} Atracción de inversión"
    captions = [c.get_text(" ", strip=True) for c in page.select("main caption")]
    assert captions[0] == f"Tabla {number}.1: Indicadores de inversión"
    assert [c.split(":")[0] for c in captions] == [f"Tabla {number}.{i}" for i in range(1, len(captions) + 1)]
    figure = page.select_one("main figure")
    assert figure.figcaption.get_text(" ", strip=True) == f"Figura {number}.1: Monto de inversión detallado por sector"
    description = page.find(id=figure.img["aria-describedby"]).get_text(" ", strip=True)
    # The three largest amounts by sector, summed here from data/2022/inversion.xlsx (sheet Proyectos).
    by_sector = frames_2022[("inversion.xlsx", "Proyectos")].groupby("Sector")["Monto (USD millones)"].sum()
    top = by_sector.sort_values(ascending=False).head(3)
    expected = "; ".join(f"{sector}: {amount:.2f}".replace(".", ",") for sector, amount in top.items())
    assert f"Los valores más altos son {expected}." in description
    links = [a["href"] for a in page.find(id=figure.img["aria-describedby"]).find_all("a")]
    assert any(link.endswith(".csv") for link in links) and any(link.endswith(".xlsx") for link in links)
    assert all((built_2022 / "book" / link).exists() for link in links), links


def test_2022_downloads_page_lists_every_table(built_2022):
    book = built_2022 / "book"
    listed = {a["href"] for a in soup(book / "descargas.html").select("main a[href^='tablas/']")}
    assert listed == {f"tablas/{p.name}" for p in (book / "tablas").iterdir() if p.suffix != ".json"}
    items = [li.get_text(" ", strip=True) for li in soup(book / "descargas.html").select("main li")]
    assert any(item.startswith("Contratación por modalidad (plan anual de adquisiciones):") for item in items), items
    assert any(item.startswith("Datos del gráfico «PQRS atendidas por proceso»:") for item in items), items


def test_link_tree_links_within_a_file_system_and_copies_otherwise(tmp_path, monkeypatch):
    import os

    from informe.publish import html_book

    source = tmp_path / "a"
    (source / "sub").mkdir(parents=True)
    (source / "sub" / "x.csv").write_text("1;2\n", encoding="utf-8")
    html_book.link_tree(source, tmp_path / "b")
    assert (tmp_path / "b" / "sub" / "x.csv").read_text(encoding="utf-8") == "1;2\n"
    assert os.path.samefile(source / "sub" / "x.csv", tmp_path / "b" / "sub" / "x.csv")

    def no_links(*_args, **_kwargs):
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr(html_book.os, "link", no_links)
    html_book.link_tree(source, tmp_path / "c")
    assert (tmp_path / "c" / "sub" / "x.csv").read_text(encoding="utf-8") == "1;2\n"
    assert not os.path.samefile(source / "sub" / "x.csv", tmp_path / "c" / "sub" / "x.csv")
