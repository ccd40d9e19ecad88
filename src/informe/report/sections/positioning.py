"""Positioning and communications: events, ¿Por qué Medellín?, awards, press and agendas."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from ...fmt import format_date, is_missing
from .. import charts, trace
from ..display import Table, table_with_total
from ..report import YearReport
from .investment import indicator_detail_note

F = "posicionamiento.xlsx"
NUMERIC_DATE = re.compile(r"\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*")


def event_date(value) -> str:
    """A date of the «Fecha» column as the report prints it: a single day in the report's format for dates
    (``24 de febrero de 2022``); ranges and free text («19 al 21 de septiembre») exactly as typed.

    A typed ``d/m/aaaa`` is read day first (es-CO); it is read month first (``2/24/2022``, as published)
    only when the day-first reading is impossible (the second number above 12). An impossible date in
    both readings is kept as typed.
    """
    if is_missing(value):
        return ""
    if isinstance(value, (dt.date, pd.Timestamp)):
        return format_date(value)
    text = str(value)
    match = NUMERIC_DATE.fullmatch(text)
    if not match:
        return text
    first, second, year = (int(g) for g in match.groups())
    day, month = (second, first) if second > 12 else (first, second)
    try:
        return format_date(dt.date(year, month, day))
    except ValueError:
        return text


def _dates(data: pd.DataFrame) -> pd.DataFrame:
    data = data.copy()
    data["Fecha"] = data["Fecha"].map(event_date)
    return data


def events(report: YearReport) -> pd.DataFrame:
    return report.frame(F, "Eventos")


def events_by_kind(report: YearReport) -> pd.DataFrame:
    """Events and reported attendees by kind (own, invited, managed for the city)."""
    data = events(report)
    grouped = data.groupby("Tipo de evento").agg(
        Eventos=("Nombre del evento", "count"),
        **{"Asistentes reportados": ("Asistentes", lambda people: people.sum(min_count=1)),
           "Eventos con asistentes reportados": ("Asistentes", "count")}).reset_index()
    keys, kind = grouped["Tipo de evento"], "Tipo de evento"
    trace.attach(grouped, "Eventos", trace.group_sources(data, kind, keys, "Nombre del evento", trace.COUNT))
    trace.attach(grouped, "Asistentes reportados", trace.group_sources(data, kind, keys, "Asistentes", trace.SUM))
    reported = data[data["Asistentes"].notna()]
    trace.attach(grouped, "Eventos con asistentes reportados",
                 trace.group_sources(reported, kind, keys, "Asistentes", trace.COUNT_KNOWN))
    return grouped


def events_by_kind_table(report: YearReport) -> Table:
    return table_with_total(events_by_kind(report), "Tipo de evento", "Eventos por tipo",
                            unknown=("Asistentes reportados",), empty="eventos")


def por_que_medellin_table(report: YearReport) -> Table:
    data = events(report)
    data = data[data["¿Por qué Medellín?"] == "Sí"][["Nombre del evento", "Fecha", "Asistentes (detalle)"]]
    return Table(_dates(data), "Eventos ¿Por qué Medellín?", empty="eventos ¿Por qué Medellín?",
                 note=indicator_detail_note(report, F, "Eventos"))


def events_table(report: YearReport, kind: str) -> Table:
    data = events(report)
    data = data[data["Tipo de evento"] == kind]
    columns = ["Nombre del evento", "Fecha", "Participante por Medellín"] if kind.startswith("Gestionado") else \
        ["Nombre del evento", "Fecha", "Asistentes (detalle)"]
    return Table(_dates(data[columns]), f"Eventos: {kind.lower()}", empty="eventos")


def events_figure(report: YearReport):
    return charts.bar_chart(events_by_kind(report), "Tipo de evento", "Eventos", "Eventos por tipo", "Eventos")


def awards_table(report: YearReport) -> Table:
    data = report.frame(F, "Premios")[["Premio", "Postulación", "Entidad postulada", "Resultado"]]
    return Table(data, "Postulaciones a premios internacionales", empty="postulaciones a premios internacionales")


def awards_by_result(report: YearReport) -> pd.DataFrame:
    """Postulations and distinct awards by result (won, not selected, no result yet...)."""
    awards = report.frame(F, "Premios")
    grouped = awards.groupby("Resultado").agg(Postulaciones=("Postulación", "count"),
                                              Premios=("Premio", "nunique")).reset_index()
    keys = grouped["Resultado"]
    trace.attach(grouped, "Postulaciones", trace.group_sources(awards, "Resultado", keys, "Postulación", trace.COUNT))
    trace.attach(grouped, "Premios", trace.group_sources(
        awards, "Resultado", keys, "Premio", "premios distintos en {filas} con «{por}» = «{clave}»"))
    return grouped


def awards_by_result_table(report: YearReport) -> Table:
    return Table(awards_by_result(report), "Resultados de las postulaciones a premios")


def press_table(report: YearReport) -> Table:
    data = report.frame(F, "Cifras")[["Concepto", "Valor"]]
    return Table(data, "Prensa, agendas y relacionamiento")
