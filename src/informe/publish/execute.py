"""Execute the section notebooks with papermill, in parallel, reliably and interruptibly.

Each notebook gets a fresh kernel, started by :class:`~.kernels.InformeKernelManager` (jupyter_client's
asynchronous manager, its client and its kernel provisioner informe's, see :mod:`.kernels`), and killed as
soon as its last cell has run. Parallel start-ups do not race for ports (IPC sockets with unique paths, or
TCP start-ups serialized under a file lock), and a kernel that still fails to start is retried.

On Linux every kernel is forked from the build's fork server, which has already imported what the
sections import (see :mod:`.forkkernel`); elsewhere kernels start with Popen.

Each notebook runs in a worker process. Workers ignore Ctrl-C (the build
handles it and ends them); a worker asked to end (SIGTERM) kills its kernel and
removes its runtime folder first. A build killed with SIGKILL takes its workers and
kernels with it at once (Linux ``PR_SET_PDEATHSIG``, see :func:`_die_with_parent`). Kernel runtime
folders (``<tmp>/informe-kernel-*``) carry an ``owner.json`` marker so that the
leftovers of a killed build can be recognised and removed by the next one.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from .forkkernel import (
    ForkServer,
    _kernel_environment,
    make_runtime_dir,
    set_parent_death_signal,
    start_fork_server,
    use_fork_server,
)
from .kernels import LIVE_KERNELS, InformeKernelManager, kernel_log_tail
from .workspace import KERNEL_DIR_PREFIX  # noqa: F401 - re-exported

KERNEL_START_ATTEMPTS = 3
# A build's kernels need no command history; IPython's SQLite history costs start-up time (and locks
# ~/.ipython/profile_default/history.sqlite between parallel kernels).
KERNEL_ARGUMENTS = ["--HistoryManager.enabled=False"]

_RUNTIME_DIR: list[Path] = []  # the runtime folder of the notebook this worker is running


@dataclass(frozen=True)
class NotebookJob:
    """One section to execute: its notebook, the executed notebook's file name and its own parameters
    (the chapter it prints). The same notebook may run as several jobs (the text chapters)."""

    source: Path
    name: str
    parameters: dict = field(default_factory=dict)

    @classmethod
    def of(cls, item: NotebookJob | Path) -> NotebookJob:
        return item if isinstance(item, NotebookJob) else cls(Path(item), Path(item).name)


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
    """The notebook's first Markdown heading (its chapter title), or its file name.

    Read as plain JSON: nbformat (and its jsonschema) is not needed to find a heading.
    """
    try:
        cells = json.loads(Path(path).read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return path.stem
    for cell in cells if isinstance(cells, list) else []:
        if isinstance(cell, dict) and cell.get("cell_type") == "markdown":
            source = cell.get("source", "")
            source = "".join(source) if isinstance(source, list) else str(source)
            for line in source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return path.stem


def strip_notebook_metadata(nb) -> None:
    """Drop timestamps, durations and absolute paths papermill records, so that a rebuild with the
    same inputs gives the same committed notebook (clean diffs for reviewers)."""
    pm_meta = nb.metadata.get("papermill", {})
    for key in ("start_time", "end_time", "duration", "input_path", "output_path", "exception"):
        pm_meta.pop(key, None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell["id"] = "injected-parameters"  # papermill gives it a random id


def _is_kernel_start_failure(exc: Exception) -> bool:
    text = f"{type(exc).__name__}: {exc}"
    return any(s in text for s in ("Kernel didn't respond", "Kernel died", "Address already in use",
                                   "DeadKernelError"))


def _cell_started(started: list[int], cell_index: int, **_kw) -> None:
    """papermill's ``on_cell_execute``: a cell began to run (a kernel that dies in one is not retried)."""
    started.append(cell_index)


def run_notebook(source: Path, output: Path, parameters: dict, cwd: Path, timeout: int = 600,
                 env: dict[str, str] | None = None) -> NotebookResult:
    """Execute one notebook with papermill (runs in a worker process); ``env`` is added to the kernel's.

    The executed notebook is written once, after its volatile metadata is stripped. When the last cell
    has run, the kernel is killed at once (``shutdown_kernel="immediate"``): it holds nothing to save (the
    sheets it read are recorded as they are read), and ipykernel often lets a polite shutdown request run
    into jupyter_client's 2.5 s grace period (measured: 2.6 s of 6.1 s for one section).
    Where the build runs a fork server the kernel is forked from it (see :mod:`.forkkernel`).
    """
    import nbformat
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    _kernel_environment()
    saved = {k: os.environ.get(k) for k in [*(env or {}), "JUPYTER_RUNTIME_DIR"]}
    os.environ.update(env or {})
    start = time.perf_counter()
    attempt = 0
    runtime = make_runtime_dir()
    _RUNTIME_DIR.append(runtime)
    os.environ["JUPYTER_RUNTIME_DIR"] = str(runtime)
    try:
        while True:
            attempt += 1
            started: list[int] = []  # the cells that began to run (a kernel that dies in one is not retried)
            try:
                nb = pm.execute_notebook(
                    str(source), None, parameters=parameters, kernel_name="python3", cwd=str(cwd),
                    progress_bar=False, start_timeout=60, execution_timeout=timeout,
                    kernel_manager_class=InformeKernelManager,
                    request_save_on_cell_execute=False,  # no writes while running: one at the end
                    extra_arguments=KERNEL_ARGUMENTS,
                    shutdown_kernel="immediate",
                    on_cell_execute=partial(_cell_started, started),
                )
                strip_notebook_metadata(nb)
                nbformat.write(nb, str(output))
                return NotebookResult(source, output, time.perf_counter() - start, attempts=attempt)
            except PapermillExecutionError as exc:
                return NotebookResult(source, output, time.perf_counter() - start,
                                      f"{exc.ename}: {exc.evalue}", exc.cell_index, attempt)
            except Exception as exc:  # noqa: BLE001 - reported per notebook, never as a traceback
                kernel_failed = _is_kernel_start_failure(exc)
                if kernel_failed and started:  # it died running a cell: the cell is named, never retried
                    tail = kernel_log_tail()
                    return NotebookResult(source, output, time.perf_counter() - start,
                                          f"el kernel terminó mientras ejecutaba la celda ({type(exc).__name__}: "
                                          f"{exc})" + (f" (registro del kernel: {tail})" if tail else ""),
                                          started[-1], attempt)
                if kernel_failed and attempt < KERNEL_START_ATTEMPTS:
                    time.sleep(0.5 * attempt)
                    continue
                tail = kernel_log_tail() if kernel_failed else ""
                return NotebookResult(source, output, time.perf_counter() - start,
                                      f"{type(exc).__name__}: {exc}"
                                      + (f" (registro del kernel: {tail})" if tail else ""),
                                      None, attempt)
    finally:
        if runtime in _RUNTIME_DIR:
            _RUNTIME_DIR.remove(runtime)
        shutil.rmtree(runtime, ignore_errors=True)
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


# --------------------------------------------------------------------------
# Worker processes: quiet on Ctrl-C, and never outliving the build
# --------------------------------------------------------------------------

def kill_kernels() -> None:
    """Kill every kernel this process started (and its process group), and wait for them."""
    for pid, process in list(LIVE_KERNELS.items()):
        try:
            os.killpg(pid, signal.SIGKILL)  # jupyter_client starts each kernel in its own session
        except (OSError, AttributeError):
            try:
                process.kill()
            except OSError:
                pass
        try:
            process.wait(timeout=5)
        except Exception:  # noqa: BLE001 - best effort while ending
            pass
        LIVE_KERNELS.pop(pid, None)


def _end_worker(signum, _frame) -> None:
    """SIGTERM in a worker: kill its kernel, remove its runtime folder, exit at once."""
    kill_kernels()
    for folder in _RUNTIME_DIR:
        shutil.rmtree(folder, ignore_errors=True)
    os._exit(128 + signum)


def _die_with_parent(parent_pid: int) -> None:
    """End this worker the moment the build process dies, even by SIGKILL.

    On Linux ``PR_SET_PDEATHSIG`` with SIGKILL: immediate, and nothing in the worker can delay it. Its kernel
    dies with the fork server (which gets SIGTERM from the build's death and kills its kernels; each kernel
    also has SIGKILL as its own death signal); its runtime folder is removed by the next build. Elsewhere
    a watcher thread sends SIGTERM within half a second (the handler kills the kernel and the folder).
    """
    if not set_parent_death_signal(signal.SIGKILL):
        def watch() -> None:
            while os.getppid() == parent_pid:
                time.sleep(0.5)
            os.kill(os.getpid(), signal.SIGTERM)

        threading.Thread(target=watch, daemon=True).start()
    if os.getppid() != parent_pid:  # the parent died before the death signal was set
        os.kill(os.getpid(), signal.SIGTERM)


def _init_worker(parent_pid: int, fork_address: str | None = None) -> None:
    """Set a worker up: quiet on Ctrl-C, ended with the build, its kernels forked from the build's fork
    server at ``fork_address`` (when there is one); papermill is imported now, while the build validates."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the build handles it
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, _end_worker)
    _die_with_parent(parent_pid)
    use_fork_server(fork_address)
    import papermill  # noqa: F401 - imported now rather than when the first notebook arrives
    _warm_up()


def _warm_up() -> None:
    """What a worker's first notebook would otherwise do on the execution's critical path (measured
    ~0.06 s): compile nbformat's JSON schema (papermill validates the notebook it reads) and look the
    kernelspec up (importing what that imports)."""
    import nbformat
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel
    from nbformat.validator import get_validator

    _kernel_environment()
    get_validator(version=nbformat.v4.nbformat, version_minor=nbformat.v4.nbformat_minor)
    try:
        KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        pass  # reported by the notebook's own start, with what to do


def _ready() -> bool:
    return True


def _end_workers(pool: ProcessPoolExecutor, grace: float = 10.0) -> None:
    """Ask every worker to end (each kills its kernel first), then make sure they have."""
    # no public API before Python 3.14; None once shut down
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + grace
    for process in processes:
        process.join(max(0.1, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join(2)
    pool.shutdown(wait=False, cancel_futures=True)


class NotebookRunner:
    """Worker processes that execute notebooks, their kernels forked from one fork server.

    Create it before validating the data: meanwhile the fork server imports what the sections import
    (see :mod:`.forkkernel`) and the workers import papermill. :meth:`run` executes notebooks; leaving the
    ``with`` block ends the workers and the fork server; on an exception (an interrupted build) the
    workers are ended at once.
    """

    def __init__(self, jobs: int, fork: bool | None = None, server: ForkServer | None = None):
        """``server``: a fork server already started (:func:`~.forkkernel.start_fork_server`), which the
        runner then owns; else one is started here (unless ``fork`` is False)."""
        self.jobs = max(1, jobs)
        self.server: ForkServer | None = server
        if server is None and fork is not False:
            self.server = start_fork_server(fork)
        # Imported once here rather than in every worker: forked workers share it (saves ~0.7 s of CPU per
        # worker: ``/usr/bin/time python -c 'import papermill'``). Where workers are spawned, they import it
        # themselves.
        import papermill  # noqa: F401
        self.pool = ProcessPoolExecutor(max_workers=self.jobs, initializer=_init_worker,
                                        initargs=(os.getpid(), self.server.address if self.server else None))
        for _ in range(self.jobs):  # the workers start now (where they are spawned, one per pending task)
            self.pool.submit(_ready)

    def run(self, sources: list[NotebookJob | Path], out_dir: Path, parameters: dict, cwd: Path,
            on_done: Callable[[NotebookResult], None] | None = None,
            env: Callable[[NotebookJob], dict[str, str]] | None = None,
            meanwhile: Callable[[], None] | None = None) -> list[NotebookResult]:
        """Execute ``sources`` (notebooks or :class:`NotebookJob`) into ``out_dir``, each as its job's name with
        ``parameters`` and its own; ``env(job)`` gives variables for that notebook's kernel; ``meanwhile()`` runs
        in this process once the notebooks have been handed to the workers. Results come in the jobs' order."""
        jobs = [NotebookJob.of(s) for s in sources]
        results: list[NotebookResult] = []
        futures = {
            self.pool.submit(run_notebook, job.source, out_dir / job.name,
                             {**parameters, **job.parameters, "output_dir": "."}, cwd, 600,
                             env(job) if env else None): job
            for job in jobs
        }
        if meanwhile is not None:
            meanwhile()
        for future in as_completed(futures):
            result = future.result()
            results.append(result)
            if on_done:
                on_done(result)
        order = {job.name: i for i, job in enumerate(jobs)}
        return sorted(results, key=lambda r: order[r.output.name])

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self._stop_server()

    def abort(self) -> None:
        _end_workers(self.pool)
        self._stop_server()

    def _stop_server(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None

    def __enter__(self) -> NotebookRunner:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


def run_notebooks(sources: list[NotebookJob | Path], out_dir: Path, parameters: dict, cwd: Path,
                  jobs: int | None = None, on_done: Callable[[NotebookResult], None] | None = None,
                  env: Callable[[NotebookJob], dict[str, str]] | None = None) -> list[NotebookResult]:
    """Execute ``sources`` into ``out_dir`` on ``jobs`` worker processes (default: all cores).

    ``env(source)`` gives environment variables for that notebook's kernel. If the build is
    interrupted while waiting, the workers and their kernels are ended before the exception goes on.
    """
    if not sources:
        return []
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(sources)))
    with NotebookRunner(jobs) as runner:
        return runner.run(sources, out_dir, parameters, cwd, on_done, env)
