"""Validate a data directory: every workbook, every sheet, then the cross-sheet checks."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from openpyxl.utils.cell import get_column_letter
from rich.markup import escape

from .catalogs import catalog_values, resolve_sheet
from .checks import CheckResult, run_checks
from .contract import CATALOG_SHEET, CONTRACT
from .finance import REQUIRED_ROLES, role_problems
from .params import ParamsError, catalog_fronts, front_problems, load_params
from .plausibility import (
    date_problems,
    duplicate_problems,
    figure_problems,
    fraction_problems,
    plausible_problems,
    total_problems,
    total_rows,
)
from .problems import WARNING, Problem
from .safety import confusable_key
from .schemas import period_problems, unknown_columns, validate_frame
from .texts import ChapterText, read_texts
from .validation_cache import WorkbookCache, WorkbookResult
from .workbooks import ORIGIN, UnusableInput, YearData, read_workbook, spreadsheets, workbook_key

EXIT_OK, EXIT_ERRORS, EXIT_UNUSABLE = 0, 1, 2
SUMMARY_OVER = 25  # more problems than this: `informe validate` prints a summary (``--detalle``: every one)
SUMMARY_LINES = 40  # the summary fits one screen


def plural(n: int, one: str, many: str) -> str:
    """``n`` and the Spanish noun (phrase) that agrees with it: ``plural(1, "error", "errores")`` → «1 error»."""
    return f"{n} {one if n == 1 else many}"


def counts(errors: int, warnings: int) -> str:
    """«1 error, 2 advertencias»."""
    return f"{plural(errors, 'error', 'errores')}, {plural(warnings, 'advertencia', 'advertencias')}"


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
        totals = total_rows(spec, sheet.frame)  # a hand-typed total is reported as such, not cell by cell
        found += total_problems(sheet.file, spec, totals)
        frame = sheet.frame.drop(index=list(totals)) if totals else sheet.frame
        typed, schema_found = validate_frame(sheet.file, spec, frame)
        found += [p for p in schema_found if (p.row, p.column) not in sheet.bad_cells]
        if typed is not None:
            typed.attrs[ORIGIN] = {"libro": sheet.file, "hoja": sheet.sheet.name, "año": year,
                                   "letras": {h: get_column_letter(i + 1) for i, h in enumerate(sheet.headers) if h}}
            found += period_problems(sheet.file, sheet.sheet, typed, year)
            found += plausible_problems(sheet.file, spec, typed) + fraction_problems(sheet.file, spec, typed)
            found += date_problems(sheet.file, spec, typed, year) + duplicate_problems(sheet.file, spec, typed)
            found += figure_problems(sheet.file, spec, typed)
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
            declared.setdefault(str(item[CODE]).strip(),
                                f"la conciliación con {item.get('Libro', '')}, hoja «{item.get('Hoja', '')}»")
    return declared


def indicator_problems(frames: dict[tuple[str, str], pd.DataFrame]) -> list[Problem]:
    frame = frames.get((PLAN_FILE, PLAN_SHEET))
    if frame is None or CODE not in frame.columns or frame.empty:  # an empty sheet is reported by the checks
        return []
    return code_problems(PLAN_FILE, PLAN_SHEET, frame[CODE], declared_indicator_codes(frames), report_absent=False)


def year_of(data_dir: Path) -> int | None:
    """The year a data folder is named after (``data/2022`` → 2022), or None: only to find its
    ``params/<year>.yml``; the report's year is :func:`report_year`'s."""
    name = Path(data_dir).name
    return int(name) if name.isdigit() and len(name) == 4 else None


def report_year(data_dir: Path) -> int | None:
    """The report year of a project's ``data/<año>`` folder, as its ``params/<año>.yml`` declares it (key
    ``year``); None for a folder outside a project or without a readable year. Never the folder's name alone:
    a copy named otherwise, or a folder renamed by hand, must not move the window of years the data may name."""
    import yaml

    data_dir = Path(data_dir)
    name = year_of(data_dir)
    path = data_dir.parent.parent / "params" / f"{name}.yml"
    if name is None or data_dir.parent.name != "data" or not path.is_file():
        return None
    try:
        declared = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("year")
    except (OSError, ValueError, TypeError, yaml.YAMLError, AttributeError):  # a date that is not a day: ValueError
        return None
    # A year that is not its file's is refused by the params check (params_problems): no window from it.
    return declared if isinstance(declared, int) and not isinstance(declared, bool) and declared == name else None


def params_problems(data_dir: Path, year: int | None, frames=None) -> list[Problem]:
    """Problems of ``params/<año>.yml`` when ``data_dir`` sits in a project as ``data/<año>`` (the file is found
    by the folder's name, and must declare that year), and — with the validated ``frames`` — fronts its chapters
    declare that the plan's «Frente» catalog does not hold."""
    data_dir = Path(data_dir)
    year = year_of(data_dir) if data_dir.parent.name == "data" and year_of(data_dir) is not None else year
    if year is None or data_dir.parent.name != "data":
        return []
    path = data_dir.parent.parent / "params" / f"{year}.yml"
    if not path.exists():
        return []
    try:
        params = load_params(path, expected_year=year)
    except ParamsError as exc:
        return [Problem(exc.file or path.name, "", None, key, message) for key, message in exc.problems]
    return [Problem(f"{path.parent.name}/{path.name}", "", None, key, message)
            for key, message in front_problems(params.chapters, catalog_fronts(frames))]


def folder_problems(data_dir: Path) -> list[Problem]:
    """Warnings about spreadsheets of ``data_dir`` that are not read: a second copy of a contract workbook
    («inversion - copia.xlsx», «INVERSION.xlsx», «inversion (1).xlsx», «inversion.ods») and a workbook the
    contract does not know. The files Excel, LibreOffice or the system leave behind (``~$…``, ``.~lock…#``,
    ``._…``, ``.DS_Store``, ``Thumbs.db``, ``desktop.ini``, ``*.bak``, ``*.tmp``), folders (``textos/``) and
    other documents (a README) are ignored silently. A stand-in for a *missing* workbook is not warned about
    here: the missing workbook's error names it (see :func:`.workbooks.missing_workbook_message`).
    """
    expected = [spec.filename for spec in CONTRACT]
    by_key = {workbook_key(name): name for name in expected}
    files = spreadsheets(Path(data_dir))
    present = {p.name for p in files}
    problems = []
    for path in files:
        if path.name in expected:
            continue
        target = by_key.get(workbook_key(path.name))
        if target is None:
            problems.append(Problem(path.name, "", None, "",
                                    "este libro no es del contrato de datos y no se leyó (se leen solo "
                                    f"{', '.join(expected)}); si sus datos van en el informe, páselos al libro "
                                    "que corresponda; si no, sáquelo de la carpeta", WARNING))
        elif target in present:
            problems.append(Problem(path.name, "", None, "",
                                    f"parece otra copia de {target}: se leyó {target}, no esta copia; bórrela o "
                                    f"sáquela de la carpeta (si es la que tiene los datos buenos, guárdela como "
                                    f"{target})", WARNING))
    return problems


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
                 cache: WorkbookCache | None = None, texts: bool = True) -> ValidationReport:
    """Read and validate ``data_dir``; never raises for bad input.

    ``year`` (default: the ``year`` of the project's ``params/<año>.yml``, see :func:`report_year`) bounds the
    periods, goals and dates the data may name; without it those are checked against a wide window only.
    A workbook that cannot be read at all is reported (exit 2) and the others are still checked.
    Cross-sheet checks run on the sheets that passed their schema, so every independent problem
    is reported in one run. With ``cache`` (a build's), a workbook whose bytes, year and code are those
    of the last build is not read again (see :mod:`.validation_cache`); the checks always run.
    """
    year = year if year is not None else report_year(data_dir)
    report = ValidationReport(Path(data_dir), year=year)
    if not Path(data_dir).is_dir():
        report.unusable = UnusableInput(str(data_dir), f"no existe la carpeta de datos {data_dir}")
        return report
    report.problems += folder_problems(Path(data_dir))
    # The chapter texts (a prior year's are not read: only its figures are compared) are read by pandoc, in
    # processes of their own: side by side with the workbooks, which this thread reads (measured on 2 cores:
    # 1,2 s of texts after 1,9 s of workbooks in a cold build).
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="informe-textos") as pool:
        reading = pool.submit(read_texts, Path(data_dir), cache=cache.texts if cache is not None else None) \
            if texts else None
        _validate_workbooks(Path(data_dir), year, cache, report)
        read = reading.result() if reading is not None else None
    report.problems += params_problems(Path(data_dir), year, report.data)
    report.problems += indicator_problems(report.data)
    if read is not None:
        report.texts, text_problems = read
        report.problems += text_problems
    # Cross-sheet checks run on every sheet that passed its schema (see checks.run_checks).
    data = report.data
    report.checks = (cache.checks(year, lambda: run_checks(data, year)) if cache is not None
                     else run_checks(report.data, year))
    report.checks += prior_year_checks(Path(data_dir), year, report.data, prior_dir)
    return report


def _validate_workbooks(data_dir: Path, year: int | None, cache: WorkbookCache | None,
                        report: ValidationReport) -> None:
    """Every workbook of the contract, validated (or its cached result), into ``report``."""
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


def prior_year_checks(data_dir: Path, year: int | None, frames, prior_dir: Path | None = None) -> list[CheckResult]:
    """Closing balances carried over from the comparable prior year (see :mod:`.prior`), when it exists."""
    from . import prior

    if prior_dir is None and year is not None:
        prior_dir = prior.prior_dir_for(data_dir, year, prior.is_demo(data_dir))
    if prior_dir is None:
        return []
    return (prior.carried_balances(frames, prior.read_prior_statements(prior_dir), Path(prior_dir))
            + prior.indicator_jumps(frames, prior.read_prior_indicators(prior_dir), Path(prior_dir)))


def print_problems(problems: list[Problem], console) -> None:
    """One line per problem, in Spanish, naming where it is."""
    for p in problems:
        style = "red" if p.is_error else "yellow"
        console.print(f"[{style}]{p.severity.upper()}[/{style}] {escape(p.location())}: {escape(p.message)}",
                      highlight=False, soft_wrap=True)


REQUIRED_EMPTY, EMPTY_SHEET = "valor obligatorio vacío", "la hoja no tiene filas"


def _runs(numbers: list[int], shown: int = 3) -> str:
    """«2–48, 50, 53–60…»: the first ``shown`` runs of consecutive numbers."""
    runs: list[list[int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    text = ", ".join(f"{a}–{b}" if b > a else str(a) for a, b in runs[:shown])
    return text + ("…" if len(runs) > shown else "")


def _and(names: list[str]) -> str:
    quoted = [f"«{n}»" for n in names]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} y {quoted[-1]}"


def _unit(problem: Problem) -> str:
    """What the summary groups by: a workbook (or other file), or a folder (``textos/``) for the files in it."""
    return problem.file.split("/")[0] + "/" if "/" in problem.file else problem.file


def _shape(message: str) -> str:
    """A message with its values left out, so that the same finding in different cells groups together."""
    import re

    return re.sub(r"\d+", "N", re.sub(r"«[^»]*»", "«…»", message.split(";")[0]))


def _unit_lines(problems: list[Problem]) -> list[tuple[str, str]]:
    """The summary of one workbook or folder: (style, text) lines, most useful first."""
    empty = [p for p in problems if p.message.startswith(EMPTY_SHEET)]
    groups: dict[tuple, list[Problem]] = {}
    for p in problems:
        if p in empty:
            continue
        inner = p.file.split("/", 1)[1] if "/" in p.file else ""
        if p.message == REQUIRED_EMPTY and p.row:
            groups.setdefault(("required", inner, p.sheet), []).append(p)
        else:
            groups.setdefault(("other", inner, p.sheet, p.column, p.severity, _shape(p.message)), []).append(p)
    lines = []
    style = lambda found: "red" if any(p.is_error for p in found) else "yellow"  # noqa: E731
    if empty:
        sheets = list(dict.fromkeys(p.sheet for p in empty))
        lines.append((style(empty), f"  {'hoja' if len(sheets) == 1 else 'hojas'} sin filas: {_and(sheets)}"))
    for key, found in groups.items():
        where = [key[1]] if key[1] else []
        if key[2]:
            where.append(f"hoja «{key[2]}»")
        if key[0] == "required":
            by_rows: dict[str, list[int]] = {}
            for p in found:
                assert p.row is not None, "the «required» group holds only problems with a row (grouped above)"
                by_rows.setdefault(p.column, []).append(p.row)
            columns: dict[tuple[int, ...], list[str]] = {}
            for column, rows in by_rows.items():
                columns.setdefault(tuple(sorted(set(rows))), []).append(column)
            parts = [f"{_and(names)} en {plural(len(rows), 'fila', 'filas')} ({_runs(list(rows))})"
                     for rows, names in columns.items()]
            lines.append((style(found), f"  {', '.join(where)}, valores obligatorios vacíos: {'; '.join(parts)}"))
            continue
        if key[3]:
            where.append(f"columna «{key[3]}»")
        if len(found) == 1:
            p = found[0]
            place = f"fila {p.row}" if p.row else f"párrafo {p.paragraph}" if p.paragraph else ""
            text = ", ".join(where + ([place] if place else []))
            lines.append((style(found), f"  {text + ': ' if text else ''}{p.message}"))
            continue
        rows = [n for n in (p.row or p.paragraph for p in found) if n]
        label = "párrafos" if any(p.paragraph for p in found) and not any(p.row for p in found) else "filas"
        same = len({p.message for p in found}) == 1
        head = found[0].message if same else found[0].message.split(";")[0]
        times = f"{len(found)} veces" if same else f"{len(found)} casos parecidos"
        at = f"; {label} {_runs(rows)}" if rows else ""
        text = ", ".join(where)
        lines.append((style(found), f"  {text + ': ' if text else ''}{head} ({times}{at})"))
    return lines


def _fit(sizes: list[int], room: int) -> list[int]:
    """How many detail lines of each unit to show so that they, and a «… y N más» line for each unit cut
    short, take at most ``room`` lines; the longest lists are cut first."""
    caps = list(sizes)

    def used(i: int) -> int:
        return sizes[i] if caps[i] >= sizes[i] else caps[i] + 1 if caps[i] > 0 else 0

    while sum(used(i) for i in range(len(sizes))) > room:
        i = max(range(len(sizes)), key=used)
        if used(i) == 0:
            break
        caps[i] = min(caps[i], sizes[i]) - 1
    return caps


def summary_lines(problems: list[Problem], max_lines: int) -> list[tuple[str, str]]:
    """At most ``max_lines`` (style, text) lines: per workbook (and per text folder) its errors and warnings
    counted, then what is missing, grouped (empty sheets, required cells per sheet and column with the count
    and the first rows, the same finding in several cells)."""
    units: dict[str, list[Problem]] = {}
    for p in problems:
        units.setdefault(_unit(p), []).append(p)
    names = list(units)
    if len(names) > max_lines:  # never on a real folder: a line per file, the rest counted
        rest = names[max_lines - 1:]
        names = names[:max_lines - 1]
    else:
        rest = []
    details = [_unit_lines(units[name]) for name in names]
    caps = _fit([len(d) for d in details], max_lines - len(names) - (1 if rest else 0))
    lines = []
    for name, detail, cap in zip(names, details, caps):
        found = units[name]
        errors = sum(p.is_error for p in found)
        tally = [plural(errors, "error", "errores")] if errors else []
        if len(found) - errors:
            tally.append(plural(len(found) - errors, "advertencia", "advertencias"))
        lines.append(("bold", f"{name}: {', '.join(tally)}"))
        lines += detail[:cap]
        if cap < len(detail) and cap > 0:
            lines.append(("", f"  … y {plural(len(detail) - cap, 'grupo', 'grupos')} más"))
    if rest:
        lines.append(("", f"… y {plural(len(rest), 'archivo', 'archivos')} más con problemas"))
    return lines


def print_report(report: ValidationReport, console, detail: bool = True) -> None:
    """Print the problems in Spanish, then the summary line, on a rich ``console``.

    With ``detail`` (the default) every problem is printed; without it, and more than ``SUMMARY_OVER`` problems,
    a summary per workbook that fits one screen (``SUMMARY_LINES`` lines in all; see :func:`summary_lines`).
    """
    console.print(f"Validación de {escape(str(report.data_dir))}", highlight=False, soft_wrap=True)
    problems = report.all_problems
    if detail or len(problems) <= SUMMARY_OVER:
        print_problems(problems, console)
    else:
        console.print(f"{plural(len(problems), 'problema', 'problemas')}, resumidos por archivo "
                      "(informe validate --detalle los muestra uno por uno):", highlight=False, soft_wrap=True)
        # Around the summary: this line, the title, the checks, the counts, the verdict and the CLI's «Año no
        # indicado» line.
        for style, text in summary_lines(problems, SUMMARY_LINES - 6):
            console.print(escape(text), style=style or None, highlight=False, soft_wrap=True)
    checks = report.checks
    if checks:
        passed = sum(c.passed for c in checks)
        console.print(f"Verificaciones cruzadas: {passed} de {len(checks)} {'cuadra' if passed == 1 else 'cuadran'} "
                      "exactamente.", highlight=False)
    console.print(f"{counts(len(report.errors), len(report.warnings))}.", highlight=False)
    if report.unusables:
        console.print("[red]Entrada inutilizable: corrija el archivo y vuelva a validar.[/red]")
    elif report.errors:
        console.print("[red]Hay errores: corríjalos antes de construir el informe.[/red]")
    else:
        console.print("[green]Datos válidos.[/green]")
