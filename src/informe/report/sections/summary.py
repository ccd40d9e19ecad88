"""Executive summary: the year's headline figures, computed from the data."""

from __future__ import annotations

import pandas as pd

from ...data import finance
from ..display import COP, Format, Table, escape_markdown, number, percent, usd_millions
from ...data import plan as plan_data
from ...fmt import format_number
from ..report import YearReport

_count = number(0)
_ratio = number(2)


def indicator_format(row: pd.Series) -> Format:
    """How an indicator's values read, in its unit: USD millions, percent or a plain number (declared decimals)."""
    places = plan_data.decimals(row)
    unit = str(row["Unidad"]).lower()
    if "usd" in unit and "millones" in unit:
        return usd_millions(places)
    if unit.startswith("porcentaje") or unit == "%":
        return percent(places)
    return number(places)


def indicator_text(row: pd.Series, value: float | None) -> str:
    """An indicator value in its unit: USD millions, percent or a plain number (declared decimals)."""
    if value is None or pd.isna(value):
        return "—"
    return indicator_format(row)(value)


# Headline figures that are not plan indicators: they come from the figures sheets and the statements.
OTHER_HEADLINES = (
    # (label, how to get the value, formatter)
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


def _prior_achievement(report: YearReport, code: str) -> tuple[pd.Series | None, float | None]:
    """The prior year's row and achievement of the indicator with the same code (None when absent)."""
    if report.prior is None:
        return None, None
    row = report.prior.indicator(code)
    return row, (None if row is None else float(row["Logro año"]))


def headline_figures(report: YearReport) -> pd.DataFrame:
    """Label, value and formatted value of each headline figure (and the prior year's, when available).

    The plan's headline indicators come first, in the order the plan workbook declares («Orden en resumen»).
    """
    rows = []
    for _, item in report.headline_indicators().iterrows():
        value = float(item["Logro año"])
        row = {"Resultado": item["Cifra en resumen"], "Código": item["Código"], "Valor": value,
               "Texto": indicator_text(item, value), "Formato": indicator_format(item)}
        if report.prior is not None:
            prior_row, prior = _prior_achievement(report, item["Código"])
            row["Valor anterior"] = prior
            row["Texto anterior"] = indicator_text(prior_row if prior_row is not None else item, prior)
            row["Formato anterior"] = indicator_format(prior_row if prior_row is not None else item)
        rows.append(row)
    for label, getter, fmt in OTHER_HEADLINES:
        value = getter(report)
        row = {"Resultado": label, "Código": None, "Valor": value, "Texto": fmt(value) if value is not None else "—",
               "Formato": fmt}
        if report.prior is not None:
            prior = getter(report.prior)
            row["Valor anterior"] = prior
            row["Texto anterior"] = fmt(prior) if prior is not None else "—"
            row["Formato anterior"] = fmt
        rows.append(row)
    return pd.DataFrame(rows)


def headline_table(report: YearReport) -> Table:
    data = headline_figures(report)

    def values(column: str) -> list:
        return ["—" if v is None or pd.isna(v) else v for v in data[column]]

    shown = pd.DataFrame({"Resultado": data["Resultado"], str(report.year): values("Valor")})
    formats = {str(report.year): data["Formato"].tolist()}
    if report.prior is not None:
        shown[str(report.prior.year)] = values("Valor anterior")
        formats[str(report.prior.year)] = data["Formato anterior"].tolist()
    return Table(shown, f"Cifras principales {report.year}", formats=formats, align_right=tuple(shown.columns[1:]))


def headline_bullets(report: YearReport) -> list[str]:
    """The summary's opening sentences (Markdown): one per headline indicator (its «Frase en resumen»),
    then awards, press and agendas; every figure taken from the data."""
    bullets = []
    for _, item in report.headline_indicators().iterrows():
        sentence = item["Frase en resumen"]
        if pd.isna(sentence):
            continue
        value = indicator_text(item, float(item["Logro año"]))
        bullets.append(escape_markdown(str(sentence)).replace("\\*", "*").replace("\\{valor\\}", value))
    f = {row.Resultado: row.Texto for row in headline_figures(report).itertuples()}
    awards = report.frame("posicionamiento.xlsx", "Premios")
    return bullets + [
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
