"""Development-plan indicators: goals, achievements, progress and next year's targets."""

from __future__ import annotations

import pandas as pd

from .. import charts
from ..display import Table, number, percent
from ..report import YearReport


def _value_format(unit: str):
    return number(2) if unit == "Millones de USD" else number(0)


def indicator_progress(report: YearReport, plan: str | None = None, front: str | None = None) -> pd.DataFrame:
    """Indicators with the year's achievement over its goal and the cumulative over the period goal (in %)."""
    table = report.indicators
    if plan:
        table = table[table["Plan"] == plan]
    if front:
        table = table[table["Frente"] == front]
    out = table[["Código", "Indicador", "Unidad", "Meta cuatrienio", "Meta año", "Logro año", "Acumulado",
                 "Meta año siguiente"]].copy()
    out["Cumplimiento año (%)"] = out["Logro año"] / out["Meta año"] * 100
    out["Avance cuatrienio (%)"] = out["Acumulado"] / out["Meta cuatrienio"] * 100
    return out.reset_index(drop=True)


def indicator_table(report: YearReport, plan: str | None = None, front: str | None = None,
                    title: str = "") -> Table:
    """The indicators as the report prints them (values in each indicator's unit)."""
    data = indicator_progress(report, plan, front)
    columns = ["Código", "Indicador", "Unidad", "Meta cuatrienio", "Meta año", "Logro año",
               "Cumplimiento año (%)", "Acumulado", "Avance cuatrienio (%)"]
    if data["Meta año siguiente"].notna().any():
        columns.append("Meta año siguiente")
    data = data[columns].rename(columns={"Meta año siguiente": f"Meta {report.year + 1}",
                                         "Meta año": f"Meta {report.year}", "Logro año": f"Logro {report.year}"})
    # Values keep the unit of each row: two decimals for USD millions, none for counts and percentages.
    units = data["Unidad"].tolist()
    value_columns = ["Meta cuatrienio", f"Meta {report.year}", f"Logro {report.year}", "Acumulado",
                     f"Meta {report.year + 1}"]
    row_formats = [_value_format(u) for u in units]
    return Table(data, title, formats={
        **{column: row_formats for column in value_columns if column in data},
        "Cumplimiento año (%)": percent(1),
        "Avance cuatrienio (%)": percent(1),
    })


def progress_figure(report: YearReport, plan: str = "Plan indicativo"):
    """Cumulative progress towards the period goal, per indicator."""
    data = indicator_progress(report, plan)
    data["Etiqueta"] = data["Código"] + " " + data["Indicador"].str.rstrip(". ")
    return charts.progress_chart(data, "Etiqueta", "Avance cuatrienio (%)",
                                 f"Avance acumulado del cuatrienio al {report.params.cutoff:%d/%m/%Y}")


def year_over_year(report: YearReport, plan: str = "Plan indicativo") -> Table | None:
    """Achievement of this year against the previous year, per indicator (None without a prior year)."""
    if report.prior is None:
        return None
    current = report.indicators[report.indicators["Plan"] == plan].set_index("Código")
    prior = report.prior.indicators.set_index("Código")
    data = pd.DataFrame({
        "Código": current.index,
        "Indicador": current["Indicador"].values,
        f"Logro {report.prior.year}": prior["Logro año"].reindex(current.index).values,
        f"Logro {report.year}": current["Logro año"].values,
    })
    data["Variación"] = data[f"Logro {report.year}"] - data[f"Logro {report.prior.year}"]
    return Table(data, f"Logro {report.year} frente a {report.prior.year}",
                 formats={c: number(2) for c in data.columns[2:]})
