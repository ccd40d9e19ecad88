"""Issue 8 (6): params/<year>.yml is checked against a schema; messages name file and key."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from informe.data.params import ParamsError, load_params
from informe.data.validation import EXIT_ERRORS, validate_dir

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def params_2022(tmp_path) -> Path:
    folder = tmp_path / "params"
    folder.mkdir()
    return Path(shutil.copy(ROOT / "params" / "2022.yml", folder / "2022.yml"))


def rewrite(path: Path, old: str, new: str) -> Path:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_the_committed_params_load():
    p = load_params(ROOT / "params" / "2022.yml", expected_year=2022)
    assert (p.year, p.cutoff, p.demo, p.exchange_rate) == (2022, dt.date(2022, 12, 31), False, 4810.20)
    assert load_params(ROOT / "params" / "2023.yml").exchange_rate is None  # optional for the demo year


@pytest.mark.parametrize("old, new, key, words", [
    ("year: 2022", "year: true", "year", "número entero"),
    ("year: 2022", "year: '2022'", "year", "número entero"),
    ("year: 2022", "year: 2021", "year", "dice 2021 pero el archivo es del año 2022"),
    ("agency: ", "agency: null #", "agency", "texto no vacío"),
    ("agency: ", "agency: '  ' #", "agency", "texto no vacío"),
    ("cop_per_usd: 4810.20", "cop_per_usd: -4810.20", "exchange_rate.cop_per_usd", "número positivo"),
    ("cop_per_usd: 4810.20", "cop_per_usd: .nan", "exchange_rate.cop_per_usd", "número positivo"),
    ("cop_per_usd: 4810.20", "cop_per_usd: .inf", "exchange_rate.cop_per_usd", "número positivo"),
    ("cop_per_usd: 4810.20", "cop_per_usd: true", "exchange_rate.cop_per_usd", "número positivo"),
    ("cutoff: 2022-12-31", "cutoff: 2022-02-30", "cutoff", "no es una fecha posible"),
    ("cutoff: 2022-12-31", "cutoff: 2021-06-30", "cutoff", "no está en el año del informe"),
    ("demo: false", "demo: 'no'", "demo", "true o false"),
    ('- name: "Luisa Fernanda Márquez Ruíz"', '- name: ""', "signatories.name", "texto no vacío"),
])
def test_bad_values_name_file_and_key(params_2022, old, new, key, words):
    rewrite(params_2022, old, new)
    with pytest.raises(ParamsError) as info:
        load_params(params_2022)
    message = str(info.value)
    assert f"params/2022.yml, clave «{key}»" in message and words in message
    assert key in [k for k, _m in info.value.problems]


def test_expected_year_wins_over_the_file_name(params_2022):
    with pytest.raises(ParamsError, match="el archivo es del año 2023"):
        load_params(params_2022, expected_year=2023)


def test_not_a_mapping_and_broken_yaml(params_2022):
    params_2022.write_text("- 1\n- 2\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="conjunto de claves"):
        load_params(params_2022)
    params_2022.write_text("year: [2022\n", encoding="utf-8")
    with pytest.raises(ParamsError, match="YAML inválido"):
        load_params(params_2022)


def test_validate_reports_params_of_a_project_folder(tmp_path):
    shutil.copytree(ROOT / "data" / "2022", tmp_path / "data" / "2022")
    (tmp_path / "params").mkdir()
    rewrite(Path(shutil.copy(ROOT / "params" / "2022.yml", tmp_path / "params" / "2022.yml")),
            "year: 2022", "year: true")
    report = validate_dir(tmp_path / "data" / "2022")
    assert report.exit_code == EXIT_ERRORS
    [p] = report.errors
    assert (p.file, p.column) == ("params/2022.yml", "year")
