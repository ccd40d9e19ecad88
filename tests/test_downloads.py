"""Table downloads: styled XLSX with real numbers, CSV for Excel es-CO and open-data CSV, the year's workbook,
and the formula-injection policy (expected figures from the published 2022 report)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from openpyxl import load_workbook

from conftest import ROOT
from informe.publish.downloads import (DownloadError, load_tables, neutralise, number_format, sheet_name, write_downloads,
                                     year_workbook_name)
from informe.report.display import COP, Table, number, percent, table_with_total
from informe.report.report import load_report
from informe.report.sections import administration, financial, plan
from variant_build import FORMULA_NAMES, PROCUREMENT_DELTA, PROCUREMENT_TOTAL, variant_2022

PROCUREMENT = "contratacion-por-modalidad-plan-anual-de-adquisiciones"
HEADER_ROW = 4  # title, subtitle, blank, header (1-based, as Excel numbers rows)
CONTEXT = {"year": 2022, "demo": False, "source": "Fuente: prueba."}


@pytest.fixture(scope="module")
def report():
    return load_report(2022, root=ROOT)


def notebook_with(tables: list[Table], folder: Path, name: str = "01-prueba.ipynb") -> Path:
    """An executed-notebook stand-in: the tables' Markdown outputs, and their sidecars next to it."""
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("show(...)")
    cell.outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": t._repr_markdown_()})
                    for t in tables]
    nb.cells = [nbformat.v4.new_markdown_cell("# Prueba"), cell]
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / name)
    for table in tables:
        table.save_sidecar(folder, **CONTEXT)
    return folder / name


@pytest.fixture(scope="module")
def downloads(report, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("descargas") / "notebooks"
    tables = [administration.procurement_table(report),
              financial.statement_table(report, "Situación financiera", "Estado de situación financiera"),
              financial.indicators_table(report), plan.indicator_table(report, "Plan indicativo",
                                                                       title="Indicadores del plan indicativo")]
    notebook = notebook_with(tables, folder)
    write_downloads([notebook], folder / "tablas")
    return folder / "tablas"


def rows_by_label(ws) -> dict[str, int]:
    return {ws.cell(row=r, column=1).value: r for r in range(HEADER_ROW + 1, ws.max_row + 1)
            if ws.cell(row=r, column=1).value is not None}


def column_of(ws, name: str) -> int:
    return next(c for c in range(1, ws.max_column + 1) if ws.cell(row=HEADER_ROW, column=c).value == name)


def test_xlsx_numbers_are_numbers_with_report_formats(downloads):
    ws = load_workbook(downloads / f"{PROCUREMENT}.xlsx").worksheets[0]
    assert ws.title == "Contratación por modalidad (pla"  # 31 characters at most
    rows = rows_by_label(ws)
    value = ws.cell(row=rows["Total"], column=column_of(ws, "Valor (COP)"))
    assert value.data_type == "n" and value.value == PROCUREMENT_TOTAL
    assert value.number_format == '"$"#,##0;("$"#,##0)'  # $1.615.131.603 in a Spanish-locale Excel
    share = ws.cell(row=rows["Contratación directa"], column=column_of(ws, "Participación (%)"))
    assert share.data_type == "n" and share.value == pytest.approx(1_239_870_769 / PROCUREMENT_TOTAL * 100)
    assert share.number_format == '#,##0.0" %"'  # 76,8 %, as the report prints it
    processes = ws.cell(row=rows["Total"], column=column_of(ws, "Procesos"))
    assert processes.value == 69 and processes.number_format == "#,##0"


def test_xlsx_header_title_filter_widths_and_source(downloads):
    ws = load_workbook(downloads / f"{PROCUREMENT}.xlsx").worksheets[0]
    assert ws["A1"].value == "Contratación por modalidad (plan anual de adquisiciones)" and ws["A1"].font.b
    header = [ws.cell(row=HEADER_ROW, column=c) for c in range(1, 5)]
    assert [c.value for c in header] == ["Modalidad", "Procesos", "Valor (COP)", "Participación (%)"]
    assert all(c.font.b for c in header)
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}"
    assert ws.auto_filter.ref == f"A{HEADER_ROW}:D{HEADER_ROW + 5}"  # the five modalities, not the total
    assert ws.column_dimensions["A"].width >= len("Contratación directa")
    assert ws.column_dimensions["C"].width >= len("$1.615.131.603")
    texts = [ws.cell(row=r, column=1).value for r in range(1, ws.max_row + 1)]
    assert "Fuente: prueba." in texts


def test_xlsx_total_row_is_separate_and_styled(downloads):
    ws = load_workbook(downloads / f"{PROCUREMENT}.xlsx").worksheets[0]
    rows = rows_by_label(ws)
    last_data = HEADER_ROW + 5
    assert rows["Total"] == last_data + 2 and ws.cell(row=last_data + 1, column=1).value is None
    total = ws.cell(row=rows["Total"], column=3)
    assert total.font.b and total.border.top.style == "thin"
    assert not ws.cell(row=rows["Contratación directa"], column=3).font.b


def test_xlsx_statement_indents_instead_of_em_spaces(downloads):
    ws = load_workbook(downloads / "estado-de-situacion-financiera.xlsx").worksheets[0]
    rows = rows_by_label(ws)
    assert not any("\u2003" in label for label in rows)
    total_assets = ws.cell(row=rows["TOTAL ACTIVOS"], column=column_of(ws, "2022"))
    assert total_assets.data_type == "n" and total_assets.value == 5_509_310_977
    cash = ws.cell(row=rows["Caja"], column=1)
    assert cash.alignment.indent == 2  # account under a group under «CORRIENTE»
    assert ws.cell(row=rows["Caja"], column=column_of(ws, "2022")).value == 7_325_935
    variation = ws.cell(row=rows["Caja"], column=column_of(ws, "Var $"))
    assert variation.value == 7_325_935 - 17_787_823 and variation.data_type == "n"


def test_xlsx_mixed_units_keep_numbers(downloads):
    """Indicator goals were text («850,00»): now numbers, with each row's own decimals."""
    ws = load_workbook(downloads / "indicadores-del-plan-indicativo.xlsx").worksheets[0]
    rows = rows_by_label(ws)
    goal = ws.cell(row=rows["PI-01"], column=column_of(ws, "Meta del plan"))
    assert goal.data_type == "n" and goal.value == 850 and goal.number_format == "#,##0.00"
    achieved = ws.cell(row=rows["PI-01"], column=column_of(ws, "Logro 2022"))
    assert achieved.value == pytest.approx(155.67)
    count = ws.cell(row=rows["PI-04"], column=column_of(ws, "Logro 2022"))
    assert count.value == 24 and count.number_format == "#,##0"
    ws = load_workbook(downloads / "indicadores-financieros.xlsx").worksheets[0]
    rows = rows_by_label(ws)
    liquidity = ws.cell(row=rows["Liquidez"], column=column_of(ws, "2022"))
    assert round(liquidity.value, 2) == 8.06 and liquidity.number_format == "#,##0.00"
    capital = ws.cell(row=rows["Capital de trabajo"], column=column_of(ws, "2022"))
    # pesos, shown in millions as the report prints them ($4.618,83 millones)
    assert capital.data_type == "n" and capital.value > 1e9
    assert capital.number_format == '"$"#,##0.00,," millones"'


def test_no_number_is_stored_as_text(downloads):
    """Every cell that reads as a number in the report is a number in the XLSX."""
    for path in downloads.glob("*.xlsx"):
        for ws in load_workbook(path).worksheets[1 if path.name == year_workbook_name(2022) else 0:]:
            if ws.title == "Fuentes":  # labels: a row's name, a column's name («2022»); its values are numbers
                continue
            notes = [c for c in range(1, ws.max_column + 1) if ws.cell(row=HEADER_ROW, column=c).value == "Nota"]
            for row in ws.iter_rows(min_row=HEADER_ROW + 1):
                for cell in row:
                    if isinstance(cell.value, str) and cell.column not in notes:  # notes are labels («5», «28.1»)
                        text = cell.value.replace(".", "").replace(",", "").replace("$", "").replace("%", "").strip()
                        assert not text.isdigit(), (path.name, cell.coordinate, cell.value)


def test_excel_csv_semicolon_decimal_comma_with_bom(downloads):
    raw = (downloads / "indicadores-financieros-excel.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["Indicador", "Fórmula", "2022", "2021"]
    liquidity = next(r for r in rows if r[0] == "Liquidez")
    assert "," in liquidity[2] and round(float(liquidity[2].replace(",", ".")), 2) == 8.06
    rows = list(csv.reader(io.StringIO((downloads / f"{PROCUREMENT}-excel.csv").read_text("utf-8-sig")),
                           delimiter=";"))
    total = next(r for r in rows if r[0] == "Total")
    assert int(total[2]) == PROCUREMENT_TOTAL and total[-1] == "total"


def test_open_data_csv(downloads):
    raw = (downloads / f"{PROCUREMENT}.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(io.BytesIO(raw))
    total = frame[frame["Modalidad"] == "Total"].iloc[0]
    assert total["Valor (COP)"] == PROCUREMENT_TOTAL and total["Tipo de fila"] == "total"
    assert frame["Valor (COP)"].dtype.kind in "if"
    statement = pd.read_csv(downloads / "estado-de-situacion-financiera.csv")
    assert statement.set_index("Cuenta").at["TOTAL ACTIVOS", "2022"] == 5_509_310_977
    assert statement.set_index("Cuenta").at["Caja", "Nivel"] == 2
    # The same numbers through both CSV dialects.
    excel = pd.read_csv(downloads / "estado-de-situacion-financiera-excel.csv", sep=";", decimal=",",
                        encoding="utf-8-sig")
    pd.testing.assert_series_equal(excel["Var %"], statement["Var %"])


def test_formula_injection_policy(tmp_path):
    names = FORMULA_NAMES + ["Acme S.A.S."]
    data = pd.DataFrame({"Empresa": names, "Monto": [1.5, -2.0, 3.0, -4.25, 5.0]})
    table = Table(data, "Empresas de prueba", formats={"Monto": number(2)})
    notebook = notebook_with([table], tmp_path / "notebooks")
    write_downloads([notebook], tmp_path / "tablas")
    path = tmp_path / "tablas" / "empresas-de-prueba.xlsx"
    with zipfile.ZipFile(path) as z:
        sheets = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    assert sheets and not any("<f>" in s or "<f " in s for s in sheets)  # no formula anywhere
    ws = load_workbook(path).worksheets[0]
    cells = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2) for r in range(HEADER_ROW + 1, HEADER_ROW + 6)}
    for name in FORMULA_NAMES:
        [cell] = [ws.cell(row=r, column=1) for r in range(HEADER_ROW + 1, HEADER_ROW + 6)
                  if ws.cell(row=r, column=1).value == name]
        assert cell.data_type == "s"
    assert cells["-2+3"].value == -4.25 and cells["-2+3"].data_type == "n"  # negative numbers stay numbers
    for dialect, sep in (("-excel.csv", ";"), (".csv", ",")):
        text = (tmp_path / "tablas" / f"empresas-de-prueba{dialect}").read_text(encoding="utf-8-sig")
        rows = list(csv.reader(io.StringIO(text), delimiter=sep))[1:]
        assert [r[0] for r in rows] == ["'" + n for n in FORMULA_NAMES] + ["Acme S.A.S."]
        assert rows[3][1] in ("-4,25", "-4.25") and rows[1][1] in ("-2", "-2")


def test_neutralise_follows_owasp():
    for text in ("=1+1", "+1", "-1", "@x", "\tx", "\rx"):
        assert neutralise(text) == "'" + text
    assert neutralise("Acme -1") == "Acme -1"


def test_number_formats():
    assert number_format("cop", 0) == '"$"#,##0;("$"#,##0)'
    assert number_format("number", 2) == "#,##0.00"
    assert number_format("percent", 1) == '#,##0.0" %"'
    assert number_format("usd_millions", 2) == '"USD "#,##0.00" millones"'
    assert number_format("cop_millions", 2) == '"$"#,##0.00,," millones"'
    # The report's own texts for the same formats.
    # (the report prints a no-break space before «%», issue 23; Excel's format keeps its own space)
    assert COP(-382_871_509) == "($382.871.509)" and percent(1)(97.6) == "97,6\u00a0%" and number(2)(82.49) == "82,49"


def test_sheet_names_are_short_unique_and_valid():
    used: set[str] = set()
    title = "Cooperación recibida por dependencia receptora: detalle [2022]"
    first, second = sheet_name(title, used), sheet_name(title, used)
    assert len(first) <= 31 and len(second) <= 31 and first != second
    assert not any(c in first for c in "[]:*?/\\")


def test_year_workbook_has_every_table(downloads):
    wb = load_workbook(downloads / year_workbook_name(2022))
    # the tables, and where every number comes from (issue 23: a «Fuentes» sheet, last)
    assert wb.sheetnames[0] == "Contenido" and len(wb.sheetnames) == 6 and wb.sheetnames[-1] == "Fuentes"
    titles = [wb["Contenido"].cell(row=r, column=2).value for r in range(4, 8)]
    assert titles[0] == "Contratación por modalidad (plan anual de adquisiciones)"
    assert len(set(wb.sheetnames)) == len(wb.sheetnames) and all(len(n) <= 31 for n in wb.sheetnames)


def test_missing_sidecar_is_a_clear_error(report, tmp_path):
    notebook = notebook_with([administration.pqrs_table(report)], tmp_path / "nb")
    (tmp_path / "nb" / "tablas" / "pqrs-atendidas-por-proceso.json").unlink()
    with pytest.raises(DownloadError, match="pqrs-atendidas-por-proceso"):
        write_downloads([notebook], tmp_path / "out")


def test_duplicate_table_titles_are_refused(report, tmp_path):
    first = notebook_with([administration.pqrs_table(report)], tmp_path / "nb", "01-a.ipynb")
    second = notebook_with([administration.pqrs_table(report)], tmp_path / "nb", "02-b.ipynb")
    with pytest.raises(DownloadError, match="se llaman igual"):
        load_tables([first, second])


def test_table_markdown_caption_label_and_bold_totals():
    data = pd.DataFrame({"Modalidad": ["A", "B"], "Valor (COP)": [1.0, 2.0]})
    table = table_with_total(data, "Modalidad", "Contratación {x} | prueba", formats={"Valor (COP)": COP})
    md = table._repr_markdown_()
    assert ": Contratación \\{x\\} \\| prueba {#tbl-contratacion-x-prueba}" in md
    assert "| **Total** | **\\$3** |" in md
    assert table.sidecar()["rows"][-1]["role"] == "total"


def test_built_notebooks_store_each_table_once(built_2022):
    for notebook in sorted((built_2022 / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(notebook, as_version=4)
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if "text/markdown" in data and "{#tbl-" in data["text/markdown"]:
                    assert set(data) == {"text/markdown"}, notebook.name


def test_build_writes_every_download(built_2022):
    tablas = built_2022 / "book" / "tablas"
    slugs = [json.loads(p.read_text(encoding="utf-8"))["slug"] for p in (built_2022 / "notebooks" / "tablas").glob("*.json")]
    assert len(slugs) >= 30
    for slug in slugs:
        for suffix in (".xlsx", "-excel.csv", ".csv"):
            assert (tablas / f"{slug}{suffix}").exists(), slug + suffix
    wb = load_workbook(tablas / year_workbook_name(2022))
    assert len(wb.sheetnames) == len(slugs) + 2 and wb.sheetnames[-1] == "Fuentes"  # contents, tables, sources
    pages = "".join(p.read_text(encoding="utf-8") for p in (built_2022 / "book").glob("*.html"))
    assert f'href="tablas/{PROCUREMENT}-excel.csv"' in pages and f'href="tablas/{PROCUREMENT}.xlsx"' in pages


def test_formula_names_through_a_real_build(tmp_path_factory):
    out = variant_2022(tmp_path_factory.getbasetemp())
    tablas = out / "book" / "tablas"
    path = tablas / "proyectos-de-inversion-reportados.xlsx"
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet
    ws = load_workbook(path).worksheets[0]
    names = [ws.cell(row=r, column=1) for r in range(HEADER_ROW + 1, ws.max_row + 1)]
    for name in FORMULA_NAMES:
        assert any(c.value == name and c.data_type == "s" for c in names), name
    for dialect, sep, encoding in (("-excel.csv", ";", "utf-8-sig"), (".csv", ",", "utf-8")):
        text = (tablas / f"proyectos-de-inversion-reportados{dialect}").read_text(encoding=encoding)
        companies = [row[0] for row in csv.reader(io.StringIO(text), delimiter=sep)][1:]
        assert companies[: len(FORMULA_NAMES)] == ["'" + name for name in FORMULA_NAMES]
    frame = pd.read_csv(tablas / f"{PROCUREMENT}.csv")
    assert frame.set_index("Modalidad").at["Total", "Valor (COP)"] == PROCUREMENT_TOTAL + PROCUREMENT_DELTA


def test_unchanged_tables_are_copied_from_the_last_build_and_changed_ones_written(built_2022, tmp_path):
    """Issue 12: a rebuild copies the download files of tables whose data did not change (same code),
    writes the others, and never reuses a file changed since it was published nor follows a symlink."""
    from informe.publish.downloads import (PreviousDownloads, downloads_sha256, load_tables, previous_files,
                                         table_files, write_downloads)

    notebooks = sorted((built_2022 / "notebooks").glob("*.ipynb"))
    first = tmp_path / "primera"
    write_downloads(notebooks, first)
    tables = load_tables(notebooks)
    for table in tables:  # the sidecars, as the published downloads folder holds them
        (first / f"{table['slug']}.json").write_text(json.dumps(table), encoding="utf-8")
    published = downloads_sha256(first)
    assert len(published) == 3 * len(tables) + 1  # and the year's workbook
    previous = PreviousDownloads(first, published)
    assert all(previous_files(previous, t) is not None for t in tables) and previous_files(None, tables[0]) is None

    changed = dict(tables[1], title=tables[1]["title"] + " (cambiada)")  # other data
    (first / f"{tables[1]['slug']}.json").write_text(json.dumps(changed), encoding="utf-8")
    edited = first / f"{tables[2]['slug']}.csv"  # edited by hand after it was published
    edited.write_text(edited.read_text(encoding="utf-8").replace("1", "7"), encoding="utf-8")
    linked = first / table_files(tables[3]["slug"])[0]
    linked.unlink()
    linked.symlink_to(Path(__file__))
    assert previous_files(previous, tables[0]) is not None
    assert all(previous_files(previous, t) is None for t in tables[1:4])

    second = tmp_path / "segunda"
    before = {name: (first / name).stat().st_mtime_ns for name in table_files(tables[0]["slug"])}
    write_downloads(notebooks, second, previous=previous)
    fresh = tmp_path / "nueva"
    write_downloads(notebooks, fresh)
    for table in tables[1:4]:  # written again: as a build from scratch writes them (CSV are deterministic)
        for name in table_files(table["slug"])[1:]:
            assert (second / name).read_bytes() == (fresh / name).read_bytes()
        assert not (second / table_files(table["slug"])[0]).is_symlink()
    for name in table_files(tables[0]["slug"]):  # copied byte for byte, the previous files untouched
        assert (second / name).read_bytes() == (first / name).read_bytes()
        assert (first / name).stat().st_mtime_ns == before[name]
