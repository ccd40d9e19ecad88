"""``informe build``: validate a year and (once the section notebooks exist) build the report."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from .params import ParamsError, load_params
from .validation import EXIT_ERRORS, validate_dir


def build_report(year: int, data: Path | None, out: Path | None, console: Console) -> int:
    """Validate ``data`` (default ``data/<year>``) and its parameters; return the exit code."""
    from .cli import PROJECT_ROOT, print_report

    data_dir = data or PROJECT_ROOT / "data" / str(year)
    try:
        params = load_params(PROJECT_ROOT / "params" / f"{year}.yml")
    except ParamsError as exc:
        console.print(f"[red]{exc}[/red]")
        return EXIT_ERRORS
    console.print(f"Informe de Gestión {params.year} (corte {params.cutoff:%Y-%m-%d})"
                  + (" — datos de demostración" if params.demo else ""))
    report = validate_dir(data_dir)
    print_report(report)
    if report.exit_code:
        console.print("[red]Construcción detenida: los datos no son válidos; outputs/ no se modificó.[/red]")
        return report.exit_code
    console.print("Validación superada. Las secciones del informe aún no están implementadas; "
                  "outputs/ no se modificó.")
    return 0
