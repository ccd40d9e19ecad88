"""Where a build writes, and what it may remove.

* The output folder is replaced only when it is empty, absent, or a previous
  informe output (it holds the ``build-info.json`` marker the build writes).
  Anything else — someone's documents, a file — is refused with exit 2.
* A build works in a staging folder ``.<name>.building-<pid>`` next to the
  output folder, marked with ``.informe-staging.json`` (pid and process start
  time). A build killed before it could clean up leaves that folder (and
  ``.<name>.old-<pid>`` if killed while publishing); the next build removes
  those leftovers — only folders named and marked so, only when their build
  process is dead. Kernel runtime folders (``<tmp>/informe-kernel-*`` with
  ``owner.json``) are cleaned the same way.
* Nothing that informe did not create is ever removed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import psutil

KERNEL_DIR_PREFIX = "informe-kernel-"  # kernel runtime folders in the system's temporary folder (see .forkkernel)
OWNER_MARKER = "owner.json"  # in each of them: the pids of the worker and the build that made it

TABLE_DATA_DIR = "tablas"  # report.display.DOWNLOADS_DIR (not imported: it would load pandas on a no-op build)

BUILD_INFO = "build-info.json"
STAGING_MARKER = ".informe-staging.json"


class OutputDirError(Exception):
    """The output folder cannot be used (exit 2): the message says why and what to do."""


def process_started(pid: int) -> float | None:
    """The start time of process ``pid`` (None when it does not exist or is a zombie)."""
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return None
        return process.create_time()
    except (psutil.NoSuchProcess, psutil.AccessDenied, ValueError):
        return None


def is_alive(pid: int, started: float | None = None) -> bool:
    """Whether ``pid`` still runs (and is the same process, when its start time is known)."""
    now = process_started(pid)
    if now is None:
        return False
    return started is None or abs(now - started) < 1.0


def is_informe_output(folder: Path) -> bool:
    """A folder a previous build published: it holds a readable ``build-info.json`` with a fingerprint."""
    try:
        info = json.loads((folder / BUILD_INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(info, dict) and "fingerprint" in info


def only_published_notebooks(folder: Path) -> bool:
    """A clone's ``outputs/<year>``: only the committed executed notebooks under ``notebooks/``, and the
    tables' data (``notebooks/tablas/*.json``) those notebooks write when re-executed (``make test``'s nbval)."""
    notebooks = folder / "notebooks"
    files = [p for p in folder.rglob("*") if p.is_file()]
    return bool(files) and all((p.parent == notebooks and p.suffix == ".ipynb")
                               or (p.parent == notebooks / TABLE_DATA_DIR and p.suffix == ".json") for p in files)


def check_output_dir(out_dir: Path, default_out: Path | None = None) -> None:
    """Raise :class:`OutputDirError` unless a build may publish over ``out_dir``."""
    if out_dir.is_symlink() or (out_dir.exists() and not out_dir.is_dir()):
        raise OutputDirError(f"--out {out_dir} es un archivo, no una carpeta: no se reemplaza. "
                             "Indique una carpeta vacía o nueva.")
    if not out_dir.exists():
        if out_dir.parent.exists() and not out_dir.parent.is_dir():
            raise OutputDirError(f"{out_dir.parent} es un archivo: no puede contener la carpeta de salida.")
        return
    if not any(out_dir.iterdir()) or is_informe_output(out_dir):
        return
    if default_out is not None and out_dir == default_out and only_published_notebooks(out_dir):
        return
    raise OutputDirError(
        f"la carpeta de salida {out_dir} ya existe y no es una salida de informe (no tiene {BUILD_INFO}); "
        "la construcción reemplazaría su contenido. Indique con --out una carpeta vacía o nueva.")


def staging_dir(out_dir: Path) -> Path:
    return out_dir.with_name(f".{out_dir.name}.building-{os.getpid()}")


def make_staging(out_dir: Path) -> Path:
    """Create this build's staging folder next to ``out_dir``, marked with our pid."""
    staging = staging_dir(out_dir)
    staging.mkdir(parents=True)
    marker = {"pid": os.getpid(), "started": process_started(os.getpid())}
    try:
        (staging / STAGING_MARKER).write_text(json.dumps(marker), encoding="utf-8")
    except BaseException:  # a full disk: nothing is left behind
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def _marker(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("pid"), int) else None


def remove_leftovers(out_dir: Path) -> list[Path]:
    """Remove what killed builds of ``out_dir`` left next to it; return what was removed.

    A staging folder is removed only if named ``.<name>.building-<pid>``, marked with that pid, and the
    pid is dead. An ``.<name>.old-<pid>`` folder (a build killed while publishing) whose pid is dead is
    put back when the output folder is missing, else removed if it is an informe output.
    """
    removed: list[Path] = []
    parent, name = out_dir.parent, out_dir.name
    if not parent.is_dir():
        return removed
    pattern = re.compile(rf"^\.{re.escape(name)}\.(building|old)-(\d+)$")
    for path in sorted(parent.iterdir()):
        match = pattern.match(path.name)
        if not match or not path.is_dir() or path.is_symlink():
            continue
        kind, pid = match.group(1), int(match.group(2))
        if kind == "building":
            marker = _marker(path / STAGING_MARKER)
            if marker is None or marker["pid"] != pid or is_alive(pid, marker.get("started")):
                continue
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
        elif not is_alive(pid) and is_informe_output(path):
            if not out_dir.exists():
                path.rename(out_dir)  # killed between the two renames of publish(): restore the outputs
            else:
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
    return removed


def remove_kernel_leftovers(tmp: Path | None = None) -> list[Path]:
    """Remove ``<tmp>/informe-kernel-*`` folders whose owner (worker and build) processes are dead."""
    removed = []
    for path in sorted(Path(tmp or tempfile.gettempdir()).glob(f"{KERNEL_DIR_PREFIX}*")):
        marker = _marker(path / OWNER_MARKER)
        if marker is None or not path.is_dir() or path.is_symlink():
            continue
        if is_alive(marker["pid"]) or is_alive(int(marker.get("build_pid") or 0) or marker["pid"]):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def publish(staging: Path, out_dir: Path, on_published: Callable[[], None] | None = None) -> None:
    """Replace ``out_dir`` by ``staging`` (same file system): the old outputs go only after the new are in place.
    ``on_published()`` is called as soon as they are (``informe preview`` reloads its pages then), before the old
    ones are removed.

    When a rename fails (a read-only or full file system, a folder without write permission) the previous
    outputs are put back where they were and the error goes on; the caller removes the staging folder.
    """
    (staging / STAGING_MARKER).unlink(missing_ok=True)
    old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
    moved = False
    try:
        if out_dir.exists():
            out_dir.rename(old)
            moved = True
        staging.rename(out_dir)
    except BaseException:
        if moved and not out_dir.exists():
            old.rename(out_dir)
        raise
    try:
        if on_published is not None:
            on_published()
    finally:
        shutil.rmtree(old, ignore_errors=True)
