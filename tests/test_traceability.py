"""Every number of the book's tables says where it comes from (issue 23, item 3).

The sources are checked against the workbooks themselves, read here with openpyxl: a typed value is the value of
the cell it names, a sum is the sum of the cells it names, a count is the number of rows it names. Nothing here
is copied from the report's output.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pandas as pd
import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from browser import chromium, require_browser, serve, set_viewport
from conftest import ROOT
from informe.publish.downloads import SOURCES_SHEET, year_workbook_name
from informe.publish.html_book import source_coverage
from informe.report import trace
from informe.report.display import Table, table_with_total
from informe.report.report import load_report
from informe.report.sections import administration, financial, investment

DATA = ROOT / "data"


@pytest.fixture(scope="module")
def report():
    return load_report(2022, root=ROOT)


# --------------------------------------------------------------------------
# Reading the cells a source names, straight from the workbook
# --------------------------------------------------------------------------

_WORKBOOKS: dict[str, object] = {}


def _sheet(book: str, sheet: str):
    if book not in _WORKBOOKS:
        _WORKBOOKS[book] = load_workbook(DATA / book, data_only=True)
    return _WORKBOOKS[book][sheet]


def _expand(cells: str) -> list[str]:
    """«E2:E4, E7 y E9» → [E2, E3, E4, E7, E9]."""
    refs = []
    for piece in re.split(r", | y ", cells):
        if ":" in piece:
            start, end = piece.split(":")
            letters = start.rstrip("0123456789")
            refs += [f"{letters}{r}" for r in range(int(start[len(letters):]), int(end[len(letters):]) + 1)]
        elif piece:
            refs.append(piece)
    return refs


def _values(source: dict) -> list:
    assert len(source["libros"]) == 1, source
    sheet = _sheet(source["libros"][0], source["hojas"][0])
    return [sheet[ref].value for ref in _expand(source["celdas"][0])]


def _sidecars(built: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((built / "notebooks" / "tablas").glob("*.json"))]


def _number(value) -> float:
    return float(value) if not isinstance(value, str) else float(value.replace(".", "").replace(",", "."))


# --------------------------------------------------------------------------
# The sources of the whole 2022 book, checked against the workbooks
# --------------------------------------------------------------------------

def test_every_typed_summed_or_counted_number_is_what_its_cells_hold(built_2022):
    checked = {"typed": 0, "sum": 0, "count": 0}
    for table in _sidecars(built_2022):
        for row in table["rows"]:
            for j, source in row.get("sources", {}).items():
                value = row["values"][int(j)]
                how = source["calculo"]
                counted = re.match(r"(?:total: )?conteo de (\d+) filas?\b", how)
                if how == trace.TYPED:
                    (cell,) = _values(source)
                    if isinstance(value, str):  # a note's number («28.1»), an identifier: the text as typed
                        assert str(cell).strip() == value.strip(), (table["title"], source["texto"])
                    else:
                        assert _number(cell) == pytest.approx(value), (table["title"], source["texto"])
                    checked["typed"] += 1
                elif how.startswith(("suma de", "total: suma de")) and len(source["libros"]) == 1:
                    cells = [c for c in _values(source) if c is not None]
                    assert sum(_number(c) for c in cells) == pytest.approx(_number(value)), (table["title"], source["texto"])
                    checked["sum"] += 1
                elif counted:
                    named = len(_expand(source["celdas"][0])) if source["celdas"][0] != "ninguna fila" else 0
                    assert int(counted.group(1)) == named == value, (table["title"], source["texto"])
                    checked["count"] += 1
    # the 2022 book: hundreds of typed values, and the sums and counts of every grouped table
    assert checked["typed"] > 500 and checked["sum"] > 30 and checked["count"] > 30, checked


def test_every_number_of_the_html_tables_has_a_source(built_2022):
    traced, total = source_coverage(built_2022 / "book")
    assert total > 1000  # the 2022 book's tables: statements, plan, projects, cooperation, annex…
    assert traced == total


def test_a_source_is_a_focusable_number_described_by_its_note(built_2022):
    soup = BeautifulSoup((built_2022 / "book" / "05-inversion.html").read_text(encoding="utf-8"), "html.parser")
    numbers = soup.select("table .fuente[tabindex='0'][aria-describedby]")
    assert numbers
    for number in numbers:
        note = soup.find(id=number["aria-describedby"])
        assert note is not None and note.get("role") == "tooltip" and note.has_attr("data-pagefind-ignore")
        assert note.get_text().startswith("Fuente: ")
        assert not number.has_attr("data-fuente")  # said once, in the note


def test_the_xlsx_downloads_carry_a_sources_sheet(built_2022):
    tablas = built_2022 / "book" / "tablas"
    sidecar = json.loads((built_2022 / "notebooks" / "tablas" / "proyectos-por-pais-de-origen.json").read_text("utf-8"))
    expected = sum(len(r.get("sources", {})) for r in sidecar["rows"])
    ws = load_workbook(tablas / "proyectos-por-pais-de-origen.xlsx")[SOURCES_SHEET]
    rows = [r for r in ws.iter_rows(min_row=4, values_only=True) if any(v is not None for v in r)]
    assert len(rows) == expected > 0
    headers = [c.value for c in ws[3]]
    assert headers == ["Fila", "Columna", "Valor", "Libro", "Hoja", "Celdas", "Cálculo"]
    by_label = {(r[0], r[1]): r for r in rows}
    # Chile: one project, counted in column A of «Proyectos» (read from the workbook here)
    sheet = _sheet("2022/inversion.xlsx", "Proyectos")
    chile = [c.row for c in sheet["B"] if c.value == "Chile"]
    assert by_label[("Chile", "Proyectos")][5] == f"A{chile[0]}" and by_label[("Chile", "Proyectos")][2] == len(chile)
    year = load_workbook(tablas / year_workbook_name(2022), read_only=True)
    assert year.sheetnames[-1] == SOURCES_SHEET
    assert [c.value for c in next(year[SOURCES_SHEET].iter_rows(min_row=3, max_row=3))][0] == "Tabla"


# --------------------------------------------------------------------------
# The pieces
# --------------------------------------------------------------------------

def test_cells_are_written_as_ranges():
    assert trace.cells_text(("F5",)) == "celda F5"
    assert trace.cells_text(("E2", "E3", "E4", "E7", "E9")) == "celdas E2:E4, E7 y E9"
    assert trace.cells_text(("H9", "I9")) == "celdas H9 y I9"
    assert trace.cells_text(()) == "ninguna fila"


def test_a_sheet_frame_knows_each_cell(report):
    projects = investment.projects(report)
    sheet = _sheet("2022/inversion.xlsx", "Proyectos")
    for row in projects.index:
        source = trace.cell(projects, row, "Empleos")
        (ref,) = source.parts[0].cells
        assert sheet[ref].value == (None if pd.isna(projects.at[row, "Empleos"]) else projects.at[row, "Empleos"])
    assert trace.cell(projects.reset_index(drop=True), 0, "Empleos") is None  # computed frame: no origin


def test_a_grouped_table_sums_the_cells_of_its_group(report):
    table = investment.summary_table(report, "Sector", "Proyectos por sector")
    sources = table.cell_sources()
    sheet = _sheet("2022/inversion.xlsx", "Proyectos")
    for i, value in enumerate(table.data["Monto (USD millones)"]):
        if pd.isna(value):
            assert (i, "Monto (USD millones)") not in sources  # «s. d.» has no source: nothing was reported
            continue
        refs = sources[(i, "Monto (USD millones)")].parts[0].cells
        assert sum(sheet[r].value or 0 for r in refs) == pytest.approx(value)


def test_a_total_row_names_every_cell_it_sums():
    frame = pd.DataFrame({"Cuenta": ["a", "b"], "Valor": [1.0, 2.0]}, index=pd.Index([4, 6], name="fila"))
    frame.attrs["origen"] = {"libro": "x.xlsx", "hoja": "H", "año": 2030, "letras": {"Cuenta": "A", "Valor": "C"}}
    table = table_with_total(frame, "Cuenta", "t")
    sources = table.cell_sources()
    assert sources[(0, "Valor")].describe() == "2030/x.xlsx, hoja «H», celda C4: valor escrito en el libro"
    assert sources[(2, "Valor")].describe() == "2030/x.xlsx, hoja «H», celdas C4 y C6: total: suma de 2 celdas"
    markdown = table._repr_markdown_()
    assert '[1]{.fuente data-fuente="2030/x.xlsx, hoja «H», celda C4: valor escrito en el libro"}' in markdown


def test_shares_and_computed_columns_say_how(report):
    table = administration.procurement_table(report)
    share = table.cell_sources()[(0, "Participación (%)")]
    assert share.how.startswith("calculado:") and len(share.parts[0].cells) == len(administration.procurement(report))
    statement = financial.statement_table(report, "Situación financiera", "x")
    change = statement.cell_sources()[(1, "Var $")]
    assert change.how == "calculado: 2022 − 2021" and len(change.parts[0].cells) == 2


def test_a_table_rejects_sources_of_another_length():
    with pytest.raises(ValueError, match="fuentes"):
        Table(pd.DataFrame({"a": [1, 2]}), "t", sources={"a": [None]})


def test_numbers_typed_in_a_text_table_name_the_text():
    markdown = "Texto.\n\n| Línea | Presupuesto |\n|:--|--:|\n| Uno | 1,18 |\n| Dos | {{cifra}} |\n\nFin."
    out, count = trace.text_table_sources(markdown, "2030/textos/x.md", first_table=3)
    assert count == 1
    assert ('[1,18]{.fuente data-fuente="2030/textos/x.md, tabla 3 del texto, fila 1, columna «Presupuesto»: '
            'cifra escrita en el texto del capítulo"}') in out
    assert "| Dos | {{cifra}} |" in out  # a cited figure is resolved from the data, not marked as typed
    assert out.startswith("Texto.\n\n| Línea | Presupuesto |\n|:--|--:|") and out.endswith("\n\nFin.")


def test_one_number_pattern_for_typed_figures_and_the_coverage_count():
    """A figure alone in a cell, signed or between accounting parentheses (balanced), in a text's table and in the
    HTML book's count alike; a note like «(12» or a word is not a figure."""
    for value in ("1,18", "−1.234", "(1.234)", "USD 155,67", "45 %", "$ 5.509.310.977", "( 3 )"):
        assert trace.NUMBER.match(value), value
    for value in ("(12", "12)", "abc", "1a", "Nota (3)", ""):
        assert not trace.NUMBER.match(value), value
    markdown = "| Línea | Resultado |\n|:--|--:|\n| Pérdida | (1.234) |\n| Nota | (12 |\n"
    out, count = trace.text_table_sources(markdown, "2030/textos/x.md")
    assert count == 1 and "[(1.234)]{.fuente" in out and "| (12 |" in out


def test_the_focused_number_shows_its_source_inside_the_window(built_2022):
    require_browser()
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    with serve(built_2022) as base, chromium() as driver:
        for width in (1366, 390):
            set_viewport(driver, width)
            driver.get(f"{base}/book/13-estados-financieros.html")
            numbers = driver.find_elements(By.CSS_SELECTOR, ".fuente[tabindex]")
            number = numbers[len(numbers) // 2]
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].focus();", number)
            time.sleep(0.2)
            note = driver.find_element(By.ID, number.get_attribute("aria-describedby"))
            box = driver.execute_script("var r = arguments[0].getBoundingClientRect();"
                                        "return [getComputedStyle(arguments[0]).display, r.left, r.right, r.top,"
                                        " r.bottom, innerWidth, innerHeight];", note)
            assert box[0] == "block" and box[1] >= 0 and box[2] <= box[5] and box[3] >= 0 and box[4] <= box[6], box
            assert note.text.startswith("Fuente: 2022/estados_financieros.xlsx")
            number.send_keys(Keys.ESCAPE)
            time.sleep(0.1)
            assert driver.execute_script("return getComputedStyle(arguments[0]).display", note) == "none"


def test_quarto_pages_get_the_same_sources(tmp_path):
    """The Quarto engine's pages (rendered elsewhere, Quarto 1.10) are finished like the pip engine's: each number
    focusable and described by its note, and the script that places the notes, linked from the page's depth."""
    from informe.publish.html_book import SOURCES_SCRIPT, finish_quarto_book

    html = tmp_path / "_book"
    (html / "notebooks").mkdir(parents=True)
    page = ('<!DOCTYPE html><html><head><title>t</title></head><body><nav id="quarto-sidebar"></nav>'
            '<main id="quarto-document-content"><h1>Atracción de inversión</h1><table><tr><td>'
            '<span class="fuente" data-fuente="2022/inversion.xlsx, hoja «Proyectos», celda F5: valor escrito en el '
            'libro">600</span></td></tr></table></main></body></html>')
    (html / "notebooks" / "05-inversion.html").write_text(page, encoding="utf-8")
    (html / "index.html").write_text(page.replace("Atracción de inversión", "Presentación"), encoding="utf-8")
    config = {"book": {"title": "Informe de Gestión", "chapters": ["index.qmd", "notebooks/05-inversion.ipynb"]},
              "informe": {"year": 2022}}
    finish_quarto_book(ROOT, config, html)
    soup = BeautifulSoup((html / "notebooks" / "05-inversion.html").read_text(encoding="utf-8"), "html.parser")
    number = soup.select_one("td .fuente[tabindex='0'][aria-describedby]")
    note = soup.find(id=number["aria-describedby"])
    assert note.get_text() == "Fuente: 2022/inversion.xlsx, hoja «Proyectos», celda F5: valor escrito en el libro"
    assert soup.head.find("script", src=f"../{SOURCES_SCRIPT}") is not None
    assert (html / SOURCES_SCRIPT).read_bytes() == (ROOT / "book" / SOURCES_SCRIPT).read_bytes()
