"""`informe preview` (issue 24): the live book, rebuilt and reloaded on a save, errors over the last good page,
Excel's owner files ignored, Ctrl-C ends with the complete build; a port in use or a missing year exits 2."""

from __future__ import annotations

import json
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

from browser import require_browser
from conftest import ROOT, build_env, set_cell
from informe.publish.preview import failure_message, ignored, inject, preview_dir, wait_until_stable


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
    path = tmp_path / "libro.xlsx"
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


def test_the_page_gets_the_preview_script_and_a_failure_its_errors():
    assert inject(b"<html><body><p>x</p></body></html>").endswith(
        b'<p>x</p><script src="/__informe/vista-previa.js" defer></script></body></html>')
    output = ("Validación de /x\nERROR a.xlsx, hoja «H», fila 3, columna «C»: malo\nADVERTENCIA b.xlsx: aviso\n"
              "Construcción detenida: los datos no son válidos; /y no se modificó.\n")
    assert failure_message(output) == ("ERROR a.xlsx, hoja «H», fila 3, columna «C»: malo\n"
                                       "Construcción detenida: los datos no son válidos; /y no se modificó.")


def test_the_open_page_shows_the_error_and_reloads_when_fixed(tmp_path):
    """In a real browser: the page reloads itself after a save, a failure's message covers the last good page
    (role=alert, file, sheet, row and column), and the next good build removes it. No polling: one event stream."""
    require_browser()
    from browser import chromium, set_viewport

    shutil.copytree(ROOT / "data" / "2022", tmp_path / "2022")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = start(tmp_path, port)
    try:
        with chromium() as driver:
            set_viewport(driver, 1366)
            driver.get(f"{base}/12-administrativo.html")  # the waiting page until the first build, then the page
            wait = time.monotonic() + 180
            while time.monotonic() < wait and "Relaciones administrativas" not in driver.title:
                time.sleep(0.5)
            assert "Relaciones administrativas" in driver.title
            driver.execute_script("window.__sinRecargar = true;")
            workbook = tmp_path / "2022" / "administrativo.xlsx"
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
