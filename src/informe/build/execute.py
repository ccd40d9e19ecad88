"""Execute the section notebooks with papermill, in parallel and reliably.

Parallel papermill runs are known to race when kernels start at the same time
(papermill #239 "Kernel didn't respond", #511 "ZMQError: Address already in
use"): jupyter_client picks free TCP ports, releases them and the kernel binds
them later, so two kernels starting together can pick the same port. Here each
notebook runs in its own process, its kernel talks over IPC (Unix-socket files
whose names derive from a unique connection file) instead of TCP ports, so
there are no ports to race for; a kernel that still fails to start is retried.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import nbformat
from jupyter_client.manager import AsyncKernelManager

KERNEL_START_ATTEMPTS = 3


class IPCKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel listens on Unix sockets, not TCP ports."""

    def __init__(self, **kwargs):
        kwargs.setdefault("transport", "ipc")
        # A socket path unique to this kernel; jupyter_client's default ("kernel-ipc" in the working
        # directory) is shared by every kernel started from the same folder and races again.
        runtime = os.environ.get("JUPYTER_RUNTIME_DIR") or tempfile.gettempdir()
        kwargs.setdefault("ip", os.path.join(runtime, f"k-{uuid.uuid4().hex[:12]}"))
        super().__init__(**kwargs)


@dataclass(frozen=True)
class NotebookResult:
    """Outcome of one notebook: where it was written, how long it took and, on failure, where it failed."""

    source: Path
    output: Path
    seconds: float
    error: str = ""
    cell: int | None = None
    attempts: int = 1

    @property
    def ok(self) -> bool:
        return not self.error


def section_title(path: Path) -> str:
    """The notebook's first Markdown heading (its chapter title), or its file name."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return path.stem


def strip_volatile_metadata(path: Path) -> None:
    """Drop timestamps, durations and absolute paths papermill records, so that a rebuild with the
    same inputs gives the same committed notebook (clean diffs for reviewers)."""
    nb = nbformat.read(path, as_version=4)
    pm_meta = nb.metadata.get("papermill", {})
    for key in ("start_time", "end_time", "duration", "input_path", "output_path", "exception"):
        pm_meta.pop(key, None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"  # papermill gives it a random id
    nbformat.write(nb, path)


def _kernel_environment() -> None:
    """Make the kernel run on this interpreter: its kernelspec first, its bin/ on PATH."""
    prefix_share = str(Path(sys.prefix) / "share" / "jupyter")
    os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [prefix_share, os.environ.get("JUPYTER_PATH")]))
    os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    os.environ.setdefault("MPLBACKEND", "Agg")
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"


def _is_kernel_start_failure(exc: Exception) -> bool:
    text = f"{type(exc).__name__}: {exc}"
    return any(s in text for s in ("Kernel didn't respond", "Kernel died", "Address already in use",
                                   "DeadKernelError"))


def run_notebook(source: Path, output: Path, parameters: dict, cwd: Path, timeout: int = 600) -> NotebookResult:
    """Execute one notebook with papermill (runs in a worker process)."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    _kernel_environment()
    start = time.perf_counter()
    attempt = 0
    with tempfile.TemporaryDirectory(prefix="informe-kernel-") as runtime:
        os.environ["JUPYTER_RUNTIME_DIR"] = runtime
        while True:
            attempt += 1
            try:
                pm.execute_notebook(
                    str(source), str(output), parameters=parameters, kernel_name="python3", cwd=str(cwd),
                    progress_bar=False, start_timeout=60, execution_timeout=timeout,
                    kernel_manager_class=IPCKernelManager,
                )
                strip_volatile_metadata(output)
                return NotebookResult(source, output, time.perf_counter() - start, attempts=attempt)
            except PapermillExecutionError as exc:
                return NotebookResult(source, output, time.perf_counter() - start,
                                      f"{exc.ename}: {exc.evalue}", exc.cell_index, attempt)
            except Exception as exc:  # noqa: BLE001 - reported per notebook, never as a traceback
                if _is_kernel_start_failure(exc) and attempt < KERNEL_START_ATTEMPTS:
                    time.sleep(0.5 * attempt)
                    continue
                return NotebookResult(source, output, time.perf_counter() - start,
                                      f"{type(exc).__name__}: {exc}", None, attempt)


def run_notebooks(sources: list[Path], out_dir: Path, parameters: dict, cwd: Path, jobs: int | None = None,
                  on_done: Callable[[NotebookResult], None] | None = None) -> list[NotebookResult]:
    """Execute ``sources`` into ``out_dir`` on ``jobs`` worker processes (default: all cores)."""
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(sources)))
    results: list[NotebookResult] = []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {
            pool.submit(run_notebook, src, out_dir / src.name, {**parameters, "output_dir": "."}, cwd): src
            for src in sources
        }
        for future in as_completed(futures):
            result = future.result()
            results.append(result)
            if on_done:
                on_done(result)
    order = {src: i for i, src in enumerate(sources)}
    return sorted(results, key=lambda r: order[r.source])
