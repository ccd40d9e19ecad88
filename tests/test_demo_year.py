"""The demo year is generated deterministically from 2022 and passes validation."""

from __future__ import annotations

import subprocess
import sys

from openpyxl import load_workbook

from conftest import ROOT
from informe.data.contract import CONTRACT
from informe.data.params import load_params
from informe.data.validation import validate_dir


def test_demo_year_is_valid_and_labelled():
    report = validate_dir(ROOT / "data" / "2023")
    assert report.exit_code == 0
    assert load_params(ROOT / "params" / "2023.yml").demo is True
    assert "DATOS DE DEMOSTRACIÓN" in (ROOT / "data" / "2023" / "README.md").read_text(encoding="utf-8")


def test_demo_year_regenerates_identically(tmp_path):
    subprocess.run([sys.executable, "scripts/make_demo_year.py", "--out", str(tmp_path)], cwd=ROOT, check=True,
                   capture_output=True)
    for spec in CONTRACT:
        committed = load_workbook(ROOT / "data" / "2023" / spec.filename, read_only=True)
        fresh = load_workbook(tmp_path / spec.filename, read_only=True)
        for sheet in spec.sheets:
            assert list(committed[sheet.name].values) == list(fresh[sheet.name].values), (spec.filename, sheet.name)
