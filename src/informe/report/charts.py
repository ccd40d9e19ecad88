"""Charts with one consistent theme (seaborn on matplotlib), sized for print and phones."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.ticker import FuncFormatter, MaxNLocator  # noqa: E402

from ..fmt import format_number  # noqa: E402

# ACI Medellín's palette: deep blue, teal, green, amber, grey.
PALETTE = ["#1F4E79", "#1A9E9A", "#6BA539", "#F2A900", "#7F8C8D", "#C0392B"]
PRIMARY, SECONDARY, GOAL = PALETTE[0], PALETTE[1], PALETTE[3]


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
    })


def _thousands(ax, axis: str = "x", decimals: int = 0) -> None:
    formatter = FuncFormatter(lambda v, _: format_number(v, decimals))
    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_formatter(formatter)
    if decimals == 0:  # counts: whole-number ticks only (never "0 0 0 1 1 1")
        target.set_major_locator(MaxNLocator(integer=True))


def _wrap(label: str, width: int = 38) -> str:
    words, lines, line = str(label).split(), [], ""
    for word in words:
        if len(line) + len(word) + 1 > width and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines[:3]) + ("…" if len(lines) > 3 else "")


def progress_chart(table: pd.DataFrame, label: str, value: str, title: str, goal: float = 100) -> plt.Figure:
    """Horizontal bars of a percentage per item, with the goal marked."""
    data = table[[label, value]].dropna()
    fig, ax = plt.subplots(figsize=(7.5, 0.55 * len(data) + 1.2))
    sns.barplot(data=data, y=data[label].map(_wrap), x=value, color=PRIMARY, ax=ax)
    ax.axvline(goal, color=GOAL, linewidth=2, linestyle="--", label=f"Meta ({format_number(goal)} %)")
    for patch, pct in zip(ax.patches, data[value]):
        ax.annotate(f"{format_number(pct, 1)} %", (patch.get_width(), patch.get_y() + patch.get_height() / 2),
                    xytext=(4, 0), textcoords="offset points", va="center", fontsize=9)
    ax.set(title=title, xlabel="%", ylabel="")
    ax.set_xlim(0, max(goal, float(data[value].max())) * 1.18)
    ax.legend(loc="lower right", frameon=False)
    fig.tight_layout()
    return fig


def bar_chart(table: pd.DataFrame, label: str, value: str, title: str, xlabel: str = "",
              decimals: int = 0) -> plt.Figure:
    """Horizontal bars of ``value`` by ``label``, largest first, with values written on the bars."""
    data = table[[label, value]].dropna().sort_values(value, ascending=False)
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(data) + 1.2))
    sns.barplot(data=data, y=data[label].map(_wrap), x=value, color=SECONDARY, ax=ax)
    for patch, v in zip(ax.patches, data[value]):
        ax.annotate(format_number(v, decimals), (patch.get_width(), patch.get_y() + patch.get_height() / 2),
                    xytext=(4, 0), textcoords="offset points", va="center", fontsize=9)
    ax.set(title=title, xlabel=xlabel, ylabel="")
    ax.set_xlim(0, float(data[value].max()) * 1.18 if len(data) else 1)
    _thousands(ax, "x", decimals)
    fig.tight_layout()
    return fig


def comparison_chart(table: pd.DataFrame, label: str, columns: list[str], title: str) -> plt.Figure:
    """Grouped horizontal bars comparing several columns (e.g. goal vs achievement) per item."""
    long = table.melt(id_vars=[label], value_vars=columns, var_name="Serie", value_name="Valor")
    fig, ax = plt.subplots(figsize=(7.5, 0.7 * len(table) + 1.4))
    sns.barplot(data=long, y=long[label].map(_wrap), x="Valor", hue="Serie", ax=ax)
    ax.set(title=title, xlabel="", ylabel="")
    ax.legend(frameon=False, loc="lower right")
    _thousands(ax, "x")
    fig.tight_layout()
    return fig
