"""`informe diff OLD NEW`: each published figure that changed between two builds, and the exit code."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from conftest import CHAPTERS_2022, ROOT
from informe.publish.diff import DiffInputError, diff_builds, parse_markdown
from informe.fmt import format_cop
from variant_build import PROCUREMENT_DELTA, PROCUREMENT_TOTAL, variant_2022

PUBLISHED = ROOT / "outputs" / "2022" / "notebooks"
TITLES = dict(CHAPTERS_2022)
# Each change names the chapter by its title (params/2022.yml), then the table by its caption.
ADMINISTRATION = "12-administrativo.ipynb"  # «Relaciones administrativas», the 12th chapter of 2022
PROCUREMENT = f"{TITLES['administrativo']} › Contratación por modalidad (plan anual de adquisiciones)"


def run_diff(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "informe", "diff", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, env={"PATH": "/usr/bin:/bin", "COLUMNS": "300"})


def edit_markdown(notebook: Path, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` in the Markdown outputs of a notebook (once, where it is found)."""
    nb = nbformat.read(notebook, as_version=4)
    found = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if old in data.get("text/markdown", ""):
                data["text/markdown"] = data["text/markdown"].replace(old, new)
                found += 1
    assert found, old
    nbformat.write(nb, notebook)


@pytest.fixture()
def copy(tmp_path) -> Path:
    target = tmp_path / "nuevo" / "notebooks"
    shutil.copytree(PUBLISHED, target, ignore=shutil.ignore_patterns("tablas"))
    return target


def test_identical_builds_exit_0(copy):
    result = run_diff(PUBLISHED, copy)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Sin cambios" in result.stdout


def test_one_changed_figure_is_reported_with_section_table_row_and_column(copy):
    new_total = PROCUREMENT_TOTAL + 1_000
    # the total, bold, with its source span («**[\$1.615.131.603]{.fuente data-fuente="…"}**»)
    edit_markdown(copy / ADMINISTRATION, "**[\\" + format_cop(PROCUREMENT_TOTAL) + "]{",
                  "**[\\" + format_cop(new_total) + "]{")
    result = run_diff(PUBLISHED, copy.parent)  # an output folder holding notebooks/ works too
    assert result.returncode == 1, result.stdout + result.stderr
    expected = f"{PROCUREMENT} › Total › Valor (COP): {format_cop(PROCUREMENT_TOTAL)} → {format_cop(new_total)}"
    assert result.stdout.splitlines()[0] == expected
    assert "1 cambio(s)" in result.stdout


def test_changed_text_figure_and_removed_row(copy):
    # The summary's text, transcribed from the published report: «Veinticuatro (24) empresas extranjeras
    # reportaron nuevos proyectos de inversión y reinversión en Medellín», the figure cited from the data.
    sentence = "empresas extranjeras reportaron nuevos proyectos de inversión y reinversión en Medellín."
    edit_markdown(copy / "01-resumen-ejecutivo.ipynb", f"- 24 {sentence}", f"- 25 {sentence}")
    edit_markdown(copy / ADMINISTRATION, "| Subasta inversa |", "| Subasta directa |")
    changes = diff_builds(str(PUBLISHED), str(copy))
    [text] = [c for c in changes if c.startswith(f"{TITLES['resumen-ejecutivo']} › texto")]
    assert text == f"{TITLES['resumen-ejecutivo']} › texto: «24 {sentence}» → «25 {sentence}»"
    assert any(c.startswith(f"{PROCUREMENT} › Subasta inversa: fila eliminada") for c in changes)
    assert any(c.startswith(f"{PROCUREMENT} › Subasta directa: fila nueva") for c in changes)


def test_unusable_arguments_exit_2(tmp_path):
    assert run_diff(tmp_path / "no-existe", PUBLISHED).returncode == 2
    (tmp_path / "vacia").mkdir()
    result = run_diff(tmp_path / "vacia", PUBLISHED)
    assert result.returncode == 2 and "no contiene cuadernos" in result.stderr
    assert "Traceback" not in result.stderr
    with pytest.raises(DiffInputError):
        diff_builds("git:", str(PUBLISHED))


def test_committed_notebooks_through_git():
    tracked = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "outputs/2022/notebooks"],
                             capture_output=True, text=True)
    if tracked.returncode or tracked.stdout.strip():
        pytest.skip("outputs/2022/notebooks differs from HEAD in this clone")
    result = run_diff("git:HEAD", "outputs/2022/notebooks")
    assert result.returncode == 0, result.stdout + result.stderr
    assert run_diff("git:HEAD:outputs/2022/notebooks", PUBLISHED).returncode == 0
    assert run_diff("git:no-existe-esta-revision", "outputs/2022/notebooks").returncode == 2


def test_two_real_builds(built_2022, tmp_path_factory):
    """A workbook value changed: the figures it feeds, and only those, are reported."""
    variant = variant_2022(tmp_path_factory.getbasetemp())
    result = run_diff(built_2022, variant)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    direct = 1_239_870_769  # «Contratación directa», published
    for line in (
        f"{PROCUREMENT} › Contratación directa › Valor (COP): {format_cop(direct)} → {format_cop(direct + PROCUREMENT_DELTA)}",
        f"{PROCUREMENT} › Total › Valor (COP): {format_cop(PROCUREMENT_TOTAL)} → "
        f"{format_cop(PROCUREMENT_TOTAL + PROCUREMENT_DELTA)}",
        f"{TITLES['resumen-ejecutivo']} › Cifras principales 2022 › Valor contratado (plan anual de "
        f"adquisiciones) › 2022: {format_cop(PROCUREMENT_TOTAL)} → {format_cop(PROCUREMENT_TOTAL + PROCUREMENT_DELTA)}",
    ):
        assert line in lines, line
    assert not any(line.startswith(TITLES["estados-financieros"]) for line in lines)
    # Every change is named by its chapter's title: the procurement total moves the summary, the administration
    # chapter and the annex's check of that total; the four renamed projects, the investment chapter.
    assert {line.split(" › ")[0] for line in lines if " › " in line} == {
        TITLES[slug] for slug in ("resumen-ejecutivo", "inversion", "administrativo", "anexo-calidad-datos")}


def test_parse_markdown_table_caption_and_text():
    tables, lines = parse_markdown("Hay **3** filas.\n\n| A | B |\n|:--|--:|\n| x \\| y | **\\$1** |\n\n"
                                   ": Título \\{1\\} {#tbl-titulo-1}\n")
    [table] = tables
    assert table.title == "Título {1}" and table.header == ["A", "B"] and table.rows == [["x | y", "$1"]]
    assert lines == ["Hay 3 filas."]


def test_nbdime_shows_notebook_diffs_cell_by_cell(tmp_path):
    """`.gitattributes` + scripts/nbdime-git.sh: `git diff` of a notebook is nbdime's, without an active venv."""
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    shutil.copy2(ROOT / ".gitattributes", repo / ".gitattributes")
    shutil.copy2(ROOT / "scripts" / "nbdime-git.sh", repo / "scripts" / "nbdime-git.sh")
    (repo / ".venv").mkdir()
    (repo / ".venv" / "nbdime").symlink_to(ROOT / ".venv" / "nbdime")  # nbdime's own environment (bootstrap.sh)
    notebook = repo / ADMINISTRATION
    shutil.copy2(PUBLISHED / ADMINISTRATION, notebook)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "GIT_CONFIG_NOSYSTEM": "1"}

    def git(*args):
        return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env=env)

    git("init", "-q")
    git("add", "-A")
    assert git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x").returncode == 0
    setup = subprocess.run(["bash", "scripts/nbdime-git.sh"], cwd=repo, capture_output=True, text=True, env=env)
    assert setup.returncode == 0 and "nbdime configurado" in setup.stdout, setup.stderr
    edit_markdown(notebook, "[\\" + format_cop(PROCUREMENT_TOTAL) + "]", "[\\" + format_cop(PROCUREMENT_TOTAL + 1) + "]")
    diff = git("diff", "--no-color", "--", notebook.name)
    assert diff.returncode == 0, diff.stderr
    assert "## modified /cells/" in diff.stdout and "text/markdown" in diff.stdout
    assert format_cop(PROCUREMENT_TOTAL + 1).replace("$", "\\$") in diff.stdout


def test_text_inside_html_only_blocks_is_compared():
    """Chart descriptions sit in ::: divs: their figures are text like any other; download links are not."""
    markdown = ('::: {.content-visible when-format="html"}\n::: {.chart-description #desc-x}\n'
                "**Descripción del gráfico.** 28 PQRS de Relaciones. Datos del gráfico: [XLSX](tablas/x.xlsx)\n"
                ":::\n:::\n\n| A |\n|:--|\n| b |\n\n: T {#tbl-t}\n\n"
                '::: {.content-visible when-format="html"}\n'
                "[Descargar: [XLSX](tablas/t.xlsx) · [CSV para Excel](tablas/t-excel.csv)]{.descargas}\n:::\n")
    tables, lines = parse_markdown(markdown)
    assert [t.title for t in tables] == ["T"]
    assert lines == ["Descripción del gráfico. 28 PQRS de Relaciones. Datos del gráfico: XLSX"]
