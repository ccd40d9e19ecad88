"""What a section notebook calls: load the year once, then show tables, texts and charts."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from IPython.display import SVG, display

from .display import DOWNLOADS_DIR, Table, Text, bullet_list, escape_markdown
from .report import YearReport, load_report, load_report_from_snapshot

SNAPSHOT_ENV = "INFORME_SNAPSHOT"  # set by the build for its kernels: the data it validated once
READS_ENV = "INFORME_READS"  # where the build wants to know which sheets this notebook read

if TYPE_CHECKING:
    from .charts import ChartText

# matplotlib (and the chart theme, set when :mod:`.charts` is imported) is loaded only by the sections
# that draw charts: a kernel without charts saves ~0.35 s of imports (see benchmarks/kernel_start.py).

DEMO_BANNER = ("**DATOS DE DEMOSTRACIÓN.** Las cifras de este capítulo son sintéticas, generadas para probar "
               "el informe; no son resultados reales de la ACI Medellín.")


# Where shown tables write their download data (set by ``setup`` when the build gives an output folder).
_SIDECARS: dict = {}


def setup(year: int, data_dir: str | None = None, params_file: str | None = None, root: str = "..",
          output_dir: str | None = None) -> YearReport:
    """Load the year (charts get their theme from :mod:`.charts`); the chapter's title, demo banner and text are
    shown by :class:`~informe.report.chapter.Capitulo`.

    Inside a build the year comes from the build's snapshot (validated once for all sections);
    a notebook opened by hand or re-executed by nbval validates the workbooks itself.
    With ``output_dir`` (given by the build), every titled table shown writes its raw data to
    ``<output_dir>/tablas/<slug>.json`` for the CSV/XLSX downloads; without it nothing is written.
    """
    report = _load(int(year), data_dir, params_file, root)
    _SIDECARS.clear()
    if output_dir is not None:
        params = report.params
        source = f"Fuente: {params.agency}, Informe de Gestión {params.year} (corte {params.cutoff:%d/%m/%Y})."
        if params.demo:
            source += " DATOS DE DEMOSTRACIÓN: cifras sintéticas, no son resultados reales."
        _SIDECARS.update(folder=Path(output_dir), context={"year": params.year, "demo": params.demo,
                                                           "source": source})
    return report


def _load(year: int, data_dir, params_file, root) -> YearReport:
    snapshot = os.environ.get(SNAPSHOT_ENV)
    if snapshot and Path(snapshot).is_dir():
        report = load_report_from_snapshot(snapshot, os.environ.get(READS_ENV))
        if report.year == year:
            return report
    report = load_report(year, data_dir, params_file, Path(root))
    from .chapter import check_texts  # what the build adds to the year's problems before the sections run

    report.problems = list(report.problems) + check_texts(report)
    return report


def figure_svg(fig) -> SVG:
    """A figure as SVG (sharp in print, scalable on phones), without a timestamp so outputs reproduce."""
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return SVG(buffer.getvalue())


def figure_metadata(text: ChartText) -> dict:
    """Display metadata of a chart: its text alternative, caption, label and data table (read by the book)."""
    return {"informe": {"alt": text.alt, "caption": text.title, "label": text.label, "table": text.table_slug}}


def chart_data_links(text: ChartText) -> Text:
    """HTML only: the chart's description and links to its data, right below the chart."""
    base = f"{DOWNLOADS_DIR}/{text.table_slug}"
    return Text('::: {.content-visible when-format="html"}\n'
                f"::: {{.chart-description #desc-{text.label}}}\n"
                f"**Descripción del gráfico.** {escape_markdown(text.alt)} Datos del gráfico: "
                f"[XLSX]({base}.xlsx) · [CSV para Excel]({base}-excel.csv) · [CSV datos abiertos]({base}.csv)\n"
                ":::\n:::\n")


def show_figure(fig) -> None:
    """A chart as SVG with its text alternative (display metadata) and its data (for download)."""
    from . import charts

    text = charts.chart_text(fig)
    svg = figure_svg(fig)
    if text is None:
        display(svg)
        return
    if _SIDECARS:  # the chart's data, for download next to it (see setup)
        text.data.save_sidecar(_SIDECARS["folder"], **_SIDECARS["context"])
    display({"image/svg+xml": svg.data, "text/plain": text.title}, raw=True, metadata=figure_metadata(text))
    display(chart_data_links(text))


def _is_figure(item) -> bool:
    """A matplotlib figure (only possible once matplotlib is loaded: this never imports it)."""
    module = sys.modules.get("matplotlib.figure")
    return module is not None and isinstance(item, module.Figure)


def show(*items) -> None:
    """Display tables, texts, lists of Markdown bullets or figures; ``None`` items are skipped."""
    for item in items:
        if item is None:
            continue
        if _is_figure(item):
            show_figure(item)
        elif isinstance(item, list):
            display(bullet_list(item))
        elif isinstance(item, str):
            display(Text(item))
        else:
            if isinstance(item, Table) and item.title and _SIDECARS:
                item.save_sidecar(_SIDECARS["folder"], **_SIDECARS["context"])
            display(item)
