"""The prior year: which one a year may be compared with, and whether its closing balances carry over.

A real report compares only with a real prior year: a demo year (``demo: true``
in its ``params/<year>.yml``) is never mixed into a real one. When the prior
year's data exists, this year's «Año anterior» of every statement line must
equal last year's «Año actual» of the line with the same code.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from .checks import CheckResult, compare
from .contract import workbook
from .finance import CURRENT, PRIOR
from .numbers import format_es, nearest_factor
from .params import ParamsError, load_params
from .problems import WARNING

FS = "estados_financieros.xlsx"
CARRIED_SHEETS = ("Situación financiera", "Resultados", "Flujo de efectivo")


def params_path(data_dir: Path) -> Path:
    """``params/<year>.yml`` of a ``data/<year>`` folder of the project."""
    data_dir = Path(data_dir)
    return data_dir.parent.parent / "params" / f"{data_dir.name}.yml"


def is_demo(data_dir: Path, params_file: Path | None = None) -> bool | None:
    """True/False from the year's params file; None when it cannot be read."""
    try:
        return load_params(Path(params_file) if params_file else params_path(data_dir)).demo
    except (ParamsError, OSError, ValueError, TypeError):
        return None


def comparable(current_demo: bool | None, prior_demo: bool | None) -> bool:
    """A real (or unknown) year compares only with a real prior year; a demo year with any."""
    if prior_demo is None:
        return False
    return current_demo is True or prior_demo is False


def prior_dir_for(data_dir: Path, year: int, current_demo: bool | None,
                  prior_params: Path | None = None) -> Path | None:
    """``data/<year-1>`` next to ``data_dir`` when it exists and may be compared; else None."""
    candidate = Path(data_dir).parent / str(year - 1)
    if not candidate.is_dir():
        return None
    return candidate if comparable(current_demo, is_demo(candidate, prior_params)) else None


def carried_balances(frames, prior_frames, prior_dir: Path) -> list[CheckResult]:
    """This year's «Año anterior» against last year's «Año actual», line by line (warnings naming both cells)."""
    results = []
    for sheet in CARRIED_SHEETS:
        now, before = frames.get((FS, sheet)), prior_frames.get((FS, sheet))
        if now is None or before is None:
            continue
        previous = {str(code).strip(): (int(row), value) for (row, value), code in
                    zip(before[CURRENT].items(), before["Código"])}
        for row, item in now.iterrows():
            found = previous.get(str(item["Código"]).strip())
            if found is None or pd.isna(item[PRIOR]) or pd.isna(found[1]):
                continue
            prior_row, value = found
            results.append(compare(
                "año anterior = año actual del año anterior",
                f"«{item[_label(now)]}»: {PRIOR} (fila {row}) frente a {CURRENT} de {prior_dir.name}/{FS}, "
                f"hoja «{sheet}», fila {prior_row}",
                "este libro", float(item[PRIOR]), f"libro de {prior_dir.name}", float(value), tolerance=0,
                severity=WARNING, file=FS, sheet=sheet, row=int(row), column=PRIOR))
    return results


def _label(frame: pd.DataFrame) -> str:
    return "Cuenta" if "Cuenta" in frame.columns else "Concepto"


def read_prior_statements(prior_dir: Path):
    """The prior year's typed statements ({(file, sheet): frame}), or {} when they cannot be read."""
    from .schemas import validate_frame
    from .workbooks import UnusableInput, read_workbook

    try:
        sheets = read_workbook(Path(prior_dir) / FS, workbook(FS))
    except UnusableInput:
        return {}
    frames = {}
    for sheet in sheets:
        typed, _ = validate_frame(sheet.file, sheet.sheet, sheet.frame)
        if typed is not None:
            frames[(FS, sheet.sheet.name)] = typed
    return frames


def read_prior_indicators(prior_dir: Path) -> pd.DataFrame | None:
    """The prior year's typed «Indicadores» of plan_desarrollo.xlsx, or None when it cannot be read."""
    from .plan import INDICATORS, PLAN_FILE
    from .schemas import validate_frame
    from .workbooks import UnusableInput, read_sheet

    spec = workbook(PLAN_FILE).sheet(INDICATORS)
    try:
        sheet = read_sheet(Path(prior_dir) / PLAN_FILE, spec)
    except (UnusableInput, OSError):
        return None
    typed, _ = validate_frame(sheet.file, spec, sheet.frame)
    return typed


JUMP = 100  # a year's achievement this many times its prior year's (or a hundredth of it): a probable unit error


def indicator_jumps(frames, prior_indicators: pd.DataFrame | None, prior_dir: Path) -> list[CheckResult]:
    """Each indicator's achievement against the prior real year's: a jump of 100 times or more either way is a
    warning naming the cell, last year's value and the factor (typed in another unit: 0,35 for 35 %)."""
    from .plan import INDICATORS, PLAN_FILE, normalise_code

    now = frames.get((PLAN_FILE, INDICATORS))
    if now is None or prior_indicators is None:
        return []
    before = {normalise_code(c): v for c, v in zip(prior_indicators["Código"], prior_indicators["Logro año"])
              if not pd.isna(v) and v > 0}
    results = []
    for row, item in now.iterrows():
        previous = before.get(normalise_code(item["Código"]))
        value = item["Logro año"]
        if previous is None or pd.isna(value) or value <= 0 or 1 / JUMP < value / previous < JUMP:
            continue
        ratio = value / previous
        factor = nearest_factor(ratio)
        results.append(CheckResult(
            "salto frente al año anterior",
            f"probable error de unidad: el logro del año de {item['Código']} ({format_es(float(value))}) es unas "
            f"{format_es(round(max(ratio, 1 / ratio)))} veces {'mayor' if ratio > 1 else 'menor'} que el de "
            f"{prior_dir.name} ({format_es(float(previous))}); {'÷' if ratio > 1 else '×'} {format_es(factor)} "
            f"quedaría {format_es(round(value / factor if ratio > 1 else value * factor, 6))}",
            "", math.nan, "", math.nan, WARNING, PLAN_FILE, INDICATORS, int(row), "Logro año"))
    return results


__all__ = ["carried_balances", "comparable", "indicator_jumps", "is_demo", "prior_dir_for", "read_prior_indicators",
           "read_prior_statements"]
