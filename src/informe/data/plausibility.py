"""Values that pass the schema but that a careful colleague would question on reading the sheet.

Each function takes one validated sheet (index = Excel row) and returns :class:`Problem` rows naming the
cell: values outside the range the contract declares plausible for their column (probably typed in another
unit), percentages typed as fractions, dates of another year, rows copied twice, hand-typed totals and
figures of the «Cifras» sheets that their own unit makes impossible. What is impossible is an error; what is
merely unusual is a warning that says what was expected.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from .contract import CATALOG_SHEET, Sheet
from .numbers import format_es as _es
from .problems import WARNING, Problem

# Factors a value typed in the wrong unit is off by, and how the analyst would have typed it: too small (the
# value needs ×) or too large (÷).
TOO_SMALL = {100: "como fracción o en centenas", 1_000: "en miles", 1_000_000: "en millones"}
TOO_LARGE = {100: "en centavos", 1_000: "en una unidad 1.000 veces menor",
             1_000_000: "en una unidad 1.000.000 veces menor"}


def unit_guess(value: float, low: float, high: float) -> str:
    """«; ¿se escribió en millones? × 1.000.000 queda 1.550.000»: every factor that brings ``value`` into
    [low, high], in words, or ""."""
    guesses = []
    for factor, how in TOO_SMALL.items():
        if low <= abs(value * factor) <= high:
            guesses.append(f"¿se escribió {how}? × {_es(factor)} queda {_es(round(value * factor, 6))}")
    for factor, how in TOO_LARGE.items():
        if low <= abs(value / factor) <= high:
            guesses.append(f"¿se escribió {how}? ÷ {_es(factor)} queda {_es(round(value / factor, 6))}")
    return "; " + "; ".join(guesses) if guesses else ""


def plausible_problems(file: str, sheet: Sheet, frame: pd.DataFrame) -> list[Problem]:
    """Warnings for non-zero values outside their column's declared plausible range."""
    problems = []
    for column in sheet.columns:
        if column.plausible is None or column.header not in frame.columns:
            continue
        low, high = column.plausible
        for row, value in frame[column.header].items():
            if value is None or pd.isna(value) or value == 0 or low <= abs(float(value)) <= high:
                continue
            problems.append(Problem(file, sheet.name, int(row), column.header,
                                    f"valor inusual «{_es(float(value))}»: en esta columna se esperan valores "
                                    f"{column.expected()}" + unit_guess(float(value), low, high), WARNING))
    return problems


def fraction_problems(file: str, sheet: Sheet, frame: pd.DataFrame) -> list[Problem]:
    """A percentage column whose every non-zero value lies within ±1 (at least two): typed as fractions."""
    problems = []
    for column in sheet.columns:
        if column.unit != "pct" or column.header not in frame.columns:
            continue
        values = pd.to_numeric(frame[column.header], errors="coerce").dropna()
        values = values[values != 0]
        if len(values) >= 2 and (values.abs() <= 1).all():
            problems.append(Problem(file, sheet.name, int(values.index[0]), column.header,
                                    f"todos los valores de «{column.header}» están entre -1 y 1 (filas "
                                    f"{int(values.index[0])} a {int(values.index[-1])}): parecen fracciones "
                                    "(0,35) y la columna va en porcentaje (35); multiplíquelos por 100", WARNING))
    return problems


_YEAR = re.compile(r"(?<!\d)(19\d\d|20\d\d)(?!\d)")


def date_problems(file: str, sheet: Sheet, frame: pd.DataFrame, year: int | None) -> list[Problem]:
    """A date column naming a year other than the report's (a date shifted by the 1904 date system, last
    year's row): a warning naming the cell."""
    if year is None:
        return []
    problems = []
    for column in sheet.columns:
        if column.unit != "date" or column.header not in frame.columns:
            continue
        for row, text in frame[column.header].items():
            if not isinstance(text, str):
                continue
            others = sorted({int(y) for y in _YEAR.findall(text)} - {year})
            if others:
                problems.append(Problem(file, sheet.name, int(row), column.header,
                                        f"la fecha «{text}» es de {', '.join(map(str, others))} y el informe es de "
                                        f"{year}; revise el año (un libro guardado con el sistema de fechas 1904 "
                                        "corre las fechas 4 años)", WARNING))
    return problems


def _comparable(value):
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if isinstance(value, str):
        return " ".join(value.split()).casefold()
    return value


def duplicate_rows(file: str, sheet: Sheet, frame: pd.DataFrame) -> dict[int, int]:
    """Row → the earlier row it repeats (every contract column equal; blanks and case aside).

    Sheets with a column that must be unique already refuse repeats; the catalog sheet lists values.
    """
    if sheet.name == CATALOG_SHEET or any(c.unique for c in sheet.columns) or frame.empty:
        return {}
    headers = [c.header for c in sheet.columns if c.header in frame.columns]
    seen: dict[tuple, int] = {}
    repeats = {}
    for row, item in frame[headers].iterrows():
        key = tuple(_comparable(v) for v in item)
        if all(v is None for v in key):
            continue
        if key in seen:
            repeats[int(row)] = seen[key]
        else:
            seen[key] = int(row)
    return repeats


def duplicate_problems(file: str, sheet: Sheet, frame: pd.DataFrame) -> list[Problem]:
    """A warning per row that repeats an earlier one, naming both rows."""
    first = next((c.header for c in sheet.columns if c.header in frame.columns), "")
    return [Problem(file, sheet.name, row, first,
                    f"la fila {row} repite la fila {earlier} (los mismos valores en todas las columnas); si es una "
                    "copia, bórrela: el informe la cuenta dos veces", WARNING)
            for row, earlier in duplicate_rows(file, sheet, frame).items()]


_TOTAL = re.compile(r"^\s*(total(es)?( general)?|gran total|suma total|sub-?total(es)?)\s*:?\s*$", re.IGNORECASE)


def total_rows(sheet: Sheet, frame: pd.DataFrame) -> dict[int, tuple[str, str]]:
    """Rows that look like a total typed by hand: row → (column, text).

    The report adds the rows itself; statements and budgets (with «Código padre») have their own total lines and
    the «Cifras» sheets hold totals by design.
    """
    headers = [c.header for c in sheet.columns]
    if "Código padre" in headers or sheet.name in ("Cifras", CATALOG_SHEET) or frame.empty:
        return {}
    found = {}
    # Text columns, catalogs included (a «TOTAL» row is a total, not a value missing from the catalog); structural
    # lists such as «Medida» (where «Suma» is a value) are left out.
    texts = [c.header for c in sheet.columns if c.kind == "text" and (c.allowed is None or c.catalog)
             and c.header in frame.columns]
    for row, item in frame[texts].iterrows():
        for header in texts:
            value = item[header]
            if isinstance(value, str) and _TOTAL.match(value):
                found[int(row)] = (header, value.strip())
                break
    return found


def total_problems(file: str, sheet: Sheet, rows: dict[int, tuple[str, str]]) -> list[Problem]:
    return [Problem(file, sheet.name, row, header,
                    f"la fila {row} parece un total escrito a mano («{text}»): el informe suma las filas por su cuenta "
                    "y la contaría como un dato más; bórrela")
            for row, (header, text) in rows.items()]


_COUNT_UNITS = re.compile(r"^\s*(cantidad|número|numero|personas|eventos|unidades)\s*$", re.IGNORECASE)
_PERCENT_UNITS = re.compile(r"^\s*(%|porcentaje)\s*$", re.IGNORECASE)


def figure_problems(file: str, sheet: Sheet, frame: pd.DataFrame) -> list[Problem]:
    """The «Cifras» sheets: a count («Unidad» cantidad) is a non-negative whole number; a percentage lies
    between 0 and 100 (a warning)."""
    if sheet.name != "Cifras" or not {"Valor", "Unidad"} <= set(frame.columns):
        return []
    problems = []
    for row, item in frame.iterrows():
        value, unit = item["Valor"], item["Unidad"]
        if value is None or pd.isna(value) or not isinstance(unit, str):
            continue
        shown = _es(float(value))
        if _COUNT_UNITS.match(unit):
            if value < 0:
                problems.append(Problem(file, sheet.name, int(row), "Valor",
                                        f"valor «{shown}» negativo: una cantidad («{unit.strip()}») no puede ser menor "
                                        "que 0; revise el signo"))
            elif float(value) % 1:
                problems.append(Problem(file, sheet.name, int(row), "Valor",
                                        f"valor «{shown}» con decimales: una cantidad («{unit.strip()}») es un número "
                                        "entero"))
        elif _PERCENT_UNITS.match(unit) and not 0 <= value <= 100:
            problems.append(Problem(file, sheet.name, int(row), "Valor",
                                    f"valor inusual «{shown}»: un porcentaje se espera entre 0 y 100", WARNING))
        elif _PERCENT_UNITS.match(unit) and 0 < value <= 1:
            problems.append(Problem(file, sheet.name, int(row), "Valor",
                                    f"valor «{shown}» en porcentaje: ¿es una fracción? 35 % se escribe 35, no 0,35",
                                    WARNING))
    return problems


def unnamed_columns(file: str, sheet_name: str, headers: list[str], records: list[list], index: list[int],
                    beyond: dict[int, list[int]] | None = None) -> list[Problem]:
    """Columns with values under an empty header (``beyond``: those right of the last header, column index →
    rows): the report cannot know what they are."""
    from openpyxl.utils.cell import get_column_letter

    problems = []
    columns = {i: [r for r, values in zip(index, records) if i < len(values) and values[i] not in (None, "")]
               for i, header in enumerate(headers) if not header}
    columns.update(beyond or {})
    for i, rows in sorted(columns.items()):
        if rows:
            letter = get_column_letter(i + 1)
            problems.append(Problem(file, sheet_name, 1, letter,
                                    f"la columna {letter} tiene valores ({len(rows)} filas, desde la {rows[0]}) pero "
                                    "no tiene encabezado en la fila 1; el informe la ignora: escriba su nombre (el del "
                                    "contrato de datos) o bórrela", WARNING))
    return problems
