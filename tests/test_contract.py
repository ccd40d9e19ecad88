"""The data contract is coherent and its rendered documentation is current."""

from __future__ import annotations

from conftest import ROOT
from informe.data.contract import CATALOG_SHEET, CONTRACT, catalogs, workbook
from informe.data.contract_doc import contract_markdown


def test_headers_are_unique_within_each_sheet():
    for spec in CONTRACT:
        assert len({s.name for s in spec.sheets}) == len(spec.sheets)
        for sheet in spec.sheets:
            assert len(set(sheet.headers)) == len(sheet.headers), sheet.name


def test_domain_lists_are_catalogs_not_code():
    """Sectors, fronts, units and figure keys are listed in the workbooks, not in the contract."""
    assert workbook("inversion.xlsx").sheet("Proyectos").column("Sector").allowed is None
    assert workbook("inversion.xlsx").sheet("Proyectos").column("Sector").catalog == "Sector"
    assert set(catalogs(workbook("plan_desarrollo.xlsx"))) == {"Frente", "Unidad"}
    for spec in CONTRACT:
        if catalogs(spec):
            assert spec.sheet(CATALOG_SHEET).headers == list(catalogs(spec))


def test_data_contract_doc_is_current():
    doc = (ROOT / "docs" / "data-contract.md").read_text(encoding="utf-8")
    assert doc == contract_markdown(), "run `informe contract-doc` (make docs) and commit docs/data-contract.md"
