"""`informe preview` (issue 24): the live book, rebuilt and reloaded on a save, errors over the last good page,
Excel's owner files ignored, Ctrl-C ends with the complete build; a port in use or a missing year exits 2."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from openpyxl import load_workbook
from rich.console import Console

from browser import require_browser
from conftest import ROOT, build_env, set_cell
from informe.publish.preview import (complete, failure_message, ignored, inject, preview_dir, wait_until_stable,
                                     watch_map)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 10) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read().decode("utf-8")


class Events:
    """The server-sent events of the preview, read in a thread (what the open page receives)."""

    def __init__(self, url: str):
        self.seen: list[tuple[str, dict]] = []
        self.response = urllib.request.urlopen(url, timeout=300)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        event = None
        try:
            for raw in self.response:
                line = raw.decode("utf-8").rstrip("\n")
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: ") and event:
                    self.seen.append((event, json.loads(line[6:])))
                    event = None
        except OSError:
            pass

    def wait_for(self, name: str, after: int, timeout: float = 120) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event, data in self.seen[after:]:
                if event == name:
                    return data
            time.sleep(0.1)
        raise AssertionError(f"no llegó «{name}»: {self.seen}")


def building(base: str, timeout: float = 120) -> dict:
    """The preview's state once its server answers and its first build has started."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = json.loads(get(f"{base}/__informe/estado", timeout=2)[1])
            if state["construyendo"] or state["generacion"]:
                return state
        except OSError:
            pass
        time.sleep(0.05)
    raise AssertionError("la vista previa no empezó a construir")


def start(tmp_path: Path, port: int, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "informe", "preview", "--year", "2022", "--port", str(port),
                             "--data", str(tmp_path / "2022"), "--out", str(tmp_path / "out" / "2022"),
                             "--engine", "pandoc", *extra],
                            cwd=ROOT, env=build_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_the_preview_rebuilds_reloads_and_shows_errors(tmp_path):
    shutil.copytree(ROOT / "data" / "2022", tmp_path / "2022")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = start(tmp_path, port)
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if json.loads(get(f"{base}/__informe/estado")[1])["generacion"] >= 1:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        else:
            pytest.fail("la vista previa no construyó el libro")
        status, page = get(f"{base}/11-retos.html")
        assert status == 200 and '<script src="/__informe/vista-previa.js" defer></script></body>' in page
        events = Events(f"{base}/__informe/eventos")
        events.wait_for("estado", 0, 10)

        # A text saved: the page is rebuilt and the open pages are told to reload.
        seen = len(events.seen)
        with (tmp_path / "2022" / "textos" / "retos.md").open("a", encoding="utf-8") as text:
            text.write("\nFrase nueva de la vista previa.\n")
        assert events.wait_for("recargar", seen)["generacion"] == 2
        assert "Frase nueva de la vista previa." in get(f"{base}/11-retos.html")[1]

        # Saved again without a change: a build that finds nothing to do, and the open pages are not reloaded.
        seen = len(events.seen)
        os.utime(tmp_path / "2022" / "textos" / "retos.md")
        events.wait_for("sin-cambios", seen)
        assert "recargar" not in [e for e, _ in events.seen[seen:]]
        assert json.loads(get(f"{base}/__informe/estado")[1])["generacion"] == 2

        # Excel's owner file of an open workbook never starts a build.
        seen = len(events.seen)
        (tmp_path / "2022" / "~$posicionamiento.xlsx").write_bytes(b"\x00owner")
        time.sleep(2)
        assert [e for e, _ in events.seen[seen:]] == []

        # A wrong value: the error names file, sheet, row and column, over the last good page (not reloaded).
        seen = len(events.seen)
        workbook = tmp_path / "2022" / "posicionamiento.xlsx"
        set_cell(workbook, "Cifras", "C5", "doce")
        message = events.wait_for("error-datos", seen)["mensaje"]
        assert "posicionamiento.xlsx, hoja «Cifras», fila 5, columna «Valor»" in message and "doce" in message
        assert "ADVERTENCIA" not in message  # the terminal lists the warnings; the page, what stops the build
        state = json.loads(get(f"{base}/__informe/estado")[1])
        assert state["error"] == message and state["generacion"] == 2
        assert "Frase nueva de la vista previa." in get(f"{base}/11-retos.html")[1]  # the last good page

        # Fixed: the error goes, the pages reload.
        seen = len(events.seen)
        set_cell(workbook, "Cifras", "C5", 57)
        assert events.wait_for("recargar", seen)["generacion"] == 3
        assert json.loads(get(f"{base}/__informe/estado")[1])["error"] is None
    finally:
        process.send_signal(signal.SIGINT)  # Ctrl-C: the complete build, with its PDF, then exit
        output, _ = process.communicate(timeout=300)
    assert process.returncode == 0, output
    out = tmp_path / "out" / "2022"
    assert (out / "informe-gestion-2022.pdf").is_file() and (out / "build-info.json").is_file()
    assert not (preview_dir(out) / "informe-gestion-2022.pdf").exists()  # the live book has no PDF
    assert not list((tmp_path / "out").glob(".*building*"))  # nothing half-published
    assert "Cambió" in output and "construyendo" in output


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 0), (signal.SIGTERM, 143)], ids=["ctrl-c", "sigterm"])
def test_a_signal_during_a_build_ends_the_preview(tmp_path, signum, code):
    """Regression: Ctrl-C during a build (the first one here) was taken by the build, and the preview went on
    waiting for changes, looking hung. Now Ctrl-C ends it with the complete build (its PDF), and SIGTERM ends it at
    once without it; neither leaves a staging folder or a kernel behind."""
    shutil.copytree(ROOT / "data" / "2022", tmp_path / "2022")
    port = free_port()
    process = start(tmp_path, port)
    try:
        state = building(f"http://127.0.0.1:{port}")
        assert state["generacion"] == 0  # still the first build
        time.sleep(1)
        process.send_signal(signum)
        output, _ = process.communicate(timeout=240)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == code, output
    assert "Vista previa terminada" in output
    out = tmp_path / "out" / "2022"
    assert (out / "informe-gestion-2022.pdf").is_file() == (signum == signal.SIGINT)
    assert not list((tmp_path / "out").glob(".*building*"))
    assert subprocess.run(["pgrep", "-f", str(tmp_path)], capture_output=True).stdout == b""  # nothing of it left


def test_a_port_in_use_exits_2(tmp_path):
    shutil.copytree(ROOT / "data" / "2022", tmp_path / "2022")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        process = start(tmp_path, port)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 2, output
    assert f"No se inicia la vista previa: no se puede usar el puerto {port}" in output
    assert "--port" in output


def test_a_missing_year_exits_2(tmp_path):
    process = start(tmp_path, free_port())  # tmp_path/2022 does not exist
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 2, output
    assert f"no existe la carpeta de datos {tmp_path / '2022'}" in output


def test_owner_lock_and_temporary_files_never_start_a_build():
    for name in ("~$inversion.xlsx", ".~lock.inversion.xlsx#", "inversion.xlsx.tmp", ".DS_Store", "Thumbs.db",
                 "retos.md~", ".retos.md.swp"):
        assert ignored(Path("data/2022") / name), name
    for name in ("inversion.xlsx", "retos.md", "2022.yml", "03-inversion.ipynb"):
        assert not ignored(Path("data/2022") / name), name


def test_a_file_being_saved_is_read_once_it_stops_changing(tmp_path):
    path = tmp_path / "retos.md"
    path.write_bytes(b"x")
    writes = []

    def save() -> None:  # a slow save: five writes 0.1 s apart
        for i in range(5):
            time.sleep(0.1)
            path.write_bytes(b"x" * (i + 2))
            writes.append(time.monotonic())

    saving = threading.Thread(target=save)
    saving.start()
    wait_until_stable([path], quiet=0.3)
    saving.join()
    assert time.monotonic() - writes[-1] >= 0.3 and path.read_bytes() == b"x" * 6


def test_a_workbook_is_read_only_once_it_is_a_complete_file(tmp_path):
    """A workbook written in two parts (its zip directory, written last, missing in between) is not read while it
    only has its first part, however long the pause between the two."""
    content = (ROOT / "data" / "2022" / "posicionamiento.xlsx").read_bytes()
    path = tmp_path / "posicionamiento.xlsx"
    path.write_bytes(content[: len(content) // 2])
    assert not complete(path) and complete(tmp_path / "retos.md")
    done = []

    def finish() -> None:
        time.sleep(0.6)  # longer than the quiet period
        path.write_bytes(content)
        done.append(time.monotonic())

    writer = threading.Thread(target=finish)
    writer.start()
    wait_until_stable([path], quiet=0.1)
    writer.join()
    assert done and complete(path) and path.read_bytes() == content


def test_a_session_keeps_its_kernels_warm_and_publishes_what_a_forced_build_publishes(tmp_path, monkeypatch):
    """The preview's builds share a Session: the same workers and fork server run every build's sections, the
    unchanged workbooks' and texts' validation comes from memory, only the edited chapters' pages are prepared
    again, the search index is made after the reload, and what it publishes is what a forced build publishes."""
    import informe.publish.downloads as downloads
    from informe.publish.pipeline import Session, build_report

    data = tmp_path / "2022"
    shutil.copytree(ROOT / "data" / "2022", data)
    out, forced = tmp_path / "out" / "2022-vista-previa", tmp_path / "forzada" / "2022"
    console = Console(file=io.StringIO(), width=300)
    session = Session()

    def session_build() -> int:
        return build_report(2022, data, out, console, root=ROOT, engine="pandoc", pdf=False, session=session)

    def info(folder: Path) -> dict:
        return json.loads((folder / "build-info.json").read_text(encoding="utf-8"))

    try:
        assert session_build() == 0
        runner = session.runner
        assert runner is not None and runner.server is not None and runner.server.process.poll() is None
        assert (out / "book" / "pagefind" / "pagefind.js").is_file() and session.unindexed is None

        sentence = "Una frase nueva que el analista acaba de escribir."
        with (data / "textos" / "retos.md").open("a", encoding="utf-8") as text:
            text.write(f"\n{sentence}\n")
        workbook = data / "posicionamiento.xlsx"
        set_cell(workbook, "Cifras", "C5", load_workbook(workbook)["Cifras"]["C5"].value + 2)
        assert session_build() == 0
        assert session.runner is runner and runner.server.process.poll() is None  # the same warm kernels' server
        ran = {Path(name).stem for name, s in info(out)["sections"].items() if s["ran"]}
        assert ran == {"01-resumen-ejecutivo", "07-posicionamiento", "14-anexo-calidad-datos", "11-retos"}
        # what the terminal announces (from notebooks/secciones.yml) is what ran
        feeds = watch_map(ROOT, ROOT / "params" / "2022.yml")
        assert sorted(s["title"] for s in info(out)["sections"].values() if s["ran"]) == sorted(
            feeds["posicionamiento.xlsx"] + feeds["textos/retos.md"])
        others = [p.name for p in data.glob("*.xlsx") if p.name != "posicionamiento.xlsx"]
        texts = [f"textos/{p.name}" for p in (data / "textos").glob("*.md") if p.name != "retos.md"]
        assert sorted(info(out)["validation_reused"]) == sorted([*others, *texts])
        assert sentence in (out / "book" / "11-retos.html").read_text(encoding="utf-8")
        assert session.unindexed == out / "book"  # the previous index is published until the new one is made
        session.index_search()
        assert session.unindexed is None and (out / "book" / "pagefind" / "pagefind.js").is_file()

        assert build_report(2022, data, forced, console, root=ROOT, engine="pandoc", pdf=False, force=True) == 0

        def pages(folder: Path) -> dict[str, bytes]:
            return {p.name: p.read_bytes() for p in (folder / "book").glob("*.html") if p.name != "colofon.html"}

        def notebooks(folder: Path) -> dict[str, bytes]:
            return {p.name: p.read_bytes() for p in (folder / "notebooks").glob("*.ipynb")}

        def tables(folder: Path) -> dict[str, bytes]:
            return {p.name: p.read_bytes() for p in (folder / "book" / "tablas").glob("*.csv")}

        def year_workbook(folder: Path) -> dict[str, list]:
            wb = load_workbook(folder / "book" / "tablas" / "informe-gestion-2022-tablas.xlsx", read_only=True)
            return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets}

        assert notebooks(out) == notebooks(forced) and pages(out) == pages(forced) and len(pages(out)) >= 16
        assert tables(out) == tables(forced) and year_workbook(out) == year_workbook(forced)

        # A text edit alone: its page again, and the year's workbook of tables copied, not written again.
        written = []
        real = downloads.write_xlsx
        monkeypatch.setattr(downloads, "write_xlsx", lambda path, tables, contents=False: written.append(
            (Path(path).name, contents)) or real(path, tables, contents))
        with (data / "textos" / "retos.md").open("a", encoding="utf-8") as text:
            text.write("\nOtra frase.\n")
        assert session_build() == 0
        assert {Path(n).stem for n, s in info(out)["sections"].items() if s["ran"]} == {"11-retos"}
        assert written == [] and year_workbook(out) == year_workbook(forced)

        # Invalid data: the build stops, the warm kernels stay; fixed, the next build is good.
        set_cell(workbook, "Cifras", "C5", "muchos")
        assert session_build() == 1
        assert session.runner is runner
        set_cell(workbook, "Cifras", "C5", 7)
        assert session_build() == 0
    finally:
        session.close()
    assert session.runner is None and runner.server is None
def test_the_page_gets_the_preview_script_and_a_failure_its_errors():
    assert inject(b"<html><body><p>x</p></body></html>").endswith(
        b'<p>x</p><script src="/__informe/vista-previa.js" defer></script></body></html>')
    output = ("Validación de /x\nERROR a.xlsx, hoja «H», fila 3, columna «C»: malo\nADVERTENCIA b.xlsx: aviso\n"
              "Construcción detenida: los datos no son válidos; /y no se modificó.\n")
    assert failure_message(output) == ("ERROR a.xlsx, hoja «H», fila 3, columna «C»: malo\n"
                                       "Construcción detenida: los datos no son válidos; /y no se modificó.")


def test_the_open_page_shows_the_error_and_reloads_when_fixed(tmp_path):
    """In a real browser: the page reloads itself after a save, a failure's message covers the last good page
    (role=alert, file, sheet, row and column), and the next good build removes it; the workbook put back as it was
    built removes it without a reload (nothing to build). No polling: one event stream."""
    require_browser()
    from browser import chromium, set_viewport

    shutil.copytree(ROOT / "data" / "2022", tmp_path / "2022")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = start(tmp_path, port)
    try:
        building(base)  # the server listens (a loaded machine may take seconds to start the preview)
        with chromium() as driver:
            set_viewport(driver, 1366)
            driver.get(f"{base}/12-administrativo.html")  # the waiting page until the first build, then the page
            wait = time.monotonic() + 180
            while time.monotonic() < wait and "Relaciones administrativas" not in driver.title:
                time.sleep(0.5)
            assert "Relaciones administrativas" in driver.title
            driver.execute_script("window.__sinRecargar = true;")
            workbook = tmp_path / "2022" / "administrativo.xlsx"
            good = workbook.read_bytes()
            set_cell(workbook, "PQRS", "B3", "treinta")
            alert = None
            for _ in range(240):
                time.sleep(0.5)
                alert = driver.execute_script(
                    "var o = document.getElementById('informe-vista-previa-error');"
                    "return o && [o.getAttribute('role'), o.innerText];")
                if alert:
                    break
            assert alert and alert[0] == "alert"
            assert "administrativo.xlsx, hoja «PQRS», fila 3, columna «Cantidad»" in alert[1]
            assert driver.execute_script("return window.__sinRecargar === true")  # the last good page, not reloaded
            # The workbook put back as it was built: nothing to build, the message goes and the page stays.
            workbook.write_bytes(good)
            for _ in range(240):
                time.sleep(0.5)
                if not driver.execute_script("return !!document.getElementById('informe-vista-previa-error')"):
                    break
            assert not driver.execute_script("return !!document.getElementById('informe-vista-previa-error')")
            assert driver.execute_script("return window.__sinRecargar === true")  # not reloaded
            set_cell(workbook, "PQRS", "B3", 27)
            for _ in range(240):
                time.sleep(0.5)
                if not driver.execute_script("return window.__sinRecargar === true"):
                    break
            assert not driver.execute_script("return window.__sinRecargar === true")  # reloaded
            assert not driver.execute_script("return !!document.getElementById('informe-vista-previa-error')")
            resources = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
            assert sum("/__informe/eventos" in r for r in resources) <= 1 and not any("estado" in r for r in resources)
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=300)
    assert process.returncode == 0, output


def test_the_pages_reload_as_soon_as_the_new_outputs_are_in_place(tmp_path):
    """The preview's reload is sent from inside publishing: the new outputs are in place, the old copy is still being
    removed (hundreds of files the reader need not wait for)."""
    from informe.publish.workspace import publish

    out, staging = tmp_path / "2022-vista-previa", tmp_path / ".staging"
    (out / "book").mkdir(parents=True)
    (out / "book" / "index.html").write_text("antes", encoding="utf-8")
    (staging / "book").mkdir(parents=True)
    (staging / "book" / "index.html").write_text("después", encoding="utf-8")
    seen = []
    publish(staging, out, lambda: seen.append(((out / "book" / "index.html").read_text(encoding="utf-8"),
                                               sorted(p.name for p in tmp_path.iterdir()))))
    assert seen == [("después", sorted([out.name, f".{out.name}.old-{os.getpid()}"]))]
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]  # then the old copy is gone


def test_the_quiet_period_counts_from_the_files_last_change(tmp_path):
    """A file that has not changed for longer than the quiet period is read at once (its quiet time since its last
    modification counts), one changed just now waits the whole period."""
    old, new = tmp_path / "retos.md", tmp_path / "nuevo.md"
    old.write_text("x", encoding="utf-8")
    os.utime(old, (time.time() - 5, time.time() - 5))
    start = time.monotonic()
    wait_until_stable([old], quiet=1.0)
    waited_old = time.monotonic() - start
    new.write_text("y", encoding="utf-8")
    start = time.monotonic()
    wait_until_stable([new], quiet=1.0)
    waited_new = time.monotonic() - start
    assert waited_old < 0.5 and waited_new >= 1.0
