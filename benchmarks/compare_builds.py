"""Cold builds of this checkout and of another commit, interleaved: is a change faster, on a machine whose speed drifts?

Usage:  .venv/bin/python benchmarks/compare_builds.py --base REF [--runs 6] [--year 2022] [--engine pandoc]
                                                       [--jobs N] [--base-jobs N]

This machine's speed changes from hour to hour by more than most changes gain (the same commit's cold build
took 12,1 s one morning and 14,2 s two hours later), so timing one side and then the other measures the hour.
Here each round builds both sides one after the other, in alternating order (A B, then B A, …), each into a
fresh output folder; the medians of the rounds are compared.

``REF`` is checked out into a temporary ``git worktree`` (removed at the end) and built with this environment's
Python, its own ``src/`` first on ``PYTHONPATH`` (the editable install would otherwise import this checkout's)
and its own ``data/<year>``, ``params/`` and notebooks. ``--jobs``/``--base-jobs`` give each side its own
``--jobs`` (the same commit on both sides compares two settings). Numbers are printed, never asserted.
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

ROOT = Path(__file__).resolve().parents[1]
PHASES = ("validate", "execute", "render")


def cold_build(checkout: Path, year: int, out: Path, engine: str, jobs: int | None) -> dict[str, float]:
    """One cold build of ``checkout`` into ``out``: wall time, CPU time (the build and every process it waited
    for) and the phases the build recorded."""
    cmd = [sys.executable, "-m", "informe", "build", "--year", str(year), "--out", str(out), "--engine", engine,
           *(["--jobs", str(jobs)] if jobs else [])]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(checkout / "src"),
                                                                     os.environ.get("PYTHONPATH")]))}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=checkout, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode:
        sys.exit(f"the build of {checkout} failed ({result.returncode}):\n{result.stdout[-3000:]}\n"
                 f"{result.stderr[-3000:]}")
    timings = json.loads((out / "build-info.json").read_text(encoding="utf-8"))["timings"]
    return {"total": wall, "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
            **{p: float(timings.get(p, float("nan"))) for p in PHASES}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the commit to compare with (a hash, a tag, HEAD~1…)")
    parser.add_argument("--runs", type=int, default=6, help="rounds (each builds both sides once)")
    parser.add_argument("--year", type=int, default=2022)
    parser.add_argument("--engine", default="pandoc", choices=("pandoc", "quarto", "auto"))
    parser.add_argument("--jobs", type=int, default=None, help="--jobs of this checkout's builds")
    parser.add_argument("--base-jobs", type=int, default=None, help="--jobs of the base's builds")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="informe-compare-"))
    base = work / "base"
    added = subprocess.run(["git", "worktree", "add", "--detach", str(base), args.base], cwd=ROOT,
                           capture_output=True, text=True)
    if added.returncode:
        shutil.rmtree(work, ignore_errors=True)
        sys.exit(f"git worktree add {args.base} failed: {added.stderr.strip()}")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=base, capture_output=True,
                            text=True).stdout.strip()
    sides = [(f"base {args.base} ({commit})", base, args.base_jobs), ("this checkout", ROOT, args.jobs)]
    results: dict[str, list[dict[str, float]]] = {label: [] for label, _, _ in sides}
    print(f"cold builds, year {args.year}, engine {args.engine}, {os.cpu_count()} cores, {args.runs} rounds, "
          "order alternating")
    try:
        for round_ in range(args.runs):
            for label, checkout, jobs in (sides if round_ % 2 == 0 else sides[::-1]):
                out = work / f"out-{round_}-{len(results[label])}-{checkout.name}" / str(args.year)
                run = cold_build(checkout, args.year, out, args.engine, jobs)
                shutil.rmtree(out.parent, ignore_errors=True)
                results[label].append(run)
                print(f"  round {round_ + 1} {label}: " + ", ".join(f"{k} {v:.2f}" for k, v in run.items()),
                      flush=True)
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(base)], cwd=ROOT, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)

    medians = {label: {k: statistics.median(r[k] for r in runs) for k in runs[0]} for label, runs in results.items()}
    print(f"\n  {'median (s)':<34}" + "".join(f"{k:>10}" for k in ("total", "cpu", *PHASES)))
    for label, m in medians.items():
        print(f"  {label:<34}" + "".join(f"{m[k]:>10.2f}" for k in ("total", "cpu", *PHASES)))
    before, ours = medians.values()
    wins = sum(o["total"] < b["total"] for o, b in zip(results["this checkout"], results[sides[0][0]]))
    print(f"\n  this checkout / base: total {ours['total'] / before['total']:.3f}, "
          f"cpu {ours['cpu'] / before['cpu']:.3f}; faster in {wins} of {args.runs} rounds")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
