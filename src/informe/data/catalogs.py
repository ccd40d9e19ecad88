"""Catalogs: the allowed values of domain lists, kept in each workbook's «Catálogos» sheet.

A column declared with ``catalog=`` in the contract (sector, front, unit,
procurement modality, figure key...) accepts exactly the values listed in the
same workbook's «Catálogos» sheet, under the catalog's name. Adding a sector is
adding a cell in Excel, never editing Python. :func:`resolve_sheet` turns the
contract sheet into one whose ``allowed`` values are the year's catalog, so the
pandera schema and its Spanish messages work as for any fixed list.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from .contract import CATALOG_SHEET, Sheet

Catalogs = dict[str, tuple[str, ...]]


def catalog_values(frame: pd.DataFrame | None) -> Catalogs:
    """Catalog name → its values (in sheet order, blanks and repeats dropped) from a «Catálogos» frame."""
    if frame is None:
        return {}
    found = {}
    for name in frame.columns:
        values = [str(v).strip() for v in frame[name].tolist() if v is not None and not pd.isna(v) and str(v).strip()]
        found[str(name)] = tuple(dict.fromkeys(values))
    return found


def resolve_sheet(sheet: Sheet, values: Catalogs) -> Sheet:
    """``sheet`` with every catalog column's ``allowed`` set to the year's catalog (unchanged otherwise)."""
    if sheet.name == CATALOG_SHEET or not any(c.catalog for c in sheet.columns):
        return sheet
    columns = tuple(
        replace(c, allowed=values.get(c.catalog, ())) if c.catalog else c for c in sheet.columns
    )
    return replace(sheet, columns=columns)
