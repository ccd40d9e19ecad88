"""Investment attraction: projects by sector, origin and type; free-trade zones."""

from __future__ import annotations

import pandas as pd

from ...fmt import exact_sum
from .. import charts, trace
from ..display import Table, number, table_with_total
from ..report import YearReport

F = "inversion.xlsx"


def projects(report: YearReport) -> pd.DataFrame:
    return report.frame(F, "Proyectos")


NOUN = "proyectos de inversión"  # what the sheet's rows are: «En 2024 no se registraron proyectos de inversión.»
NOT_REPORTED = "Sin dato"  # the group of the rows whose key is not reported: always last


def projects_table(report: YearReport) -> Table:
    """The projects the year's data names, with amount and jobs where reported («s. d.» where not), and a
    note where the plan's indicators report more than this detail."""
    data = projects(report)[["Empresa", "País de origen", "Sector", "Tipo de inversión",
                             "Monto (USD millones)", "Empleos"]]
    return Table(data, "Proyectos de inversión reportados", formats={"Monto (USD millones)": number(2)},
                 unknown=tuple(data.columns[1:]), empty=NOUN, note=indicator_detail_note(report, F, "Proyectos"))


def not_reported_last(grouped: pd.DataFrame, column: str) -> pd.DataFrame:
    """The «Sin dato» group after the named ones (it never leads a table)."""
    unknown = grouped[column] == NOT_REPORTED
    return pd.concat([grouped[~unknown], grouped[unknown]], ignore_index=True)


def summary_by(report: YearReport, column: str) -> pd.DataFrame:
    """Projects, amount and jobs grouped by ``column`` (missing keys as «Sin dato», last). A group whose
    amounts (or jobs) are all unreported has an unknown sum (NaN: «s. d.»), never 0."""
    data = projects(report).copy()
    data[column] = data[column].fillna(NOT_REPORTED)
    grouped = data.groupby(column, sort=True).agg(
        Proyectos=("Empresa", "count"),
        **{"Monto (USD millones)": ("Monto (USD millones)", exact_sum),
           "Empleos": ("Empleos", lambda jobs: jobs.sum(min_count=1))},
    ).reset_index()
    keys = grouped[column]
    trace.attach(grouped, "Proyectos", trace.group_sources(data, column, keys, "Empresa", trace.COUNT))
    for value in ("Monto (USD millones)", "Empleos"):
        trace.attach(grouped, value, trace.group_sources(data, column, keys, value, trace.SUM))
    grouped = grouped.sort_values(["Proyectos", "Monto (USD millones)", column], ascending=[False, False, True],
                                  na_position="last")
    return not_reported_last(grouped, column)


def summary_table(report: YearReport, column: str, title: str) -> Table:
    return table_with_total(summary_by(report, column), column, title,
                            formats={"Monto (USD millones)": number(2)},
                            unknown=("Monto (USD millones)", "Empleos"), empty=NOUN)


def indicator_detail_note(report: YearReport, workbook: str, sheet: str) -> str:
    """One sentence per plan indicator whose declared detail is this sheet and reports a different figure
    (the reconciliation «indicador frente a detalle» of the validation): «El indicador <código> reporta 24
    proyectos; el detalle lista los 15 que el informe publicado nombra.» (2022's figures)."""
    from ...data import plan as plan_data
    from .summary import indicator_text

    reconciliations, _ = plan_data.reconcile(report.frames, only=(workbook, sheet))
    sentences = []
    for r in reconciliations:
        if (r.filename != workbook or r.sheet != sheet
                or round(r.detail, r.decimals) == round(r.achievement, r.decimals)):
            continue
        row = report.indicator(r.code)
        if row is None:
            continue
        reported, detail = indicator_text(row, r.achievement), indicator_text(row, r.detail)
        if r.column and r.decimals:  # a sum: the amount of the detail against the indicator's
            sentences.append(f"El indicador {r.code} reporta {reported}; el detalle suma {detail} ({r.label}).")
        else:  # rows: the detail names fewer (or more) than the indicator counts
            noun = r.label.split()[0] if r.label else ""
            article = "las" if noun.endswith(("as", "iones", "ión")) else "los"
            sentences.append(f"El indicador {r.code} reporta {reported} {noun}; el detalle lista {article} "
                             f"{detail} que el informe publicado nombra.")
    return " ".join(sentences)


def amount_by_sector_figure(report: YearReport):
    data = summary_by(report, "Sector")
    data = data[data["Monto (USD millones)"].fillna(0) > 0]
    return charts.bar_chart(data, "Sector", "Monto (USD millones)", "Monto de inversión detallado por sector",
                            "USD millones", decimals=2)


def free_trade_zone_table(report: YearReport) -> Table:
    return Table(report.frame(F, "Zonas francas"), "Plan de acción de zonas francas",
                 empty="acciones del plan de zonas francas")
