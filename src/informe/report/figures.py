"""The report's figures by name, for the chapter texts: ``{{indicador.pi-01}}``, ``{{inversion.proyectos_detallados}}``.

Three kinds, all computed from the validated data and formatted exactly as the tables print them:

* **plan indicators** (sheet «Indicadores» of the plan workbook): ``indicador.<código>`` is the year's
  achievement in the indicator's unit and decimals; ``.meta`` (the year's goal), ``.meta_plan``,
  ``.acumulado``, ``.cumplimiento`` (% of the year's goal), ``.avance`` (% of the plan's goal);
* **figures the analysts keep** (each workbook's «Cifras» sheet): ``<libro>.<clave>``, in the unit of
  its «Unidad» column;
* **figures computed from the detail**, declared in ``cifras-calculadas.yml`` (:func:`computed_figures`):
  counts and sums of the detail sheets and the financial statements' lines, which the tables print too.

The catalogue is lazy: a name is computed only when a text cites it (or when the prose check of a
chapter compares its typed numbers with the chapter's figures), so a section reads only the sheets
its own figures come from. :func:`figure_names` lists every name with its description, for the
analyst's guide.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from pydantic import Field as PydanticField

from ..data import finance
from ..data.contract import CONTRACT, FINANCIAL_INDICATORS, STATEMENT_ROLES
from ..fmt import exact_sum, is_missing
from .display import COP, Format, cop_millions, number, percent, usd_millions
from .report import YearReport

INDICATOR = "indicador"
INDICATOR_PARTS = {  # suffix → (column or computation, description)
    "": "logro del año, en la unidad del indicador",
    "meta": "meta del año",
    "meta_plan": "meta de todo el periodo del plan",
    "acumulado": "avance acumulado del periodo al corte",
    "cumplimiento": "cumplimiento del año: logro / meta del año, en %",
    "avance": "avance del plan: acumulado / meta del plan, en %",
}


class FigureError(KeyError):
    """An unknown figure name; the message lists the closest names."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass(frozen=True)
class Figure:
    """One figure: its value, how it prints, and the words that name it (for the prose check)."""

    name: str
    value: float | None
    format: Format
    label: str
    head: str = ""  # the noun that names what it counts («empresa» for «Empresas con nuevos proyectos…»)
    goal: bool = False  # a goal (``.meta``, ``.meta_plan``): prose rarely types one; not used by the prose check

    @property
    def text(self) -> str:
        return "s. d." if self.value is None or is_missing(self.value) else self.format(self.value)


COMPUTED_FILE = Path(__file__).with_name("cifras-calculadas.yml")
MEASURES = ("Filas", "Suma", "Filas con valor", "Valores distintos", "Línea", "Indicador financiero")
FORMATS: dict[str, Format] = {"cantidad": number(0), "pesos": COP, "pesos_millones": cop_millions(2),
                              "usd": number(0), "usd_millones": usd_millions(2), "numero": number(2)}


class ComputedSpec(BaseModel):
    """One declared figure of ``cifras-calculadas.yml`` (see that file for the keys)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    name: str = PydanticField(alias="nombre", pattern=r"^[a-z_]+\.[a-z0-9_]+$")
    label: str = PydanticField(alias="descripcion", min_length=1)
    workbook: str = PydanticField(alias="libro")
    sheet: str = PydanticField(alias="hoja")
    measure: Literal[MEASURES] = PydanticField(alias="medida")  # type: ignore[valid-type]
    column: str | None = PydanticField(None, alias="columna")
    value: str | None = PydanticField(None, alias="valor")
    role: str | None = PydanticField(None, alias="rol")
    indicator: str | None = PydanticField(None, alias="indicador")
    format_name: Literal[tuple(FORMATS)] = PydanticField(alias="formato")  # type: ignore[valid-type]

    @model_validator(mode="after")
    def _complete(self) -> ComputedSpec:
        needs = {"Suma": ("column",), "Filas con valor": ("column", "value"), "Valores distintos": ("column",),
                 "Línea": ("role",), "Indicador financiero": ("indicator",)}.get(self.measure, ())
        missing = [k for k in needs if getattr(self, k) is None]
        if missing:
            raise ValueError(f"la medida «{self.measure}» necesita {', '.join(missing)}")
        spec = next((w for w in CONTRACT if w.filename == self.workbook), None)
        if spec is None or all(s.name != self.sheet for s in spec.sheets):
            raise ValueError(f"{self.workbook} no tiene la hoja «{self.sheet}» en el contrato de datos")
        if self.column is not None and self.column not in spec.sheet(self.sheet).headers:
            raise ValueError(f"la hoja «{self.sheet}» de {self.workbook} no tiene la columna «{self.column}»")
        if self.role is not None and self.role not in STATEMENT_ROLES:
            raise ValueError(f"«{self.role}» no es un rol de los estados financieros")
        if self.indicator is not None and self.indicator not in FINANCIAL_INDICATORS:
            raise ValueError(f"«{self.indicator}» no es un indicador financiero")
        if self.name.split(".")[0] != self.workbook.removesuffix(".xlsx").replace("estados_financieros", "financiero"):
            raise ValueError(f"el nombre «{self.name}» debe empezar por el libro ({self.workbook})")
        return self

    @property
    def format(self) -> Format:
        return FORMATS[self.format_name]

    def get(self, report: YearReport) -> float | None:
        frame = report.frame(self.workbook, self.sheet)
        if self.measure == "Filas":
            return float(len(frame))
        if self.measure == "Suma":
            return exact_sum(frame[self.column])
        if self.measure == "Filas con valor":
            return float((frame[self.column].astype("string") == self.value).sum())
        if self.measure == "Valores distintos":
            return float(frame[self.column].nunique())
        if self.measure == "Línea":
            assert self.role is not None, "_complete requires «rol» for the measure «Línea»"
            return finance.line(frame, self.role)
        assert self.indicator is not None, "_complete requires «indicador» for the measure «Indicador financiero»"
        return float(finance.financial_indicators(frame)[self.indicator])


@cache
def computed_figures() -> dict[str, ComputedSpec]:
    """The declared figures of ``cifras-calculadas.yml``, checked (a broken entry names itself)."""
    # libyaml's loader where PyYAML has it: read in every kernel, ~10× faster than the pure-Python one
    raw = yaml.load(COMPUTED_FILE.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    found: dict[str, ComputedSpec] = {}
    for i, item in enumerate(raw["figures"], start=1):
        try:
            spec = ComputedSpec.model_validate(item)
        except ValidationError as exc:
            raise ValueError(f"{COMPUTED_FILE.name}, cifra {i} ({item.get('nombre', '?')}): "
                             + "; ".join(e["msg"] for e in exc.errors())) from None
        if spec.name in found:
            raise ValueError(f"{COMPUTED_FILE.name}: la cifra «{spec.name}» está declarada dos veces")
        found[spec.name] = spec
    return found


STOPWORDS = frozenset("""a al ante año años con como de del desde el en entre la las lo los para por que se su sus un
una unos unas y o e u total monto número cantidad cifra valor usd cop millones pesos mil""".split())


def head_word(text: str) -> str:
    """The first content word of a label, lower-case, without accents or plural «s» («Empresas» → empresa)."""
    plain = unicodedata.normalize("NFKD", str(text).lower()).encode("ascii", "ignore").decode()
    for word in re.findall(r"[a-z]{4,}", plain):
        if word not in STOPWORDS:
            return stem(word)
    return ""


def stem(word: str) -> str:
    """A crude Spanish singular: «acciones» → «accion», «empresas» → «empresa», «aportes» → «aporte»."""
    if word.endswith("ones") and len(word) > 6:
        return word[:-2]
    if word.endswith("es") and len(word) > 5 and word[-3] in "lrnd":
        return word[:-2]
    if word.endswith("s") and len(word) > 4:
        return word[:-1]
    return word


def unit_format(unit: str, value: float | None) -> Format:
    """How a «Cifras» value prints, from its «Unidad» (USD millones, COP pesos, %, cantidad…)."""
    text = unicodedata.normalize("NFKD", str(unit).lower()).encode("ascii", "ignore").decode()
    if "usd" in text and "millon" in text:
        return usd_millions(2)
    if text.startswith(("cop", "pesos", "$")) and "por" not in text and "cada" not in text:
        return COP
    if text.startswith(("%", "porcentaje")):
        return percent(1)
    if value is not None and not is_missing(value) and not float(value).is_integer():
        return number(2)
    return number(0)


def _namespace(filename: str) -> str:
    return filename.removesuffix(".xlsx")


class FigureCatalog:
    """The figures of one year, computed on demand (see the module's docstring)."""

    def __init__(self, report: YearReport):
        self.report = report
        self._cache: dict[str, Figure] = {}
        self._rows: dict[str, pd.Series] | None = None
        self._names: list[str] | None = None

    # Names -------------------------------------------------------------------------------------------------
    def _indicator_rows(self) -> dict[str, pd.Series]:
        if self._rows is None:  # report.indicators is computed anew on each use (0.1 s): once per catalog
            table = self.report.indicators
            self._rows = {str(row["Código"]).strip().lower(): row for _, row in table.iterrows()
                          if not is_missing(row["Código"])}
        return self._rows

    def _kept(self, filename: str) -> dict[str, pd.Series]:
        frames = self.report.frames
        key = (filename, "Cifras")
        frame = frames.get(key) if hasattr(frames, "get") else None
        if frame is None or frame.empty:
            return {}
        return {f"{_namespace(filename)}.{str(row['Clave']).strip()}": row for _, row in frame.iterrows()
                if not is_missing(row["Clave"])}

    def names(self, namespaces: tuple[str, ...] | None = None) -> list[str]:
        """Every figure name (only those under ``namespaces`` when given; ``*``: all)."""
        wanted = None if namespaces is None or "*" in namespaces else set(namespaces)
        found: list[str] = []
        if wanted is None or INDICATOR in wanted:
            for code in self._indicator_rows():
                found += [f"{INDICATOR}.{code}" + (f".{part}" if part else "") for part in INDICATOR_PARTS]
        for spec in CONTRACT:
            namespace = _namespace(spec.filename)
            if wanted is not None and namespace not in wanted:
                continue
            if any(sheet.name == "Cifras" for sheet in spec.sheets):
                found += list(self._kept(spec.filename))
        found += [name for name in computed_figures() if wanted is None or name.split(".")[0] in wanted]
        return found

    # Values ------------------------------------------------------------------------------------------------
    def get(self, name: str) -> Figure:
        """The figure ``name``; :class:`FigureError` (in Spanish, with the closest names) when unknown."""
        if name in self._cache:
            return self._cache[name]
        figure = self._compute(name)
        if figure is None:
            if self._names is None:
                self._names = self.names()
            raise FigureError(unknown_message(name, self._names))
        self._cache[name] = figure
        return figure

    def _compute(self, name: str) -> Figure | None:
        namespace, _, rest = name.partition(".")
        if namespace == INDICATOR:
            return self._indicator_figure(name, rest)
        if name in computed_figures():
            spec = computed_figures()[name]
            try:
                value = spec.get(self.report)
            except KeyError:  # the sheet did not pass validation, or the statement lacks the line
                value = None
            return Figure(name, value, spec.format, spec.label, head_word(spec.label))
        filename = f"{namespace}.xlsx"
        if any(spec.filename == filename for spec in CONTRACT):
            row = self._kept(filename).get(name)
            if row is not None:
                value = None if is_missing(row["Valor"]) else float(row["Valor"])
                return Figure(name, value, unit_format(row["Unidad"], value), str(row["Concepto"]),
                              head_word(row["Concepto"]))
        return None

    def _indicator_figure(self, name: str, rest: str) -> Figure | None:
        from .sections.summary import indicator_format

        code, _, part = rest.partition(".")
        if part not in INDICATOR_PARTS:
            code, part = rest, ""
        row = self._indicator_rows().get(code)
        if row is None:
            return None
        label = f"{row['Indicador']} ({INDICATOR_PARTS[part]})"
        summary = row.get("Cifra en resumen")
        named = str(summary) if not is_missing(summary) and str(summary).strip() else str(row["Indicador"])
        head = head_word(named)
        goal = part in ("meta", "meta_plan")
        if part in ("cumplimiento", "avance"):
            over, under = (("Logro año", "Meta año") if part == "cumplimiento" else ("Acumulado", "Meta del plan"))
            value = (None if is_missing(row[under]) or not row[under] or is_missing(row[over])
                     else round(float(row[over]) / float(row[under]) * 100, 10))
            return Figure(name, value, percent(1), label, head, goal)
        column = {"": "Logro año", "meta": "Meta año", "meta_plan": "Meta del plan", "acumulado": "Acumulado"}[part]
        value = None if is_missing(row[column]) else float(row[column])
        return Figure(name, value, indicator_format(row), label, head, goal)


def unknown_message(name: str, names: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, names, n=3, cutoff=0.6)
    hint = f"; ¿quiso decir {', '.join('{{' + c + '}}' for c in close)}?" if close else ""
    return (f"la cifra «{{{{{name}}}}}» no existe{hint} (la guía del analista lista todas las cifras que se pueden "
            "citar)")


def figure_names(report: YearReport) -> list[tuple[str, str, str]]:
    """(name, description, value as printed) of every figure of ``report``: the analyst guide's list."""
    catalog = FigureCatalog(report)
    return [(name, catalog.get(name).label, catalog.get(name).text) for name in catalog.names()]


def figures_markdown(report: YearReport) -> str:
    """``docs/cifras-citables.md``: every name a text may cite, what it is and its value in ``report``'s year."""
    from .display import escape_markdown

    lines = [
        "# Cifras que un texto puede citar",
        "",
        "Generado con `python -m informe.report.figures` (no editar a mano). En un texto de capítulo",
        "(`data/<año>/textos/`), `{{nombre}}` se reemplaza por la cifra con el formato de las tablas. Los",
        f"valores de ejemplo son los de {report.year}. Los indicadores aceptan los sufijos "
        + ", ".join(f"`.{p}` ({d})" for p, d in INDICATOR_PARTS.items() if p) + ".",
        "",
        "| Nombre | Qué es | Valor " + str(report.year) + " |",
        "|:---|:---|---:|",
    ]
    catalog = FigureCatalog(report)
    for name in catalog.names():
        if name.startswith(f"{INDICATOR}.") and name.count(".") > 1:
            continue  # the suffixes are explained above
        figure = catalog.get(name)
        lines.append(f"| `{{{{{name}}}}}` | {escape_markdown(figure.label)} | {escape_markdown(figure.text)} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    import sys
    from pathlib import Path

    from .. import paths
    from .report import load_report

    target = Path((argv or sys.argv[1:] or ["docs/cifras-citables.md"])[0])
    root = paths.find_project_root()
    report = load_report(2022, root / "data" / "2022", root / "params" / "2022.yml", root, with_prior=False)
    target.write_text(figures_markdown(report), encoding="utf-8")
    print(f"escrito {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
