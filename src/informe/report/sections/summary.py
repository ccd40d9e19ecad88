"""Executive summary: the year's headline figures, computed from the data."""

from __future__ import annotations

import pandas as pd

from ...data import finance
from ...data import plan as plan_data
from ...fmt import format_number, format_percent
from .. import trace
from ..display import COP, Format, Table, escape_markdown, number, percent, usd_millions
from ..report import ACHIEVED, YearReport, indicator_cells
from .financial import line_source

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


def _rows(how: str, filename: str, sheet: str, column: str):
    """The source of a count or sum of a sheet's column («conteo de N filas», «suma de N filas»)."""
    def source(r: YearReport) -> trace.Source | None:
        frame = r.frame(filename, sheet)
        return trace.cells(frame, column, how=f"{how} de {trace.rows_phrase(len(frame))}")
    return source


def _line(sheet: str, *roles: str, how: str = ""):
    """The source of a statement figure: the lines with ``roles`` of ``sheet`` (one: that line's cell)."""
    def source(r: YearReport) -> trace.Source | None:
        statement = r.frame("estados_financieros.xlsx", sheet)
        found = [line_source(statement, role) for role in roles]
        return found[0] if len(found) == 1 else trace.combine(how, found)
    return source


# Headline figures that are not plan indicators: they come from the figures sheets and the statements.
OTHER_HEADLINES = (
    # (label, how to get the value, formatter, where it comes from)
    ("Agendas de trabajo", lambda r: r.figure("posicionamiento.xlsx", "agendas_trabajo"), _count,
     lambda r: r.figure_source("posicionamiento.xlsx", "agendas_trabajo")),
    ("Periodistas internacionales atendidos", lambda r: r.figure("posicionamiento.xlsx", "periodistas_atendidos"),
     _count, lambda r: r.figure_source("posicionamiento.xlsx", "periodistas_atendidos")),
    ("Postulaciones a premios internacionales", lambda r: float(len(r.frame("posicionamiento.xlsx", "Premios"))),
     _count, _rows("conteo", "posicionamiento.xlsx", "Premios", "Postulación")),
    ("Valor contratado (plan anual de adquisiciones)",
     lambda r: float(r.frame("administrativo.xlsx", "Contratación")["Valor (COP)"].sum()), COP,
     _rows("suma", "administrativo.xlsx", "Contratación", "Valor (COP)")),
    ("PQRS atendidas", lambda r: float(r.frame("administrativo.xlsx", "PQRS")["Cantidad"].sum()), _count,
     _rows("suma", "administrativo.xlsx", "PQRS", "Cantidad")),
    ("Activo total", lambda r: finance.line(r.frame("estados_financieros.xlsx", "Situación financiera"),
                                            "activo_total"), COP, _line("Situación financiera", "activo_total")),
    ("Excedente o déficit del ejercicio", lambda r: finance.line(r.frame("estados_financieros.xlsx", "Resultados"),
                                                                "excedente_neto"), COP,
     _line("Resultados", "excedente_neto")),
    ("Liquidez (activo corriente / pasivo corriente)",
     lambda r: finance.financial_indicators(r.frame("estados_financieros.xlsx", "Situación financiera"))["Liquidez"],
     _ratio, _line("Situación financiera", "activo_corriente", "pasivo_corriente",
                   how="calculado: activo corriente ÷ pasivo corriente")),
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
               "Texto": indicator_text(item, value), "Formato": indicator_format(item),
               "Fuente": indicator_cells(report, item["Código"])[ACHIEVED]}
        if report.prior is not None:
            prior_row, prior = _prior_achievement(report, item["Código"])
            row["Valor anterior"] = prior
            row["Fuente anterior"] = (indicator_cells(report.prior, item["Código"])[ACHIEVED] if prior_row is not None
                                      else None)
            row["Texto anterior"] = indicator_text(prior_row if prior_row is not None else item, prior)
            row["Formato anterior"] = indicator_format(prior_row if prior_row is not None else item)
        rows.append(row)
    for label, getter, fmt, source in OTHER_HEADLINES:
        value = getter(report)
        row = {"Resultado": label, "Código": None, "Valor": value, "Texto": fmt(value) if value is not None else "—",
               "Formato": fmt, "Fuente": source(report)}
        if report.prior is not None:
            prior = getter(report.prior)
            row["Fuente anterior"] = source(report.prior)
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
    sources = {str(report.year): data["Fuente"].tolist()}
    if report.prior is not None:
        shown[str(report.prior.year)] = values("Valor anterior")
        formats[str(report.prior.year)] = data["Formato anterior"].tolist()
        sources[str(report.prior.year)] = data["Fuente anterior"].tolist()
    return Table(shown, f"Cifras principales {report.year}", formats=formats, sources=sources,
                 align_right=tuple(shown.columns[1:]))


def headline_bullets(report: YearReport) -> list[str]:
    """The summary's opening sentences (Markdown): one per headline indicator (its «Frase en resumen»),
    then awards, press and agendas; every figure taken from the data."""
    bullets = []
    table = report.indicators
    values = {str(row["Código"]).strip(): indicator_text(row, float(row["Logro año"])) for _, row in table.iterrows()}
    for _, item in report.headline_indicators().iterrows():
        sentence = item["Frase en resumen"]
        if pd.isna(sentence):
            continue
        text = escape_markdown(str(sentence)).replace("\\*", "*")
        text = text.replace("\\{valor\\}", indicator_text(item, float(item["Logro año"])))
        for code, value in values.items():  # {CODE}: another indicator's achievement in the same sentence
            text = text.replace("\\{" + escape_markdown(code) + "\\}", value)
        bullets.append(text)
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


# --------------------------------------------------------------------------
# Key figures («Cifras clave»): one tile per headline indicator of the plan
# --------------------------------------------------------------------------

NO_GOAL = "Sin meta anual"


def _signed(value: float, decimals: int) -> str:
    """``+12,3`` / ``−4,0`` / ``0`` (the sign in words is given next to it: never colour only)."""
    text = format_number(abs(value), decimals)
    if round(value, decimals) == 0:
        return text
    return ("+" if value > 0 else "\u2212") + text


def change_text(value: float, prior: float, fmt: Format, places: int, prior_year: int) -> str:
    """«sube 11,2 % frente a 2021 (USD 140,00 millones)»: the change in words (not colour only)."""
    diff = round(value - prior, places)
    if diff == 0:
        return f"igual que en {prior_year} ({fmt(prior)})"
    verb = "sube" if diff > 0 else "baja"
    if prior > 0:
        return f"{verb} {format_percent(abs(diff) / prior * 100, 1)} frente a {prior_year} ({fmt(prior)})"
    return f"{verb} {_signed(diff, places)} frente a {prior_year} ({fmt(prior)})"


def key_figures(report: YearReport) -> list[dict]:
    """The key figures of the year, one per headline indicator («Orden en resumen» of the plan workbook), in
    that order: label, value, the year's goal and its % (None without a goal), and the change against the
    prior year when there is a comparable one (``report.prior``: never a demo year for a real one).

    Every text is already formatted (es-CO, the indicator's unit and decimals) but not escaped.
    """
    figures = []
    for _, item in report.headline_indicators().iterrows():
        fmt = indicator_format(item)
        value = item["Logro año"]
        goal = item["Meta año"]
        has_value, has_goal = not pd.isna(value), not pd.isna(goal)
        tile = {"code": str(item["Código"]).strip(), "label": str(item["Cifra en resumen"]).strip(),
                "value": None if not has_value else float(value), "text": fmt(float(value)) if has_value else "—",
                "goal": float(goal) if has_goal else None,
                "goal_text": f"Meta {report.year}: {fmt(float(goal))}" if has_goal else f"{NO_GOAL} para {report.year}",
                "percent": None, "percent_text": "", "reached": None, "change_text": ""}
        if has_goal and has_value and float(goal) > 0:
            share = float(value) / float(goal) * 100
            tile["percent"] = share
            tile["reached"] = share >= 100
            tile["percent_text"] = (f"{format_percent(share, 1)} de la meta: "
                                    + ("meta cumplida" if share >= 100 else "por debajo de la meta"))
        prior = report.prior
        if prior is not None and has_value:
            prior_row = prior.indicator(item["Código"])
            prior_value = None if prior_row is None else prior_row["Logro año"]
            if prior_value is not None and not pd.isna(prior_value):
                prior_value = float(prior_value)
                tile["prior_value"] = prior_value
                tile["change_text"] = change_text(float(value), prior_value, fmt, plan_data.decimals(item), prior.year)
        figures.append(tile)
    return figures


def key_figures_markdown(report: YearReport) -> str:
    """The year's key figures as a Markdown block: a pandoc fenced div ``.cifras-clave`` with one ``.cifra``
    div per headline indicator of the plan («Orden en resumen»), each with spans ``.cifra-nombre`` (its
    «Cifra en resumen»), ``.cifra-valor``, ``.cifra-meta`` (the year's goal, or «Sin meta anual para <año>»),
    ``.cifra-avance`` (% of the goal, in words whether it was reached) and ``.cifra-cambio`` (against the
    comparable prior year, when there is one). Every data text is escaped. Empty text when the plan declares
    no headline indicator.

    HTML: styled by ``book/styles.css``. PDF (Typst): ``book/key-figures.lua`` turns it into a grid of boxes.
    """
    tiles = key_figures(report)
    if not tiles:
        return ""
    out = [f':::: {{.cifras-clave aria-label="{escape_markdown(f"Cifras clave {report.year}")}"}}']
    for tile in tiles:
        state = "" if tile["reached"] is None else (" .meta-cumplida" if tile["reached"] else " .meta-no-cumplida")
        out.append(f"::: {{.cifra{state}}}")
        lines = [("cifra-nombre", tile["label"]), ("cifra-valor", tile["text"]), ("cifra-meta", tile["goal_text"]),
                 ("cifra-avance", tile["percent_text"]), ("cifra-cambio", tile["change_text"])]
        for css, text in lines:
            if text:
                out += [f"[{escape_markdown(text)}]{{.{css}}}", ""]
        out[-1:] = [":::", ""]
    out.append("::::")
    return "\n".join(out) + "\n"
