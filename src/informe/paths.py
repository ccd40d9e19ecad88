"""Where a project keeps its years: ``data/<year>/``, ``params/<year>.yml``, ``outputs/<year>/``.

The one place these default paths are spelled out (the CLI, the build and the report all ask here).
"""

from __future__ import annotations

from pathlib import Path


def find_project_root(start: Path | None = None) -> Path:
    """The folder holding ``params/`` and ``data/``: the current one or its nearest parent that does."""
    start = (start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / "params").is_dir() and (folder / "data").is_dir():
            return folder
    return start


def data_dir(root: Path, year: int) -> Path:
    return Path(root) / "data" / str(year)


def params_file(root: Path, year: int) -> Path:
    return Path(root) / "params" / f"{year}.yml"


def output_dir(root: Path, year: int) -> Path:
    return Path(root) / "outputs" / str(year)
