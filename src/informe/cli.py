"""Command-line interface: ``informe validate | template | contract-doc | build | diff``.

Every command prints its findings in Spanish and exits with a meaningful code;
no Python traceback ever reaches the analyst (see :func:`main`). The help screens
and usage errors are in Spanish too (see :mod:`informe.cli_spanish`).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from . import cli_spanish
from .paths import data_dir as default_data_dir
from .paths import find_project_root

EXIT_UNUSABLE = 2  # = informe.data.validation.EXIT_UNUSABLE, not imported so that the CLI starts fast

cli_spanish.install()
app = typer.Typer(add_completion=False, no_args_is_help=True, help="Informe de Gestión de la ACI Medellín.",
                  context_settings={"help_option_names": ["--help", "-h"]})
console = Console()
err_console = Console(stderr=True)


PROJECT_ROOT = find_project_root()


def informe_version() -> str:
    from importlib.metadata import PackageNotFoundError  # 0.05 s: only for --version
    from importlib.metadata import version as package_version

    try:
        return package_version("informe")
    except PackageNotFoundError:
        return "desconocida"


def _show_version(value: bool) -> None:
    if value:
        console.print(f"informe {informe_version()}")
        raise typer.Exit(0)


@app.callback()
def main_options(
    version: bool = typer.Option(False, "--version", "-V", callback=_show_version, is_eager=True,
                                 help="Muestra la versión de informe y termina."),
) -> None:
    """Informe de Gestión de la ACI Medellín: valida los datos de un año y construye el informe."""


def latest_real_year(root: Path) -> int | None:
    """The latest year with ``data/<year>/`` and ``params/<year>.yml`` whose params are not demo data."""
    import yaml

    years = []
    for path in (Path(root) / "params").glob("*.yml"):
        if not path.stem.isdigit() or not default_data_dir(root, int(path.stem)).is_dir():
            continue
        try:
            params = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue
        if isinstance(params, dict) and params.get("demo") is False:
            years.append(int(path.stem))
    return max(years, default=None)


def default_year(year: int | None) -> int:
    """``year`` as given; otherwise the latest year with real data, said out loud."""
    if year is not None:
        return year
    chosen = latest_real_year(PROJECT_ROOT)
    if chosen is None:
        err_console.print(f"[red]Año no indicado y no hay ningún año con datos reales en {PROJECT_ROOT} "
                          "(data/<año>/ y params/<año>.yml con demo: false): indique --year AÑO.[/red]")
        raise typer.Exit(EXIT_UNUSABLE)
    console.print(f"Año no indicado: se usa {chosen} (el último año con datos reales).")
    return chosen


def resolve_data_dir(data_dir: Path | None, year: int | None) -> Path:
    """``DATA_DIR`` as given, or ``data/<year>`` when only ``--year`` is given."""
    if data_dir is None:
        if year is None:
            raise typer.BadParameter("indique DATA_DIR o --year AÑO")
        data_dir = default_data_dir(PROJECT_ROOT, year)
    refuse_symlink_loop(data_dir, "La carpeta de datos")
    return data_dir


@app.command()
def validate(
    data_dir: Path = typer.Argument(None, metavar="CARPETA",
                                    help="Carpeta con los libros del año (por defecto data/<año>)."),
    year: int = typer.Option(None, "--year", "-y", metavar="AÑO",
                             help="Año: valida data/<año> (por defecto, el último año con datos reales)."),
    report: Path = typer.Option(None, "--report", "-r", metavar="ARCHIVO",
                                help="Escribe el reporte en JSON (.json) o CSV (siempre con todos los problemas)."),
    detalle: bool = typer.Option(False, "--detalle",
                                 help="Muestra cada problema aunque sean muchos (sin él, más de 25 se resumen por "
                                      "libro)."),
) -> None:
    """Valida los libros de Excel de un año: salida 0 sin errores, 1 con errores, 2 si la entrada es inutilizable."""
    from .data.problems import write_report
    from .data.validation import print_report, report_year, validate_dir

    directory = resolve_data_dir(data_dir, year if data_dir is not None else default_year(year))
    result = validate_dir(directory, year=year if year is not None else report_year(directory))
    result.problems += text_problems(directory, result)
    print_report(result, console, detail=detalle)
    if result.year is None and not result.unusables:
        console.print("[yellow]Año del informe desconocido (la carpeta no es data/<año> de un proyecto con "
                      "params/<año>.yml): indique --year AÑO para comprobar que periodos, metas y fechas son de ese "
                      "año.[/yellow]")
    if report is not None:
        write_report(result.all_problems, report)
        console.print(f"Reporte escrito en {report}")
    raise typer.Exit(result.exit_code)


def text_problems(directory: Path, result) -> list:
    """What the year's texts say against its data (unknown figures, contradicted numbers): checked when the
    workbooks are valid and the folder is a project's ``data/<year>`` with its ``params/<year>.yml``."""
    from .data.params import ParamsError
    from .data.validation import year_of

    year = year_of(directory)
    params = directory.parent.parent / "params" / f"{year}.yml"
    if year is None or result.exit_code or not params.is_file() or directory.parent.name != "data":
        return []
    from .report.chapter import check_texts
    from .report.report import ReportDataError, load_report

    try:
        report = load_report(year, directory, params, directory.parent.parent, with_prior=False, validation=result)
    except (ReportDataError, ParamsError):
        return []
    return check_texts(report)


@app.command()
def template(directory: Path = typer.Argument(..., metavar="CARPETA",
                                             help="Carpeta donde escribir los libros vacíos.")) -> None:
    """Escribe libros vacíos que siguen el contrato de datos, con notas y listas desplegables."""
    from .data.template import write_templates
    from .data.validation import EXIT_UNUSABLE

    try:
        paths = write_templates(directory)
    except FileExistsError as exc:
        err_console.print(f"[red]No se sobrescriben libros existentes en {directory}: {exc}[/red]")
        raise typer.Exit(EXIT_UNUSABLE) from None
    for path in paths:
        console.print(f"escrito {path}")


@app.command("contract-doc")
def contract_doc(
    output: Path = typer.Option(Path("docs/data-contract.md"), "--output", "-o", metavar="ARCHIVO",
                                help="Dónde escribir el documento."),
    check: bool = typer.Option(False, "--check", help="Solo comprueba que el archivo está al día."),
) -> None:
    """Escribe docs/data-contract.md a partir del contrato en el código."""
    from .data.contract_doc import contract_markdown

    text = contract_markdown()
    if check:
        current = output.read_text(encoding="utf-8") if output.exists() else ""
        if current != text:
            err_console.print(f"[red]{output} no está al día: ejecute `informe contract-doc`.[/red]")
            raise typer.Exit(1)
        console.print(f"{output} está al día.")
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    console.print(f"escrito {output}")


@app.command()
def build(
    year: int = typer.Option(None, "--year", "-y", metavar="AÑO",
                             help="Año del informe (por defecto, el último año con datos reales)."),
    data: Path = typer.Option(None, "--data", metavar="CARPETA", help="Carpeta de datos (por defecto data/<año>)."),
    out: Path = typer.Option(None, "--out", metavar="CARPETA", help="Carpeta de salida (por defecto outputs/<año>)."),
    jobs: int = typer.Option(None, "--jobs", "-j", metavar="N",
                             help="Cuadernos en paralelo (por defecto, todos los núcleos)."),
    force: bool = typer.Option(False, "--force", help="Ejecuta aunque nada haya cambiado."),
    engine: str = typer.Option("auto", "--engine", metavar="MOTOR",
                               help="auto (Quarto si está instalado), quarto o pandoc."),
    wait: bool = typer.Option(True, "--wait/--no-wait",
                              help="Si otra construcción usa la misma carpeta de salida: esperarla, o salir con 1."),
) -> None:
    """Construye el informe de un año: valida los datos, ejecuta las secciones y publica outputs/<año>."""
    from .paths import output_dir
    from .publish.pipeline import build_report

    if engine not in ("auto", "quarto", "pandoc"):
        raise typer.BadParameter("use auto, quarto o pandoc", param_hint="--engine")
    year = default_year(year)
    refuse_symlink_loop(data if data is not None else default_data_dir(PROJECT_ROOT, year), "La carpeta de datos")
    out_dir = out if out is not None else output_dir(PROJECT_ROOT, year)
    refuse_symlink_loop(out_dir, "La carpeta de salida")
    try:
        code = build_report(year, data, out, console, jobs=jobs, force=force, engine=engine, wait=wait)
    except OSError as exc:  # the build removed its staging folder and left the previous outputs as they were
        message = environment_failure(exc, out_dir)
        if message is None:
            raise
        err_console.print(message, style="red", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_UNUSABLE) from None
    raise typer.Exit(code)


@app.command()
def preview(
    year: int = typer.Option(None, "--year", "-y", metavar="AÑO",
                             help="Año del informe (por defecto, el último año con datos reales)."),
    port: int = typer.Option(8000, "--port", "-p", metavar="N", help="Puerto de 127.0.0.1 donde se sirve el libro."),
    data: Path = typer.Option(None, "--data", metavar="CARPETA", help="Carpeta de datos (por defecto data/<año>)."),
    out: Path = typer.Option(None, "--out", metavar="CARPETA",
                             help="Carpeta del informe completo, construido al salir (por defecto outputs/<año>)."),
    engine: str = typer.Option("auto", "--engine", metavar="MOTOR",
                               help="auto (Quarto si está instalado), quarto o pandoc."),
    open_browser: bool = typer.Option(False, "--open", help="Abre el libro en el navegador."),
) -> None:
    """Sirve el libro HTML mientras escribe: lo reconstruye al guardar un libro de datos, un texto o los
    parámetros y recarga la página; al salir (Ctrl-C) construye el informe completo con su PDF."""
    from .paths import output_dir, params_file
    from .publish.preview import Preview, PreviewError

    if engine not in ("auto", "quarto", "pandoc"):
        raise typer.BadParameter("use auto, quarto o pandoc", param_hint="--engine")
    if not 0 < port < 65536:
        raise typer.BadParameter("un puerto entre 1 y 65535", param_hint="--port")
    year = default_year(year)
    data_dir = data if data is not None else default_data_dir(PROJECT_ROOT, year)
    refuse_symlink_loop(data_dir, "La carpeta de datos")
    session = Preview(year, PROJECT_ROOT, data_dir, params_file(PROJECT_ROOT, year),
                      out if out is not None else output_dir(PROJECT_ROOT, year), console, port, engine)
    try:
        code = session.run(open_browser)
    except PreviewError as exc:
        err_console.print(f"No se inicia la vista previa: {exc}", style="red", markup=False, highlight=False,
                          soft_wrap=True)
        raise typer.Exit(EXIT_UNUSABLE) from None
    raise typer.Exit(code)


# --------------------------------------------------------------------------
# What the machine refuses: symlink loops, permissions, read-only or full disks (exit 2, one line)
# --------------------------------------------------------------------------

_WHY = {  # errno name → what it means for the analyst
    "EROFS": "el sistema de archivos es de solo lectura",
    "EACCES": "permiso denegado",
    "EPERM": "permiso denegado",
    "ENOSPC": "el disco está lleno",
    "EDQUOT": "se agotó la cuota de disco",
    "EFBIG": "el archivo es demasiado grande para el sistema de archivos",
}


def refuse_symlink_loop(path: Path, what: str) -> None:
    """Exit 2 with one line when ``path`` is a symbolic link that leads back to itself."""
    from .data.safety import folder_problem

    problem = folder_problem(path, what)
    if problem is not None:
        err_console.print(problem, style="red", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_UNUSABLE)


def _within_output(path: Path, out_dir: Path) -> bool:
    """``path`` is the output folder, inside it, or one of the build's folders next to it (``.<name>.*``)."""
    try:
        path, out_dir = Path(os.path.abspath(path)), Path(os.path.abspath(out_dir))
    except (OSError, ValueError):
        return False
    return (path == out_dir or out_dir in path.parents
            or any(p.parent == out_dir.parent and p.name.startswith(f".{out_dir.name}.")
                   for p in (path, *path.parents)))


def environment_failure(exc: OSError, out_dir: Path | None = None) -> str | None:
    """One Spanish line for an error of the machine rather than of informe (a symlink loop, a file without
    permission, a read-only or full disk), naming the path; None for any other error."""
    import errno

    from .data.safety import SYMLINK_LOOP

    filename = exc.filename if isinstance(exc.filename, (str, os.PathLike)) else None
    if exc.errno == errno.ELOOP and filename is not None:
        return f"{filename} {SYMLINK_LOOP}"
    name = errno.errorcode.get(exc.errno or 0, "")
    why = _WHY.get(name)
    if why is None:
        return None
    if out_dir is not None and (filename is None or _within_output(Path(filename), out_dir)):
        return (f"No se puede escribir en {out_dir}: {why}. Las salidas anteriores no se modificaron; "
                "libere espacio, dé permiso de escritura o indique otra carpeta con --out.")
    if filename is None:
        return None
    if name in ("EACCES", "EPERM") and os.path.isfile(filename):
        return f"No se puede leer {filename}: {why}; dé permiso de lectura al archivo."
    return f"No se puede escribir en {filename}: {why}."


@app.command("new-year")
def new_year_command(year: int = typer.Argument(..., metavar="AÑO",
                                             help="Año nuevo: crea data/<año>/ y params/<año>.yml.")) -> None:
    """Empieza un año a partir del anterior: estructura, catálogos, plan y saldos de cierre; imprime qué llenar."""
    from .data.newyear import NewYearError, new_year

    try:
        result = new_year(PROJECT_ROOT, year)
    except NewYearError as exc:
        err_console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(EXIT_UNUSABLE) from None
    for path in result.written:
        console.print(f"escrito {escape(str(path.relative_to(PROJECT_ROOT)))}")
    console.print(f"\n[bold]Qué falta para el informe {year}:[/bold]")
    for item in result.checklist():
        console.print(f"- {escape(item)}", highlight=False, soft_wrap=True)


@app.command()
def diff(
    old: str = typer.Argument(..., metavar="ANTES",
                              help="Construcción anterior: carpeta de salida (outputs/2022), carpeta de cuadernos "
                                   "o git:REV[:CARPETA] (cuadernos publicados en una revisión, p. ej. git:HEAD)."),
    new: str = typer.Argument(..., metavar="DESPUÉS", help="Construcción nueva (mismas formas que ANTES)."),
) -> None:
    """Compara dos construcciones: cada cifra publicada que cambió (sección › tabla › fila › columna: antes → después).

    Sale con 1 si algo cambió, 0 si nada cambió y 2 si un argumento no es utilizable.
    """
    from .publish.diff import DiffInputError, diff_builds

    try:
        changes = diff_builds(old, new)
    except DiffInputError as exc:
        err_console.print(f"[red]{escape(str(exc))}[/red]")
        raise typer.Exit(EXIT_UNUSABLE) from None
    for line in changes:
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    if changes:
        console.print(f"{len(changes)} cambio(s) entre {old} y {new}.", markup=False, highlight=False)
        raise typer.Exit(1)
    console.print(f"Sin cambios en las cifras publicadas entre {old} y {new}.", markup=False, highlight=False)


def main() -> None:
    """Entry point that turns any unexpected failure into a short Spanish message and exit 3."""
    try:
        app(prog_name="informe")
    except SystemExit:
        _freeze_before_exit()
        raise
    except KeyboardInterrupt:
        err_console.print("[red]Interrumpido.[/red]")
        sys.exit(130)
    except OSError as exc:  # the machine, not informe: a symlink loop, no permission, a read-only or full disk
        message = environment_failure(exc)
        if message is None or os.environ.get("INFORME_DEBUG"):
            _unexpected(exc)
        err_console.print(message, style="red", markup=False, highlight=False, soft_wrap=True)
        sys.exit(EXIT_UNUSABLE)
    except RuntimeError as exc:
        loop = re.fullmatch(r"Symlink loop from '(.*)'", str(exc))  # pathlib's resolve() (Python ≤ 3.12)
        if loop is None or os.environ.get("INFORME_DEBUG"):
            _unexpected(exc)
        from .data.safety import SYMLINK_LOOP

        err_console.print(f"{loop.group(1)} {SYMLINK_LOOP}", style="red", markup=False, highlight=False,
                          soft_wrap=True)
        sys.exit(EXIT_UNUSABLE)
    except Exception as exc:  # noqa: BLE001 - last line of defence, never show a traceback
        _unexpected(exc)
    _freeze_before_exit()


def _unexpected(exc: Exception) -> NoReturn:
    """A bug in informe: one short Spanish message and exit 3 (the traceback with ``INFORME_DEBUG=1``)."""
    err_console.print(f"[red]Error inesperado: {type(exc).__name__}: {escape(str(exc))}[/red]")
    err_console.print("Ejecute de nuevo con INFORME_DEBUG=1 para ver el detalle técnico.")
    if os.environ.get("INFORME_DEBUG"):
        raise exc
    sys.exit(3)


def _freeze_before_exit() -> None:
    """Spare the interpreter's last garbage collections of everything imported (pandas, pandera, papermill…).

    At exit Python collects every object again before it frees the modules: measured 0.25–0.4 s of a
    build's wall time on 2 cores, for nothing (the process is ending). ``gc.freeze()`` moves the objects
    out of the collector's reach; atexit handlers and ``finally`` blocks still run, and every file has
    been written and closed by then.
    """
    import gc

    gc.freeze()
