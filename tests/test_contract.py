"""The data contract is coherent and its rendered documentation is current."""

from __future__ import annotations

from conftest import ROOT
from informe.data.contract import CONTRACT, INDICATOR_DETAILS, INVESTMENT_SECTORS, THEMATIC_LINES
from informe.data.contract_doc import contract_markdown


def test_headers_are_unique_within_each_sheet():
    for spec in CONTRACT:
        assert len({s.name for s in spec.sheets}) == len(spec.sheets)
        for sheet in spec.sheets:
            assert len(set(sheet.headers)) == len(sheet.headers), sheet.name


def test_enumerations_from_the_report():
    assert len(INVESTMENT_SECTORS) == 8
    assert len(THEMATIC_LINES) == 5


def test_indicator_details_point_at_contract_columns():
    for detail in INDICATOR_DETAILS:
        sheet = next(s for wb in CONTRACT if wb.filename == detail.filename for s in wb.sheets if s.name == detail.sheet)
        for column in [detail.column, *(c for c, _ in detail.where)]:
            assert column is None or column in sheet.headers


def test_data_contract_doc_is_current():
    doc = (ROOT / "docs" / "data-contract.md").read_text(encoding="utf-8")
    assert doc == contract_markdown(), "run `informe contract-doc` (make docs) and commit docs/data-contract.md"
