"""Kernels forked from a process that has already imported what a section imports.

Every section notebook runs in a fresh Jupyter kernel, and a fresh kernel pays, before its first cell,
for starting Python and importing ipykernel, pandas, matplotlib, seaborn and the report's modules:
about 1 s of CPU per section (``benchmarks/kernel_start.py``), eight times per build on two cores.

On Linux a build starts one *fork server* (:func:`start_fork_server`) first, before it knows whether
anything must run (a build with nothing to do ends it at once): a process that imports those modules
once (:data:`PRELOAD`) and then waits on a Unix socket. A kernel is a fork of it that only runs
ipykernel's start-up (``IPKernelApp``, with the kernelspec's own arguments: the connection file,
``--HistoryManager.enabled=False``): one process per notebook as before, with its own environment,
working folder, log and session, that found the modules already imported. Importing runs no notebook
code and the server never runs a cell, so each notebook still starts from a fresh state. Measured on
2 cores: a forked kernel answers in 0.08 s, one started with Popen in 0.32 s and then spends ~0.7 s on
imports (``benchmarks/kernel_start.py``).

The server is single-threaded when it forks. It reports each kernel's exit to the worker that asked
for it, kills a kernel whose worker went away (closed its connection), and exits, killing its kernels,
when the build closes its standard input or dies.

Elsewhere (Windows, macOS, a kernelspec that is not ipykernel, ``INFORME_FORK_KERNELS=0``, a server that
could not start) kernels start as jupyter_client starts them, with ``Popen``.

This module holds the server and the worker's way to it (:class:`ForkClient`, :class:`ForkedKernel`); the
kernel provisioner that asks it for kernels is :class:`~.kernels.InformeProvisioner`. It does not import
jupyter_client: the server runs this module, and listens before it imports anything.

Protocol, one connection per kernel: the worker sends one JSON line ``{"argv", "cwd", "env", "log"}``;
the server answers ``{"pid": N}`` once forked and ``{"exit": code}`` when the kernel has ended.
"""

from __future__ import annotations

import ctypes
import gc
import json
import os
import select
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import cast

from .sections import SectionError, section_modules
from .workspace import KERNEL_DIR_PREFIX, OWNER_MARKER

MAX_IPC_PATH = 100  # sun_path holds 104 bytes on macOS, 108 on Linux; jupyter_client appends "-<n>"
FORK_ENV = "INFORME_FORK_KERNELS"  # "0": start every kernel with Popen (diagnosis, comparison)
LAUNCHER = "ipykernel_launcher"

# Imported once by the fork server (a module that fails to import is left to the kernel, as usual): the libraries
# and the report's common modules, then each declared section's module (notebooks/secciones.yml,
# :func:`preload_modules`).
PRELOAD = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.debugger",
    "pandas",
    "pyarrow.parquet",
    "matplotlib.pyplot",
    "seaborn",
    "informe.report.notebook",
    "informe.report.charts",
)


def preload_modules(root: Path | None) -> tuple[str, ...]:
    """:data:`PRELOAD`, then the modules of the sections the project at ``root`` declares (none when it declares
    none or its declaration is broken: the build reports that itself)."""
    try:
        sections = section_modules(root) if root is not None else ()
    except SectionError:
        sections = ()
    return tuple(dict.fromkeys((*PRELOAD, *sections)))


PR_SET_PDEATHSIG = 1  # prctl option (linux/prctl.h)
_PRCTL: list = []  # libc's prctl, looked up once (before the fork server forks: its kernels reuse it)


def set_parent_death_signal(signum: int) -> bool:
    """Ask Linux to send ``signum`` to this process the moment its parent dies, even by SIGKILL
    (``prctl(PR_SET_PDEATHSIG)``); False where that is not available (other systems).

    The caller checks right after that its parent is still the one it expects: a parent that died
    before the call sends nothing.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        if not _PRCTL:
            _PRCTL.append(ctypes.CDLL(None, use_errno=True).prctl)
        return _PRCTL[0](PR_SET_PDEATHSIG, int(signum), 0, 0, 0) == 0
    except (OSError, AttributeError, TypeError):
        return False


def fork_available(platform: str = sys.platform) -> bool:
    """Kernels are forked here: on Linux (where it is tested), unless ``INFORME_FORK_KERNELS=0``.

    Not on Windows (no fork) nor macOS (forking a process that has loaded system frameworks is unsafe
    there, and it has not been tried): kernels start with Popen, as before.
    """
    return os.environ.get(FORK_ENV, "1") != "0" and platform.startswith("linux") and hasattr(os, "fork")


def kernel_arguments(cmd: list[str]) -> list[str] | None:
    """The arguments of an ipykernel command line (``python -m ipykernel_launcher -f …``), else None."""
    if len(cmd) >= 3 and cmd[1] == "-m" and cmd[2] == LAUNCHER:
        return list(cmd[3:])
    return None


# --------------------------------------------------------------------------
# The worker's side
# --------------------------------------------------------------------------

class ForkServer:
    """The build's fork server: started before the data are validated, stopped with the workers."""

    def __init__(self, folder: Path, modules: tuple[str, ...] = PRELOAD):
        self.folder = Path(folder)
        self.address = str(self.folder / "fork.sock")
        with open(self.folder / "fork-server.log", "ab") as log:  # its imports' output, never the terminal
            self.process = subprocess.Popen([sys.executable, "-m", "informe.publish.forkkernel", self.address,
                                             *modules],
                                            stdin=subprocess.PIPE, stdout=log, stderr=subprocess.STDOUT,
                                            cwd=self.folder, start_new_session=True)

    @classmethod
    def start(cls, folder: Path, modules: tuple[str, ...] = PRELOAD) -> ForkServer:
        """Start a fork server with its socket (and log) in ``folder``; it listens at once, then imports
        ``modules`` before it forks anything."""
        return cls(folder, modules)

    def stop(self, now: bool = False) -> None:
        """End the server and every kernel it forked: once it has imported what it preloads (it reads its
        standard input only then), or at once (``now``: SIGTERM, even in the middle of its imports)."""
        if self.process.poll() is not None:
            return
        try:
            if now:
                self.process.terminate()  # its handler kills its kernels; before it is set, SIGTERM kills it
            if self.process.stdin is not None:  # always: started with stdin=PIPE
                self.process.stdin.close()  # EOF: the server kills its kernels and exits
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()

    def close(self, now: bool = False) -> None:
        """:meth:`stop`, then remove the server's folder (its socket and log), which the server removes
        itself only when it ends on its own terms."""
        self.stop(now)
        shutil.rmtree(self.folder, ignore_errors=True)


def start_fork_server(fork: bool | None = None, root: Path | None = None) -> ForkServer | None:
    """A fork server for this build's kernels, started now (it imports :func:`preload_modules` of the project at
    ``root`` in the background);
    None where kernels are not forked (see :func:`fork_available`; ``fork`` overrides it) or where the
    socket's path would be too long (kernels then start with Popen)."""
    if not (fork_available() if fork is None else fork):
        return None
    _kernel_environment()  # the fork server's environment is its kernels' base
    folder = make_runtime_dir(build_pid=os.getpid())
    if len(str(folder / "fork.sock").encode()) > MAX_IPC_PATH:
        shutil.rmtree(folder, ignore_errors=True)
        return None
    return ForkServer.start(folder, preload_modules(root))


def _kernel_environment() -> None:
    """Make the kernel run on this interpreter: its kernelspec first, its bin/ on PATH."""
    prefix_share = str(Path(sys.prefix) / "share" / "jupyter")
    bin_dir = str(Path(sys.executable).parent)
    # first on each path, once (it runs in the build, in every worker and for every notebook)
    if os.environ.get("JUPYTER_PATH", "").split(os.pathsep)[0] != prefix_share:
        os.environ["JUPYTER_PATH"] = os.pathsep.join(filter(None, [prefix_share, os.environ.get("JUPYTER_PATH")]))
    if os.environ.get("PATH", "").split(os.pathsep)[0] != bin_dir:
        os.environ["PATH"] = os.pathsep.join([bin_dir, os.environ.get("PATH", "")])
    os.environ.setdefault("MPLBACKEND", "Agg")
    # Several kernels run side by side on few cores with tables of a few hundred rows: one BLAS/OpenMP
    # thread each (numpy's OpenBLAS otherwise starts one per core in every kernel; measured ~0.3 s of
    # a cold build's execution on 2 cores).
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    _font_cache_folder()


def _font_cache_folder() -> None:
    """Keep matplotlib's font cache across kernels and builds.

    matplotlib caches its font list in ``~/.cache/matplotlib``; where that cannot be written (a read-only
    or missing home, as on some CI runners) it would rebuild the list in a new temporary folder in every
    kernel. Then a folder kept in the system's temporary directory is used instead.
    """
    if os.environ.get("MPLCONFIGDIR"):
        return
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "matplotlib"
    try:
        cache.mkdir(parents=True, exist_ok=True)
        probe = cache / f".informe-probe-{os.getpid()}"
        probe.write_text("", encoding="utf-8")
        probe.unlink()
    except OSError:
        fallback = Path(tempfile.gettempdir()) / "informe-matplotlib"
        fallback.mkdir(exist_ok=True)
        os.environ["MPLCONFIGDIR"] = str(fallback)


def make_runtime_dir(build_pid: int | None = None) -> Path:
    """A private folder for one kernel's connection file and sockets, marked as ours with the owner pids."""
    folder = Path(tempfile.mkdtemp(prefix=KERNEL_DIR_PREFIX))
    owner = {"pid": os.getpid(), "build_pid": build_pid or os.getppid()}
    (folder / OWNER_MARKER).write_text(json.dumps(owner), encoding="utf-8")
    return folder


class ForkClient:
    """How a worker asks the fork server at ``address`` for a kernel."""

    def __init__(self, address: str):
        self.address = address

    def fork(self, arguments: list[str], cwd: str | None, env: dict[str, str], log: str | None,
             timeout: float = 60, start_wait: float = 5) -> ForkedKernel:
        """A kernel forked with ``arguments``; raises OSError when the server cannot be reached.

        The server listens before it imports anything, so a socket still missing after ``start_wait``
        seconds, or refusing connections, means there is no server (the caller then starts the kernel
        with Popen); a request waits for the server's imports up to ``timeout``.
        """
        deadline = time.monotonic() + timeout
        appear = time.monotonic() + start_wait
        while True:
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                conn.connect(self.address)
                break
            except FileNotFoundError:  # the server process may still be starting
                conn.close()
                if time.monotonic() > appear:
                    raise OSError(f"el servidor de kernels ({self.address}) no está escuchando") from None
                time.sleep(0.02)
            except OSError as exc:  # refused (it died), or an address the system cannot use
                conn.close()
                raise OSError(f"el servidor de kernels ({self.address}) no responde: {exc}") from None
        kernel = ForkedKernel(conn)
        conn.sendall(json.dumps({"argv": arguments, "cwd": cwd, "env": env, "log": log}).encode() + b"\n")
        line = kernel.read_line(max(1.0, deadline - time.monotonic()))
        if not line:
            conn.close()
            raise OSError("el servidor de kernels no creó el kernel")
        kernel.pid = int(json.loads(line)["pid"])
        return kernel


_CLIENT: list[ForkClient] = []  # this worker's way to its build's fork server (none: Popen kernels)


def use_fork_server(address: str | None) -> None:
    """Fork this process's kernels from the server at ``address`` (None: start them with Popen)."""
    _CLIENT[:] = [ForkClient(address)] if address else []


def fork_client() -> ForkClient | None:
    return _CLIENT[0] if _CLIENT else None


class ForkedKernel:
    """The part of :class:`subprocess.Popen` that a jupyter_client provisioner uses, for a forked kernel
    (:class:`~.kernels.InformeProvisioner`).

    Its exit code arrives from the fork server on the kernel's connection (the kernel is the server's
    child, not this worker's).
    """

    stdin = stdout = stderr = None

    def __init__(self, conn: socket.socket):
        self._conn = conn
        self._buffer = b""
        self.pid = 0
        self.returncode: int | None = None

    def read_line(self, timeout: float | None) -> bytes | None:
        """The next line from the server; None when none came within ``timeout``; b"" when it closed."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self._buffer:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([self._conn], [], [], wait)
            if not ready:
                return None
            try:
                chunk = self._conn.recv(4096)
            except OSError:
                chunk = b""
            if not chunk:
                return b""
            self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line

    def _read_exit(self, timeout: float | None) -> None:
        if self.returncode is not None:
            return
        line = self.read_line(timeout)
        if line is None:
            return
        try:
            self.returncode = int(json.loads(line)["exit"]) if line else -signal.SIGKILL
        except (ValueError, KeyError, TypeError):
            self.returncode = -signal.SIGKILL
        self._conn.close()

    def poll(self) -> int | None:
        self._read_exit(0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int | None:
        self._read_exit(timeout)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.returncode is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


# --------------------------------------------------------------------------
# The server's side (``python -m informe.publish.forkkernel <socket>``)
# --------------------------------------------------------------------------

def _kernel_child(request: dict, server_pid: int) -> None:
    """In the forked child: become the kernel (never returns).

    The kernel dies with the fork server at once, even when the server (or the whole build) is killed
    with SIGKILL: ``PR_SET_PDEATHSIG`` with SIGKILL (a kernel has nothing to save; ipykernel's own watch
    of its parent only looks once a second).
    """
    try:
        set_parent_death_signal(signal.SIGKILL)
        if os.getppid() != server_pid:  # the server died between the fork and the prctl
            os._exit(1)
        os.setsid()
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)  # not the server's stdin: only the worker's exit may close that
        os.close(null)
        if request.get("log"):
            fd = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            os.close(fd)
        if request.get("cwd"):
            os.chdir(request["cwd"])
            sys.path.insert(0, request["cwd"])  # as ``python -m ipykernel_launcher`` started there
        os.environ.clear()
        os.environ.update(request["env"])
        for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, signal.SIG_DFL)
        signal.set_wakeup_fd(-1)
        from ipykernel.kernelapp import IPKernelApp

        sys.argv = [sys.executable, "-m", LAUNCHER, *request["argv"]]
        # IPKernelApp reads these two variables when it is imported (here: by the server, without them).
        # With a parent it watches for its orphaning (the server died: it exits) and prints no banner.
        env = request["env"]
        IPKernelApp.launch_instance(argv=request["argv"], parent_handle=int(env.get("JPY_PARENT_PID") or 0),
                                    interrupt=int(env.get("JPY_INTERRUPT_EVENT") or 0))
    except BaseException:  # noqa: BLE001 - the kernel's log says why; the worker sees it die
        traceback.print_exc()
        os._exit(1)
    os._exit(0)


def _kill(pid: int) -> None:
    """Kill a kernel and its process group (it may not have called setsid() yet)."""
    for kill in (os.killpg, os.kill):
        try:
            kill(pid, signal.SIGKILL)
        except OSError:
            pass


def _remove_folder(folder: Path) -> None:
    """Remove the server's runtime folder when the build could not (it was killed): only a folder the
    build made for it (``informe-kernel-*`` with its owner marker)."""
    if folder.name.startswith(KERNEL_DIR_PREFIX) and (folder / OWNER_MARKER).is_file():
        shutil.rmtree(folder, ignore_errors=True)


def serve(address: str, modules: tuple[str, ...] = PRELOAD) -> None:
    """Import ``modules``, then fork a kernel per request until stdin closes (the worker exited)."""
    build_pid = os.getppid()
    # SIGTERM when the build dies, even by SIGKILL: the handler below kills the kernels and removes the folder.
    set_parent_death_signal(signal.SIGTERM)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(address)  # before the imports: workers may connect at once, and wait in the backlog
    listener.listen(16)
    kernels: dict[int, socket.socket] = {}

    def kill_all(*_args) -> None:
        for pid in list(kernels):
            _kill(pid)
        _remove_folder(Path(address).parent)
        os._exit(0)

    signal.signal(signal.SIGTERM, kill_all)  # the build ended or died (PR_SET_PDEATHSIG), even mid-import
    if os.getppid() != build_pid or build_pid == 1:  # the build died before the death signal was set
        kill_all()
    here = os.getcwd()
    sys.path[:] = [p for p in sys.path if p not in ("", here)]  # the server's folder is not the kernels'
    for name in modules:
        try:
            __import__(name)
        except Exception:  # noqa: BLE001 - the kernel imports it itself (and reports a real error)
            pass
    try:  # fonts loaded and drawing code warmed up for the kernels' charts (no pyplot state is touched)
        sys.modules["informe.report.charts"].warm_up()
    except Exception:  # noqa: BLE001 - a kernel's first chart pays for it, as without a server
        pass
    gc.freeze()  # the imported modules' objects: never collected again in the server or its kernels
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "accept")
    selector.register(wake_r, selectors.EVENT_READ, "child")
    selector.register(sys.stdin.fileno(), selectors.EVENT_READ, "parent")
    while True:
        for key, _ in selector.select():
            if key.data == "parent":
                if not os.read(sys.stdin.fileno(), 1024):
                    kill_all()
            elif key.data == "child":
                try:
                    os.read(wake_r, 4096)
                except BlockingIOError:
                    pass
                while kernels:
                    try:
                        pid, status = os.waitpid(-1, os.WNOHANG)
                    except ChildProcessError:
                        break
                    if pid == 0:
                        break
                    conn = kernels.pop(pid, None)
                    if conn is not None:
                        try:
                            selector.unregister(conn)
                            conn.sendall(json.dumps({"exit": os.waitstatus_to_exitcode(status)}).encode() + b"\n")
                        except (OSError, KeyError, ValueError):
                            pass
                        conn.close()
            elif key.data == "accept":
                conn, _ = listener.accept()
                conn.settimeout(10)
                try:
                    request = json.loads(conn.makefile("rb").readline())
                except (OSError, ValueError):
                    conn.close()
                    continue
                server_pid = os.getpid()
                pid = os.fork()
                if pid == 0:
                    selector.close()
                    listener.close()
                    conn.close()
                    for other in kernels.values():
                        other.close()
                    _kernel_child(request, server_pid)
                kernels[pid] = conn
                conn.sendall(json.dumps({"pid": pid}).encode() + b"\n")
                conn.setblocking(False)
                selector.register(conn, selectors.EVENT_READ, ("kernel", pid))
            else:  # the worker closed a kernel's connection: it no longer wants that kernel
                pid = key.data[1]
                try:
                    data = cast(socket.socket, key.fileobj).recv(1024)  # registered with ("kernel", pid)
                except OSError:
                    data = b""
                if not data:
                    selector.unregister(key.fileobj)
                    _kill(pid)


if __name__ == "__main__":
    serve(sys.argv[1], tuple(sys.argv[2:]) or PRELOAD)
