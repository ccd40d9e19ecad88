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

from conftest import ROOT, build, set_cell
from informe.data.validation import validate_dir

MAX_PAGES = 28  # the 2022 PDF for directors (it was 42 with every passing check in the annex)
WORD = re.compile(r"[^\W\d_]+")
# A hyphen-minus used as a minus sign: before a digit, not inside a code, date or range (PI-01, 2022-12-31).
HYPHEN_MINUS_NUMBER = re.compile(r"(?<![\w\d.,])-(?=\$?\d)")


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


def test_pdf_has_at_most_28_pages_and_every_chart(pages, built_2022):
    assert len(pages) <= MAX_PAGES
    charts = sum(1 for p in (built_2022 / "notebooks").glob("*.ipynb")
                 for cell in json.loads(p.read_text(encoding="utf-8"))["cells"]
                 for o in cell.get("outputs", []) if any(k.startswith("image/") for k in o.get("data", {})))
    figures = re.findall(r"Figura (\d+)\.(\d+):", squash(" ".join(pages)))
    assert charts >= 5 and len(figures) == charts


def test_pdf_tables_are_numbered_per_chapter(pages):
    captions = re.findall(r"Tabla (\d+)\.(\d+):", squash(" ".join(pages)))
    by_chapter: dict[int, list[int]] = {}
    for chapter, n in captions:
        by_chapter.setdefault(int(chapter), []).append(int(n))
    assert sorted(by_chapter) == list(range(1, 9))  # eight numbered chapters, each with tables
    for numbers in by_chapter.values():
        assert numbers == list(range(1, len(numbers) + 1))  # restarts at 1 in each chapter, no gaps
    assert "Tabla 7.1: Estado de situación financiera" in squash(" ".join(pages))


def printed_table_slugs(notebooks) -> list[str]:
    """The slug of every labelled table (``: Title {#tbl-<slug>}``) the executed notebooks print."""
    slugs = []
    for path in sorted(notebooks.glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            for output in cell.get("outputs", []):
                text = output.get("data", {}).get("text/markdown", "")
                text = text if isinstance(text, str) else "".join(text)
                if 'content-visible when-format="html"}\n|' not in text:  # HTML-only tables are not printed
                    slugs += re.findall(r"^: .*\{#tbl-([a-z0-9-]+)\}\s*$", text, flags=re.M)
    return slugs


def test_long_tables_break_across_pages_without_losing_rows(pages, built_2022):
    """Every word of every printed table (from its CSV download) is in the PDF, none cut in two."""
    words = set(WORD.findall(" ".join(pages)))
    slugs = printed_table_slugs(built_2022 / "notebooks")
    numbered = re.findall(r"Tabla \d+\.\d+:", squash(" ".join(pages)))
    assert len(slugs) == len(numbered) > 0  # every printed table is numbered
    missing = set()
    for slug in slugs:
        with (built_2022 / "book" / "tablas" / f"{slug}.csv").open(encoding="utf-8-sig") as fh:
            for row in csv.reader(fh):
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
        found = [text[max(0, m.start() - 30):m.end() + 12] for m in HYPHEN_MINUS_NUMBER.finditer(text)]
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
