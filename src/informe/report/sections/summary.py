"""Executive summary: the year's headline figures, computed from the data."""

from __future__ import annotations

import pandas as pd

from ...data import finance
from ..display import COP, Table, escape_markdown, number, usd_millions
from ...fmt import format_number
from ..report import YearReport


_usd = usd_millions(2)
_count = number(0)
_ratio = number(2)


HEADLINES = (
    # (label, how to get the value, formatter)
    ("Inversión nacional y extranjera reportada", lambda r: r.achievement("PI-01"), _usd),
    ("Cooperación técnica y financiera recibida", lambda r: r.achievement("PI-02"), _usd),
    ("Empresas con nuevos proyectos de inversión o reinversión", lambda r: r.achievement("PI-04"), _count),
    ("Eventos ¿Por qué Medellín?", lambda r: r.achievement("PI-06"), _count),
    ("Aportes de la red Sos Paisa", lambda r: r.achievement("PI-07"), _count),
    ("Acciones de cooperación sur-sur", lambda r: r.achievement("PI-05"), _count),
    ("Agendas de trabajo", lambda r: r.figure("posicionamiento.xlsx", "agendas_trabajo"), _count),
    ("Periodistas internacionales atendidos", lambda r: r.figure("posicionamiento.xlsx", "periodistas_atendidos"),
     _count),
    ("Postulaciones a premios internacionales", lambda r: float(len(r.frame("posicionamiento.xlsx", "Premios"))),
     _count),
    ("Valor contratado (plan anual de adquisiciones)",
     lambda r: float(r.frame("administrativo.xlsx", "Contratación")["Valor (COP)"].sum()), COP),
    ("PQRS atendidas", lambda r: float(r.frame("administrativo.xlsx", "PQRS")["Cantidad"].sum()), _count),
    ("Activo total", lambda r: finance.line(r.frame("estados_financieros.xlsx", "Situación financiera"),
                                            "activo_total"), COP),
    ("Excedente o déficit del ejercicio", lambda r: finance.line(r.frame("estados_financieros.xlsx", "Resultados"),
                                                                "excedente_neto"), COP),
    ("Liquidez (activo corriente / pasivo corriente)",
     lambda r: finance.financial_indicators(r.frame("estados_financieros.xlsx", "Situación financiera"))["Liquidez"],
     _ratio),
)


def headline_figures(report: YearReport) -> pd.DataFrame:
    """Label, value and formatted value of each headline figure (and the prior year's, when available)."""
    rows = []
    for label, getter, fmt in HEADLINES:
        value = getter(report)
        row = {"Resultado": label, "Valor": value, "Texto": fmt(value) if value is not None else "—"}
        if report.prior is not None:
            prior = getter(report.prior)
            row["Valor anterior"] = prior
            row["Texto anterior"] = fmt(prior) if prior is not None else "—"
        rows.append(row)
    return pd.DataFrame(rows)


def headline_table(report: YearReport) -> Table:
    data = headline_figures(report)
    shown = pd.DataFrame({"Resultado": data["Resultado"], str(report.year): data["Valor"]})
    if report.prior is not None:
        shown[str(report.prior.year)] = data["Valor anterior"]
    formats = [fmt for _label, _getter, fmt in HEADLINES]
    return Table(shown, f"Cifras principales {report.year}", formats={c: formats for c in shown.columns[1:]})


def headline_bullets(report: YearReport) -> list[str]:
    """The summary's opening sentences (Markdown), every figure taken from the data."""
    f = {row.Resultado: row.Texto for row in headline_figures(report).itertuples()}
    awards = report.frame("posicionamiento.xlsx", "Premios")
    return [
        f"Reportamos para la ciudad **{f['Cooperación técnica y financiera recibida']}** en proyectos de cooperación "
        f"internacional y **{f['Inversión nacional y extranjera reportada']}** en inversión nacional y extranjera.",
        f"**{f['Empresas con nuevos proyectos de inversión o reinversión']}** empresas reportaron nuevos proyectos de "
        "inversión y reinversión en Medellín.",
        f"Realizamos **{f['Eventos ¿Por qué Medellín?']}** eventos ¿Por qué Medellín? con empresarios.",
        f"La red Sos Paisa hizo **{f['Aportes de la red Sos Paisa']}** aportes de conocimiento para la ciudad.",
        f"Medellín compartió sus buenas prácticas en **{f['Acciones de cooperación sur-sur']}** acciones de "
        "cooperación sur-sur.",
        f"Hicimos **{format_number(len(awards))}** postulaciones a **{format_number(awards['Premio'].nunique())}** "
        f"premios internacionales; {escape_markdown(_winners(awards))}.",
        f"Atendimos **{f['Periodistas internacionales atendidos']}** periodistas internacionales y desarrollamos "
        f"**{f['Agendas de trabajo']}** agendas de trabajo.",
    ]


def _winners(awards: pd.DataFrame) -> str:
    won = awards[awards["Resultado"] == "Ganador"]
    if won.empty:
        return "ninguna postulación resultó ganadora al corte"
    names = ", ".join(f"{p} ({a})" for p, a in zip(won["Postulación"], won["Premio"]))
    return f"resultaron ganadoras: {names}"
