"""Wall time of cold and warm builds, per phase (validate, execute, render).

Usage:  .venv/bin/python benchmarks/build_time.py [--year 2022] [--runs 3]

A cold build writes into a fresh output directory; a warm build runs again with
nothing changed. Each phase's time comes from the build's own record
(build-info.json, or .<year>.last-run.json when nothing had to run).
Numbers are printed, never asserted: timing is not a test.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PHASES = ("validate", "execute", "render")


def run_build(year: int, out: Path) -> dict[str, float]:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "informe", "build", "--year", str(year), "--out", str(out)],
                            cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if result.returncode:
        sys.exit(f"build failed:\n{result.stdout}\n{result.stderr}")
    record = out.parent / f".{out.name}.last-run.json"
    info = out / "build-info.json"
    source = record if record.exists() and record.stat().st_mtime > info.stat().st_mtime else info
    timings = json.loads(source.read_text(encoding="utf-8"))["timings"]
    return {"total": wall, **{p: timings.get(p, float("nan")) for p in PHASES}}


def summarize(label: str, runs: list[dict[str, float]]) -> None:
    print(f"\n{label} ({len(runs)} runs)")
    print(f"  {'phase':<10}{'min (s)':>10}{'median (s)':>12}")
    for phase in ("total", *PHASES):
        values = [r[phase] for r in runs if r[phase] == r[phase]]
        if values:
            print(f"  {phase:<10}{min(values):>10.2f}{statistics.median(values):>12.2f}")
        else:
            print(f"  {phase:<10}{'—':>10}{'—':>12}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2022)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    cold, warm = [], []
    with tempfile.TemporaryDirectory(prefix="informe-bench-") as tmp:
        for i in range(args.runs):
            out = Path(tmp) / f"cold{i}" / str(args.year)
            cold.append(run_build(args.year, out))
            warm.append(run_build(args.year, out))
    summarize(f"Cold build of {args.year} (fresh output directory)", cold)
    summarize(f"Warm build of {args.year} (nothing changed)", warm)


if __name__ == "__main__":
    main()
