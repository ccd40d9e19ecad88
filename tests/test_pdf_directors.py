"""The PDF directors read (issue 10 item 5) and data text printed as typed (issue 8 item 8), pip-only engine.

Expected values come from the inputs (params/2022.yml, the workbooks through the checks, the notebooks'
own charts and tables), never from the PDF being tested.
"""

from __future__ import annotations

import csv
import html
import json
import re

import pytest
import yaml
from pypdf import PdfReader

from conftest import CHAPTERS_2022, ROOT, build, set_cell
from informe.data.validation import validate_dir
from informe.report.display import strip_sources

# The 2022 PDF for directors, with the published edition's texts (issue 19): fewer than 110 pages for now.
# (It was 28 pages with the notebooks' short texts, 42 with every passing check in the annex.)
MAX_PAGES = 110
WORD = re.compile(r"[^\W\d_]+")
# A hyphen-minus used as a minus sign: before a digit, not inside a code, date or range (PI-01, 2022-12-31).
HYPHEN_MINUS_NUMBER = re.compile(r"(?<![\w\d.,])-(?=\$?\d)")
# A web address of a text broken at one of its hyphens: Typst repeats the hyphen at the start of the next line
# (Spanish typography), which is not a minus sign (…/1585252032477-⏎-98684d0c…).
URL_BROKEN_AT_HYPHEN = re.compile(r"https?://\S*-\s*$")


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.fixture(scope="module")
def pages(built_2022) -> list[str]:
    return [page.extract_text() for page in PdfReader(built_2022 / "informe-gestion-2022.pdf").pages]


@pytest.fixture(scope="module")
def html_text(built_2022) -> str:
    """The visible text of every page of the HTML book (scripts and styles removed)."""
    out = []
    for page in sorted((built_2022 / "book").glob("*.html")):
        text = page.read_text(encoding="utf-8")
        text = re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)
        out.append(html.unescape(re.sub(r"<[^>]+>", " ", text)))
    return squash(" ".join(out))


def _chapter_pages(pages: list[str], title: str) -> list[str]:
    """The pages whose running header names the chapter ``title``."""
    return [p for p in pages if squash(p).startswith(f"ACI Medellín · Informe de Gestión 2022 {title}")]


def test_pdf_has_fewer_than_110_pages_and_every_chart(pages, built_2022):
    assert len(pages) < MAX_PAGES
    charts = sum(1 for p in (built_2022 / "notebooks").glob("*.ipynb")
                 for cell in json.loads(p.read_text(encoding="utf-8"))["cells"]
                 for o in cell.get("outputs", []) if any(k.startswith("image/") for k in o.get("data", {})))
    figures = re.findall(r"Figura (\d+)\.(\d+):", squash(" ".join(pages)))
    assert charts >= 5 and len(figures) == charts


def test_pdf_tables_are_numbered_per_chapter(pages, built_2022):
    captions = re.findall(r"Tabla (\d+)\.(\d+):", squash(" ".join(pages)))
    by_chapter: dict[int, list[int]] = {}
    for chapter, n in captions:
        by_chapter.setdefault(int(chapter), []).append(int(n))
    # The numbered chapters whose notebook prints a captioned table (the notebooks' own and the texts' tables
    # with a caption), in the book's order: chapter N is NN-<slug>.ipynb.
    with_tables = sorted(int(path.name[:2]) for path in (built_2022 / "notebooks").glob("*.ipynb")
                         if printed_table_slugs(built_2022 / "notebooks", path.name))
    assert len(with_tables) >= 8 and sorted(by_chapter) == with_tables
    for chapter, numbers in by_chapter.items():
        assert numbers == list(range(1, len(numbers) + 1)), chapter  # restarts at 1 in each chapter, no gaps
    financial = 1 + [slug for slug, _ in CHAPTERS_2022].index("estados-financieros")
    assert re.search(rf"Tabla {financial}\.\d+: Estado de situación financiera", squash(" ".join(pages)))


def printed_table_slugs(notebooks, pattern: str = "*.ipynb") -> list[str]:
    """The slug of every labelled table (``: Title {#tbl-<slug>}``) the executed notebooks print."""
    return [slug for slug, _ in printed_tables(notebooks, pattern)]


def printed_tables(notebooks, pattern: str = "*.ipynb") -> list[tuple[str, list[str]]]:
    """(slug, Markdown rows) of every labelled table the executed notebooks print (not the HTML-only ones)."""
    tables = []
    for path in sorted(notebooks.glob(pattern)):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            for output in cell.get("outputs", []):
                text = output.get("data", {}).get("text/markdown", "")
                text = strip_sources(text if isinstance(text, str) else "".join(text))  # what the PDF prints
                if 'content-visible when-format="html"}\n|' in text:  # HTML-only tables are not printed
                    continue
                lines = text.splitlines()
                for i, line in enumerate(lines):
                    label = re.match(r"^: .*\{#tbl-([a-z0-9-]+)\}\s*$", line)
                    if label:  # the caption follows its table (and a blank line)
                        end = i - 1
                        while end > 0 and not lines[end].startswith("|"):
                            end -= 1
                        start = end
                        while start > 0 and lines[start - 1].startswith("|"):
                            start -= 1
                        tables.append((label.group(1), lines[start:end + 1]))
    return tables


def test_long_tables_break_across_pages_without_losing_rows(pages, built_2022):
    """Every word of every printed table is in the PDF, none cut in two: the notebooks' tables as their CSV
    download holds them, the texts' captioned tables (``tbl-texto-…``, no download) as their text typed them."""
    words = set(WORD.findall(" ".join(pages)))
    tables = printed_tables(built_2022 / "notebooks")
    numbered = re.findall(r"Tabla \d+\.\d+:", squash(" ".join(pages)))
    assert len(tables) == len(numbered) > 0  # every printed table is numbered
    assert any(slug.startswith("texto-") for slug, _ in tables)
    missing = set()
    for slug, markdown_rows in tables:
        if slug.startswith("texto-"):
            assert markdown_rows, slug
            rows = [row.split("|") for row in markdown_rows]
        else:
            with (built_2022 / "book" / "tablas" / f"{slug}.csv").open(encoding="utf-8-sig") as fh:
                rows = list(csv.reader(fh))
        for row in rows:
            missing |= {(slug, w) for cell in row for w in WORD.findall(cell) if len(w) > 2 and w not in words}
    assert not missing, sorted(missing)[:20]


def test_annex_lists_findings_with_explanations_and_not_the_passing_checks(pages, html_text, built_2022):
    checks = validate_dir(ROOT / "data" / "2022").checks
    findings = [c for c in checks if not c.passed]
    passed = [c for c in checks if c.passed]
    assert len(findings) == 23  # the 23 warnings of the published 2022 report (README)
    annex = squash(" ".join(_chapter_pages(pages, "Anexo: calidad de los datos")))
    for c in findings:
        assert squash(c.description).replace(" ", "") in annex.replace(" ", ""), c.description
    for title in ("Diferencias de redondeo", "Cifras derivadas publicadas distintas de las calculadas",
                  "Detalles que no cubren todo el indicador"):
        assert re.search(rf"{re.escape(title)} \(\d+\)\. \w+", annex), title  # title, count, explanation
    only_passed = {c.description for c in passed} - {c.description for c in findings}
    assert not [d for d in only_passed if squash(d).replace(" ", "") in annex.replace(" ", "")]
    # ... they are in the HTML book and in a download.
    assert all(squash(d) in html_text for d in only_passed)
    with (built_2022 / "book" / "tablas" / "verificaciones-que-cuadran-exactamente.csv").open(encoding="utf-8-sig") as fh:
        assert len(list(csv.DictReader(fh))) == len(passed)


def test_signatories_page(pages):
    raw = yaml.safe_load((ROOT / "params" / "2022.yml").read_text(encoding="utf-8"))
    firmas = _chapter_pages(pages, "Firmas")
    assert len(firmas) == 1, "one signatories page"
    page = squash(firmas[0])
    assert raw["signatories"]
    for person in raw["signatories"]:
        assert f"{person['name']} {person['role']}" in page, person
    assert "Colofón" in squash(pages[pages.index(firmas[0]) + 1])  # followed by the colophon


def test_no_hyphen_minus_before_a_number(pages, html_text):
    """One minus sign (U+2212) in every negative number, in the PDF and in the HTML book.

    Passes once fmt.format_number writes U+2212 (helper nextyear) and no other path prints «-» before a number.
    """
    pdf = " ".join(pages)
    assert "\u2212" in pdf  # the report has negative figures (net result 2022: −$920.113.556)
    for where, text in (("PDF", pdf), ("HTML", html_text)):
        found = [text[max(0, m.start() - 30):m.end() + 12] for m in HYPHEN_MINUS_NUMBER.finditer(text)
                 if not URL_BROKEN_AT_HYPHEN.search(text[max(0, m.start() - 300):m.start()])]
        assert not found, f"{where}: {len(found)} números con guion: {found[:5]}"


# --------------------------------------------------------------------------
# Data text printed exactly as typed, in both outputs (one build with hostile names)
# --------------------------------------------------------------------------

QUOTED = "O'Neil \"Hermanos\" -- Consultores... S.A.S."
SCRIPT = "Acme <script>alert('x')</script> S.A.S."


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    data = tmp_path_factory.mktemp("data") / "data"
    import shutil

    shutil.copytree(ROOT / "data" / "2022", data)
    set_cell(data / "inversion.xlsx", "Proyectos", "A2", SCRIPT)
    set_cell(data / "inversion.xlsx", "Proyectos", "A3", QUOTED)
    out = tmp_path_factory.mktemp("build") / "2022"
    result = build("--year", "2022", "--data", str(data), "--out", str(out), "--engine", "pandoc")
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_data_text_is_printed_exactly_as_typed(hostile_build):
    pdf = "".join(page.extract_text() for page in PdfReader(hostile_build / "informe-gestion-2022.pdf").pages)
    assert re.sub(r"\s+", "", QUOTED) in re.sub(r"\s+", "", pdf)  # no curly quotes, dashes or ellipsis
    pages = "".join(p.read_text(encoding="utf-8") for p in (hostile_build / "book").glob("*.html"))
    visible = html.unescape(re.sub(r"<[^>]+>", "", pages))
    assert QUOTED in visible
    assert "O\u2019Neil" not in visible and "\u201cHermanos\u201d" not in visible


def test_data_is_never_inserted_unescaped(hostile_build):
    pages = "".join(p.read_text(encoding="utf-8") for p in (hostile_build / "book").glob("*.html"))
    assert "<script>alert" not in pages
    assert "Acme &lt;script&gt;alert" in pages
    text = "".join(page.extract_text() for page in PdfReader(hostile_build / "informe-gestion-2022.pdf").pages)
    assert "Acme<script>alert('x')</script>S.A.S." in re.sub(r"\s+", "", text)  # plain text in the PDF
