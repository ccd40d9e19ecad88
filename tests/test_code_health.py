"""Code health (issue 24): ruff and mypy find nothing in src/, with the rule set pyproject.toml declares and
justifies. Both run here, so `make test` (the README's test command, and CI's) runs them."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

from conftest import ROOT

BIN = Path(sys.executable).parent


def run(tool: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / tool), *args], cwd=ROOT, capture_output=True, text=True)


def test_ruff_finds_nothing_in_src():
    result = run("ruff", "check", "--no-cache", "src")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_nothing_in_src():
    result = run("mypy", "--no-incremental")  # files = ["src"] in pyproject.toml
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success: no issues found" in result.stdout


def test_the_rule_set_is_declared_and_the_tools_pinned():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    lint = config["tool"]["ruff"]["lint"]
    assert {"E", "W", "F", "I", "B", "UP"} <= set(lint["select"])
    assert config["tool"]["mypy"]["files"] == ["src"]
    dev = config["project"]["optional-dependencies"]["dev"]
    assert any(d.startswith("ruff==") for d in dev) and any(d.startswith("mypy==") for d in dev)


def test_ruff_reports_a_finding_it_is_given(tmp_path):
    """The check can fail: an unused import and a mutable default are findings under the project's rules."""
    bad = tmp_path / "malo.py"
    bad.write_text("import os\n\n\ndef f(x=[]):\n    return x\n", encoding="utf-8")
    result = run("ruff", "check", "--no-cache", "--config", str(ROOT / "pyproject.toml"), str(bad))
    assert result.returncode == 1 and "F401" in result.stdout and "B006" in result.stdout, result.stdout
