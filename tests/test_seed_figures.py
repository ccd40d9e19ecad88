"""Figures of the published 2022 report, computed from data/2022 (expected values typed from the seed)."""

from __future__ import annotations

import pytest

from informe.data import finance
from informe.data.checks import FS

BALANCE = (FS, "Situación financiera")


def bs(frames):
    return frames[BALANCE]


def test_total_assets_equals_published(frames_2022):
    assert finance.line(bs(frames_2022), "activo_total") == 5_509_310_977
    assert finance.line(bs(frames_2022), "activo_total", finance.PRIOR) == 5_795_731_382


def test_liabilities_and_equity(frames_2022):
    assert finance.line(bs(frames_2022), "pasivo_total") == 654_515_773
    assert finance.line(bs(frames_2022), "patrimonio_total") == 4_854_795_204


def test_financial_indicators_match_the_report(frames_2022):
    ind = finance.financial_indicators(bs(frames_2022))
    assert round(ind["Liquidez"], 2) == 8.06
    assert round(ind["Capital de trabajo"] / 1e6, 2) == 4618.83
    assert round(ind["Nivel de endeudamiento"], 2) == 0.12
    assert round(ind["Razón de efectivo"], 2) == 3.79


def test_true_variation_of_current_assets(frames_2022):
    """The seed printed (1.814.986.124) for current assets and 1.432.114.614 for non-current ones."""
    statement = bs(frames_2022)
    var = finance.variations(statement)["Var $"]
    by_code = dict(zip(statement["Código"], var))
    assert by_code["1.1"] == -382_871_509
    assert by_code["1.2"] == 96_451_104


def test_income_statement_net_surplus(frames_2022):
    income = frames_2022[(FS, "Resultados")]
    assert finance.line(income, "excedente_neto") == 111_813_254
    assert finance.line(income, "excedente_neto", finance.PRIOR) == -920_113_556


def test_cash_flow_closing_cash(frames_2022):
    cash = frames_2022[(FS, "Flujo de efectivo")]
    assert finance.line(cash, "efectivo_final") == 2_478_878_211
    assert finance.line(cash, "variacion_efectivo") == -1_415_724_396


def test_procurement_total(frames_2022):
    table = frames_2022[("administrativo.xlsx", "Contratación")]
    assert table["Valor (COP)"].sum() == 1_615_131_603
    assert table.set_index("Modalidad").at["Contratación directa", "Procesos"] == 44


def test_pqrs_total(frames_2022):
    assert frames_2022[("administrativo.xlsx", "PQRS")]["Cantidad"].sum() == 96


@pytest.mark.parametrize(
    "code, achievement, cumulative",
    [("PI-01", 155.67, 744.16), ("PI-02", 7.43, 20.72), ("PI-04", 24, 65), ("PI-06", 11, 20), ("PI-07", 12, 29)],
)
def test_plan_indicators(frames_2022, code, achievement, cumulative):
    table = frames_2022[("plan_desarrollo.xlsx", "Indicadores")].set_index("Código")
    assert table.at[code, "Logro año"] == achievement
    assert table.at[code, "Acumulado"] == cumulative


def test_budget_execution(frames_2022):
    budget = frames_2022[(FS, "Ejecución presupuestal")].set_index("Código")
    assert budget.at["I", "Ejecución"] == 8_886_786_568
    assert budget.at["G", "Ejecución"] == 7_184_311_301
    assert budget.at["G", "Presupuesto definitivo"] == 8_430_021_854


def test_por_que_medellin_events_detail(frames_2022):
    events = frames_2022[("posicionamiento.xlsx", "Eventos")]
    assert (events["¿Por qué Medellín?"] == "Sí").sum() == 11


def test_award_postulations(frames_2022):
    awards = frames_2022[("posicionamiento.xlsx", "Premios")]
    assert len(awards) == 20
    assert awards["Premio"].nunique() == 13
