"""``informe new-year YEAR``: start a year from the previous year's structure, catalogs and plan.

What is carried over, per workbook:

* every «Catálogos» sheet (sectors, fronts, units, figure keys...), as is;
* the development plan (name, period, indicators, goals per year, reconciliations) when its
  period continues into the new year; otherwise an empty plan for the analyst to record the new one;
* the strategic framework (identity, strategic and tactical objectives, key results with their
  quarter) with every key result's «Estado» and «Observación» left empty; a key result's link to a
  plan indicator only when the plan continues;
* the financial statements' structure (codes, parents, names, signs, roles, notes) with the
  previous year's «Año actual» copied into «Año anterior», and the previous year's closing rows of
  the statement of changes in equity;
* the list of rows that must be filled again every year (budget lines, procurement modalities, PQRS
  processes, published indicators, figure keys) with their values left empty.

A demo year is never carried into a real one: from a demo year only structure and catalogs are
copied, never a figure. Nothing existing is overwritten. The analyst then fills the empty cells;
``informe validate`` lists every one of them (exit 1) until the year is complete.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from .contract import CATALOG_SHEET, CONTRACT
from .finance import CURRENT, PRIOR
from .params import ParamsError, load_params
from .plan import GOALS, INDICATORS, PLAN_FILE, PLAN_SHEET, RECONCILIATIONS
from .strategy import FRAMEWORK, KEY_RESULT_KEPT, KEY_RESULTS, OBJECTIVES, PLAN_LINK, STRATEGY_FILE, TACTICAL
from .template import write_workbook
from .workbooks import UnusableInput, read_year

FS = "estados_financieros.xlsx"
STATEMENTS = ("Situación financiera", "Resultados", "Flujo de efectivo")
STRUCTURE = ("Código", "Código padre", "Cuenta", "Concepto", "Signo", "Rol", "Nota")
# Sheets whose rows are a list that repeats every year: (sheet, columns kept).
REPEATED = {
    ("estados_financieros.xlsx", "Ejecución presupuestal"): ("Tipo", "Código", "Código padre", "Rubro"),
    ("estados_financieros.xlsx", "Indicadores publicados"): ("Indicador", "Unidad"),
    ("administrativo.xlsx", "Contratación"): ("Modalidad",),
    ("administrativo.xlsx", "PQRS"): ("Proceso",),
}
PLAN_KEPT = ("Código", "Plan", "Frente", "Indicador", "Unidad", "Decimales", "Meta del plan", "Orden en resumen",
             "Cifra en resumen", "Frase en resumen")


class NewYearError(Exception):
    """The new year cannot be started (message in Spanish)."""


@dataclass
class NewYear:
    """What ``new-year`` wrote and what the analyst must fill."""

    year: int
    data_dir: Path
    params_file: Path
    source: Path
    plan_continues: bool
    source_is_demo: bool
    written: list[Path] = field(default_factory=list)
    texts: list[tuple[str, str]] = field(default_factory=list)  # (file, chapter title) of each text to write

    def checklist(self) -> list[str]:
        """Short list of what the analyst must fill before the year validates."""
        y = self.year
        items = [
            f"params/{y}.yml: revise la fecha de corte, la tasa de cambio y los firmantes (nombre y cargo).",
        ]
        if self.plan_continues:
            items.append(f"data/{y}/plan_desarrollo.xlsx, hoja «Indicadores»: «Logro año» y «Acumulado» de cada "
                         "indicador (metas, conciliaciones y cifras del resumen vienen del año anterior).")
        else:
            items.append(f"data/{y}/plan_desarrollo.xlsx: el plan anterior terminó; registre el nuevo plan en «Plan» "
                         "(nombre, primer y último año), sus indicadores, sus metas por año en «Metas» y cómo se "
                         "concilia cada uno en «Conciliaciones».")
        link = ("" if self.plan_continues else "; «Indicador del plan» quedó vacío porque el plan terminó: "
                "ligue cada resultado al indicador del plan nuevo que le corresponda")
        items.append(f"data/{y}/planeacion_estrategica.xlsx, hoja «Resultados clave»: el «Estado» de cada resultado "
                     "clave (el marco, los objetivos y los resultados clave vienen del año anterior: actualícelos si "
                     f"la planeación cambió){link}.")
        items += [
            "Catálogos: agregue en la hoja «Catálogos» de cada libro los valores nuevos (un sector, un frente...).",
            "Detalle del año: proyectos, cooperación, sur-sur, col-col, Sos Paisa, eventos, premios, procesos "
            "judiciales (filas nuevas).",
            "Hojas «Cifras»: el «Valor» de cada clave (revise el «Concepto»).",
            "administrativo.xlsx: procesos y valor por modalidad de contratación; PQRS por proceso.",
        ]
        if self.source_is_demo:
            items.append(f"estados_financieros.xlsx: el año {y - 1} es de demostración, no se copió ninguna cifra: "
                         "escriba «Año anterior» desde los estados auditados de ese año, además de «Año actual».")
        else:
            items.append(f"estados_financieros.xlsx: «Año actual» de cada línea («Año anterior» ya trae el cierre de "
                         f"{y - 1}); filas de {y} del estado de cambios en el patrimonio; ejecución presupuestal; "
                         "indicadores publicados.")
        for file, title in self.texts:
            items.append(f"data/{y}/{file}: escriba el texto del capítulo «{title}» (el esqueleto trae los títulos, "
                         f"las tablas y las cifras que citó {y - 1}; reemplace cada «Por escribir»).")
        items.append(f"Valide con: informe validate --year {y}  (salida 0 cuando todo está completo).")
        return items


def _frame(raw, filename: str, sheet: str) -> pd.DataFrame:
    data = raw.sheets.get((filename, sheet))
    return pd.DataFrame() if data is None else data.frame.reset_index(drop=True)


def _keep(frame: pd.DataFrame, columns) -> pd.DataFrame:
    return frame[[c for c in columns if c in frame.columns]].copy()


def _plan_continues(raw, year: int) -> bool:
    plan = _frame(raw, PLAN_FILE, PLAN_SHEET)
    if len(plan) != 1:
        return False
    try:
        return int(plan["Primer año"].iloc[0]) <= year <= int(plan["Último año"].iloc[0])
    except (TypeError, ValueError):
        return False


def carried_rows(raw, year: int, source_is_demo: bool, plan_continues: bool) -> dict[str, dict[str, pd.DataFrame]]:
    """filename → sheet → the rows the new year starts with."""
    rows: dict[str, dict[str, pd.DataFrame]] = {spec.filename: {} for spec in CONTRACT}
    for spec in CONTRACT:
        sheets = rows[spec.filename]
        if any(s.name == CATALOG_SHEET for s in spec.sheets):
            sheets[CATALOG_SHEET] = _frame(raw, spec.filename, CATALOG_SHEET)
        if any(s.name == "Cifras" for s in spec.sheets):
            figures = _keep(_frame(raw, spec.filename, "Cifras"), ("Clave", "Concepto", "Unidad"))
            if "Concepto" in figures:
                figures["Concepto"] = figures["Concepto"].map(
                    lambda t: t.replace(str(year - 1), str(year)) if isinstance(t, str) else t)
            sheets["Cifras"] = figures
    for (filename, sheet), columns in REPEATED.items():
        rows[filename][sheet] = _keep(_frame(raw, filename, sheet), columns)
    for sheet in STATEMENTS:
        before = _frame(raw, FS, sheet)
        statement = _keep(before, STRUCTURE)
        statement[PRIOR] = None if source_is_demo or CURRENT not in before else before[CURRENT].values
        rows[FS][sheet] = statement
    equity = _frame(raw, FS, "Cambios en el patrimonio")
    if not source_is_demo and "Periodo" in equity:
        closing = equity[pd.to_numeric(equity["Periodo"], errors="coerce") == year - 1]
        rows[FS]["Cambios en el patrimonio"] = closing.drop(columns=["Total publicado"], errors="ignore")
    if plan_continues:
        plan = rows[PLAN_FILE]
        plan[PLAN_SHEET] = _frame(raw, PLAN_FILE, PLAN_SHEET)
        plan[INDICATORS] = _keep(_frame(raw, PLAN_FILE, INDICATORS), PLAN_KEPT)
        plan[GOALS] = _frame(raw, PLAN_FILE, GOALS)
        plan[RECONCILIATIONS] = _frame(raw, PLAN_FILE, RECONCILIATIONS)
    framework = rows[STRATEGY_FILE]
    for sheet in (FRAMEWORK, OBJECTIVES, TACTICAL):
        framework[sheet] = _frame(raw, STRATEGY_FILE, sheet)
    kept = KEY_RESULT_KEPT + ((PLAN_LINK,) if plan_continues else ())
    framework[KEY_RESULTS] = _keep(_frame(raw, STRATEGY_FILE, KEY_RESULTS), kept)
    return rows


def params_text(year: int, previous: dict | None, demo: bool = False, header: str = "",
                rate_note: str = "") -> str:
    """``params/<year>.yml`` to fill in: agency, NIT and signatories from the previous year."""
    previous = previous or {}
    data = {
        "year": year,
        "cutoff": dt.date(year, 12, 31),
        "demo": demo,
        "agency": previous.get("agency", ""),
    }
    if previous.get("nit"):
        data["nit"] = previous["nit"]
    if previous.get("chapters"):
        data["chapters"] = previous["chapters"]
    data["exchange_rate"] = {"note": rate_note or f"POR COMPLETAR: TRM vigente al 31 de diciembre de {year} "
                                                  "(cop_per_usd)."}
    data["signatories"] = previous.get("signatories") or [{"name": "POR COMPLETAR", "role": "POR COMPLETAR"}]
    if "chapters" in data:  # after the signatories, as in the project's params files
        data["chapters"] = data.pop("chapters")
    header = header or (f"# Parameters of the {year} report, written by `informe new-year {year}`.\n"
                        "# Fill in: cutoff, exchange_rate.cop_per_usd, and check every signatory (name and role).\n")
    return header + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)


def new_year(root: Path, year: int) -> NewYear:
    """Create ``data/<year>/`` and ``params/<year>.yml`` from ``data/<year-1>``; never overwrite anything."""
    root = Path(root)
    source, target = root / "data" / str(year - 1), root / "data" / str(year)
    params_path = root / "params" / f"{year}.yml"
    if not source.is_dir():
        raise NewYearError(f"no existe data/{year - 1}: new-year parte del año anterior (use `informe template` "
                           "para empezar sin año anterior)")
    existing = [p for p in [params_path, *(target / spec.filename for spec in CONTRACT)] if p.exists()]
    if existing:
        raise NewYearError("no se sobrescribe nada; ya existen: "
                           + ", ".join(str(p.relative_to(root)) for p in existing))
    try:
        raw = read_year(source)
    except UnusableInput as exc:
        raise NewYearError(f"data/{year - 1}/{exc.file}: {exc.message}") from exc
    previous_params = None
    source_is_demo = False
    prior_params = root / "params" / f"{year - 1}.yml"
    if prior_params.exists():
        try:
            source_is_demo = load_params(prior_params).demo
            previous_params = yaml.safe_load(prior_params.read_text(encoding="utf-8"))
        except (ParamsError, yaml.YAMLError, OSError):
            previous_params = None
    continues = _plan_continues(raw, year)
    result = NewYear(year, target, params_path, source, continues, source_is_demo)
    rows = carried_rows(raw, year, source_is_demo, continues)
    for spec in CONTRACT:
        result.written.append(write_workbook(spec, target / spec.filename, rows[spec.filename]))
    params_path.parent.mkdir(parents=True, exist_ok=True)
    params_path.write_text(params_text(year, previous_params), encoding="utf-8")
    result.written.append(params_path)
    write_text_skeletons(result, load_params(params_path).chapters)
    return result


def write_text_skeletons(result: NewYear, chapters) -> None:
    """``data/<year>/textos/``: for each chapter, last year's headings, table markers and cited figures as a
    starting point (never its prose), «Por escribir» where the text goes; a text-only chapter without a text
    last year gets a file with its «Por escribir» too."""
    from .texts import TEXT_DIR, read_texts, skeleton

    previous, _problems = read_texts(result.source)
    folder = result.data_dir / TEXT_DIR
    for chapter in chapters:
        text = previous.get(chapter.slug)
        if text is None and not chapter.text_only:
            continue
        body = skeleton(text) if text is not None else "*Por escribir.*\n"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{chapter.slug}.md"
        path.write_text(body, encoding="utf-8")
        result.written.append(path)
        result.texts.append((f"{TEXT_DIR}/{path.name}", chapter.title))
