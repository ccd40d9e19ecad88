"""International cooperation: received, sur-sur, col-col, Sos Paisa, civil-society organisations."""

from __future__ import annotations

import pandas as pd

from ...fmt import exact_sum
from .. import charts, trace
from ..display import Table, number
from ..report import YearReport
from .investment import NOT_REPORTED, indicator_detail_note, not_reported_last

F = "cooperacion.xlsx"


def received(report: YearReport) -> pd.DataFrame:
    return report.frame(F, "Cooperación recibida")


def received_table(report: YearReport) -> Table:
    data = received(report)[["Cooperante", "Proyecto", "Línea temática", "Receptor", "Tipo de cooperación",
                             "Monto (USD)"]]
    return Table(data, "Cooperación recibida detallada", unknown=tuple(data.columns[2:]),
                 empty="cooperaciones recibidas", note=indicator_detail_note(report, F, "Cooperación recibida"))


def received_by(report: YearReport, column: str) -> pd.DataFrame:
    """Number of cooperation items and amount (USD) by ``column``; «Sin dato» (last) when not reported.
    A group whose amounts are all unreported has an unknown amount (NaN), never 0."""
    data = received(report).copy()
    data[column] = data[column].fillna(NOT_REPORTED)
    grouped = data.groupby(column).agg(**{"Cooperaciones": ("Proyecto", "count"),
                                          "Monto (USD)": ("Monto (USD)", exact_sum)}).reset_index()
    trace.attach(grouped, "Cooperaciones", trace.group_sources(data, column, grouped[column], "Proyecto", trace.COUNT))
    trace.attach(grouped, "Monto (USD)", trace.group_sources(data, column, grouped[column], "Monto (USD)", trace.SUM))
    grouped = (grouped.sort_values(["Monto (USD)", "Cooperaciones"], ascending=False, na_position="last"))
    return not_reported_last(grouped, column)


def received_by_table(report: YearReport, column: str, title: str) -> Table:
    return Table(received_by(report, column), title, unknown=("Monto (USD)",), empty="cooperaciones recibidas")


def south_south_by_country(report: YearReport) -> pd.DataFrame:
    data = report.frame(F, "Sur-Sur")
    grouped = data.groupby("País").size().rename("Acciones").reset_index()
    trace.attach(grouped, "Acciones", trace.group_sources(data, "País", grouped["País"], "País", trace.COUNT))
    return grouped.sort_values(["Acciones", "País"], ascending=[False, True]).reset_index(drop=True)


def south_south_figure(report: YearReport):
    return charts.bar_chart(south_south_by_country(report), "País", "Acciones",
                            "Acciones de cooperación sur-sur por país", "Acciones")


def south_south_table(report: YearReport) -> Table:
    data = report.frame(F, "Sur-Sur")[["Agenda", "País", "Tema", "Secretaría aliada", "Beneficiario"]]
    return Table(data, "Acciones de cooperación sur-sur", empty="acciones de cooperación sur-sur",
                 note=indicator_detail_note(report, F, "Sur-Sur"))


def col_col_table(report: YearReport) -> Table:
    data = report.frame(F, "Col-Col")[["Tema", "Beneficiario", "Secretaría", "Tipo de cooperación"]]
    return Table(data, "Intercambios col-col con ciudades y departamentos de Colombia",
                 empty="intercambios col-col")


def sos_paisa_table(report: YearReport) -> Table:
    data = report.frame(F, "Sos Paisa")[["Paisa", "País de residencia", "Tema", "Aporte"]]
    return Table(data, "Aportes de la red Sos Paisa", empty="aportes de la red Sos Paisa",
                 note=indicator_detail_note(report, F, "Sos Paisa"))


def opportunities_table(report: YearReport) -> Table:
    data = report.frame(F, "Oportunidades OSC")[["Aliado", "Oportunidad", "Instrumento", "Importe (USD)"]]
    return Table(data, "Oportunidades compartidas con organizaciones de la sociedad civil",
                 formats={"Importe (USD)": number(0)}, empty="oportunidades para organizaciones de la sociedad civil")


def organisations_count(report: YearReport) -> int:
    return len(report.frame(F, "OSC participantes"))
