"""How the build starts, talks to and stops its kernels, on jupyter_client's public extension points only.

Parallel papermill runs are known to race when kernels start at the same time (papermill #239 "Kernel
didn't respond", #511 "ZMQError: Address already in use"): jupyter_client picks free TCP ports, releases
them and the kernel binds them later, so two kernels starting together can pick the same port.

* Where the platform has IPC sockets (Linux, macOS) each kernel talks over Unix-socket files whose names
  derive from a unique path in its runtime folder: no ports to race for.
* Where it has not (Windows, or a socket path too long to bind) kernels use TCP, and a kernel's start is
  serialized under a file lock shared by every worker (:func:`port_lock_path`) from before its ports are
  picked until the kernel listens on them, so no two kernels pick the same free port.

Three pieces, each a public jupyter_client hook:

* :class:`InformeProvisioner`, a kernel provisioner (``jupyter_client.provisioning.LocalProvisioner``)
  registered as the entry point ``informe-provisioner`` (group ``jupyter_client.kernel_provisioners``,
  pyproject.toml). ``pre_launch`` chooses the kernel's transport and address and takes the TCP lock;
  ``launch_kernel`` sends the kernel's output to a log file, forks the kernel from the build's fork server
  when this worker has one (:mod:`.forkkernel`; else Popen, as jupyter_client does), records it for
  :func:`~.execute.kill_kernels` and returns once the kernel listens (then releases the lock);
  ``send_signal`` drops the interrupt jupyter_client sends a kernel it is shutting down; ``cleanup``
  forgets the kernel.
* :class:`InformeKernelClient`, whose public ``wait_for_ready`` waits :data:`IOPUB_QUIET` seconds of
  IOPub silence where jupyter_client waits 0.2 s.
* :class:`InformeKernelManager`, jupyter_client's ``AsyncKernelManager`` with that client class, whose
  kernels use that provisioner (named in the kernelspec's ``kernel_provisioner`` metadata, as a kernelspec
  names its provisioner). papermill is given this class; nothing else in the process is affected.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import tempfile
import time
import uuid
from importlib.metadata import EntryPoint
from pathlib import Path
from queue import Empty
from typing import Any, Protocol

import zmq
from filelock import FileLock, Timeout
from jupyter_client import protocol_version_info
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager, KernelManager
from jupyter_client.provisioning import KernelProvisionerFactory, LocalProvisioner
from traitlets import DottedObjectName, Type

from .forkkernel import MAX_IPC_PATH, fork_client, kernel_arguments

PROVISIONER_NAME = "informe-provisioner"  # its entry point in pyproject.toml
TRANSPORT_ENV = "INFORME_KERNEL_TRANSPORT"  # force "ipc" or "tcp" (tests, diagnosis)
DEBUG_ENV = "INFORME_DEBUG"  # set: kernels write to the terminal, not to their log file
IOPUB_QUIET = 0.02  # seconds of IOPub silence that end a kernel's start-up (jupyter_client waits 0.2 s)
LISTEN_TIMEOUT = 60.0  # seconds a kernel's start waits for it to listen (papermill's start_timeout)
KILL_WAIT = 1.0  # seconds a kill waits for the kernel to exit (jupyter_client then waits up to 5 s more)
KILL_POLL = 0.002  # seconds between checks while it exits
PORTS = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")


def kernel_transport(platform: str = sys.platform, ipc_available: bool | None = None) -> str:
    """``"ipc"`` where the platform and pyzmq support Unix-socket transport, else ``"tcp"`` (Windows)."""
    if platform.startswith("win"):
        return "tcp"
    if ipc_available is None:
        ipc_available = bool(zmq.has("ipc"))
    return "ipc" if ipc_available else "tcp"


def kernel_address(runtime: str | None = None) -> tuple[str, str | None]:
    """A new kernel's transport and address: ``("ipc", <unique socket path>)``, or ``("tcp", None)`` (the
    loopback address) where IPC is not available, where the socket path would be too long to bind, or when
    ``INFORME_KERNEL_TRANSPORT=tcp``.

    The path is unique to the kernel, in ``runtime`` (default: ``JUPYTER_RUNTIME_DIR``, the notebook's runtime
    folder): jupyter_client's default ("kernel-ipc" in the working folder) is shared by every kernel started
    from the same folder and races again.
    """
    transport = os.environ.get(TRANSPORT_ENV) or kernel_transport()
    if transport != "ipc":
        return "tcp", None
    folder = runtime or os.environ.get("JUPYTER_RUNTIME_DIR") or tempfile.gettempdir()
    path = os.path.join(folder, f"k-{uuid.uuid4().hex[:12]}")
    if len(path.encode()) > MAX_IPC_PATH:  # jupyter_client appends "-<n>": a path this long cannot be bound
        return "tcp", None
    return "ipc", path


def port_lock_path() -> Path:
    """The lock that serializes TCP kernel start-ups across worker processes (and concurrent builds)."""
    return Path(tempfile.gettempdir()) / "informe-kernel-ports.lock"


def kernel_log_path() -> Path:
    """Where this worker's kernels write their log: its runtime folder (removed with it)."""
    runtime = Path(os.environ.get("JUPYTER_RUNTIME_DIR") or tempfile.gettempdir())
    return runtime / f"kernel-{os.getpid()}.log"


def kernel_log_tail(lines: int = 5) -> str:
    """The last lines of this worker's kernel log ("" when there is none)."""
    try:
        text = kernel_log_path().read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return " | ".join(line.strip() for line in text.strip().splitlines()[-lines:])


class KernelProcess(Protocol):
    """A kernel this process started: a Popen, or a kernel forked by the fork server (``ForkedKernel``)."""

    pid: int

    def kill(self) -> None: ...

    def wait(self, timeout: float | None = None) -> object: ...


LIVE_KERNELS: dict[int, KernelProcess] = {}  # pid -> the kernels this process started and has not cleaned up


def _accepts_connections(host: str, port: int) -> bool:
    """Whether something listens on ``host:port`` (a plain TCP connection, closed at once)."""
    try:
        with socket.create_connection((host, port), timeout=0.2):
            return True
    except OSError:
        return False


class InformeProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, safe for parallel start-up, forking kernels where it can.

    * ``pre_launch``: the kernel's transport and address (:func:`kernel_address`), chosen once per kernel
      manager (a restart keeps them); for TCP, the start-up lock is taken before jupyter_client picks ports.
    * ``launch_kernel``: the kernel's output goes to :func:`kernel_log_path`, not to the analyst's terminal (a
      kernel still starting when a build is interrupted, its folder already removed, must not print a
      traceback; a start-up failure quotes the log's tail), unless ``INFORME_DEBUG`` is set. The kernel is a
      fork of this worker's fork server when it has one (:func:`~.forkkernel.fork_client`) and the kernel is
      ipykernel, else a Popen as jupyter_client starts it. It returns once the kernel listens on its sockets
      (or died, or after :data:`LISTEN_TIMEOUT`): a client that connects before that is reconnected by ZeroMQ
      only after its reconnect interval, and a TCP start-up holds the lock exactly until then.
    * ``send_signal``: jupyter_client interrupts (SIGINT) a kernel before shutting it down; when the kernel is
      busy finishing a message that interrupt is logged as ``[IPKernelApp] ERROR | KeyboardInterrupt caught in
      kernel``, noise an analyst reads as a failure. The notebook has finished when papermill shuts the kernel
      down, so that interrupt is dropped; explicit interrupts (a cell timeout) still go through.
    * ``kill``: returns once the killed kernel has exited (or after :data:`KILL_WAIT`). jupyter_client then
      checks whether it is alive and, when it is, sleeps 0,1 s before checking again: a kernel takes a few
      milliseconds to die, so every section waited those 0,1 s (measured: 0,12 of 0,25 s for a one-cell
      notebook on a forked kernel).
    * ``cleanup``: the kernel is forgotten by :data:`LIVE_KERNELS` (and a lock still held is released).
    """

    address_chosen = False
    port_lock: Any = None  # the FileLock held from pre_launch until a TCP kernel listens

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        manager = self.parent
        if manager is not None:
            if not self.address_chosen:
                transport, ip = kernel_address()
                manager.transport = transport
                if ip is not None:
                    manager.ip = ip
                manager.cache_ports = transport == "tcp"  # jupyter_client's default for the transport
                self.address_chosen = True
            if manager.transport == "tcp":
                await self.hold_port_lock()
        try:
            return await super().pre_launch(**kwargs)
        except BaseException:
            self.release_port_lock()
            raise

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        try:
            log = None if os.environ.get(DEBUG_ENV) else kernel_log_path()
            info = await self.start_process(cmd, log, **kwargs)
            process = self.process
            if process is not None and self.pid is not None:
                LIVE_KERNELS[self.pid] = process
            await self.until_listening()
            return info
        finally:
            self.release_port_lock()

    async def start_process(self, cmd: list[str], log: Path | None, **kwargs: Any) -> KernelConnectionInfo:
        """Start the kernel: forked from the fork server, else (no server, it failed, not ipykernel) with Popen."""
        client = fork_client()
        arguments = kernel_arguments(cmd)
        if client is not None and arguments is not None:
            env = {str(k): str(v) for k, v in (kwargs.get("env") or os.environ).items()}
            env.setdefault("JPY_PARENT_PID", str(os.getpid()))  # as jupyter_client's launcher sets it for Popen
            cwd = str(kwargs.get("cwd") or os.getcwd())  # as Popen: the caller's folder unless told otherwise
            try:
                kernel = client.fork(arguments, cwd, env, str(log) if log else None)
            except OSError:  # no fork server (it died, or could not start): a kernel of its own, as usual
                pass
            else:
                # jupyter_client infers ``process`` as Popen | None (its launcher's Popen); a ForkedKernel has the
                # part of Popen that the provisioner uses (poll, wait, send_signal, kill, terminate, pid).
                self.process = kernel  # type: ignore[assignment]
                self.pid = self.pgid = kernel.pid  # the kernel calls setsid(): its own process group
                self.cwd = cwd
                return self.connection_info
        if log is None:
            return await super().launch_kernel(cmd, **kwargs)
        with open(log, "ab") as output:  # the kernel process keeps its own copy of the descriptor
            return await super().launch_kernel(cmd, **{"stdout": output, "stderr": output, **kwargs})

    async def until_listening(self, timeout: float = LISTEN_TIMEOUT) -> None:
        """Return once the kernel listens on all its sockets, or has died, or after ``timeout`` (jupyter_client
        then reports a dead or silent kernel as it always does)."""
        info: dict[str, Any] = dict(self.connection_info)
        ports = [info[key] for key in PORTS if key in info]
        if info.get("transport") == "ipc":
            pending = [f"{info['ip']}-{port}" for port in ports]  # the socket files ZeroMQ creates on bind

            def listening(address: Any) -> bool:
                return os.path.exists(address)
        else:
            pending = list(ports)

            def listening(address: Any) -> bool:
                return _accepts_connections(str(info["ip"]), int(address))
        deadline = time.monotonic() + timeout
        while True:
            pending = [address for address in pending if not listening(address)]
            if not pending or await self.poll() is not None or time.monotonic() > deadline:
                return
            await asyncio.sleep(0.005)

    async def send_signal(self, signum: int) -> None:
        if signum == signal.SIGINT and getattr(self.parent, "shutting_down", False):
            return  # the interrupt before a shutdown: the notebook has finished (see the class's docstring)
        await super().send_signal(signum)

    async def kill(self, restart: bool = False) -> None:
        await super().kill(restart=restart)
        deadline = time.monotonic() + KILL_WAIT
        while self.process is not None and await self.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(KILL_POLL)

    async def cleanup(self, restart: bool = False) -> None:
        if self.pid is not None:
            LIVE_KERNELS.pop(self.pid, None)
        self.release_port_lock()
        await super().cleanup(restart=restart)

    async def hold_port_lock(self, timeout: float = 120) -> None:
        """Take the lock that serializes TCP start-ups, waiting up to ``timeout`` seconds for other start-ups
        without blocking the event loop (another kernel of this process may be the one starting)."""
        if self.port_lock is not None:
            return
        lock = FileLock(str(port_lock_path()))
        deadline = time.monotonic() + timeout
        while True:
            try:
                lock.acquire(timeout=0)
            except Timeout:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.01)
            else:
                self.port_lock = lock
                return

    def release_port_lock(self) -> None:
        lock, self.port_lock = self.port_lock, None
        if lock is not None:
            lock.release()


class InformeKernelClient(AsyncKernelClient):
    """jupyter_client's asynchronous client, whose ``wait_for_ready`` waits for IOPub 0.02 s, not 0.2 s.

    After the kernel's ``kernel_info`` reply, jupyter_client checks that IOPub delivers a message and then
    drains IOPub until it has been silent for 0.2 s: a fixed 0.2 s for every kernel, eight per build (0.8 s
    of a two-core build). Here both waits are :data:`IOPUB_QUIET`. A start-up message that arrives later is
    harmless: nbclient only reads the IOPub messages of the cell it is running.
    """

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        """jupyter_client's ``wait_for_ready`` (same steps, same errors), with IOPub waits of IOPUB_QUIET."""
        deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
        if not isinstance(self.parent, KernelManager):
            # not created by a kernel manager: wait for the kernel's heartbeats first, as jupyter_client does
            while not await self.is_alive():
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond to heartbeats in {int(timeout or 0)} seconds "
                                       "and timed out")
                await asyncio.sleep(0.2)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
            except Empty:
                pass
            else:
                if reply["msg_type"] == "kernel_info_reply":
                    try:  # IOPub is connected: the kernel's busy/idle status for that request came through
                        await self.iopub_channel.get_msg(timeout=IOPUB_QUIET)
                    except Empty:
                        pass
                    else:
                        self.adapt_protocol(reply)
                        break
            if not await self.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {int(timeout or 0)} seconds")
        while True:  # drain IOPub until it is quiet
            try:
                await self.iopub_channel.get_msg(timeout=IOPUB_QUIET)
            except Empty:
                break

    def adapt_protocol(self, reply: dict[str, Any]) -> None:
        """Speak the kernel's major protocol version, as jupyter_client does on its kernel_info reply."""
        version = int(str(reply["content"].get("protocol_version", protocol_version_info[0])).split(".")[0])
        if version != protocol_version_info[0]:
            self.session.adapt_version = version


class InformeKernelManager(AsyncKernelManager):
    """jupyter_client's asynchronous kernel manager with :class:`InformeKernelClient`, whose kernels are
    provisioned by :class:`InformeProvisioner`: its kernelspec names that provisioner, unless it names one."""

    client_class = DottedObjectName(f"{__name__}.InformeKernelClient", config=True)
    client_factory = Type(InformeKernelClient, klass=AsyncKernelClient, config=True)

    @property
    def kernel_spec(self) -> KernelSpec | None:
        spec = super().kernel_spec
        if spec is not None and "provisioner_name" not in spec.metadata.get("kernel_provisioner", {}):
            register_provisioner()
            spec.metadata["kernel_provisioner"] = {"provisioner_name": PROVISIONER_NAME, "config": {}}
        return spec


def register_provisioner() -> None:
    """Make sure jupyter_client finds :class:`InformeProvisioner`: installed, its entry point is found; in a
    checkout whose installation predates the entry point (not reinstalled since), it is added to the factory's
    public table of provisioners, so that kernels still start."""
    factory = KernelProvisionerFactory.instance()
    if PROVISIONER_NAME not in factory.provisioners:
        factory.provisioners[PROVISIONER_NAME] = EntryPoint(PROVISIONER_NAME, f"{__name__}:InformeProvisioner",
                                                            KernelProvisionerFactory.GROUP_NAME)
