"""Data-quality annex: the checks that do not add up, grouped by kind with their explanation.

The PDF (for directors) shows only warnings and errors; the full list of checks that add up
exactly is shown in the HTML book only, and is downloadable as CSV/XLSX like every table.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd
import yaml

from ...data.checks import OK
from ...data.problems import ERROR
from ...fmt import format_number
from .. import trace
from ..display import DOWNLOADS_DIR, HtmlOnlyTable, Table, Text, escape_markdown, number
from ..report import YearReport

STATUS = {OK: "Cuadra", "advertencia": "Advertencia", ERROR: "Error"}
FINDINGS_FILE = Path(__file__).with_name("quality-findings.yml")
PASSED_TITLE = "Verificaciones que cuadran exactamente"


@cache
def finding_kinds() -> dict:
    """The kinds of finding and their explanations (``quality-findings.yml``)."""
    # libyaml's loader where PyYAML has it: read in every kernel, ~10× faster than the pure-Python one
    return yaml.load(FINDINGS_FILE.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def check_source(report: YearReport, check) -> trace.Source | None:
    """Where a check's difference comes from: the cell it names (or the column it sums), and how."""
    frame = report.frames.get((check.file, check.sheet)) if check.file and check.sheet else None
    if frame is None or frame.empty:
        return None
    how = f"calculado por la verificación: {check.left_label} − {check.right_label}"
    if not check.column:  # a count of the sheet's rows
        return trace.cells(frame, str(frame.columns[0]), how=how)
    return trace.cell(frame, check.row, check.column, how) if check.row else trace.cells(frame, check.column, how=how)


def check_frame(report: YearReport) -> pd.DataFrame:
    """One row per check result: what was compared, both figures, the difference and the outcome."""
    return pd.DataFrame([{
        "Verificación": c.check,
        "Detalle": c.description,
        "Ubicación": " · ".join(x for x in (c.file, c.sheet, f"fila {c.row}" if c.row else "", c.column) if x),
        "Lado A": f"{c.left_label} {format_number(c.left, c.decimals)}",
        "Lado B": f"{c.right_label} {format_number(c.right, c.decimals)}",
        "Diferencia": c.difference,
        "Resultado": STATUS[c.status],
        "_decimals": c.decimals,
        trace.CARRIED + "Diferencia": check_source(report, c) if c.status != OK else None,
    } for c in report.checks], columns=["Verificación", "Detalle", "Ubicación", "Lado A", "Lado B", "Diferencia",
                                         "Resultado", "_decimals", trace.CARRIED + "Diferencia"])


def summary_table(report: YearReport) -> Table:
    data = check_frame(report)
    counts = data.groupby("Verificación")["Resultado"].value_counts().unstack(fill_value=0)
    for status in STATUS.values():
        if status not in counts:
            counts[status] = 0
    counts = counts[list(STATUS.values())].reset_index()
    counts["Total"] = counts[list(STATUS.values())].sum(axis=1)
    for status in [*STATUS.values(), "Total"]:
        which = "" if status == "Total" else f" con resultado «{status}»"
        trace.attach(counts, status, [trace.Source((), f"conteo de las verificaciones «{check}»{which} de este anexo")
                                      for check in counts["Verificación"]])
    return Table(counts, "Resumen de verificaciones")


def finding_kind(check: str, status: str, difference: float, decimals: int) -> dict:
    """The kind of a finding (title and explanation): errors, 1-peso rounding, or by check name."""
    kinds = finding_kinds()
    if status == "Error":
        return kinds["error"]
    if decimals == 0 and abs(difference) <= 1:
        return kinds["rounding"]
    return next((k for k in kinds["kinds"] if check in k["checks"]), kinds["other"])


def findings(report: YearReport) -> list:
    """For each kind of finding present: its explanation and a table of its findings (errors first)."""
    data = check_frame(report)
    data = data[data["Resultado"] != "Cuadra"]
    if data.empty:
        return [Text("Todas las verificaciones cuadran exactamente.")]
    kinds = [finding_kind(*row) for row in zip(data["Verificación"], data["Resultado"], data["Diferencia"],
                                                data["_decimals"])]
    data = data.assign(_kind=[k["title"] for k in kinds])
    order = [finding_kinds()["error"], finding_kinds()["rounding"], *finding_kinds()["kinds"], finding_kinds()["other"]]
    out = []
    for kind in order:
        rows = data[data["_kind"] == kind["title"]]
        if rows.empty:
            continue
        shown = rows.drop(columns=["Verificación", "Resultado", "_kind"]).reset_index(drop=True)
        decimals = shown.pop("_decimals").tolist()
        out += [Text(f"**{escape_markdown(kind['title'])}** ({len(rows)}). {escape_markdown(kind['explanation'])}"),
                Table(shown, kind["title"], formats={"Diferencia": [number(d) for d in decimals]})]
    return out


def passed_table(report: YearReport) -> Table:
    """Every check that adds up exactly (HTML book and downloads only)."""
    data = check_frame(report)
    data = data[data["Resultado"] == "Cuadra"].drop(columns=["_decimals", "Diferencia", "Resultado",
                                                             trace.CARRIED + "Diferencia"])
    return HtmlOnlyTable(data.reset_index(drop=True), PASSED_TITLE)


def passed_note(report: YearReport) -> Text:
    """How many checks add up exactly and where their list is (the HTML book and a download)."""
    table = passed_table(report)
    return Text(f"Las {format_number(len(table.data))} verificaciones que cuadran exactamente se listan en la "
                f"versión HTML de este informe (sección «Verificaciones que cuadran») y en el archivo descargable "
                f"{escape_markdown(f'{DOWNLOADS_DIR}/{table.slug}.csv')}.")


def schema_warnings_table(report: YearReport) -> Table | None:
    warnings = [p for p in report.problems if not p.is_error]
    if not warnings:
        return None
    rows = [{"Archivo": p.file, "Hoja": p.sheet, "Fila": p.row, "Columna": p.column, "Párrafo": p.paragraph,
             "Mensaje": p.message} for p in warnings]
    data = pd.DataFrame(rows)
    trace.attach(data, "Fila", [trace.Source((), f"fila de {report.year}/{file} donde está la advertencia")
                                for file in data["Archivo"]])
    if not data["Párrafo"].notna().any():  # only texts have paragraphs
        return Table(data.drop(columns="Párrafo"), "Advertencias de estructura")
    trace.attach(data, "Párrafo", [trace.Source((), f"párrafo de {report.year}/{file} donde está la advertencia")
                                   for file in data["Archivo"]])
    return Table(data, "Advertencias de estructura y de los textos", formats={"Párrafo": number(0)})
