"""Charts carry a text alternative generated from their data, and their data for download."""

from __future__ import annotations

import pandas as pd
import pytest

from informe.build.book import _figure_markdown
from informe.report import charts, notebook
from informe.report.display import TABLE_MIME

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


def test_show_emits_svg_with_metadata_data_and_links(monkeypatch):
    shown = []
    monkeypatch.setattr(notebook, "display", lambda obj, **kw: shown.append((obj, kw)))
    notebook.show(charts.bar_chart(SECTORS, "Sector", "Monto (USD millones)", "Monto por sector", decimals=2))
    (bundle, options), (links, _) = shown
    assert options["raw"] is True
    assert bundle["image/svg+xml"].lstrip().startswith("<svg") or "<svg" in bundle["image/svg+xml"][:500]
    info = options["metadata"]["informe"]
    assert info["caption"] == "Monto por sector" and info["label"] == "fig-monto-por-sector"
    assert info["table"] == bundle[TABLE_MIME]["slug"] == "datos-del-grafico-monto-por-sector"
    assert bundle[TABLE_MIME]["rows"][0] == ["Servicios", 1150.25]
    assert "tablas/datos-del-grafico-monto-por-sector.csv" in links.markdown
    assert "#desc-fig-monto-por-sector" in links.markdown and 'when-format="html"' in links.markdown


def test_figure_markdown_keeps_quotes_and_markup_of_the_data_out_of_the_markup():
    md = _figure_markdown("figuras/a.svg", {"caption": "Monto *total*", "label": "fig-monto",
                                            "alt": 'Barras: «Acme "<b>"» \\ 5'})
    assert md == ('![Monto \\*total\\*](figuras/a.svg){#fig-monto fig-alt="Barras: «Acme \\"<b>\\"» \\\\ 5" '
                  'width=100%}')
    assert _figure_markdown("figuras/a.svg", {}) == "![](figuras/a.svg){width=100%}"


def test_figure_markdown_round_trips_through_pandoc():
    import html as html_lib
    import re
    import subprocess

    import pypandoc

    alt = 'Barras: «Acme "<b>"» \\ 5 *x*'
    md = _figure_markdown("a.svg", {"caption": "Monto", "label": "fig-monto", "alt": alt})
    out = subprocess.run([pypandoc.get_pandoc_path(), "-t", "html5"], input=md, capture_output=True, text=True).stdout
    assert html_lib.unescape(re.search(r'data-fig-alt="([^"]*)"', out).group(1)) == alt
    assert 'id="fig-monto"' in out


def test_chart_colours_stand_out_from_the_white_background():
    """Non-text contrast (WCAG 2.1, 1.4.11): every palette colour at least 3:1 against white."""
    def luminance(hex_colour):
        channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        channels = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]

    for colour in charts.PALETTE:
        assert 1.05 / (luminance(colour) + 0.05) >= 3, colour
