"""Tables for download: every table displayed in the executed notebooks, as CSV and XLSX."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pandas as pd

from ..report.display import TABLE_MIME


class DownloadError(RuntimeError):
    """Two tables would be written to the same file."""


def table_payloads(notebook: Path) -> list[dict]:
    """The raw data of every table displayed in an executed notebook."""
    nb = nbformat.read(notebook, as_version=4)
    return [out["data"][TABLE_MIME] for cell in nb.cells for out in cell.get("outputs", [])
            if TABLE_MIME in out.get("data", {})]


def write_downloads(notebooks: list[Path], target: Path) -> list[Path]:
    """CSV (UTF-8 with BOM, for Excel) and XLSX of every table, named after the table's title."""
    target.mkdir(parents=True, exist_ok=True)
    written, seen = [], {}
    for notebook in notebooks:
        for payload in table_payloads(notebook):
            slug = payload["slug"]
            if slug in seen and seen[slug] != notebook.name:
                raise DownloadError(f"dos tablas se llaman igual («{payload['title']}») en {seen[slug]} y {notebook.name}")
            seen[slug] = notebook.name
            frame = pd.DataFrame(payload["rows"], columns=payload["columns"])
            frame.to_csv(target / f"{slug}.csv", index=False, encoding="utf-8-sig")
            frame.to_excel(target / f"{slug}.xlsx", index=False, sheet_name="Tabla")
            written += [target / f"{slug}.csv", target / f"{slug}.xlsx"]
    return written
