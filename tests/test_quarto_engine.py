"""Engine selection and the Quarto path, with a stand-in `quarto` executable (Quarto is not installable here)."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import pytest
import yaml

from conftest import CHAPTERS_2022, ROOT, SECTIONS_2022
from informe.publish.book import BookError, find_quarto, render_book, stage_figures, stage_sources
from informe.data.params import load_params

EXECUTED = ROOT / "outputs" / "2022" / "notebooks"


@pytest.fixture(scope="module")
def executed(built_2022):
    """Freshly executed notebooks: next to them, their tables' data (tablas/*.json) for the downloads."""
    return built_2022 / "notebooks"
INFO = {"built_at": "2026-11-22T03:00:00+00:00", "commit": "abc1234",
        "inputs": {"data/2022/estados_financieros.xlsx": "0" * 64}}

FAKE_QUARTO = """#!/bin/sh
# Records its arguments and writes what `quarto render` (every format of the project) writes into _book/.
echo "$@" >> "{log}"
src="$2"
mkdir -p "$src/_book"
echo "<html>Informe</html>" > "$src/_book/index.html"
printf '%%PDF-1.7 fake' > "$src/_book/Informe-de-Gestión.pdf"
"""


@pytest.fixture()
def fake_quarto(tmp_path, monkeypatch):
    log = tmp_path / "quarto.log"
    exe = tmp_path / "quarto"
    exe.write_text(FAKE_QUARTO.format(log=log), encoding="utf-8")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("QUARTO", str(exe))
    return exe, log


def test_quarto_is_found_through_the_env_var_first(fake_quarto):
    assert find_quarto() == str(fake_quarto[0])


def test_quarto_engine_renders_the_staged_project_without_executing(fake_quarto, tmp_path, executed):
    out = tmp_path / "out"
    out.mkdir()
    result = render_book(ROOT, executed, tmp_path / "work", out, load_params(ROOT / "params" / "2022.yml"), INFO)
    assert result.engine == "quarto"
    assert (out / "book" / "index.html").exists() and (out / "informe-gestion-2022.pdf").exists()
    calls = fake_quarto[1].read_text(encoding="utf-8").splitlines()
    # One render for both formats (no --to: every format of _quarto.yml); Quarto sets the project up once.
    assert len(calls) == 1 and "--to" not in calls[0]
    assert calls[0].split()[0] == "render" and "--profile build" in calls[0] and "--no-execute" in calls[0]
    assert not (out / "book" / "Informe-de-Gestión.pdf").exists()  # the PDF is not left in the HTML book


def test_staged_project_has_the_year_metadata_and_executed_notebooks(tmp_path, executed):
    params = load_params(ROOT / "params" / "2022.yml")
    src = stage_sources(ROOT, executed, tmp_path / "src", params, {**INFO, "engine": "Quarto"})
    profile = yaml.safe_load((src / "_quarto-build.yml").read_text(encoding="utf-8"))
    assert profile["informe"] == {"year": "2022", "cutoff": "31 de diciembre de 2022", "demo": False,
                                  "agency": params.agency}
    config = yaml.safe_load((src / "_quarto.yml").read_text(encoding="utf-8"))
    # The year's chapters (params/2022.yml), each executed notebook staged as a Markdown chapter NN-slug.qmd,
    # between the front page and the signatures' page.
    assert config["book"]["chapters"] == ["index.qmd", *(f"notebooks/{name}.qmd" for name in SECTIONS_2022),
                                          "firmas.qmd", "colofon.qmd"]
    for chapter in config["book"]["chapters"]:
        assert (src / chapter).exists(), chapter
    for name, (_, title) in zip(SECTIONS_2022, CHAPTERS_2022):
        chapter = (src / "notebooks" / f"{name}.qmd").read_text(encoding="utf-8")
        assert chapter.startswith(f"# {title}\n"), name  # its Markdown, never its code
        assert "capitulo" not in chapter and "import " not in chapter, name
    assert (src / "notebooks" / "tablas" / "indicadores-de-inversion.csv").exists()
    assert "Colofón" in (src / "colofon.qmd").read_text(encoding="utf-8")
    nb = json.loads((src / "notebooks" / "01-resumen-ejecutivo.ipynb").read_text(encoding="utf-8"))
    assert any(c.get("outputs") for c in nb["cells"])  # executed, not the source notebook


def test_forcing_quarto_without_quarto_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("QUARTO", str(tmp_path / "no-existe"))
    with pytest.raises(BookError, match="no se encontró Quarto"):
        render_book(ROOT, EXECUTED, tmp_path / "w", tmp_path, load_params(ROOT / "params" / "2022.yml"), INFO,
                    engine="quarto")


# --------------------------------------------------------------------------
# The staged book source, as both engines read it (no Quarto needed)
# --------------------------------------------------------------------------

PIPE_ROW = re.compile(r"^\|.*\|\s*$")
CAPTION = re.compile(r"^: (?P<title>.*\S)\s+\{#(?P<label>tbl-[a-z0-9-]+)\}\s*$")
FIGURE = re.compile(r"^!\[(?P<caption>[^\]]*)\]\((?P<path>[^)]+)\)\{#(?P<label>fig-[a-z0-9-]+)[^}]*\}\s*$")


def markdown_tables(text: str) -> list[tuple[str, str | None]]:
    """(first header row, caption line or None) of each pipe table of a Markdown text."""
    lines, tables, i = text.splitlines(), [], 0
    while i < len(lines):
        if PIPE_ROW.match(lines[i]):
            start = i
            while i < len(lines) and PIPE_ROW.match(lines[i]):
                i += 1
            after = [line for line in lines[i:i + 3] if line.strip()]
            tables.append((lines[start], after[0] if after and after[0].startswith(": ") else None))
        i += 1
    return tables


def staged_outputs(src: Path) -> list[tuple[str, str]]:
    """(notebook, Markdown) of every output of the staged notebooks, plus the generated chapters."""
    out = [(path.name, path.read_text(encoding="utf-8")) for path in sorted(src.glob("*.qmd"))]
    for path in sorted((src / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                assert not any(k.startswith("image/") for k in data), f"{path.name}: figure not staged as Markdown"
                if "text/markdown" in data:
                    text = data["text/markdown"]
                    out.append((path.name, text if isinstance(text, str) else "".join(text)))
    return out


@pytest.fixture(scope="module")
def staged_2022(built_2022, tmp_path_factory):
    """The book source staged from freshly executed 2022 notebooks."""
    params = load_params(ROOT / "params" / "2022.yml")
    return stage_sources(ROOT, built_2022 / "notebooks", tmp_path_factory.mktemp("staged") / "src", params,
                         {**INFO, "engine": "pandoc"})


def generated(text: str) -> bool:
    """Whether a notebook output holds a table the notebook computed (``informe.report.display.Table``: the table,
    then its download links), not the chapter's text (the analysts' prose, with the tables they typed: a text
    cannot carry attributes such as ``{.descargas}``)."""
    return "]{.descargas}" in text


def test_every_table_has_a_labelled_caption(staged_2022):
    """Every table the notebooks compute, and the colophon's, has a labelled caption. The tables of the
    chapters' texts are the analysts': one with a caption is labelled too (``tbl-texto-…``, no download), one
    without is left unnumbered, introduced by the text around it."""
    tables, labels, chapters, text_tables = [], [], set(), []
    for name, text in staged_outputs(staged_2022):
        for header, caption in markdown_tables(text):
            if name.endswith(".ipynb") and not generated(text):
                text_tables.append((name, header, caption))
                continue
            match = CAPTION.match(caption or "")
            assert match, f"{name}: la tabla «{header[:60]}» no tiene título con etiqueta (: Título {{#tbl-…}})"
            tables.append(match["title"])
            labels.append(match["label"])
            chapters.add(name)
    # Every data chapter (a notebook in params/2022.yml) prints tables, and so does the colophon; a text-only
    # chapter prints none of its own.
    params = load_params(ROOT / "params" / "2022.yml")
    data_chapters = {f"{n:02d}-{c.slug}.ipynb" for n, c in enumerate(params.chapters, start=1) if c.notebook}
    assert len(data_chapters) == 9 and chapters == data_chapters | {"colofon.qmd"}
    assert len(set(labels)) == len(labels), "two tables share a label"
    # Each label is the table's slug, the name of its download (except the colophon's, which has none).
    downloads = {p.name[:-4] for p in (staged_2022 / "notebooks" / "tablas").glob("*.csv")}
    assert {label[4:] for label in labels} - {"huella-de-los-archivos-de-entrada"} <= downloads
    assert "Estado de situación financiera" in tables and "Huella de los archivos de entrada" in tables
    # The texts' tables: both kinds occur in 2022; a captioned one is labelled after its chapter, never a download.
    captioned = [(name, CAPTION.match(caption or "")) for name, _, caption in text_tables if caption]
    assert captioned and len(captioned) < len(text_tables)
    for name, match in captioned:
        assert match and match["label"].startswith("tbl-texto-"), name
        assert match["label"][4:] not in downloads and match["label"] not in labels
    assert ("12-administrativo.ipynb", "tbl-texto-administrativo-politicas-de-mipg-y-sus-responsables") in {
        (name, match["label"]) for name, match in captioned}


def test_every_figure_has_a_label_and_a_caption(staged_2022, built_2022):
    charts = sum(1 for p in (built_2022 / "notebooks").glob("*.ipynb")
                 for cell in json.loads(p.read_text(encoding="utf-8"))["cells"]
                 for o in cell.get("outputs", []) if any(k.startswith("image/") for k in o.get("data", {})))
    figures = []
    for name, text in staged_outputs(staged_2022):
        for line in text.splitlines():
            if line.startswith("!["):
                match = FIGURE.match(line)
                assert match and match["caption"].strip(), f"{name}: figura sin título o sin etiqueta: {line[:80]}"
                assert (staged_2022 / "notebooks" / match["path"]).exists(), match["path"]
                figures.append(match["label"])
    assert charts >= 5 and len(figures) == charts
    assert len(set(figures)) == len(figures)


def test_signatories_page_is_staged_from_params(tmp_path, executed):
    # Freshly executed notebooks: a clean clone's committed ones have no tables' data (tablas/*.json).
    params = load_params(ROOT / "params" / "2022.yml")
    raw = yaml.safe_load((ROOT / "params" / "2022.yml").read_text(encoding="utf-8"))
    src = stage_sources(ROOT, executed, tmp_path / "src", params, {**INFO, "engine": "Quarto"})
    text = (src / "firmas.qmd").read_text(encoding="utf-8")
    config = yaml.safe_load((src / "_quarto.yml").read_text(encoding="utf-8"))
    assert config["book"]["chapters"][-2:] == ["firmas.qmd", "colofon.qmd"]
    assert raw["signatories"]
    for person in raw["signatories"]:
        assert f'(name: "{person["name"]}", role: "{person["role"]}")' in text  # the PDF (raw Typst)
        assert f'**{person["name"]}**, {person["role"]}' in text  # the HTML book


def test_quarto_config_keeps_data_text_and_names_the_cutoff():
    config = yaml.safe_load((ROOT / "_quarto.yml").read_text(encoding="utf-8"))
    assert config["language"]["title-block-published"] == "Fecha de corte"
    assert config["from"] == "markdown-smart"  # every format
    assert not any("from" in options for options in config["format"].values())
    assert "book/literal-text.lua" in config["filters"]
    assert (ROOT / "book" / "literal-text.lua").exists()


def test_charts_are_staged_as_labelled_markdown_figures(tmp_path):
    import nbformat

    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>'
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Inversión\n\n## Proyectos por sector {#sec-x}"),
        nbformat.v4.new_code_cell("show(fig)", outputs=[
            nbformat.v4.new_output("display_data", data={"image/svg+xml": svg, "text/plain": "<Figure>"}),
            nbformat.v4.new_output("display_data", data={"image/svg+xml": svg, "application/vnd.informe.test+json": {"a": 1}},
                                   metadata={"informe": {"caption": 'Monto "USD" por país', "label": "fig-monto",
                                                         "alt": 'Barras: "Colombia" 10'}}),
        ]),
    ]
    path = tmp_path / "03-inversion.ipynb"
    nbformat.write(nb, path)
    seen = {"fig-monto"}  # a label already used in an earlier chapter
    assert stage_figures(path, tmp_path / "figuras", seen) == 2
    outputs = nbformat.read(path, as_version=4).cells[1].outputs
    first, second = (o.data["text/markdown"] for o in outputs)
    # Every chart has a text alternative (the accessible PDF refuses an image without one): its own, else
    # «Gráfico: <caption>».
    assert first == ('![Proyectos por sector](figuras/03-inversion-1.svg)'
                     '{#fig-proyectos-por-sector fig-alt="Gráfico: Proyectos por sector" width=100%}')
    assert second == ('![Monto "USD" por país](figuras/03-inversion-2.svg)'
                      '{#fig-monto-2 fig-alt="Barras: \\"Colombia\\" 10" width=100%}')
    assert outputs[1].data["application/vnd.informe.test+json"] == {"a": 1}  # other payloads are kept
    assert not any(k.startswith("image/") for o in outputs for k in o.data)
    assert (tmp_path / "figuras" / "03-inversion-2.svg").read_text(encoding="utf-8") == svg


def test_every_pandoc_call_reads_markdown_without_smart():
    from informe.publish.book import without_smart

    assert without_smart(["book.md", "-f", "markdown-citations", "-t", "html5"]) == \
        ["book.md", "-f", "markdown-citations-smart", "-t", "html5"]
    assert without_smart(["--from", "markdown+smart"]) == ["--from", "markdown-smart"]
    assert without_smart(["-f", "markdown-smart", "-t", "typst"]) == ["-f", "markdown-smart", "-t", "typst"]
    assert without_smart(["-f", "html", "-t", "typst"]) == ["-f", "html", "-t", "typst"]  # only Markdown


# --------------------------------------------------------------------------
# Quarto's HTML book at the level of the pip-only one (issue 23): PDF and downloads links, named landmarks
# --------------------------------------------------------------------------

QUARTO_PAGE = """<!DOCTYPE html><html lang="es"><head><title>{title}</title></head><body>
<header id="quarto-header"><nav class="quarto-secondary-nav"><button>Menú</button></nav></header>
<div id="quarto-content">
<nav id="quarto-sidebar" class="sidebar collapse"><div class="sidebar-menu-container"><ul>
<li><a href="{up}index.html" class="sidebar-item-text sidebar-link{active_index}">Presentación</a></li>
<li><a href="{up}notebooks/05-inversion.html" class="sidebar-item-text sidebar-link{active_ch}">5 Inversión</a></li>
</ul></div></nav>
<main class="content" id="quarto-document-content">{body}
<nav class="page-navigation"><div class="nav-page nav-page-next">
<a href="{up}notebooks/05-inversion.html" class="pagination-link" aria-label="&lt;span class='chapter-number'&gt;5&lt;/span&gt; Inversión">
<span class="nav-page-text"><span class="chapter-number">5</span> Inversión</span></a></div></nav>
</main></div></body></html>"""
CHAPTER_BODY = """<header id="title-block-header"><h1 class="title"><span class="chapter-number">5</span>
<span class="chapter-title">Inversión</span></h1></header>
<div id="tbl-proyectos-por-sector" class="quarto-float"><figure class="quarto-float quarto-float-tbl figure">
<figcaption>Tabla 5.1: Proyectos por sector</figcaption><table><tr><td>1</td></tr></table></figure></div>
<p>Descargar: <a href="tablas/proyectos-por-sector.xlsx">XLSX</a> · <a href="tablas/proyectos-por-sector.csv">CSV</a></p>
"""
FAKE_QUARTO_BOOK = """#!/bin/sh
src="$2"
mkdir -p "$src/_book/notebooks"
cp "{index}" "$src/_book/index.html"
cp "{chapter}" "$src/_book/notebooks/05-inversion.html"
printf '%%PDF-1.7 fake' > "$src/_book/Informe-de-Gestión.pdf"
"""


def test_quarto_html_book_links_the_pdf_and_a_downloads_page(tmp_path, monkeypatch, executed):
    from bs4 import BeautifulSoup

    index, chapter = tmp_path / "index.html", tmp_path / "05-inversion.html"
    index.write_text(QUARTO_PAGE.format(title="Informe", up="", active_index=" active", active_ch="",
                                        body="<h1>Presentación</h1>"), encoding="utf-8")
    chapter.write_text(QUARTO_PAGE.format(title="Inversión", up="../", active_index="", active_ch=" active",
                                          body=CHAPTER_BODY), encoding="utf-8")
    exe = tmp_path / "quarto"
    exe.write_text(FAKE_QUARTO_BOOK.format(index=index, chapter=chapter), encoding="utf-8")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("QUARTO", str(exe))
    out = tmp_path / "out"
    out.mkdir()
    render_book(ROOT, executed, tmp_path / "work", out, load_params(ROOT / "params" / "2022.yml"), INFO,
                chapters=["05-inversion.ipynb"])
    book = out / "book"
    for page, up in (("index.html", ""), ("notebooks/05-inversion.html", "../"), ("descargas.html", "")):
        soup = BeautifulSoup((book / page).read_text(encoding="utf-8"), "html.parser")
        links = [(a["href"], a.get_text()) for a in soup.select("nav.informe-links a")]
        assert links == [(f"{up}../informe-gestion-2022.pdf", "Informe en PDF"),
                         (f"{up}descargas.html", "Tablas en CSV y XLSX")], page
        assert (book / page).parent.joinpath(links[1][0]).resolve() == (book / "descargas.html").resolve()
        # Every navigation landmark named, and differently (axe landmark-unique); the sidebar is «Capítulos».
        names = [nav.get("aria-label") for nav in soup.find_all("nav")]
        assert all(names) and len(set(names)) == len(names), names
        assert soup.find(id="quarto-sidebar")["aria-label"] == "Capítulos"
        # Previous/next links named by their visible text (axe label-content-name-mismatch).
        assert not soup.select(".page-navigation a[aria-label]"), page
    downloads = BeautifulSoup((book / "descargas.html").read_text(encoding="utf-8"), "html.parser")
    assert downloads.title.get_text() == "Descargas – Informe de Gestión 2022"
    listed = {a["href"] for a in downloads.select("#quarto-document-content a")}
    assert {"notebooks/tablas/proyectos-por-sector.xlsx", "notebooks/tablas/proyectos-por-sector.csv",
            "notebooks/05-inversion.html", "../informe-gestion-2022.pdf"} <= listed
    assert "Proyectos por sector" in downloads.get_text()
    assert not downloads.select(".page-navigation") and not downloads.select("#quarto-sidebar a.active")


def test_quarto_theme_lets_wide_tables_scroll_inside_the_column():
    """At 1366 px a wide table scrolls in its region: the column's grid items may shrink (min-width: 0)."""
    scss = (ROOT / "book" / "quarto-theme.scss").read_text(encoding="utf-8")
    rules = scss.split("/*-- scss:rules --*/")[1]
    assert re.search(r"#quarto-document-content > \*[^{]*\{\s*min-width: 0;", rules)
    assert ".table-scroll { display: block; max-width: 100%; overflow-x: auto; }" in rules
    script = (ROOT / "book" / "quarto-tables.html").read_text(encoding="utf-8")
    assert '".page-navigation a[aria-label]"' in script and '"quarto-sidebar": "Capítulos"' in script
