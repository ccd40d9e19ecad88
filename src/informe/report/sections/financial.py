"""Financial statements with computed variations, budget execution and financial indicators."""

from __future__ import annotations

import re

import pandas as pd

from ...data import finance
from .. import trace
from ..display import COP, PLAIN, Format, Table, cop_millions, number, percent
from ..report import YearReport

F = "estados_financieros.xlsx"


def _depth(statement: pd.DataFrame) -> pd.Series:
    parents = dict(zip(statement["Código"], statement["Código padre"]))

    def depth(code):
        level = 0
        while isinstance(parents.get(code), str) and level < 10:
            code, level = parents[code], level + 1
        return level

    return statement["Código"].map(depth)


def statement_frame(report: YearReport, sheet: str) -> pd.DataFrame:
    """A statement in published order with computed Var $ and Var % (never the published ones)."""
    statement = report.frame(F, sheet)
    label = finance.label_column(statement)
    out = pd.DataFrame({
        label: statement[label].values,
        "Nivel": _depth(statement).values,
        "Nota": statement["Nota"].values if "Nota" in statement else None,
        str(report.year): statement[finance.CURRENT].values,
        str(report.year - 1): statement[finance.PRIOR].values,
    })
    variations = finance.variations(statement)
    out["Var $"] = variations["Var $"].values
    out["Var %"] = variations["Var %"].values
    current, prior = trace.column(statement, finance.CURRENT), trace.column(statement, finance.PRIOR)
    if "Nota" in statement:
        trace.attach(out, "Nota", trace.column(statement, "Nota"))
    trace.attach(out, str(report.year), current)
    trace.attach(out, str(report.year - 1), prior)
    trace.attach(out, "Var $", [trace.combine(f"calculado: {report.year} − {report.year - 1}", pair)
                                for pair in zip(current, prior)])
    trace.attach(out, "Var %", [trace.combine(f"calculado: ({report.year} − {report.year - 1}) ÷ {report.year - 1}"
                                              " × 100", pair) for pair in zip(current, prior)])
    return out


TOTAL_WORD = re.compile(r"^\s*total(?:es)?\s+", re.IGNORECASE)


def statement_headings(statement: pd.DataFrame) -> dict[int, str]:
    """Heading rows of a statement with several sections (top-level lines, «Código padre» empty: assets,
    liabilities and equity, memorandum accounts): before the first line of each section — or of a direct
    part of one — whose total is printed after its lines, the total's name without «TOTAL»
    («TOTAL ACTIVOS» → «ACTIVOS», «TOTAL PASIVO» → «PASIVO»). A line printed before its own lines
    (PATRIMONIO, the memorandum accounts) already heads them. A statement with one top-level line (its
    result) gets none. Nothing here names an account: the hierarchy and the order of the data decide."""
    codes = statement["Código"].tolist()
    parents = dict(zip(codes, statement["Código padre"]))
    label = finance.label_column(statement)
    names = dict(zip(codes, statement[label]))
    roots = [c for c in codes if not isinstance(parents.get(c), str)]
    if len(roots) < 2:
        return {}
    children: dict = {}
    for code, parent in parents.items():
        if isinstance(parent, str):
            children.setdefault(parent, []).append(code)
    position = {code: i for i, code in enumerate(codes)}

    def descendants(code, seen=()):
        out = []
        for child in children.get(code, []):
            if child not in seen:
                out += [child, *descendants(child, (*seen, code))]
        return out

    headings: dict[int, str] = {}
    candidates = [*roots, *(child for root in roots for child in children.get(root, []))]  # outer first
    for code in candidates:
        below = [position[d] for d in descendants(code) if d in position]
        if below and max(below) < position[code]:
            headings[min(below)] = TOTAL_WORD.sub("", str(names[code])).strip() or str(names[code])
    return headings


def statement_table(report: YearReport, sheet: str, title: str) -> Table:
    data = statement_frame(report, sheet)
    statement = report.frame(F, sheet)
    has_children = set(statement["Código padre"].dropna())
    codes = statement["Código"].tolist()
    bold = tuple(i for i, code in enumerate(codes) if code in has_children)
    shown = data.drop(columns=["Nivel"] + ([] if data["Nota"].notna().any() else ["Nota"]))
    money = {c: COP for c in (str(report.year), str(report.year - 1), "Var $")}
    return Table(shown, title, formats={**money, "Var %": percent(1)}, bold_rows=bold,
                 indent=[max(level - 1, 0) for level in data["Nivel"]], headings=statement_headings(statement),
                 note="Cifras en pesos colombianos. Var $ y Var % calculadas a partir de los saldos de ambos años.")


def equity_table(report: YearReport) -> Table:
    """Statement of changes in equity with totals computed from the components."""
    equity = report.frame(F, "Cambios en el patrimonio").sort_values("Orden")
    components = list(finance.EQUITY_COMPONENTS)
    data = equity[["Periodo", "Concepto", *components]].copy()
    data["Total"] = data[components].sum(axis=1)
    trace.attach(data, "Total", [trace.combine("calculado: suma de los componentes de la fila",
                                               [trace.cell(equity, row, c) for c in components]) for row in data.index])
    bold = tuple(i for i, kind in enumerate(equity["Tipo de fila"]) if kind != "Movimiento")
    periods = data["Periodo"].tolist()
    # The period heads its rows instead of a column of its own: the five amounts need the width (bold
    # balances side by side ran together when a period column squeezed them).
    headings = {i: f"Periodo {period}" for i, period in enumerate(periods) if i == 0 or periods[i - 1] != period}
    return Table(data, "Estado de cambios en el patrimonio",
                 formats={c: COP for c in [*components, "Total"]} | {"Periodo": PLAIN}, bold_rows=bold,
                 headings=headings, hidden=("Periodo",),
                 note="El total de cada fila se calcula como la suma de sus componentes.")


def budget_table(report: YearReport) -> Table:
    budget = report.frame(F, "Ejecución presupuestal")
    data = budget[["Rubro", "Presupuesto inicial", "Adiciones", "Reducciones", "Presupuesto definitivo",
                   "Ejecución"]].copy()
    data["Ejecución (%)"] = data["Ejecución"] / data["Presupuesto definitivo"] * 100
    trace.attach(data, "Ejecución (%)", [trace.combine("calculado: ejecución ÷ presupuesto definitivo × 100", [
        trace.cell(budget, row, "Ejecución"), trace.cell(budget, row, "Presupuesto definitivo")])
        for row in data.index])
    bold = tuple(i for i, parent in enumerate(budget["Código padre"]) if pd.isna(parent))
    money = {c: COP for c in data.columns[1:6]}
    return Table(data, f"Ejecución presupuestal de ingresos y gastos {report.year}",
                 formats={**money, "Ejecución (%)": percent(1)}, bold_rows=bold,
                 note="Ejecución: recaudos para los ingresos y ejecución presupuestal para los gastos.")


FORMULAS = {
    "Liquidez": "Activo corriente / pasivo corriente",
    "Capital de trabajo": "Activo corriente − pasivo corriente",
    "Nivel de endeudamiento": "Pasivo total / activo total",
    "Razón de efectivo": "Efectivo / pasivo corriente",
}


ROLES = {  # the balance-sheet lines (by role) each indicator is computed from
    "Liquidez": ("activo_corriente", "pasivo_corriente"),
    "Capital de trabajo": ("activo_corriente", "pasivo_corriente"),
    "Nivel de endeudamiento": ("pasivo_total", "activo_total"),
    "Razón de efectivo": ("efectivo", "pasivo_corriente"),
}


def line_source(statement: pd.DataFrame, role: str, column: str = finance.CURRENT,
                how: str = "") -> trace.Source | None:
    """The cell of the statement's line with ``role`` (:func:`informe.data.finance.line`)."""
    rows = statement.index[statement["Rol"] == role]
    return trace.cell(statement, rows[0], column, how or f"línea con el rol «{role}»") if len(rows) == 1 else None


def indicators(report: YearReport) -> pd.DataFrame:
    """The four financial indicators for the year and the year before, computed from the balance sheet."""
    balance = report.frame(F, "Situación financiera")
    current = finance.financial_indicators(balance, finance.CURRENT)
    prior = finance.financial_indicators(balance, finance.PRIOR)
    out = pd.DataFrame({"Indicador": list(current), "Fórmula": [FORMULAS[k] for k in current],
                        str(report.year): list(current.values()), str(report.year - 1): list(prior.values())})
    for year, column in ((report.year, finance.CURRENT), (report.year - 1, finance.PRIOR)):
        trace.attach(out, str(year), [trace.combine(f"calculado: {FORMULAS[name].lower()} (roles "
                                                    + " y ".join(f"«{r}»" for r in ROLES[name]) + ")",
                                                    [line_source(balance, r, column) for r in ROLES[name]])
                                      for name in current])
    return out


def indicator_format(name: str) -> Format:
    """How a financial indicator reads: working capital in millions of pesos (as published), the rest as ratios."""
    return cop_millions(2) if name == "Capital de trabajo" else number(2)


def indicator_text(name: str, value: float) -> str:
    """One financial indicator as the report prints it, the same in the table and in the text:
    working capital in millions of pesos (as published), every other indicator as a ratio."""
    return indicator_format(name)(value)


def indicators_table(report: YearReport) -> Table:
    data = indicators(report)
    formats = [indicator_format(n) for n in data["Indicador"]]
    return Table(data, "Indicadores financieros", formats={str(report.year): formats, str(report.year - 1): formats})


def indicator_sentences(report: YearReport) -> list[str]:
    """One plain-language sentence per indicator, as the published report explains them."""
    data = indicators(report)
    t = {n: indicator_text(n, v) for n, v in zip(data["Indicador"], data[str(report.year)])}
    return [
        f"**Liquidez {t['Liquidez']}**: {t['Liquidez']} pesos de activo corriente por cada peso de pasivo corriente.",
        f"**Capital de trabajo {t['Capital de trabajo']}**: activo corriente que queda tras cancelar el pasivo "
        "corriente.",
        f"**Nivel de endeudamiento {t['Nivel de endeudamiento']}**: por cada peso de activo la entidad "
        f"debe {t['Nivel de endeudamiento']} pesos.",
        f"**Razón de efectivo {t['Razón de efectivo']}**: {t['Razón de efectivo']} pesos de disponibilidad inmediata "
        "por cada peso de pasivo corriente.",
    ]
