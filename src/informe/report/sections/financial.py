"""Financial statements with computed variations, budget execution and financial indicators."""

from __future__ import annotations

import pandas as pd

from ...data import finance
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
    return out


def statement_table(report: YearReport, sheet: str, title: str) -> Table:
    data = statement_frame(report, sheet)
    label = data.columns[0]
    has_children = set(report.frame(F, sheet)["Código padre"].dropna())
    codes = report.frame(F, sheet)["Código"].tolist()
    bold = tuple(i for i, code in enumerate(codes) if code in has_children)
    shown = data.drop(columns=["Nivel"] + ([] if data["Nota"].notna().any() else ["Nota"]))
    money = {c: COP for c in (str(report.year), str(report.year - 1), "Var $")}
    return Table(shown, title, formats={**money, "Var %": percent(1)}, bold_rows=bold,
                 indent=[max(level - 1, 0) for level in data["Nivel"]],
                 note="Cifras en pesos colombianos. Var $ y Var % calculadas a partir de los saldos de ambos años.")


def equity_table(report: YearReport) -> Table:
    """Statement of changes in equity with totals computed from the components."""
    equity = report.frame(F, "Cambios en el patrimonio").sort_values("Orden")
    components = list(finance.EQUITY_COMPONENTS)
    data = equity[["Periodo", "Concepto", *components]].copy()
    data["Total"] = data[components].sum(axis=1)
    bold = tuple(i for i, kind in enumerate(equity["Tipo de fila"]) if kind != "Movimiento")
    return Table(data.reset_index(drop=True), "Estado de cambios en el patrimonio",
                 formats={c: COP for c in [*components, "Total"]} | {"Periodo": PLAIN}, bold_rows=bold,
                 note="El total de cada fila se calcula como la suma de sus componentes.")


def budget_table(report: YearReport) -> Table:
    budget = report.frame(F, "Ejecución presupuestal")
    data = budget[["Rubro", "Presupuesto inicial", "Adiciones", "Reducciones", "Presupuesto definitivo",
                   "Ejecución"]].copy()
    data["Ejecución (%)"] = data["Ejecución"] / data["Presupuesto definitivo"] * 100
    bold = tuple(i for i, parent in enumerate(budget["Código padre"]) if pd.isna(parent))
    money = {c: COP for c in data.columns[1:6]}
    return Table(data.reset_index(drop=True), f"Ejecución presupuestal de ingresos y gastos {report.year}",
                 formats={**money, "Ejecución (%)": percent(1)}, bold_rows=bold,
                 note="Ejecución: recaudos para los ingresos y ejecución presupuestal para los gastos.")


FORMULAS = {
    "Liquidez": "Activo corriente / pasivo corriente",
    "Capital de trabajo": "Activo corriente − pasivo corriente",
    "Nivel de endeudamiento": "Pasivo total / activo total",
    "Razón de efectivo": "Efectivo / pasivo corriente",
}


def indicators(report: YearReport) -> pd.DataFrame:
    """The four financial indicators for the year and the year before, computed from the balance sheet."""
    balance = report.frame(F, "Situación financiera")
    current = finance.financial_indicators(balance, finance.CURRENT)
    prior = finance.financial_indicators(balance, finance.PRIOR)
    return pd.DataFrame({"Indicador": list(current), "Fórmula": [FORMULAS[k] for k in current],
                         str(report.year): list(current.values()), str(report.year - 1): list(prior.values())})


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
        f"**Liquidez {t['Liquidez']}**: por cada peso que la entidad debe en el pasivo corriente "
        f"cuenta con {t['Liquidez']} pesos de respaldo en el activo corriente.",
        f"**Capital de trabajo {t['Capital de trabajo']}**: excedente de los activos corrientes una vez "
        "cancelados los pasivos corrientes.",
        f"**Nivel de endeudamiento {t['Nivel de endeudamiento']}**: por cada peso de activo la entidad "
        f"debe {t['Nivel de endeudamiento']} pesos.",
        f"**Razón de efectivo {t['Razón de efectivo']}**: por cada peso que la entidad debe en el pasivo "
        f"corriente cuenta con {t['Razón de efectivo']} pesos de disponibilidad inmediata.",
    ]
