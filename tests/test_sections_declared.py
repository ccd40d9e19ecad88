"""A section is declared once, in notebooks/secciones.yml (issue 24), and everything that names sections agrees with
it: the notebooks folder, the chapters of every year and of capitulos.yml, the root _quarto.yml, the kernels'
preload, the sheets a build recorded, the blocks each notebook adds, docs/secciones.md."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil

import pytest
import yaml

from conftest import ROOT
from informe.data.params import load_params
from informe.publish import forkkernel
from informe.publish.pipeline import TEXT_NOTEBOOK, BuildPlan
from informe.publish.sections import (SectionError, declared_sections, quarto_chapters, section_modules,
                                      sections_markdown)
from informe.report.figures import computed_figures

DECLARED = declared_sections(ROOT)
DEFAULT_CHAPTERS = yaml.safe_load((ROOT / "src" / "informe" / "data" / "capitulos.yml").read_text("utf-8"))["chapters"]


def _code(notebook: str) -> str:
    cells = json.loads((ROOT / "notebooks" / f"{notebook}.ipynb").read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


def test_every_notebook_is_declared_and_every_declaration_has_its_notebook():
    assert set(DECLARED) == {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert TEXT_NOTEBOOK in DECLARED


def test_every_chapter_names_a_declared_section():
    named = {c["notebook"] for c in DEFAULT_CHAPTERS if c.get("notebook")}
    for params in sorted((ROOT / "params").glob("*.yml")):
        named |= {c.notebook for c in load_params(params).chapters if c.notebook}
    assert named <= set(DECLARED), named - set(DECLARED)


def test_the_root_quarto_book_lists_the_default_chapters():
    config = yaml.safe_load((ROOT / "_quarto.yml").read_text(encoding="utf-8"))
    assert config["book"]["chapters"] == quarto_chapters(DEFAULT_CHAPTERS)


def test_the_kernels_preload_every_section_module():
    preload = forkkernel.preload_modules(ROOT)
    assert set(section_modules(ROOT)) <= set(preload)
    assert preload[: len(forkkernel.PRELOAD)] == forkkernel.PRELOAD  # the libraries first, then the sections


@pytest.mark.parametrize("notebook", [n for n in DECLARED if n != TEXT_NOTEBOOK])
def test_a_notebook_adds_exactly_its_declared_blocks(notebook):
    added = re.findall(r'capitulo\.add\(\s*"([^"]+)"', _code(notebook))
    assert tuple(added) == DECLARED[notebook].blocks
    assert f"from informe.report.sections import" in _code(notebook)
    module = DECLARED[notebook].module.rsplit(".", 1)[1]
    assert re.search(rf"from informe\.report\.sections import [\w, ]*\b{module}\b", _code(notebook))


def _citable_sheets() -> set[tuple[str, str]]:
    """What a chapter's text may cite besides its tables (docs/cifras-citables.md): every «Cifras» sheet, the plan's
    indicators and goals, the detail sheets of the computed figures, the statements (lines and indicators)."""
    sheets = {(spec.workbook, spec.sheet) for spec in computed_figures().values() if spec.sheet}
    sheets |= {(book, "Cifras") for book in ("inversion.xlsx", "cooperacion.xlsx", "posicionamiento.xlsx",
                                             "administrativo.xlsx")}
    sheets |= {("plan_desarrollo.xlsx", s) for s in ("Indicadores", "Metas", "Plan", "Catálogos", "Conciliaciones")}
    sheets |= {("estados_financieros.xlsx", s) for s in ("Situación financiera", "Resultados", "Indicadores publicados")}
    return sheets


def test_what_a_build_read_is_what_its_sections_declare(built_2022):
    info = json.loads((built_2022 / "build-info.json").read_text(encoding="utf-8"))
    citable = _citable_sheets()
    checked = 0
    for name, section in info["sections"].items():
        declared = DECLARED[section["notebook"].removesuffix(".ipynb")]
        for _tag, book, sheet in section["reads"]:
            if book == "*" and sheet.startswith("texto:"):
                continue  # the chapter's own text
            assert declared.may_read(book, sheet) or (book, sheet) in citable, (name, book, sheet)
            checked += 1
    assert checked > 50


def test_docs_list_the_declared_sections():
    assert (ROOT / "docs" / "secciones.md").read_text(encoding="utf-8") == sections_markdown(ROOT)


def test_a_chapter_with_an_undeclared_notebook_is_refused(tmp_path):
    (tmp_path / "notebooks").mkdir()
    shutil.copy2(ROOT / "notebooks" / "secciones.yml", tmp_path / "notebooks" / "secciones.yml")
    shutil.copy2(ROOT / "notebooks" / "03-inversion.ipynb", tmp_path / "notebooks" / "10-nueva.ipynb")
    params = load_params(ROOT / "params" / "2022.yml")
    chapter = dataclasses.replace(params.chapters[0], slug="nueva", notebook="10-nueva")
    params = dataclasses.replace(params, chapters=(chapter,))
    plan = BuildPlan(2022, tmp_path, tmp_path / "data" / "2022", tmp_path / "params" / "2022.yml", tmp_path / "out")
    problems = plan.plan_chapters(params)
    assert problems == ["params/2022.yml, capítulo «nueva»: el cuaderno notebooks/10-nueva.ipynb no está declarado "
                        "en notebooks/secciones.yml; declárelo allí (módulo, hojas que lee, bloques)"]


def test_a_broken_declaration_names_its_entry(tmp_path):
    (tmp_path / "notebooks").mkdir()
    text = (ROOT / "notebooks" / "secciones.yml").read_text(encoding="utf-8")
    (tmp_path / "notebooks" / "secciones.yml").write_text(text.replace("module: informe.report.sections.plan",
                                                                       "modulo: informe.report.sections.plan"), "utf-8")
    with pytest.raises(SectionError, match=r"secciones\.yml, sections\.1\.module"):
        declared_sections(tmp_path)


def test_the_preview_s_watch_map_derives_from_the_declaration(tmp_path):
    """What `informe preview` says a changed workbook feeds comes from notebooks/secciones.yml: a section that stops
    declaring a workbook stops being announced for it."""
    from informe.publish.preview import watch_map

    feeds = watch_map(ROOT, ROOT / "params" / "2022.yml")
    declared = declared_sections(ROOT)
    params = load_params(ROOT / "params" / "2022.yml")
    for workbook in ("inversion.xlsx", "posicionamiento.xlsx"):
        assert feeds[workbook] == [c.title for c in params.chapters if c.notebook and (
            workbook in declared[c.notebook].reads or "*" in declared[c.notebook].reads)]
    root = tmp_path / "proyecto"
    (root / "notebooks").mkdir(parents=True)
    text = (ROOT / "notebooks" / "secciones.yml").read_text(encoding="utf-8")
    edited = text.replace("      posicionamiento.xlsx: [Cifras, Premios]\n", "", 1)
    assert edited != text
    (root / "notebooks" / "secciones.yml").write_text(edited, encoding="utf-8")
    summary = params.chapter("resumen-ejecutivo").title
    assert summary in feeds["posicionamiento.xlsx"]
    assert summary not in watch_map(root, ROOT / "params" / "2022.yml")["posicionamiento.xlsx"]
