"""The analyst's guide (docs/guia-analista.md) is generated, current, and its worked example is valid."""

from __future__ import annotations

from conftest import ROOT
from informe.data import finance
from informe.data.contract import STATEMENT_ROLES
from informe.data.guide import EXAMPLE_BALANCE, EXAMPLE_CASH, EXAMPLE_INCOME, ROLE_DESCRIPTIONS, guide_markdown


def test_guide_is_current():
    text = (ROOT / "docs" / "guia-analista.md").read_text(encoding="utf-8")
    assert text == guide_markdown(), "run `python -m informe.data.guide` and commit docs/guia-analista.md"


def test_every_role_is_explained():
    assert set(ROLE_DESCRIPTIONS) == set(STATEMENT_ROLES)


def test_worked_example_passes_the_checks():
    for statement in (EXAMPLE_BALANCE, EXAMPLE_INCOME, EXAMPLE_CASH):
        differences = finance.subtotal_differences(statement, "Año actual")
        assert len(differences) and (differences["Diferencia"] == 0).all()
        assert finance.orphan_parents(statement).empty
    bs = EXAMPLE_BALANCE
    assert finance.line(bs, "activo_total") == finance.line(bs, "pasivo_total") + finance.line(bs, "patrimonio_total")
    assert finance.line(EXAMPLE_INCOME, "excedente_neto") == finance.line(bs, "resultado_ejercicio")
    assert finance.line(EXAMPLE_CASH, "efectivo_final") == finance.line(bs, "efectivo")


def test_role_sheets_agree_with_the_guide():
    from informe.data.contract import ROLE_SHEETS

    assert {role: sheet for role, (sheet, _) in ROLE_DESCRIPTIONS.items()} == ROLE_SHEETS
