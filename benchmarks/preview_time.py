"""Edit → refresh with `informe preview`: seconds from a save until the served page shows it (issue 24).

Usage:  .venv/bin/python benchmarks/preview_time.py [--runs 5] [--port 8790]

On a private copy of data/2022, it starts `informe preview` (pip-only engine), waits for the first build, then
`--runs` times: appends a sentence to a chapter's text (textos/retos.md) and times until the served page
(11-retos.html) contains it; changes one figure of a workbook (posicionamiento.xlsx Cifras!C5, which the
executive summary's table prints) and times until the served summary page shows it. It reads the page over
HTTP as a browser would after the reload event. Medians (and min/max) are printed, never asserted.
When Quarto is found, `quarto preview` is not compared: it needs a browser session to report its renders
(printed as not measured).
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
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


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--port", type=int, default=8790)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="informe-preview-bench-"))
    shutil.copytree(ROOT / "data" / "2022", work / "2022")
    base = f"http://127.0.0.1:{args.port}"
    process = subprocess.Popen([sys.executable, "-m", "informe", "preview", "--year", "2022", "--port",
                                str(args.port), "--data", str(work / "2022"), "--out", str(work / "out" / "2022"),
                                "--engine", "pandoc"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        first = until(lambda: json.loads(page(f"{base}/__informe/estado") or '{"generacion": 0}')["generacion"] >= 1,
                      timeout=300)
        print(f"first build served after {first:.1f} s")
        text_times, workbook_times = [], []
        for run in range(args.runs):
            sentence = f"Frase de la medición {run}."
            with (work / "2022" / "textos" / "retos.md").open("a", encoding="utf-8") as text:
                text.write(f"\n{sentence}\n")
            text_times.append(until(lambda s=sentence: s in page(f"{base}/11-retos.html")))
            time.sleep(1)
            wb = load_workbook(work / "2022" / "posicionamiento.xlsx")
            value = int(wb["Cifras"]["C5"].value) + 1
            wb["Cifras"]["C5"] = value
            wb.save(work / "2022" / "posicionamiento.xlsx")
            summary = f"{base}/01-resumen-ejecutivo.html"
            workbook_times.append(until(lambda v=value, url=summary: f">{v}<" in after_label(page(url))))
            time.sleep(1)
        for label, times in (("text edit → page updated", text_times), ("one-workbook edit → page updated",
                                                                         workbook_times)):
            print(f"{label}: median {statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f}, "
                  f"{len(times)} runs)")
        print("quarto preview: not measured (see the module's docstring)")
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=300)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
