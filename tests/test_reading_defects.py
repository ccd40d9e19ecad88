"""Issue 23, «a report a director reads without help»: the reading defects of the 2022 book.

Expected values come from the published 2022 report's data (data/2022) or are computed here from it.
Both book engines read the same Markdown, so the Markdown a table prints is what is checked.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from conftest import ROOT
from informe.publish.downloads import table_csv
from informe.fmt import NBSP, UNKNOWN, exact_sum, format_percent, format_usd_millions, keep_units_together
from informe.report.chapter import Capitulo
from informe.report.display import (INDENT, LINE_BREAK, Table, Text, column_ems, column_widths, number, text_width,
                                    wraps)
from informe.report.report import load_report
from informe.report.sections import administration, cooperation, financial, investment, positioning


@pytest.fixture(scope="module")
def report():
    return load_report(2022, root=ROOT)


def rows_of(markdown: str) -> list[list[str]]:
    """The body rows of a Markdown pipe table, cells stripped (a number's source span reduced to the number)."""
    lines = [l for l in markdown.splitlines() if l.startswith("|")][2:]
    lines = [re.sub(r'\[([^\]]*)\]\{\.fuente data-fuente="[^"]*"\}', r"\1", line) for line in lines]
    return [[c.strip(" ") for c in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines]  # em-spaces kept


def separator(markdown: str) -> list[int]:
    line = [l for l in markdown.splitlines() if l.startswith("|")][1]
    return [len(c) for c in line.strip("|").split("|")]


# 1. A number never breaks from its unit ---------------------------------------------------------------

def test_percent_and_usd_keep_their_number():
    assert format_percent(265.3) == "265,3\u00a0%"
    assert format_usd_millions(155.67) == "USD\u00a0155,67 millones"
    assert keep_units_together("creció 265,3 % y sumó USD 155,67 millones") == \
        "creció 265,3\u00a0% y sumó USD\u00a0155,67 millones"


def test_tables_and_prose_print_the_no_break_space(report):
    md = financial.statement_table(report, "Situación financiera", "Estado de situación financiera")._repr_markdown_()
    assert f"−4,9{NBSP}%" in md and "−4,9 %" not in md  # TOTAL ACTIVOS: 5.509.310.977 against 5.795.731.382
    capitulo = Capitulo(report, "inversion")
    for part in capitulo.text.parts:  # the analysts' text, its blocks stood in for
        if part.kind == "block" and part.name.split(".", 1)[1] not in [b.name for b in capitulo.blocks]:
            capitulo.add(part.name.split(".", 1)[1], Text("(tabla)"))
    typed = "\n".join(p.markdown for p in capitulo.text.parts if p.kind == "markdown")
    assert re.search(r"\d %", typed) or re.search(r"USD \d", typed)  # the 2022 text types them with a space
    prose = "\n".join(p.markdown for p in capitulo.parts() if isinstance(p, Text))
    assert not re.search(r"\d %", prose) and not re.search(r"USD \d", prose)


# 2. Column widths from content --------------------------------------------------------------------------

def test_numbers_get_their_width_and_labels_the_rest(report):
    table = financial.statement_table(report, "Situación financiera", "Estado de situación financiera")
    cells = table.formatted()
    bold = set(table.bold_rows)
    ems = column_ems(cells, set(table.numeric_columns()), bold, table._levels(), table.headings)
    for column in ("2022", "2021", "Var $", "Var %"):  # never narrower than its longest (bold) value
        longest = max(text_width(v, i in bold) for i, v in enumerate(cells[column]))
        assert ems[column] > longest
    assert ems["Cuenta"] == max(ems.values())  # the label column gets the remaining width
    dashes = separator(table._repr_markdown_())
    assert dashes[0] > 1.5 * dashes[2]  # «Cuenta» (first) against «2022»: not squeezed


def test_plan_label_columns_not_squeezed():
    """«Avance del plan» and «Indicador» no longer squeezed while a short column has room."""
    data = pd.DataFrame({"Indicador": ["Monto de inversión nacional y extranjera reportada para el desarrollo"] * 2,
                         "Cumplimiento año (%)": [111.19, 106.1], "Avance del plan (%)": [87.5, 69.1]})
    widths = column_widths(Table(data).formatted(), {"Cumplimiento año (%)", "Avance del plan (%)"})
    assert widths["Indicador"] > widths["Cumplimiento año (%)"] and widths["Indicador"] > widths["Avance del plan (%)"]
    # each numeric column is at least as wide as its longest header word (bold), so no word is cut
    assert widths["Cumplimiento año (%)"] >= round(3 * text_width("Cumplimiento", bold=True))
    assert widths["Avance del plan (%)"] >= round(3 * text_width("Avance", bold=True))


# 3. Wrapped account names keep their indent -------------------------------------------------------------

def test_wrapped_child_rows_keep_their_indent(report):
    table = financial.statement_table(report, "Situación financiera", "Estado de situación financiera")
    rows = {re.sub(r"`[^`]*`\{=\w+\}|\*\*|\u2003", "", r[0]).strip().replace("  ", " "): r[0]
            for r in rows_of(table._repr_markdown_())}
    name = "Depreciación acumulada de propiedades, planta y equipo (CR)"  # level 3: two em-spaces
    cell = next(v for k, v in rows.items() if k.replace(" ", "") == name.replace(" ", ""))
    assert LINE_BREAK in cell
    assert all(line.startswith(INDENT * 2) and not line.startswith(INDENT * 3) for line in cell.split(LINE_BREAK))


# 4. Statement headings ----------------------------------------------------------------------------------

def test_balance_sheet_has_section_headings_from_its_hierarchy(report):
    statement = report.frame("estados_financieros.xlsx", "Situación financiera")
    headings = financial.statement_headings(statement)
    codes = statement["Código"].tolist()
    # before the first line of assets and of liabilities: the sections whose total comes after their lines
    assert headings == {0: "ACTIVOS", codes.index("2.1"): "PASIVO"}
    rows = rows_of(financial.statement_table(report, "Situación financiera", "x")._repr_markdown_())
    assert rows[0][0] == "**ACTIVOS**" and all(c == "" for c in rows[0][1:])
    # PATRIMONIO and the memorandum accounts are printed before their own lines: they head them already
    assert financial.statement_headings(report.frame("estados_financieros.xlsx", "Resultados")) == {}


# 5. Totals separated ------------------------------------------------------------------------------------

def test_equity_totals_have_room(report):
    table = financial.equity_table(report)
    md = table._repr_markdown_()
    header = [l for l in md.splitlines() if l.startswith("|")][0]
    assert "Periodo" not in header  # the period heads its rows: the amounts need the width
    assert "| **Periodo 2021** |" in md and "| **Periodo 2022** |" in md
    assert "Periodo" in [c["name"] for c in table.sidecar()["columns"]]  # the downloads keep the column
    cells = table.formatted().drop(columns=["Periodo"])
    bold = set(table.bold_rows)
    ems = column_ems(cells, set(table.numeric_columns()) - {"Periodo"}, bold, table._levels(), table.headings)
    # «($14.653.084.624)» in bold fits its column: it no longer runs into «$19.558.066.792»
    assert ems["Resultados de ejercicios anteriores"] > text_width("($14.653.084.624)", bold=True)
    assert sum(ems.values()) <= 65.7


# 6. Unknown values are «s. d.», never 0; «Sin dato» last ----------------------------------------------

def test_all_missing_groups_are_unknown_not_zero(report):
    assert pd.isna(exact_sum([float("nan"), None])) and exact_sum([]) == 0
    by_country = investment.summary_by(report, "País de origen").set_index("País de origen")
    projects = investment.projects(report)
    chile = projects[projects["País de origen"] == "Chile"]
    assert by_country.at["Chile", "Proyectos"] == len(chile) == 1
    assert chile["Monto (USD millones)"].isna().all() and pd.isna(by_country.at["Chile", "Monto (USD millones)"])
    assert pd.isna(by_country.at["Chile", "Empleos"])
    rows = rows_of(investment.summary_table(report, "País de origen", "Proyectos por país de origen")._repr_markdown_())
    assert ["Chile", "1", UNKNOWN, UNKNOWN] in rows
    assert rows[-2][0] == "Sin dato" and rows[-1][0] == "**Total**"  # unknown country last, before the total
    assert rows[-1][2] == "**82,49**"  # the total of the reported amounts


def test_unknown_cells_are_explained_under_the_table(report):
    md = investment.projects_table(report)._repr_markdown_()
    solcor = next(r for r in rows_of(md) if r[0] == "Solcor")
    assert solcor[4] == UNKNOWN and solcor[5] == UNKNOWN
    assert "*s. d.: sin dato" in md
    sector = investment.summary_by(report, "Sector")
    assert sector["Sector"].iloc[-1] == "Sin dato" and sector["Sector"].iloc[0] != "Sin dato"
    jobs = sector.set_index("Sector").at["Ciencias de la vida", "Empleos"]  # LifeFactors: no jobs reported
    assert pd.isna(jobs)


# 7. A note where a headline and its detail differ --------------------------------------------------------

def test_indicator_and_detail_difference_is_explained(report):
    indicator = report.indicator("PI-04")
    detail = len(investment.projects(report))
    note = investment.projects_table(report).note
    assert f"El indicador PI-04 reporta {int(indicator['Logro año'])} proyectos; el detalle lista los {detail} " \
           "que el informe publicado nombra." in note
    assert "24" in note and "15" in note
    # a detail that matches its indicator gets no note (PI-05: 9 sur-sur actions)
    assert cooperation.south_south_table(report).note == ""


# 8. One date format -------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, printed", [
    ("2/24/2022", "24 de febrero de 2022"),  # month first only because 24 cannot be a month
    ("26/04/2022", "26 de abril de 2022"),
    ("11/7/2022", "11 de julio de 2022"),  # day first (es-CO) when both readings are possible
    ("19 al 21 de septiembre", "19 al 21 de septiembre"),  # ranges and free text as typed
    ("31/31/2022", "31/31/2022"),
])
def test_event_dates(typed, printed):
    assert positioning.event_date(typed) == printed


def test_event_table_prints_one_format(report):
    dates = positioning.events_table(report, "Gestionado para la Alcaldía").data["Fecha"].tolist()
    assert dates[0] == "24 de febrero de 2022" and "2/24/2022" not in dates
    assert not any(re.fullmatch(r"\d+/\d+/\d+", d) for d in dates)


# 9. Identifiers protected in the CSV for Excel ------------------------------------------------------------

def test_radicado_stays_text_in_the_excel_csv(report, tmp_path):
    table = administration.legal_table(report).sidecar(year=2022)
    radicado = report.frame("administrativo.xlsx", "Procesos judiciales")["Radicado"].iloc[0]
    assert len(radicado) == 23
    excel = list(csv.reader(io.StringIO(table_csv(table, excel=True)), delimiter=";"))
    assert excel[1][1] == "\t" + radicado
    open_data = list(csv.reader(io.StringIO(table_csv(table, excel=False))))
    assert open_data[1][1] == radicado  # open data: as typed
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice no está instalado")
    path = tmp_path / "procesos-excel.csv"
    path.write_text(table_csv(table, excel=True), encoding="utf-8-sig", newline="")
    subprocess.run([soffice, "--headless", "--infilter=CSV:59,34,76,1", "--convert-to", "xlsx", "--outdir",
                    str(tmp_path), str(path)], check=True, capture_output=True, timeout=180)
    cell = load_workbook(tmp_path / "procesos-excel.xlsx").active["B2"]
    assert cell.data_type == "s" and cell.value.strip() == radicado


# 10. Counts without decimals ----------------------------------------------------------------------------

def test_whole_counts_print_without_decimals():
    table = Table(pd.DataFrame({"Indicador": ["A", "B"], "Logro": [10.0, 24.0]}), "Conteos",
                  formats={"Logro": number(2)})
    assert rows_of(table._repr_markdown_()) == [["A", "10"], ["B", "24"]]
    assert table.sidecar()["columns"][1]["decimals"] == 0
    mixed = Table(pd.DataFrame({"Indicador": ["A", "B"], "Monto": [10.0, 0.79]}), formats={"Monto": number(2)})
    assert rows_of(mixed._repr_markdown_()) == [["A", "10,00"], ["B", "0,79"]]


# 11. An empty sheet gives one sentence --------------------------------------------------------------------

def test_empty_sheet_prints_one_sentence(report, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "2022", data)
    wb = load_workbook(data / "inversion.xlsx")
    ws = wb["Proyectos"]
    ws.delete_rows(2, ws.max_row)  # the headers stay
    wb.save(data / "inversion.xlsx")
    empty = load_report(2022, data_dir=data, root=ROOT)
    assert investment.projects(empty).empty
    capitulo = Capitulo(empty, "inversion")
    capitulo.add("proyectos-por-sector", investment.summary_table(empty, "Sector", "Proyectos por sector"),
                 intro="Por sector, los proyectos detallados se distribuyen así.")
    capitulo.add("monto-por-sector", investment.amount_by_sector_figure(empty), intro="El gráfico muestra…")
    capitulo.add("proyectos", investment.projects_table(empty), intro="Estos son los proyectos detallados.")
    printed = [getattr(p, "markdown", p) for p in capitulo._rest(set())]
    sentence = "En 2022 no se registraron proyectos de inversión."
    assert printed.count(sentence) == 1  # once, not once per table
    assert not any(isinstance(p, Table) for p in printed)  # no header-only table
    assert not any(hasattr(p, "savefig") for p in printed)  # no empty chart
    assert "El gráfico muestra…" not in printed and "Estos son los proyectos detallados." not in printed
