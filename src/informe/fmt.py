"""Spanish (Colombia) number formats, through babel.

The report writes thousands with '.' and decimals with ','
(``$5.509.310.977``, ``USD 155,67 millones``, ``8,06``).
"""

from __future__ import annotations

import math

from babel.numbers import format_decimal

LOCALE = "es_CO"


def format_number(value: float, decimals: int = 0) -> str:
    """``1234567.891`` → ``1.234.567,89`` (with ``decimals=2``); NaN → ``—``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(round(float(value), decimals) + 0.0, format=pattern, locale=LOCALE)


def format_cop(value: float) -> str:
    """Pesos without decimals, negatives in parentheses as in the financial statements: ``$5.509.310.977``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    text = "$" + format_number(abs(value))
    return f"({text})" if round(value) < 0 else text


def format_usd_millions(value: float, decimals: int = 2) -> str:
    """``155.67`` → ``USD 155,67 millones``."""
    return f"USD {format_number(value, decimals)} millones"


def format_percent(value: float, decimals: int = 1) -> str:
    """``12.5`` (already in percent) → ``12,5 %``."""
    return f"{format_number(value, decimals)} %"


def format_ratio(value: float, decimals: int = 2) -> str:
    """``8.0569`` → ``8,06``."""
    return format_number(value, decimals)
