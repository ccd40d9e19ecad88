"""Numbers and dates typed as text, read the way an analyst in Colombia types them.

A numeric cell that holds text («1.234.567», «4,5», «USD 3,2», «35 %») is read as an es-CO number when
what it says is unambiguous, and the reading is reported (a remark naming the cell and the number read);
otherwise it is refused with a message that shows how to type it. Never silently taken as something else:
«693.123» is six hundred ninety-three thousand one hundred twenty-three in es-CO, not 693,12.

Dates: a cell of a text column that Excel stores as a date, or a date column holding a date serial number,
is read as the day Excel shows, in the workbook's own date system (1900 or 1904).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass

# Spaces used as thousands separators (no-break space, narrow no-break space, thin space) and minus signs.
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_MINUS = str.maketrans({"\u2212": "-", "\u2012": "-", "\u2013": "-"})
# Currency marks an amount may carry, by the unit of the contract they agree with.
_CURRENCIES = {
    "USD": ("usd", "usd_m"), "US$": ("usd", "usd_m"), "U$S": ("usd", "usd_m"),
    "COP$": ("cop",), "COP": ("cop",), "$": ("usd", "usd_m", "cop"),
}
_PREFIX = re.compile(r"^(US\$|U\$S|USD|COP\$|COP|\$)\s*", re.IGNORECASE)
_SUFFIX = re.compile(r"\s*(USD|COP)$", re.IGNORECASE)
_UNIT_NAMES = {"usd_m": "USD millones", "usd": "USD", "cop": "pesos", "count": "cantidad", "pct": "%",
               "ratio": "razón",
               "varies": "la unidad de su fila"}
HOW_TO_TYPE = "escriba solo la cifra, p. ej. 1234567,89 (o 1.234.567,89), sin letras ni símbolos"


@dataclass(frozen=True)
class TextNumber:
    """What a text typed in a numeric cell says: the number (None when refused) and why."""

    value: float | None
    remark: str  # the remark when read, the reason when refused


def format_es(value: float) -> str:
    """``value`` with es-CO separators (1.234.567,89), as many decimals as it has (up to 6); beyond 10^15 in
    scientific notation (1e+20), never a wall of digits."""
    if not math.isfinite(value) or abs(value) >= 1e15:
        return f"{value:.6g}".replace(".", ",")
    text = f"{value:,.6f}".rstrip("0").rstrip(".")
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


# The factors a number typed in the wrong unit is off by (as a fraction or in hundreds, thousands, millions).
UNIT_FACTORS = (100, 1_000, 1_000_000)


def nearest_factor(ratio: float) -> int:
    """The unit factor closest (in orders of magnitude) to ``ratio`` or its inverse: 93 → 100, 0,0008 → 1 000."""
    return min(UNIT_FACTORS, key=lambda f: abs(math.log10(f) - abs(math.log10(ratio))))


def _grouped(digits: str, sep: str) -> bool:
    """Whether ``digits`` (with ``sep`` between groups) is a well-formed thousands grouping."""
    groups = digits.split(sep)
    return 1 <= len(groups[0]) <= 3 and groups[0].isdigit() and all(len(g) == 3 and g.isdigit() for g in groups[1:])


def read_digits(text: str) -> tuple[float, str] | None:
    """Parse unsigned ``text`` of digits and separators; (value, how) or None when not a number."""
    if not text or not re.fullmatch(r"[0-9.,]+", text) or not re.search(r"[0-9]", text):
        return None
    dots, commas = text.count("."), text.count(",")
    if dots and commas:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        whole, _, frac = text.rpartition(decimal)
        if text.count(decimal) != 1 or not frac.isdigit() or not _grouped(whole, thousands):
            return None
        how = "es-CO" if decimal == "," else "inglés: coma de miles y punto decimal"
        return float(whole.replace(thousands, "") + "." + frac), how
    if commas:
        if commas > 1:  # «1,234,567»: commas are thousands (an English export)
            return (float(text.replace(",", "")), "inglés: coma de miles") if _grouped(text, ",") else None
        whole, frac = text.split(",")
        if not whole.isdigit() and whole != "" or not frac.isdigit():
            return None
        return float((whole or "0") + "." + frac), "es-CO"
    if dots:
        if dots > 1:
            return (float(text.replace(".", "")), "es-CO") if _grouped(text, ".") else None
        whole, frac = text.split(".")
        if not frac.isdigit() or not (whole.isdigit() or whole == ""):
            return None
        if len(frac) == 3 and whole.isdigit() and len(whole) <= 3 and whole != "0":
            return float(whole + frac), "es-CO: punto de miles"
        return float((whole or "0") + "." + frac), "con punto decimal"
    return float(text), "es-CO"


def parse_text_number(text: str, unit: str) -> TextNumber:
    """Read ``text`` (a numeric cell's text) for a column of ``unit`` (a key of the contract's UNITS)."""
    shown = text.strip()
    body = shown.translate(_MINUS)
    negative = False
    if body.startswith("(") and body.endswith(")"):  # accounting negative: (1.234)
        body, negative = body[1:-1].strip(), True
    if body.startswith("-"):
        body, negative = body[1:].strip(), not negative
    percent = body.endswith("%")
    if percent:
        body = body[:-1].strip()
    currency = None
    mark = _PREFIX.match(body) or _SUFFIX.search(body)
    if mark:
        currency = mark.group(1).upper()
        body = (body[: mark.start()] + body[mark.end():]).strip()
    if body.startswith("-") and not negative:
        body, negative = body[1:].strip(), True
    unit_name = _UNIT_NAMES.get(unit, unit)
    if percent and unit not in ("pct", "varies"):
        return TextNumber(None, f"«{shown}» es un porcentaje y esta columna va en {unit_name}; {HOW_TO_TYPE}")
    if currency and unit not in _CURRENCIES[currency] + ("varies",):
        return TextNumber(None, f"«{shown}» lleva «{currency}» y esta columna va en {unit_name}; {HOW_TO_TYPE}")
    parsed = read_digits(body) if re.fullmatch(r"[0-9.,]+", body) else None
    if parsed is None and _SPACES.search(body) and re.fullmatch(r"\d{1,3}([\s\u00a0\u202f\u2009]\d{3})+", body):
        parsed = float(_SPACES.sub("", body)), "es-CO: espacios de miles"
    if parsed is None and re.fullmatch(r"\d{1,3}([\s\u00a0\u202f\u2009]\d{3})+,\d+", body):
        parsed = float(_SPACES.sub("", body).replace(",", ".")), "es-CO: espacios de miles"
    if parsed is None:
        return TextNumber(None, f"«{shown}» no es un número; {HOW_TO_TYPE}")
    value, how = parsed
    value = -value if negative else value
    how = how if how.startswith("con ") else f"formato {how}"
    marks = [m for m in (currency, "%" if percent else None) if m]
    also = f", sin «{'» ni «'.join(marks)}»" if marks else ""
    return TextNumber(value, f"número escrito como texto «{shown}»: se leyó como {format_es(value)} "
                             f"({how}{also}); escríbalo como número para quitar este aviso")


# Excel date serials read as dates in a date column: 1 January 1960 .. 31 December 2099 (1900 system).
SERIAL_MIN, SERIAL_MAX = 21916, 73050


def serial_to_date(serial: float, epoch: dt.datetime) -> dt.date:
    """The day Excel shows for ``serial`` in the workbook's date system (``epoch``: openpyxl's ``wb.epoch``).

    In the 1900 system Excel counts a 29 February 1900 that never was: serials from 61 on are one day
    ahead of plain arithmetic from 30 December 1899.
    """
    if epoch.year == 1904:
        return (epoch + dt.timedelta(days=int(serial))).date()
    return (dt.datetime(1899, 12, 30) + dt.timedelta(days=int(serial))).date()


def show_date(value: dt.datetime | dt.date) -> str:
    """A date as an analyst in Colombia reads it: 28/02/2022 (with the time when it has one)."""
    if isinstance(value, dt.datetime) and (value.hour, value.minute, value.second) != (0, 0, 0):
        return f"{value:%d/%m/%Y %H:%M}"
    return f"{value:%d/%m/%Y}"
