"""The section notebooks, each declared once in ``notebooks/secciones.yml`` (issue 24).

A section is its notebook, the report module it calls, the sheets its tables read and its blocks. The kernels'
preload (:func:`informe.publish.forkkernel.preload_modules`), the root ``_quarto.yml``'s chapters, the check of
what an incremental build recorded, what ``informe preview`` announces a change feeds
(:func:`informe.publish.preview.watch_map`) and ``docs/secciones.md`` derive from it;
``tests/test_sections_declared.py`` fails when any of them disagrees.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

DECLARATIONS = Path("notebooks") / "secciones.yml"  # in the project, next to the notebooks
ANY = "*"  # a workbook («*»: the year's checks, problems, any sheet) or a sheet («*»: any sheet of the workbook)


class SectionError(ValueError):
    """``notebooks/secciones.yml`` is not a valid declaration (the message names the file and the entry)."""


class Section(BaseModel):
    """One section notebook: what it is, which module it calls, which sheets its tables read, its blocks."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    notebook: str = Field(pattern=r"^[a-z0-9-]+$")
    title: str
    module: str = Field(pattern=r"^informe(\.[a-z_]+)+$")
    reads: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    blocks: tuple[str, ...] = ()

    def may_read(self, workbook: str, sheet: str) -> bool:
        """Whether the declaration covers reading ``sheet`` of ``workbook`` (or a pseudo-sheet of «*»)."""
        for declared, sheets in self.reads.items():
            if declared in (workbook, ANY) and (sheet in sheets or ANY in sheets):
                return True
        return False


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sections: list[Section]


def declared_sections(root: Path) -> dict[str, Section]:
    """Every section the project at ``root`` declares, by notebook name (without ``.ipynb``), in the file's
    order."""
    return _declared(Path(root).resolve() / DECLARATIONS)


@cache
def _declared(path: Path) -> dict[str, Section]:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        found = _File.model_validate(raw).sections
    except (OSError, yaml.YAMLError) as exc:
        raise SectionError(f"{path.name}: no se pudo leer ({exc})") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise SectionError(f"{path.name}, {where}: {first['msg']}") from None
    names = [s.notebook for s in found]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise SectionError(f"{path.name}: secciones declaradas dos veces: {', '.join(repeated)}")
    return {s.notebook: s for s in found}


def section_modules(root: Path) -> tuple[str, ...]:
    """The report modules the sections call, once each, in declaration order (what the kernels preload)."""
    return tuple(dict.fromkeys(s.module for s in declared_sections(root).values()))


def quarto_chapters(default_chapters: list[dict]) -> list[str]:
    """The root ``_quarto.yml``'s chapters for the default chapter list (``capitulos.yml``): the presentation,
    then the notebook of each chapter that has one (a text-only chapter needs the build's staging)."""
    return ["index.qmd", *(f"notebooks/{c['notebook']}.ipynb" for c in default_chapters if c.get("notebook"))]


def sections_markdown(root: Path) -> str:
    """docs/secciones.md: each section, its module, the sheets it reads and its blocks."""
    lines = ["# Secciones del informe", "",
             "Generado por `make docs` desde `notebooks/secciones.yml` (no se edita a mano). Cada sección es un "
             "cuaderno de `notebooks/`; un capítulo de `params/<año>.yml` la nombra con `notebook:`.", "",
             "| Cuaderno | Qué muestra | Módulo | Hojas que leen sus tablas | Bloques para los textos |",
             "|---|---|---|---|---|"]
    for s in declared_sections(root).values():
        reads = "; ".join(f"{book}: {', '.join(sheets)}" for book, sheets in s.reads.items()) or "las cifras que cite"
        lines.append(f"| `{s.notebook}` | {s.title} | `{s.module}` | {reads} | "
                     f"{', '.join(f'`{b}`' for b in s.blocks) or '—'} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    """``python -m informe.publish.sections``: write docs/secciones.md (``make docs``)."""
    root = Path.cwd()
    target = root / "docs" / "secciones.md"
    target.write_text(sections_markdown(root), encoding="utf-8")
    print(f"escrito {target.relative_to(root)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
