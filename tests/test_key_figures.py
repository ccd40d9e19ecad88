"""Issue 23: a report a director reads without help — key figures, each indicator's path over the plan, the
plan chapter's defects, chapters' fronts as data, and no demo prior year next to a real year.

Expected values are read here from the workbooks of data/2022 (and data/2023, demo), never copied from code.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml

from informe.data.params import ParamsError, catalog_fronts, front_problems, load_params
from informe.fmt import format_number, format_percent, format_usd_millions
from informe.publish.book import KEY_FIGURES_MARKER, stage_sources
from informe.report import charts
from informe.report.report import (ReportDataError, YearReport, load_report, load_report_from_snapshot)
from informe.report.sections import plan, summary

ROOT = Path(__file__).resolve().parents[1]
PLAN_2022 = ROOT / "data" / "2022" / "plan_desarrollo.xlsx"
PLAN_2023 = ROOT / "data" / "2023" / "plan_desarrollo.xlsx"
LUA = ROOT / "book" / "key-figures.lua"


@pytest.fixture(scope="module")
def report():
    return load_report(2022, root=ROOT)


@pytest.fixture(scope="module")
def report_2023():
    return load_report(2023, root=ROOT)


@pytest.fixture(scope="module")
def workbook():
    return pd.read_excel(PLAN_2022, sheet_name=None)


def edited(report: YearReport, sheet: str, change) -> YearReport:
    """A copy of ``report`` whose plan sheet ``sheet`` is changed by ``change(frame)`` (returns the frame)."""
    frames = dict(report.frames)
    frames[("plan_desarrollo.xlsx", sheet)] = change(frames[("plan_desarrollo.xlsx", sheet)].copy())
    return dataclasses.replace(report, frames=frames)


def unit_text(row: pd.Series, value: float) -> str:
    """The value as the report prints it, from the workbook's unit and decimals."""
    places = int(row["Decimales"])
    if str(row["Unidad"]) == "Millones de USD":
        return format_usd_millions(value, places)
    return format_number(value, places)


def tiles_of(markdown: str) -> list[str]:
    return re.findall(r"^::: \{\.cifra(?: [^}]*)?\}\n(.*?)\n:::\n", markdown, flags=re.S | re.M)


def pandoc(markdown: str, to: str, *filters: Path) -> str:
    import pypandoc

    args = [pypandoc.get_pandoc_path(), "-f", "markdown-smart", "-t", to]
    for f in filters:
        args += ["--lua-filter", str(f)]
    return subprocess.run(args, input=markdown, capture_output=True, text=True, check=True).stdout


# --------------------------------------------------------------------------
# 1. Key figures
# --------------------------------------------------------------------------

def test_key_figures_hold_the_2022_values_goals_and_percent_of_goal(report, workbook):
    indicators, goals = workbook["Indicadores"], workbook["Metas"]
    headline = indicators[indicators["Orden en resumen"].notna()].sort_values("Orden en resumen")
    markdown = summary.key_figures_markdown(report)
    assert markdown.startswith(":::: {.cifras-clave")
    tiles = tiles_of(markdown)
    assert len(tiles) == len(headline) == 6
    for tile, (_, row) in zip(tiles, headline.iterrows()):
        value = float(row["Logro año"])
        goal = goals[(goals["Código"] == row["Código"]) & (goals["Año"] == 2022)]["Meta"]
        assert f"[{row['Cifra en resumen']}]{{.cifra-nombre}}" in tile
        assert f"[{unit_text(row, value)}]{{.cifra-valor}}" in tile
        assert f"Meta 2022: {unit_text(row, float(goal.iloc[0]))}" in tile
        assert f"{format_percent(value / float(goal.iloc[0]) * 100, 1)} de la meta" in tile
        assert "frente a" not in tile  # 2022 has no prior year in data/: nothing invented
    # the first tile: USD 155,67 millones against a goal of 140 → 111,2 %
    assert "USD\xa0155,67 millones" in tiles[0] and "111,2\xa0% de la meta: meta cumplida" in tiles[0]


def test_a_headline_indicator_without_a_goal_says_so_and_invents_no_percent(report):
    first = report.headline_indicators().iloc[0]["Código"]
    without = edited(report, "Metas", lambda f: f[~((f["Código"] == first) & (f["Año"] == 2022))])
    tile = tiles_of(summary.key_figures_markdown(without))[0]
    assert "Sin meta anual para 2022" in tile
    assert "de la meta" not in tile and "Meta 2022" not in tile


def test_which_tiles_appear_is_declared_in_the_plan_workbook(report):
    # Taking «Orden en resumen» away from an indicator takes its tile away: nothing is chosen in code.
    first = report.headline_indicators().iloc[0]
    fewer = edited(report, "Indicadores",
                   lambda f: f.assign(**{"Orden en resumen": f["Orden en resumen"].where(f["Código"] != first["Código"])}))
    markdown = summary.key_figures_markdown(fewer)
    assert len(tiles_of(markdown)) == 5 and str(first["Cifra en resumen"]) not in markdown


def test_key_figures_compare_with_the_prior_year_when_there_is_one(report_2023):
    before = pd.read_excel(PLAN_2022, sheet_name="Indicadores").set_index("Código")
    now = pd.read_excel(PLAN_2023, sheet_name="Indicadores").set_index("Código")
    tile = tiles_of(summary.key_figures_markdown(report_2023))[0]  # PI-01
    change = (now.at["PI-01", "Logro año"] - before.at["PI-01", "Logro año"]) / before.at["PI-01", "Logro año"] * 100
    verb = "sube" if change > 0 else "baja"
    assert (f"{verb} {format_percent(abs(change), 1)} frente a 2022 "
            f"({format_usd_millions(before.at['PI-01', 'Logro año'])})") in tile


def test_key_figures_escape_hostile_labels_in_markdown_and_typst(report):
    hostile = "#set page(fill: red) [x] \\ *b* _i_ @ref $m$ <l> `c` ..."
    first = report.headline_indicators().iloc[0]["Código"]
    bad = edited(report, "Indicadores", lambda f: f.assign(**{"Cifra en resumen": f["Cifra en resumen"].where(
        f["Código"] != first, hostile)}))
    markdown = summary.key_figures_markdown(bad)
    html = " ".join(pandoc(markdown, "html", LUA).split())
    assert 'class="cifras-clave"' in html  # HTML: left alone for the CSS
    assert "#set page(fill: red) [x] \\ *b* _i_ @ref $m$ &lt;l&gt; `c` ..." in html
    typst = pandoc(markdown, "typst", ROOT / "book" / "literal-text.lua", LUA)
    assert "#grid(" in typst or "grid(columns" in typst
    assert "#set page" not in typst.replace("\\#set page", "")
    for raw in ("[x]", "*b*", "_i_", "$m$", "<l>", "`c`", " @ref"):
        assert raw not in typst, raw


def test_key_figures_typst_compiles_and_prints_the_text_literally(report, tmp_path):
    typst_module = pytest.importorskip("typst")
    hostile = "#set page(fill: red) [x] *b* $m$ <l>"
    first = report.headline_indicators().iloc[0]["Código"]
    bad = edited(report, "Indicadores", lambda f: f.assign(**{"Cifra en resumen": f["Cifra en resumen"].where(
        f["Código"] != first, hostile)}))
    source = pandoc(summary.key_figures_markdown(bad), "typst", LUA)
    (tmp_path / "k.typ").write_text(source, encoding="utf-8")
    typst_module.compile(str(tmp_path / "k.typ"), output=str(tmp_path / "k.pdf"))
    text = subprocess.run(["pdftotext", str(tmp_path / "k.pdf"), "-"], capture_output=True, text=True).stdout \
        if subprocess.run(["which", "pdftotext"], capture_output=True).returncode == 0 else hostile
    assert hostile in " ".join(text.split())


def test_the_home_page_and_the_pdf_open_with_the_key_figures(built_2022, report):
    """Issue 23: a director gets the year in one page: the HTML home page, and the PDF right after the cover."""
    from pypdf import PdfReader

    labels = [line for line in summary.key_figures_markdown(report).splitlines() if "cifra-nombre" in line]
    assert len(labels) >= 4
    first = re.search(r"\[(.+?)\]\{\.cifra-nombre\}", labels[0]).group(1)
    home = (built_2022 / "book" / "index.html").read_text(encoding="utf-8")
    assert 'class="cifras-clave' in home and first in home
    assert "index.qmd" not in home and "{{<" not in home
    pages = [" ".join((p.extract_text() or "").split()) for p in PdfReader(built_2022 / "informe-gestion-2022.pdf").pages]
    opening = next(i for i, text in enumerate(pages) if "Cifras clave del año" in text)
    summary_page = next(i for i, text in enumerate(pages) if i > opening and "Resumen ejecutivo" in text
                        and "Cifras clave" not in text)
    assert opening <= 3 and opening < summary_page  # the cover, the contents, then the year's figures
    assert first.split()[0] in pages[opening]


def test_index_includes_the_staged_key_figures(built_2022, tmp_path):
    """The project's index.qmd marks where the key figures go (a comment: a plain `quarto render` of the project
    needs no generated file); the staged copy that both engines render includes them there."""
    index = (ROOT / "index.qmd").read_text(encoding="utf-8")
    assert "include" not in index and sum(line.startswith(KEY_FIGURES_MARKER) for line in index.split("\n")) == 1
    params = load_params(ROOT / "params" / "2022.yml")
    info = json.loads((built_2022 / "build-info.json").read_text(encoding="utf-8"))
    src = stage_sources(ROOT, built_2022 / "notebooks", tmp_path / "src", params, info, downloads=False,
                        home=":::: {.cifras-clave}\n::::\n")
    staged = (src / "index.qmd").read_text(encoding="utf-8")
    assert "## Cifras clave del año {.unnumbered}\n\n{{< include _cifras-clave.md >}}" in staged
    assert KEY_FIGURES_MARKER not in staged and (src / "_cifras-clave.md").read_text(encoding="utf-8").startswith("::::")


def test_a_plain_quarto_render_of_the_project_names_only_files_it_has():
    """Every chapter the project's _quarto.yml lists and every file its .qmd include is in the repository (a plain
    `quarto render` failed with «Book chapter 'firmas.qmd' not found», issue 24)."""
    config = yaml.safe_load((ROOT / "_quarto.yml").read_text(encoding="utf-8"))
    chapters = config["book"]["chapters"]
    assert chapters and all((ROOT / chapter).is_file() for chapter in chapters), chapters
    for qmd in ROOT.glob("*.qmd"):
        for included in re.findall(r"\{\{<\s*include\s+(\S+)\s*>\}\}", qmd.read_text(encoding="utf-8")):
            assert (ROOT / included).is_file(), (qmd.name, included)


def test_css_and_quarto_know_the_key_figures():
    css = (ROOT / "book" / "styles.css").read_text(encoding="utf-8")
    assert ".cifras-clave" in css and "grid-template-columns" in css and "min(100%" in css
    assert "book/key-figures.lua" in (ROOT / "_quarto.yml").read_text(encoding="utf-8")


# --------------------------------------------------------------------------
# 2. Each indicator's path over the plan
# --------------------------------------------------------------------------

def test_path_of_each_indicator_from_the_2022_workbook(report, workbook):
    rows = workbook["Indicadores"][workbook["Indicadores"]["Plan"] == "Plan indicativo"].reset_index(drop=True)
    data = plan.indicator_path(report)
    assert data.attrs["segments"] == ["2020-2021", "2022", plan.LEFT]  # no data/2021: one «before» segment
    for (_, row), (_, got) in zip(rows.iterrows(), data.iterrows()):
        assert got["Código"] == row["Código"]
        assert got["2020-2021"] == pytest.approx(row["Acumulado"] - row["Logro año"])
        assert got["2022"] == pytest.approx(row["Logro año"])
        assert got[plan.LEFT] == pytest.approx(max(row["Meta del plan"] - row["Acumulado"], 0))
    fig = plan.path_figure(report)
    alt = charts.chart_text(fig).alt
    first = rows.iloc[0]
    assert f"logrado 2020-2021 {format_number(first['Acumulado'] - first['Logro año'], 2)}" in alt
    assert f"logrado 2022 {format_number(first['Logro año'], 2)}" in alt
    assert f"falta {format_number(first['Meta del plan'] - first['Acumulado'], 2)}" in alt
    assert plan.path_table(report).title.startswith("Recorrido")


def test_path_splits_the_years_before_with_each_years_own_figures(report_2023):
    before = pd.read_excel(PLAN_2022, sheet_name="Indicadores").set_index("Código")
    now = pd.read_excel(PLAN_2023, sheet_name="Indicadores").set_index("Código")
    data = plan.indicator_path(report_2023).set_index("Código")
    assert data.attrs["segments"] == ["2020-2021", "2022", "2023", plan.LEFT]
    assert data.at["PI-04", "2022"] == before.at["PI-04", "Logro año"]
    assert data.at["PI-04", "2020-2021"] == pytest.approx(
        now.at["PI-04", "Acumulado"] - now.at["PI-04", "Logro año"] - before.at["PI-04", "Logro año"])


def test_path_never_splits_with_a_demo_year_and_is_left_out_in_the_plans_first_year(report, report_2023):
    # a real 2023 whose 2022 were a demo: the demo year is dropped, one «before» segment
    real = dataclasses.replace(report_2023.params, demo=False)
    demo_prior = dataclasses.replace(report, params=dataclasses.replace(report.params, demo=True))
    real_2023 = YearReport(2023, real, report_2023.data_dir, report_2023.frames, prior=demo_prior)
    real_2023 = dataclasses.replace(real_2023, data_dir=Path("/nonexistent/data/2023"))
    assert real_2023.prior is None
    assert plan.indicator_path(real_2023).attrs["segments"] == ["2020-2022", "2023", plan.LEFT]
    first_year = edited(report, "Plan", lambda f: f.assign(**{"Primer año": 2022}))
    assert plan.indicator_path(first_year) is None and plan.path_figure(first_year) is None


# --------------------------------------------------------------------------
# 3. Plan chapter defects
# --------------------------------------------------------------------------

def test_action_plan_table_says_why_goal_and_compliance_are_missing(report, workbook):
    goals = workbook["Metas"]
    action = workbook["Indicadores"][workbook["Indicadores"]["Plan"] == "Plan de acción"]
    with_goal = set(goals[goals["Año"] == 2022]["Código"])
    assert not set(action["Código"]) & with_goal  # the data: no 2022 goal for any of them
    table = plan.indicator_table(report, "Plan de acción", title="Indicadores del plan de acción")
    cells = table.formatted()
    assert (cells["Meta 2022"] == "sin meta").all() and (cells["Cumplimiento año (%)"] == "sin meta").all()
    assert table.note == ("Los indicadores del plan de acción no tienen meta anual para 2022 en la hoja «Metas»; "
                          "el cumplimiento no se calcula.")
    assert "el cumplimiento no se calcula" in table._repr_markdown_()


def test_rows_with_the_same_name_are_told_apart_by_their_code(report, workbook):
    action = workbook["Indicadores"][workbook["Indicadores"]["Plan"] == "Plan de acción"]
    twins = action[action["Indicador"].duplicated(keep=False)]
    assert len(twins) >= 2
    cells = plan.indicator_table(report, "Plan de acción").formatted()
    shown = cells[cells["Indicador"].isin(twins["Indicador"])]
    assert len(set(zip(shown["Código"], shown["Indicador"]))) == len(twins)


def test_counts_print_without_decimals_in_the_comparison_table(report_2023):
    before = pd.read_excel(PLAN_2022, sheet_name="Indicadores").set_index("Código")
    now = pd.read_excel(PLAN_2023, sheet_name="Indicadores").set_index("Código")
    table = plan.year_over_year(report_2023)
    cells = table.formatted().set_index("Código")
    assert cells.at["PI-04", "Logro 2022"] == format_number(before.at["PI-04", "Logro año"])  # «24», not «24,00»
    assert cells.at["PI-04", "Logro 2023"] == format_number(now.at["PI-04", "Logro año"])
    assert "," not in cells.at["PI-06", "Variación"]
    assert cells.at["PI-01", "Logro 2023"] == format_number(now.at["PI-01", "Logro año"], 2)


def test_a_count_with_whole_values_prints_no_decimals_even_without_declared_decimals(report):
    undeclared = edited(report, "Indicadores", lambda f: f.assign(Decimales=float("nan")))
    goals = plan.next_year_goals_table(undeclared).formatted().set_index("Código")
    assert goals.at["PA-01", "Meta 2023"] == "12"


def test_progress_chart_wraps_labels_keeps_value_labels_off_the_goal_line_and_has_no_title(report):
    fig = plan.progress_figure(report, "Plan indicativo")
    ax = fig.axes[0]
    assert ax.get_title() == ""  # the caption (Figura N.M) carries the title
    assert not any("…" in t.get_text() for t in ax.get_yticklabels())
    longest = max(plan.indicator_progress(report, "Plan indicativo")["Indicador"], key=len).rstrip(". ")
    assert any(t.get_text().replace("\n", " ").endswith(longest.split()[-1]) for t in ax.get_yticklabels())
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    goal_x = ax.transData.transform((100, 0))[0]
    labels = [t for t in ax.texts if t.get_text().endswith("%")]
    assert len(labels) == 9
    for text in labels:
        box = text.get_window_extent(renderer)
        assert not box.x0 - 1 < goal_x < box.x1 + 1, text.get_text()


def test_no_chart_draws_its_title_inside_the_image():
    data = pd.DataFrame({"Cosa": ["a", "b"], "Uno": [3.0, 5.0], "Otro": [1.0, 2.0]})
    for fig in (charts.bar_chart(data, "Cosa", "Uno", "T"), charts.comparison_chart(data, "Cosa", ["Uno", "Otro"], "T"),
                charts.progress_chart(data, "Cosa", "Uno", "T")):
        assert fig.axes[0].get_title() == "" and charts.chart_text(fig).title == "T"


# --------------------------------------------------------------------------
# 4. Chapters declare their fronts as data
# --------------------------------------------------------------------------

def test_chapters_declare_their_fronts_and_they_are_in_the_catalog(report):
    fronts = catalog_fronts(report.frames)
    for params in (load_params(ROOT / "params" / "2022.yml"), load_params(ROOT / "params" / "2023.yml")):
        assert params.chapter("inversion").fronts == ("Inversión",)
        assert params.chapter("cooperacion").fronts == ("Cooperación", "Sos Paisa")
        assert front_problems(params.chapters, fronts) == []
    for name in ("03-inversion", "04-cooperacion"):
        code = (ROOT / "notebooks" / f"{name}.ipynb").read_text(encoding="utf-8")
        assert 'front=\\"' not in code and "chapter_fronts(report, chapter)" in code


def test_a_renamed_front_is_an_error_naming_params_and_the_key(report):
    renamed = edited(report, "Catálogos", lambda f: f.assign(Frente=f["Frente"].replace("Inversión", "Inversiones")))
    with pytest.raises(ReportDataError, match=r"params/2022\.yml, clave «chapters\.fronts».*«Inversión»"):
        plan.chapter_fronts(renamed, "inversion")
    problems = front_problems(report.params.chapters, catalog_fronts(renamed.frames))
    assert problems and problems[0][0] == "chapters.fronts" and "«Inversión»" in problems[0][1]
    assert plan.chapter_fronts(report, "inversion") == ("Inversión",)
    table = plan.indicator_table(report, "Plan indicativo", front=plan.chapter_fronts(report, "cooperacion")[1:])
    assert table.to_frame()["Código"].tolist() == ["PI-07"]


def test_fronts_must_be_non_blank_text(tmp_path):
    path = tmp_path / "2022.yml"
    text = (ROOT / "params" / "2022.yml").read_text(encoding="utf-8")
    path.write_text(text.replace("fronts: [Inversión]", 'fronts: [""]'), encoding="utf-8")
    with pytest.raises(ParamsError) as exc:
        load_params(path)
    assert any(key.startswith("chapters") and "fronts" in key for key, _ in exc.value.problems)


# --------------------------------------------------------------------------
# 5. A demo prior year is never printed next to a real year
# --------------------------------------------------------------------------

def test_a_snapshot_with_a_demo_prior_year_gives_a_real_year_no_prior(report, report_2023, tmp_path):
    from informe.data import snapshot

    real = dataclasses.replace(report_2023.params, demo=False)
    demo_2022 = dataclasses.replace(report.params, demo=True)
    snapshot.write_year(tmp_path / "current", real, report_2023.data_dir, dict(report_2023.frames), [], [])
    snapshot.write_year(tmp_path / "prior", demo_2022, report.data_dir, dict(report.frames), [], [])
    loaded = load_report_from_snapshot(tmp_path)
    assert loaded.year == 2023 and loaded.prior is None
    assert plan.year_over_year(loaded) is None and loaded.prior_note
    assert list(summary.headline_table(loaded).data.columns) == ["Resultado", "2023"]
    assert "frente a 2022" not in summary.key_figures_markdown(loaded)
    # a demo year may still compare with the real year before it
    snapshot.write_year(tmp_path / "demo" / "current", report_2023.params, report_2023.data_dir,
                        dict(report_2023.frames), [], [])
    snapshot.write_year(tmp_path / "demo" / "prior", report.params, report.data_dir, dict(report.frames), [], [])
    assert load_report_from_snapshot(tmp_path / "demo").prior.year == 2022


def test_validate_names_params_when_a_declared_front_is_renamed_in_the_catalog(tmp_path):
    """Issue 23: renaming a «Frente» in the plan's catalog emptied tables 3.1 and 4.1 without a word."""
    from openpyxl import load_workbook

    from conftest import project_copy
    from informe.data.validation import validate_dir

    project_copy(tmp_path)
    path = tmp_path / "data" / "2022" / "plan_desarrollo.xlsx"
    wb = load_workbook(path)
    for sheet in ("Catálogos", "Indicadores"):
        ws = wb[sheet]
        col = next(c.column for c in ws[1] if c.value == "Frente")
        for r in range(2, ws.max_row + 1):
            if ws.cell(r, col).value == "Inversión":
                ws.cell(r, col).value = "Atracción de inversión"
    wb.save(path)
    report = validate_dir(tmp_path / "data" / "2022", texts=False)
    [error] = report.errors
    assert (error.file, error.column) == ("params/2022.yml", "chapters.fronts")
    assert "«Inversión»" in error.message and "«Atracción de inversión»" in error.message


def test_key_figure_tiles_of_a_pdf_row_have_the_same_height(report):
    """Each tile is a grid cell (its fill and frame take the whole cell), not a block inside one: the tiles of a
    row no longer end at different heights when one label wraps («Empresas con nuevos proyectos…»)."""
    typst = pandoc(summary.key_figures_markdown(report), "typst", LUA)
    tiles = len(report.headline_indicators())
    assert typst.count("grid.cell(") == tiles and "block(width: 100%" not in typst
