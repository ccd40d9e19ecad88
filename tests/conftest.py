"""Shared fixtures: the real 2022 data and helpers to make broken copies of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from informe.validation import validate_dir

ROOT = Path(__file__).resolve().parents[1]
DATA_2022 = ROOT / "data" / "2022"


@pytest.fixture(scope="session")
def report_2022():
    """Validation report of the committed 2022 data (read once per test session)."""
    return validate_dir(DATA_2022)


@pytest.fixture(scope="session")
def frames_2022(report_2022):
    return report_2022.data


@pytest.fixture()
def data_copy(tmp_path) -> Path:
    """A writable copy of data/2022."""
    target = tmp_path / "data"
    shutil.copytree(DATA_2022, target)
    return target


def set_cell(path: Path, sheet: str, cell: str, value) -> None:
    """Overwrite one cell of a workbook copy (as an analyst would in Excel)."""
    wb = load_workbook(path)
    wb[sheet][cell] = value
    wb.save(path)
