"""Financial statements with computed variations, budget execution and financial indicators."""

from __future__ import annotations

import pandas as pd

from ...data import finance
from ..display import COP, PLAIN, Table, number, percent
from ...fmt import format_cop, format_ratio
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


# How each indicator reads: pesos, a percentage (the ratio times 100) or a ratio with two decimals.
INDICATOR_FORMATS = {"Capital de trabajo": (COP, 1), "Nivel de endeudamiento": (percent(1), 100)}


def indicators_table(report: YearReport) -> Table:
    data = indicators(report)
    shown = data.copy()
    formats, scales = zip(*(INDICATOR_FORMATS.get(n, (number(2), 1)) for n in data["Indicador"]))
    for column in (str(report.year), str(report.year - 1)):
        shown[column] = [v * scale for v, scale in zip(data[column], scales)]
    return Table(shown, "Indicadores financieros", formats={str(report.year): list(formats),
                                                            str(report.year - 1): list(formats)})


def indicator_sentences(report: YearReport) -> list[str]:
    """One plain-language sentence per indicator, as the published report explains them."""
    v = dict(zip(indicators(report)["Indicador"], indicators(report)[str(report.year)]))
    return [
        f"**Liquidez {format_ratio(v['Liquidez'])}**: por cada peso que la entidad debe en el pasivo corriente "
        f"cuenta con {format_ratio(v['Liquidez'])} pesos de respaldo en el activo corriente.",
        f"**Capital de trabajo {format_cop(v['Capital de trabajo'])}**: excedente de los activos corrientes una vez "
        "cancelados los pasivos corrientes.",
        f"**Nivel de endeudamiento {format_ratio(v['Nivel de endeudamiento'])}**: por cada peso de activo la entidad "
        f"debe {format_ratio(v['Nivel de endeudamiento'])} pesos.",
        f"**Razón de efectivo {format_ratio(v['Razón de efectivo'])}**: por cada peso que la entidad debe en el pasivo "
        f"corriente cuenta con {format_ratio(v['Razón de efectivo'])} pesos de disponibilidad inmediata.",
    ]
