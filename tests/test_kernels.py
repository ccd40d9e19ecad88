"""informe's kernels use jupyter_client's public extension points only (issue: no subclassing of private methods
of jupyter_client): its provisioner is registered as an entry point and is really the one that starts the build's
kernels; no class of informe.publish overrides a private jupyter_client method."""

from __future__ import annotations

import asyncio
import importlib
import inspect
import json
import os
import pkgutil
import signal
from importlib.metadata import entry_points

import nbformat
import pytest

import informe.publish
from conftest import probe_notebook
from informe.publish.kernels import (
    LIVE_KERNELS,
    PROVISIONER_NAME,
    InformeKernelManager,
    InformeProvisioner,
    register_provisioner,
)

GROUP = "jupyter_client.kernel_provisioners"


def private_overrides(cls: type) -> list[str]:
    """The private (``_name``, not dunder) attributes ``cls`` defines itself that a jupyter_client class it inherits
    from also has: overrides of jupyter_client's private methods. Names every class of the same bases gets from its
    metaclass (traitlets' ``_traits``, abc's ``_abc_impl``) are not written by ``cls``'s author and are skipped."""
    bases = [base for base in cls.__mro__[1:] if base.__module__.split(".")[0] == "jupyter_client"]
    if not bases:
        return []
    made_by_metaclass = set(vars(type("Probe", cls.__bases__, {})))
    return sorted(name for name in vars(cls)
                  if name.startswith("_") and not (name.startswith("__") and name.endswith("__"))
                  and name not in made_by_metaclass and any(hasattr(base, name) for base in bases))


def publish_classes() -> list[type]:
    """Every class defined in a module of informe.publish."""
    classes = []
    for module_info in pkgutil.iter_modules(informe.publish.__path__, "informe.publish."):
        module = importlib.import_module(module_info.name)
        classes += [obj for _, obj in inspect.getmembers(module, inspect.isclass) if obj.__module__ == module.__name__]
    return classes


def test_no_class_overrides_a_private_jupyter_client_method():
    classes = publish_classes()
    subclasses = [cls for cls in classes if any(b.__module__.startswith("jupyter_client") for b in cls.__mro__[1:])]
    # the scan sees informe's jupyter_client subclasses (else it would pass by finding nothing)
    assert {InformeKernelManager, InformeProvisioner} <= set(subclasses)
    assert {cls.__name__: private_overrides(cls) for cls in subclasses} == {cls.__name__: [] for cls in subclasses}


def test_the_private_override_check_can_fail():
    """What the check above looks for: the former manager overrode ``_async_start_kernel`` and the former client
    ``_async_wait_for_ready``."""
    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.manager import AsyncKernelManager

    class Manager(AsyncKernelManager):
        async def _async_start_kernel(self, **kw):
            return await super()._async_start_kernel(**kw)

        def _informe_helper(self):  # private, but not jupyter_client's
            return None

    class Client(AsyncKernelClient):
        async def _async_wait_for_ready(self, timeout=None):
            return None

    assert private_overrides(Manager) == ["_async_start_kernel"]
    assert private_overrides(Client) == ["_async_wait_for_ready"]
    assert private_overrides(dict) == []


def test_the_provisioner_is_registered_as_an_entry_point():
    """pyproject.toml declares it; jupyter_client finds provisioners by this group (``pip install -e .`` records
    it; CI installs the project)."""
    found = {ep.name: ep for ep in entry_points(group=GROUP)}
    assert PROVISIONER_NAME in found, sorted(found)
    assert found[PROVISIONER_NAME].value == "informe.publish.kernels:InformeProvisioner"
    assert found[PROVISIONER_NAME].load() is InformeProvisioner


def _probe(folder) -> None:
    """A notebook that prints its kernel's connection (transport, address) as the kernel itself read it."""
    probe_notebook(folder / "n.ipynb", "import json\nfrom ipykernel import get_connection_info\n"
                   "info = json.loads(get_connection_info())\n"
                   "print(json.dumps([info['transport'], info['ip'], value]))")


def test_run_notebook_starts_its_kernel_through_the_provisioner(tmp_path, monkeypatch):
    """papermill is given informe's manager, whose kernel jupyter_client provisions with informe's provisioner
    (found through its entry point): its hooks run, in order, for the kernel that ran the notebook; the kernel got
    a socket path in the notebook's runtime folder; it is recorded while it runs and forgotten once cleaned up."""
    from informe.publish.execute import run_notebook

    monkeypatch.delenv("INFORME_KERNEL_TRANSPORT", raising=False)
    calls = []
    for hook in ("pre_launch", "launch_kernel", "until_listening", "send_signal", "cleanup"):
        original = getattr(InformeProvisioner, hook)

        def spy(self, *args, _hook=hook, _original=original, **kwargs):
            calls.append((_hook, type(self.parent).__name__, self.pid, self.pid in LIVE_KERNELS))
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(InformeProvisioner, hook, spy)
    _probe(tmp_path)
    result = run_notebook(tmp_path / "n.ipynb", tmp_path / "out.ipynb", {"value": 7}, tmp_path)
    assert result.ok, result.error
    text = "".join(o.get("text", "") for c in nbformat.read(tmp_path / "out.ipynb", 4).cells
                   for o in c.get("outputs", []))
    transport, address, value = json.loads(text)
    assert (transport, value) == ("ipc", 7)
    assert os.path.basename(os.path.dirname(address)).startswith("informe-kernel-")  # the notebook's runtime folder
    hooks = [hook for hook, *_ in calls]
    assert hooks[:3] == ["pre_launch", "launch_kernel", "until_listening"] and "cleanup" in hooks
    assert {manager for _, manager, _, _ in calls} == {"InformeKernelManager"}
    pid = calls[2][2]
    assert pid and calls[2][3]  # recorded for kill_kernels once launched
    assert ("send_signal", "InformeKernelManager", pid, True) in calls  # the immediate shutdown's kill
    assert pid not in LIVE_KERNELS


def test_kill_kernels_kills_what_the_provisioner_started(tmp_path, monkeypatch):
    """A worker asked to end kills its kernel: the provisioner recorded it when it launched it."""
    from informe.publish.execute import kill_kernels

    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))

    async def scenario():
        km = InformeKernelManager(kernel_name="python3")
        await km.start_kernel(extra_arguments=["--HistoryManager.enabled=False"])
        pid = km.provisioner.pid
        recorded = pid in LIVE_KERNELS
        kill_kernels()
        alive = await km.is_alive()
        await km.shutdown_kernel(now=True)
        return pid, recorded, alive

    pid, recorded, alive = asyncio.run(scenario())
    assert recorded and not alive and pid not in LIVE_KERNELS
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_kernels_start_in_an_installation_without_the_entry_point(tmp_path, monkeypatch):
    """A checkout installed before the entry point existed (not reinstalled since): jupyter_client does not find
    ``informe-provisioner`` among the entry points, and the manager adds it to the factory's table itself."""
    from jupyter_client.provisioning import KernelProvisionerFactory
    from jupyter_client.provisioning import factory as factory_module

    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))
    real = factory_module.entry_points

    def without_informe(**kwargs):
        return [ep for ep in real(**kwargs) if ep.name != PROVISIONER_NAME]

    monkeypatch.setattr(factory_module, "entry_points", without_informe)
    table = KernelProvisionerFactory.instance().provisioners
    monkeypatch.delitem(table, PROVISIONER_NAME, raising=False)

    async def scenario():
        km = InformeKernelManager(kernel_name="python3")
        await km.start_kernel(extra_arguments=["--HistoryManager.enabled=False"])
        try:
            return type(km.provisioner), km.transport
        finally:
            await km.shutdown_kernel(now=True)

    assert asyncio.run(scenario()) == (InformeProvisioner, "ipc")
    assert table[PROVISIONER_NAME].value == "informe.publish.kernels:InformeProvisioner"
    register_provisioner()  # once there, left as it is
    assert table[PROVISIONER_NAME].load() is InformeProvisioner


def test_a_kernelspec_that_names_its_provisioner_keeps_it(monkeypatch):
    """informe's provisioner is the default of informe's manager, not a replacement for a kernelspec's choice."""
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("python3")
    spec.metadata["kernel_provisioner"] = {"provisioner_name": "local-provisioner"}
    km = InformeKernelManager(kernel_name="python3")
    monkeypatch.setattr(km.kernel_spec_manager, "get_kernel_spec", lambda _name: spec)
    assert km.kernel_spec.metadata["kernel_provisioner"]["provisioner_name"] == "local-provisioner"
    assert InformeKernelManager(kernel_name="python3").kernel_spec.metadata["kernel_provisioner"] == {
        "provisioner_name": PROVISIONER_NAME, "config": {}}


def test_an_explicit_interrupt_goes_through_the_provisioner(tmp_path, monkeypatch):
    """The interrupt the provisioner drops is only the one before a shutdown: ``interrupt_kernel`` (a cell
    timeout) signals the kernel's process group."""
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))
    sent = []
    killpg = os.killpg
    monkeypatch.setattr(os, "killpg", lambda pgid, signum: (sent.append(signum), killpg(pgid, signum)))

    async def scenario():
        km = InformeKernelManager(kernel_name="python3")
        await km.start_kernel(extra_arguments=["--HistoryManager.enabled=False"])
        await km.interrupt_kernel()
        await km.shutdown_kernel(now=True)

    asyncio.run(scenario())
    assert sent[0] == signal.SIGINT and signal.SIGKILL in sent and sent.count(signal.SIGINT) == 1


def test_a_kill_returns_once_the_kernel_has_exited(tmp_path, monkeypatch):
    """``kill`` returns only when the kernel process has exited: jupyter_client, which checks right after it and
    sleeps 0,1 s whenever the kernel is still alive, finds it dead (that sleep was 0,1 s of every section)."""
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))
    slept = []

    async def scenario():
        km = InformeKernelManager(kernel_name="python3")
        await km.start_kernel(extra_arguments=["--HistoryManager.enabled=False"])
        pid = km.provisioner.pid
        await km.provisioner.kill()
        exited = await km.provisioner.poll()
        sleep = asyncio.sleep

        async def spy(seconds, *args, **kwargs):
            slept.append(seconds)
            return await sleep(seconds, *args, **kwargs)

        monkeypatch.setattr(asyncio, "sleep", spy)
        await km.shutdown_kernel(now=True)
        return pid, exited

    pid, exited = asyncio.run(scenario())
    assert exited is not None and 0.1 not in slept
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
