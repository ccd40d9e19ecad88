"""The command line: --version, the default year, and Spanish help and usage errors."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from conftest import ROOT
from informe import cli
from informe.cli_spanish import translate

COMMANDS = ["validate", "template", "contract-doc", "build", "diff", "new-year"]
ENGLISH = ["Usage:", "Options", "Arguments", "Commands", "Show this message", "[default:", "[required]",
           "<bool>", "<path>", "<str>", "[OPTIONS]", "COMMAND [ARGS]"]


def run_cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "informe", *args], cwd=cwd, capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "COLUMNS": "200"})


def test_version_comes_from_the_package_metadata():
    expected = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    for flag in ("--version", "-V"):
        result = run_cli(flag)
        assert result.returncode == 0 and result.stdout.strip() == f"informe {expected}"


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_is_in_spanish(command):
    result = run_cli(*([command] if command else []), "--help")
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "Uso: informe" in text and "Opciones" in text and "Muestra esta ayuda y termina." in text
    for word in ENGLISH:
        assert word not in text, (command, word)


def test_usage_errors_are_in_spanish():
    result = run_cli("build", "--no-existe")
    assert result.returncode == 2
    assert "No existe la opción --no-existe" in result.stderr and "para ver la ayuda" in result.stderr
    result = run_cli("validate", "--year", "dos mil")
    assert result.returncode == 2 and "Valor inválido para '--year'" in result.stderr
    assert "se esperaba un número entero" in result.stderr
    result = run_cli("comando-inexistente")
    assert result.returncode == 2 and "No existe el comando «comando-inexistente»" in result.stderr
    result = run_cli("diff", "a")
    assert result.returncode == 2 and "Falta el argumento DESPUÉS" in result.stderr


def test_translate_leaves_unknown_messages():
    assert translate("algo distinto") == "algo distinto"
    assert translate("No such option: --x (Possible options: --out, --jobs)") == \
        "No existe la opción --x (opciones posibles: --out, --jobs)."


def make_project(tmp_path: Path, years: dict[int, bool]) -> Path:
    """A project folder with data/<year>/ and params/<year>.yml (``demo`` as given) for each year."""
    for year, demo in years.items():
        (tmp_path / "data" / str(year)).mkdir(parents=True)
        (tmp_path / "params").mkdir(exist_ok=True)
        text = (ROOT / "params" / "2022.yml").read_text(encoding="utf-8")
        text = re.sub(r"(?m)^demo: .*$", f"demo: {'true' if demo else 'false'}", text)
        (tmp_path / "params" / f"{year}.yml").write_text(text.replace("year: 2022", f"year: {year}"),
                                                         encoding="utf-8")
    return tmp_path


def test_latest_real_year_skips_demo_years_and_years_without_data(tmp_path):
    project = make_project(tmp_path, {2021: False, 2022: False, 2023: True})
    (project / "params" / "2024.yml").write_text("year: 2024\ndemo: false\n", encoding="utf-8")  # no data/2024
    assert cli.latest_real_year(project) == 2022
    assert cli.latest_real_year(make_project(tmp_path / "solo-demo", {2023: True})) is None


def test_year_defaults_to_the_latest_real_year_and_says_so(tmp_path):
    project = tmp_path / "proyecto"
    shutil.copytree(ROOT / "data", project / "data")
    shutil.copytree(ROOT / "params", project / "params")
    result = run_cli("validate", cwd=project)
    assert "Año no indicado: se usa 2022 (el último año con datos reales)." in result.stdout
    assert result.returncode == 0, result.stdout + result.stderr
    assert "data/2022" in result.stdout or "2022" in result.stdout


def test_no_real_year_is_a_clear_error(tmp_path):
    project = make_project(tmp_path, {2023: True})
    result = run_cli("build", cwd=project)
    assert result.returncode == 2
    assert "no hay ningún año con datos reales" in result.stderr and "--year" in result.stderr
    assert "Traceback" not in result.stderr


def test_exit_code_constant_matches_validation():
    from informe.data.validation import EXIT_UNUSABLE

    assert cli.EXIT_UNUSABLE == EXIT_UNUSABLE


def test_the_cli_changes_typers_words_without_an_import_hook():
    """typer's help screens and error panels are made Spanish through the attributes of typer.rich_utils, imported
    with the CLI (0,05 s), never by a finder planted in sys.meta_path (issue 24: no import hooks)."""
    code = ("import sys; before = list(sys.meta_path); import informe.cli; "
            "print(sys.meta_path == before); import typer.rich_utils as r; print(r.OPTIONS_PANEL_TITLE)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "Opciones"]
