"""Administration: procurement (PAA), PQRS and legal proceedings."""

from __future__ import annotations

import pandas as pd

from .. import charts, trace
from ..display import COP, Table, percent, table_with_total
from ..report import YearReport

F = "administrativo.xlsx"


def procurement(report: YearReport) -> pd.DataFrame:
    """Procurement by modality with each modality's share of the total value."""
    data = report.frame(F, "Contratación").copy()
    total = data["Valor (COP)"].sum()
    data["Participación (%)"] = data["Valor (COP)"] / total * 100 if total else 0.0
    return trace.attach(data, "Participación (%)", trace.share_sources(data, "Valor (COP)"))


def procurement_table(report: YearReport) -> Table:
    return table_with_total(procurement(report), "Modalidad",
                            "Contratación por modalidad (plan anual de adquisiciones)",
                            fixed={"Participación (%)": 100.0},
                            formats={"Valor (COP)": COP, "Participación (%)": percent(1)})


def pqrs(report: YearReport) -> pd.DataFrame:
    data = report.frame(F, "PQRS")[["Proceso", "Cantidad"]].copy()
    data["Porcentaje (%)"] = data["Cantidad"] / data["Cantidad"].sum() * 100
    return trace.attach(data, "Porcentaje (%)", trace.share_sources(data, "Cantidad"))


def pqrs_table(report: YearReport) -> Table:
    return table_with_total(pqrs(report), "Proceso", "PQRS atendidas por proceso",
                            fixed={"Porcentaje (%)": 100.0},
                            formats={"Porcentaje (%)": percent(1)})


def pqrs_figure(report: YearReport):
    return charts.bar_chart(pqrs(report), "Proceso", "Cantidad", "PQRS atendidas por proceso", "PQRS")


def legal_table(report: YearReport) -> Table:
    return Table(report.frame(F, "Procesos judiciales"), "Procesos judiciales en curso",
                 formats={"Cuantía (COP)": COP})
