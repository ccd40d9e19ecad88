"""Positioning and communications: events, ¿Por qué Medellín?, awards, press and agendas."""

from __future__ import annotations

import pandas as pd

from .. import charts
from ..display import Table, table_with_total
from ..report import YearReport

F = "posicionamiento.xlsx"


def events(report: YearReport) -> pd.DataFrame:
    return report.frame(F, "Eventos")


def events_by_kind(report: YearReport) -> pd.DataFrame:
    """Events and reported attendees by kind (own, invited, managed for the city)."""
    data = events(report)
    grouped = data.groupby("Tipo de evento").agg(
        Eventos=("Nombre del evento", "count"),
        **{"Asistentes reportados": ("Asistentes", "sum"),
           "Eventos con asistentes reportados": ("Asistentes", "count")})
    return grouped.reset_index()


def events_by_kind_table(report: YearReport) -> Table:
    return table_with_total(events_by_kind(report), "Tipo de evento", "Eventos por tipo")


def por_que_medellin_table(report: YearReport) -> Table:
    data = events(report)
    data = data[data["¿Por qué Medellín?"] == "Sí"][["Nombre del evento", "Fecha", "Asistentes (detalle)"]]
    return Table(data.reset_index(drop=True), "Eventos ¿Por qué Medellín?")


def events_table(report: YearReport, kind: str) -> Table:
    data = events(report)
    data = data[data["Tipo de evento"] == kind]
    columns = ["Nombre del evento", "Fecha", "Participante por Medellín"] if kind.startswith("Gestionado") else \
        ["Nombre del evento", "Fecha", "Asistentes (detalle)"]
    return Table(data[columns].reset_index(drop=True), f"Eventos: {kind.lower()}")


def events_figure(report: YearReport):
    return charts.bar_chart(events_by_kind(report), "Tipo de evento", "Eventos", "Eventos por tipo", "Eventos")


def awards_table(report: YearReport) -> Table:
    data = report.frame(F, "Premios")[["Premio", "Postulación", "Entidad postulada", "Resultado"]]
    return Table(data, "Postulaciones a premios internacionales")


def awards_by_result(report: YearReport) -> pd.DataFrame:
    """Postulations and distinct awards by result (won, not selected, no result yet...)."""
    awards = report.frame(F, "Premios")
    return awards.groupby("Resultado").agg(Postulaciones=("Postulación", "count"),
                                           Premios=("Premio", "nunique")).reset_index()


def awards_by_result_table(report: YearReport) -> Table:
    return Table(awards_by_result(report), "Resultados de las postulaciones a premios")


def press_table(report: YearReport) -> Table:
    data = report.frame(F, "Cifras")[["Concepto", "Valor"]]
    return Table(data, "Prensa, agendas y relacionamiento")
