"""Edit → refresh with `informe preview`: seconds from a save until the served page shows it (issue 24).

Usage:  .venv/bin/python benchmarks/preview_time.py [--runs 5] [--port 8790] [--log preview.log]

On a private copy of data/2022, it starts `informe preview` (pip-only engine), waits for the first build, then
`--runs` times: appends a sentence to a chapter's text (textos/retos.md) and times until the served page
(11-retos.html) contains it; changes one figure of a workbook (posicionamiento.xlsx Cifras!C5, which the
executive summary's table prints) and times until the served summary page shows it. It does what an open page
does: it listens to the preview's event stream and, at each reload event, reads the page once over HTTP (no
polling: requests every few milliseconds would compete with the build for the preview's process). Medians (and
min/max) are printed, never asserted.
When Quarto is found (``$QUARTO``, ``PATH``), ``quarto preview`` of a copy of the project (its root
``_quarto.yml``: the data chapters' notebooks, executed by Quarto's own Jupyter kernel) is timed on the same two
kinds of edit: plain Quarto watches the project's own files, not ``data/``, so after each data edit the benchmark
touches the notebook that prints it (what an analyst would have to do), and times until the served page shows the
change. Its text edit is a data chapter's text (textos/posicionamiento.md, printed by 05-posicionamiento): plain
Quarto cannot render a text-only chapter such as retos. Not run on machines without Quarto.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[1]


def page(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def after_label(html: str, label: str = "Periodistas internacionales atendidos") -> str:
    """The summary table's cells right after the row's label (where the figure is printed)."""
    return html.split(label, 1)[-1][:400] if label in html else ""


def until(condition, timeout: float = 120.0, step: float = 0.02) -> float:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if condition():
            return time.perf_counter() - start
        time.sleep(step)
    return float("nan")


def stop(process: subprocess.Popen, timeout: float) -> None:
    """Ctrl-C, as the analyst ends a preview; killed if it has not ended within ``timeout`` seconds."""
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()


def quarto_preview_times(quarto: str, runs: int, port: int, work: Path) -> tuple[list[float], list[float]]:
    """Seconds from a data edit (plus a touch of the notebook that prints it) until ``quarto preview`` serves the
    updated page: (text edits, workbook edits); empty lists when the preview does not start."""
    project = work / "quarto-project"
    project.mkdir()
    for name in ("_quarto.yml", "index.qmd"):
        shutil.copy2(ROOT / name, project / name)
    for folder in ("book", "notebooks", "params", "data"):
        shutil.copytree(ROOT / folder, project / folder, symlinks=True)
    base = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([quarto, "preview", str(project), "--no-browser", "--port", str(port), "--to", "html",
                                "--execute"], cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
                               env={**os.environ, "MPLBACKEND": "Agg"})
    texts, workbooks = [], []
    try:
        first = until(lambda: bool(page(f"{base}/index.html")), timeout=600)
        print(f"quarto preview: first render served after {first:.1f} s")
        if first != first:  # nan: it never served
            return [], []
        text = project / "data" / "2022" / "textos" / "posicionamiento.md"
        chapter = f"{base}/notebooks/05-posicionamiento.html"
        summary = f"{base}/notebooks/01-resumen-ejecutivo.html"
        for run in range(runs):
            sentence = f"Frase de Quarto {run}."
            with text.open("a", encoding="utf-8") as handle:
                handle.write(f"\n{sentence}\n")
            (project / "notebooks" / "05-posicionamiento.ipynb").touch()
            texts.append(until(lambda s=sentence: s in page(chapter), timeout=300))
            time.sleep(1)
            wb = load_workbook(project / "data" / "2022" / "posicionamiento.xlsx")
            value = int(wb["Cifras"]["C5"].value) + 1
            wb["Cifras"]["C5"] = value
            wb.save(project / "data" / "2022" / "posicionamiento.xlsx")
            (project / "notebooks" / "01-resumen-ejecutivo.ipynb").touch()
            workbooks.append(until(lambda v=value: f">{v}<" in after_label(page(summary)), timeout=300))
            time.sleep(1)
    finally:
        stop(process, 60)
    return texts, workbooks


class Reloads:
    """The preview's reload events, read in a thread from its event stream (what an open page receives)."""

    def __init__(self, url: str):
        self.count = 0
        self.changed = threading.Condition()
        self.response = urllib.request.urlopen(url, timeout=600)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        try:
            for raw in self.response:
                if raw.decode("utf-8").startswith("event: recargar"):
                    with self.changed:
                        self.count += 1
                        self.changed.notify_all()
        except OSError:
            pass

    def until(self, condition, seen: int, timeout: float = 120.0) -> float:
        """Seconds until a reload after the ``seen``-th shows ``condition`` (read once per reload, as a page)."""
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            with self.changed:
                self.changed.wait_for(lambda after=seen: self.count > after, timeout=timeout)
                seen = self.count
            if condition():
                return time.perf_counter() - start
        return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--log", type=Path, default=None, help="write the preview's terminal output to this file")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="informe-preview-bench-"))
    shutil.copytree(ROOT / "data" / "2022", work / "2022")
    base = f"http://127.0.0.1:{args.port}"
    process = subprocess.Popen([sys.executable, "-m", "informe", "preview", "--year", "2022", "--port",
                                str(args.port), "--data", str(work / "2022"), "--out", str(work / "out" / "2022"),
                                "--engine", "pandoc"], cwd=ROOT, stderr=subprocess.STDOUT,
                               stdout=args.log.open("w", encoding="utf-8") if args.log else subprocess.DEVNULL)
    try:
        first = until(lambda: json.loads(page(f"{base}/__informe/estado") or '{"generacion": 0}')["generacion"] >= 1,
                      timeout=300)
        print(f"first build served after {first:.1f} s")
        reloads = Reloads(f"{base}/__informe/eventos")
        text_times, workbook_times = [], []
        for run in range(args.runs):
            sentence = f"Frase de la medición {run}."
            seen = reloads.count
            with (work / "2022" / "textos" / "retos.md").open("a", encoding="utf-8") as text:
                text.write(f"\n{sentence}\n")
            text_times.append(reloads.until(lambda s=sentence: s in page(f"{base}/11-retos.html"), seen))
            time.sleep(1)
            wb = load_workbook(work / "2022" / "posicionamiento.xlsx")
            value = int(wb["Cifras"]["C5"].value) + 1
            wb["Cifras"]["C5"] = value
            seen = reloads.count
            wb.save(work / "2022" / "posicionamiento.xlsx")
            summary = f"{base}/01-resumen-ejecutivo.html"
            workbook_times.append(reloads.until(lambda v=value, url=summary: f">{v}<" in after_label(page(url)), seen))
            time.sleep(1)
        for label, times in (("text edit → page updated", text_times), ("one-workbook edit → page updated",
                                                                         workbook_times)):
            print(f"{label}: median {statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f}, "
                  f"{len(times)} runs)")
        from informe.publish.tools import find_quarto

        quarto = find_quarto()
        if quarto is None:
            print("quarto preview: not measured (Quarto not found: $QUARTO, PATH)")
        else:
            plain = quarto_preview_times(quarto, args.runs, args.port + 1, work)
            for label, times, ours in (("text edit", plain[0], text_times), ("one-workbook edit", plain[1],
                                                                             workbook_times)):
                if times:
                    print(f"quarto preview, {label} (+ touch of its notebook): median {statistics.median(times):.2f} s "
                          f"(min {min(times):.2f}, max {max(times):.2f}); ratio to informe preview "
                          f"{statistics.median(times) / statistics.median(ours):.1f}x")
    finally:
        stop(process, 300)  # informe preview builds the complete report (with its PDF) at Ctrl-C
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
