"""Strategic planning: the agency's identity, its objectives and the key results of the year.

Everything comes from ``planeacion_estrategica.xlsx`` (see :mod:`informe.data.strategy`); a key result
linked to a development-plan indicator shows that indicator's achievement as the plan chapter does.
"""

from __future__ import annotations

import math

import pandas as pd

from ...data import plan as plan_data
from ...data.strategy import FRAMEWORK, KEY_RESULTS, OBJECTIVES, PLAN_LINK, STRATEGY_FILE, TACTICAL
from .. import trace
from ..display import (
    DOWNLOADS_DIR,
    Format,
    HtmlOnlyTable,
    Table,
    Text,
    escape_markdown,
    number,
    percent,
    table_with_total,
)
from ..report import ACHIEVED, YearReport, indicator_cells

NO_FRAMEWORK = "El marco estratégico no está registrado para este año."


def framework_text(report: YearReport) -> Text:
    """Each element of the identity (propósito inspirador, cómo lo hacemos, qué hacemos, eslogan, visión...)
    as a paragraph, in the order of the «Marco» sheet."""
    framework = report.frame(STRATEGY_FILE, FRAMEWORK)
    paragraphs = [f"**{escape_markdown(item['Elemento'])}:** {escape_markdown(item['Texto'])}"
                  for _, item in framework.iterrows()]
    return Text("\n\n".join(paragraphs) if paragraphs else NO_FRAMEWORK)


def _code(value) -> str:
    return plan_data.normalise_code(value)


def _tactical_in_order(report: YearReport) -> pd.DataFrame:
    """«Objetivos tácticos» ordered by their strategic objective (in sheet order), then in sheet order."""
    objectives = [_code(c) for c in report.frame(STRATEGY_FILE, OBJECTIVES)["Código"]]
    tactical = report.frame(STRATEGY_FILE, TACTICAL).copy()
    tactical["_oe"] = tactical["Objetivo estratégico"].map(_code)
    tactical["_order"] = tactical["_oe"].map({code: i for i, code in enumerate(objectives)})
    return tactical.sort_values("_order", kind="stable")


def objectives_table(report: YearReport) -> Table:
    """Each strategic objective (bold) followed by its tactical objectives, with their number of key results."""
    objectives = report.frame(STRATEGY_FILE, OBJECTIVES)
    tactical = _tactical_in_order(report)
    results = report.frame(STRATEGY_FILE, KEY_RESULTS)
    per_tactical = results["Objetivo táctico"].map(_code).value_counts().to_dict()
    rows_of = {code: list(group.index) for code, group in results.groupby(results["Objetivo táctico"].map(_code))}

    def counted(codes: list) -> trace.Source | None:
        found = [row for c in codes for row in rows_of.get(_code(c), [])]
        return trace.cells(results, "Resultado clave", found, f"conteo de {trace.rows_phrase(len(found))} de la hoja "
                           f"con «Objetivo táctico» = " + ", ".join(f"«{_code(c)}»" for c in codes))

    rows: list[dict[str, object]] = []
    bold: list[int] = []
    indent: list[int] = []
    sources: list[trace.Source | None] = []
    for _, objective in objectives.iterrows():
        code = _code(objective["Código"])
        own = tactical[tactical["_oe"] == code]
        counts = [int(per_tactical.get(_code(c), 0)) for c in own["Código"]]
        bold.append(len(rows))
        indent.append(0)
        rows.append({"Código": code, "Objetivo": f"{objective['Nombre']}: {objective['Descripción']}",
                     "Resultados clave": sum(counts)})
        sources.append(counted(list(own["Código"])))
        for (_, item), count in zip(own.iterrows(), counts):
            indent.append(1)
            rows.append({"Código": _code(item["Código"]), "Objetivo": item["Descripción"],
                         "Resultados clave": count})
            sources.append(counted([item["Código"]]))
    data = pd.DataFrame(rows, columns=["Código", "Objetivo", "Resultados clave"])
    return Table(data, "Objetivos estratégicos y tácticos", formats={"Resultados clave": number(0)},
                 sources={"Resultados clave": sources},
                 bold_rows=tuple(bold), indent=indent)


def key_results(report: YearReport, objective: str | None = None) -> pd.DataFrame:
    """One row per key result (of one strategic objective, or all): its objectives, quarter, status and, when it
    supports a plan indicator, the indicator with its achievement and the % of the year's goal."""
    objectives = report.frame(STRATEGY_FILE, OBJECTIVES)
    names = {_code(c): f"{_code(c)} {n}" for c, n in zip(objectives["Código"], objectives["Nombre"])}
    tactical = _tactical_in_order(report)
    position = {_code(c): i for i, c in enumerate(tactical["Código"])}
    parent = {_code(c): oe for c, oe in zip(tactical["Código"], tactical["_oe"])}
    results = report.frame(STRATEGY_FILE, KEY_RESULTS).copy()
    results["_ot"] = results["Objetivo táctico"].map(_code)
    results = results.assign(_order=results["_ot"].map(position)).sort_values("_order", kind="stable")
    if objective is not None:
        results = results[results["_ot"].map(parent) == _code(objective)]
    indicators = report.indicators.assign(_code=lambda t: t["Código"].map(_code)).set_index("_code")
    rows = []
    for number_, item in results.iterrows():
        strategic = parent.get(item["_ot"])
        row = {"Objetivo estratégico": names.get(strategic, "") if strategic is not None else "",
               "Objetivo táctico": item["_ot"],
               "Resultado clave": item["Resultado clave"], "Trimestre": item["Trimestre"], "Estado": item["Estado"],
               "Indicador del plan": None, "Logro año": math.nan, "Cumplimiento año (%)": math.nan, "Decimales": 0,
               trace.CARRIED + "Estado": trace.cell(results, number_, "Estado"),
               trace.CARRIED + "Logro año": None, trace.CARRIED + "Cumplimiento año (%)": None}
        link = item[PLAN_LINK]
        if not pd.isna(link) and _code(link) in indicators.index:
            cells = indicator_cells(report, _code(link))
            row[trace.CARRIED + "Logro año"] = cells[ACHIEVED]
            row[trace.CARRIED + "Cumplimiento año (%)"] = cells["Cumplimiento año (%)"]
            indicator = indicators.loc[_code(link)]
            goal = indicator["Meta año"]
            row |= {"Indicador del plan": f"{_code(link)} {indicator['Indicador']}",
                    "Logro año": float(indicator["Logro año"]),
                    # Rounded far below what is shown, as in the plan chapter (no float artefacts in downloads).
                    "Cumplimiento año (%)": (round(float(indicator["Logro año"]) / float(goal) * 100, 10)
                                             if not pd.isna(goal) and goal else math.nan),
                    "Decimales": plan_data.decimals(indicator)}
        rows.append(row)
    columns = ["Objetivo estratégico", "Objetivo táctico", "Resultado clave", "Trimestre", "Estado",
               "Indicador del plan", "Logro año", "Cumplimiento año (%)", "Decimales"]
    carried = [trace.CARRIED + c for c in ("Estado", "Logro año", "Cumplimiento año (%)")]
    return pd.DataFrame(rows, columns=[*columns, *carried]).reset_index(drop=True)


def key_results_table(report: YearReport, objective: str | None = None) -> Table:
    """The key results as the report prints them; the indicator columns only when some key result has one."""
    data = key_results(report, objective)
    places = data["Decimales"].tolist()
    linked = data["Indicador del plan"].notna().any()
    columns = ["Objetivo estratégico", "Objetivo táctico", "Resultado clave", "Trimestre", "Estado"]
    if linked:
        columns += ["Indicador del plan", "Logro año", "Cumplimiento año (%)"]
    data = data[columns + trace.carried(data, columns)].rename(
        columns={"Logro año": f"Logro {report.year}",
                 trace.CARRIED + "Logro año": f"{trace.CARRIED}Logro {report.year}"})
    formats: dict[str, Format | list[Format]] = {}
    if linked:
        formats = {f"Logro {report.year}": [number(int(d)) for d in places], "Cumplimiento año (%)": percent(1)}
    title = f"Resultados clave {report.year}" + (f" ({_code(objective)})" if objective else "")
    return Table(data, title, formats=formats)


def key_results_summary_table(report: YearReport) -> Table:
    """Per strategic objective: how many key results, and how many in each status (the PDF's view; the full list is
    :func:`key_results_table`, in the HTML book and the downloads)."""
    data = key_results(report)
    statuses = list(dict.fromkeys(data["Estado"].dropna()))
    rows = []
    state, sheet = trace.CARRIED + "Estado", report.frame(STRATEGY_FILE, KEY_RESULTS)
    for objective, group in data.groupby("Objetivo estratégico", sort=False):
        row = {"Objetivo estratégico": objective, "Resultados clave": len(group),
               trace.CARRIED + "Resultados clave": trace.combine(
                   f"conteo de {trace.rows_phrase(len(group))} del objetivo «{objective}»", group[state])}
        for status in statuses:
            chosen = group[group["Estado"] == status]
            row[status] = len(chosen)
            how = f"conteo de {trace.rows_phrase(len(chosen))} con «Estado» = «{status}»"
            row[trace.CARRIED + status] = trace.combine(how, chosen[state]) or trace.cells(sheet, "Estado", [], how)
        rows.append(row)
    table = pd.DataFrame(rows, columns=["Objetivo estratégico", "Resultados clave", *statuses,
                                        *(trace.CARRIED + c for c in ["Resultados clave", *statuses])])
    return table_with_total(table, "Objetivo estratégico", f"Resultados clave {report.year} por objetivo y estado",
                            formats={c: number(0) for c in ["Resultados clave", *statuses]})


def key_results_html_table(report: YearReport) -> Table:
    """Every key result (:func:`key_results_table`), in the HTML book and the downloads only: the PDF prints the
    summary (:func:`key_results_summary_table`) and says where the list is."""
    table = key_results_table(report)
    return HtmlOnlyTable(table.data, table.title, formats=table.formats, sources=table.sources)


def key_results_note(report: YearReport) -> Text:
    table = key_results_table(report)
    return Text(f"La lista de los {len(table.data)} resultados clave, con su trimestre, su estado y el indicador del "
                "plan que apoyan, está en la versión HTML de este informe y en el archivo descargable "
                f"{escape_markdown(f'{DOWNLOADS_DIR}/{table.slug}.xlsx')}.")
