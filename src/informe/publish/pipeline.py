"""``informe build``: validate a year once, execute only the sections whose inputs changed, publish atomically.

Everything is written into a staging folder next to the output folder; only a
fully successful build replaces ``outputs/<year>/`` (rename, then the old copy
is removed). A failed or interrupted build leaves the previous outputs exactly
as they were. One build at a time per output folder (a lock), and only over an
empty folder or a previous informe output (see :mod:`.workspace`).

Incremental builds
------------------
* The build fingerprint covers every input file (data, prior year, params,
  notebooks, package code, book sources), the engine and the versions of the
  libraries and tools (pandoc, typst, Quarto). When it is unchanged and every
  output of the last build is still there, nothing runs (no validation either).
* Otherwise the data are validated once and written as a snapshot (parquet per
  sheet) that every notebook loads. Each notebook records which sheets it read
  (and whether it used the whole year's checks); a section is re-executed only
  when something it read, its notebook, its parameters or the code changed;
  the other executed notebooks of the last build are reused.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table as RichTable

from ..data.params import Params, ParamsError, load_params
from ..paths import data_dir, find_project_root, output_dir, params_file
from .chapters import PIECES, ChapterPieces
from .execute import NotebookJob, NotebookRunner
from .forkkernel import ForkServer, start_fork_server
from .lock import LockBusy, OutputLock
from .sections import SectionError, declared_sections
from .signals import Interrupted, interruptible
from .tools import environment
from .workspace import (
    BUILD_INFO,
    OutputDirError,
    check_output_dir,
    make_staging,
    publish,
    remove_kernel_leftovers,
    remove_leftovers,
)

if TYPE_CHECKING:
    from ..data.validation import ValidationReport
    from ..data.validation_cache import WorkbookCache
    from .html_book import PageCache

# Imported where they are used, not here: pandas (≈0,45 s), pandera (≈0,6 s more) and the book's tools (≈1 s)
# would otherwise be imported before the fork server and the workers start, and a cold build on two cores waits
# for them (``python -X importtime``; the fork server imports the same while the data are validated).

EXIT_ERRORS, EXIT_UNUSABLE = 1, 2  # as informe.data.validation (not imported: it loads pandera)
SNAPSHOT = ".snapshot"
READS = ".reads"
VALIDATED = ".validados"  # each workbook's validation, kept with the outputs for the next build
EVERYTHING = [["current", "*", "*"], ["prior", "*", "*"]]  # what a notebook that recorded nothing may have read
TEXT_NOTEBOOK = "texto"  # the generic narrative notebook, run once per text-only chapter


@dataclass
class BuildPlan:
    """Where a build reads from and writes to."""

    year: int
    root: Path
    data_dir: Path
    params_file: Path
    out_dir: Path
    notebooks: list[Path] = field(default_factory=list)  # every section notebook of the project
    sections: list = field(default_factory=list)  # the year's chapters as NotebookJob (see :meth:`plan_chapters`)
    titles: dict[str, str] = field(default_factory=dict)  # executed notebook name → chapter title

    @classmethod
    def create(cls, year: int, root: Path, data: Path | None = None, out: Path | None = None) -> BuildPlan:
        root = Path(root).resolve()
        return cls(
            year=year,
            root=root,
            data_dir=Path(data).resolve() if data else data_dir(root, year),
            params_file=params_file(root, year),
            out_dir=Path(out).resolve() if out else output_dir(root, year),
            notebooks=sorted((root / "notebooks").glob("*.ipynb")),
        )

    def plan_chapters(self, params) -> list[str]:
        """The year's chapters (``params/<year>.yml``) as the jobs to execute: a data chapter runs its notebook,
        a text-only chapter the generic narrative notebook; each is written as ``NN-<slug>.ipynb``, NN its
        position in the book. Returns the problems (a declared notebook that does not exist)."""
        problems = []
        self.sections, self.titles = [], {}
        try:
            declared = declared_sections(self.root)
        except SectionError as exc:
            return [f"notebooks/{exc}"]
        for position, chapter in enumerate(params.chapters, start=1):
            source = self.root / "notebooks" / f"{chapter.notebook or TEXT_NOTEBOOK}.ipynb"
            if not source.is_file():
                problems.append(f"params/{params.year}.yml, capítulo «{chapter.slug}»: no existe el cuaderno "
                                f"notebooks/{source.name}; corrija la clave notebook o quítela si el capítulo es "
                                "solo texto")
                continue
            if source.stem not in declared:
                problems.append(f"params/{params.year}.yml, capítulo «{chapter.slug}»: el cuaderno "
                                f"notebooks/{source.name} no está declarado en notebooks/secciones.yml; declárelo "
                                "allí (módulo, hojas que lee, bloques)")
                continue
            name = f"{position:02d}-{chapter.slug}.ipynb"
            self.sections.append(NotebookJob(source, name, {"chapter": chapter.slug}))
            self.titles[name] = chapter.title
        return problems

    def package_files(self) -> list[Path]:
        """Every file of the package: its code and its data (``quality-findings.yml``), not bytecode."""
        return sorted(p for p in (self.root / "src" / "informe").rglob("*")
                      if p.is_file() and "__pycache__" not in p.parts and p.suffix not in (".pyc", ".pyo"))

    def inputs(self) -> list[Path]:
        """Every file whose change must trigger a new build."""
        book = [self.root / "_quarto.yml", self.root / "index.qmd", *sorted((self.root / "book").rglob("*"))]
        data = sorted(p for p in self.data_dir.glob("*.xlsx"))
        data += sorted(p for p in (self.data_dir / "textos").glob("*") if p.is_file())
        prior = sorted((self.data_dir.parent / str(self.year - 1)).glob("*.xlsx"))
        prior_params = self.params_file.with_name(f"{self.year - 1}.yml")
        return [*data, *prior, self.params_file, *([prior_params] if prior_params.is_file() else []),
                *self.notebooks, *self.package_files(), *(p for p in book if p.is_file())]

    def notebook_parameters(self) -> dict:
        """Papermill parameters, as paths relative to where the executed notebooks are published.

        Relative paths keep the committed notebooks re-executable (nbval) from any clone; written with
        forward slashes (which Windows accepts too), so that a notebook built on Windows is the same.
        """
        where = self.out_dir / "notebooks"
        params = {"year": self.year, "root": relative_posix(self.root, where)}
        if self.data_dir != data_dir(self.root, self.year):
            params["data_dir"] = relative_posix(self.data_dir, where)
        return params

    def name(self, path: Path) -> str:
        """``path`` relative to the project (absolute when outside it)."""
        return str(path.relative_to(self.root) if path.is_relative_to(self.root) else path)

    def input_hashes(self) -> dict[Path, str]:
        """SHA-256 of every input, read once per build."""
        return {p: file_sha256(p) for p in self.inputs()}

    def fingerprint(self, hashes: dict[Path, str], env: dict | None = None) -> str:
        """One digest of all the inputs, the engine and the tool versions: a build is skipped when unchanged."""
        digest = hashlib.sha256()
        for path, file_hash in hashes.items():
            digest.update(self.name(path).encode())
            digest.update(file_hash.encode())
        digest.update(json.dumps(env or {}, sort_keys=True).encode())
        digest.update(json.dumps(self.notebook_parameters(), sort_keys=True).encode())
        return digest.hexdigest()


def relative_posix(path: Path, start: Path, flavour=os.path) -> str:
    """``path`` relative to ``start`` (``..`` allowed), with forward slashes on every platform."""
    relative = flavour.relpath(str(path), str(start))
    return relative.replace(flavour.sep, "/")


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def sha256_json(value) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


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
        data = json.loads(info.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def output_files(out_dir: Path) -> dict[str, int]:
    """Every published file (but build-info.json) and its size."""
    return {str(p.relative_to(out_dir)): p.stat().st_size for p in sorted(out_dir.rglob("*"))
            if p.is_file() and p.name != BUILD_INFO}


def outputs_intact(out_dir: Path, info: dict) -> bool:
    """Every output the last build recorded is still there, with its size."""
    recorded = info.get("outputs")
    if not isinstance(recorded, dict) or not recorded:
        return False
    for name, size in recorded.items():
        path = out_dir / name
        try:
            if path.stat().st_size != size:
                return False
        except OSError:
            return False
    return True


# --------------------------------------------------------------------------
# Sections: what each one read, and whether it must run again
# --------------------------------------------------------------------------

def code_fingerprint(plan: BuildPlan, hashes: dict[Path, str], env: dict) -> str:
    """What every section depends on besides its data: the package code and the library versions."""
    package = {plan.name(p): hashes.get(p) or file_sha256(p) for p in plan.package_files()}
    return sha256_json({"package": package, "versions": env["versions"]})


def section_fingerprint(notebook_sha: str, code: str, parameters: dict, manifests: dict[str, dict],
                        reads: list) -> str:
    """Digest of everything one section's output depends on: its notebook, the code, its parameters, the
    parameters of the years it sees, and the validated content of every sheet it read (``*/*``: all of
    them, with the checks and problems; ``*/checks``, ``*/problems``: the year's check results, its schema
    problems)."""
    years = {tag: {"year": m["year"], "params": m["params_sha256"]} for tag, m in manifests.items()}
    seen = {}
    for tag, filename, sheet in sorted(tuple(r) for r in reads):
        manifest = manifests.get(tag)
        if manifest is None:
            value = None
        elif filename == "*":  # the whole year, or one of its parts (the check results, the problems)
            value = manifest["all_sha256"] if sheet == "*" else manifest.get("parts_sha256", {}).get(sheet)
        else:
            value = next((s["sha256"] for s in manifest["sheets"] if (s["file"], s["sheet"]) == (filename, sheet)),
                         None)
        seen[f"{tag}/{filename}/{sheet}"] = value
    return sha256_json({"notebook": notebook_sha, "code": code, "parameters": parameters, "years": years,
                        "reads": seen})


@dataclass
class SectionPlan:
    job: NotebookJob
    notebook_sha: str
    reuse: bool
    reads: list = field(default_factory=list)

    @property
    def source(self) -> Path:
        return self.job.source

    @property
    def name(self) -> str:
        return self.job.name


def plan_sections(plan: BuildPlan, previous: dict, hashes: dict[Path, str], code: str, manifests: dict,
                  force: bool) -> list[SectionPlan]:
    """Which sections run and which reuse the last build's executed notebook."""
    found = previous.get("sections")
    before: dict = found if isinstance(found, dict) else {}
    sections = []
    for job in plan.sections:
        parameters = {**plan.notebook_parameters(), **job.parameters}
        sha = hashes.get(job.source) or file_sha256(job.source)
        last = before.get(job.name) or {}
        reads = last.get("reads")
        reuse = (not force and isinstance(reads, list) and last.get("fingerprint") is not None
                 and (plan.out_dir / "notebooks" / job.name).is_file()
                 and last["fingerprint"] == section_fingerprint(sha, code, parameters, manifests, reads))
        sections.append(SectionPlan(job, sha, reuse, reads if reuse and isinstance(reads, list) else []))
    return sections


# --------------------------------------------------------------------------
# Phases
# --------------------------------------------------------------------------

def _print_times(console: Console, rows: list[tuple[str, str, str, str]]) -> None:
    table = RichTable(title="Secciones", show_edge=False)
    table.add_column("Sección")
    table.add_column("Cuaderno")
    table.add_column("Segundos", justify="right")
    table.add_column("Estado")
    for row in rows:
        table.add_row(*row)
    console.print(table)


def execute_phase(plan: BuildPlan, staging: Path, console: Console, runner, sections: list[SectionPlan]):
    """Run the sections that must run (reading the snapshot) on ``runner`` (the build's
    :class:`~informe.publish.execute.NotebookRunner`), copy the reused ones; print the table."""
    from .downloads import copy_table_data  # pandas

    executed = staging / "notebooks"
    executed.mkdir(parents=True)
    (staging / READS).mkdir()
    to_run = [s.job for s in sections if not s.reuse]

    def copy_reused() -> None:  # while the sections run: it is not what they wait for
        for s in sections:
            if s.reuse:
                shutil.copy2(plan.out_dir / "notebooks" / s.name, executed / s.name)
                copy_table_data(plan.out_dir / "notebooks" / s.name, executed)  # its tables' download data

    def kernel_env(job) -> dict[str, str]:
        return {"INFORME_SNAPSHOT": str(staging / SNAPSHOT),
                "INFORME_READS": str(staging / READS / f"{Path(job.name).stem}.json")}

    results = []
    if to_run:
        with Progress(TextColumn("[bold]Ejecutando secciones"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console, transient=False) as progress:
            task = progress.add_task("secciones", total=len(to_run))
            results = runner.run(to_run, executed, plan.notebook_parameters(), executed,
                                 on_done=lambda _r: progress.advance(task), env=kernel_env, meanwhile=copy_reused)
    else:
        copy_reused()
    by_name = {r.output.name: r for r in results}
    rows = []
    for s in sections:
        title = plan.titles.get(s.name, s.name)
        r = by_name.get(s.name)
        if r is None:
            rows.append((title, s.name, "—", "reutilizada"))
        else:
            rows.append((title, s.name, f"{r.seconds:.1f}", "ejecutada" if r.ok else "[red]falló[/red]"))
    _print_times(console, rows)
    for r in results:
        if not r.ok:
            where = f"celda {r.cell}" if r.cell is not None else "arranque del kernel"
            console.print(f"[red]Falló la sección «{plan.titles.get(r.output.name, r.output.name)}» "
                          f"({r.output.name}, cuaderno {r.source.name}), {where}: {r.error}[/red]", soft_wrap=True)
    return results


@dataclass
class Session:
    """What the consecutive builds of one ``informe preview`` keep between them, in memory.

    * **Kernels kept warm**: the notebook runner — its workers, with papermill imported, and its fork server,
      with ipykernel, pandas, matplotlib and the sections' modules imported (see :mod:`.forkkernel`) — lives as
      long as the session: a section that must run again gets a fresh kernel forked from it at once, instead of
      a build starting and importing all of that first (restarted when the package code changes: the server
      would hold the former modules).
    * **Validation in memory**: the last good build's validated workbooks and texts, reused for the files
      whose bytes did not change (see :class:`~informe.data.validation_cache.WorkbookCache`).
    * **Pages**: the book's pages made from each chapter's HTML (see :class:`~.html_book.PageCache`): only
      the chapters whose HTML changed are parsed and prepared again.

    :meth:`close` ends the workers, the kernels and the fork server.
    """

    runner: NotebookRunner | None = None
    code: str = ""  # the package code the runner's fork server imported
    validation: WorkbookCache | None = None
    pages: PageCache | None = None  # imported with the book's tools
    unindexed: Path | None = None  # a published HTML book whose search index is the previous build's
    on_published: Callable[[], None] | None = None  # called once a build's outputs are in place (pages reload)

    def index_search(self) -> None:
        """The search index of the last published HTML book, when the build left the previous one there (the
        open pages reload first: pagefind takes ~0,15 s). Its files are not among the build's recorded outputs."""
        from .html_book import index_search

        book, self.unindexed = self.unindexed, None
        if book is not None and book.is_dir():
            index_search(book)

    def runner_for(self, jobs: int, code: str, root: Path, server: ForkServer | None = None) -> NotebookRunner:
        """The session's runner, started now when there is none or it imported another code. It owns ``server``,
        the fork server a build starts when its session has no runner yet (else it starts one of its own)."""
        if self.runner is not None and self.code != code:
            self.close()
        if self.runner is None:
            server = server or start_fork_server(root=root)
            self.runner = NotebookRunner(max(1, jobs), fork=server is not None, server=server)
            self.code = code
        return self.runner

    def drop_runner(self) -> None:
        """End the runner at once (a build failed or was interrupted while it ran): the next build starts one."""
        if self.runner is not None:
            self.runner.abort()
            self.runner = None

    def close(self) -> None:
        if self.runner is not None:
            self.runner.close()
            self.runner = None


@dataclass
class BuildContext:
    """One run of ``informe build``: what its phases share (instead of passing each piece by position).

    Filled as the build goes: the fingerprint's pieces (``env``, ``hashes``, ``digest``, ``previous``,
    ``code``), then the validation and its cache, then the staging folder and the notebook runner."""

    plan: BuildPlan
    console: Console
    params: Params
    force: bool = False
    engine: str = "auto"
    jobs: int | None = None
    pdf: bool = True  # False: the HTML book only (informe preview)
    server: ForkServer | None = None
    session: Session | None = None  # what consecutive builds keep (informe preview)
    timings: dict[str, float] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    hashes: dict[Path, str] = field(default_factory=dict)
    digest: str = ""
    previous: dict = field(default_factory=dict)
    code: str = ""


@dataclass
class Validated:
    """What the build has once the data passed validation: the report is computed and published from it."""

    validation: ValidationReport
    cache: WorkbookCache
    staging: Path
    runner: NotebookRunner


def build_report(year: int, data: Path | None, out: Path | None, console: Console, jobs: int | None = None,
                 force: bool = False, root: Path | None = None, engine: str = "auto", wait: bool = True,
                 pdf: bool = True, session: Session | None = None) -> int:
    """Validate, execute the sections that changed and publish ``outputs/<year>``; return the exit code.
    ``pdf=False``: the HTML book only (``informe preview``; its own output folder, never ``outputs/<year>``).
    ``session``: what the previous builds of the same process kept (warm kernels, validation, pages; see
    :class:`Session`).

    Exit codes: 0 built or up to date, 1 invalid data / failed section / output folder busy,
    2 unusable input or output folder, 130/143 interrupted (SIGINT/SIGTERM).
    """
    plan = BuildPlan.create(year, root or find_project_root(), data, out)
    default_out = output_dir(plan.root, year)
    try:
        check_output_dir(plan.out_dir, default_out)
        with interruptible():
            try:
                with OutputLock(plan.out_dir, wait, on_wait=lambda holder: console.print(
                        f"Otra construcción ({holder}) está escribiendo en {plan.out_dir}; esperando a que termine…",
                        soft_wrap=True)):
                    check_output_dir(plan.out_dir, default_out)  # it may have changed while waiting
                    remove_leftovers(plan.out_dir)
                    remove_kernel_leftovers()
                    return _build(plan, console, jobs, force, engine, pdf, session)
            except Interrupted as exc:
                console.print(f"[red]Interrumpido: {plan.out_dir} no se modificó.[/red]", soft_wrap=True)
                return exc.exit_code
    except OutputDirError as exc:
        console.print(f"[red]No se construye: {exc}[/red]", soft_wrap=True)
        return EXIT_UNUSABLE
    except LockBusy as exc:
        console.print(f"[red]Otra construcción ({exc}) está escribiendo en {plan.out_dir}: espere a que termine "
                      "o ejecute sin --no-wait para esperarla.[/red]", soft_wrap=True)
        return EXIT_ERRORS


@contextmanager
def frozen_heap():
    """``gc.freeze()`` for the block: the objects that exist now (the imported modules' — pandas, pandera,
    papermill…) are left out of every garbage collection until it ends."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _build(plan: BuildPlan, console: Console, jobs: int | None, force: bool, engine: str, pdf: bool = True,
           session: Session | None = None) -> int:
    try:
        params = load_params(plan.params_file)
    except ParamsError as exc:
        console.print(f"[red]{exc}[/red]")
        return EXIT_ERRORS
    missing = plan.plan_chapters(params)
    if missing:
        for line in missing:
            console.print(f"[red]{line}[/red]", soft_wrap=True)
        return EXIT_ERRORS
    console.print(f"Informe de Gestión {params.year} (corte {params.cutoff:%d/%m/%Y})"
                  + (" — DATOS DE DEMOSTRACIÓN" if params.demo else ""))

    # The kernels' fork server starts before anything else, while the fingerprint is computed: it has the
    # most to import (ipykernel, pandas, matplotlib, the report's modules) and, on two cores, would
    # otherwise be what the first section waits for. Ended at once when nothing has to run. A session's runner
    # has its own, already warm.
    server = None if session is not None and session.runner is not None else start_fork_server(root=plan.root)
    ctx = BuildContext(plan, console, params, force, engine, jobs, pdf, server=server, session=session)
    try:
        return _build_or_skip(ctx)
    finally:
        if ctx.server is not None:
            ctx.server.close(now=True)  # already ended by the runner, unless it never got that far


def _build_or_skip(ctx: BuildContext) -> int:
    plan, console, timings = ctx.plan, ctx.console, ctx.timings
    start = time.perf_counter()
    ctx.env = {**environment(ctx.engine), **({} if ctx.pdf else {"pdf": "no"})}
    ctx.hashes = plan.input_hashes()
    ctx.digest = plan.fingerprint(ctx.hashes, ctx.env)
    ctx.previous = previous_build(plan.out_dir)
    timings["fingerprint"] = time.perf_counter() - start
    if not ctx.force and ctx.previous.get("fingerprint") == ctx.digest and outputs_intact(plan.out_dir, ctx.previous):
        console.print(f"Sin cambios desde la última construcción: {plan.out_dir} está al día "
                      "(use --force para ejecutar de nuevo).", soft_wrap=True)
        timings["execute"] = 0.0
        _write_timings(plan.out_dir, timings)
        return 0

    # The workers start now, with the fork server already importing: they import papermill while this
    # process imports pandas and pandera and validates the data. Leaving the block ends them and the
    # server (at once if the build is failing or interrupted).
    ctx.code = code_fingerprint(plan, ctx.hashes, ctx.env)
    with _notebook_runner(ctx) as runner:
        from ..data.validation import print_report, validate_dir  # pandera: while the workers start
        from ..data.validation_cache import WorkbookCache

        # What was imported stays until the build ends: the garbage collector need not walk it again
        # and again while the data are validated and the book rendered.
        with frozen_heap():
            start = time.perf_counter()
            # A workbook whose bytes, year, code and library versions are those of the last build is not
            # read again (never with --force); the cross-sheet checks always run on the whole year.
            memory = ctx.session.validation if ctx.session is not None and not ctx.force else None
            cache = WorkbookCache(None if ctx.force else plan.out_dir / VALIDATED, ctx.code, memory)
            validation = validate_dir(plan.data_dir, year=plan.year, cache=cache)
            timings["validate"] = time.perf_counter() - start
            if ctx.session is not None:
                ctx.session.validation = cache  # what the next build of the session reuses
            print_report(validation, console)
            if cache.hits or cache.texts.hits:
                console.print(f"Validación reutilizada de la última construcción (archivos idénticos): "
                              f"{', '.join(cache.hits + cache.texts.hits)}.", soft_wrap=True)
            if validation.exit_code:
                console.print(f"[red]Construcción detenida: los datos no son válidos; {plan.out_dir} no se "
                              "modificó.[/red]")
                return validation.exit_code

            staging = make_staging(plan.out_dir)
            try:
                return _build_in(ctx, Validated(validation, cache, staging, runner))
            except BaseException:
                # Interrupted or failing while kernels run: they write into the staging folder (their
                # tables' data) until they are ended, so they end before it is removed (else a file
                # written during the removal leaves the folder behind).
                runner.abort()
                raise
            finally:
                shutil.rmtree(staging, ignore_errors=True)


@contextmanager
def _notebook_runner(ctx: BuildContext):
    """The build's notebook runner: its own, ended with the build (at once when it fails), or its session's,
    kept for the next build (ended at once when the build fails while it runs)."""
    jobs = max(1, min(ctx.jobs or os.cpu_count() or 1, len(ctx.plan.sections)))
    if ctx.session is None:
        with NotebookRunner(jobs, fork=ctx.server is not None, server=ctx.server) as runner:
            yield runner
        return
    runner = ctx.session.runner_for(ctx.jobs or os.cpu_count() or 1, ctx.code, ctx.plan.root, ctx.server)
    ctx.server = None  # the session's runner owns it now
    try:
        yield runner
    except BaseException:
        ctx.session.drop_runner()
        raise


def _build_in(ctx: BuildContext, done: Validated) -> int:
    # pandas, the report's modules and the book's tools: imported once the workers run (see the module's top)
    from ..data.snapshot import load_reads
    from ..data.validation import plural, print_problems
    from ..report.chapter import check_texts
    from ..report.display import DOWNLOADS_DIR
    from ..report.report import ReportDataError, load_report, write_report_snapshot
    from ..report.sections.summary import key_figures_markdown
    from .book import BookError, render_book
    from .downloads import PreviousDownloads, downloads_sha256
    from .html_book import PageCache, link_tree

    plan, console, timings, params = ctx.plan, ctx.console, ctx.timings, ctx.params
    staging, runner, cache, code, previous = done.staging, done.runner, done.cache, ctx.code, ctx.previous
    start = time.perf_counter()
    try:
        report = load_report(plan.year, plan.data_dir, plan.params_file, plan.root, validation=done.validation)
    except ReportDataError as exc:
        console.print(f"[red]{exc}[/red]")
        return EXIT_ERRORS
    text_problems = check_texts(report)
    print_problems(text_problems, console)
    if any(p.is_error for p in text_problems):
        console.print(f"[red]Construcción detenida: los textos tienen errores; {plan.out_dir} no se modificó.[/red]",
                      soft_wrap=True)
        return EXIT_ERRORS
    report.problems = list(report.problems) + text_problems  # the annex lists them
    manifests = write_report_snapshot(report, staging / SNAPSHOT)
    timings["snapshot"] = time.perf_counter() - start

    sections = plan_sections(plan, previous, ctx.hashes, code, manifests, ctx.force)
    start = time.perf_counter()
    results = execute_phase(plan, staging, console, runner, sections)
    if ctx.session is None:
        runner.close()  # the workers and the fork server end now, before the book is rendered
    timings["execute"] = time.perf_counter() - start
    if not all(r.ok for r in results):
        console.print(f"[red]Construcción fallida; {plan.out_dir} no se modificó.[/red]")
        return EXIT_ERRORS

    parameters = plan.notebook_parameters()
    seconds = {r.output.name: r.seconds for r in results}
    section_info = {}
    for s in sections:
        if s.reuse:
            reads = s.reads
        else:
            reads = load_reads(staging / READS / f"{Path(s.name).stem}.json") or EVERYTHING
            reads = [list(r) for r in reads]
        section_info[s.name] = {
            "ran": not s.reuse, "seconds": round(seconds.get(s.name, 0.0), 2), "reads": sorted(reads),
            "notebook": s.source.name, "title": plan.titles.get(s.name, ""),
            "fingerprint": section_fingerprint(s.notebook_sha, code, {**parameters, **s.job.parameters}, manifests,
                                               reads)}
    last_seconds = previous.get("notebooks")
    before: dict = last_seconds if isinstance(last_seconds, dict) else {}
    info = {
        "year": plan.year, "demo": params.demo,
        "built_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "commit": git_commit(plan.root), "fingerprint": ctx.digest, "timings": timings,
        # The files read into the report (the prior year's only when it was compared), named without any
        # absolute path: relative to the project, or to the data folder's parent when the data is elsewhere.
        "inputs": {_input_name(plan, p): h for p, h in ctx.hashes.items()
                   if (p.suffix == ".xlsx" or (p.suffix == ".yml" and p.parent == plan.params_file.parent)
                       or p.parent == plan.data_dir / "textos")
                   and (report.prior is not None or not _prior_year_file(plan, p))},
        "data_dir": _input_name(plan, plan.data_dir),
        "notebooks": {name: (s["seconds"] if s["ran"] else before.get(name, 0.0))
                      for name, s in section_info.items()},
        "sections": section_info,
        "validation_reused": list(cache.hits + cache.texts.hits),
        "code": code,  # package code and library versions (downloads are reused under the same)
        "environment": ctx.env,
    }
    start = time.perf_counter()
    # The pip-only engine converts again only the chapters whose Markdown changed (never with --force).
    pieces = ChapterPieces(None if ctx.force else plan.out_dir / PIECES)
    # The unchanged tables' download files are copied from the last build when its code was this one
    # and they are still what it published.
    downloads = plan.out_dir / "book" / DOWNLOADS_DIR
    published_sha = previous.get("downloads_sha256")
    reuse = (PreviousDownloads(downloads, published_sha)
             if not ctx.force and previous.get("code") == code and isinstance(published_sha, dict)
             and downloads.is_dir() and not downloads.is_symlink() else None)
    if ctx.session is not None and not isinstance(ctx.session.pages, PageCache):
        ctx.session.pages = PageCache()
    # A session (informe preview) publishes the pages with the previous search index; Session.index_search makes
    # the new one once the open pages have reloaded.
    previous_index = plan.out_dir / "book" / "pagefind"
    search = ctx.session is None or not previous_index.is_dir() or previous_index.is_symlink()
    try:
        book = render_book(plan.root, staging / "notebooks", staging / ".work", staging, params, info, ctx.engine,
                           pieces, reuse, chapters=[s.name for s in sections], home=key_figures_markdown(report),
                           pdf=ctx.pdf, pages=ctx.session.pages if ctx.session is not None else None,
                           search=search)
    except BookError as exc:
        console.print(f"[red]No se pudo generar el libro: {exc}[/red]")
        console.print(f"[red]Construcción fallida; {plan.out_dir} no se modificó.[/red]")
        return EXIT_ERRORS
    timings["render"] = time.perf_counter() - start
    for work in (".work", SNAPSHOT, READS):
        shutil.rmtree(staging / work, ignore_errors=True)
    cache.save(staging / VALIDATED)
    pieces.save(staging / PIECES)
    if not search and book.engine == "pandoc":
        link_tree(previous_index, staging / "book" / "pagefind")
    info["engine"] = book.engine
    info["chapters_reused"] = dict(pieces.reused)  # per pandoc output format
    info["downloads_sha256"] = downloads_sha256(staging / "book" / DOWNLOADS_DIR)
    deferred = not search and book.engine == "pandoc"  # the search index: remade after the reload
    info["outputs"] = {name: size for name, size in output_files(staging).items()
                       if not name.startswith(".") and not (deferred and Path(name).parts[:2] == ("book", "pagefind"))}
    (staging / BUILD_INFO).write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")
    publish(staging, plan.out_dir, ctx.session.on_published if ctx.session is not None else None)
    if not search and book.engine == "pandoc" and ctx.session is not None:
        ctx.session.unindexed = plan.out_dir / "book"
    ran = sum(s["ran"] for s in section_info.values())
    engine_name = "Quarto" if book.engine == "quarto" else "pip (pandoc + typst)"
    console.print(f"[green]Informe construido con el motor {engine_name} "
                  f"({plural(ran, 'sección ejecutada', 'secciones ejecutadas')}, "
                  f"{plural(len(section_info) - ran, 'reutilizada', 'reutilizadas')}).[/green]")
    if book.pdf is not None:
        console.print(f"  PDF:  {plan.out_dir / book.pdf.name}", soft_wrap=True)
    console.print(f"  HTML: {plan.out_dir / 'book' / 'index.html'}", soft_wrap=True)
    console.print(f"  Cuadernos ejecutados: {plan.out_dir / 'notebooks'}", soft_wrap=True)
    return 0


def _input_name(plan, path: Path) -> str:
    """An input's name in build-info.json and the colophon: never an absolute path."""
    return plan.name(path) if path.is_relative_to(plan.root) else relative_posix(path, plan.data_dir.parent)


def _prior_year_file(plan, path: Path) -> bool:
    prior = str(plan.year - 1)
    return path.parent == plan.data_dir.parent / prior or path == plan.params_file.with_name(f"{prior}.yml")


def _write_timings(out_dir: Path, timings: dict[str, float]) -> None:
    """Record the timings of a no-change build without touching the published outputs."""
    (out_dir.parent / f".{out_dir.name}.last-run.json").write_text(json.dumps({"timings": timings}),
                                                                 encoding="utf-8")
