"""pandera schemas derived from the data contract, and their findings in Spanish."""

from __future__ import annotations

import math
from functools import cache

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from .contract import Column, Sheet
from .numbers import format_es
from .problems import Problem

_DTYPES = {"number": "float64", "integer": "float64", "text": None}

# Largest magnitude a cell may hold, per unit of the contract (strictly below). Far above any real
# figure of the agency, far below what breaks arithmetic or formatting (1e20 pesos, 1e300).
MAGNITUDE_LIMITS = {
    "cop": 1e15,  # a thousand billion pesos
    "usd": 1e12,
    "usd_m": 1e6,  # a million million dollars, in millions
    "count": 1e15,
    "varies": 1e15,  # the «Valor» of the Cifras sheets holds pesos too
    "pct": 1e6,
    "ratio": 1e12,
}
DEFAULT_MAGNITUDE_LIMIT = 1e15


def _checks(column: Column) -> list[pa.Check]:
    checks = []
    if column.allowed is not None:
        checks.append(pa.Check.isin(list(column.allowed), name="allowed"))
    if column.minimum is not None:
        checks.append(pa.Check.ge(column.minimum, name="minimum"))
    if column.maximum is not None:
        checks.append(pa.Check.le(column.maximum, name="maximum"))
    if column.kind != "text":
        limit = MAGNITUDE_LIMITS.get(column.unit, DEFAULT_MAGNITUDE_LIMIT)
        checks.append(pa.Check(lambda s, limit=limit: s.abs() < limit, name="magnitude", ignore_na=True))
    if column.kind == "integer":
        checks.append(pa.Check(lambda s: (s % 1) == 0, name="whole", ignore_na=True))
    if column.kind == "text":
        checks.append(pa.Check(lambda s: s.map(lambda v: isinstance(v, str)), element_wise=False, name="is_text"))
    return checks


@cache
def schema_for(sheet: Sheet) -> pa.DataFrameSchema:
    """The pandera schema of one contract sheet (columns in any order, extra columns allowed)."""
    columns = {
        c.header: pa.Column(
            _DTYPES[c.kind],
            checks=_checks(c),
            nullable=not c.required,
            unique=c.unique,
            coerce=c.kind != "text",
            required=True,
            description=c.description,
        )
        for c in sheet.columns
    }
    return pa.DataFrameSchema(columns, name=sheet.name, strict=False, ordered=False)


def _message(column: Column | None, check: str, value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        shown = ""
    elif isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        shown = f"«{format_es(float(value))}»"
    else:
        shown = f"«{value}»"
    if check == "column_in_dataframe":
        return "falta la columna en la fila de encabezados (fila 1)"
    if check.startswith("coerce_dtype"):
        what = "un número entero" if column is not None and column.kind == "integer" else "un número"
        return f"se esperaba {what} y se encontró {shown or 'un valor no numérico'}"
    if check == "not_nullable":
        return "valor obligatorio vacío"
    if check == "field_uniqueness":
        return f"valor repetido {shown}; cada fila debe tener un valor distinto"
    if check == "allowed" and column is not None and column.catalog:
        listed = f"valores actuales: {', '.join(column.allowed)}" if column.allowed else "el catálogo está vacío"
        return (f"valor no permitido {shown}: no está en el catálogo «{column.catalog}» de la hoja «Catálogos» de "
                f"este libro; si es un valor válido, agréguelo allí ({listed})")
    if check == "allowed" and column is not None and column.allowed is not None:  # the check exists only then
        return f"valor no permitido {shown}; use uno de: {', '.join(column.allowed)}"
    if check == "minimum" and column is not None and column.minimum is not None:
        return f"valor {shown} menor que el mínimo permitido ({format_es(column.minimum)})"
    if check == "maximum" and column is not None and column.maximum is not None:
        return f"valor {shown} mayor que el máximo posible ({format_es(column.maximum)}); revise la cifra"
    if check == "magnitude" and column is not None:
        limit = MAGNITUDE_LIMITS.get(column.unit, DEFAULT_MAGNITUDE_LIMIT)
        return f"valor {shown} fuera del rango admitido (menos de {limit:.0e} en valor absoluto); revise la cifra"
    if check == "whole":
        return f"se esperaba un número entero y se encontró {shown}"
    if check == "is_text":
        return f"se esperaba texto y se encontró {shown}"
    return f"no cumple la regla {check} {shown}".strip()


def _check_kind(check: str) -> str:
    for prefix, kind in (("isin(", "allowed"), ("greater_than_or_equal_to(", "minimum"),
                         ("less_than_or_equal_to(", "maximum"), ("dtype(", "dtype"),
                         ("whole", "whole"), ("is_text", "is_text"), ("magnitude", "magnitude")):
        if check.startswith(prefix):
            return kind
    return check


def _problems(file: str, sheet: Sheet, cases: pd.DataFrame) -> list[Problem]:
    problems = []
    for case in cases.itertuples(index=False):
        check = _check_kind(str(case.check))
        if check == "dtype":  # reported once, as the coercion failure of the same cell
            continue
        header = case.failure_case if check == "column_in_dataframe" else case.column
        column = sheet.column(header) if header in sheet.headers else None
        index = getattr(case, "index", None)
        row = int(index) if index is not None and not pd.isna(index) else 1
        problems.append(Problem(file, sheet.name, row, str(header or ""), _message(column, check, case.failure_case)))
    return problems


def _coerce_numbers(sheet: Sheet, frame: pd.DataFrame) -> pd.DataFrame:
    """Numeric columns as numbers; cells that are not numbers become empty (already reported)."""
    frame = frame.copy()
    for column in sheet.columns:
        if column.kind != "text" and column.header in frame.columns:
            frame[column.header] = pd.to_numeric(frame[column.header], errors="coerce")
    return frame


def validate_frame(file: str, sheet: Sheet, frame: pd.DataFrame) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Validate one sheet lazily; return the typed frame (None if invalid) and every problem.

    Two passes: the first reports cells that cannot be read as the column's
    type (text in an amount column); the second checks every rule of the
    contract on the remaining cells. A cell is reported once.
    """
    schema = schema_for(sheet)
    dtypes_only = pa.DataFrameSchema(
        {h: pa.Column(c.dtype, coerce=c.coerce, nullable=True, required=False) for h, c in schema.columns.items()},
        strict=False,
    )
    problems: list[Problem] = []
    try:
        dtypes_only.validate(frame, lazy=True)
    except SchemaErrors as err:
        problems += _problems(file, sheet, err.failure_cases)
    seen = {(p.row, p.column) for p in problems}
    try:
        typed = schema.validate(_coerce_numbers(sheet, frame), lazy=True)
    except SchemaErrors as err:
        typed = None
        problems += [p for p in _problems(file, sheet, err.failure_cases) if (p.row, p.column) not in seen]
    order = {h: i for i, h in enumerate(sheet.headers)}
    problems.sort(key=lambda p: (p.row or 0, order.get(p.column, 99)))
    if problems:
        return None, problems
    for column in sheet.columns:
        if column.kind == "integer":
            typed[column.header] = typed[column.header].astype("Int64")
    return typed, problems


def unknown_columns(file: str, sheet: Sheet, headers: list[str]) -> list[Problem]:
    """Warn about columns the contract does not know (they are ignored)."""
    return [
        Problem(file, sheet.name, 1, h or "(sin nombre)", "columna desconocida; el informe la ignora", "advertencia")
        for h in headers
        if h not in sheet.headers
    ]


# Columns that hold a calendar year, and how far from the report's year they may be.
YEAR_COLUMNS = ("Periodo",)
YEARS_BEFORE, YEARS_AFTER = 1, 0


def period_problems(file: str, sheet: Sheet, frame: pd.DataFrame, year: int | None) -> list[Problem]:
    """Years outside the report's window (``year``-1 .. ``year``; without a known year, 1900 .. next year)."""
    import datetime as dt

    low, high = (year - YEARS_BEFORE, year + YEARS_AFTER) if year else (1900, dt.date.today().year + 1)
    problems = []
    for header in YEAR_COLUMNS:
        if header not in frame.columns or header not in sheet.headers:
            continue
        for row, value in frame[header].items():
            if pd.isna(value) or low <= value <= high:
                continue
            problems.append(Problem(file, sheet.name, int(row), header,
                                    f"año «{value}» imposible para el informe {year or ''}".rstrip()
                                    + f"; debe estar entre {low} y {high}"))
    return problems
