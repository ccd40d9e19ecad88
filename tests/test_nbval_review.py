"""The review loop: nbval re-executes a committed notebook and fails when a figure was edited by hand."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

NOTEBOOK = ROOT / "outputs" / "2022" / "notebooks" / "01-resumen-ejecutivo.ipynb"


def nbval(path):
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval",
                           "--nbval-current-env", "--nbval-sanitize-with", str(ROOT / "tests" / "nbval-sanitize.cfg"),
                           str(path)], cwd=path.parent, capture_output=True, text=True)


@pytest.fixture()
def mirror(tmp_path):
    """The committed notebook at the same depth as in the repository, with data and params beside it."""
    target = tmp_path / "outputs" / "2022" / "notebooks"
    target.mkdir(parents=True)
    for name in ("data", "params"):
        (tmp_path / name).symlink_to(ROOT / name)
    copy = target / NOTEBOOK.name
    shutil.copy2(NOTEBOOK, copy)
    return copy


def test_committed_notebook_reproduces(mirror):
    result = nbval(mirror)
    assert result.returncode == 0, result.stdout[-2000:]


def test_hand_edited_figure_fails_review(mirror):
    text = mirror.read_text(encoding="utf-8")
    assert text.count("USD\u00a0155,67 millones") >= 2  # a number and its unit: a no-break space
    mirror.write_text(text.replace("USD\u00a0155,67 millones", "USD\u00a0165,67 millones"), encoding="utf-8")
    result = nbval(mirror)
    assert result.returncode == 1
    assert "155,67" in result.stdout and "165,67" in result.stdout
