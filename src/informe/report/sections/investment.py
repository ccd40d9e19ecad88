"""Investment attraction: projects by sector, origin and type; free-trade zones."""

from __future__ import annotations

import pandas as pd

from .. import charts
from ..display import Table, number, table_with_total
from ...fmt import exact_sum
from ..report import YearReport

F = "inversion.xlsx"


def projects(report: YearReport) -> pd.DataFrame:
    return report.frame(F, "Proyectos")


def projects_table(report: YearReport) -> Table:
    """The projects the year's data names, with amount and jobs where reported."""
    data = projects(report)[["Empresa", "País de origen", "Sector", "Tipo de inversión",
                             "Monto (USD millones)", "Empleos"]]
    return Table(data, "Proyectos de inversión reportados", formats={"Monto (USD millones)": number(2)})


def summary_by(report: YearReport, column: str) -> pd.DataFrame:
    """Projects, amount and jobs grouped by ``column`` (missing values as «Sin dato»)."""
    data = projects(report).copy()
    data[column] = data[column].fillna("Sin dato")
    grouped = data.groupby(column, sort=True).agg(
        Proyectos=("Empresa", "count"),
        **{"Monto (USD millones)": ("Monto (USD millones)", exact_sum), "Empleos": ("Empleos", "sum")},
    ).reset_index()
    return grouped.sort_values(["Proyectos", "Monto (USD millones)"], ascending=False).reset_index(drop=True)


def summary_table(report: YearReport, column: str, title: str) -> Table:
    return table_with_total(summary_by(report, column), column, title,
                            formats={"Monto (USD millones)": number(2)})


def amount_by_sector_figure(report: YearReport):
    data = summary_by(report, "Sector")
    data = data[data["Monto (USD millones)"] > 0]
    return charts.bar_chart(data, "Sector", "Monto (USD millones)", "Monto de inversión detallado por sector",
                            "USD millones", decimals=2)


def free_trade_zone_table(report: YearReport) -> Table:
    return Table(report.frame(F, "Zonas francas"), "Plan de acción de zonas francas")
