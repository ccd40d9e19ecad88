"""Engine selection and the Quarto path, with a stand-in `quarto` executable (Quarto is not installable here)."""

from __future__ import annotations

import json
import stat

import pytest
import yaml

from conftest import ROOT
from informe.build.book import BookError, find_quarto, render_book, stage_sources
from informe.data.params import load_params

EXECUTED = ROOT / "outputs" / "2022" / "notebooks"


@pytest.fixture(scope="module")
def executed(built_2022):
    """Freshly executed notebooks: next to them, their tables' data (tablas/*.json) for the downloads."""
    return built_2022 / "notebooks"
INFO = {"built_at": "2026-11-22T03:00:00+00:00", "commit": "abc1234",
        "inputs": {"data/2022/estados_financieros.xlsx": "0" * 64}}

FAKE_QUARTO = """#!/bin/sh
# Records its arguments and writes what `quarto render --to FORMAT` writes into _book/.
echo "$@" >> "{log}"
src="$2"; fmt="$6"
mkdir -p "$src/_book"
if [ "$fmt" = "html" ]; then echo "<html>Informe</html>" > "$src/_book/index.html"; fi
if [ "$fmt" = "typst" ]; then printf '%%PDF-1.7 fake' > "$src/_book/Informe-de-Gestión.pdf"; fi
"""


@pytest.fixture()
def fake_quarto(tmp_path, monkeypatch):
    log = tmp_path / "quarto.log"
    exe = tmp_path / "quarto"
    exe.write_text(FAKE_QUARTO.format(log=log), encoding="utf-8")
    exe.chmod(exe.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("QUARTO", str(exe))
    return exe, log


def test_quarto_is_found_through_the_env_var_first(fake_quarto):
    assert find_quarto() == str(fake_quarto[0])


def test_quarto_engine_renders_the_staged_project_without_executing(fake_quarto, tmp_path, executed):
    out = tmp_path / "out"
    out.mkdir()
    result = render_book(ROOT, executed, tmp_path / "work", out, load_params(ROOT / "params" / "2022.yml"), INFO)
    assert result.engine == "quarto"
    assert (out / "book" / "index.html").exists() and (out / "informe-gestion-2022.pdf").exists()
    calls = fake_quarto[1].read_text(encoding="utf-8").splitlines()
    assert [c.split()[5] for c in calls] == ["html", "typst"]
    assert all("--profile build" in c and "--no-execute" in c for c in calls)


def test_staged_project_has_the_year_metadata_and_executed_notebooks(tmp_path, executed):
    params = load_params(ROOT / "params" / "2022.yml")
    src = stage_sources(ROOT, executed, tmp_path / "src", params, {**INFO, "engine": "Quarto"})
    profile = yaml.safe_load((src / "_quarto-build.yml").read_text(encoding="utf-8"))
    assert profile["informe"] == {"year": "2022", "cutoff": "31 de diciembre de 2022", "demo": False,
                                  "agency": params.agency}
    config = yaml.safe_load((src / "_quarto.yml").read_text(encoding="utf-8"))
    for chapter in config["book"]["chapters"]:
        assert (src / chapter).exists(), chapter
    assert (src / "notebooks" / "tablas" / "indicadores-de-inversion.csv").exists()
    assert "Colofón" in (src / "colofon.qmd").read_text(encoding="utf-8")
    nb = json.loads((src / "notebooks" / "01-resumen-ejecutivo.ipynb").read_text(encoding="utf-8"))
    assert any(c.get("outputs") for c in nb["cells"])  # executed, not the source notebook


def test_forcing_quarto_without_quarto_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("QUARTO", str(tmp_path / "no-existe"))
    with pytest.raises(BookError, match="no se encontró Quarto"):
        render_book(ROOT, EXECUTED, tmp_path / "w", tmp_path, load_params(ROOT / "params" / "2022.yml"), INFO,
                    engine="quarto")
