"""Cross-sheet, accounting and reconciliation checks.

Each check is a small function taking the validated frames of one year
(``{(file, sheet): DataFrame}``) and returning :class:`CheckResult` rows:
both sides of the comparison, the difference, a tolerance and a severity.

Severity policy
---------------
* Identities between independent inputs (assets = liabilities + equity, the
  cash flow's closing cash = the balance sheet's cash, detail sums = printed
  totals) are errors beyond the tolerance (1 peso by default) and warnings
  within it (rounding).
* Figures the report derives and therefore recomputes (published Var $, Var %,
  percentages, financial indicators, equity-statement totals) are warnings:
  the report shows the computed value and the annex lists the discrepancy.
* A detail below the indicator it supports is a warning (the report may name
  only part of what it counts); a detail above the indicator is an error.
* A reference to a code that does not exist (a tactical objective's strategic
  objective, a key result's tactical objective or plan indicator) is an error.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from ..fmt import format_number
from . import finance, plan, strategy
from .contract import ROLE_SHEETS
from .numbers import UNIT_FACTORS
from .problems import ERROR, WARNING, Problem

OK = "ok"
Frames = dict[tuple[str, str], pd.DataFrame]

FS = "estados_financieros.xlsx"
BALANCE, INCOME, CASH, EQUITY, BUDGET, PUBLISHED = (
    "Situación financiera",
    "Resultados",
    "Flujo de efectivo",
    "Cambios en el patrimonio",
    "Ejecución presupuestal",
    "Indicadores publicados",
)


@dataclass(frozen=True)
class CheckResult:
    """One comparison: ``left`` should equal ``right`` within ``tolerance``."""

    check: str
    description: str
    left_label: str
    left: float
    right_label: str
    right: float
    status: str
    file: str = ""
    sheet: str = ""
    row: int | None = None
    column: str = ""
    decimals: int = 0
    note: str = ""  # what may explain the difference (repeated detail rows, a unit factor)

    @property
    def difference(self) -> float:
        return self.left - self.right

    @property
    def passed(self) -> bool:
        return self.status == OK

    def message(self) -> str:
        if math.isnan(self.left):
            return self.description
        d = self.decimals
        text = (
            f"{self.description}: {self.left_label} {format_number(self.left, d)} "
            f"frente a {self.right_label} {format_number(self.right, d)} "
            f"(diferencia {format_number(self.difference, d)})"
        )
        if self.status == WARNING and self.check.endswith("publicada"):
            text += "; el informe usa el valor calculado"
        if self.note:
            text += f"; {self.note}"
        return text

    def as_problem(self) -> Problem:
        severity = ERROR if self.status == ERROR else WARNING
        return Problem(self.file, self.sheet, self.row, self.column, self.message(), severity)


def compare(
    check: str,
    description: str,
    left_label: str,
    left: float,
    right_label: str,
    right: float,
    *,
    tolerance: float = 1.0,
    severity: str = ERROR,
    decimals: int = 0,
    rounded: bool = False,
    **where,
) -> CheckResult:
    """Equal → ok; within ``tolerance`` → warning (rounding); beyond → ``severity``.

    With ``rounded=True`` the left side is a published value rounded to its
    shown decimals, so a difference within ``tolerance`` is simply ok.
    """
    diff = abs(left - right)
    if diff < 1e-9:
        status = OK
    elif diff <= tolerance + 1e-9:
        status = OK if rounded else WARNING
    else:
        status = severity
    return CheckResult(check, description, left_label, left, right_label, right, status, decimals=decimals, **where)


def compare_detail(check, description, detail_label, detail, indicator_label, indicator, decimals=0, **where):
    """Detail below the indicator → warning; above it → error."""
    if abs(detail - indicator) < 1e-9:
        status = OK
    elif detail < indicator:
        status = WARNING
    else:
        status = ERROR
    return CheckResult(check, description, detail_label, detail, indicator_label, indicator, status,
                       decimals=decimals, **where)


def published_tolerance(value: float) -> float:
    """Half a unit of the last decimal the published value shows (8.06 → 0.005, 15.6 → 0.05, 7 → 0.5)."""
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return 0.5 * 10**-decimals


# --------------------------------------------------------------------------
# Financial statements
# --------------------------------------------------------------------------

def balance_sheet_identity(frames: Frames) -> list[CheckResult]:
    """Assets = liabilities + equity, for both years."""
    bs = frames[(FS, BALANCE)]
    results = []
    for col in finance.YEARS:
        assets = finance.line(bs, "activo_total", col)
        liabilities = finance.line(bs, "pasivo_total", col)
        equity = finance.line(bs, "patrimonio_total", col)
        total = finance.line(bs, "pasivo_mas_patrimonio", col)
        results.append(compare("activo = pasivo + patrimonio", f"Ecuación patrimonial ({col.lower()})",
                               "activo total", assets, "pasivo + patrimonio", liabilities + equity,
                               file=FS, sheet=BALANCE, column=col))
        results.append(compare("total pasivo y patrimonio", f"Total pasivo más patrimonio publicado ({col.lower()})",
                               "publicado", total, "pasivo + patrimonio", liabilities + equity,
                               file=FS, sheet=BALANCE, column=col))
    return results


def statement_subtotals(frames: Frames) -> list[CheckResult]:
    """Every subtotal equals the signed sum of its lines, in every statement and year."""
    results = []
    for sheet in (BALANCE, INCOME, CASH):
        statement = frames[(FS, sheet)]
        for row, orphan in finance.orphan_parents(statement).iterrows():
            results.append(CheckResult("código padre", f"«{orphan['Código padre']}» no es el código de ninguna línea",
                                       "", 0, "", 0, ERROR, FS, sheet, int(row), "Código padre"))
        for col in finance.YEARS:
            table = finance.subtotal_differences(statement, col)
            for row, item in table.iterrows():
                results.append(compare("subtotal = suma de líneas", f"{item['Línea']} ({col.lower()})",
                                       "publicado", item["Publicado"], "suma de sus líneas", item["Suma de líneas"],
                                       file=FS, sheet=sheet, row=int(row), column=col))
    return results


def published_variations(frames: Frames) -> list[CheckResult]:
    """Published Var $ and Var % against the values computed from the two years."""
    results = []
    for sheet in (BALANCE, INCOME):
        statement = frames[(FS, sheet)]
        computed = finance.variations(statement)
        label = finance.label_column(statement)
        swapped = swapped_years(statement, computed)
        if swapped is not None:
            results.append(swapped_years_result(sheet, *swapped))
            continue
        for row, item in statement.iterrows():
            name = item[label]
            if pd.notna(item["Var $ publicada"]):
                results.append(compare("Var $ publicada", f"Var $ de «{name}»", "publicada", item["Var $ publicada"],
                                       "calculada", computed.at[row, "Var $"], severity=WARNING,
                                       file=FS, sheet=sheet, row=int(row), column="Var $ publicada"))
            pct = computed.at[row, "Var %"]
            if pd.notna(item["Var % publicada"]) and pd.notna(pct):
                published = item["Var % publicada"]
                results.append(compare("Var % publicada", f"Var % de «{name}»", "publicada", published,
                                       "calculada", round(pct, 2), tolerance=published_tolerance(published) + 0.005,
                                       severity=WARNING, rounded=True, decimals=2, file=FS, sheet=sheet, row=int(row),
                                       column="Var % publicada"))
    return results


def swapped_years(statement: pd.DataFrame, computed: pd.DataFrame) -> tuple[int, int] | None:
    """(rows whose published Var $ is the computed one with the opposite sign, rows with a non-zero Var $) when
    that is most of them (at least 3 and 80 %): «Año actual» and «Año anterior» are swapped."""
    published = statement["Var $ publicada"]
    rows = [r for r in statement.index if pd.notna(published[r]) and abs(published[r]) > 1]
    opposite = [r for r in rows if abs(published[r] + computed.at[r, "Var $"]) <= published_tolerance(published[r]) + 1
                and abs(published[r] - computed.at[r, "Var $"]) > 1]
    if len(opposite) >= 3 and len(opposite) >= 0.8 * len(rows):
        return len(opposite), len(rows)
    return None


def swapped_years_result(sheet: str, opposite: int, rows: int) -> CheckResult:
    return CheckResult("años intercambiados",
                       f"las columnas «Año actual» y «Año anterior» parecen intercambiadas: en {opposite} de {rows} "
                       "filas la variación publicada es la calculada con el signo contrario; revise los encabezados "
                       "(el año del informe va en «Año actual»)",
                       "", math.nan, "", math.nan, ERROR, FS, sheet, 1, "Año actual")


def equity_statement(frames: Frames) -> list[CheckResult]:
    """Opening + movements = closing for each component; published row totals = sum of components."""
    equity = frames[(FS, EQUITY)]
    results = []
    for item in finance.equity_rollforward(equity).itertuples(index=False):
        results.append(compare("saldo final del patrimonio", f"{item.Componente} al cierre de {item.Periodo}",
                               "saldo final publicado", item._5, "saldo inicial + movimientos", item._4,
                               file=FS, sheet=EQUITY, row=item.fila, column=item.Componente))
    components = list(finance.EQUITY_COMPONENTS)
    for row, item in equity.iterrows():
        if pd.notna(item["Total publicado"]):
            results.append(compare("total de fila publicada", f"Total de «{item['Concepto']}» ({item['Periodo']})",
                                   "publicado", item["Total publicado"], "suma de componentes",
                                   float(item[components].sum()), severity=WARNING,
                                   file=FS, sheet=EQUITY, row=int(row), column="Total publicado"))
    return results


def equity_matches_balance(frames: Frames) -> list[CheckResult]:
    """Closing equity by component (and in total) equals the balance sheet, for both years."""
    bs, equity = frames[(FS, BALANCE)], frames[(FS, EQUITY)]
    results = []
    last = int(equity["Periodo"].max())
    for col, period in ((finance.CURRENT, last), (finance.PRIOR, last - 1)):
        closing = finance.equity_closing(equity, period)
        if closing is None:
            continue
        for component, role in finance.EQUITY_COMPONENTS.items():
            results.append(compare("patrimonio = balance", f"{component} al cierre de {period}",
                                   "estado de cambios", float(closing[component]), "estado de situación financiera",
                                   finance.line(bs, role, col), file=FS, sheet=EQUITY, row=int(closing.name),
                                   column=component))
        total = float(closing[list(finance.EQUITY_COMPONENTS)].sum())
        results.append(compare("patrimonio = balance", f"Total patrimonio al cierre de {period}",
                               "estado de cambios", total, "estado de situación financiera",
                               finance.line(bs, "patrimonio_total", col), file=FS, sheet=EQUITY,
                               row=int(closing.name), column="Total publicado"))
    return results


def cash_flow_matches_balance(frames: Frames) -> list[CheckResult]:
    """Closing cash of the cash flow = balance-sheet cash; opening cash = prior balance-sheet cash."""
    bs, cf = frames[(FS, BALANCE)], frames[(FS, CASH)]
    results = []
    for col in finance.YEARS:
        results.append(compare("efectivo final = balance", f"Efectivo al cierre ({col.lower()})",
                               "flujo de efectivo", finance.line(cf, "efectivo_final", col),
                               "estado de situación financiera", finance.line(bs, "efectivo", col),
                               file=FS, sheet=CASH, column=col))
    results.append(compare("efectivo inicial = balance anterior", "Efectivo al inicio del año",
                           "flujo de efectivo", finance.line(cf, "efectivo_inicial", finance.CURRENT),
                           "balance del año anterior", finance.line(bs, "efectivo", finance.PRIOR),
                           file=FS, sheet=CASH, column=finance.CURRENT))
    return results


def income_matches_balance(frames: Frames) -> list[CheckResult]:
    """Net surplus of the income statement = "Resultado del ejercicio" in the balance sheet."""
    bs, income = frames[(FS, BALANCE)], frames[(FS, INCOME)]
    return [
        compare("resultado = balance", f"Excedente o déficit del ejercicio ({col.lower()})",
                "estado de resultados", finance.line(income, "excedente_neto", col),
                "estado de situación financiera", finance.line(bs, "resultado_ejercicio", col),
                file=FS, sheet=INCOME, column=col)
        for col in finance.YEARS
    ]


def budget_execution(frames: Frames) -> list[CheckResult]:
    """Final budget = initial + additions − reductions; rubros add up; published % of execution."""
    budget = frames[(FS, BUDGET)]
    results = []
    for row, item in budget.iterrows():
        expected = item["Presupuesto inicial"] + item["Adiciones"] - item["Reducciones"]
        results.append(compare("presupuesto definitivo", f"Presupuesto definitivo de «{item['Rubro']}»",
                               "publicado", item["Presupuesto definitivo"], "inicial + adiciones − reducciones",
                               expected, file=FS, sheet=BUDGET, row=int(row), column="Presupuesto definitivo"))
        if pd.notna(item["% publicado"]) and item["Presupuesto definitivo"]:
            pct = item["Ejecución"] / item["Presupuesto definitivo"] * 100
            results.append(compare("% de ejecución publicada", f"% de ejecución de «{item['Rubro']}»",
                                   "publicado", item["% publicado"], "calculado", round(pct, 2),
                                   tolerance=published_tolerance(item["% publicado"]) + 0.005, severity=WARNING,
                                   rounded=True, decimals=2, file=FS, sheet=BUDGET, row=int(row),
                                   column="% publicado"))
    statement = budget.assign(Signo="+")
    for col in ("Presupuesto inicial", "Adiciones", "Reducciones", "Presupuesto definitivo", "Ejecución"):
        for row, item in finance.subtotal_differences(statement, col).iterrows():
            results.append(compare("rubro = suma de rubros", f"{item['Línea']} ({col.lower()})", "publicado",
                                   item["Publicado"], "suma de sus rubros", item["Suma de líneas"],
                                   file=FS, sheet=BUDGET, row=int(row), column=col))
    return results


def published_financial_indicators(frames: Frames) -> list[CheckResult]:
    """Published liquidity, working capital, debt and cash ratios against the computed ones."""
    published = frames[(FS, PUBLISHED)]
    computed = finance.financial_indicators(frames[(FS, BALANCE)])
    results = []
    for row, item in published.iterrows():
        value = computed[item["Indicador"]]
        if item["Indicador"] == "Capital de trabajo" and "millones" in str(item["Unidad"]).lower():
            value = value / 1e6
        tol = published_tolerance(item["Valor publicado"])
        results.append(compare("indicador financiero publicado", item["Indicador"], "publicado",
                               item["Valor publicado"], "calculado", round(value, 4), tolerance=tol,
                               severity=WARNING, rounded=True, decimals=2, file=FS, sheet=PUBLISHED,
                               row=int(row), column="Valor publicado"))
    return results


# --------------------------------------------------------------------------
# Administration
# --------------------------------------------------------------------------

def figure(frames: Frames, filename: str, key: str) -> tuple[float, int] | None:
    """(value, Excel row) of a key in a workbook's "Cifras" sheet, or None."""
    figures = frames.get((filename, "Cifras"))
    if figures is None:
        return None
    rows = figures[figures["Clave"] == key]
    return None if rows.empty else (float(rows["Valor"].iloc[0]), int(rows.index[0]))


def procurement_totals(frames: Frames) -> list[CheckResult]:
    """Procurement by modality adds up to the printed total value (and number of processes)."""
    f = "administrativo.xlsx"
    table = frames[(f, "Contratación")]
    results = []
    for key, column in (("contratacion_valor_total", "Valor (COP)"), ("contratacion_procesos_total", "Procesos")):
        printed = figure(frames, f, key)
        if printed is not None:
            results.append(compare("total de contratación", f"Total de contratación ({column})",
                                   "suma por modalidad", float(table[column].sum()), "total publicado", printed[0],
                                   tolerance=0, file=f, sheet="Cifras", row=printed[1], column="Valor"))
    return results


def pqrs_totals(frames: Frames) -> list[CheckResult]:
    """PQRS by process add up to the printed total; published percentages match the counts."""
    f = "administrativo.xlsx"
    table = frames[(f, "PQRS")]
    total = float(table["Cantidad"].sum())
    results = []
    printed = figure(frames, f, "pqrs_total")
    if printed is not None:
        results.append(compare("total de PQRS", "Total de PQRS", "suma por proceso", total, "total publicado",
                               printed[0], tolerance=0, file=f, sheet="Cifras", row=printed[1], column="Valor"))
    for row, item in table.iterrows():
        if pd.notna(item["Porcentaje publicado"]) and total:
            pct = item["Cantidad"] / total * 100
            results.append(compare("porcentaje de PQRS", f"Porcentaje de PQRS de {item['Proceso']}", "publicado",
                                   item["Porcentaje publicado"], "calculado", round(pct, 2),
                                   tolerance=published_tolerance(item["Porcentaje publicado"]) + 0.005,
                                   severity=WARNING, rounded=True, decimals=2, file=f, sheet="PQRS", row=int(row),
                                   column="Porcentaje publicado"))
    return results


# --------------------------------------------------------------------------
# Indicators against their detail
# --------------------------------------------------------------------------

def plan_indicators(frames: Frames) -> list[CheckResult]:
    """The cumulative achievement of the period cannot be below the year's achievement."""
    f = plan.PLAN_FILE
    table = frames[(f, plan.INDICATORS)]
    return [
        CheckResult("acumulado ≥ logro del año",
                    f"{item['Código']} {item['Indicador']}: acumulado menor que el logro del año",
                    "acumulado", item["Acumulado"], "logro del año", item["Logro año"],
                    OK if item["Acumulado"] >= item["Logro año"] else ERROR, f, plan.INDICATORS, int(row),
                    "Acumulado", 2)
        for row, item in table.iterrows()
    ]


def _finding(check: str, finding: plan.Finding) -> CheckResult:
    return CheckResult(check, finding.message, "", math.nan, "", math.nan, finding.severity, plan.PLAN_FILE,
                       finding.sheet, finding.row, finding.column)


def plan_declarations(frames: Frames, year: int | None = None) -> list[CheckResult]:
    """The plan's period, goals and headline declarations are coherent."""
    findings = (plan.period_findings(frames, year) + plan.goal_findings(frames, year) + plan.headline_findings(frames)
                + plan.unit_findings(frames, year))
    return [_finding("plan de desarrollo", f) for f in findings]


def indicator_details(frames: Frames) -> list[CheckResult]:
    """Each reconciliation declared in «Conciliaciones» against the indicator's achievement.

    A declaration that cannot be computed (unknown code, sheet or column, detail sheet with errors) is an error.
    """
    done, findings = plan.reconcile(frames)
    results = [_finding("conciliación declarada", f) for f in findings]
    for r in done:
        result = compare_detail("indicador frente a detalle", f"{r.code} {r.name}", r.label, r.detail,
                                "logro del año", r.achievement, decimals=r.decimals, file=r.filename,
                                sheet=r.sheet, column=r.column)
        if not result.passed:
            result = dataclasses.replace(result, note=detail_note(frames, r))
        results.append(result)
    return results


def detail_note(frames: Frames, r: plan.Reconciliation) -> str:
    """What may distort a reconciliation: rows of the detail typed twice, a detail that matches the indicator
    only after a unit factor."""
    from .contract import workbook
    from .plausibility import duplicate_rows

    notes = []
    detail = frames.get((r.filename, r.sheet))
    if detail is not None:
        repeats = duplicate_rows(r.filename, workbook(r.filename).sheet(r.sheet), detail)
        if repeats:
            pairs = ", ".join(f"{row} repite la {earlier}" for row, earlier in list(repeats.items())[:3])
            notes.append(f"la hoja «{r.sheet}» tiene filas repetidas ({pairs}) y el detalle las cuenta dos veces")
    if r.detail and r.achievement:
        for factor in UNIT_FACTORS:
            for shifted, sign in ((r.detail * factor, "×"), (r.detail / factor, "÷")):
                if abs(shifted - r.achievement) <= 0.01 * abs(r.achievement):
                    notes.append(f"el detalle coincide con el logro {sign} {format_number(factor, 0)}: revise la "
                                 "unidad del detalle o la «Escala» de la conciliación")
    return "; ".join(notes)


def award_counts(frames: Frames) -> list[CheckResult]:
    """Award postulations and distinct awards against the printed figures."""
    f = "posicionamiento.xlsx"
    awards = frames[(f, "Premios")]
    results = []
    for key, detail, label in (("postulaciones_premios", len(awards), "postulaciones detalladas"),
                               ("premios_postulados", awards["Premio"].nunique(), "premios distintos detallados")):
        printed = figure(frames, f, key)
        if printed is not None:
            results.append(compare_detail("cifra frente a detalle", label, "detalle", float(detail),
                                          "cifra publicada", printed[0], file=f, sheet="Premios"))
    return results


# --------------------------------------------------------------------------
# Strategic framework: every reference points at an existing code
# --------------------------------------------------------------------------

def _unknown_reference(sheet: str, column: str, row: int, message: str) -> CheckResult:
    return CheckResult("planeación estratégica", message, "", math.nan, "", math.nan, ERROR, strategy.STRATEGY_FILE,
                       sheet, row, column)


def tactical_objectives(frames: Frames) -> list[CheckResult]:
    """Every tactical objective answers to a strategic objective of the same workbook."""
    return [_unknown_reference(strategy.TACTICAL, "Objetivo estratégico", row,
                               f"«{code}» no es el código de ningún objetivo estratégico de la hoja "
                               f"«{strategy.OBJECTIVES}»")
            for row, code in strategy.tactical_without_objective(frames)]


def key_results(frames: Frames) -> list[CheckResult]:
    """Every key result contributes to a tactical objective of the same workbook."""
    return [_unknown_reference(strategy.KEY_RESULTS, "Objetivo táctico", row,
                               f"«{code}» no es el código de ningún objetivo táctico de la hoja «{strategy.TACTICAL}»")
            for row, code in strategy.key_results_without_tactical(frames)]


def key_result_indicators(frames: Frames) -> list[CheckResult]:
    """A key result linked to the development plan names an indicator of plan_desarrollo.xlsx."""
    return [_unknown_reference(strategy.KEY_RESULTS, strategy.PLAN_LINK, row,
                               f"«{code}» no es el código de ningún indicador de la hoja «{plan.INDICATORS}» de "
                               f"{plan.PLAN_FILE}")
            for row, code in strategy.key_results_without_indicator(frames)]


# Every check, in the order they run, with the sheets it reads that must hold at least one row
# for the check to mean anything (NEEDS) and every other sheet it reads (READS). A check runs when
# all the sheets it reads passed their schema, even if other sheets have cell errors.
P, S = plan.PLAN_FILE, strategy.STRATEGY_FILE
NEEDS: dict[Callable[[Frames], list[CheckResult]], tuple[tuple[str, str], ...]] = {
    balance_sheet_identity: ((FS, BALANCE),),
    statement_subtotals: ((FS, BALANCE), (FS, INCOME), (FS, CASH)),
    published_variations: ((FS, BALANCE), (FS, INCOME)),
    equity_statement: ((FS, EQUITY),),
    equity_matches_balance: ((FS, BALANCE), (FS, EQUITY)),
    cash_flow_matches_balance: ((FS, BALANCE), (FS, CASH)),
    income_matches_balance: ((FS, BALANCE), (FS, INCOME)),
    budget_execution: ((FS, BUDGET),),
    published_financial_indicators: ((FS, BALANCE),),
    procurement_totals: (("administrativo.xlsx", "Contratación"),),
    pqrs_totals: (("administrativo.xlsx", "PQRS"),),
    plan_declarations: ((P, plan.PLAN_SHEET),),
    plan_indicators: ((P, plan.INDICATORS),),
    indicator_details: ((P, plan.INDICATORS),),
    award_counts: (),
    tactical_objectives: ((S, strategy.OBJECTIVES), (S, strategy.TACTICAL)),
    key_results: ((S, strategy.TACTICAL),),
    key_result_indicators: ((P, plan.INDICATORS),),
}
READS: dict[Callable[[Frames], list[CheckResult]], tuple[tuple[str, str], ...]] = {
    published_financial_indicators: ((FS, PUBLISHED),),
    procurement_totals: (("administrativo.xlsx", "Cifras"),),
    pqrs_totals: (("administrativo.xlsx", "Cifras"),),
    plan_declarations: ((P, plan.INDICATORS), (P, plan.GOALS)),
    indicator_details: ((P, plan.RECONCILIATIONS),),  # detail sheets with errors are reported per declaration
    award_counts: (("posicionamiento.xlsx", "Premios"), ("posicionamiento.xlsx", "Cifras")),
    key_results: ((S, strategy.KEY_RESULTS),),
    key_result_indicators: ((S, strategy.KEY_RESULTS),),
}
CHECKS = tuple(NEEDS)


def empty_sheets(frames: Frames) -> list[CheckResult]:
    """One error per required sheet that has no rows."""
    needed = sorted({key for keys in NEEDS.values() for key in keys})
    return [
        CheckResult("hoja vacía", "la hoja no tiene filas; las verificaciones que la usan no se pueden hacer",
                    "", math.nan, "", math.nan, ERROR, file, sheet, None)
        for file, sheet in needed
        if (file, sheet) in frames and frames[(file, sheet)].empty
    ]


def run_checks(frames: Frames, year: int | None = None) -> list[CheckResult]:
    """Run every check whose sheets are intact and have rows; a check that fails becomes an error result.

    ``frames`` holds only the sheets that passed their schema: a check reading a sheet with cell errors
    is left out (those errors are already reported), every other check still runs.
    """
    results = empty_sheets(frames)
    empty = {(r.file, r.sheet) for r in results}
    for check in CHECKS:
        inputs = NEEDS[check] + READS.get(check, ())
        if any(key in empty for key in NEEDS[check]) or any(key not in frames for key in inputs):
            continue
        try:
            results += check(frames, year) if check is plan_declarations else check(frames)
        except (KeyError, ValueError, TypeError, IndexError, ZeroDivisionError) as exc:
            message = exc.args[0] if isinstance(exc, KeyError) and exc.args else f"{type(exc).__name__}: {exc}"
            file, sheet = _where(check, str(message))
            failure = CheckResult(check.__name__, f"no se pudo verificar: {message}", "", math.nan, "",
                                  math.nan, ERROR, file, sheet, None, "Rol" if "rol «" in str(message) else "")
            if not any((r.file, r.sheet, r.description) == (file, sheet, failure.description) for r in results):
                results.append(failure)  # a missing role is reported once, not once per check that needs it
    return results


def _where(check, message: str) -> tuple[str, str]:
    """File and sheet a failed check points at: the sheet a missing role belongs to, else its first input."""
    for role, sheet in ROLE_SHEETS.items():
        if f"«{role}»" in message:
            return FS, sheet
    return NEEDS[check][0] if NEEDS[check] else ("", "")
