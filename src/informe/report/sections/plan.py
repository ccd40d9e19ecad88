"""Development-plan indicators: goals, achievements, progress and next year's targets."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ...data import plan as plan_data
from ...data.params import catalog_fronts
from ...fmt import format_date, is_missing
from .. import charts, trace
from ..display import Format, Table, Text, escape_markdown, number, percent
from ..report import (
    ACHIEVED,
    CUMULATIVE,
    GOAL,
    PLAN_GOAL,
    ReportDataError,
    YearReport,
    indicator_cells,
    indicator_sources,
)

NO_GOAL = "sin meta"  # what a goal or compliance cell says when «Metas» sets no goal for the year

Fronts = str | Sequence[str] | None


def _select_fronts(table: pd.DataFrame, front: Fronts) -> pd.DataFrame:
    if front is None:
        return table
    wanted = [front] if isinstance(front, str) else list(front)
    return table[table["Frente"].isin(wanted)]


def chapter_fronts(report: YearReport, slug: str) -> tuple[str, ...]:
    """The fronts the chapter ``slug`` declares (``params/<year>.yml``, key ``chapters.fronts``), each checked
    against the plan's «Frente» catalog: a renamed front is an error naming the file and the key, never an
    empty table."""
    declared = report.params.chapter(slug).fronts
    catalog = catalog_fronts(report.frames)
    missing = [f for f in declared if catalog is not None and f not in catalog]
    if missing:
        raise ReportDataError(
            f"params/{report.year}.yml, clave «chapters.fronts» del capítulo «{slug}»: "
            + ", ".join(f"«{f}»" for f in missing) + " no está en el catálogo «Frente» de plan_desarrollo.xlsx "
            "(hoja «Catálogos»); frentes del catálogo: " + ", ".join(f"«{f}»" for f in catalog or []))
    return declared


def row_decimals(row: pd.Series, values: Sequence = ()) -> int:
    """Decimals of an indicator's values: the plan's («Decimales», else 2 if any value has decimals); a count
    (unit «Número») whose ``values`` are all whole prints none («10», never «10,00»)."""
    places = plan_data.decimals(row)
    shown = [float(v) for v in values if not is_missing(v)]
    if str(row.get("Unidad", "")).strip().lower() == "número" and shown and all(v.is_integer() for v in shown):
        return 0
    return places


def indicator_progress(report: YearReport, plan: str | None = None, front: Fronts = None) -> pd.DataFrame:
    """Indicators with the year's achievement over its goal and the cumulative over the period goal (in %).

    ``front``: one value of the «Frente» catalog or several (as a chapter declares them)."""
    table = report.indicators
    if plan:
        table = table[table["Plan"] == plan]
    table = _select_fronts(table, front)
    out = table[["Código", "Indicador", "Unidad", "Meta del plan", "Meta año", "Logro año", "Acumulado",
                 "Meta año siguiente"]].copy()
    out["Decimales"] = [plan_data.decimals(row) for _, row in table.iterrows()]
    # Rounded far below what is shown: no float artefacts (110.00000000000001) in the downloads.
    out["Cumplimiento año (%)"] = (out["Logro año"] / out["Meta año"] * 100).round(10)
    out["Avance del plan (%)"] = (out["Acumulado"] / out["Meta del plan"] * 100).round(10)
    return out.reset_index(drop=True)


def indicator_table(report: YearReport, plan: str | None = None, front: Fronts = None,
                    title: str = "") -> Table | None:
    """The indicators as the report prints them (values in each indicator's unit).

    A row whose year has no goal in «Metas» reads «sin meta» in the goal and compliance columns, and a note
    under the table says which indicators have none (built from the data). None when ``front`` is an empty
    list (a chapter that declares no further front)."""
    if front is not None and not isinstance(front, str) and not list(front):
        return None
    progress = indicator_progress(report, plan, front)
    goal_column, done_column = f"Meta {report.year}", f"Logro {report.year}"
    columns = ["Código", "Indicador", "Unidad", "Meta del plan", "Meta año", "Logro año",
               "Cumplimiento año (%)", "Acumulado", "Avance del plan (%)"]
    if progress["Meta año siguiente"].notna().any():
        columns.append("Meta año siguiente")
    data = progress[columns].rename(columns={"Meta año siguiente": f"Meta {report.year + 1}",
                                             "Meta año": goal_column, "Logro año": done_column})
    value_columns = [c for c in ("Meta del plan", goal_column, done_column, "Acumulado", f"Meta {report.year + 1}")
                     if c in data]
    # Values keep the decimals of each row (column «Decimales» of the plan workbook; whole counts none).
    indicators = report.indicators.set_index("Código")
    places = [row_decimals(indicators.loc[code] if code in indicators.index else progress.iloc[i],
                           [data.at[i, c] for c in value_columns])
              for i, code in enumerate(progress["Código"])]
    without_goal = progress["Meta año"].isna()
    data = data.astype({goal_column: object, "Cumplimiento año (%)": object})
    data.loc[without_goal, [goal_column, "Cumplimiento año (%)"]] = NO_GOAL
    row_formats = [number(d) for d in places]
    sources = indicator_sources(report, progress["Código"], {
        "Meta del plan": PLAN_GOAL, goal_column: GOAL, done_column: ACHIEVED, "Acumulado": CUMULATIVE,
        f"Meta {report.year + 1}": "Meta año siguiente", "Cumplimiento año (%)": "Cumplimiento año (%)",
        "Avance del plan (%)": "Avance del plan (%)"})
    return Table(data, title, sources={c: s for c, s in sources.items() if c in data}, formats={
        **{column: row_formats for column in value_columns},
        "Cumplimiento año (%)": percent(1),
        "Avance del plan (%)": percent(1),
    }, note=_no_goal_note(report, progress, plan), align_right=(goal_column, "Cumplimiento año (%)"))


def _no_goal_note(report: YearReport, progress: pd.DataFrame, plan: str | None) -> str:
    """Why goal and compliance read «sin meta»: which indicators have no goal for the year in «Metas»."""
    missing = progress.loc[progress["Meta año"].isna(), "Código"].astype(str).tolist()
    if not missing:
        return ""
    if len(missing) == len(progress):
        who = f"Los indicadores del {plan[0].lower() + plan[1:]}" if plan else "Los indicadores"
        return (f"{who} no tienen meta anual para {report.year} en la hoja «Metas»; el cumplimiento no se "
                "calcula.")
    codes = ", ".join(missing[:-1]) + f" y {missing[-1]}" if len(missing) > 1 else missing[0]
    verb = "no tienen" if len(missing) > 1 else "no tiene"
    return f"{codes} {verb} meta anual para {report.year} en la hoja «Metas»; su cumplimiento no se calcula."


def progress_figure(report: YearReport, plan: str = "Plan indicativo"):
    """Cumulative progress towards the period goal, per indicator."""
    data = indicator_progress(report, plan)
    data["Etiqueta"] = data["Código"] + " " + data["Indicador"].str.rstrip(". ")
    trace.attach(data, "Avance del plan (%)",
                 indicator_sources(report, data["Código"], {"Avance": "Avance del plan (%)"})["Avance"])
    return charts.progress_chart(data, "Etiqueta", "Avance del plan (%)",
                                 f"Avance acumulado del plan {report.plan.period} "
                                 f"al {format_date(report.params.cutoff)}")


def year_over_year(report: YearReport, plan: str = "Plan indicativo") -> Table | None:
    """Achievement of this year against the previous year, per indicator (None without a comparable prior
    year: a demo year is never a real year's prior, see :mod:`informe.data.prior`).

    Each row keeps its indicator's decimals: a count reads «10», never «10,00»."""
    if report.prior is None:
        return None
    table = report.indicators[report.indicators["Plan"] == plan].reset_index(drop=True)
    prior = report.prior.indicators.set_index("Código")
    before, now = f"Logro {report.prior.year}", f"Logro {report.year}"
    data = pd.DataFrame({
        "Código": table["Código"].values,
        "Indicador": table["Indicador"].values,
        before: prior["Logro año"].reindex(table["Código"]).values,
        now: table["Logro año"].values,
    })
    places = [row_decimals(row, [data.at[i, before], data.at[i, now]]) for i, row in table.iterrows()]
    data["Variación"] = [round(b - a, d) if not (is_missing(a) or is_missing(b)) else float("nan")
                         for a, b, d in zip(data[before], data[now], places)]
    row_formats = [number(d) for d in places]
    sources = indicator_sources(report, table["Código"], {now: ACHIEVED})
    sources[before] = [indicator_cells(report.prior, code)[ACHIEVED] for code in table["Código"]]
    sources["Variación"] = [trace.combine(f"calculado: logro {report.year} − logro {report.prior.year}", [a, b])
                            for a, b in zip(sources[now], sources[before])]
    return Table(data, f"Logro {report.year} frente a {report.prior.year}", sources=sources,
                 formats={c: row_formats for c in data.columns[2:]})


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
    places = [row_decimals(row, [row["Meta año siguiente"]]) for _, row in table.iterrows()]
    data = table[["Código", "Plan", "Indicador", "Unidad", "Meta año siguiente"]].rename(
        columns={"Meta año siguiente": f"Meta {report.year + 1}"}).reset_index(drop=True)
    return Table(data, f"Metas {report.year + 1} del Plan de Desarrollo",
                 sources=indicator_sources(report, data["Código"], {f"Meta {report.year + 1}": "Meta año siguiente"}),
                 formats={f"Meta {report.year + 1}": [number(d) for d in places]})


# --------------------------------------------------------------------------
# Each indicator's path over the plan: before this year, this year, what is left
# --------------------------------------------------------------------------

LEFT = "Falta para la meta del plan"


def _same_plan(info: plan_data.PlanInfo | None, other: plan_data.PlanInfo | None) -> bool:
    return (info is not None and other is not None and info.name.strip() == other.name.strip()
            and (info.first_year, info.last_year) == (other.first_year, other.last_year))


def _read_year_indicators(data_dir: Path) -> tuple[plan_data.PlanInfo | None, pd.DataFrame | None]:
    """«Plan» and «Indicadores» of another year's plan workbook (None when they cannot be read)."""
    from ...data.contract import workbook
    from ...data.schemas import validate_frame
    from ...data.workbooks import UnusableInput, read_sheet

    frames = {}
    for sheet_name in (plan_data.PLAN_SHEET, plan_data.INDICATORS):
        spec = workbook(plan_data.PLAN_FILE).sheet(sheet_name)
        try:
            sheet = read_sheet(Path(data_dir) / plan_data.PLAN_FILE, spec)
        except (UnusableInput, OSError):
            return None, None
        typed, _ = validate_frame(sheet.file, spec, sheet.frame)
        if typed is None:
            return None, None
        frames[(plan_data.PLAN_FILE, sheet_name)] = typed
    return plan_data.plan_info(frames), frames[(plan_data.PLAN_FILE, plan_data.INDICATORS)]


def earlier_years(report: YearReport) -> dict[int, dict[str, float]]:
    """Each earlier year of the same plan (same name and period in «Plan») whose data may be compared with this
    one (a real year never with a demo year: :func:`informe.data.prior.comparable`), as
    ``{year: {code: achievement}}``. The prior year comes from ``report.prior``; older years from
    ``data/<year>`` next to this year's folder."""
    from ...data import prior as prior_data

    info = report.plan
    found: dict[int, dict[str, float]] = {}

    def achievements(table: pd.DataFrame) -> dict[str, float]:
        return {plan_data.normalise_code(c): float(v) for c, v in zip(table["Código"], table["Logro año"])
                if not is_missing(v)}

    if report.prior is not None and report.prior.year >= info.first_year:
        prior_info = plan_data.plan_info(report.prior.frames)
        if _same_plan(info, prior_info):
            found[report.prior.year] = achievements(report.prior.indicators)
    for year in range(report.year - 2, info.first_year - 1, -1):
        folder = Path(report.data_dir).parent / str(year)
        if not folder.is_dir() or not prior_data.comparable(report.params.demo, prior_data.is_demo(folder)):
            continue
        other_info, table = _read_year_indicators(folder)
        if table is not None and _same_plan(info, other_info):
            found[year] = achievements(table)
    return dict(sorted(found.items()))


def _span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}-{last}"


def indicator_path(report: YearReport, plan: str = "Plan indicativo") -> pd.DataFrame | None:
    """Per indicator of ``plan``: what was achieved before this year (Acumulado − Logro año), split per earlier
    year where that year's own data exist, this year's achievement and what is left to the plan's goal
    (max(Meta del plan − Acumulado, 0)); None in the plan's first year (nothing before).

    Columns: Código, Indicador, Unidad, Decimales, Meta del plan, one column per segment (in order), and
    ``attrs["segments"]`` their names."""
    info = report.plan
    if report.year <= info.first_year:
        return None
    table = report.indicators[report.indicators["Plan"] == plan].reset_index(drop=True)
    if table.empty:
        return None
    known = earlier_years(report)
    all_before = _span(info.first_year, report.year - 1)
    this_year = str(report.year)

    def before_of(item) -> float:
        done, total = item["Logro año"], item["Acumulado"]
        return float(total) - float(done) if not (is_missing(total) or is_missing(done)) else float("nan")

    def split_of(item) -> dict[str, float] | None:
        """The earlier years' own achievements and what remains before them; None when they do not add up."""
        code = plan_data.normalise_code(item["Código"])
        found = [years.get(code) for years in known.values()]
        values = [v for v in found if v is not None]
        before = before_of(item)
        if not known or len(values) != len(found) or is_missing(before):  # a year without the indicator
            return None
        rest = before - sum(values)
        if rest < -1e-9 * max(1.0, abs(before)):
            return None
        first_known = min(known)
        out = {_span(info.first_year, first_known - 1): round(rest, 10)} if first_known > info.first_year else {}
        out.update({str(y): v for y, v in zip(known, values)})
        return out

    splits = [split_of(item) for _, item in table.iterrows()]
    use_split = bool(known) and all(s is not None for s in splits)
    rows = []
    for (_, item), split in zip(table.iterrows(), splits):
        done, total, goal = item["Logro año"], item["Acumulado"], item["Meta del plan"]
        row = {"Código": item["Código"], "Indicador": item["Indicador"], "Unidad": item["Unidad"],
               "Decimales": row_decimals(item, [done, total, goal]), "Meta del plan": goal}
        row.update(split if use_split and split is not None else {all_before: round(before_of(item), 10)})
        row[this_year] = done
        row[LEFT] = (max(float(goal) - float(total), 0.0) if not (is_missing(goal) or is_missing(total))
                     else float("nan"))
        rows.append(row)
    data = pd.DataFrame(rows)
    fixed = ["Código", "Indicador", "Unidad", "Decimales", "Meta del plan"]
    segments = [c for c in data.columns if c not in fixed and c not in (this_year, LEFT)]
    segments = sorted(segments, key=lambda c: int(c.split("-")[0])) + [this_year, LEFT]
    data = data[fixed + segments]
    # An earlier segment nobody has (every indicator 0 in it) adds nothing.
    segments = [c for c in segments if c in (this_year, LEFT) or data[c].abs().sum() > 0]
    data = data[fixed + segments]
    data.attrs["segments"] = segments
    return data


def path_table(report: YearReport, plan: str = "Plan indicativo") -> Table | None:
    """The path of each indicator as a table, in its unit (None in the plan's first year)."""
    data = indicator_path(report, plan)
    if data is None:
        return None
    segments = data.attrs["segments"]
    shown = data[["Código", "Indicador", "Unidad", *segments, "Meta del plan"]].rename(
        columns={s: f"Logrado {s}" for s in segments[:-1]})
    row_formats = [number(int(d)) for d in data["Decimales"]]
    return Table(shown.reset_index(drop=True), sources=path_sources(report, data),
                 title=f"Recorrido de los indicadores del {plan.lower()} {report.plan.period}",
                 formats={c: row_formats for c in shown.columns[3:]})


def path_sources(report: YearReport, data: pd.DataFrame) -> dict[str, list[trace.Source | None]]:
    """The sources of :func:`path_table`'s columns: this year's figures, and what they are computed from.
    (The earlier years' own achievements, read from their folders, carry none.)"""
    segments = data.attrs["segments"]
    found = [indicator_cells(report, code) for code in data["Código"]]
    before = [trace.combine("calculado: acumulado − logro del año", [c[CUMULATIVE], c[ACHIEVED]]) for c in found]
    out = {PLAN_GOAL: [c[PLAN_GOAL] for c in found], f"Logrado {report.year}": [c[ACHIEVED] for c in found],
           LEFT: [trace.combine("calculado: meta del plan − acumulado (0 si ya se alcanzó)",
                                [c[PLAN_GOAL], c[CUMULATIVE]])
                  for c in found]}
    if len(segments) == 3:  # one segment before this year: everything the cumulative holds before it
        out[f"Logrado {segments[0]}"] = before
    if report.prior is not None and f"Logrado {report.prior.year}" not in out:
        out[f"Logrado {report.prior.year}"] = [indicator_cells(report.prior, code)[ACHIEVED] for code in data["Código"]]
    return {c: s for c, s in out.items() if c in (f"Logrado {s}" for s in segments[:-1]) or c in (PLAN_GOAL, LEFT)}


def path_figure(report: YearReport, plan: str = "Plan indicativo"):
    """Stacked bars: before this year, this year and what is left, in % of each indicator's plan goal."""
    data = indicator_path(report, plan)
    if data is None:
        return None
    data = data.copy()
    data["Etiqueta"] = data["Código"].astype(str) + " " + data["Indicador"].astype(str).str.rstrip(". ")
    formats = [Format("number", int(d)) for d in data["Decimales"]]
    return charts.path_chart(data, "Etiqueta", data.attrs["segments"], "Meta del plan",
                             f"Recorrido de cada indicador hacia la meta del plan {report.plan.period}",
                             formats=formats, units=data["Unidad"].astype(str).tolist())
