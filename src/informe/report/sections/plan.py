"""Development-plan indicators: goals, achievements, progress and next year's targets."""

from __future__ import annotations

import pandas as pd

from .. import charts
from ..display import Table, Text, escape_markdown, number, percent
from ...data import plan as plan_data
from ...fmt import decimals_of, format_date
from ..report import YearReport


def indicator_progress(report: YearReport, plan: str | None = None, front: str | None = None) -> pd.DataFrame:
    """Indicators with the year's achievement over its goal and the cumulative over the period goal (in %)."""
    table = report.indicators
    if plan:
        table = table[table["Plan"] == plan]
    if front:
        table = table[table["Frente"] == front]
    out = table[["Código", "Indicador", "Unidad", "Meta del plan", "Meta año", "Logro año", "Acumulado",
                 "Meta año siguiente"]].copy()
    out["Decimales"] = [plan_data.decimals(row) for _, row in table.iterrows()]
    # Rounded far below what is shown: no float artefacts (110.00000000000001) in the downloads.
    out["Cumplimiento año (%)"] = (out["Logro año"] / out["Meta año"] * 100).round(10)
    out["Avance del plan (%)"] = (out["Acumulado"] / out["Meta del plan"] * 100).round(10)
    return out.reset_index(drop=True)


def indicator_table(report: YearReport, plan: str | None = None, front: str | None = None,
                    title: str = "") -> Table:
    """The indicators as the report prints them (values in each indicator's unit)."""
    data = indicator_progress(report, plan, front)
    columns = ["Código", "Indicador", "Unidad", "Meta del plan", "Meta año", "Logro año",
               "Cumplimiento año (%)", "Acumulado", "Avance del plan (%)"]
    if data["Meta año siguiente"].notna().any():
        columns.append("Meta año siguiente")
    data = data[columns].rename(columns={"Meta año siguiente": f"Meta {report.year + 1}",
                                         "Meta año": f"Meta {report.year}", "Logro año": f"Logro {report.year}"})
    # Values keep the decimals of each row (column «Decimales» of the plan workbook).
    places = indicator_progress(report, plan, front)["Decimales"].tolist()
    value_columns = ["Meta del plan", f"Meta {report.year}", f"Logro {report.year}", "Acumulado",
                     f"Meta {report.year + 1}"]
    row_formats = [number(d) for d in places]
    return Table(data, title, formats={
        **{column: row_formats for column in value_columns if column in data},
        "Cumplimiento año (%)": percent(1),
        "Avance del plan (%)": percent(1),
    })


def progress_figure(report: YearReport, plan: str = "Plan indicativo"):
    """Cumulative progress towards the period goal, per indicator."""
    data = indicator_progress(report, plan)
    data["Etiqueta"] = data["Código"] + " " + data["Indicador"].str.rstrip(". ")
    return charts.progress_chart(data, "Etiqueta", "Avance del plan (%)",
                                 f"Avance acumulado del plan {report.plan.period} al {format_date(report.params.cutoff)}")


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
    places = decimals_of([*data[f"Logro {report.year}"], *data[f"Logro {report.prior.year}"]])
    data["Variación"] = (data[f"Logro {report.year}"] - data[f"Logro {report.prior.year}"]).round(places)
    return Table(data, f"Logro {report.year} frente a {report.prior.year}",
                 formats={c: number(2) for c in data.columns[2:]})


def introduction(report: YearReport) -> Text:
    """The chapter's opening paragraph, naming the plan and its period from the plan workbook."""
    info = report.plan
    period = "" if info.period in info.name.replace(" ", "") else f" (periodo {info.period})"
    return Text(
        f"Avance de los indicadores a cargo de la ACI Medellín en el {escape_markdown(info.name)}{period}, "
        f"con corte al {format_date(report.params.cutoff)}. "
        "El cumplimiento del año compara el logro con la meta del año; el avance del plan compara el acumulado "
        "con la meta de todo el periodo del plan."
    )


def next_year_goals_table(report: YearReport) -> Table | None:
    """Next year's goal of each indicator (None when the plan sets none: its last year)."""
    table = report.indicators
    table = table[table["Meta año siguiente"].notna()]
    if table.empty:
        return None
    places = [plan_data.decimals(row) for _, row in table.iterrows()]
    data = table[["Código", "Plan", "Indicador", "Unidad", "Meta año siguiente"]].rename(
        columns={"Meta año siguiente": f"Meta {report.year + 1}"}).reset_index(drop=True)
    return Table(data, f"Metas {report.year + 1} del Plan de Desarrollo",
                 formats={f"Meta {report.year + 1}": [number(d) for d in places]})
