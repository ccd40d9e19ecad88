"""Computations on the financial statements: lines by role, subtotals, variations, indicators.

Statements are DataFrames as validated against the contract (columns ``Código``,
``Código padre``, ``Signo``, ``Rol``, ``Año actual``, ``Año anterior``...).
"""

from __future__ import annotations

import pandas as pd

from .contract import FINANCIAL, ROLE_SHEETS
from .problems import Problem

CURRENT, PRIOR = "Año actual", "Año anterior"
YEARS = (CURRENT, PRIOR)

# The roles each statement must mark exactly once: the lines the checks, the indicators and the
# report read (``line`` refuses a missing or repeated role instead of guessing). Declared once, in
# the contract (``ROLE_SHEETS``: role → statement).
REQUIRED_ROLES: dict[tuple[str, str], tuple[str, ...]] = {}
for _role, _sheet in ROLE_SHEETS.items():
    REQUIRED_ROLES.setdefault((FINANCIAL.filename, _sheet), ())
    REQUIRED_ROLES[(FINANCIAL.filename, _sheet)] += (_role,)
ROLE_COLUMN = "Rol"


def role_problems(file: str, sheet: str, statement: pd.DataFrame) -> list[Problem]:
    """Every required role missing from ``statement`` and every role marked on more than one line."""
    if ROLE_COLUMN not in statement.columns:
        return []
    problems = []
    roles = statement[ROLE_COLUMN]
    for role in REQUIRED_ROLES.get((file, sheet), ()):
        if not (roles == role).any():
            problems.append(Problem(file, sheet, None, ROLE_COLUMN,
                                    f"ninguna línea tiene el rol «{role}», que el informe necesita; "
                                    "márquelo en la columna «Rol» de la línea que corresponde"))
    rows_by_role: dict[str, list[int]] = {}
    for row, role in roles.dropna().items():
        rows_by_role.setdefault(role, []).append(int(row))
    for role, rows in rows_by_role.items():
        if len(rows) < 2:
            continue
        listed = ", ".join(map(str, rows[:-1])) + f" y {rows[-1]}"
        for row in rows:
            problems.append(Problem(file, sheet, row, ROLE_COLUMN,
                                    f"el rol «{role}» está en las filas {listed}; cada rol va en una sola línea"))
    return problems


def label_column(statement: pd.DataFrame) -> str:
    """The column holding the line names: «Cuenta» in the statements, «Concepto» in the cash flow,
    «Rubro» in the budget (whatever the column order in the workbook)."""
    for name in ("Cuenta", "Concepto", "Rubro"):
        if name in statement.columns:
            return name
    raise KeyError("el estado no tiene columna Cuenta, Concepto ni Rubro")


def signed(statement: pd.DataFrame, column: str) -> pd.Series:
    """The column with each line's sign in its parent applied (``-`` lines negated)."""
    sign = statement["Signo"].map({"+": 1, "-": -1})
    return statement[column] * sign


def children_totals(statement: pd.DataFrame, column: str) -> pd.Series:
    """Signed sum of each parent's children, indexed by the parent's ``Código``."""
    with_parent = statement[statement["Código padre"].notna()]
    return signed(with_parent, column).groupby(with_parent["Código padre"]).sum()


def subtotal_differences(statement: pd.DataFrame, column: str) -> pd.DataFrame:
    """Every line that has children: its value, the sum of its children and the difference.

    The index is the Excel row of the parent line.
    """
    sums = children_totals(statement, column)
    parents = statement[statement["Código"].isin(sums.index)]
    result = pd.DataFrame(
        {
            "Código": parents["Código"],
            "Línea": parents[label_column(statement)],
            "Publicado": parents[column],
            "Suma de líneas": parents["Código"].map(sums),
        }
    )
    result["Diferencia"] = result["Publicado"] - result["Suma de líneas"]
    return result


def orphan_parents(statement: pd.DataFrame) -> pd.DataFrame:
    """Lines whose ``Código padre`` names no line of the statement."""
    known = set(statement["Código"])
    has_parent = statement["Código padre"].notna()
    return statement[has_parent & ~statement["Código padre"].isin(known)]


def line(statement: pd.DataFrame, role: str, column: str = CURRENT) -> float:
    """Value of the line marked with ``role``; KeyError naming the role if absent, ValueError if repeated
    or empty (never a silent NaN or the first of two lines)."""
    rows = statement[statement["Rol"] == role]
    if rows.empty:
        raise KeyError(f"ninguna línea tiene el rol «{role}»")
    if len(rows) > 1:
        raise ValueError(f"el rol «{role}» está en varias líneas (filas {', '.join(map(str, rows.index))})")
    value = rows[column].iloc[0]
    if pd.isna(value):
        raise ValueError(f"la línea con el rol «{role}» no tiene valor en «{column}»")
    return float(value)


def variations(statement: pd.DataFrame) -> pd.DataFrame:
    """Var $ and Var % computed from the two year columns.

    Var % is in percent, over the prior-year value with its sign, as the
    published statements compute it; NaN when the prior year is 0.
    """
    var = statement[CURRENT] - statement[PRIOR]
    base = statement[PRIOR].where(statement[PRIOR] != 0)
    return pd.DataFrame({"Var $": var, "Var %": var / base * 100}, index=statement.index)


def financial_indicators(balance: pd.DataFrame, column: str = CURRENT) -> dict[str, float]:
    """Liquidity, working capital, debt ratio and cash ratio from the balance sheet.

    Working capital is in pesos; the others are ratios.
    """
    current_assets = line(balance, "activo_corriente", column)
    current_liabilities = line(balance, "pasivo_corriente", column)
    return {
        "Liquidez": current_assets / current_liabilities,
        "Capital de trabajo": current_assets - current_liabilities,
        "Nivel de endeudamiento": line(balance, "pasivo_total", column) / line(balance, "activo_total", column),
        "Razón de efectivo": line(balance, "efectivo", column) / current_liabilities,
    }


EQUITY_COMPONENTS = {
    "Capital fiscal": "capital_fiscal",
    "Resultados de ejercicios anteriores": "resultados_anteriores",
    "Reservas": "reservas",
    "Resultado del ejercicio": "resultado_ejercicio",
}


def equity_rollforward(equity: pd.DataFrame) -> pd.DataFrame:
    """For each period and component: opening balance, movements, computed and published closing.

    The opening balance of a period without a "Saldo inicial" row is the
    closing balance of the previous period.
    """
    rows = []
    closing_by_period: dict[int, pd.Series] = {}
    for period, block in equity.sort_values("Orden").groupby("Periodo", sort=True):
        opening_rows = block[block["Tipo de fila"] == "Saldo inicial"]
        closing_rows = block[block["Tipo de fila"] == "Saldo final"]
        moves = block[block["Tipo de fila"] == "Movimiento"]
        for component in EQUITY_COMPONENTS:
            if not opening_rows.empty:
                opening = float(opening_rows[component].iloc[0])
            elif period - 1 in closing_by_period:
                opening = float(closing_by_period[period - 1][component])
            else:
                continue
            if closing_rows.empty:
                continue
            rows.append(
                {
                    "Periodo": period,
                    "Componente": component,
                    "Saldo inicial": opening,
                    "Movimientos": float(moves[component].sum()),
                    "Saldo final calculado": opening + float(moves[component].sum()),
                    "Saldo final publicado": float(closing_rows[component].iloc[0]),
                    "fila": int(closing_rows.index[0]),
                }
            )
        if not closing_rows.empty:
            closing_by_period[period] = closing_rows.iloc[0]
    result = pd.DataFrame(rows)
    if not result.empty:
        result["Diferencia"] = result["Saldo final publicado"] - result["Saldo final calculado"]
    return result


def equity_closing(equity: pd.DataFrame, period: int) -> pd.Series | None:
    """The "Saldo final" row of ``period``, or None."""
    rows = equity[(equity["Periodo"] == period) & (equity["Tipo de fila"] == "Saldo final")]
    return None if rows.empty else rows.iloc[0]
