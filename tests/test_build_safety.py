"""`informe build` never destroys what it did not create, survives interruptions, and builds one at a time.

Real subprocess builds receive SIGINT (as Ctrl-C sends it, to the whole process group), SIGTERM and
SIGKILL; afterwards no worker or kernel of that build may be alive, no staging folder and no kernel
runtime folder of it may remain (for SIGKILL: once the next build has started).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psutil
import pytest

from conftest import DATA_2022, SECTIONS_2022, build, build_env, set_cell, start_build
from informe.publish.lock import holder_path
from informe.publish.workspace import (STAGING_MARKER, OutputDirError, check_output_dir, remove_kernel_leftovers,
                                     remove_leftovers)

# --------------------------------------------------------------------------
# The output folder
# --------------------------------------------------------------------------


def test_folder_with_someone_s_documents_is_refused(tmp_path):
    out = tmp_path / "documentos"
    out.mkdir()
    letter = out / "carta.docx"
    letter.write_bytes(b"contenido importante")
    result = build("--year", "2022", "--out", str(out), "--engine", "pandoc")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "no es una salida de informe" in result.stdout and str(out) in result.stdout
    assert letter.read_bytes() == b"contenido importante"
    assert sorted(p.name for p in out.iterdir()) == ["carta.docx"]
    assert "Traceback" not in result.stdout + result.stderr


def test_file_as_output_folder_is_refused(tmp_path):
    target = tmp_path / "informe.pdf"
    target.write_bytes(b"%PDF-1.7 de alguien")
    result = build("--year", "2022", "--out", str(target), "--engine", "pandoc")
    assert result.returncode == 2, result.stdout + result.stderr
    assert "es un archivo" in result.stdout
    assert target.is_file() and target.read_bytes() == b"%PDF-1.7 de alguien"


def test_accepted_output_folders(tmp_path):
    check_output_dir(tmp_path / "nueva")  # absent
    (tmp_path / "vacia").mkdir()
    check_output_dir(tmp_path / "vacia")
    previous = tmp_path / "anterior"
    previous.mkdir()
    (previous / "build-info.json").write_text(json.dumps({"fingerprint": "abc"}), encoding="utf-8")
    (previous / "informe-gestion-2022.pdf").write_bytes(b"%PDF")
    check_output_dir(previous)
    # a fresh clone's outputs/<year>: only the committed notebooks, accepted as the default output folder only
    clone = tmp_path / "outputs" / "2022"
    (clone / "notebooks").mkdir(parents=True)
    (clone / "notebooks" / "01-resumen-ejecutivo.ipynb").write_text("{}", encoding="utf-8")
    check_output_dir(clone, default_out=clone)
    # after `make test`: nbval re-executed the notebooks, which wrote their tables' data (regression: the
    # next `make report` refused the folder)
    (clone / "notebooks" / "tablas").mkdir()
    (clone / "notebooks" / "tablas" / "cifras-principales-2022.json").write_text("{}", encoding="utf-8")
    check_output_dir(clone, default_out=clone)
    with pytest.raises(OutputDirError):
        check_output_dir(clone, default_out=tmp_path / "otra")
    (previous / "build-info.json").write_text("no es json", encoding="utf-8")
    with pytest.raises(OutputDirError):
        check_output_dir(previous)


# --------------------------------------------------------------------------
# Leftovers of killed builds
# --------------------------------------------------------------------------


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_leftovers_are_removed_only_when_ours_and_their_build_is_dead(tmp_path):
    out = tmp_path / "2022"
    gone = dead_pid()
    stale = tmp_path / f".2022.building-{gone}"
    stale.mkdir()
    (stale / STAGING_MARKER).write_text(json.dumps({"pid": gone, "started": None}), encoding="utf-8")
    (stale / "notebooks").mkdir()
    alive = tmp_path / f".2022.building-{os.getpid()}"
    alive.mkdir()
    (alive / STAGING_MARKER).write_text(json.dumps({"pid": os.getpid(), "started": None}), encoding="utf-8")
    unmarked = tmp_path / f".2022.building-{gone + 1}"  # right name, no marker: not provably ours
    unmarked.mkdir()
    (unmarked / "datos.txt").write_text("x", encoding="utf-8")
    other_year = tmp_path / f".2023.building-{gone}"
    other_year.mkdir()
    (other_year / STAGING_MARKER).write_text(json.dumps({"pid": gone}), encoding="utf-8")
    assert remove_leftovers(out) == [stale]
    assert not stale.exists() and alive.exists() and unmarked.exists() and other_year.exists()


def test_killed_while_publishing_restores_the_previous_outputs(tmp_path):
    out = tmp_path / "2022"
    old = tmp_path / f".2022.old-{dead_pid()}"
    old.mkdir()
    (old / "build-info.json").write_text(json.dumps({"fingerprint": "abc"}), encoding="utf-8")
    remove_leftovers(out)
    assert (out / "build-info.json").exists() and not old.exists()


def test_kernel_leftovers(tmp_path):
    gone = dead_pid()
    stale = tmp_path / "informe-kernel-abc"
    stale.mkdir()
    (stale / "owner.json").write_text(json.dumps({"pid": gone, "build_pid": gone}), encoding="utf-8")
    running = tmp_path / "informe-kernel-def"
    running.mkdir()
    (running / "owner.json").write_text(json.dumps({"pid": os.getpid(), "build_pid": gone}), encoding="utf-8")
    foreign = tmp_path / "informe-kernel-xyz"  # no marker: not ours
    foreign.mkdir()
    assert remove_kernel_leftovers(tmp_path) == [stale]
    assert running.exists() and foreign.exists()


# --------------------------------------------------------------------------
# Interruptions (real builds)
# --------------------------------------------------------------------------


def tagged_processes(tag: str) -> list[psutil.Process]:
    """Live (non-zombie) processes whose environment carries ``INFORME_TEST_TAG=tag``: build, workers, kernels."""
    found = []
    for process in psutil.process_iter():
        try:
            if process.status() == psutil.STATUS_ZOMBIE:
                continue
            if process.environ().get("INFORME_TEST_TAG") == tag:
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return found


def is_kernel(process: psutil.Process) -> bool:
    """A kernel: started by Popen (``ipykernel_launcher``) or forked by the build's fork server (a child
    of ``informe.publish.forkkernel`` with its command line)."""
    try:
        command = " ".join(process.cmdline())
        if "ipykernel_launcher" in command:
            return True
        parent = process.parent()
        return ("informe.publish.forkkernel" in command and parent is not None
                and "informe.publish.forkkernel" in " ".join(parent.cmdline()))
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return False


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timeout waiting for {what}")


def kernel_dirs_of(pids: set[int]) -> list[Path]:
    found = []
    for path in Path(tempfile.gettempdir()).glob("informe-kernel-*"):
        try:
            owner = json.loads((path / "owner.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if owner.get("pid") in pids or owner.get("build_pid") in pids:
            found.append(path)
    return found


def start_and_wait_for_kernels(out: Path, tag: str, staging: bool = False) -> tuple[subprocess.Popen, set[int]]:
    """Start a build and wait for its first kernel and, with ``staging``, for its staging folder."""
    proc = start_build("--year", "2022", "--out", str(out), "--engine", "pandoc", "--force",
                       INFORME_TEST_TAG=tag)
    wait_for(lambda: any(is_kernel(p) for p in tagged_processes(tag)), 120, "a kernel of the build")
    if staging:
        wait_for(lambda: list(out.parent.glob(f".{out.name}.building-*")), 120, "the build's staging folder")
    pids = {p.pid for p in tagged_processes(tag)}
    return proc, pids


@pytest.mark.parametrize("how, code", [("SIGINT", 130), ("SIGTERM", 143)])
def test_interrupted_build_ends_everything_with_one_line(tmp_path, how, code):
    out = tmp_path / "2022"
    tag = uuid.uuid4().hex
    proc, pids = start_and_wait_for_kernels(out, tag)
    if how == "SIGINT":
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C: the terminal signals the whole foreground group
    else:
        proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == code, stdout + stderr
    text = stdout + stderr
    assert [line for line in text.splitlines() if "Interrumpido" in line] == [
        f"Interrumpido: {out} no se modificó."], text
    assert "Traceback" not in text and "KeyboardInterrupt" not in text
    assert tagged_processes(tag) == []  # workers and kernels ended before the build exited
    assert not list(tmp_path.glob(".2022.building-*")) and not out.exists()
    assert kernel_dirs_of(pids) == []


def test_killed_build_leaves_nothing_running_and_the_next_build_cleans_up(tmp_path, data_copy):
    out = tmp_path / "2022"
    tag = uuid.uuid4().hex
    proc, pids = start_and_wait_for_kernels(out, tag, staging=True)
    proc.kill()
    proc.communicate(timeout=30)
    # workers learn of their parent's death (PR_SET_PDEATHSIG) and kill their kernels
    wait_for(lambda: tagged_processes(tag) == [], 30, "the killed build's workers and kernels to end")
    assert list(tmp_path.glob(".2022.building-*"))  # SIGKILL cannot be caught: the next build cleans up
    set_cell(data_copy / "administrativo.xlsx", "PQRS", "B3", "veintisiete")  # a quick build: stops at validation
    result = build("--year", "2022", "--data", str(data_copy), "--out", str(out))
    assert result.returncode == 1, result.stdout + result.stderr
    assert not list(tmp_path.glob(".2022.building-*"))
    assert kernel_dirs_of(pids) == []


def is_fork_server(process: psutil.Process) -> bool:
    try:
        return "informe.publish.forkkernel" in " ".join(process.cmdline()) and not is_kernel(process)
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return False


def test_build_killed_while_validating_leaves_nothing_behind(tmp_path):
    """Issue 12: the fork server and the workers start while the data are validated; a build killed then
    leaves no process and no kernel folder behind."""
    out = tmp_path / "2022"
    tag = uuid.uuid4().hex
    proc = start_build("--year", "2022", "--out", str(out), "--engine", "pandoc", "--force", INFORME_TEST_TAG=tag)
    wait_for(lambda: any(is_fork_server(p) for p in tagged_processes(tag)), 120, "the build's fork server")
    pids = {p.pid for p in tagged_processes(tag)}
    proc.kill()
    proc.communicate(timeout=30)
    wait_for(lambda: tagged_processes(tag) == [], 30, "the killed build's workers and fork server to end")
    wait_for(lambda: kernel_dirs_of(pids) == [], 30, "the fork server's folder to be removed")


def test_an_up_to_date_build_ends_the_fork_server_it_started(built_2022, tmp_path):
    """Issue 12: the fork server starts while the fingerprint is computed; when nothing has to run, the
    build ends it (in the middle of its imports) and removes its folder before it exits."""
    out = tmp_path / "2022"
    shutil.copytree(built_2022, out)
    tag = uuid.uuid4().hex
    proc = start_build("--year", "2022", "--out", str(out), "--engine", "pandoc", INFORME_TEST_TAG=tag)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0 and "Sin cambios" in stdout, stdout + stderr
    assert tagged_processes(tag) == []
    assert kernel_dirs_of({proc.pid}) == []


def test_invalid_data_ends_the_workers_and_the_fork_server(tmp_path, data_copy):
    """A build that stops at validation (exit 1) ends the workers and the fork server it started."""
    set_cell(data_copy / "administrativo.xlsx", "PQRS", "B3", "veintisiete")
    tag = uuid.uuid4().hex
    result = build("--year", "2022", "--data", str(data_copy), "--out", str(tmp_path / "2022"),
                   env=build_env(INFORME_TEST_TAG=tag))
    assert result.returncode == 1, result.stdout + result.stderr
    assert tagged_processes(tag) == []
    assert not (tmp_path / "2022").exists()


# --------------------------------------------------------------------------
# Two builds of the same output folder
# --------------------------------------------------------------------------


def test_concurrent_builds_wait_or_name_the_holder(built_2022, tmp_path):
    out = tmp_path / "2022"
    shutil.copytree(built_2022, out)
    first = start_build("--year", "2022", "--out", str(out), "--engine", "pandoc", "--force")
    holder = holder_path(out)
    wait_for(lambda: holder.exists() and json.loads(holder.read_text(encoding="utf-8"))["pid"] == first.pid, 60,
             "the first build to hold the lock")
    refused = build("--year", "2022", "--out", str(out), "--engine", "pandoc", "--no-wait")
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert f"pid {first.pid}" in refused.stdout and "Otra construcción" in refused.stdout
    second = start_build("--year", "2022", "--out", str(out), "--engine", "pandoc")
    stdout1, stderr1 = first.communicate(timeout=600)
    stdout2, stderr2 = second.communicate(timeout=600)
    assert first.returncode == 0, stdout1 + stderr1
    assert second.returncode == 0, stdout2 + stderr2
    assert "esperando a que termine" in stdout2 and "Sin cambios" in stdout2  # it waited, then found it built
    info = json.loads((out / "build-info.json").read_text(encoding="utf-8"))
    assert all((out / name).stat().st_size == size for name, size in info["outputs"].items())
    assert sorted(p.stem for p in (out / "notebooks").glob("*.ipynb")) == SECTIONS_2022
    # nothing left next to the outputs but the no-op build's timings
    assert sorted(p.name for p in tmp_path.iterdir()) == [".2022.last-run.json", "2022"]


def test_table_data_folder_name_matches_the_downloads():
    from informe.publish.workspace import TABLE_DATA_DIR
    from informe.report.display import DOWNLOADS_DIR

    assert TABLE_DATA_DIR == DOWNLOADS_DIR


def test_kernels_end_before_the_staging_folder_is_removed(monkeypatch, tmp_path):
    """Regression (seen once in CI): an interrupted build removed its staging folder while its kernels still
    wrote their tables' data into it; a file written during the removal left ``.2022.building-<pid>``
    behind. The kernels (here: a thread writing files until the runner is aborted) end first."""
    import threading

    from rich.console import Console

    from informe.publish import pipeline as build_module
    from informe.publish.signals import Interrupted

    events: list[str] = []
    writer: list[threading.Thread] = []

    class Runner:  # as NotebookRunner: a context manager that ends its kernels on abort
        def __init__(self, jobs, fork=None, server=None):
            self.writing = threading.Event()
            self.writing.set()

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.abort()

        def close(self):
            self.abort()

        def abort(self):
            events.append("abort")
            self.writing.clear()
            for thread in writer:
                thread.join()

    def build_in(ctx, done):
        staging, runner = done.staging, done.runner
        tables = staging / "notebooks" / "tablas"
        tables.mkdir(parents=True)

        def kernel():
            n = 0
            while runner.writing.is_set():
                (tables / f"tabla-{n}.json").write_text("{}", encoding="utf-8")
                n += 1

        writer.append(threading.Thread(target=kernel))
        writer[0].start()
        wait_for(lambda: len(list(tables.iterdir())) > 50, 30, "files written by the kernel")
        raise Interrupted(signal.SIGINT)

    real_rmtree = shutil.rmtree

    def rmtree(path, *args, **kwargs):
        if ".building-" in str(path):
            events.append("remove staging")
        return real_rmtree(path, *args, **kwargs)

    monkeypatch.setattr(build_module, "NotebookRunner", Runner)
    monkeypatch.setattr(build_module, "_build_in", build_in)
    monkeypatch.setattr(build_module.shutil, "rmtree", rmtree)
    out = tmp_path / "2022"
    code = build_module.build_report(2022, DATA_2022, out, Console(file=io.StringIO()), force=True,
                                     engine="pandoc")
    assert code == 130
    assert events.index("abort") < events.index("remove staging")
    assert not list(tmp_path.glob(".2022.building-*")) and not out.exists()
