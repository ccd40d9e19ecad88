"""Wall time of informe builds, per phase: cold, no-op and one-workbook edit (and plain Quarto, when found).

Usage:  .venv/bin/python benchmarks/build_time.py [--year 2022] [--runs 3] [--engine pandoc|quarto|auto]
                                                  [--jobs N] [--quarto-runs 1] [--popen]
                                                  [--edit FILE:SHEET!CELL]

Each run works on a private copy of ``data/<year>``:

* cold: a build into a fresh output folder;
* no-op: the same build again, nothing changed;
* one-workbook edit: one cell of ``posicionamiento.xlsx`` changed (Cifras!C5, a figure that no check
  compares; ``--edit FILE:SHEET!CELL`` picks another), then the build again.

Medians over the runs are printed per phase (the build's own record: build-info.json, or
.<year>.last-run.json when nothing had to run), for the wall time of the whole command, for what no
phase times ("other": interpreter start, imports, waiting for the kernels' fork server, publishing,
exit) and for its CPU time (the build and every process it started). ``--popen`` starts kernels with Popen instead of forking
them (``INFORME_FORK_KERNELS=0``), for comparison.
When Quarto is found (``$QUARTO``, ``PATH``), ``quarto render`` executing the same notebooks
(Quarto's own Jupyter execution, no informe build) is timed too, and the ratio is printed.
Numbers are printed, never asserted: timing is not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parents[1]
PHASES = ("fingerprint", "validate", "snapshot", "execute", "render")
EDIT = ("posicionamiento.xlsx", "Cifras", "C5")


def run_build(year: int, data: Path, out: Path, engine: str, jobs: int | None,
              env: dict[str, str] | None = None) -> dict[str, float]:
    cmd = [sys.executable, "-m", "informe", "build", "--year", str(year), "--data", str(data), "--out", str(out),
           "--engine", engine]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env={**os.environ, **(env or {})})
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the build and every process it waited for
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if result.returncode:
        sys.exit(f"build failed:\n{result.stdout}\n{result.stderr}")
    record = out.parent / f".{out.name}.last-run.json"
    info = out / "build-info.json"
    source = record if record.exists() and record.stat().st_mtime > info.stat().st_mtime else info
    data_ = json.loads(source.read_text(encoding="utf-8"))
    timings = data_["timings"]
    sections = data_.get("sections", {}) if source == info else {}
    return {"total": wall, **{p: timings.get(p, float("nan")) for p in PHASES}, "cpu": cpu,
            "ran": float(sum(1 for s in sections.values() if s.get("ran")))}


def parse_edit(text: str) -> tuple[str, str, str]:
    """``posicionamiento.xlsx:Cifras!C5`` → (file, sheet, cell)."""
    filename, _, rest = text.partition(":")
    sheet, _, cell = rest.rpartition("!")
    if not (filename and sheet and cell):
        raise argparse.ArgumentTypeError(f"--edit {text!r}: expected FILE:SHEET!CELL, "
                                         "e.g. posicionamiento.xlsx:Cifras!C5")
    return filename, sheet, cell


def edit_workbook(data: Path, edit: tuple[str, str, str] = EDIT) -> None:
    filename, sheet, cell = edit
    wb = load_workbook(data / filename)
    wb[sheet][cell] = (wb[sheet][cell].value or 0) + 1
    wb.save(data / filename)


def quarto_render(quarto: str, year: int, work: Path) -> float:
    """``quarto render`` of a copy of the project, executing every notebook (no informe build)."""
    project = work / "quarto-project"
    shutil.rmtree(project, ignore_errors=True)
    project.mkdir(parents=True)
    for name in ("_quarto.yml", "index.qmd"):
        shutil.copy2(ROOT / name, project / name)
    for folder in ("book", "notebooks", "params", "data"):
        shutil.copytree(ROOT / folder, project / folder, symlinks=True)
    env = {**os.environ, "MPLBACKEND": "Agg"}
    start = time.perf_counter()
    result = subprocess.run([quarto, "render", str(project), "--execute", "-P", f"year:{year}", "--to", "html"],
                            capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    if result.returncode:
        print(f"  quarto render failed ({result.returncode}):\n{(result.stderr or result.stdout)[-2000:]}")
        return float("nan")
    return seconds


def summarize(label: str, runs: list[dict[str, float]]) -> float:
    print(f"\n{label} ({len(runs)} runs)")
    print(f"  {'phase':<12}{'min (s)':>10}{'median (s)':>12}")
    for run in runs:  # what no phase times: start-up, imports, the fork server's wait, publishing, exit
        run["other"] = run["total"] - sum(run[p] for p in PHASES if run[p] == run[p])
    for phase in ("total", *PHASES, "other", "cpu"):
        values = [r[phase] for r in runs if r[phase] == r[phase]]
        if values:
            print(f"  {phase:<12}{min(values):>10.2f}{statistics.median(values):>12.2f}")
        else:
            print(f"  {phase:<12}{'—':>10}{'—':>12}")
    ran = [r["ran"] for r in runs]
    print(f"  sections executed: {', '.join(str(int(x)) for x in ran)}")
    return statistics.median(r["total"] for r in runs)


def main() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from informe.publish.tools import find_quarto

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2022)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--engine", default="pandoc", choices=("pandoc", "quarto", "auto"))
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--quarto-runs", type=int, default=1)
    parser.add_argument("--edit", type=parse_edit, default=EDIT, metavar="FILE:SHEET!CELL",
                        help="the numeric cell the edit build adds 1 to (default posicionamiento.xlsx:Cifras!C5, "
                             "a figure no check compares; Cifras!C6 is one a check compares)")
    parser.add_argument("--popen", action="store_true",
                        help="start every kernel with Popen (INFORME_FORK_KERNELS=0) instead of forking it")
    args = parser.parse_args()
    env = {"INFORME_FORK_KERNELS": "0"} if args.popen else {}
    print(f"informe build benchmark: year {args.year}, engine {args.engine}, {os.cpu_count()} cores, "
          f"{args.runs} runs, kernels {'started with Popen' if args.popen else 'forked where possible'}")
    cold, noop, edit = [], [], []
    with tempfile.TemporaryDirectory(prefix="informe-bench-") as tmp:
        work = Path(tmp)
        data = work / "data" / str(args.year)
        shutil.copytree(ROOT / "data" / str(args.year), data)
        prior = ROOT / "data" / str(args.year - 1)
        if prior.is_dir():
            shutil.copytree(prior, work / "data" / str(args.year - 1))
        for i in range(args.runs):
            out = work / f"run{i}" / str(args.year)
            cold.append(run_build(args.year, data, out, args.engine, args.jobs, env))
            noop.append(run_build(args.year, data, out, args.engine, args.jobs, env))
            edit_workbook(data, args.edit)
            edit.append(run_build(args.year, data, out, args.engine, args.jobs, env))
        cold_median = summarize("Cold build (fresh output folder)", cold)
        noop_median = summarize("No-op build (nothing changed)", noop)
        edit_median = summarize(f"One-workbook edit ({args.edit[0]} {args.edit[1]}!{args.edit[2]})", edit)
        print(f"\nno-op / cold: {noop_median / cold_median:.0%}    edit / cold: {edit_median / cold_median:.0%}")
        quarto = find_quarto()
        if quarto is None:
            print("\nQuarto not found ($QUARTO, PATH): plain `quarto render` not measured.")
            return
        plain = [quarto_render(quarto, args.year, work) for _ in range(args.quarto_runs)]
        plain = [p for p in plain if p == p]
        if plain:
            median = statistics.median(plain)
            print(f"\nPlain `quarto render --execute` of the same notebooks: median {median:.2f} s "
                  f"({len(plain)} runs)")
            print(f"  ratio plain Quarto / informe cold: {median / cold_median:.1f}x    "
                  f"/ informe one-workbook edit: {median / edit_median:.1f}x    "
                  f"/ informe no-op: {median / noop_median:.1f}x")


if __name__ == "__main__":
    main()
