"""Charts with one consistent theme (seaborn on matplotlib), sized for print and phones.

Every chart carries a :class:`ChartText` (``chart_text(fig)``): a text alternative generated from
the data it plots (what it shows and its largest values, in es-CO numbers) and that data as a
:class:`~informe.report.display.Table`, offered for download next to the chart.
"""

from __future__ import annotations

from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from ..fmt import format_number  # noqa: E402
from . import trace  # noqa: E402
from .display import Table, slugify  # noqa: E402

# ACI Medellín's palette: deep blue, teal, green, amber, grey, red. Bars and lines are graphics that carry
# meaning, so each colour has at least 3:1 contrast against the white background (WCAG 2.1, 1.4.11):
# the agency's green and amber are darkened for that (#6BA539 → #5A9530, #F2A900 → #B07A00).
PALETTE = ["#1F4E79", "#1A9E9A", "#5A9530", "#B07A00", "#7F8C8D", "#C0392B"]
PRIMARY, SECONDARY, GOAL = PALETTE[0], PALETTE[1], PALETTE[3]
TOP_VALUES = 3  # how many of the largest values the text alternative names
TEXT_ATTRIBUTE = "_informe_text"  # the figure's attribute that holds its ChartText


@dataclass(frozen=True)
class ChartText:
    """What a chart says in words, and the data it plots."""

    title: str
    alt: str
    data: Table

    @property
    def label(self) -> str:
        """Cross-reference label of the figure (``fig-<slug of the title>``)."""
        return f"fig-{slugify(self.title)}"

    @property
    def table_slug(self) -> str:
        """Slug of the chart's data table (its CSV/XLSX downloads)."""
        return self.data.slug


def chart_text(fig: plt.Figure) -> ChartText | None:
    """The text attached to a figure made by this module (``None`` for any other figure)."""
    return getattr(fig, TEXT_ATTRIBUTE, None)


def _attach(fig: plt.Figure, title: str, alt: str, data: pd.DataFrame, formats: dict | None = None) -> plt.Figure:
    table = Table(data.reset_index(drop=True) if trace.origin(data) is None else data, f"Datos del gráfico: {title}",
                  formats=formats or {})
    setattr(fig, TEXT_ATTRIBUTE, ChartText(title, alt, table))
    return fig


def _largest(data: pd.DataFrame, label: str, value: str, decimals: int, suffix: str = "") -> str:
    """``«A» 12,50; «B» 3,00; ...``: the ``TOP_VALUES`` largest values, largest first."""
    top = data.sort_values(value, ascending=False, kind="stable").head(TOP_VALUES)
    return "; ".join(f"{row[label]}: {format_number(row[value], decimals)}{suffix}" for _, row in top.iterrows())


def _items(n: int) -> str:
    return "1 categoría" if n == 1 else f"{format_number(n)} categorías"


def describe_bars(data: pd.DataFrame, label: str, value: str, title: str, unit: str = "",
                  decimals: int = 0) -> str:
    """Text alternative of a bar chart: what it shows, how many bars, the largest values."""
    measure = f"{value} ({unit})" if unit and unit not in value else value
    if data.empty:
        return f"Gráfico de barras «{title}»: sin datos."
    which = "Los valores más altos son" if len(data) > 1 else "El valor es"
    return (f"Gráfico de barras horizontales «{title}»: {measure} por {label.lower()}, "
            f"{_items(len(data))}. {which} {_largest(data, label, value, decimals)}.")


def describe_progress(data: pd.DataFrame, label: str, value: str, title: str, goal: float) -> str:
    """Text alternative of a progress chart: the goal, how many items reach it, the largest values."""
    if data.empty:
        return f"Gráfico de avance «{title}»: sin datos."
    reached = int((data[value] >= goal).sum())
    return (f"Gráfico de barras horizontales «{title}»: {value} de {_items(len(data))} frente a la meta de "
            f"{format_number(goal)} %; {format_number(reached)} de {format_number(len(data))} alcanzan la meta. "
            f"Los avances más altos son {_largest(data, label, value, 1, ' %')}.")


def describe_comparison(table: pd.DataFrame, label: str, columns: list[str], title: str) -> str:
    """Text alternative of grouped bars: the series compared and the largest values of each."""
    if table.empty:
        return f"Gráfico de barras agrupadas «{title}»: sin datos."
    parts = [f"{c}: {_largest(table.dropna(subset=[c]), label, c, 0)}" for c in columns]
    return (f"Gráfico de barras agrupadas «{title}» que compara {' y '.join(columns)} en {_items(len(table))}. "
            f"Valores más altos — {' | '.join(parts)}.")


def set_theme() -> None:
    """The report's look: white grid, agency palette, Spanish decimal comma, print-friendly sizes."""
    sns.set_theme(style="whitegrid", palette=PALETTE, font="DejaVu Sans", rc={
        "figure.figsize": (7.5, 4.2),
        "figure.dpi": 110,
        "savefig.dpi": 200,
        "axes.titlesize": 12,
        "axes.titleweight": "bold",
        "axes.labelsize": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.formatter.use_locale": False,
        "text.parse_math": False,  # data text such as «$\\notacommand$» is printed literally, never as math
        "svg.hashsalt": "informe",  # stable SVG ids: re-executed notebooks give identical output
    })


set_theme()  # every chart of this module is drawn with the report's theme


def warm_up() -> None:
    """Draw one small chart in the report's theme and write it as SVG, then forget it.

    A process forked afterwards (the build's kernels: see ``informe.publish.forkkernel``) finds the fonts
    loaded and the drawing code warmed up instead of paying for it on its first chart. The figure is
    made the way the charts make theirs (``plt.subplots``) and closed: pyplot holds no figure afterwards
    and numbers the next one 1, as it would have.
    """
    from .notebook import figure_svg

    fig, ax = plt.subplots(figsize=(3, 1.5))
    data = pd.DataFrame({"Concepto": ["Año", "Período"], "Valor": [1.5, 2.0]})
    sns.barplot(data=data, y="Concepto", x="Valor", color=PRIMARY, ax=ax)
    ax.annotate(format_number(2.0, 1), (2.0, 0), xytext=(4, 0), textcoords="offset points", fontsize=9)
    ax.set(title="Título", xlabel="Eje", ylabel="")
    _thousands(ax, "x", 1)
    fig.tight_layout()
    try:
        figure_svg(fig)  # as a section shows it (which closes it)
    finally:
        plt.close(fig)  # even when drawing failed: no figure may be left for a kernel to inherit


def _thousands(ax, axis: str = "x", decimals: int = 0) -> None:
    formatter = FuncFormatter(lambda v, _: format_number(v, decimals))
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_formatter(formatter)
    if decimals == 0:  # counts: whole-number ticks only (never "0 0 0 1 1 1")
        target.set_major_locator(MaxNLocator(integer=True))


def _wrap(label: str, width: int = 38) -> str:
    """The label on lines of at most ``width`` characters (a longer word keeps its own line): never cut."""
    words, lines, line = str(label).split(), [], ""
    for word in words:
        if len(line) + len(word) + 1 > width and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines)


def _height(labels, per_line: float = 0.2, per_bar: float = 0.25, extra: float = 1.0) -> float:
    """Figure height (inches) that fits every wrapped label."""
    return extra + sum(per_bar + per_line * (str(label).count("\n") + 1) for label in labels)


# The caption of every chart is its title (ChartText.title, shown by the book as «Figura N.M: …»):
# the image carries no title of its own, so it is never said twice.

def _label_width(ax, text: str, fontsize: float = 9) -> float:
    """Approximate width of ``text`` in data units of the x axis (for placing value labels)."""
    fig = ax.figure
    axes_inches = ax.get_position().width * fig.get_figwidth()
    x0, x1 = ax.get_xlim()
    return (len(text) * 0.62 * fontsize / 72 + 0.1) / axes_inches * (x1 - x0)


def progress_chart(table: pd.DataFrame, label: str, value: str, title: str, goal: float = 100) -> plt.Figure:
    """Horizontal bars of a percentage per item, with the goal marked.

    Value labels never sit across the dashed goal line: inside the end of a bar that stops short of the
    goal (when it fits), else just past the bar's end or past the goal line."""
    data = table[[label, value, *trace.carried(table, [value])]].dropna(subset=[label, value]).reset_index(drop=True)
    labels = data[label].map(_wrap)
    fig, ax = plt.subplots(figsize=(7.5, _height(labels)))
    sns.barplot(data=data, y=labels, x=value, color=PRIMARY, ax=ax)
    ax.axvline(goal, color=GOAL, linewidth=2, linestyle="--", label=f"Meta ({format_number(goal)} %)", zorder=1)
    ax.set_xlim(0, max(goal, float(data[value].max()) if len(data) else goal) * 1.22)
    fig.tight_layout()
    for patch, pct in zip(ax.patches, data[value]):
        assert isinstance(patch, Rectangle), "seaborn's barplot draws each bar as a Rectangle"
        text = f"{format_number(pct, 1)} %"
        width, y = patch.get_width(), patch.get_y() + patch.get_height() / 2
        room = _label_width(ax, text)
        if width < goal and width - room > 0:  # inside the bar's end, left of the goal line
            ax.annotate(text, (width, y), xytext=(-4, 0), textcoords="offset points", va="center", ha="right",
                        fontsize=9, color="white", fontweight="bold", zorder=3)
        else:  # right of the bar, or right of the goal line when the bar ends just short of it
            start = width if (width >= goal or width + room < goal) else goal
            ax.annotate(text, (start, y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=9,
                        zorder=3)
    ax.set(xlabel="%", ylabel="")
    ax.legend(loc="lower right", frameon=True, framealpha=1, edgecolor="white")
    fig.tight_layout()
    return _attach(fig, title, describe_progress(data, label, value, title, goal), data,
                   {value: lambda v: format_number(v, 1)})


def describe_path(data: pd.DataFrame, label: str, segments: list[str], goal: str, title: str,
                  formats: list | None = None, units: list[str] | None = None) -> str:
    """Text alternative of the path chart: every indicator's segments in its unit, and its plan goal."""
    if data.empty:
        return f"Gráfico de barras apiladas «{title}»: sin datos."
    parts = []
    for i, (_, row) in enumerate(data.iterrows()):
        fmt = formats[i] if formats else (lambda v: format_number(v, 2))
        unit = f" ({units[i]})" if units else ""
        pieces = [f"{'falta' if s == segments[-1] else 'logrado ' + s} {fmt(row[s])}" for s in segments]
        parts.append(f"{row[label]}{unit}: " + ", ".join(pieces) + f"; meta del plan {fmt(row[goal])}")
    return (f"Gráfico de barras apiladas «{title}»: por indicador, lo logrado en "
            f"{' y '.join(segments[:-1])} y lo que falta para la meta del plan, en % de esa meta. "
            + ". ".join(parts) + ".")


def path_chart(table: pd.DataFrame, label: str, segments: list[str], goal: str, title: str,
               formats: list | None = None, units: list[str] | None = None) -> plt.Figure:
    """Stacked horizontal bars per item: ``segments`` (earlier years, this year, what is left), each in % of the
    item's ``goal`` so that items in different units share one axis. The last segment (what is left) is drawn
    hatched and light; every segment wider than its label carries its % (not colour only: see the legend)."""
    data = table.reset_index(drop=True)
    labels = data[label].map(_wrap)
    shares = pd.DataFrame({s: [float(v) / float(g) * 100 if g and not pd.isna(g) and not pd.isna(v) else 0.0
                               for v, g in zip(data[s], data[goal])] for s in segments})
    fig, ax = plt.subplots(figsize=(7.5, _height(labels, extra=1.6)))
    colours = [*[PALETTE[4] if i < len(segments) - 2 else PRIMARY for i in range(len(segments) - 1)], "#FFFFFF"]
    earlier = [PALETTE[4], "#A9B3B5", "#5C6668"]
    for i in range(len(segments) - 2):
        colours[i] = earlier[i % len(earlier)]
    left = pd.Series([0.0] * len(data))
    y = list(range(len(data)))
    for i, segment in enumerate(segments):
        is_left = i == len(segments) - 1
        name = "Falta para la meta" if is_left else f"Logrado {segment}"
        ax.barh(y, shares[segment], left=left, color=colours[i], edgecolor=PRIMARY if is_left else "white",
                hatch="//" if is_left else None, linewidth=0.8, label=name, height=0.7)
        left = left + shares[segment]
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.axvline(100, color=GOAL, linewidth=1.5, linestyle="--", zorder=0.9)  # behind the bars: never across a label
    ax.set_xlim(0, max(100.0, float(left.max()) if len(left) else 100.0) * 1.05)
    ax.set(xlabel="% de la meta del plan", ylabel="")
    ax.xaxis.set_major_locator(MaxNLocator(nbins=6, steps=[1, 2, 2.5, 5, 10]))
    # the legend below the chart, outside the axes (the layout keeps room for it: the bars keep their width)
    rows = -(-len(segments) // 3)
    room = (0.3 * rows + 0.1) / fig.get_figheight()
    fig.tight_layout(rect=(0, room, 1, 1))
    handles, names = ax.get_legend_handles_labels()
    fig.legend(handles, names, loc="lower center", bbox_to_anchor=(0.5, 0), ncol=min(3, len(segments)),
               frameon=False, fontsize=9)
    starts = pd.Series([0.0] * len(data))
    for i, segment in enumerate(segments):
        for row, (start, share) in enumerate(zip(starts, shares[segment])):
            text = f"{format_number(share, 0)} %"
            if share > 0 and _label_width(ax, text, 8) < share:
                is_left = i == len(segments) - 1
                dark = not is_left and colours[i] in (PRIMARY, PALETTE[4], "#5C6668")
                ax.annotate(text, (start + share / 2, row), ha="center", va="center", fontsize=8,
                            color="white" if dark else "#1d2730", zorder=3,
                            bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none") if is_left else None)
        starts = starts + shares[segment]
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: format_number(v)))
    table_data = data[[label, *segments, goal]]
    table_formats = {c: formats for c in [*segments, goal]} if formats else {}
    return _attach(fig, title, describe_path(data, label, segments, goal, title, formats, units), table_data,
                   table_formats)


def bar_chart(table: pd.DataFrame, label: str, value: str, title: str, xlabel: str = "",
              decimals: int = 0) -> plt.Figure:
    """Horizontal bars of ``value`` by ``label``, largest first, with values written on the bars."""
    data = table[[label, value, *trace.carried(table, [value])]].dropna(subset=[label, value]).sort_values(
        value, ascending=False)
    labels = data[label].map(_wrap)
    fig, ax = plt.subplots(figsize=(7.5, _height(labels, per_bar=0.2, extra=0.9)))
    sns.barplot(data=data, y=labels, x=value, color=SECONDARY, ax=ax)
    for patch, v in zip(ax.patches, data[value]):
        assert isinstance(patch, Rectangle), "seaborn's barplot draws each bar as a Rectangle"
        ax.annotate(format_number(v, decimals), (patch.get_width(), patch.get_y() + patch.get_height() / 2),
                    xytext=(4, 0), textcoords="offset points", va="center", fontsize=9)
    ax.set(xlabel=xlabel, ylabel="")
    ax.set_xlim(0, float(data[value].max()) * 1.18 if len(data) else 1)
    _thousands(ax, "x", decimals)
    fig.tight_layout()
    return _attach(fig, title, describe_bars(data, label, value, title, xlabel, decimals), data,
                   {value: lambda v: format_number(v, decimals)})


def comparison_chart(table: pd.DataFrame, label: str, columns: list[str], title: str) -> plt.Figure:
    """Grouped horizontal bars comparing several columns (e.g. goal vs achievement) per item."""
    long = table.melt(id_vars=[label], value_vars=columns, var_name="Serie", value_name="Valor")
    fig, ax = plt.subplots(figsize=(7.5, _height(table[label].map(_wrap), per_bar=0.45, extra=1.2)))
    sns.barplot(data=long, y=long[label].map(_wrap), x="Valor", hue="Serie", ax=ax)
    ax.set(xlabel="", ylabel="")
    ax.legend(frameon=False, loc="lower right")
    _thousands(ax, "x")
    fig.tight_layout()
    return _attach(fig, title, describe_comparison(table, label, columns, title),
                   table[[label, *columns, *trace.carried(table, columns)]])
