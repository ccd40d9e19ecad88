"""Spanish (Colombia) number and date formats, through babel: the one formatting layer.

The report writes thousands with '.' and decimals with ','
(``$5.509.310.977``, ``USD 155,67 millones``, ``8,06``), negatives with the
minus sign U+2212 (``−1.234``) and dates in words (``24 de noviembre de 2026``).
Every number the report prints goes through :func:`format_number` (or a wrapper),
whatever its type: Python or numpy integers and floats, Decimal.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from decimal import Decimal
from functools import lru_cache

import pandas as pd
from babel.dates import format_date as babel_format_date
from babel.numbers import format_decimal

LOCALE = "es_CO"
MINUS = "\u2212"
NBSP = "\u00a0"  # no-break space: «265,3 %» and «USD 155,67» never break between the number and its unit
UNKNOWN = "s. d."  # sin dato: a value the data does not report (never printed as 0)


def is_missing(value) -> bool:
    """None, NaN, pandas NA/NaT."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    try:
        return bool(value != value)  # NaN is not equal to itself
    except (TypeError, ValueError):
        return False


def format_number(value: float, decimals: int = 0) -> str:
    """``1234567.891`` → ``1.234.567,89`` (with ``decimals=2``); ``-5`` → ``−5``; NaN → ``—``.

    Accepts numpy scalars and Decimal as well as Python numbers.
    """
    if is_missing(value):
        return "—"
    return _formatted(round(float(value), decimals) + 0.0, decimals)  # + 0.0: −0.0 prints as 0


@lru_cache(maxsize=1 << 16)
def _formatted(value: float, decimals: int) -> str:
    """babel's text of a rounded number (remembered: a section prints the same figures again and again, and
    babel takes ~0,05 ms a number; the annex prints ~2.600)."""
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=LOCALE).replace("-", MINUS)


def format_value(value) -> str:
    """Any cell value as the reader sees it: whole numbers with thousands separators (numpy ones too),
    other numbers with two decimals, booleans as Sí/No, text as is, missing as empty."""
    if is_missing(value):
        return ""
    if isinstance(value, bool):
        return "Sí" if value else "No"
    if isinstance(value, numbers.Integral):
        return format_number(int(value))
    if isinstance(value, (numbers.Real, Decimal)):
        number = float(value)
        return format_number(number) if number.is_integer() else format_number(number, 2)
    if hasattr(value, "item") and not isinstance(value, str):  # numpy bool and other scalars
        return format_value(value.item())
    return str(value)


def format_cop(value: float) -> str:
    """Pesos without decimals, negatives in parentheses as in the financial statements: ``$5.509.310.977``."""
    if is_missing(value):
        return "—"
    text = "$" + format_number(abs(float(value)))
    return f"({text})" if round(float(value)) < 0 else text


def format_cop_millions(value: float, decimals: int = 2) -> str:
    """Pesos shown in millions, as headed: ``4618830000`` → ``$4.618,83 millones``."""
    if is_missing(value):
        return "—"
    return f"${format_number(float(value) / 1e6, decimals)} millones"


def format_usd_millions(value: float, decimals: int = 2) -> str:
    """``155.67`` → ``USD 155,67 millones`` («USD» joined to its number by a no-break space)."""
    return f"USD{NBSP}{format_number(value, decimals)} millones"


def format_percent(value: float, decimals: int = 1) -> str:
    """``12.5`` (already in percent) → ``12,5 %`` (a no-break space before «%»: never split over two lines)."""
    return f"{format_number(value, decimals)}{NBSP}%"


_NUMBER_UNIT = re.compile(r"(?<=\d) (?=%)|(?<=\bUSD) (?=\d)|(?<=\bUS\$) (?=\d)")


def keep_units_together(text: str) -> str:
    """Text (typed by analysts or from the data) with a no-break space between a number and «%» and between
    «USD» and its number: ``265,3 %`` → ``265,3\u00a0%``."""
    return _NUMBER_UNIT.sub(NBSP, text)


def format_ratio(value: float, decimals: int = 2) -> str:
    """``8.0569`` → ``8,06``."""
    return format_number(value, decimals)


def format_date(value: dt.date) -> str:
    """``2026-11-24`` → ``24 de noviembre de 2026``."""
    if isinstance(value, dt.datetime):
        value = value.date()
    return babel_format_date(value, format="d 'de' MMMM 'de' y", locale=LOCALE)


def decimals_of(values) -> int:
    """The most decimals any of ``values`` is written with (0.1 → 1, 117.25 → 2, 3 → 0; at most 10)."""
    most = 0
    for value in values:
        if is_missing(value):
            continue
        text = f"{float(value):.10f}".rstrip("0")
        most = max(most, len(text.split(".")[1]) if "." in text else 0)
    return most


def exact_sum(values) -> float:
    """The sum of decimal data without float artefacts: 117.1, not 117.10000000000001.

    The sum is exact (``math.fsum``) and rounded to the most decimals the values are written with.
    When values exist but none is reported the sum is unknown (NaN), never 0: a group whose amounts are
    all unreported prints «s. d.». The sum of no values at all is 0.
    """
    values = list(values)
    present = [float(v) for v in values if not is_missing(v)]
    if values and not present:
        return math.nan
    return round(math.fsum(present), decimals_of(present)) + 0.0


def format_datetime(value: dt.datetime) -> str:
    """``2026-11-24 18:05`` → ``24 de noviembre de 2026, 18:05`` (never «24 noviembre 2026»)."""
    return f"{format_date(value)}, {value:%H:%M}"
