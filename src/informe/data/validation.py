"""Validate a data directory: every workbook, every sheet, then the cross-sheet checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from rich.markup import escape

from .checks import CheckResult, run_checks
from .catalogs import catalog_values, resolve_sheet
from .contract import CATALOG_SHEET, CONTRACT
from .problems import Problem
from .schemas import unknown_columns, validate_frame
from .workbooks import UnusableInput, YearData, read_year

EXIT_OK, EXIT_ERRORS, EXIT_UNUSABLE = 0, 1, 2


@dataclass
class ValidationReport:
    """Everything ``informe validate`` found in one data directory."""

    data_dir: Path
    problems: list[Problem] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)
    unusable: UnusableInput | None = None
    data: dict[tuple[str, str], pd.DataFrame] = field(default_factory=dict)

    @property
    def all_problems(self) -> list[Problem]:
        if self.unusable is not None:
            u = self.unusable
            return [Problem(u.file, u.sheet, None, "", u.message)]
        return self.problems + [c.as_problem() for c in self.checks if c.status != "ok"]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.all_problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.all_problems if not p.is_error]

    @property
    def exit_code(self) -> int:
        if self.unusable is not None:
            return EXIT_UNUSABLE
        return EXIT_ERRORS if self.errors else EXIT_OK


def typed_sheets(raw: YearData) -> tuple[dict[tuple[str, str], pd.DataFrame], list[Problem]]:
    """Validate every sheet against its schema; return the typed frames and the problems.

    Catalog columns are checked against the same workbook's «Catálogos» sheet (see :mod:`.catalogs`).
    """
    frames, problems = {}, []
    values = {sheet.file: catalog_values(sheet.frame) for (file, name), sheet in raw.sheets.items()
              if name == CATALOG_SHEET}
    for key, sheet in raw.sheets.items():
        problems += unknown_columns(sheet.file, sheet.sheet, sheet.headers)
        spec = resolve_sheet(sheet.sheet, values.get(sheet.file, {}))
        typed, found = validate_frame(sheet.file, spec, sheet.frame)
        problems += found
        if typed is not None:
            frames[key] = typed
    return frames, problems


def validate_dir(data_dir: Path, prior_dir: Path | None = None) -> ValidationReport:
    """Read and validate ``data_dir``; never raises for bad input.

    Cross-sheet checks run only when every sheet passed its schema, since
    they need typed, complete data.
    """
    report = ValidationReport(Path(data_dir))
    try:
        raw = read_year(Path(data_dir), CONTRACT)
    except UnusableInput as exc:
        report.unusable = exc
        return report
    report.data, report.problems = typed_sheets(raw)
    # Cross-sheet checks run on every sheet that passed its schema (see checks.run_checks).
    year = year_of(data_dir)
    report.checks = run_checks(report.data, year)
    report.checks += prior_year_checks(Path(data_dir), year, report.data, prior_dir)
    return report


def prior_year_checks(data_dir: Path, year: int | None, frames, prior_dir: Path | None = None) -> list[CheckResult]:
    """Closing balances carried over from the comparable prior year (see :mod:`.prior`), when it exists."""
    from . import prior

    if prior_dir is None and year is not None:
        prior_dir = prior.prior_dir_for(data_dir, year, prior.is_demo(data_dir))
    if prior_dir is None:
        return []
    return prior.carried_balances(frames, prior.read_prior_statements(prior_dir), Path(prior_dir))


def year_of(data_dir: Path) -> int | None:
    """The report year when the folder is named after it (``data/2024``), else None."""
    name = Path(data_dir).name
    return int(name) if name.isdigit() and len(name) == 4 else None


def print_report(report: ValidationReport, console) -> None:
    """Print every problem in Spanish, then the summary line, on a rich ``console``."""
    console.print(f"Validación de {report.data_dir}")
    for p in report.all_problems:
        style = "red" if p.is_error else "yellow"
        console.print(f"[{style}]{p.severity.upper()}[/{style}] {escape(p.location())}: {escape(p.message)}",
                      highlight=False, soft_wrap=True)
    checks = report.checks
    if checks:
        passed = sum(c.passed for c in checks)
        console.print(f"Verificaciones cruzadas: {passed} de {len(checks)} cuadran exactamente.")
    console.print(f"{len(report.errors)} errores, {len(report.warnings)} advertencias.")
    if report.unusable is not None:
        console.print("[red]Entrada inutilizable: corrija el archivo y vuelva a validar.[/red]")
    elif report.errors:
        console.print("[red]Hay errores: corríjalos antes de construir el informe.[/red]")
    else:
        console.print("[green]Datos válidos.[/green]")
