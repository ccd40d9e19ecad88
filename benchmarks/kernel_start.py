"""What one section notebook pays before its first table: kernel start, imports, font cache, data loading.

Usage:  .venv/bin/python benchmarks/kernel_start.py [--year 2022] [--runs 3] [--clients]

Each run starts fresh kernels the way the build does (``informe.publish.kernels.InformeKernelManager``: informe's
kernel provisioner and client, Agg backend) and times,
in order: the kernel start until it answers; ``import pandas``; ``import matplotlib.pyplot``;
``import seaborn``; ``import informe.report.notebook`` (the rest of the package); the first figure with
text (font cache lookup); then loading the year either by validating the workbooks (what every notebook
did before the snapshot, and still does when opened by hand) or from the build's snapshot, whose sheets
are read on first use (timed for the four of ``posicionamiento.xlsx``). The
"before" kernel starts as jupyter_client's default (IPython history on), the "after" ones as the build
starts them: with Popen (history off; Windows, macOS) and, on Linux, forked from a fork server that has
already imported the sections' modules (``informe.publish.forkkernel``).
``--clients`` also times the kernel start alone (until ``wait_for_ready`` returns) with informe's client, which
waits 0.02 s of IOPub silence, and with jupyter_client's ``AsyncKernelClient``, which waits 0.2 s.
Medians are printed. Numbers are printed, never asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

STEPS = [
    ("import pandas", "import pandas"),
    ("import matplotlib.pyplot", "import matplotlib.pyplot as plt"),
    ("import seaborn", "import seaborn"),
    ("import informe.report.notebook", "from informe.report import notebook"),
    ("first figure with text (fonts)", "fig, ax = plt.subplots(); ax.set_title('Año'); "
                                       "notebook.figure_svg(fig)"),
]


async def time_kernel(extra_steps: list[tuple[str, str]], env: dict[str, str],
                      arguments: list[str], label: str, client_class: str | None = None) -> dict[str, float]:
    from informe.publish.execute import _kernel_environment
    from informe.publish.kernels import InformeKernelManager

    _kernel_environment()
    os.environ.update(env)
    times = {}
    start = time.perf_counter()
    km = InformeKernelManager(kernel_name="python3")
    if client_class:
        km.client_class = client_class  # a public trait: the class km.client() makes
    await km.start_kernel(extra_arguments=arguments)
    kc = km.client()
    kc.start_channels()
    await kc.wait_for_ready(timeout=120)
    times[f"kernel start ({label})"] = time.perf_counter() - start
    try:
        for label, code in [*STEPS, *extra_steps]:
            start = time.perf_counter()
            reply = await kc.execute_interactive(code, timeout=300, output_hook=lambda _m: None)
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"{label}: {reply['content'].get('evalue')}")
            times[label] = time.perf_counter() - start
    finally:
        kc.stop_channels()
        await km.shutdown_kernel(now=True)
    return times


async def time_kernel_only(steps: list[tuple[str, str]], env: dict[str, str], arguments: list[str],
                           label: str, client_class: str | None = None) -> dict[str, float]:
    """As :func:`time_kernel`, with only ``steps`` after the start (no default steps)."""
    global STEPS
    saved, STEPS = STEPS, []
    try:
        return await time_kernel(steps, env, arguments, label, client_class)
    finally:
        STEPS = saved


CLIENTS = (("informe's client, IOPub quiet 0.02 s", None),
           ("jupyter_client's client, 0.2 s", "jupyter_client.asynchronous.AsyncKernelClient"))


def time_clients(runs: int, results: dict[str, list[float]], how: str = "Popen") -> None:
    """The kernel start alone (no history), with each client's ``wait_for_ready``, alternated."""
    from informe.publish.execute import KERNEL_ARGUMENTS

    for _ in range(runs):
        for name, client_class in CLIENTS:
            label = f"{how}, {name}"
            times = asyncio.run(time_kernel_only([], {}, KERNEL_ARGUMENTS, label, client_class))
            results.setdefault(f"kernel start ({label})", []).append(times[f"kernel start ({label})"])


def main() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from informe.publish.execute import KERNEL_ARGUMENTS, make_runtime_dir
    from informe.publish.forkkernel import ForkServer, fork_available, use_fork_server
    from informe.report.report import load_report, write_report_snapshot

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2022)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clients", action="store_true",
                        help="also time the kernel start with informe's client and with jupyter_client's")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="informe-kprof-") as tmp:
        os.environ["JUPYTER_RUNTIME_DIR"] = tmp  # the kernels' connection files, sockets and log, removed with it
        snapshot = Path(tmp) / "snapshot"
        write_report_snapshot(load_report(args.year, root=ROOT), snapshot)
        validate = [("before: load the year validating the workbooks",
                     f"report = notebook.setup({args.year}, root={str(ROOT)!r})")]
        # the snapshot's sheets are read on first use: a section reads a few (here posicionamiento.xlsx's)
        use_sheets = "[report.frames[key] for key in list(report.frames) if key[0] == 'posicionamiento.xlsx']"
        from_snapshot = [("after: load the year from the snapshot",
                          f"report = notebook.setup({args.year}, root={str(ROOT)!r})"),
                         ("after: first use of one workbook's sheets", use_sheets)]
        forked = [("after, forked: load the year from the snapshot",
                   f"report = notebook.setup({args.year}, root={str(ROOT)!r})"),
                  ("after, forked: first use of one workbook's sheets", use_sheets)]
        results: dict[str, list[float]] = {}
        for _ in range(args.runs):
            for steps, env, arguments, label in (
                    (validate, {"INFORME_SNAPSHOT": ""}, [], "Popen, IPython history on"),
                    (from_snapshot, {"INFORME_SNAPSHOT": str(snapshot)}, KERNEL_ARGUMENTS, "Popen, no history")):
                for step, seconds in asyncio.run(time_kernel(steps, env, arguments, label)).items():
                    results.setdefault(step, []).append(seconds)
        if args.clients:
            time_clients(args.runs, results)
        if fork_available():
            # As a build starts them: forked from a server that imported the sections' modules (its own
            # start-up, once per build, is not counted here: it overlaps the validation of the data).
            server = ForkServer.start(make_runtime_dir())
            use_fork_server(server.address)
            try:
                for _ in range(args.runs):
                    steps = [(f"{name} (forked)", code) for name, code in STEPS] + forked
                    times = asyncio.run(time_kernel_only(steps, {"INFORME_SNAPSHOT": str(snapshot)},
                                                         KERNEL_ARGUMENTS, "forked, no history"))
                    for step, seconds in times.items():
                        results.setdefault(step, []).append(seconds)
                if args.clients:
                    time_clients(args.runs, results, "forked")
            finally:
                use_fork_server(None)
                server.close()
    print(f"Kernel start-up of one section notebook ({os.cpu_count()} cores, {args.runs} runs, medians)")
    width = max(48, *(len(label) + 1 for label in results))
    for label, values in results.items():
        print(f"  {label:<{width}}{statistics.median(values):>8.2f} s")


if __name__ == "__main__":
    main()
