"""``informe build``: validate a year, execute the section notebooks, publish atomically.

Everything is written into a staging directory next to the output directory;
only a fully successful build replaces ``outputs/<year>/`` (rename, then the
old copy is removed). A failed or interrupted build leaves the previous
outputs exactly as they were.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from .book import BookError, render_book
from .execute import NotebookResult, run_notebooks, section_title
from ..data.params import ParamsError, load_params
from ..data.validation import EXIT_ERRORS, print_report, validate_dir
from ..paths import data_dir, find_project_root, output_dir, params_file

BUILD_INFO = "build-info.json"


@dataclass
class BuildPlan:
    """Where a build reads from and writes to."""

    year: int
    root: Path
    data_dir: Path
    params_file: Path
    out_dir: Path
    notebooks: list[Path] = field(default_factory=list)

    @classmethod
    def create(cls, year: int, root: Path, data: Path | None = None, out: Path | None = None) -> "BuildPlan":
        root = Path(root).resolve()
        return cls(
            year=year,
            root=root,
            data_dir=Path(data).resolve() if data else data_dir(root, year),
            params_file=params_file(root, year),
            out_dir=Path(out).resolve() if out else output_dir(root, year),
            notebooks=sorted((root / "notebooks").glob("[0-9][0-9]-*.ipynb")),
        )

    def inputs(self) -> list[Path]:
        """Every file whose change must trigger a new build."""
        package = sorted((self.root / "src" / "informe").rglob("*.py"))
        book = [self.root / "_quarto.yml", self.root / "index.qmd", *sorted((self.root / "book").glob("*"))]
        data = sorted(p for p in self.data_dir.glob("*.xlsx"))
        prior = sorted((self.data_dir.parent / str(self.year - 1)).glob("*.xlsx"))
        prior_params = params_file(self.root, self.year - 1)  # decides whether the prior year is comparable
        prior += [prior_params] if prior_params.is_file() else []
        return [*data, *prior, self.params_file, *self.notebooks, *package, *(p for p in book if p.is_file())]

    def notebook_parameters(self) -> dict:
        """Papermill parameters, as paths relative to where the executed notebooks are published.

        Relative paths keep the committed notebooks re-executable (nbval) from any clone.
        """
        where = self.out_dir / "notebooks"
        params = {"year": self.year, "root": os.path.relpath(self.root, where)}
        if self.data_dir != data_dir(self.root, self.year):
            params["data_dir"] = os.path.relpath(self.data_dir, where)
        return params

    def name(self, path: Path) -> str:
        """``path`` relative to the project (absolute when outside it)."""
        return str(path.relative_to(self.root) if path.is_relative_to(self.root) else path)

    def input_hashes(self) -> dict[Path, str]:
        """SHA-256 of every input, read once per build."""
        return {p: file_sha256(p) for p in self.inputs()}

    def fingerprint(self, hashes: dict[Path, str]) -> str:
        """One digest of all the inputs: a rebuild is skipped when it is unchanged."""
        digest = hashlib.sha256()
        for path, file_hash in hashes.items():
            digest.update(self.name(path).encode())
            digest.update(file_hash.encode())
        return digest.hexdigest()


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def git_commit(root: Path) -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True,
                             timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True,
                               timeout=10).stdout.strip()
        return (out.stdout.strip() or "desconocido") + ("-modificado" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "desconocido"


def previous_build(out_dir: Path) -> dict:
    info = out_dir / BUILD_INFO
    try:
        return json.loads(info.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def publish(staging: Path, out_dir: Path) -> None:
    """Replace ``out_dir`` by ``staging`` (same file system): the old outputs go only after the new are in place."""
    old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
    if out_dir.exists():
        out_dir.rename(old)
    staging.rename(out_dir)
    shutil.rmtree(old, ignore_errors=True)


def _print_times(console: Console, results: list[NotebookResult], titles: dict[Path, str]) -> None:
    table = RichTable(title="Tiempo por sección", show_edge=False)
    table.add_column("Sección")
    table.add_column("Cuaderno")
    table.add_column("Segundos", justify="right")
    table.add_column("Estado")
    for r in results:
        table.add_row(titles[r.source], r.source.name, f"{r.seconds:.1f}", "ok" if r.ok else "[red]falló[/red]")
    console.print(table)


def execute_phase(plan: BuildPlan, staging: Path, console: Console, jobs: int | None) -> list[NotebookResult]:
    titles = {nb: section_title(nb) for nb in plan.notebooks}
    (staging / "notebooks").mkdir(parents=True)
    with Progress(TextColumn("[bold]Ejecutando secciones"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=False) as progress:
        task = progress.add_task("secciones", total=len(plan.notebooks))
        results = run_notebooks(plan.notebooks, staging / "notebooks", plan.notebook_parameters(),
                                staging / "notebooks", jobs, on_done=lambda _r: progress.advance(task))
    _print_times(console, results, titles)
    for r in results:
        if not r.ok:
            where = f"celda {r.cell}" if r.cell is not None else "arranque del kernel"
            console.print(f"[red]Falló la sección «{titles[r.source]}» ({r.source.name}), {where}: {r.error}[/red]")
    return results


def build_report(year: int, data: Path | None, out: Path | None, console: Console, jobs: int | None = None,
                 force: bool = False, root: Path | None = None, engine: str = "auto") -> int:
    """Validate, execute the notebooks and publish ``outputs/<year>``; return the exit code."""
    plan = BuildPlan.create(year, root or find_project_root(), data, out)
    timings: dict[str, float] = {}
    try:
        params = load_params(plan.params_file)
    except ParamsError as exc:
        console.print(f"[red]{exc}[/red]")
        return EXIT_ERRORS
    console.print(f"Informe de Gestión {params.year} (corte {params.cutoff:%d/%m/%Y})"
                  + (" — DATOS DE DEMOSTRACIÓN" if params.demo else ""))

    start = time.perf_counter()
    report = validate_dir(plan.data_dir)
    timings["validate"] = time.perf_counter() - start
    print_report(report, console)
    if report.exit_code:
        console.print(f"[red]Construcción detenida: los datos no son válidos; {plan.out_dir} no se modificó.[/red]")
        return report.exit_code

    hashes = plan.input_hashes()
    digest = plan.fingerprint(hashes)
    if not force and previous_build(plan.out_dir).get("fingerprint") == digest:
        console.print(f"Sin cambios desde la última construcción: {plan.out_dir} está al día "
                      "(use --force para ejecutar de nuevo).")
        timings["execute"] = 0.0
        _write_timings(plan.out_dir, timings)
        return 0

    plan.out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = plan.out_dir.with_name(f".{plan.out_dir.name}.building-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        start = time.perf_counter()
        results = execute_phase(plan, staging, console, jobs)
        timings["execute"] = time.perf_counter() - start
        if not all(r.ok for r in results):
            console.print(f"[red]Construcción fallida; {plan.out_dir} no se modificó.[/red]")
            return EXIT_ERRORS
        info = {
            "year": year, "demo": params.demo, "built_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "commit": git_commit(plan.root), "fingerprint": digest, "timings": timings,
            "inputs": {plan.name(p): h for p, h in hashes.items() if p.suffix in (".xlsx", ".yml")},
            "notebooks": {r.source.name: round(r.seconds, 2) for r in results},
        }
        start = time.perf_counter()
        try:
            book = render_book(plan.root, staging / "notebooks", staging / ".work", staging, params, info, engine)
        except BookError as exc:
            console.print(f"[red]No se pudo generar el libro: {exc}[/red]")
            console.print(f"[red]Construcción fallida; {plan.out_dir} no se modificó.[/red]")
            return EXIT_ERRORS
        timings["render"] = time.perf_counter() - start
        shutil.rmtree(staging / ".work", ignore_errors=True)
        info["engine"] = book.engine
        (staging / BUILD_INFO).write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")
        publish(staging, plan.out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    engine_name = "Quarto" if book.engine == "quarto" else "pip (pandoc + typst)"
    console.print(f"[green]Informe construido con el motor {engine_name}.[/green]")
    console.print(f"  PDF:  {plan.out_dir / book.pdf.name}")
    console.print(f"  HTML: {plan.out_dir / 'book' / 'index.html'}")
    console.print(f"  Cuadernos ejecutados: {plan.out_dir / 'notebooks'}")
    return 0


def _write_timings(out_dir: Path, timings: dict[str, float]) -> None:
    """Record the timings of a no-change build without touching the published outputs."""
    (out_dir.parent / f".{out_dir.name}.last-run.json").write_text(json.dumps({"timings": timings}),
                                                                 encoding="utf-8")
