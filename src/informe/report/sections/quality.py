"""Data-quality annex: every validation finding and reconciliation, with both sides."""

from __future__ import annotations

import pandas as pd

from ...data.checks import OK
from ..display import Table, number
from ...fmt import format_number
from ...data.problems import ERROR
from ..report import YearReport

STATUS = {OK: "Cuadra", "advertencia": "Advertencia", ERROR: "Error"}


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
    } for c in report.checks])


def summary_table(report: YearReport) -> Table:
    data = check_frame(report)
    counts = data.groupby("Verificación")["Resultado"].value_counts().unstack(fill_value=0)
    for status in STATUS.values():
        if status not in counts:
            counts[status] = 0
    counts = counts[list(STATUS.values())].reset_index()
    counts["Total"] = counts[list(STATUS.values())].sum(axis=1)
    return Table(counts, "Resumen de verificaciones")


def findings_table(report: YearReport) -> Table:
    """Every check that does not add up exactly (warnings and errors)."""
    data = check_frame(report)
    data = data[data["Resultado"] != "Cuadra"]
    decimals = data.pop("_decimals").tolist()
    return Table(data.drop(columns=["Verificación"]).reset_index(drop=True), "Diferencias encontradas",
                 formats={"Diferencia": [number(d) for d in decimals]})


def passed_table(report: YearReport) -> Table:
    data = check_frame(report)
    data = data[data["Resultado"] == "Cuadra"].drop(columns=["_decimals", "Diferencia", "Resultado"])
    return Table(data.reset_index(drop=True), "Verificaciones que cuadran exactamente")


def schema_warnings_table(report: YearReport) -> Table | None:
    warnings = [p for p in report.problems if not p.is_error]
    if not warnings:
        return None
    return Table(pd.DataFrame([{"Archivo": p.file, "Hoja": p.sheet, "Fila": p.row, "Columna": p.column,
                                "Mensaje": p.message} for p in warnings]), "Advertencias de estructura")
