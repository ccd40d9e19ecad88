"""Problems found in the input data and how they are reported."""

from __future__ import annotations

import csv
import json
from dataclasses import asdict, dataclass
from pathlib import Path

ERROR = "error"
WARNING = "advertencia"


@dataclass(frozen=True)
class Problem:
    """One finding, located as an analyst would look for it in Excel."""

    file: str
    sheet: str
    row: int | None
    column: str
    message: str
    severity: str = ERROR
    paragraph: int | None = None  # in a chapter text (data/<year>/textos/): its top-level block, from 1

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def location(self) -> str:
        parts = [self.file]
        if self.sheet:
            parts.append(f"hoja «{self.sheet}»")
        if self.row:
            parts.append(f"fila {self.row}")
        if self.column:
            parts.append(f"columna «{self.column}»")
        if self.paragraph:
            parts.append(f"párrafo {self.paragraph}")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.location()}: {self.message}"


def write_report(problems: list[Problem], path: Path) -> Path:
    """Write problems as JSON (``.json``) or CSV (any other suffix)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = [asdict(p) for p in problems]
    if path.suffix.lower() == ".json":
        summary = {
            "errores": sum(p.is_error for p in problems),
            "advertencias": sum(not p.is_error for p in problems),
            "problemas": rows,
        }
        path.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    else:
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=["file", "sheet", "row", "column", "message", "severity",
                                                    "paragraph"])
            writer.writeheader()
            writer.writerows(rows)
    return path
