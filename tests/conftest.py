"""Shared fixtures: the real 2022 data and helpers to make broken copies of it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from informe.data.validation import validate_dir

ROOT = Path(__file__).resolve().parents[1]
DATA_2022 = ROOT / "data" / "2022"

# The chapters of the 2022 book (slug, title), in the order of the published Informe de Gestión 2022, with its
# chapter titles (params/2022.yml declares them) and the data-quality annex at the end.
CHAPTERS_2022 = [
    ("resumen-ejecutivo", "Resumen ejecutivo"),
    ("sobre-la-aci", "Sobre la ACI Medellín"),
    ("planeacion-estrategica", "Planeación estratégica"),
    ("plan-de-desarrollo", "Plan de Desarrollo Medellín Futuro"),
    ("inversion", "Atracción de inversión"),
    ("cooperacion", "Cooperación internacional"),
    ("posicionamiento", "Promoción de ciudad y comunicaciones"),
    ("valle-del-software", "Internacionalización del Valle del Software"),
    ("contratos-asociados", "Contratos suscritos con los asociados"),
    ("innovacion", "Innovación, DatACI y teletrabajo"),
    ("retos", "Retos 2020-2023 ACI Medellín"),
    ("administrativo", "Relaciones administrativas"),
    ("estados-financieros", "Gestión presupuestal y estados financieros"),
    ("anexo-calidad-datos", "Anexo: calidad de los datos"),
]
# A year whose params declare no chapters (the demo year 2023): the eight data chapters of
# src/informe/data/capitulos.yml.
CHAPTERS_DEFAULT = [
    ("resumen-ejecutivo", "Resumen ejecutivo"),
    ("plan-de-desarrollo", "Indicadores del Plan de Desarrollo"),
    ("inversion", "Atracción de inversión"),
    ("cooperacion", "Cooperación internacional"),
    ("posicionamiento", "Posicionamiento y comunicaciones"),
    ("administrativo", "Gestión administrativa"),
    ("estados-financieros", "Estados financieros"),
    ("anexo-calidad-datos", "Anexo: calidad de los datos"),
]


def section_names(chapters: list[tuple[str, str]]) -> list[str]:
    """The executed notebooks' names (without ``.ipynb``), ``NN-<slug>``: NN is the chapter's place in the book."""
    return [f"{n:02d}-{slug}" for n, (slug, _) in enumerate(chapters, start=1)]


SECTIONS_2022 = section_names(CHAPTERS_2022)
SECTIONS_2023 = section_names(CHAPTERS_DEFAULT)


@pytest.fixture(scope="session")
def report_2022():
    """Validation report of the committed 2022 data (read once per test session)."""
    return validate_dir(DATA_2022)


@pytest.fixture(scope="session")
def frames_2022(report_2022):
    return report_2022.data


def project_copy(root: Path, years: tuple[int, ...] = (2022,)) -> Path:
    """A project under ``root``: ``data/<year>`` and ``params/<year>.yml`` of each year copied (so that a data
    folder's report year comes from its params); returns ``root``."""
    (root / "params").mkdir(parents=True, exist_ok=True)
    for year in years:
        shutil.copytree(ROOT / "data" / str(year), root / "data" / str(year))
        shutil.copy(ROOT / "params" / f"{year}.yml", root / "params" / f"{year}.yml")
    return root


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


def probe_notebook(path: Path, code: str, heading: str | None = None) -> Path:
    """A small notebook at ``path`` for the kernel tests: a ``heading`` (Markdown), a ``parameters`` cell
    (``value = 0``), then ``code``."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell("value = 0")
    params.metadata["tags"] = ["parameters"]
    nb.cells = ([nbformat.v4.new_markdown_cell(heading)] if heading else []) + [params, nbformat.v4.new_code_cell(code)]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def build_env(**extra: str) -> dict[str, str]:
    """The environment of an analyst's shell (no inherited virtualenv PATH), plus ``extra``.

    Quarto, where it is found (``$QUARTO``, ``PATH`` or next to this Python), stays found: ``QUARTO`` and its
    directory pass through, wherever it is installed (``extra`` may set another ``QUARTO``).
    """
    from informe.publish.tools import find_quarto

    env = {"PATH": "/usr/bin:/bin", "COLUMNS": "160", "HOME": str(Path.home())}
    quarto = find_quarto()
    if quarto:
        env["QUARTO"] = quarto
        env["PATH"] = f"{Path(quarto).parent}:{env['PATH']}"
    return {**env, **extra}


def build(*args, cwd=ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run `informe build` as an analyst would (a fresh process, no inherited virtualenv PATH)."""
    return subprocess.run([sys.executable, "-m", "informe", "build", *args], cwd=cwd, capture_output=True,
                          text=True, env=env or build_env())


def start_build(*args, cwd=ROOT, **env: str) -> subprocess.Popen:
    """Start `informe build` in its own session (as a terminal would run it), without waiting."""
    return subprocess.Popen([sys.executable, "-m", "informe", "build", *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=build_env(**env), start_new_session=True)


@pytest.fixture(scope="session")
def built_2022(tmp_path_factory) -> Path:
    """The 2022 report built once per session into a temporary output directory."""
    out = tmp_path_factory.mktemp("build") / "2022"
    result = build("--year", "2022", "--out", str(out), "--engine", "pandoc")
    assert result.returncode == 0, result.stdout + result.stderr
    (out.parent / "build.log").write_text(result.stdout + result.stderr, encoding="utf-8")
    return out


@pytest.fixture(scope="session")
def built_2023(tmp_path_factory) -> Path:
    """The demo year built once per session."""
    out = tmp_path_factory.mktemp("build") / "2023"
    result = build("--year", "2023", "--out", str(out), "--engine", "pandoc")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "DATOS DE DEMOSTRACIÓN" in result.stdout
    return out
