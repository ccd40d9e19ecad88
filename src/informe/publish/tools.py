"""The engine and tool versions a build depends on (cheap to compute: no heavy imports)."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

# Libraries whose version changes what the notebooks or the book show (tests/test_incremental.py checks
# that every library the package imports is here or in OUTPUT_NEUTRAL).
LIBRARIES = ("pandas", "numpy", "matplotlib", "seaborn", "babel", "pyarrow", "papermill", "nbclient", "ipykernel",
             "ipython", "nbformat", "pypandoc-binary", "typst", "markdown-it-py", "openpyxl", "pandera", "pydantic",
             "xlsxwriter", "beautifulsoup4", "pagefind-bin", "PyYAML")
# Libraries the package imports that shape no output: locking, processes, the terminal, kernel messaging, the
# preview's file watching.
OUTPUT_NEUTRAL = ("filelock", "psutil", "rich", "typer", "jupyter_client", "traitlets", "pyzmq", "watchfiles")


def find_quarto() -> str | None:
    """The Quarto executable: ``$QUARTO`` first, then ``PATH``, then next to this Python (``pip install quarto-cli``).

    Here rather than in :mod:`informe.publish.book` so that a no-op build need not import the book module.
    """
    explicit = os.environ.get("QUARTO")
    if explicit:
        return explicit if Path(explicit).exists() else None
    beside = Path(sys.executable).parent / "quarto"
    return shutil.which("quarto") or (str(beside) if beside.exists() else None)


def resolve_engine(engine: str) -> str:
    """``quarto`` or ``pandoc``: what ``--engine auto|quarto|pandoc`` will use here."""
    if engine == "pandoc":
        return "pandoc"
    return "quarto" if find_quarto() else "pandoc"


def library_versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "ausente"
    return versions


def quarto_version(quarto: str) -> str:
    try:
        proc = subprocess.run([quarto, "--version"], capture_output=True, text=True, timeout=60)
        return proc.stdout.strip() or "desconocida"
    except (OSError, subprocess.SubprocessError):
        return "desconocida"


def environment(engine: str) -> dict:
    """The engine a build will use and the versions of everything that shapes its outputs.

    pandoc's version is the ``pypandoc-binary`` wheel's (it bundles pandoc), typst's the ``typst``
    wheel's; Quarto's is asked to the executable when Quarto is the engine.
    """
    chosen = resolve_engine(engine)
    env = {"engine": chosen, "versions": library_versions()}
    if chosen == "quarto":
        quarto = find_quarto()  # found by resolve_engine just before
        env["quarto"] = {"path": quarto, "version": quarto_version(quarto) if quarto else "desconocida"}
    return env
