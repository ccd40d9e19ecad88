"""The development plan as data: its name and period, goals per year and reconciliations.

Everything the report knows about the plan comes from ``plan_desarrollo.xlsx``:
the «Plan» sheet (name, first and last year), «Indicadores» (codes, names,
units, headline figures), «Metas» (the goal of each indicator per year) and
«Conciliaciones» (how each indicator is reconciled with the detail rows that
support it). No indicator code has a meaning in Python.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from .contract import CATALOG_SHEET, CONTRACT
from .numbers import format_es, nearest_factor
from .problems import ERROR, WARNING

PLAN_FILE = "plan_desarrollo.xlsx"
PLAN_SHEET, INDICATORS, GOALS, RECONCILIATIONS = "Plan", "Indicadores", "Metas", "Conciliaciones"


def normalise_code(code) -> str:
    """The comparable form of an indicator code (surrounding blanks removed).

    Kept as a single hook: codes are compared everywhere through it.
    """
    return str(code).strip()


@dataclass(frozen=True)
class PlanInfo:
    """Name and period of the development plan in force."""

    name: str
    first_year: int
    last_year: int

    @property
    def years(self) -> int:
        return self.last_year - self.first_year + 1

    @property
    def period(self) -> str:
        return f"{self.first_year}-{self.last_year}"


def plan_info(frames) -> PlanInfo | None:
    """The «Plan» sheet's single row as :class:`PlanInfo` (None when absent or invalid)."""
    sheet = frames.get((PLAN_FILE, PLAN_SHEET))
    if sheet is None or len(sheet) != 1:
        return None
    row = sheet.iloc[0]
    return PlanInfo(str(row["Nombre"]), int(row["Primer año"]), int(row["Último año"]))


def goal_lookup(goals: pd.DataFrame) -> dict[tuple[str, object], object]:
    """Every goal of «Metas» by (normalised code, year): the first row of each pair, as :func:`goal` reads it."""
    found: dict[tuple[str, object], object] = {}
    for code, year, value in zip(goals["Código"].map(normalise_code), goals["Año"], goals["Meta"]):
        found.setdefault((code, year), value)
    return found


def goal(goals: pd.DataFrame | dict, code: str, year: int) -> float:
    """Goal of ``code`` for ``year`` (NaN when the plan sets none); ``goals``: «Metas», or its :func:`goal_lookup`."""
    lookup = goals if isinstance(goals, dict) else goal_lookup(goals)
    key = (normalise_code(code), year)
    return float(lookup[key]) if key in lookup else math.nan  # type: ignore[arg-type]


def indicators_for_year(frames, year: int) -> pd.DataFrame:
    """«Indicadores» with the year's goal («Meta año») and next year's («Meta año siguiente») from «Metas»."""
    table = frames[(PLAN_FILE, INDICATORS)].copy()
    goals = frames.get((PLAN_FILE, GOALS))
    if goals is None:
        goals = pd.DataFrame(columns=["Código", "Año", "Meta"])
    lookup = goal_lookup(goals)  # once: one pass over «Metas» instead of two per indicator (0,2 s per section)
    table["Meta año"] = [goal(lookup, c, year) for c in table["Código"]]
    table["Meta año siguiente"] = [goal(lookup, c, year + 1) for c in table["Código"]]
    return table


def decimals(row: pd.Series) -> int:
    """Decimals an indicator's values are printed with: «Decimales», else 2 if any value has decimals, else 0."""
    declared = row.get("Decimales")
    if declared is not None and not pd.isna(declared):
        return int(declared)
    values = [row.get(c) for c in ("Meta del plan", "Logro año", "Acumulado", "Meta año", "Meta año siguiente")]
    return 2 if any(v is not None and not pd.isna(v) and float(v) % 1 for v in values) else 0


# --------------------------------------------------------------------------
# Checks of the plan's own declarations
# --------------------------------------------------------------------------

@dataclass(frozen=True)
class Finding:
    """A problem in the plan workbook, located by sheet, Excel row and column."""

    sheet: str
    row: int | None
    column: str
    message: str
    severity: str = ERROR


def period_findings(frames, year: int | None) -> list[Finding]:
    """Exactly one «Plan» row; last year ≥ first year; the report year inside the period."""
    sheet = frames[(PLAN_FILE, PLAN_SHEET)]
    if len(sheet) != 1:
        return [Finding(PLAN_SHEET, None, "",
                        f"la hoja debe tener exactamente una fila (el plan vigente); tiene {len(sheet)}")]
    row_number = int(sheet.index[0])
    info = plan_info(frames)
    assert info is not None, "plan_info is None only without the sheet or without exactly one row, both handled above"
    found = []
    if info.last_year < info.first_year:
        found.append(Finding(PLAN_SHEET, row_number, "Último año",
                             f"el último año ({info.last_year}) es anterior al primero ({info.first_year})"))
    elif year is not None and not info.first_year <= year <= info.last_year:
        found.append(Finding(PLAN_SHEET, row_number, "Primer año",
                             f"el año del informe ({year}) está fuera del periodo del plan {info.period}; "
                             "registre el plan vigente en ese año"))
    return found


def goal_findings(frames, year: int | None = None) -> list[Finding]:
    """Every goal names a known indicator, a year of the plan, once; with the report's ``year``, no goal of an
    indicator stands in the wrong year (see :func:`year_findings`)."""
    goals = frames[(PLAN_FILE, GOALS)]
    codes = {normalise_code(c) for c in frames[(PLAN_FILE, INDICATORS)]["Código"]}
    info = plan_info(frames)
    found, seen = [], set()
    for row, item in goals.iterrows():
        code = normalise_code(item["Código"])
        if code not in codes:
            found.append(Finding(GOALS, int(row), "Código", f"«{code}» no es el código de ningún indicador de la hoja "
                                 "«Indicadores»"))
        if info is not None and not info.first_year <= int(item["Año"]) <= info.last_year:
            found.append(Finding(GOALS, int(row), "Año", f"el año {int(item['Año'])} está fuera del periodo del plan "
                                 f"{info.period}"))
        if (code, int(item["Año"])) in seen:
            found.append(Finding(GOALS, int(row), "Año", f"la meta de {code} para {int(item['Año'])} está repetida"))
        seen.add((code, int(item["Año"])))
    return found + (year_findings(goals, info, year) if year is not None else [])


def year_findings(goals: pd.DataFrame, info: PlanInfo | None, year: int) -> list[Finding]:
    """Goals typed in the wrong year: errors naming the row.

    * an indicator without a goal for the report year but with one for an earlier year: that row is probably
      the year's goal typed with another year (the year's goal and compliance would print blank);
    * no goal at all for next year while the plan goes on (the report publishes next year's goals): the
      sheet is probably last year's, pasted with its years.
    """
    found = []
    years_of: dict[str, dict[int, int]] = {}
    for row, item in goals.iterrows():
        years_of.setdefault(normalise_code(item["Código"]), {}).setdefault(int(item["Año"]), int(row))
    for code, rows in years_of.items():
        earlier = [y for y in rows if y < year]
        if year not in rows and earlier:
            latest = max(earlier)
            found.append(Finding(GOALS, rows[latest], "Año",
                                 f"{code} no tiene meta para {year} (el año del informe) y esta fila es de {latest}: "
                                 f"si es la meta de {year}, corrija el año; sin ella la meta y el cumplimiento de "
                                 f"{year} quedan en blanco"))
    if info is not None and year + 1 <= info.last_year and len(goals) and not (goals["Año"] == year + 1).any():
        present = ", ".join(str(int(y)) for y in sorted(goals["Año"].unique()))
        first = int(goals.index[goals["Año"] == goals["Año"].max()][0])
        found.append(Finding(GOALS, first, "Año",
                             f"ninguna meta es de {year + 1}, el año siguiente del plan {info.period}, que el informe "
                             f"publica; los años de la hoja son {present}: ¿es la hoja del año pasado? corrija los "
                             "años"))
    return found


# How far an indicator's value may stray from the rest of its history before it is taken for a unit error.
UNIT_JUMP = 50


def unit_findings(frames, year: int | None = None) -> list[Finding]:
    """An indicator value that strays from the indicator's own history by a factor of about 100, 1 000 or
    1 000 000 (a goal typed 1,4 for 140, a percentage typed 0,35 for 35): a warning naming the cell, the
    values it was compared with and the value the factor gives.

    Compared: each goal of «Metas» and the year's achievement, against the median of the indicator's goals
    (those of the other years and the plan's); the message lists every other figure of the indicator.
    """
    table = frames[(PLAN_FILE, INDICATORS)]
    goals = frames.get((PLAN_FILE, GOALS))
    goal_rows: dict[str, list[tuple[int, int, float]]] = {}
    if goals is not None:
        for row, item in goals.iterrows():
            if not pd.isna(item["Meta"]):
                goal_rows.setdefault(normalise_code(item["Código"]), []).append(
                    (int(row), int(item["Año"]), float(item["Meta"])))
    found = []
    for row, item in table.iterrows():
        code = normalise_code(item["Código"])
        figures = [(f"meta {y}", GOALS, r, "Meta", v) for r, y, v in goal_rows.get(code, [])]
        figures += [(label, INDICATORS, int(row), column, float(item[column]))
                    for label, column in (("logro del año", "Logro año"), ("meta del plan", "Meta del plan"),
                                          ("acumulado", "Acumulado")) if not pd.isna(item[column])]
        for label, sheet, cell_row, column, value in figures:
            if column not in ("Meta", "Logro año") or value <= 0:
                continue
            # Compared with the indicator's goals (its other yearly goals and the plan's goal), which are typed
            # once and rarely change: an achievement and a cumulative typed in the same wrong unit then blame
            # themselves, not the goals. The yearly goals give the factor (the plan's goal spans several years).
            goals = [(lab, v) for lab, _s, _r, c, v in figures
                     if lab != label and v > 0 and c in ("Meta", "Meta del plan")]
            yearly = [v for lab, _s, _r, c, v in figures if lab != label and v > 0 and c == "Meta"]
            if not goals:
                continue
            ratio = float(pd.Series([v for _lab, v in goals]).median()) / value
            yearly_ratio = float(pd.Series(yearly).median()) / value if yearly else ratio
            if any(1 / UNIT_JUMP < r < UNIT_JUMP for r in (ratio, yearly_ratio)) or (ratio > 1) != (yearly_ratio > 1):
                continue
            ratio = yearly_ratio
            others = [(lab, v) for lab, _s, _r, _c, v in figures if lab != label]
            factor = nearest_factor(ratio)
            fixed = value * factor if ratio > 1 else value / factor
            sign = "×" if ratio > 1 else "÷"
            compared = "; ".join(f"{lab}: {format_es(v)}" for lab, v in others)
            found.append(Finding(sheet, cell_row, column,
                                 f"probable error de unidad: {label} de {code} {format_es(value)} es unas "
                                 f"{format_es(round(max(ratio, 1 / ratio)))} "
                                 f"veces {'menor' if ratio > 1 else 'mayor'} que sus otras cifras ({compared}); "
                                 f"{sign} {format_es(factor)} quedaría {format_es(fixed)}. "
                                 "Revise la unidad de la celda",
                                 WARNING))
    return found


def headline_findings(frames) -> list[Finding]:
    """A headline indicator has a label, a sentence with {valor} and an order used once."""
    table = frames[(PLAN_FILE, INDICATORS)]
    found: list[Finding] = []
    orders: dict[int, object] = {}
    for row, item in table.iterrows():
        order = item["Orden en resumen"]
        if pd.isna(order):
            continue
        if int(order) in orders:
            found.append(Finding(INDICATORS, int(row), "Orden en resumen",
                                 f"el orden {int(order)} ya lo usa {orders[int(order)]}"))
        orders[int(order)] = item["Código"]
        if pd.isna(item["Cifra en resumen"]):
            found.append(Finding(INDICATORS, int(row), "Cifra en resumen",
                                 "falta el rótulo de la cifra principal (tiene «Orden en resumen»)"))
        sentence = item["Frase en resumen"]
        if not pd.isna(sentence) and "{valor}" not in str(sentence):
            found.append(Finding(INDICATORS, int(row), "Frase en resumen",
                                 "la frase debe contener {valor}, donde va el logro del año"))
    return found


def _sheet_spec(filename: str, sheet: str):
    for wb in CONTRACT:
        if wb.filename == filename:
            for s in wb.sheets:
                if s.name == sheet and s.name != CATALOG_SHEET:
                    return s
    return None


def declaration_findings(frames, row: int, item: pd.Series) -> list[Finding]:
    """The referenced workbook, sheet, column and value of one «Conciliaciones» row must exist."""
    filename, sheet_name, measure = item["Libro"], item["Hoja"], item["Medida"]
    at = lambda column, message: Finding(RECONCILIATIONS, row, column, message)  # noqa: E731
    books = [wb.filename for wb in CONTRACT if wb.filename != PLAN_FILE]
    if filename not in books:
        return [at("Libro", f"«{filename}» no es un libro del contrato; use uno de: {', '.join(books)}")]
    spec = _sheet_spec(filename, sheet_name)
    if spec is None:
        names = [s.name for wb in CONTRACT if wb.filename == filename for s in wb.sheets if s.name != CATALOG_SHEET]
        return [at("Hoja", f"{filename} no tiene la hoja «{sheet_name}»; use una de: {', '.join(names)}")]
    column, value = item["Columna"], item["Valor"]
    if measure == "Filas":
        return []
    if pd.isna(column):
        return [at("Columna", f"la medida «{measure}» necesita una columna de «{sheet_name}»")]
    if column not in spec.headers:
        return [at("Columna", f"la hoja «{sheet_name}» de {filename} no tiene la columna «{column}»; columnas: "
                   + ", ".join(spec.headers))]
    kind = spec.column(column).kind
    if measure == "Suma" and kind == "text":
        return [at("Columna", f"«{column}» es una columna de texto; no se puede sumar")]
    if measure == "Filas con valor":
        if pd.isna(value):
            return [at("Valor", "la medida «Filas con valor» necesita el valor que se cuenta")]
        allowed = _allowed(frames, filename, spec.column(column))
        if allowed is not None and value not in allowed:
            return [at("Valor", f"«{value}» no es un valor posible de «{column}»; valores: {', '.join(allowed)}")]
    return []


def _allowed(frames, filename: str, column) -> tuple[str, ...] | None:
    if column.allowed is not None:
        return column.allowed
    if column.catalog:
        catalog = frames.get((filename, CATALOG_SHEET))
        if catalog is not None and column.catalog in catalog:
            return tuple(str(v) for v in catalog[column.catalog].dropna())
    return None


@dataclass(frozen=True)
class Reconciliation:
    """One computed reconciliation: detail total against the indicator's achievement."""

    code: str
    name: str
    label: str
    detail: float
    achievement: float
    filename: str
    sheet: str
    column: str
    decimals: int
    row: int  # Excel row of the indicator in «Indicadores»
    declaration_row: int  # Excel row in «Conciliaciones»


def reconcile(frames, only: tuple[str, str] | None = None) -> tuple[list[Reconciliation], list[Finding]]:
    """Compute every declared reconciliation; one that cannot be computed is an error, never a skip.

    ``only`` (workbook, sheet): just the declarations whose detail is that sheet — no other detail sheet is read
    (a section that explains one table must not depend on every sheet the plan reconciles)."""
    indicators = frames[(PLAN_FILE, INDICATORS)]
    by_code = {normalise_code(c): (int(r), item) for (r, item), c in
               zip(indicators.iterrows(), indicators["Código"])}
    done, found = [], []
    for row, item in frames[(PLAN_FILE, RECONCILIATIONS)].iterrows():
        if only is not None and (item["Libro"], item["Hoja"]) != only:
            continue
        row = int(row)
        code = normalise_code(item["Código"])
        if code not in by_code:
            found.append(Finding(RECONCILIATIONS, row, "Código", f"«{code}» no es el código de ningún indicador de la "
                                 "hoja «Indicadores»; la conciliación no se puede calcular"))
            continue
        problems = declaration_findings(frames, row, item)
        if problems:
            found += problems
            continue
        detail = frames.get((item["Libro"], item["Hoja"]))
        if detail is None:  # the detail sheet has cell errors, already reported: validation fails anyway
            continue
        column = None if pd.isna(item["Columna"]) else item["Columna"]
        scale = 1.0 if pd.isna(item["Escala"]) else float(item["Escala"])
        if item["Medida"] == "Suma":
            total = math.fsum(float(v) for v in detail[column].dropna()) * scale
        elif item["Medida"] == "Filas con valor":
            total = float((detail[column] == item["Valor"]).sum()) * scale
        else:
            total = float(len(detail)) * scale
        indicator_row, indicator = by_code[code]
        done.append(Reconciliation(code, str(indicator["Indicador"]), str(item["Detalle"]), round(total, 4),
                                   float(indicator["Logro año"]), item["Libro"], item["Hoja"],
                                   "" if column is None else column,  # never None for «Suma»: declaration_findings
                                   2 if item["Medida"] == "Suma" else 0, indicator_row, row))
    return done, found

