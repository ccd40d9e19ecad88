"""Rebuild only what changed: per-section inputs recorded at execution, a fingerprint that cannot lie."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import nbformat
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from conftest import CHAPTERS_2022, ROOT, SECTIONS_2022, build, build_env, set_cell
from informe.report.display import strip_sources
from informe.report.report import load_report
from informe.publish.pipeline import BuildPlan, section_fingerprint
from informe.publish.tools import environment

SECTIONS = SECTIONS_2022
SUMMARY, POSITIONING, ANNEX = "01-resumen-ejecutivo", "07-posicionamiento", "14-anexo-calidad-datos"


def outputs_text(notebook: Path) -> str:
    nb = nbformat.read(notebook, as_version=4)
    return strip_sources("\n".join(o.get("data", {}).get("text/markdown", "") for c in nb.cells
                                   for o in c.get("outputs", [])))  # numbers without their source spans


def ran(out: Path) -> set[str]:
    info = json.loads((out / "build-info.json").read_text(encoding="utf-8"))
    return {Path(name).stem for name, s in info["sections"].items() if s["ran"]}


def published(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((out / "notebooks").glob("*.ipynb"))}


def test_only_the_sections_that_read_a_changed_sheet_run_again(data_copy, tmp_path):
    out = tmp_path / "out" / "2022"
    args = ("--year", "2022", "--data", str(data_copy), "--out", str(out), "--engine", "pandoc")

    cold = build(*args)
    assert cold.returncode == 0, cold.stdout + cold.stderr
    assert ran(out) == set(SECTIONS)
    info = json.loads((out / "build-info.json").read_text(encoding="utf-8"))
    # inputs recorded at execution: the positioning chapter read only its own workbook and its text, and the plan's
    # indicators and reconciliations (the note under the events table when an indicator counts more events than
    # the detail, issue 23) — not the detail sheets of other reconciliations; the annex everything
    assert {tuple(r) for r in info["sections"][f"{POSITIONING}.ipynb"]["reads"]} <= {
        *(("current", "posicionamiento.xlsx", sheet) for sheet in ("Eventos", "Premios", "Cifras")),
        *(("current", "plan_desarrollo.xlsx", sheet) for sheet in ("Indicadores", "Conciliaciones")),
        ("current", "*", "texto:posicionamiento")}
    # the annex reads the year's check results and problems (what validation and the texts' check made of every
    # sheet and text), its own text (it has none), and the sheets its findings name: each difference says which
    # cells it comes from (issue 23), so a sheet whose columns move re-runs it
    report = load_report(2022, root=ROOT)
    named = {("current", c.file, c.sheet) for c in report.checks if c.status != "ok" and c.file and c.sheet}
    reads = {tuple(r) for r in info["sections"][f"{ANNEX}.ipynb"]["reads"]}
    assert {("current", "*", "checks"), ("current", "*", "problems"), ("current", "*", "texto:anexo-calidad-datos")} <= reads
    assert reads - {("current", "*", "checks"), ("current", "*", "problems"),
                    ("current", "*", "texto:anexo-calidad-datos")} == named

    noop = build(*args)
    assert noop.returncode == 0 and "Sin cambios" in noop.stdout

    # Re-saving a workbook without changing its data: validation runs, no section does.
    workbook = data_copy / "posicionamiento.xlsx"
    before_bytes = workbook.read_bytes()
    load_workbook(workbook).save(workbook)
    assert workbook.read_bytes() != before_bytes
    resaved = build(*args)
    assert resaved.returncode == 0, resaved.stdout + resaved.stderr
    assert "Sin cambios" not in resaved.stdout and ran(out) == set()

    # One cell of posicionamiento.xlsx that no check of the workbooks compares (periodistas_atendidos): the
    # sections that read that sheet, and the annex, since the positioning text's warning names the figure
    # (it says «54 periodistas», as the published chapter does, against the figure's 57, now 58).
    old = load_workbook(workbook)["Cifras"]["C5"].value  # periodistas_atendidos
    assert load_workbook(workbook)["Cifras"]["A5"].value == "periodistas_atendidos" and old == 57
    before = published(out)
    set_cell(workbook, "Cifras", "C5", old + 1)
    edited = build(*args)
    assert edited.returncode == 0, edited.stdout + edited.stderr
    assert ran(out) == {SUMMARY, POSITIONING, ANNEX}
    for line in edited.stdout.splitlines():
        if "05-inversion.ipynb" in line or "13-estados-financieros" in line:
            assert "reutilizada" in line, line
        if f"{POSITIONING}.ipynb" in line:
            assert "ejecutada" in line, line
    after = published(out)
    for name in set(SECTIONS) - {SUMMARY, POSITIONING, ANNEX}:
        assert after[f"{name}.ipynb"] == before[f"{name}.ipynb"], name
    summary = outputs_text(out / "notebooks" / f"{SUMMARY}.ipynb")
    # the summary's text cites the figure: «Atendimos a 57 periodistas internacionales» (published) moves with it
    assert f"Atendimos a {old + 1} periodistas internacionales" in summary
    assert f"Atendimos a {old} periodistas" not in summary
    assert f"| Periodistas internacionales atendidos | {old + 1} |" in summary
    assert f"| Periodistas internacionales atendidos | {old + 1} |" in outputs_text(
        out / "notebooks" / f"{POSITIONING}.ipynb")
    annex = outputs_text(out / "notebooks" / f"{ANNEX}.ipynb")
    assert "el texto dice «54 periodistas»" in annex
    assert f"(Periodistas internacionales atendidos) es {old + 1};" in annex

    # A cell that a check compares (award_counts: 20 awards detailed in «Premios» against the printed
    # postulaciones_premios, Cifras!C6): the check's result changes, so the annex runs again and shows it.
    postulations = load_workbook(workbook)["Cifras"]["C6"].value
    assert load_workbook(workbook)["Cifras"]["A6"].value == "postulaciones_premios" and postulations == 20
    set_cell(workbook, "Cifras", "C6", postulations + 1)
    checked = build(*args)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert ran(out) == {SUMMARY, POSITIONING, ANNEX}
    annex = outputs_text(out / "notebooks" / f"{ANNEX}.ipynb")
    assert "| detalle 20 | cifra publicada 21 | −1 |" in annex

    # A deleted output means a rebuild (reusing every executed notebook).
    pdf = out / "informe-gestion-2022.pdf"
    pdf.unlink()
    again = build(*args)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Sin cambios" not in again.stdout and pdf.exists() and ran(out) == set()

    # Another engine means a rebuild: here a Quarto that cannot render, so the build fails, outputs untouched.
    fake = tmp_path / "quarto"
    fake.write_text('#!/bin/sh\nif [ "$1" = "--version" ]; then echo 9.9.9; exit 0; fi\n'
                    'echo "quarto de prueba" >&2; exit 1\n', encoding="utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    kept = published(out)
    other_engine = build("--year", "2022", "--data", str(data_copy), "--out", str(out), "--engine", "auto",
                         env=build_env(QUARTO=str(fake)))
    assert other_engine.returncode == 1, other_engine.stdout + other_engine.stderr
    assert "Sin cambios" not in other_engine.stdout and "quarto render" in other_engine.stdout
    assert published(out) == kept and pdf.exists()


def test_fingerprint_covers_engine_and_tool_versions(monkeypatch, tmp_path):
    from informe.publish import tools

    plan = BuildPlan.create(2022, Path(__file__).resolve().parents[1])
    hashes = plan.input_hashes()
    pip = environment("pandoc")
    assert pip["engine"] == "pandoc" and pip["versions"]["typst"] and pip["versions"]["pypandoc-binary"]
    base = plan.fingerprint(hashes, pip)
    assert plan.fingerprint(hashes, pip) == base
    monkeypatch.setattr(tools, "find_quarto", lambda: "/opt/quarto/bin/quarto")
    monkeypatch.setattr(tools, "quarto_version", lambda _q: "1.7.0")
    quarto = environment("auto")
    assert quarto["engine"] == "quarto" and quarto["quarto"]["version"] == "1.7.0"
    assert plan.fingerprint(hashes, quarto) != base
    newer = {**pip, "versions": {**pip["versions"], "typst": "0.99.0"}}
    assert plan.fingerprint(hashes, newer) != base
    changed = dict(hashes)
    changed[plan.notebooks[0]] = "0" * 64
    assert plan.fingerprint(changed, pip) != base


def test_section_fingerprint_depends_only_on_what_the_section_read():
    manifests = {"current": {"year": 2022, "params_sha256": "p", "all_sha256": "all1", "sheets": [
        {"file": "a.xlsx", "sheet": "S1", "sha256": "1"}, {"file": "b.xlsx", "sheet": "S2", "sha256": "2"}]}}
    reads = [["current", "a.xlsx", "S1"]]
    base = section_fingerprint("nb", "code", {"year": 2022}, manifests, reads)
    other_sheet = {"current": {**manifests["current"], "all_sha256": "all2", "sheets": [
        {"file": "a.xlsx", "sheet": "S1", "sha256": "1"}, {"file": "b.xlsx", "sheet": "S2", "sha256": "X"}]}}
    assert section_fingerprint("nb", "code", {"year": 2022}, other_sheet, reads) == base
    assert section_fingerprint("nb", "code", {"year": 2022}, other_sheet, [["current", "*", "*"]]) != \
        section_fingerprint("nb", "code", {"year": 2022}, manifests, [["current", "*", "*"]])
    # the check results and the problems are compared by their own hashes
    checks = [["current", "*", "checks"]]
    parts = {**manifests["current"], "parts_sha256": {"checks": "c1", "problems": "p1"}}
    with_parts = section_fingerprint("nb", "code", {"year": 2022}, {"current": parts}, checks)
    new_problem = {**parts, "all_sha256": "all2", "parts_sha256": {"checks": "c1", "problems": "p2"}}
    assert section_fingerprint("nb", "code", {"year": 2022}, {"current": new_problem}, checks) == with_parts
    new_result = {**parts, "parts_sha256": {"checks": "c2", "problems": "p1"}}
    assert section_fingerprint("nb", "code", {"year": 2022}, {"current": new_result}, checks) != with_parts
    own_sheet = {"current": {**manifests["current"], "sheets": [{"file": "a.xlsx", "sheet": "S1", "sha256": "9"}]}}
    assert section_fingerprint("nb", "code", {"year": 2022}, own_sheet, reads) != base
    with_prior = {**manifests, "prior": {"year": 2021, "params_sha256": "q", "all_sha256": "z", "sheets": []}}
    assert section_fingerprint("nb", "code", {"year": 2022}, with_prior, reads) != base  # a prior year appeared
    for changed in (("nb2", "code", {"year": 2022}), ("nb", "code2", {"year": 2022}), ("nb", "code", {"year": 2023})):
        assert section_fingerprint(*changed, manifests, reads) != base


def test_package_data_files_are_build_inputs():
    """Regression: only ``*.py`` files counted, so editing ``quality-findings.yml`` (the annex's explanations)
    answered «Sin cambios» and kept the old annex."""
    root = Path(__file__).resolve().parents[1]
    plan = BuildPlan.create(2022, root)
    package = root / "src" / "informe"
    expected = {p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                and p.suffix != ".pyc"}
    assert package / "report" / "sections" / "quality-findings.yml" in expected
    assert set(plan.package_files()) == expected and expected <= set(plan.inputs())


def test_notebook_parameters_are_relative_with_forward_slashes_on_every_platform():
    import ntpath
    import posixpath

    from informe.publish.pipeline import relative_posix

    assert relative_posix(r"C:\Users\ana\informe", r"C:\Users\ana\informe\outputs\2022\notebooks",
                          flavour=ntpath) == "../../.."
    assert relative_posix(r"C:\Users\ana\datos\2022", r"C:\Users\ana\informe\outputs\2022\notebooks",
                          flavour=ntpath) == "../../../../datos/2022"
    assert relative_posix("/home/ana/informe", "/home/ana/informe/outputs/2022/notebooks",
                          flavour=posixpath) == "../../.."
    plan = BuildPlan.create(2022, Path(__file__).resolve().parents[1])
    assert plan.notebook_parameters() == {"year": 2022, "root": "../../.."}


def test_a_no_op_build_imports_neither_the_data_stack_nor_nbformat():
    """What a no-op build loads: the CLI and the build module only. pandas/pandera (validation) and
    nbformat (≈1 s of jsonschema imports) stay out of that path; a regression made the no-op take 1,6 s."""
    import subprocess
    import sys

    code = ("import sys, informe.cli, informe.publish.pipeline; "
            "print(','.join(m for m in ('pandas', 'pandera', 'nbformat', 'papermill') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == ""


def test_validation_of_an_unchanged_workbook_is_reused_and_changes_nothing(data_copy, tmp_path):
    """Issue 12: a build keeps each workbook's validation; the next one re-reads only the workbooks whose
    bytes changed, and publishes exactly what a forced build (everything validated) publishes."""
    out = tmp_path / "out" / "2022"
    args = ("--year", "2022", "--data", str(data_copy), "--out", str(out), "--engine", "pandoc")
    cold = build(*args)
    assert cold.returncode == 0, cold.stdout + cold.stderr
    info = json.loads((out / "build-info.json").read_text(encoding="utf-8"))
    assert info["validation_reused"] == []
    workbooks = sorted(p.name for p in data_copy.glob("*.xlsx"))
    texts = sorted(f"textos/{p.name}" for p in (data_copy / "textos").iterdir())
    assert len(workbooks) == 7 and len(texts) == len(CHAPTERS_2022) - 1  # every chapter has a text but the annex
    # each workbook's validation, and the texts' (read and checked), kept with the outputs
    assert sorted(p.name for p in (out / ".validados").iterdir()) == sorted([*workbooks, "textos"])

    workbook = data_copy / "posicionamiento.xlsx"
    set_cell(workbook, "Cifras", "C5", load_workbook(workbook)["Cifras"]["C5"].value + 2)
    edited = build(*args)
    assert edited.returncode == 0, edited.stdout + edited.stderr
    reused = json.loads((out / "build-info.json").read_text(encoding="utf-8"))["validation_reused"]
    assert sorted(reused) == sorted([*(w for w in workbooks if w != "posicionamiento.xlsx"), *texts])
    assert "Validación reutilizada" in edited.stdout

    forced_out = tmp_path / "forzada" / "2022"
    forced = build("--year", "2022", "--data", str(data_copy), "--out", str(forced_out), "--engine", "pandoc",
                   "--force")
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert json.loads((forced_out / "build-info.json").read_text(encoding="utf-8"))["validation_reused"] == []
    assert published(out) == published(forced_out)
    # The edit converted again only the chapters whose Markdown changed (summary, positioning, the annex whose
    # text warning names the figure, colophon) and its pages are the forced build's (the colophon differs: it
    # says when each was built).
    chapters = 1 + len(SECTIONS) + 2  # the front page, the chapters, the signatures and the colophon
    assert json.loads((out / "build-info.json").read_text(encoding="utf-8"))["chapters_reused"] == {
        "html5": chapters - 4, "typst": chapters - 4}
    assert json.loads((forced_out / "build-info.json").read_text(encoding="utf-8"))["chapters_reused"] == {
        "html5": 0, "typst": 0}
    pages = {p.name: p.read_bytes() for p in (out / "book").glob("*.html") if p.name != "colofon.html"}
    assert len(pages) == chapters  # every chapter and the downloads page, but the colophon
    assert pages == {p.name: p.read_bytes() for p in (forced_out / "book").glob("*.html")
                     if p.name != "colofon.html"}

    def pdf_pages(folder):
        return [" ".join(page.extract_text().split())
                for page in PdfReader(folder / "informe-gestion-2022.pdf").pages]

    def but_the_colophon(pages):
        return [page for page in pages if not page.startswith("ACI Medellín · Informe de Gestión 2022 Colofón")]

    edited_pdf, forced_pdf = pdf_pages(out), pdf_pages(forced_out)
    assert len(edited_pdf) == len(forced_pdf) and len(but_the_colophon(edited_pdf)) < len(edited_pdf)
    assert but_the_colophon(edited_pdf) == but_the_colophon(forced_pdf)

    # A damaged entry is no entry: that workbook is validated again, the build goes on.
    (out / ".validados" / "inversion.xlsx" / "entry.json").write_text("{no es json", encoding="utf-8")
    set_cell(workbook, "Cifras", "C5", load_workbook(workbook)["Cifras"]["C5"].value + 1)
    damaged = build(*args)
    assert damaged.returncode == 0, damaged.stdout + damaged.stderr
    reused = json.loads((out / "build-info.json").read_text(encoding="utf-8"))["validation_reused"]
    assert "inversion.xlsx" not in reused and "posicionamiento.xlsx" not in reused
    assert sorted(reused) == sorted([*(w for w in workbooks if w not in ("inversion.xlsx", "posicionamiento.xlsx")),
                                     *texts])

    # An error in the changed workbook is found as always, whatever was reused.
    set_cell(workbook, "Cifras", "C5", "muchos")
    bad = build(*args)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "posicionamiento.xlsx" in bad.stdout and "Cifras" in bad.stdout


def test_every_library_the_package_imports_is_in_the_fingerprint_or_declared_neutral():
    """Regression: xlsxwriter (the downloads), beautifulsoup4 (the HTML pages), pagefind (the search index),
    PyYAML and IPython were missing from the versions the fingerprint covers, so upgrading one answered
    «Sin cambios» and the downloads of the last build were reused."""
    import ast
    import re
    import sys
    from importlib.metadata import packages_distributions

    from informe.publish.tools import LIBRARIES, OUTPUT_NEUTRAL

    modules = set()
    for path in (Path(__file__).resolve().parents[1] / "src" / "informe").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])

    def normal(name: str) -> str:
        return re.sub(r"[-_.]+", "-", name).lower()

    declared = {normal(n) for n in (*LIBRARIES, *OUTPUT_NEUTRAL)}
    distributions = packages_distributions()
    third_party = sorted(m for m in modules if m not in sys.stdlib_module_names and m != "informe")
    assert {"xlsxwriter", "bs4", "pagefind_bin", "pandas"} <= set(third_party)
    missing = {m: distributions.get(m) for m in third_party
               if not any(normal(d) in declared for d in distributions.get(m, [m]))}
    assert missing == {}
    assert not {normal(n) for n in LIBRARIES} & {normal(n) for n in OUTPUT_NEUTRAL}


def test_book_assets_in_subfolders_are_build_inputs(tmp_path):
    """``book/`` is copied whole into the staged sources: a file in a subfolder shapes the book too (it was
    missed: only the folder's top level counted)."""
    (tmp_path / "book" / "fuentes").mkdir(parents=True)
    (tmp_path / "book" / "styles.css").write_text("body{}", encoding="utf-8")
    (tmp_path / "book" / "fuentes" / "extra.css").write_text("p{}", encoding="utf-8")
    (tmp_path / "notebooks").mkdir()
    inputs = set(BuildPlan.create(2022, tmp_path).inputs())
    assert {tmp_path / "book" / "styles.css", tmp_path / "book" / "fuentes" / "extra.css"} <= inputs
    assert tmp_path / "book" / "fuentes" not in inputs  # files only
