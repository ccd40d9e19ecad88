"""`informe build`: executed section notebooks, seed figures in them, atomic publication."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml

from conftest import CHAPTERS_2022, CHAPTERS_DEFAULT, ROOT, SECTIONS_2022, SECTIONS_2023, build, set_cell
from informe.data.params import load_params
from informe.report.display import strip_sources

SECTIONS = SECTIONS_2022


def outputs_text(notebook: Path) -> str:
    """Everything the book prints of an executed notebook: its outputs' Markdown (tables, texts, charts' captions)."""
    nb = nbformat.read(notebook, as_version=4)
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("data", {}).get("text/markdown", ""))
    return strip_sources("\n".join(parts))  # each number without its source span (tests/test_traceability.py)


def error_outputs(notebook: Path) -> list:
    nb = nbformat.read(notebook, as_version=4)
    return [o for c in nb.cells for o in c.get("outputs", [])
            if o.get("output_type") == "error" or o.get("name") == "stderr"]


@pytest.fixture(scope="session")
def texts_2022(built_2022) -> dict[str, str]:
    # A number and its unit are joined by a no-break space («USD 155,67 millones», «87,5 %»; tested in
    # test_reading_defects): read here as the published report's plain space.
    return {name: outputs_text(built_2022 / "notebooks" / f"{name}.ipynb").replace("\u00a0", " ")
            for name in SECTIONS}


def test_the_years_declare_their_chapters():
    """2022 declares the chapters of its published edition; 2023 declares none and gets the eight data chapters."""
    for year, chapters in ((2022, CHAPTERS_2022), (2023, CHAPTERS_DEFAULT)):
        params = load_params(ROOT / "params" / f"{year}.yml")
        assert [(c.slug, c.title) for c in params.chapters] == chapters, year
    assert "chapters" not in yaml.safe_load((ROOT / "params" / "2023.yml").read_text(encoding="utf-8"))


def test_every_section_is_executed_without_errors(built_2022):
    for name in SECTIONS:
        path = built_2022 / "notebooks" / f"{name}.ipynb"
        assert path.exists(), name
        assert error_outputs(path) == [], name
    assert sorted(p.stem for p in (built_2022 / "notebooks").glob("*.ipynb")) == SECTIONS
    info = json.loads((built_2022 / "build-info.json").read_text(encoding="utf-8"))
    assert info["year"] == 2022 and set(info["notebooks"]) == {f"{n}.ipynb" for n in SECTIONS}
    assert "data/2022/estados_financieros.xlsx" in info["inputs"]
    # Each chapter ran its declared notebook; a chapter without one (text only) ran the generic texto.ipynb.
    declared = {c.slug: c.notebook for c in load_params(ROOT / "params" / "2022.yml").chapters}
    for name, (slug, title) in zip(SECTIONS, CHAPTERS_2022):
        section = info["sections"][f"{name}.ipynb"]
        assert section["title"] == title, name
        assert section["notebook"] == f"{declared[slug] or 'texto'}.ipynb", name
    assert [n for n, (slug, _) in zip(SECTIONS, CHAPTERS_2022) if not declared[slug]] == [
        "02-sobre-la-aci", "08-valle-del-software", "09-contratos-asociados", "10-innovacion", "11-retos"]


def test_each_chapter_opens_with_its_title(texts_2022):
    """The chapter's title (params/2022.yml) is the first thing its notebook prints, as a numbered heading."""
    for name, (_, title) in zip(SECTIONS, CHAPTERS_2022):
        first = texts_2022[name].lstrip().splitlines()[0]
        assert first == f"# {title}", name


def test_executed_notebooks_show_only_what_the_book_prints(built_2022):
    """No cell result is echoed (a cell ending in ``capitulo.add(...)`` printed the whole chapter object, the
    year's data frames included, as plain text): every output is a table, a text or a chart."""
    for name in SECTIONS:
        nb = nbformat.read(built_2022 / "notebooks" / f"{name}.ipynb", as_version=4)
        echoed = [(i, o["data"]["text/plain"][:80]) for i, c in enumerate(nb.cells) for o in c.get("outputs", [])
                  if o.get("output_type") == "execute_result"]
        assert echoed == [], name


def test_executive_summary_has_the_headline_figures(texts_2022):
    text = texts_2022["01-resumen-ejecutivo"]
    # The analysts' text, transcribed from the published summary, with the figures cited from the data.
    for sentence in ("Reportamos para la ciudad USD 7,43 millones en proyectos de cooperación internacional y "
                     "USD 155,67 millones en inversión extranjera directa.",
                     "- 24 empresas extranjeras reportaron nuevos proyectos de inversión y reinversión en Medellín.",
                     "Realizamos 11 eventos “Por qué Medellín”",
                     "Sos Paisa 12 aportes de conocimiento",
                     "Desarrollamos 76 agendas de trabajo atendiendo a 490 validadores",
                     "55 de los cuales se consideran VIP",
                     "Hicimos 20 postulaciones de las buenas prácticas de Medellín a 13 premios internacionales",
                     "Atendimos a 57 periodistas internacionales",
                     "Alcaldía de Medellín en 14 eventos internacionales de los cuales 5 contaron con la "
                     "participación del alcalde"):
        assert sentence in text, sentence
    # The headline table, placed by the text.
    for row in ("| Inversión nacional y extranjera reportada | USD 155,67 millones |",
                "| Empresas con nuevos proyectos de inversión o reinversión | 24 |",
                "| Valor contratado (plan anual de adquisiciones) | \\$1.615.131.603 |", "| PQRS atendidas | 96 |",
                "| Activo total | \\$5.509.310.977 |", "| Liquidez (activo corriente / pasivo corriente) | 8,06 |"):
        assert row in text, row
    assert text.index("Estas son las cifras principales de la gestión 2022:") < text.index(
        "| Inversión nacional y extranjera reportada |") < text.index("Los principales hitos de la ACI")
    # The generated bullets stand in for the text only when a year has none: not printed here.
    assert "**24** empresas" not in text and "Principales resultados de la gestión del año" not in text


def test_plan_section(texts_2022):
    text = texts_2022["04-plan-de-desarrollo"]
    assert "| PI-01 |" in text and "155,67" in text and "744,16" in text
    # 744,16 of 850 = 87,5 % of the period goal
    assert "87,5 %" in text
    # The published text's own table of the plan's goals, as the analysts typed it.
    assert ("| Resultado | Monto de inversión nacional y extranjera reportada para el desarrollo y la competitividad "
            "| Millones de USD | 850 |") in text
    assert "## Línea Estratégica 1. Reactivación Económica y Valle Del Software" in text


def test_investment_and_cooperation_sections(texts_2022):
    assert "Ultra Air" in texts_2022["05-inversion"] and "Servicios de tecnología" in texts_2022["05-inversion"]
    assert "| **Total** | **15** |" in texts_2022["05-inversion"]
    coop = texts_2022["06-cooperacion"]
    assert "7,43" in coop and "Ayuntamiento de Barcelona" in coop and "Brasil" in coop


def test_financial_statements_with_true_variations(texts_2022):
    text = texts_2022["13-estados-financieros"]
    assert "\\$5.509.310.977" in text
    assert "(\\$382.871.509)" in text  # true Var $ of current assets (the seed printed 1.814.986.124)
    assert "\\$96.451.104" in text  # true Var $ of non-current assets (the seed printed 1.432.114.614)
    assert "| Liquidez | Activo corriente / pasivo corriente | 8,06 |" in text
    assert "3,79" in text and "\\$4.618,83 millones" in text  # published in millions: $4,618.83 (9.10.4)


def test_administration_section(texts_2022):
    text = texts_2022["12-administrativo"]
    assert "**\\$1.615.131.603**" in text and "| **Total** | **96** |" in text
    # the published chapter's headings, from its text
    assert "## Gestión jurídica" in text and "### Seguimiento a las PQRS" in text


def test_quality_annex_lists_findings_with_both_sides(texts_2022):
    text = texts_2022["14-anexo-calidad-datos"]
    assert "publicada −1.814.986.124" in text and "calculada −382.871.509" in text  # U+2212
    assert "Advertencia" in text


def test_text_only_chapters_print_their_published_text(texts_2022):
    """A chapter without tables (texto.ipynb) prints its title and the year's text, nothing else."""
    retos = texts_2022["11-retos"]
    assert retos.lstrip().startswith("# Retos 2020-2023 ACI Medellín\n")
    # Headings carry an id of their chapter (retos-…): the same heading in another chapter is another anchor.
    for line in ("## Inversión {#retos-inversion}", "## Cooperación {#retos-cooperacion}",
                 "- Promover el banco de proyectos de inversión."):
        assert line in retos.splitlines(), line
    assert "{{" not in "".join(texts_2022.values())  # every marker and citation was replaced


def test_demo_year_notebooks_say_so_and_compare_with_2022(built_2023):
    assert sorted(p.stem for p in (built_2023 / "notebooks").glob("*.ipynb")) == SECTIONS_2023
    for name, (_, title) in zip(SECTIONS_2023, CHAPTERS_DEFAULT):
        assert outputs_text(built_2023 / "notebooks" / f"{name}.ipynb").lstrip().startswith(f"# {title}\n"), name
    for name in SECTIONS_2023:
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
    broken = root / "notebooks" / "06-administrativo.ipynb"  # the notebook of «Relaciones administrativas»
    nb = nbformat.read(broken, as_version=4)
    assert "Capitulo(report, chapter)" in nb.cells[1].source  # the setup cell; the chapter's blocks follow
    nb.cells.insert(2, nbformat.v4.new_code_cell('raise ValueError("tabla de contratación ilegible")'))
    nbformat.write(nb, broken)
    out = tmp_path / "2022"
    shutil.copytree(built_2022, out)
    before = snapshot(out)
    result = build("--year", "2022", "--out", str(out), cwd=root)
    assert result.returncode == 1
    # The chapter's title and executed notebook (params/2022.yml, 12th chapter), and the source notebook.
    assert re.search(r"Falló la sección «Relaciones administrativas» \(12-administrativo\.ipynb, cuaderno "
                     r"06-administrativo\.ipynb\), celda \d+: ", result.stdout), result.stdout
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
    assert "Secciones" in log and f"{len(SECTIONS)} secciones ejecutadas" in log
    for noise in ("KeyboardInterrupt", "IPKernelApp", "Traceback", "ERROR"):
        assert noise not in log, noise
