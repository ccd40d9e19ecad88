"""Validated workbooks kept by a build, reused by the next one when nothing they depend on changed.

Validating a workbook (reading every cell after the safety guards, the schema of each sheet, its
catalogs, periods and roles) depends only on the workbook's bytes, the report year and the code and
library versions that validate it. A build keeps the result of each workbook — the typed frames of its
intact sheets (parquet, an exact round trip), its problems, or why it could not be read — in a hidden
folder of its output, under a key made of those inputs. The next build reuses a workbook's result only
when the key is the same; anything else (another byte, another year, a code or library change, an
unreadable cache entry) validates the workbook again. The cross-sheet checks always run on the whole year.

Layout, one folder per workbook::

    <cache>/<file name>/entry.json     {"key", "file", "problems", "unusable", "sheets": [{"sheet", "path"}]}
    <cache>/<file name>/NN.parquet      the typed frame of each intact sheet, in the workbook's order
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pandas as pd

from .problems import Problem
from .safety import MAX_WORKBOOK_BYTES
from .texts import TEXT_DIR, TextCache
from .workbooks import UnusableInput

ENTRY = "entry.json"


@dataclass
class WorkbookResult:
    """What validating one workbook found: typed frames of its intact sheets, problems, or unusable."""

    frames: dict[str, pd.DataFrame] = field(default_factory=dict)  # sheet name -> typed frame
    problems: list[Problem] = field(default_factory=list)
    unusable: UnusableInput | None = None


def file_sha256(path: Path) -> str | None:
    """SHA-256 of a regular file within the workbook size limit; None for anything else (never cached)."""
    try:
        path = Path(path)
        if not path.is_file() or path.stat().st_size > MAX_WORKBOOK_BYTES:
            return None
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def _copy(result: WorkbookResult) -> WorkbookResult:
    """``result`` with copies of its frames: the cache keeps what validation found, whatever a reader of the
    report does to its frames afterwards (what is saved, or reused by the next build of the process)."""
    return WorkbookResult({sheet: frame.copy() for sheet, frame in result.frames.items()}, list(result.problems),
                          result.unusable)


def _link_or_copy(source: Path, target: Path) -> None:
    if source.is_symlink():
        raise OSError(f"{source} es un enlace simbólico")
    try:
        os.link(source, target)
    except OSError:  # another file system, or links not supported
        shutil.copyfile(source, target)


class WorkbookCache:
    """Results of validating workbooks: read from ``previous`` (a former build's), kept for :meth:`save`.

    ``salt`` names everything else validation depends on (the code and library versions); entries are
    only reused under the same ``salt`` and year.

    The cache never shares a frame with a reader of the report, which may change it in place: a result it hands
    out (:meth:`get`) is a copy of what it keeps, and a result it is given (:meth:`put`, whose caller goes on with
    it) is kept as a copy. Each result a reader holds was thus copied once.
    """

    def __init__(self, previous: Path | None, salt: str, memory: WorkbookCache | None = None):
        """``memory``: the cache of the previous build in this same process (``informe preview``), whose results
        are reused without reading them back from ``previous`` (same keys: same bytes, year and code)."""
        self.previous = Path(previous) if previous else None
        self.salt = salt
        self._entries: dict[str, tuple[str, WorkbookResult]] = {}  # file name -> (key, result)
        self._asked: dict[str, str | None] = {}  # file name -> its key when :meth:`get` was asked
        self._memory = dict(memory._entries) if memory is not None and memory.salt == salt else {}
        self._memory_checks = memory._checks if memory is not None and memory.salt == salt else None
        self._checks: tuple[str, list] | None = None  # the cross-sheet checks of this build's workbooks
        self.hits: list[str] = []
        self.texts: TextCache = TextCache(self.previous / TEXT_DIR if self.previous else None, salt,
                               memory.texts if memory is not None else None)  # the chapter texts

    def key(self, path: Path, year: int | None) -> str | None:
        digest = file_sha256(path)
        if digest is None:
            return None
        return hashlib.sha256(json.dumps([self.salt, year, Path(path).name, digest]).encode()).hexdigest()

    def get(self, path: Path, year: int | None) -> WorkbookResult | None:
        """The stored result for ``path`` when its key is unchanged, else None."""
        key = self._asked[Path(path).name] = self.key(path, year)
        kept = self._memory.get(Path(path).name)
        if key is not None and kept is not None and kept[0] == key:
            self._entries[Path(path).name] = kept
            self.hits.append(Path(path).name)
            return _copy(kept[1])
        if key is None or self.previous is None:
            return None
        folder = self.previous / Path(path).name
        try:
            entry = json.loads((folder / ENTRY).read_text(encoding="utf-8"))
            if entry.get("key") != key or entry.get("file") != Path(path).name:
                return None
            frames = {s["sheet"]: pd.read_parquet(folder / Path(s["path"]).name, engine="pyarrow")
                      for s in entry["sheets"]}
            problems = [Problem(**p) for p in entry["problems"]]
            unusable = UnusableInput(**entry["unusable"]) if entry.get("unusable") else None
        except (OSError, ValueError, KeyError, TypeError, ImportError, AttributeError):
            return None  # an entry that cannot be read is no entry: validate again
        result = WorkbookResult(frames, problems, unusable)
        self._entries[Path(path).name] = (key, result)
        self.hits.append(Path(path).name)
        return _copy(result)

    def checks(self, year: int | None, compute: Callable[[], list]) -> list:
        """The cross-sheet checks of the workbooks this build asked for: ``compute()``, or, in the same process
        (``memory``), the previous build's results when every workbook's key is the same (the checks are a
        function of the typed frames and the year; measured 0,2–0,3 s of every preview build)."""
        key = json.dumps([year, sorted((name, entry[0]) for name, entry in self._entries.items())])
        if self._memory_checks is not None and self._memory_checks[0] == key:
            self._checks = self._memory_checks
        else:
            self._checks = (key, list(compute()))
        return list(self._checks[1])

    def put(self, path: Path, year: int | None, result: WorkbookResult) -> None:
        """Keep ``result`` for :meth:`save` (a file that cannot be hashed is not kept), under the key of the
        bytes :meth:`get` found before the workbook was validated: a workbook saved again while it was
        being read is validated again by the next build, never reused with the figures read before."""
        name = Path(path).name
        key = self._asked.pop(name) if name in self._asked else self.key(path, year)
        if key is not None:
            self._entries[Path(path).name] = (key, _copy(result))

    def _copy_previous(self, name: str, key: str, folder: Path) -> bool:
        """The previous build's entry for ``name`` copied as it is when it has ``key`` (its frames are not written
        to parquet again: measured 0,1 s of a build whose workbooks did not change). Its files are hard links
        where the file system allows: a build writes them once and never changes them, and they are removed
        only with the whole build they belong to."""
        if self.previous is None:
            return False
        source = self.previous / name
        try:
            entry = json.loads((source / ENTRY).read_text(encoding="utf-8"))
            if entry.get("key") != key or source.is_symlink():
                return False
            folder.mkdir(parents=True, exist_ok=True)
            for part in [Path(sheet["path"]).name for sheet in entry["sheets"]] + [ENTRY]:
                _link_or_copy(source / part, folder / part)
        except (OSError, ValueError, KeyError, TypeError):
            shutil.rmtree(folder, ignore_errors=True)
            return False
        return True

    def save(self, target: Path) -> None:
        """Write every kept result into ``target`` (a build's staging folder, published with it)."""
        target = Path(target)
        self.texts.save(target / TEXT_DIR)
        for name, (key, result) in self._entries.items():
            folder = target / name
            if self._copy_previous(name, key, folder):
                continue
            folder.mkdir(parents=True, exist_ok=True)
            sheets = []
            for i, (sheet, frame) in enumerate(result.frames.items()):
                path = f"{i:02d}.parquet"
                frame.to_parquet(folder / path, engine="pyarrow")
                sheets.append({"sheet": sheet, "path": path})
            unusable = result.unusable
            entry = {"key": key, "file": name, "sheets": sheets, "problems": [asdict(p) for p in result.problems],
                     "unusable": {"file": unusable.file, "message": unusable.message, "sheet": unusable.sheet}
                     if unusable is not None else None}
            (folder / ENTRY).write_text(json.dumps(entry, ensure_ascii=False, indent=1), encoding="utf-8")
