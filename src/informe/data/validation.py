"""Validate a data directory: every workbook, every sheet, then the cross-sheet checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from rich.markup import escape

from .checks import CheckResult, run_checks
from .catalogs import catalog_values, resolve_sheet
from .contract import CATALOG_SHEET, CONTRACT
from .finance import REQUIRED_ROLES, role_problems
from .params import ParamsError, load_params
from .problems import Problem
from .safety import confusable_key
from .schemas import period_problems, unknown_columns, validate_frame
from .texts import ChapterText, read_texts
from .validation_cache import WorkbookCache, WorkbookResult
from .workbooks import UnusableInput, YearData, read_workbook

EXIT_OK, EXIT_ERRORS, EXIT_UNUSABLE = 0, 1, 2


@dataclass
class ValidationReport:
    """Everything ``informe validate`` found in one data directory."""

    data_dir: Path
    problems: list[Problem] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)
    unusables: list[UnusableInput] = field(default_factory=list)
    data: dict[tuple[str, str], pd.DataFrame] = field(default_factory=dict)
    year: int | None = None
    texts: dict[str, ChapterText] = field(default_factory=dict)  # the chapter texts that could be read

    @property
    def unusable(self) -> UnusableInput | None:
        """The first workbook that could not be read at all (None when every one could)."""
        return self.unusables[0] if self.unusables else None

    @unusable.setter
    def unusable(self, value: UnusableInput | None) -> None:
        self.unusables = [value] if value is not None else []

    @property
    def all_problems(self) -> list[Problem]:
        unusable = [Problem(u.file, u.sheet, None, "", u.message) for u in self.unusables]
        return unusable + self.problems + [c.as_problem() for c in self.checks if c.status != "ok"]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.all_problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.all_problems if not p.is_error]

    @property
    def exit_code(self) -> int:
        if self.unusables:
            return EXIT_UNUSABLE
        return EXIT_ERRORS if self.errors else EXIT_OK


def typed_sheets(raw: YearData, year: int | None = None) -> tuple[dict[tuple[str, str], pd.DataFrame], list[Problem]]:
    """Validate every sheet against its schema; return the typed frames and the problems.

    Problems found while reading (booleans, NaN, merged cells, formulas without a value...) come
    first; the schema does not report the cells they already name. Catalog columns are checked
    against the same workbook's «Catálogos» sheet (see :mod:`.catalogs`).
    """
    frames, problems = {}, []
    values = {sheet.file: catalog_values(sheet.frame) for (file, name), sheet in raw.sheets.items()
              if name == CATALOG_SHEET}
    for key, sheet in raw.sheets.items():
        found = list(sheet.problems)
        problems += unknown_columns(sheet.file, sheet.sheet, [h for h in sheet.headers if h])
        spec = resolve_sheet(sheet.sheet, values.get(sheet.file, {}))
        typed, schema_found = validate_frame(sheet.file, spec, sheet.frame)
        found += [p for p in schema_found if (p.row, p.column) not in sheet.bad_cells]
        if typed is not None:
            found += period_problems(sheet.file, sheet.sheet, typed, year)
            if key in REQUIRED_ROLES and not typed.empty:  # an empty sheet is reported by the checks
                found += role_problems(sheet.file, sheet.sheet.name, typed)
        problems += found
        # Only an intact sheet feeds the cross-sheet checks: a blanked or doubtful cell must not
        # turn into a second, misleading finding (or a wrong figure) downstream.
        if typed is not None and not any(p.is_error for p in found):
            frames[key] = typed
    return frames, problems


PLAN_FILE, PLAN_SHEET, RECONCILIATIONS, CODE = "plan_desarrollo.xlsx", "Indicadores", "Conciliaciones", "Código"


def code_problems(file: str, sheet: str, codes: pd.Series, declared: dict[str, str],
                  report_absent: bool = True) -> list[Problem]:
    """Codes a reader cannot tell apart, and declared codes without their row.

    ``codes`` is the code column (index = Excel row); ``declared`` maps each code that something
    else relies on (a reconciliation) to a description of who relies on it. Two codes that differ
    only by case, spaces, dashes or look-alike letters are an error, and so is a declared code
    that is missing, whether or not a look-alike stands in its place: nothing is silently skipped.
    """
    problems = []
    by_key: dict[str, tuple[int, str]] = {}
    present = set()
    for row, code in codes.dropna().items():
        code = str(code)
        present.add(code)
        key = confusable_key(code)
        if key in by_key and by_key[key][1] != code:
            first_row, first = by_key[key]
            problems.append(Problem(file, sheet, int(row), CODE,
                                    f"el código «{code}» se confunde con «{first}» de la fila {first_row} "
                                    "(solo cambian mayúsculas, espacios o letras parecidas); use códigos distintos"))
        by_key.setdefault(key, (int(row), code))
    for code, user in declared.items():
        if code in present:
            continue
        twin = by_key.get(confusable_key(code))
        if twin is not None:
            problems.append(Problem(file, sheet, twin[0], CODE,
                                    f"el código «{twin[1]}» se parece a «{code}», que usa {user}, pero no es igual; "
                                    f"escriba «{code}» exactamente"))
        elif report_absent:  # else the caller reports it (plan.reconcile names the declaration's row)
            problems.append(Problem(file, sheet, None, CODE,
                                    f"falta el indicador «{code}», que usa {user}; sin él esa conciliación no se "
                                    "puede hacer"))
    return problems


def declared_indicator_codes(frames: dict[tuple[str, str], pd.DataFrame]) -> dict[str, str]:
    """Indicator code → who relies on it (the reconciliations declared in «Conciliaciones»)."""
    declared: dict[str, str] = {}
    recon = frames.get((PLAN_FILE, RECONCILIATIONS))
    if recon is None or CODE not in recon.columns:
        return declared
    for _, item in recon.iterrows():
        if not pd.isna(item[CODE]):
            declared.setdefault(str(item[CODE]).strip(), f"la conciliación con {item.get('Libro', '')}, hoja «{item.get('Hoja', '')}»")
    return declared


def indicator_problems(frames: dict[tuple[str, str], pd.DataFrame]) -> list[Problem]:
    frame = frames.get((PLAN_FILE, PLAN_SHEET))
    if frame is None or CODE not in frame.columns or frame.empty:  # an empty sheet is reported by the checks
        return []
    return code_problems(PLAN_FILE, PLAN_SHEET, frame[CODE], declared_indicator_codes(frames), report_absent=False)


def year_of(data_dir: Path) -> int | None:
    """The report year a data folder is named after (``data/2022`` → 2022), or None."""
    name = Path(data_dir).name
    return int(name) if name.isdigit() and len(name) == 4 else None


def params_problems(data_dir: Path, year: int | None) -> list[Problem]:
    """Problems of ``params/<year>.yml`` when ``data_dir`` sits in a project as ``data/<year>``."""
    data_dir = Path(data_dir)
    if year is None or data_dir.parent.name != "data":
        return []
    path = data_dir.parent.parent / "params" / f"{year}.yml"
    if not path.exists():
        return []
    try:
        load_params(path, expected_year=year)
    except ParamsError as exc:
        return [Problem(exc.file or path.name, "", None, key, message) for key, message in exc.problems]
    return []


def validate_workbook(data_dir: Path, spec, year: int | None) -> WorkbookResult:
    """Read one workbook of the contract and validate each of its sheets (its own catalogs included)."""
    raw = YearData(Path(data_dir))
    try:
        for sheet in read_workbook(Path(data_dir) / spec.filename, spec):
            raw.sheets[(spec.filename, sheet.sheet.name)] = sheet
    except UnusableInput as exc:
        return WorkbookResult(unusable=exc)
    frames, problems = typed_sheets(raw, year)
    return WorkbookResult({sheet: frame for (_file, sheet), frame in frames.items()}, problems)


def validate_dir(data_dir: Path, prior_dir: Path | None = None, year: int | None = None,
                 cache: WorkbookCache | None = None) -> ValidationReport:
    """Read and validate ``data_dir``; never raises for bad input.

    ``year`` (default: the folder's name when it is a year) bounds the periods the data may name.
    A workbook that cannot be read at all is reported (exit 2) and the others are still checked.
    Cross-sheet checks run on the sheets that passed their schema, so every independent problem
    is reported in one run. With ``cache`` (a build's), a workbook whose bytes, year and code are those
    of the last build is not read again (see :mod:`.validation_cache`); the checks always run.
    """
    year = year if year is not None else year_of(data_dir)
    report = ValidationReport(Path(data_dir), year=year)
    if not Path(data_dir).is_dir():
        report.unusable = UnusableInput(str(data_dir), f"no existe la carpeta de datos {data_dir}")
        return report
    for spec in CONTRACT:
        path = Path(data_dir) / spec.filename
        result = cache.get(path, year) if cache is not None else None
        if result is None:
            result = validate_workbook(Path(data_dir), spec, year)
            if cache is not None:
                cache.put(path, year, result)
        if result.unusable is not None:
            report.unusables.append(result.unusable)
        report.data.update({(spec.filename, sheet): frame for sheet, frame in result.frames.items()})
        report.problems += result.problems
    report.problems += params_problems(Path(data_dir), year)
    report.problems += indicator_problems(report.data)
    report.texts, text_problems = read_texts(Path(data_dir), cache=cache.texts if cache is not None else None)
    report.problems += text_problems
    # Cross-sheet checks run on every sheet that passed its schema (see checks.run_checks).
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


def print_problems(problems: list[Problem], console) -> None:
    """One line per problem, in Spanish, naming where it is."""
    for p in problems:
        style = "red" if p.is_error else "yellow"
        console.print(f"[{style}]{p.severity.upper()}[/{style}] {escape(p.location())}: {escape(p.message)}",
                      highlight=False, soft_wrap=True)


def print_report(report: ValidationReport, console) -> None:
    """Print every problem in Spanish, then the summary line, on a rich ``console``."""
    console.print(f"Validación de {report.data_dir}")
    print_problems(report.all_problems, console)
    checks = report.checks
    if checks:
        passed = sum(c.passed for c in checks)
        console.print(f"Verificaciones cruzadas: {passed} de {len(checks)} cuadran exactamente.")
    console.print(f"{len(report.errors)} errores, {len(report.warnings)} advertencias.")
    if report.unusables:
        console.print("[red]Entrada inutilizable: corrija el archivo y vuelva a validar.[/red]")
    elif report.errors:
        console.print("[red]Hay errores: corríjalos antes de construir el informe.[/red]")
    else:
        console.print("[green]Datos válidos.[/green]")
