"""The cross-sheet and accounting checks on the 2022 data, and on deliberately broken copies."""

from __future__ import annotations

import pandas as pd
import pytest

from informe.data import checks
from informe.data.checks import FS, OK, compare, published_tolerance
from informe.data.problems import ERROR, WARNING


def by_description(results, text):
    return [r for r in results if text in r.description]


def test_balance_sheet_identity_holds(frames_2022):
    results = checks.balance_sheet_identity(frames_2022)
    assert results and all(r.passed for r in results)
    assert results[0].left == 5_509_310_977


def test_balance_sheet_identity_fails_when_an_asset_changes(frames_2022):
    frames = dict(frames_2022)
    bs = frames[(FS, "Situación financiera")].copy()
    bs.loc[bs["Rol"] == "activo_total", "Año actual"] += 1_000_000
    frames[(FS, "Situación financiera")] = bs
    failed = [r for r in checks.balance_sheet_identity(frames) if not r.passed]
    assert failed and all(r.status == ERROR for r in failed)
    assert failed[0].difference == 1_000_000


def test_subtotals_report_the_published_one_peso_slips(frames_2022):
    results = [r for r in checks.statement_subtotals(frames_2022) if not r.passed]
    assert {(r.sheet, r.description, r.difference) for r in results} == {
        ("Situación financiera", "CORRIENTE (año actual)", 1),
        ("Situación financiera", "PROPIEDADES, PLANTA Y EQUIPO (año anterior)", 1),
        ("Resultados", "GASTOS (año actual)", 1),
    }
    assert all(r.status == WARNING for r in results)


def test_subtotal_beyond_tolerance_is_an_error(frames_2022):
    frames = dict(frames_2022)
    bs = frames[(FS, "Situación financiera")].copy()
    bs.loc[bs["Cuenta"] == "Caja", "Año actual"] += 500
    frames[(FS, "Situación financiera")] = bs
    errors = [r for r in checks.statement_subtotals(frames) if r.status == ERROR]
    assert {r.description for r in errors} >= {"EFECTIVO Y EQUIVALENTES AL EFECTIVO (año actual)"}


def test_published_variations_show_the_true_values(frames_2022):
    results = [r for r in checks.published_variations(frames_2022) if r.check == "Var $ publicada" and not r.passed]
    wrong = {r.description: (r.left, r.right) for r in results if abs(r.difference) > 1}
    assert wrong == {
        "Var $ de «CORRIENTE»": (-1_814_986_124, -382_871_509),
        "Var $ de «NO CORRIENTE»": (1_432_114_614, 96_451_104),
    }
    assert all(r.status == WARNING for r in results)


def test_equity_statement_closing_matches_balance_sheet(frames_2022):
    results = checks.equity_matches_balance(frames_2022)
    not_ok = {r.description: r.difference for r in results if not r.passed}
    # The statement of changes prints reserves of 758.113.337; the balance sheet 758.113.338.
    assert not_ok == {"Reservas al cierre de 2022": -1, "Total patrimonio al cierre de 2022": -1}
    assert all(r.status == WARNING for r in results if not r.passed)


def test_equity_rollforward_holds(frames_2022):
    results = [r for r in checks.equity_statement(frames_2022) if r.check == "saldo final del patrimonio"]
    assert len(results) == 8 and all(r.passed for r in results)


def test_shifted_equity_totals_are_reported(frames_2022):
    results = [r for r in checks.equity_statement(frames_2022) if r.check == "total de fila publicada" and not r.passed]
    assert len(results) == 4  # three shifted 2021 totals + the 1-peso 2022 closing total


def test_cash_flow_and_income_tie_to_balance_sheet(frames_2022):
    results = checks.cash_flow_matches_balance(frames_2022) + checks.income_matches_balance(frames_2022)
    assert len(results) == 5 and all(r.passed for r in results)
    assert results[0].left == 2_478_878_211


def test_budget_identities_hold(frames_2022):
    results = checks.budget_execution(frames_2022)
    assert results and all(r.passed for r in results)


def test_published_financial_indicators_match(frames_2022):
    results = checks.published_financial_indicators(frames_2022)
    assert {r.description: r.left for r in results} == {
        "Liquidez": 8.06, "Capital de trabajo": 4618.83, "Nivel de endeudamiento": 0.12, "Razón de efectivo": 3.79,
    }
    assert all(r.passed for r in results)


def test_procurement_and_pqrs_totals(frames_2022):
    totals = checks.procurement_totals(frames_2022) + [r for r in checks.pqrs_totals(frames_2022)
                                                      if r.check == "total de PQRS"]
    assert [(r.left, r.right) for r in totals] == [(1_615_131_603, 1_615_131_603), (96, 96)]
    assert all(r.passed for r in totals)


def test_pqrs_percentage_slip_is_a_warning(frames_2022):
    bad = [r for r in checks.pqrs_totals(frames_2022) if not r.passed]
    assert [(r.description, r.left, r.right) for r in bad] == [
        ("Porcentaje de PQRS de Conocimiento e Innovación", 12, 11.46)
    ]


def test_procurement_total_mismatch_is_an_error(frames_2022):
    frames = dict(frames_2022)
    table = frames[("administrativo.xlsx", "Contratación")].copy()
    table.iloc[0, table.columns.get_loc("Valor (COP)")] += 10
    frames[("administrativo.xlsx", "Contratación")] = table
    [result] = checks.procurement_totals(frames)
    assert result.status == ERROR and result.difference == 10


def test_indicator_details(frames_2022):
    results = {r.description.split()[0]: r for r in checks.indicator_details(frames_2022)}
    assert results["PI-06"].passed and results["PI-06"].left == 11  # ¿Por qué Medellín? events
    assert results["PI-05"].passed and results["PI-05"].left == 9  # sur-sur actions
    assert results["PI-07"].passed and results["PI-07"].left == 12  # Sos Paisa contributions
    assert results["PI-04"].status == WARNING and (results["PI-04"].left, results["PI-04"].right) == (15, 24)
    assert results["PI-01"].status == WARNING and results["PI-01"].right == 155.67


def test_detail_above_indicator_is_an_error(frames_2022):
    frames = dict(frames_2022)
    events = frames[("posicionamiento.xlsx", "Eventos")]
    frames[("posicionamiento.xlsx", "Eventos")] = pd.concat([events, events[events["¿Por qué Medellín?"] == "Sí"].head(1)])
    result = [r for r in checks.indicator_details(frames) if r.description.startswith("PI-06")][0]
    assert result.status == ERROR and (result.left, result.right) == (12, 11)


def test_missing_role_becomes_an_error_not_a_crash(frames_2022):
    frames = dict(frames_2022)
    bs = frames[(FS, "Situación financiera")].copy()
    bs.loc[bs["Rol"] == "activo_total", "Rol"] = None
    frames[(FS, "Situación financiera")] = bs
    results = checks.run_checks(frames)
    assert any(r.status == ERROR and "activo_total" in r.description for r in results)


@pytest.mark.parametrize("value, tol", [(8.06, 0.005), (15.6, 0.05), (7, 0.5), (4618.83, 0.005)])
def test_published_tolerance(value, tol):
    assert published_tolerance(value) == pytest.approx(tol)


def test_compare_statuses():
    assert compare("c", "d", "a", 10, "b", 10).status == OK
    assert compare("c", "d", "a", 10, "b", 11).status == WARNING
    assert compare("c", "d", "a", 10, "b", 12).status == ERROR
    assert compare("c", "d", "a", 10, "b", 10.4, tolerance=0.5, rounded=True).status == OK


def test_checks_do_not_depend_on_column_order(frames_2022):
    frames = {key: frame[list(reversed(frame.columns))] for key, frame in frames_2022.items()}
    original = [(r.description, r.status) for r in checks.run_checks(frames_2022)]
    assert [(r.description, r.status) for r in checks.run_checks(frames)] == original


def test_cell_errors_do_not_hide_independent_cross_sheet_checks(data_copy):
    """A cell error in one sheet hides only the checks that read that sheet (issue 9, item 7)."""
    from conftest import set_cell
    from informe.data.validation import validate_dir

    set_cell(data_copy / "administrativo.xlsx", "PQRS", "B2", "once")  # text in a count column
    # and an independent accounting error: total assets off by 10 pesos
    from openpyxl import load_workbook

    wb = load_workbook(data_copy / FS)
    ws = wb["Situación financiera"]
    col = [c.value for c in ws[1]].index("Año actual") + 1
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, [c.value for c in ws[1]].index("Rol") + 1).value
               == "activo_total")
    ws.cell(row, col, ws.cell(row, col).value + 10)
    wb.save(data_copy / FS)
    report = validate_dir(data_copy)
    errors = {(p.file, p.sheet, p.column) for p in report.errors}
    assert ("administrativo.xlsx", "PQRS", "Cantidad") in errors
    assert any(p.file == FS and "Ecuación patrimonial" in p.message for p in report.errors)
    assert any(r.check == "total de contratación" for r in report.checks)  # procurement does not read PQRS
    assert not any(r.check == "total de PQRS" for r in report.checks)


def test_failed_check_names_file_and_sheet(frames_2022):
    frames = dict(frames_2022)
    bs = frames[(FS, "Situación financiera")].copy()
    bs.loc[bs["Rol"] == "efectivo", "Rol"] = None
    frames[(FS, "Situación financiera")] = bs
    failed = [r for r in checks.run_checks(frames) if r.check == "cash_flow_matches_balance"]
    assert failed and all(r.file == FS and r.sheet for r in failed)


def test_missing_cash_flow_role_names_the_cash_flow_sheet_once(frames_2022):
    frames = dict(frames_2022)
    cf = frames[(FS, "Flujo de efectivo")].copy()
    cf.loc[cf["Rol"] == "efectivo_final", "Rol"] = None
    frames[(FS, "Flujo de efectivo")] = cf
    failed = [r for r in checks.run_checks(frames) if "efectivo_final" in r.description]
    assert [(r.file, r.sheet, r.column, r.status) for r in failed] == [(FS, "Flujo de efectivo", "Rol", ERROR)]
