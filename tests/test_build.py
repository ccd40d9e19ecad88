"""`informe build`: executed section notebooks, seed figures in them, atomic publication."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT, build, set_cell

SECTIONS = ["01-resumen-ejecutivo", "02-plan-de-desarrollo", "03-inversion", "04-cooperacion",
            "05-posicionamiento", "06-administrativo", "07-estados-financieros", "08-anexo-calidad-datos"]


def outputs_text(notebook: Path) -> str:
    """Everything a reader sees in an executed notebook's outputs (Markdown and plain text)."""
    nb = nbformat.read(notebook, as_version=4)
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            parts.append(data.get("text/markdown", "") or data.get("text/plain", ""))
            parts.append(output.get("text", ""))
    return "\n".join(parts)


def error_outputs(notebook: Path) -> list:
    nb = nbformat.read(notebook, as_version=4)
    return [o for c in nb.cells for o in c.get("outputs", [])
            if o.get("output_type") == "error" or o.get("name") == "stderr"]


@pytest.fixture(scope="session")
def texts_2022(built_2022) -> dict[str, str]:
    return {name: outputs_text(built_2022 / "notebooks" / f"{name}.ipynb") for name in SECTIONS}


def test_every_section_is_executed_without_errors(built_2022):
    for name in SECTIONS:
        path = built_2022 / "notebooks" / f"{name}.ipynb"
        assert path.exists(), name
        assert error_outputs(path) == [], name
    info = json.loads((built_2022 / "build-info.json").read_text(encoding="utf-8"))
    assert info["year"] == 2022 and set(info["notebooks"]) == {f"{n}.ipynb" for n in SECTIONS}
    assert "data/2022/estados_financieros.xlsx" in info["inputs"]


def test_executive_summary_has_the_headline_figures(texts_2022):
    text = texts_2022["01-resumen-ejecutivo"]
    for figure in ("USD 155,67 millones", "USD 7,43 millones", "**24** empresas", "**11** eventos",
                   "**12** aportes", "**20** postulaciones a **13** premios", "**57** periodistas",
                   "**76** agendas", "\\$1.615.131.603", "\\$5.509.310.977", "| 96 |", "8,06"):
        assert figure in text, figure


def test_plan_section(texts_2022):
    text = texts_2022["02-plan-de-desarrollo"]
    assert "| PI-01 |" in text and "155,67" in text and "744,16" in text
    # 744,16 of 850 = 87,5 % of the period goal
    assert "87,5 %" in text


def test_investment_and_cooperation_sections(texts_2022):
    assert "Ultra Air" in texts_2022["03-inversion"] and "Servicios de tecnología" in texts_2022["03-inversion"]
    assert "| **Total** | **15** |" in texts_2022["03-inversion"]
    coop = texts_2022["04-cooperacion"]
    assert "7,43" in coop and "Ayuntamiento de Barcelona" in coop and "Brasil" in coop


def test_financial_statements_with_true_variations(texts_2022):
    text = texts_2022["07-estados-financieros"]
    assert "\\$5.509.310.977" in text
    assert "(\\$382.871.509)" in text  # true Var $ of current assets (the seed printed 1.814.986.124)
    assert "\\$96.451.104" in text  # true Var $ of non-current assets (the seed printed 1.432.114.614)
    assert "| Liquidez | Activo corriente / pasivo corriente | 8,06 |" in text
    assert "3,79" in text and "\\$4.618,83 millones" in text  # published in millions: $4,618.83 (9.10.4)


def test_administration_section(texts_2022):
    text = texts_2022["06-administrativo"]
    assert "**\\$1.615.131.603**" in text and "| **Total** | **96** |" in text


def test_quality_annex_lists_findings_with_both_sides(texts_2022):
    text = texts_2022["08-anexo-calidad-datos"]
    assert "publicada −1.814.986.124" in text and "calculada −382.871.509" in text  # U+2212
    assert "Advertencia" in text


def test_demo_year_notebooks_say_so_and_compare_with_2022(built_2023):
    for name in SECTIONS:
        assert "DATOS DE DEMOSTRACIÓN" in outputs_text(built_2023 / "notebooks" / f"{name}.ipynb"), name
    assert "Logro 2022" in outputs_text(built_2023 / "notebooks" / "02-plan-de-desarrollo.ipynb")


def snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_broken_workbook_leaves_previous_outputs_intact(built_2022, data_copy, tmp_path):
    out = tmp_path / "2022"
    shutil.copytree(built_2022, out)
    before = snapshot(out)
    set_cell(data_copy / "administrativo.xlsx", "PQRS", "B3", "veintisiete")
    result = build("--year", "2022", "--data", str(data_copy), "--out", str(out))
    assert result.returncode == 1
    assert "administrativo.xlsx, hoja «PQRS», fila 3, columna «Cantidad»" in result.stdout
    assert "no se modificó" in result.stdout and "Traceback" not in result.stdout + result.stderr
    assert snapshot(out) == before


def test_broken_notebook_leaves_previous_outputs_intact(built_2022, tmp_path):
    root = tmp_path / "proyecto"
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    shutil.copytree(ROOT / "params", root / "params")
    (root / "data").symlink_to(ROOT / "data")
    broken = root / "notebooks" / "06-administrativo.ipynb"
    nb = nbformat.read(broken, as_version=4)
    nb.cells.insert(4, nbformat.v4.new_code_cell('raise ValueError("tabla de contratación ilegible")'))
    nbformat.write(nb, broken)
    out = tmp_path / "2022"
    shutil.copytree(built_2022, out)
    before = snapshot(out)
    result = build("--year", "2022", "--out", str(out), cwd=root)
    assert result.returncode == 1
    assert "Falló la sección «Gestión administrativa» (06-administrativo.ipynb), celda" in result.stdout
    assert "ValueError: tabla de contratación ilegible" in result.stdout
    assert snapshot(out) == before
    assert not list(tmp_path.glob(".2022.*"))  # no staging left behind


def test_unchanged_inputs_skip_execution(built_2022):
    result = build("--year", "2022", "--out", str(built_2022))
    assert result.returncode == 0
    assert "Sin cambios" in result.stdout


def test_build_output_has_no_kernel_noise(built_2022):
    """Issue 13: kernels are shut down without the interrupt that printed
    ``[IPKernelApp] ERROR | KeyboardInterrupt caught in kernel.``"""
    log = (built_2022.parent / "build.log").read_text(encoding="utf-8")
    assert "Secciones" in log and "8 secciones ejecutadas" in log
    for noise in ("KeyboardInterrupt", "IPKernelApp", "Traceback", "ERROR"):
        assert noise not in log, noise
