"""``informe diff OLD NEW``: which published figures moved between two builds.

Each side is a folder of executed section notebooks (``outputs/2022/notebooks``), an
output folder that holds one (``outputs/2022``), or ``git:REV[:PATH]`` for the notebooks
committed at a git revision (``git:HEAD`` takes the other side's path). Every notebook's
Markdown outputs are read: tables (pipe tables, parsed with markdown-it-py) are keyed by
section (the notebook's title) and caption, their cells by row label (first column) and
column header; the rest is the chapter's text, compared line by line.
"""

from __future__ import annotations

import difflib
import json
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt

from ..report.display import strip_sources

SEP = " › "
CAPTION_LABEL = re.compile(r"\s*\{#[^}]*\}\s*$")
FENCE = re.compile(r"(?m)^:::.*$")
DOWNLOADS = re.compile(r"^\[?Descargar:")  # a table's download links


class DiffInputError(ValueError):
    """An argument of ``informe diff`` is not a usable build (exit 2)."""


@dataclass
class TableData:
    title: str
    header: list[str]
    rows: list[list[str]]

    def keyed(self) -> dict[str, dict[str, str]]:
        """``{row label: {column: value}}``; repeated labels get « (2)», « (3)»..."""
        columns = _unique(self.header)
        out: dict[str, dict[str, str]] = {}
        labels = _unique([row[0] if row else "" for row in self.rows])
        for label, row in zip(labels, self.rows):
            out[label] = dict(zip(columns, row + [""] * (len(columns) - len(row))))
        return out


@dataclass
class Section:
    title: str
    tables: dict[str, TableData] = field(default_factory=dict)
    text: list[str] = field(default_factory=list)


def _unique(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


# --------------------------------------------------------------------------
# Reading notebooks
# --------------------------------------------------------------------------

_md = MarkdownIt("commonmark").enable("table")


def _inline_text(token) -> str:
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return re.sub(r"\s+", " ", "".join(parts).replace("\u2003", " ")).strip()


def parse_markdown(text: str) -> tuple[list[TableData], list[str]]:
    """The pipe tables (with the ``: caption`` paragraph after each) and the other text lines of a Markdown output."""
    # FENCE: pandoc's ::: div markers (their content is ordinary text); strip_sources: the figures, not where
    # they come from
    tokens = _md.parse(strip_sources(FENCE.sub("", text)))
    tables: list[TableData] = []
    lines: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token.type == "table_open":
            header: list[str] = []
            rows: list[list[str]] = []
            current: list[str] | None = None
            in_head = False
            i += 1
            while tokens[i].type != "table_close":
                t = tokens[i]
                if t.type == "thead_open":
                    in_head = True
                elif t.type == "thead_close":
                    in_head = False
                elif t.type == "tr_open":
                    current = []
                elif t.type == "tr_close" and current is not None:
                    if in_head:
                        header = current
                    else:
                        rows.append(current)
                elif t.type == "inline" and current is not None:
                    current.append(_inline_text(t))
                i += 1
            title = ""
            # The caption is the paragraph right after the table, ``: Title {#tbl-slug}``.
            if i + 2 < len(tokens) and tokens[i + 1].type == "paragraph_open" and tokens[i + 2].type == "inline":
                caption = _inline_text(tokens[i + 2])
                if caption.startswith(":"):
                    title = CAPTION_LABEL.sub("", caption[1:]).strip()
                    i += 3
            tables.append(TableData(title, header, rows))
        elif token.type == "inline":
            text_line = _inline_text(token)
            if text_line and not DOWNLOADS.match(text_line):
                lines.append(text_line)
        i += 1
    return tables, lines


def read_section(name: str, notebook: dict) -> Section:
    """A notebook (as JSON) → its title, tables and text lines."""
    title = name
    # The chapter's title: its first level-1 heading, in a Markdown cell or (a chapter shown by
    # report.chapter.Capitulo) in the first Markdown output.
    sources = [_source(c.get("source", "")) for c in notebook.get("cells", []) if c.get("cell_type") == "markdown"]
    sources += [_source(o.get("data", {}).get("text/markdown", "")) for c in notebook.get("cells", [])
                for o in c.get("outputs", []) if "text/markdown" in o.get("data", {})]
    for text in sources:
        heading = next((line for line in text.splitlines() if line.startswith("# ")), None)
        if heading is not None:
            title = CAPTION_LABEL.sub("", heading[2:]).replace("{.unnumbered}", "").strip()
            break
    section = Section(title)
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            markdown = output.get("data", {}).get("text/markdown")
            if markdown is None:
                continue
            tables, lines = parse_markdown(_source(markdown))
            for table in tables:
                key = table.title or f"Tabla sin título {len(section.tables) + 1}"
                section.tables[_unique([*section.tables, key])[-1]] = table
            section.text += lines
    return section


def _source(value) -> str:
    return value if isinstance(value, str) else "".join(value)


def resolve_folder(path: Path) -> Path:
    """The notebooks folder behind ``path`` (itself, or its ``notebooks/``)."""
    if not path.is_dir():
        raise DiffInputError(f"{path} no existe o no es una carpeta")
    if not list(path.glob("*.ipynb")) and (path / "notebooks").is_dir():
        path = path / "notebooks"
    if not list(path.glob("*.ipynb")):
        raise DiffInputError(f"{path} no contiene cuadernos ejecutados (.ipynb)")
    return path


def load_folder(path: Path | str) -> dict[str, Section]:
    folder = resolve_folder(Path(path))
    out = {}
    for notebook in sorted(folder.glob("*.ipynb")):
        try:
            out[notebook.name] = read_section(notebook.stem, json.loads(notebook.read_text(encoding="utf-8")))
        except ValueError as exc:
            raise DiffInputError(f"{notebook} no es un cuaderno legible: {exc}") from exc
    return out


def _git(root: Path, *args: str) -> str:
    proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
    if proc.returncode:
        raise DiffInputError(f"git no pudo leer «{args[-1]}» (git {' '.join(args)}): {proc.stderr.strip() or 'falló'}")
    return proc.stdout


def load_git(spec: str, other: Path | None, cwd: Path) -> dict[str, Section]:
    """``git:REV[:PATH]``: the notebooks committed at ``REV`` (``PATH`` defaults to the other side's folder)."""
    _, _, rest = spec.partition(":")
    rev, _, path = rest.partition(":")
    if not rev:
        raise DiffInputError(f"«{spec}»: indique una revisión, p. ej. git:HEAD o git:main:outputs/2022/notebooks")
    root = Path(_git(cwd, "rev-parse", "--show-toplevel").strip())
    if not path:
        if other is None:
            raise DiffInputError(f"«{spec}»: indique la carpeta, p. ej. git:{rev}:outputs/2022/notebooks")
        folder = resolve_folder(other).resolve()
        if not folder.is_relative_to(root):
            raise DiffInputError(f"{folder} no está en el repositorio {root}: indique git:{rev}:CARPETA")
        path = str(folder.relative_to(root))
    path = path.strip("/")
    names = [n for n in _git(root, "ls-tree", "--name-only", f"{rev}:{path}").splitlines() if n.endswith(".ipynb")]
    if not names:
        raise DiffInputError(f"no hay cuadernos en {path} en la revisión {rev}")
    out = {}
    for name in sorted(names):
        notebook = json.loads(_git(root, "show", f"{rev}:{path}/{name}"))
        out[name] = read_section(Path(name).stem, notebook)
    return out


def load_side(spec: str, other: str | None, cwd: Path) -> dict[str, Section]:
    if spec.startswith("git:"):
        other_path = Path(other) if other and not other.startswith("git:") else None
        return load_git(spec, other_path, cwd)
    return load_folder(Path(spec))


# --------------------------------------------------------------------------
# Comparing
# --------------------------------------------------------------------------

def _row_text(row: dict[str, str]) -> str:
    return " | ".join(v for v in row.values())


def compare_tables(where: str, old: TableData, new: TableData) -> list[str]:
    changes = []
    old_rows, new_rows = old.keyed(), new.keyed()
    old_cols, new_cols = _unique(old.header), _unique(new.header)
    for column in old_cols:
        if column not in new_cols:
            changes.append(f"{where}: columna eliminada «{column}»")
    for column in new_cols:
        if column not in old_cols:
            changes.append(f"{where}: columna nueva «{column}»")
    for label, row in old_rows.items():
        if label not in new_rows:
            changes.append(f"{where}{SEP}{label}: fila eliminada ({_row_text(row)})")
            continue
        for column in new_cols[1:]:
            if column in row and row[column] != new_rows[label][column]:
                changes.append(f"{where}{SEP}{label}{SEP}{column}: {row[column] or '(vacío)'} → "
                               f"{new_rows[label][column] or '(vacío)'}")
    for label, row in new_rows.items():
        if label not in old_rows:
            changes.append(f"{where}{SEP}{label}: fila nueva ({_row_text(row)})")
    return changes


def compare_text(where: str, old: list[str], new: list[str]) -> list[str]:
    changes = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            continue
        removed, added = old[a1:a2], new[b1:b2]
        if op == "replace" and len(removed) == len(added):
            changes += [f"{where}: «{a}» → «{b}»" for a, b in zip(removed, added)]
        else:
            changes += [f"{where}: − «{a}»" for a in removed]
            changes += [f"{where}: + «{b}»" for b in added]
    return changes


def compare(old: dict[str, Section], new: dict[str, Section]) -> list[str]:
    """Every change, as ``Sección › Tabla › fila › columna: antes → después`` lines."""
    changes = []
    for name in sorted(set(old) | set(new)):
        if name not in new:
            changes.append(f"{old[name].title}: sección eliminada ({name})")
            continue
        if name not in old:
            changes.append(f"{new[name].title}: sección nueva ({name})")
            continue
        a, b = old[name], new[name]
        section = b.title
        for title, table in a.tables.items():
            if title not in b.tables:
                changes.append(f"{section}{SEP}{title}: tabla eliminada")
            else:
                changes += compare_tables(f"{section}{SEP}{title}", table, b.tables[title])
        for title in b.tables:
            if title not in a.tables:
                changes.append(f"{section}{SEP}{title}: tabla nueva")
        changes += compare_text(f"{section}{SEP}texto", a.text, b.text)
    return changes


def diff_builds(old: str, new: str, cwd: Path | None = None) -> list[str]:
    """Changes from build ``old`` to build ``new`` (folders or ``git:REV[:PATH]``)."""
    cwd = cwd or Path.cwd()
    return compare(load_side(old, new, cwd), load_side(new, old, cwd))
