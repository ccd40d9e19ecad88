"""Parallel papermill execution is reliable (papermill #239/#511 port races) on every transport; kernels start,
answer and stop through informe's public jupyter_client hooks (informe.publish.kernels), tested with real kernels."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.manager import AsyncKernelManager

from conftest import ROOT, probe_notebook
from informe.publish.execute import run_notebooks, section_title, strip_notebook_metadata
from informe.publish.kernels import InformeKernelManager, kernel_address, kernel_transport


def tiny_notebook(path, i):
    probe_notebook(Path(path), "print('resultado', value * 2)", heading=f"# Sección {i}")


def outputs(path) -> str:
    return "".join(o.get("text", "") for c in nbformat.read(path, 4).cells for o in c.get("outputs", []))


@pytest.mark.parametrize("platform, ipc, expected", [
    ("linux", True, "ipc"), ("darwin", True, "ipc"), ("win32", True, "tcp"), ("win32", False, "tcp"),
    ("linux", False, "tcp"), ("freebsd14", True, "ipc"),
])
def test_transport_by_platform(platform, ipc, expected):
    assert kernel_transport(platform, ipc_available=ipc) == expected


def test_this_machine_uses_ipc():
    import zmq

    assert kernel_transport() == ("ipc" if zmq.has("ipc") else "tcp")


async def _start(km, **kw):
    await km.start_kernel(extra_arguments=["--HistoryManager.enabled=False"], **kw)
    kc = km.client()
    kc.start_channels()
    await kc.wait_for_ready(timeout=60)
    return kc


async def _answer(kc, code="print(6 * 7)") -> str:
    texts = []
    reply = await kc.execute_interactive(code, timeout=60,
                                         output_hook=lambda m: texts.append(m["content"].get("text", "")))
    assert reply["content"]["status"] == "ok"
    return "".join(texts)


async def _stop(km, kc) -> None:
    kc.stop_channels()
    await km.shutdown_kernel(now=True)


def test_kernel_addresses_are_unique_ipc_paths_in_the_runtime_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("INFORME_KERNEL_TRANSPORT", raising=False)
    (t1, a), (t2, b) = kernel_address(str(tmp_path)), kernel_address(str(tmp_path))
    assert t1 == t2 == "ipc" and a != b and a.startswith(str(tmp_path))
    assert kernel_address(str(tmp_path / ("x" * 120))) == ("tcp", None)  # too long a socket path to bind
    monkeypatch.setenv("INFORME_KERNEL_TRANSPORT", "tcp")
    assert kernel_address(str(tmp_path)) == ("tcp", None)


@pytest.mark.parametrize("transport", ["ipc", "tcp"])
def test_kernels_started_together_get_distinct_addresses(tmp_path, monkeypatch, transport):
    """Two kernels started at once in one folder: each its own socket path in the runtime folder (jupyter_client's
    default, "kernel-ipc" in the working folder, is shared), or, on TCP, its own ports (the second start waits for
    the port lock without blocking the first), and both answer."""
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))
    monkeypatch.setenv("INFORME_KERNEL_TRANSPORT", transport)

    async def scenario():
        managers = [InformeKernelManager(kernel_name="python3") for _ in range(2)]
        clients = await asyncio.gather(*(_start(km, cwd=str(tmp_path)) for km in managers))
        try:
            answers = [await _answer(kc) for kc in clients]
            return [km.get_connection_info() for km in managers], answers
        finally:
            for km, kc in zip(managers, clients):
                await _stop(km, kc)

    infos, answers = asyncio.run(asyncio.wait_for(scenario(), 90))
    assert answers == ["42\n", "42\n"]
    assert [info["transport"] for info in infos] == [transport, transport]
    if transport == "ipc":
        assert infos[0]["ip"] != infos[1]["ip"] and all(info["ip"].startswith(str(tmp_path)) for info in infos)
    else:
        ports = [info[key] for info in infos for key in ("shell_port", "iopub_port", "stdin_port", "control_port",
                                                         "hb_port")]
        assert len(set(ports)) == 10


@pytest.mark.parametrize("why", ["INFORME_KERNEL_TRANSPORT=tcp", "socket path too long"])
def test_tcp_kernels_really_use_tcp(tmp_path, monkeypatch, why):
    """The Windows route (and the fallback for a runtime folder too deep for a socket path): a real kernel on
    TCP, on the loopback address."""
    if why.startswith("INFORME"):
        monkeypatch.setenv("INFORME_KERNEL_TRANSPORT", "tcp")
        runtime = tmp_path
    else:
        monkeypatch.delenv("INFORME_KERNEL_TRANSPORT", raising=False)
        runtime = tmp_path / ("x" * 120)
        runtime.mkdir()
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(runtime))

    async def scenario():
        km = InformeKernelManager(kernel_name="python3")
        kc = await _start(km)
        try:
            return km.get_connection_info(), await _answer(kc)
        finally:
            await _stop(km, kc)

    info, answer = asyncio.run(scenario())
    assert answer == "42\n"
    assert info["transport"] == "tcp" and info["ip"] in ("127.0.0.1", "localhost")


def make_notebooks(tmp_path, n=8) -> list[Path]:
    sources = []
    for i in range(n):
        path = tmp_path / f"{i:02d}-tiny.ipynb"
        tiny_notebook(path, i)
        sources.append(path)
    return sources


def test_many_notebooks_in_parallel_all_succeed(tmp_path):
    sources = make_notebooks(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    for round_ in range(2):
        results = run_notebooks(sources, out, {"value": 21 + round_}, tmp_path, jobs=max(4, os.cpu_count() or 1))
        assert [r.ok for r in results] == [True] * 8, [r.error for r in results]
        for r in results:
            assert f"resultado {2 * (21 + round_)}" in outputs(r.output)


def test_tcp_kernels_start_in_parallel_without_port_races(tmp_path, monkeypatch):
    """The Windows route, run here: TCP kernels, start-ups serialized under a lock until the ports are bound."""
    monkeypatch.setenv("INFORME_KERNEL_TRANSPORT", "tcp")
    sources = make_notebooks(tmp_path, 6)
    out = tmp_path / "out"
    out.mkdir()
    results = run_notebooks(sources, out, {"value": 5}, tmp_path, jobs=3,
                            env=lambda src: {"INFORME_KERNEL_TRANSPORT": "tcp"})
    assert [r.ok for r in results] == [True] * 6, [r.error for r in results]
    assert all("resultado 10" in outputs(r.output) for r in results)


@pytest.mark.parametrize("now", [False, True])
@pytest.mark.parametrize("base, interrupted", [(InformeKernelManager, False), (AsyncKernelManager, True)])
def test_kernel_shutdown_does_not_interrupt_the_kernel(tmp_path, monkeypatch, base, interrupted, now):
    """jupyter_client interrupts (SIGINT) a kernel before shutting it down; when the kernel is still in a
    message handler that printed ``[IPKernelApp] ERROR | KeyboardInterrupt caught in kernel.`` in every
    build (issue 13). informe's provisioner drops that interrupt, for a polite shutdown and for papermill's
    ``shutdown_kernel="immediate"`` (``now``); jupyter_client's own manager, the control case, sends it.
    The signals are recorded where they leave for the kernel's process group (``os.killpg``)."""
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))
    sent = []
    killpg = os.killpg

    def spy(pgid, signum):
        sent.append(signum)
        killpg(pgid, signum)

    monkeypatch.setattr(os, "killpg", spy)

    async def scenario():
        km = base(kernel_name="python3")
        kc = await _start(km)
        assert await _answer(kc, "x = 1") == ""
        kc.stop_channels()
        await km.shutdown_kernel(now=now)
        assert not await km.is_alive()

    asyncio.run(scenario())
    assert (signal.SIGINT in sent) == interrupted
    assert (signal.SIGKILL in sent) == now  # the kill itself still reaches the kernel


def test_explicit_interrupts_still_reach_the_kernel(tmp_path, monkeypatch):
    """A cell timeout interrupts the kernel: that must keep working."""
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))

    async def scenario():
        km = InformeKernelManager(kernel_name="python3")
        await km.start_kernel()
        kc = km.client()
        kc.start_channels()
        await kc.wait_for_ready(timeout=60)
        msg_id = kc.execute("import time; time.sleep(60)")
        await asyncio.sleep(1.0)
        await km.interrupt_kernel()
        reply = await kc.get_shell_msg(timeout=30)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = await kc.get_shell_msg(timeout=30)
        kc.stop_channels()
        await km.shutdown_kernel(now=True)
        return reply["content"]

    content = asyncio.run(scenario())
    assert content["status"] == "error" and content["ename"] == "KeyboardInterrupt"


def test_section_title(tmp_path):
    path = tmp_path / "x.ipynb"
    tiny_notebook(path, 7)
    assert section_title(path) == "Sección 7"


def test_volatile_metadata_is_stripped(tmp_path):
    path = tmp_path / "n.ipynb"
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("year = 2022")
    cell.metadata["tags"] = ["injected-parameters"]
    cell.metadata["papermill"] = {"duration": 0.1, "start_time": "2026-11-22T03:00:00"}
    cell["id"] = "a1b2c3d4"
    nb.cells = [cell]
    nb.metadata["papermill"] = {"start_time": "x", "end_time": "y", "duration": 1.0, "input_path": "/abs/in.ipynb",
                                "parameters": {"year": 2022}}
    nbformat.write(nb, path)
    executed = nbformat.read(path, as_version=4)
    strip_notebook_metadata(executed)
    nbformat.write(executed, path)
    clean = nbformat.read(path, as_version=4)
    assert clean.metadata["papermill"] == {"parameters": {"year": 2022}}
    assert clean.cells[0]["id"] == "injected-parameters" and "papermill" not in clean.cells[0].metadata


@pytest.mark.parametrize("fork", ["1", "0"])
def test_kernel_output_stays_out_of_the_terminal(tmp_path, fork):
    """Regression: a kernel's own stderr (its start-up tracebacks when a build is interrupted while it
    binds its sockets) reached the analyst's terminal. It now goes to a log in the worker's runtime folder,
    for kernels forked from the fork server (whose own imports' output goes to its log) and Popen ones."""
    import subprocess
    import sys

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("import os\nos.write(2, b'ruido-del-kernel\\n')\nprint('ok')")]
    nbformat.write(nb, tmp_path / "ruido.ipynb")
    (tmp_path / "out").mkdir()
    code = ("from pathlib import Path; from informe.publish.execute import run_notebooks; "
            f"r = run_notebooks([Path({str(tmp_path / 'ruido.ipynb')!r})], Path({str(tmp_path / 'out')!r}), {{}}, "
            f"Path({str(tmp_path)!r}), jobs=1); print('ERROR' if r[0].error else 'HECHO', r[0].error)")
    env = {**{k: v for k, v in os.environ.items() if k != "INFORME_DEBUG"}, "INFORME_FORK_KERNELS": fork}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert "HECHO" in proc.stdout, proc.stdout + proc.stderr
    assert "ok" in outputs(tmp_path / "out" / "ruido.ipynb")
    assert "ruido-del-kernel" not in proc.stdout + proc.stderr


def test_finished_kernel_is_killed_at_once(tmp_path):
    """Regression (issue 12): after the last cell papermill asked the kernel to shut down politely, and
    ipykernel often ran into jupyter_client's 2.5 s grace period (2.6 s of a 6.1 s section). The kernel
    holds nothing to save, so it is killed at once: its exit handlers never run."""
    from informe.publish.execute import run_notebook

    marker = tmp_path / "salida-ordenada.txt"
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell("value = 0")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(
        f"import atexit\natexit.register(lambda: open({str(marker)!r}, 'w').write('x'))\nprint('valor', value)")]
    nbformat.write(nb, tmp_path / "n.ipynb")
    result = run_notebook(tmp_path / "n.ipynb", tmp_path / "out.ipynb", {"value": 21}, tmp_path)
    assert result.ok, result.error
    assert "valor 21" in outputs(tmp_path / "out.ipynb")
    assert not marker.exists()
    # written once, already without papermill's timestamps and absolute paths
    written = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert set(written.metadata["papermill"]) <= {"parameters", "environment_variables", "version",
                                                  "default_parameters"}
    injected = [c for c in written.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert [c["id"] for c in injected] == ["injected-parameters"]
    assert all("papermill" not in c.metadata and "execution" not in c.metadata for c in written.cells)


def test_build_processes_skip_the_uri_grammar_import(tmp_path):
    """Regression (issue 12): jsonschema compiled rfc3987_syntax's Lark grammars (≈1 s) in the build
    process and in every worker, for URI format checks nbformat never makes."""
    import subprocess
    import sys

    tiny_notebook(tmp_path / "x.ipynb", 3)
    code = ("import sys; from pathlib import Path; import informe.publish.execute as ex; "
            f"title = ex.section_title(Path({str(tmp_path / 'x.ipynb')!r})); "
            "before = 'nbformat' in sys.modules; "
            "import nbformat, jsonschema; "
            f"nbformat.validate(nbformat.read({str(tmp_path / 'x.ipynb')!r}, 4)); "
            "print(title, before, sys.modules.get('rfc3987_syntax'))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.stdout.split() == ["Sección", "3", "False", "None"], proc.stdout + proc.stderr


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux only")
def test_workers_share_papermill_with_the_build_that_passed_its_fork_server():
    """Regression: papermill was imported before the workers fork only when the runner started its own fork
    server; given the build's (as every build does), each worker imported it again (≈0,7 s of CPU each)."""
    import subprocess

    code = ("import sys, multiprocessing as mp; from pathlib import Path; "
            "from informe.publish.execute import NotebookRunner; "
            "from informe.publish.forkkernel import start_fork_server; "
            "server = start_fork_server(root=Path('.')); "
            "runner = NotebookRunner(1, server=server); "
            "print(mp.get_start_method(), server is not None, 'papermill' in sys.modules); runner.close()")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.stdout.split() == ["fork", "True", "True"], proc.stdout + proc.stderr


def _probe_notebook(folder: Path) -> Path:
    """A notebook that prints where and how its kernel runs."""
    source = probe_notebook(folder / "n.ipynb",
                            "import os, sys, json\nimport ayuda\n"
                            "from ipykernel.kernelapp import IPKernelApp\n"
                            "print(json.dumps([os.getcwd(), os.environ.get('INFORME_PRUEBA'), value + ayuda.VALOR,"
                            " 'informe.report.notebook' in sys.modules, os.getpid(), os.getppid(), os.getsid(0),"
                            " IPKernelApp.instance().parent_handle]))")
    (folder / "ayuda.py").write_text("VALOR = 100\n", encoding="utf-8")  # a module next to the notebook
    return source


@pytest.mark.parametrize("fork", [True, False])
def test_forked_kernel_runs_the_notebook_as_a_fresh_one(tmp_path, fork):
    """Issue 12: kernels are forked from a server that imported the report's modules once. The notebook
    runs in its own folder with its own environment, in its own session, counts its cells from 1, and its
    output is what a kernel started with Popen gives."""
    import json as _json

    from informe.publish.execute import NotebookRunner

    source = _probe_notebook(tmp_path / "cuadernos")
    with NotebookRunner(1, fork=fork) as runner:
        server_pid = runner.server.process.pid if runner.server else None
        meanwhile = []  # what the build does while the notebooks run (it copies the reused ones)
        results = runner.run([source], tmp_path, {"value": 5}, source.parent,
                             env=lambda _src: {"INFORME_PRUEBA": "sí"},
                             meanwhile=lambda: meanwhile.append((tmp_path / "n.ipynb").exists()))
    assert results[0].ok, results[0].error
    assert meanwhile == [False]  # called once, before the notebook was written
    cwd, variable, value, preloaded, pid, parent, session, handle = _json.loads(outputs(tmp_path / "n.ipynb"))
    assert handle not in (0, pid)  # the worker that asked for it, as jupyter_client gives a Popen kernel
    assert (Path(cwd), variable, value) == (source.parent, "sí", 105)
    assert preloaded is fork  # a forked kernel found the report's modules imported
    assert session == pid  # its own session: the build kills it with its process group
    assert (parent == server_pid) is fork
    executed = nbformat.read(tmp_path / "n.ipynb", as_version=4)
    assert [c.execution_count for c in executed.cells if c.cell_type == "code"] == [1, 2, 3]
    assert not psutil_alive(pid) and (server_pid is None or not psutil_alive(server_pid))


@pytest.mark.parametrize("platform, setting, expected", [
    ("linux", None, True), ("linux", "0", False), ("darwin", None, False), ("win32", None, False)])
def test_kernels_are_forked_only_on_linux(monkeypatch, platform, setting, expected):
    from informe.publish.forkkernel import FORK_ENV, fork_available

    if setting is None:
        monkeypatch.delenv(FORK_ENV, raising=False)
    else:
        monkeypatch.setenv(FORK_ENV, setting)
    assert fork_available(platform) is expected


def psutil_alive(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_fork_server_kills_a_kernel_its_worker_let_go_and_all_of_them_when_stopped(tmp_path):
    """A kernel whose connection closes (its worker ended) is killed; stopping the server kills the rest."""
    import time as _time

    from informe.publish.execute import make_runtime_dir
    from informe.publish.forkkernel import ForkClient, ForkServer

    server = ForkServer.start(make_runtime_dir())
    try:
        client = ForkClient(server.address)
        args = ["-f", str(tmp_path / "k1.json"), "--HistoryManager.enabled=False"]
        first = client.fork(args, str(tmp_path), {"PATH": "/usr/bin:/bin"}, str(tmp_path / "k1.log"))
        second = client.fork([*args[:1], str(tmp_path / "k2.json"), args[2]], str(tmp_path),
                             {"PATH": "/usr/bin:/bin"}, str(tmp_path / "k2.log"))
        assert first.poll() is None and second.poll() is None and psutil_alive(first.pid)
        first._conn.close()  # the worker let go of it
        deadline = _time.monotonic() + 20
        while psutil_alive(first.pid) and _time.monotonic() < deadline:
            _time.sleep(0.05)
        assert not psutil_alive(first.pid) and psutil_alive(second.pid)
    finally:
        server.stop()
    assert server.process.poll() is not None
    deadline = _time.monotonic() + 20
    while psutil_alive(second.pid) and _time.monotonic() < deadline:
        _time.sleep(0.05)
    assert not psutil_alive(second.pid)


def test_fork_server_stopped_at_once_while_it_imports(tmp_path):
    """Issue 12: the build starts the fork server before it knows whether anything must run; a build with
    nothing to do stops it in the middle of its imports (SIGTERM), not after them, and its folder goes."""
    import shutil

    from informe.publish.forkkernel import start_fork_server

    server = start_fork_server(fork=True)
    assert server is not None
    server.stop(now=True)
    assert server.process.poll() is not None
    assert not (server.folder / "fork-server.log").read_text(encoding="utf-8").strip()  # no traceback
    server.stop(now=True)  # stopping again (the runner already did) does nothing
    shutil.rmtree(server.folder, ignore_errors=True)


def test_kernels_start_with_popen_when_the_fork_server_is_gone(tmp_path):
    """A fork server that died (or never started) does not stop the build: kernels start with Popen."""
    import json as _json

    from informe.publish.execute import NotebookRunner

    source = _probe_notebook(tmp_path / "cuadernos")
    with NotebookRunner(1, fork=True) as runner:
        runner.server.process.kill()
        runner.server.process.wait()
        results = runner.run([source], tmp_path, {"value": 1}, source.parent, env=lambda _src: {})
    assert results[0].ok, results[0].error
    cwd, _variable, value, preloaded, *_ = _json.loads(outputs(tmp_path / "n.ipynb"))
    assert (Path(cwd), value, preloaded) == (source.parent, 101, False)


@pytest.mark.parametrize("transport", ["ipc", "tcp"])
@pytest.mark.parametrize("fork", [True, False])
def test_kernel_is_listening_when_its_start_returns(tmp_path, monkeypatch, fork, transport):
    """A client that connects before the kernel listens loses its first IOPub messages (and waits for them):
    a kernel's start returns once its sockets exist (IPC) or accept connections (TCP, whose start-up lock is
    released only then), whether it was forked from the fork server or started with Popen."""
    import asyncio
    import socket

    from informe.publish.execute import KERNEL_ARGUMENTS, _kernel_environment, make_runtime_dir
    from informe.publish.forkkernel import ForkServer, use_fork_server

    _kernel_environment()
    monkeypatch.setenv("INFORME_KERNEL_TRANSPORT", transport)
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))
    server = ForkServer.start(make_runtime_dir()) if fork else None
    use_fork_server(server.address if server else None)

    def listening(info, key) -> bool:
        if info["transport"] == "ipc":
            return os.path.exists(f"{info['ip']}-{info[key]}")
        with socket.socket() as probe:
            return probe.connect_ex((info["ip"], info[key])) == 0

    async def scenario() -> tuple[str, list[bool], int]:
        km = InformeKernelManager(kernel_name="python3")
        await km.start_kernel(extra_arguments=KERNEL_ARGUMENTS)
        try:
            info = km.get_connection_info()
            keys = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")
            return info["transport"], [listening(info, k) for k in keys], km.provisioner.pid
        finally:
            await km.shutdown_kernel(now=True)

    try:
        used, ready, pid = asyncio.run(scenario())
        assert (used, ready) == (transport, [True] * 5)
        if server is not None:  # really forked: the fork server's child
            assert pid not in (0, os.getpid())
    finally:
        use_fork_server(None)
        if server is not None:
            server.close()


def test_tcp_start_holds_the_port_lock_until_the_kernel_listens(tmp_path, monkeypatch):
    """Ports are picked free, released, and bound by the kernel later: the lock shared by every worker is held
    from before jupyter_client picks them until the kernel listens, and free again once the start returns."""
    from filelock import FileLock, Timeout

    from informe.publish.kernels import InformeProvisioner, port_lock_path

    monkeypatch.setenv("INFORME_KERNEL_TRANSPORT", "tcp")
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))

    def held() -> bool:
        probe = FileLock(str(port_lock_path()))
        try:
            probe.acquire(timeout=0)
        except Timeout:
            return True
        probe.release()
        return False

    seen = []
    until_listening = InformeProvisioner.until_listening

    async def spy(self, *args, **kwargs):
        seen.append(("ports picked", bool(self.connection_info.get("shell_port")), held()))
        await until_listening(self, *args, **kwargs)
        seen.append(("listening", True, held()))

    monkeypatch.setattr(InformeProvisioner, "until_listening", spy)

    async def scenario():
        km = InformeKernelManager(kernel_name="python3")
        kc = await _start(km)
        try:
            return held(), await _answer(kc)
        finally:
            await _stop(km, kc)

    assert not held()
    after_start, answer = asyncio.run(scenario())
    assert answer == "42\n"
    assert seen == [("ports picked", True, True), ("listening", True, True)]
    assert not after_start and not held()


@pytest.mark.parametrize("step", ["pre_launch", "launch_kernel"])
def test_tcp_port_lock_is_released_when_a_start_fails(tmp_path, monkeypatch, step):
    """A start-up that fails (picking ports, launching the kernel) must not leave the lock held: every later TCP
    start-up, in every worker, would wait two minutes for it."""
    from filelock import FileLock
    from jupyter_client.provisioning import LocalProvisioner

    from informe.publish.kernels import port_lock_path

    monkeypatch.setenv("INFORME_KERNEL_TRANSPORT", "tcp")
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))

    async def fail(self, *args, **kwargs):
        raise OSError(f"{step} falló")

    monkeypatch.setattr(LocalProvisioner, step, fail)

    async def scenario():
        km = InformeKernelManager(kernel_name="python3")
        with pytest.raises(OSError, match=step):
            await km.start_kernel(extra_arguments=["--HistoryManager.enabled=False"])

    asyncio.run(scenario())
    probe = FileLock(str(port_lock_path()))
    probe.acquire(timeout=0)  # raises Timeout when the failed start still holds it
    probe.release()


def test_kernel_client_waits_for_iopub_briefly(tmp_path, monkeypatch):
    """jupyter_client drained IOPub until 0.2 s of silence at every kernel start; informe's client (its public
    ``wait_for_ready``) waits at most IOPUB_QUIET for IOPub, and the kernel then runs code as usual."""
    from informe.publish.execute import _kernel_environment
    from informe.publish.kernels import IOPUB_QUIET, InformeKernelClient

    _kernel_environment()
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))
    timeouts = []

    async def scenario():
        km = InformeKernelManager(kernel_name="python3")
        await km.start_kernel(extra_arguments=["--HistoryManager.enabled=False"])
        kc = km.client()
        kc.start_channels()
        channel = kc.iopub_channel
        original = type(channel).get_msg

        async def spy(self, timeout=None):
            if self is channel and waiting:
                timeouts.append(timeout)
            return await original(self, timeout=timeout)

        type(channel).get_msg = spy
        waiting = True
        try:
            await kc.wait_for_ready(timeout=60)
            waiting = False
            reply = await kc.execute_interactive("1 + 1", timeout=60, output_hook=lambda _m: None)
        finally:
            type(channel).get_msg = original
            await _stop(km, kc)
        return type(kc), reply["content"]["status"]

    assert asyncio.run(scenario()) == (InformeKernelClient, "ok")
    assert timeouts and max(timeouts) <= IOPUB_QUIET


@pytest.mark.parametrize("fault", ["died", "silent"])
def test_kernel_client_reports_a_dead_or_silent_kernel_as_jupyter_client_does(tmp_path, monkeypatch, fault):
    """A kernel that dies, or never answers, during ``wait_for_ready`` fails with jupyter_client's own messages,
    which run_notebook recognises as a kernel start-up failure (and retries)."""
    from informe.publish.execute import _is_kernel_start_failure

    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))

    async def scenario() -> str:
        km = InformeKernelManager(kernel_name="python3")
        await km.start_kernel(extra_arguments=["--HistoryManager.enabled=False"])
        pid = km.provisioner.pid
        kc = km.client()
        kc.start_channels()
        os.kill(pid, signal.SIGKILL if fault == "died" else signal.SIGSTOP)
        try:
            with pytest.raises(RuntimeError) as caught:
                await kc.wait_for_ready(timeout=1.5)
            return str(caught.value)
        finally:
            if fault == "silent":
                os.kill(pid, signal.SIGCONT)
            await _stop(km, kc)

    message = asyncio.run(scenario())
    expected = "Kernel died before replying to kernel_info" if fault == "died" else "Kernel didn't respond in 1 seconds"
    assert message == expected
    assert _is_kernel_start_failure(RuntimeError(message))


@pytest.mark.parametrize("fork", [True, False])
def test_kernel_dying_in_a_cell_names_the_cell_and_is_not_retried(tmp_path, fork):
    """Regression: a kernel that died while running a cell was retried three times as a start-up failure
    and reported as «arranque del kernel», without the cell."""
    from informe.publish.execute import NotebookRunner

    folder = tmp_path / "cuadernos"
    folder.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell("value = 0")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("import os\nos._exit(3)"), nbformat.v4.new_code_cell("1")]
    nbformat.write(nb, folder / "muere.ipynb")
    with NotebookRunner(1, fork=fork) as runner:
        [result] = runner.run([folder / "muere.ipynb"], tmp_path, {"value": 1}, folder, env=lambda _s: {})
    assert not result.ok and result.attempts == 1
    assert result.cell == 2  # injected parameters, parameters, then the cell that ended the kernel
    assert "el kernel terminó mientras ejecutaba la celda" in result.error


def test_kernel_environment_is_set_once_however_often_it_runs(monkeypatch):
    """Regression: every notebook a worker ran prepended the interpreter's folders to PATH and
    JUPYTER_PATH again (it runs in the build, in each worker's warm-up and for every notebook)."""
    import sys

    from informe.publish.execute import _kernel_environment

    monkeypatch.setenv("PATH", "/usr/bin")
    monkeypatch.delenv("JUPYTER_PATH", raising=False)
    _kernel_environment()
    first = (os.environ["PATH"], os.environ["JUPYTER_PATH"])
    _kernel_environment()
    _kernel_environment()
    assert (os.environ["PATH"], os.environ["JUPYTER_PATH"]) == first
    assert os.environ["PATH"].split(os.pathsep) == [str(Path(sys.executable).parent), "/usr/bin"]
    assert os.environ["JUPYTER_PATH"] == str(Path(sys.prefix) / "share" / "jupyter")
