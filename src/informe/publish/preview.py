"""``informe preview``: the HTML book served while the analysts write, rebuilt when one of its sources changes.

* **Serves** the live book on 127.0.0.1 only (``http.server``), from its own folder (``<out>-vista-previa``,
  HTML only): ``outputs/<year>/`` stays the last complete build.
* **Watches** ``data/<year>/`` (workbooks and texts), ``params/<year>.yml``, ``notebooks/`` and ``book/``
  (``watchfiles``: the operating system's notifications). The owner files of Excel and LibreOffice (``~$…``,
  ``.~lock…#``), temporary and hidden files never start a build, and a changed file is read only once it has
  stopped changing (a half-written save is not built).
* **Rebuilds** with the incremental build, in a :class:`~.pipeline.Session` kept for the whole preview: only the
  sections that read what changed run again, each in a fresh kernel forked at once from the session's warm
  fork server (its workers and imports kept between builds); the unchanged workbooks' and texts' validation is
  reused from memory; only the chapters whose Markdown changed are converted again and only the pages whose
  HTML changed are prepared again (:class:`~.html_book.PageCache`); no PDF.
* **Reloads** the open pages through server-sent events (``/__informe/eventos``): no polling by the reader. A
  build that fails (invalid data, a text that cites an unknown figure) shows its message over the last good
  page, in Spanish, naming file, sheet, row and column (the terminal says the same); the next good build
  removes it.
* **The PDF** is rebuilt on request (``POST /__informe/pdf``, the «PDF» button of the preview bar) and at
  exit, as a complete build of ``outputs/<year>/``; Ctrl-C during it leaves the previous outputs as they were
  (the build publishes atomically).
"""

from __future__ import annotations

import io
import json
import os
import queue
import signal
import threading
import time
import webbrowser
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from rich.console import Console
from watchfiles import Change, watch

from ..data.contract import CONTRACT
from ..data.params import ParamsError, load_params
from ..data.workbooks import is_noise
from .book import BookError
from .pipeline import Session, build_report
from .sections import ANY, SectionError, declared_sections

EVENTS = "/__informe/eventos"
STATE = "/__informe/estado"
SCRIPT = "/__informe/vista-previa.js"
PDF_REQUEST = "/__informe/pdf"
CLIENT_JS = Path(__file__).with_name("preview.js")
STABLE_FOR = 0.05  # seconds a changed file must keep its size and time before it is read (a workbook must also be
# a complete zip file: its central directory, written last, is there)…
STABLE_WITHIN = 10.0  # …waiting at most this long (then it is built anyway: the validation says what is wrong)
WATCH_STEP = 20  # milliseconds without a new change after which the watcher reports a batch (watchfiles' step)
PDF = "pdf"  # the request for the complete build, among the changed files' batches
KEEPALIVE = 15.0  # seconds between comments on an idle event stream (proxies and browsers keep it open)


INTERRUPTED, TERMINATED = 128 + signal.SIGINT, 128 + getattr(signal, "SIGTERM", 15)  # a build's exit codes


class Terminated(Exception):
    """A build of the preview received SIGTERM: the preview ends at once (exit 143), without the complete build."""


class PreviewError(RuntimeError):
    """A preview that cannot start: a port in use, a missing year, an unreadable folder (exit 2)."""


def preview_dir(out_dir: Path) -> Path:
    """Where the live (HTML-only) book is built: next to the output folder, never in it."""
    return out_dir.with_name(f"{out_dir.name}-vista-previa")


# --------------------------------------------------------------------------
# What the browser is told
# --------------------------------------------------------------------------

@dataclass
class PreviewState:
    """The last build's outcome and the open pages' event streams."""

    generation: int = 0  # how many good builds the pages have seen
    error: str | None = None  # the last build's failure, shown over the last good page
    building: bool = False
    requests: queue.Queue = field(default_factory=queue.Queue)  # the preview's work: changed files, or PDF
    _clients: list[queue.Queue] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def snapshot(self) -> dict:
        with self._lock:
            return {"generacion": self.generation, "error": self.error, "construyendo": self.building}

    def subscribe(self) -> queue.Queue:
        stream: queue.Queue = queue.Queue()
        with self._lock:
            self._clients.append(stream)
        return stream

    def unsubscribe(self, stream: queue.Queue) -> None:
        with self._lock:
            if stream in self._clients:
                self._clients.remove(stream)

    def send(self, event: str, **data) -> None:
        with self._lock:
            clients = list(self._clients)
        for stream in clients:
            stream.put((event, data))

    def started(self) -> None:
        with self._lock:
            self.building = True
        self.send("construyendo")

    def succeeded(self) -> None:
        with self._lock:
            self.building, self.error = False, None
            self.generation += 1
            generation = self.generation
        self.send("recargar", generacion=generation)

    def unchanged(self) -> None:
        """A build found nothing to do (its sources are those of the published pages: a file saved again without
        a change, or the second half of one save): the open pages are not reloaded, a failure shown is gone."""
        with self._lock:
            self.building, self.error = False, None
        self.send("sin-cambios")

    def failed(self, message: str) -> None:
        with self._lock:
            self.building, self.error = False, message
        self.send("error-datos", mensaje=message)


WAITING = ('<!DOCTYPE html><html lang="es"><head><meta charset="utf-8"><title>Vista previa del informe</title>'
           '</head><body><main><h1>Vista previa del informe</h1><p>Construyendo el libro… la página se abrirá sola '
           'cuando esté listo.</p></main></body></html>')


def inject(page: bytes) -> bytes:
    """A page of the book with the preview's script (reload and error messages) before ``</body>``."""
    tag = f'<script src="{SCRIPT}" defer></script>'.encode()
    index = page.rfind(b"</body>")
    return page[:index] + tag + page[index:] if index >= 0 else page + tag


class PreviewHandler(SimpleHTTPRequestHandler):
    """The book's files, with the preview's script in every page, its state and its event stream."""

    state: PreviewState  # set by :func:`make_server`

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's signature
        """Quiet: the terminal shows the builds, not every request."""

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")  # a reload always asks for the rebuilt page
        super().end_headers()

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        path = self.path.split("?", 1)[0]
        if path == EVENTS:
            self._events()
        elif path == STATE:
            self._send(json.dumps(self.state.snapshot(), ensure_ascii=False).encode(), "application/json")
        elif path == SCRIPT:
            self._send(CLIENT_JS.read_bytes(), "text/javascript")
        elif path.endswith("/") or path.endswith(".html"):
            target = Path(self.translate_path(path))
            target = target / "index.html" if target.is_dir() or path.endswith("/") else target
            if target.is_file():
                self._send(inject(target.read_bytes()), "text/html; charset=utf-8")
            elif self.state.snapshot()["generacion"] == 0:  # no good build yet: this page reloads after it
                self._send(inject(WAITING.encode()), "text/html; charset=utf-8")
            else:
                self.send_error(404, "Página no encontrada")
        else:
            super().do_GET()

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        if self.path.split("?", 1)[0] != PDF_REQUEST:
            self.send_error(404, "No existe")
            return
        self.state.requests.put(PDF)
        self._send(b'{"pedido": true}', "application/json", status=202)

    def _send(self, body: bytes, content_type: str, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.end_headers()
        stream = self.state.subscribe()
        try:
            self._write("estado", self.state.snapshot())
            while True:
                try:
                    event, data = stream.get(timeout=KEEPALIVE)
                except queue.Empty:
                    self.wfile.write(b": sigo aqu\xc3\xad\n\n")
                    self.wfile.flush()
                    continue
                self._write(event, data)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass  # the page was closed or reloaded
        finally:
            self.state.unsubscribe(stream)

    def _write(self, event: str, data: dict) -> None:
        self.wfile.write(f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode())
        self.wfile.flush()


def make_server(book: Path, port: int, state: PreviewState) -> ThreadingHTTPServer:
    """The preview's HTTP server on 127.0.0.1:``port`` (PreviewError when the port is taken)."""
    handler = type("Handler", (PreviewHandler,), {"state": state})
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), partial(handler, directory=str(book)))
    except OSError as exc:
        raise PreviewError(f"no se puede usar el puerto {port} de 127.0.0.1 ({exc.strerror or exc}); "
                           "elija otro con --port") from None
    server.daemon_threads = True
    return server


# --------------------------------------------------------------------------
# What is watched
# --------------------------------------------------------------------------

def failure_message(output: str) -> str:
    """What the page shows of a failed build: its errors (file, sheet, row and column) and its last line, without
    the warnings the terminal also lists."""
    lines = [line for line in output.strip().splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("ERROR")]
    return "\n".join([*errors, lines[-1]] if errors else lines)


def ignored(path: Path) -> bool:
    """Files that never start a build: the owner and lock files of Excel and LibreOffice (``~$x.xlsx``,
    ``.~lock.x.xlsx#``), temporary and hidden files, what the operating system leaves (:func:`is_noise`),
    and the tables' data the notebooks write."""
    name = path.name
    return (name.startswith(("~$", ".", "~")) or name.endswith(("~", ".tmp", ".swp", "#")) or is_noise(name)
            or "__pycache__" in path.parts or ".ipynb_checkpoints" in path.parts or "tablas" in path.parts)


def watched(root: Path, data_dir: Path, params_file: Path) -> list[Path]:
    """The folders and files whose changes rebuild the preview (those that exist)."""
    return [p for p in (data_dir, params_file, root / "notebooks", root / "book", root / "_quarto.yml",
                        root / "index.qmd") if p.exists()]


def complete(path: Path) -> bool:
    """A workbook (``.xlsx``, a zip file) whose end — the zip's central directory, written last — is there; any
    other file, or one that is gone."""
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        return True
    try:
        return zipfile.is_zipfile(path)
    except OSError:
        return not path.exists()


def watch_map(root: Path, params_file: Path) -> dict[str, list[str]]:
    """What each data file of the year feeds, from ``notebooks/secciones.yml`` and the year's chapters
    (``params/<year>.yml``): a workbook → the titles of the chapters whose section declares reading it (a section
    that reads «*», the year's checks, reads them all); ``textos/<slug>.md`` → its chapter. Empty when either
    cannot be read (the build says why). The build itself reruns what each section recorded reading."""
    try:
        params = load_params(params_file)
        sections = declared_sections(root)
    except (ParamsError, SectionError, OSError):
        return {}
    found: dict[str, list[str]] = {f"textos/{c.slug}.md": [c.title] for c in params.chapters}
    for chapter in params.chapters:
        section = sections.get(chapter.notebook) if chapter.notebook else None
        if section is None:
            continue
        for spec in CONTRACT:
            if ANY in section.reads or spec.filename in section.reads:
                found.setdefault(spec.filename, []).append(chapter.title)
    return found


def change_message(paths: Iterable[Path], root: Path, data_dir: Path, feeds: dict[str, list[str]]) -> str:
    """The terminal's line for a batch of changes: each file, and what it feeds (:func:`watch_map`)."""
    parts = []
    for path in sorted(paths):
        try:
            key = path.relative_to(data_dir).as_posix()
        except ValueError:
            key = None
        fed = feeds.get(key, []) if key else []
        parts.append(_shown(path, root) + (f" (lo leen: {', '.join(fed)})" if fed else ""))
    return f"Cambió {'; '.join(parts)}: construyendo…"


def wait_until_stable(paths: Iterable[Path], quiet: float = STABLE_FOR, within: float = STABLE_WITHIN,
                      clock: Callable[[], float] = time.monotonic) -> None:
    """Return once none of ``paths`` has changed size or time for ``quiet`` seconds and every workbook among them
    is a complete zip file (or after ``within``): a workbook still being saved is not read half-written."""
    paths = list(paths)

    def signature() -> tuple:
        out: list[tuple[str, int | None, int | None]] = []
        for path in paths:
            try:
                info = path.stat()
                out.append((str(path), info.st_size, info.st_mtime_ns))
            except OSError:
                out.append((str(path), None, None))  # being replaced (save to a temporary, then rename)
        return tuple(out)

    deadline = clock() + within
    # The quiet period counts from the files' last change: the watcher reports a batch once it has seen no new
    # change for its step, so a file saved at once is usually quiet already (never more than ``quiet`` is counted).
    last = signature()
    since = clock() - min(quiet, _unchanged_for(last))
    while clock() < deadline:
        time.sleep(min(quiet / 3, 0.05))
        now = signature()
        if now != last:
            last, since = now, clock()
        elif clock() - since >= quiet and all(complete(p) for p in paths):
            return


def _unchanged_for(signature: tuple) -> float:
    """Seconds since the newest modification time of a :func:`wait_until_stable` signature ((path, size,
    mtime_ns) per file): 0 when a file is missing or its time is in the future."""
    times = [mtime for _path, _size, mtime in signature]
    if not times or None in times:
        return 0.0
    return max(0.0, time.time() - max(times) / 1e9)


def changes(paths: list[Path], stop: threading.Event) -> Iterable[set[Path]]:
    """Batches of changed files under ``paths`` that may start a build (until ``stop`` is set)."""
    for batch in watch(*paths, stop_event=stop, debounce=200, step=WATCH_STEP, rust_timeout=500, yield_on_timeout=False,
                       watch_filter=lambda _change, name: not ignored(Path(name)), raise_interrupt=False):
        found = {Path(name) for change, name in batch if change in (Change.added, Change.modified, Change.deleted)}
        if found:
            yield found


# --------------------------------------------------------------------------
# The preview's loop
# --------------------------------------------------------------------------

@dataclass
class Preview:
    """One ``informe preview`` session: the year, where its sources are and where it builds."""

    year: int
    root: Path
    data_dir: Path
    params_file: Path
    out_dir: Path  # the complete builds (at exit and on request): outputs/<year> by default
    console: Console
    port: int = 8000
    engine: str = "auto"
    state: PreviewState = field(default_factory=PreviewState)
    session: Session = field(default_factory=Session)  # warm kernels, validation and pages between builds

    def check(self) -> None:
        """A year with data and parameters, folders that can be read: else PreviewError (exit 2)."""
        if not self.data_dir.is_dir():
            raise PreviewError(f"no existe la carpeta de datos {self.data_dir}: indique --year con un año que "
                               "tenga datos (o cree el año con informe new-year)")
        if not os.access(self.data_dir, os.R_OK | os.X_OK):
            raise PreviewError(f"no se puede leer la carpeta de datos {self.data_dir} (permiso denegado)")
        if not self.params_file.is_file():
            raise PreviewError(f"falta {self.params_file}: los parámetros del año {self.year}")

    def build(self, pdf: bool = False, final: bool = False) -> int:
        """One incremental build (the live HTML book, or with ``pdf`` the complete one); its output goes to the
        terminal, and a failure's to the open pages too. Interrupted (Ctrl-C, SIGTERM), it raises KeyboardInterrupt
        or :class:`Terminated`, but the ``final`` build (at exit), whose exit code is the preview's."""
        record = Console(record=True, file=io.StringIO(), width=400, color_system=None)  # lines unwrapped
        out = self.out_dir if pdf else preview_dir(self.out_dir)
        self.state.started()
        start = time.perf_counter()
        reloaded: list[bool] = []

        def published() -> None:  # the live book's new pages are in place: the open pages reload now
            reloaded.append(True)
            self.state.succeeded()

        self.session.on_published = None if pdf else published
        try:
            code = build_report(self.year, self.data_dir, out, record, force=False, root=self.root,
                                engine=self.engine, pdf=pdf, session=self.session)
        finally:
            self.session.on_published = None
        seconds = time.perf_counter() - start
        text = record.export_text()
        if code == 0 and not reloaded:  # nothing was published for the open pages (they reload when it is)
            if pdf:  # the complete build
                self.state.succeeded()
            else:  # nothing to do: the open pages are current
                self.state.unchanged()
        elif code not in (0, INTERRUPTED, TERMINATED):
            self.state.failed(failure_message(text) or f"la construcción terminó con el código {code}")
        self.console.print(text.rstrip(), markup=False, highlight=False, soft_wrap=True)
        # The build turned Ctrl-C or SIGTERM into its exit code (and left its outputs as they were): the preview
        # ends too, instead of waiting for the next change (it looked hung).
        if code == INTERRUPTED and not final:
            raise KeyboardInterrupt
        if code == TERMINATED and not final:
            raise Terminated
        if code == 0:
            self.console.print(f"[green]{'Informe completo construido' if pdf else 'Vista previa al día'} "
                               f"({seconds:.1f} s).[/green]")
            try:
                self.session.index_search()  # the pages have reloaded: their search index now
            except BookError as exc:
                self.console.print(f"[yellow]Aviso: {exc}[/yellow]", soft_wrap=True)
        return code

    def run(self, open_browser: bool = False) -> int:
        """Serve, build, then rebuild on every change until Ctrl-C; then the complete build (with the PDF)."""
        self.check()
        server = make_server(preview_dir(self.out_dir) / "book", self.port, self.state)  # served once built
        thread = threading.Thread(target=server.serve_forever, name="informe-preview-http", daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{self.port}/"
        stop = threading.Event()
        requests = self.state.requests
        paths = watched(self.root, self.data_dir, self.params_file)

        def watcher() -> None:
            for found in changes(paths, stop):
                requests.put(found)

        watching = threading.Thread(target=watcher, name="informe-preview-watch", daemon=True)
        try:
            self.build()
            watching.start()
            self.console.print(f"Vista previa en {url} (Ctrl-C para terminar y construir el informe completo con "
                               "su PDF).", soft_wrap=True)
            if open_browser:
                webbrowser.open(url)
            while True:
                found = requests.get()
                if found == PDF:
                    self.console.print("Construyendo el informe completo con su PDF (pedido desde el navegador)…")
                    self.build(pdf=True)
                    continue
                wait_until_stable(found)
                pdf = False
                while not requests.empty():  # several saves in a row: one build
                    more = requests.get_nowait()
                    if more == PDF:
                        pdf = True
                    else:
                        found |= more
                if pdf:
                    requests.put(PDF)  # after this build
                self.console.print(change_message(found, self.root, self.data_dir,
                                                  watch_map(self.root, self.params_file)), soft_wrap=True)
                self.build()
        except KeyboardInterrupt:
            self.console.print("\nVista previa terminada.")
        except Terminated:  # SIGTERM: end now, without the complete build
            self.session.close()
            self.console.print("\nVista previa terminada (SIGTERM): no se construyó el informe completo.")
            return TERMINATED
        finally:
            stop.set()
            server.shutdown()
            server.server_close()
        try:
            self.console.print(f"Construyendo el informe completo con su PDF en {self.out_dir}…", soft_wrap=True)
            return self.build(pdf=True, final=True)
        finally:
            self.session.close()  # the workers, their kernels and the fork server


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name
