"""Charts carry a text alternative generated from their data, and their data for download."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from informe.report import charts, notebook

SECTORS = pd.DataFrame({"Sector": ["TIC", "Manufactura", "Servicios", "Turismo", "Otros"],
                        "Monto (USD millones)": [12.5, 3.0, 1150.25, 0.5, 7.0]})


@pytest.fixture(autouse=True)
def theme():
    charts.set_theme()


def test_bar_chart_names_its_three_largest_values_in_colombian_format():
    fig = charts.bar_chart(SECTORS, "Sector", "Monto (USD millones)", "Monto por sector", "USD millones", 2)
    text = charts.chart_text(fig)
    assert text.alt == ("Gráfico de barras horizontales «Monto por sector»: Monto (USD millones) por sector, "
                        "5 categorías. Los valores más altos son Servicios: 1.150,25; TIC: 12,50; Otros: 7,00.")
    assert text.label == "fig-monto-por-sector"
    assert text.table_slug == "datos-del-grafico-monto-por-sector"
    assert text.data.to_frame()["Monto (USD millones)"].sum() == pytest.approx(1173.25)


def test_progress_chart_counts_items_that_reach_the_goal():
    data = pd.DataFrame({"Etiqueta": ["A", "B", "C", "D"], "Avance (%)": [120.0, 99.9, 100.0, 35.5]})
    text = charts.chart_text(charts.progress_chart(data, "Etiqueta", "Avance (%)", "Avance del plan"))
    assert "frente a la meta de 100 %; 2 de 4 alcanzan la meta" in text.alt
    assert text.alt.endswith("Los avances más altos son A: 120,0 %; C: 100,0 %; B: 99,9 %.")


def test_comparison_chart_describes_each_series():
    data = pd.DataFrame({"Línea": ["X", "Y"], "Meta": [10, 30], "Logro": [12, 25]})
    text = charts.chart_text(charts.comparison_chart(data, "Línea", ["Meta", "Logro"], "Meta y logro"))
    assert "compara Meta y Logro en 2 categorías" in text.alt
    assert "Meta: Y: 30; X: 10 | Logro: Y: 25; X: 12" in text.alt


def test_empty_chart_says_so():
    empty = SECTORS.iloc[0:0]
    text = charts.chart_text(charts.bar_chart(empty, "Sector", "Monto (USD millones)", "Nada"))
    assert text.alt == "Gráfico de barras «Nada»: sin datos."


def test_show_emits_svg_with_metadata_and_data_links(monkeypatch, tmp_path):
    shown = []
    monkeypatch.setattr(notebook, "display", lambda obj, **kw: shown.append((obj, kw)))
    monkeypatch.setattr(notebook, "_SIDECARS", {"folder": tmp_path, "context": {"year": 2022}})
    notebook.show(charts.bar_chart(SECTORS, "Sector", "Monto (USD millones)", "Monto por sector", decimals=2))
    (bundle, options), (links, _) = shown
    assert options["raw"] is True and "<svg" in bundle["image/svg+xml"]
    info = options["metadata"]["informe"]
    assert info["caption"] == "Monto por sector" and info["label"] == "fig-monto-por-sector"
    assert info["table"] == "datos-del-grafico-monto-por-sector"
    assert info["alt"].startswith("Gráfico de barras horizontales «Monto por sector»")
    sidecar = json.loads((tmp_path / "tablas" / "datos-del-grafico-monto-por-sector.json").read_text(encoding="utf-8"))
    assert sidecar["rows"][0]["values"] == ["Servicios", 1150.25] and sidecar["year"] == 2022
    for target in ("tablas/datos-del-grafico-monto-por-sector.xlsx", "tablas/datos-del-grafico-monto-por-sector.csv",
                   "tablas/datos-del-grafico-monto-por-sector-excel.csv", "#desc-fig-monto-por-sector",
                   'when-format="html"'):
        assert target in links.markdown, target


def test_a_figure_from_elsewhere_is_shown_as_is(monkeypatch):
    import matplotlib.pyplot as plt

    shown = []
    monkeypatch.setattr(notebook, "display", lambda obj, **kw: shown.append((obj, kw)))
    fig, _ = plt.subplots()
    notebook.show(fig)
    assert len(shown) == 1 and shown[0][1] == {}


def test_chart_colours_stand_out_from_the_white_background():
    """Non-text contrast (WCAG 2.1, 1.4.11): every palette colour at least 3:1 against white."""
    def luminance(hex_colour):
        channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        channels = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    for colour in charts.PALETTE:
        assert 1.05 / (luminance(colour) + 0.05) >= 3, colour


def test_sections_without_charts_do_not_load_matplotlib():
    """Issue 12: matplotlib and seaborn (~0.35 s per kernel) are loaded only by the sections that draw;
    the chart theme comes with them, so a chart drawn after an import is themed and reproducible."""
    import subprocess
    import sys

    code = ("import sys; import informe.report.notebook as nb; "
            "import informe.report.sections.summary, informe.report.sections.financial, "
            "informe.report.sections.quality; "
            "print('matplotlib' in sys.modules, nb._is_figure(object())); "
            "from informe.report.sections import investment; import matplotlib.pyplot as plt; "
            "print(plt.rcParams['svg.hashsalt'], plt.rcParams['axes.spines.top'], plt.rcParams['text.parse_math'])")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.stdout.split() == ["False", "False", "informe", "False", "False"], proc.stdout + proc.stderr


def test_show_recognises_a_figure_once_matplotlib_is_loaded():
    import matplotlib.pyplot as plt

    fig = charts.bar_chart(SECTORS, "Sector", "Monto (USD millones)", "Monto por sector", "USD millones", 2)
    assert notebook._is_figure(fig)
    assert not notebook._is_figure(SECTORS)
    plt.close(fig)


def test_warm_up_leaves_no_pyplot_figure_and_changes_no_chart():
    """The fork server draws one chart before forking kernels (``charts.warm_up``): a kernel's charts,
    their SVG and pyplot's figure numbers must be what they are without it."""
    import subprocess
    import sys

    code = """
import hashlib, sys
import matplotlib.pyplot as plt
import pandas as pd
from informe.report import charts, notebook
if sys.argv[1] == "warm":
    charts.warm_up()
assert plt.get_fignums() == [], plt.get_fignums()
data = pd.DataFrame({"Tipo": ["Propio", "Invitado", "Gestionado para la Alcaldía"], "Eventos": [20, 3, 13]})
fig = charts.bar_chart(data, "Tipo", "Eventos", "Eventos por tipo", "Eventos")
print(plt.get_fignums(), hashlib.sha256(notebook.figure_svg(fig).data.encode()).hexdigest())
"""
    runs = {mode: subprocess.run([sys.executable, "-c", code, mode], capture_output=True, text=True, check=True).stdout
            for mode in ("cold", "warm")}
    assert runs["cold"] == runs["warm"] and runs["cold"].startswith("[1] ")
