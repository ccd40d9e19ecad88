"""The validated data of a build, written once and read by every section notebook.

A build validates the workbooks once, then writes into its staging folder a
snapshot per year (the report's year and, when used, the prior year)::

    <snapshot>/<tag>/manifest.json     year, params file, data folder, one entry per sheet
    <snapshot>/<tag>/sheets/NN.parquet  the validated frame of each sheet (pyarrow)
    <snapshot>/<tag>/params.pickle      the year's parameters
    <snapshot>/<tag>/checks.json        the cross-sheet check results
    <snapshot>/<tag>/problems.json      the schema problems

Each sheet entry carries the SHA-256 of its validated content (the parquet
bytes, deterministic for equal frames), so re-saving a workbook without
changing its data changes no hash. The notebooks load this instead of
re-reading and re-validating the workbooks.

:class:`ReadLog` records which sheets (or every sheet, or the check results, or the
problems) a notebook read, so that the build knows each section's inputs
without a hand-kept list.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import pickle
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pandas as pd

from .checks import CheckResult
from .params import Params
from .problems import Problem
from .texts import ChapterText

MANIFEST = "manifest.json"
ALL = "*"  # a read of the whole year (every frame); with CHECKS or PROBLEMS, of one of its parts
CHECKS, PROBLEMS = "checks", "problems"  # the year's cross-sheet check results, its schema problems

Frames = dict[tuple[str, str], pd.DataFrame]


def frame_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, engine="pyarrow")
    return buffer.getvalue()


def _json_value(value):
    return None if isinstance(value, float) and math.isnan(value) else value


TEXT = "texto:"  # a read of one chapter text: (tag, "*", "texto:<slug>")


def write_year(folder: Path, params: Params, data_dir: Path, frames: Frames,
               checks: list[CheckResult], problems: list[Problem], texts: dict[str, ChapterText] | None = None) -> dict:
    """Write one year's validated data (and its chapter texts) into ``folder``; return its manifest."""
    (folder / "sheets").mkdir(parents=True, exist_ok=True)
    params_bytes = pickle.dumps(params, protocol=5)
    (folder / "params.pickle").write_bytes(params_bytes)
    sheets = []
    for i, ((filename, sheet), frame) in enumerate(frames.items()):
        content = frame_bytes(frame)
        path = f"sheets/{i:02d}.parquet"
        (folder / path).write_bytes(content)
        sheets.append({"file": filename, "sheet": sheet, "path": path,
                       "sha256": hashlib.sha256(content).hexdigest()})
    checks_text = json.dumps([{k: _json_value(v) for k, v in asdict(c).items()} for c in checks],
                             ensure_ascii=False, sort_keys=True)
    problems_text = json.dumps([asdict(p) for p in problems], ensure_ascii=False, sort_keys=True)
    (folder / "checks.json").write_text(checks_text, encoding="utf-8")
    (folder / "problems.json").write_text(problems_text, encoding="utf-8")
    everything = hashlib.sha256()
    for entry in sheets:
        everything.update(f"{entry['file']}/{entry['sheet']}={entry['sha256']}\n".encode())
    everything.update(checks_text.encode())
    everything.update(problems_text.encode())
    parts = {CHECKS: hashlib.sha256(checks_text.encode()).hexdigest(),
             PROBLEMS: hashlib.sha256(problems_text.encode()).hexdigest()}
    texts_json = {slug: text.to_json() for slug, text in sorted((texts or {}).items())}
    (folder / "texts.json").write_text(json.dumps(texts_json, ensure_ascii=False), encoding="utf-8")
    for slug, text in texts_json.items():
        digest = hashlib.sha256(json.dumps(text, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        parts[TEXT + slug] = digest
        everything.update(f"{TEXT}{slug}={digest}\n".encode())
    manifest = {"year": params.year, "params_sha256": hashlib.sha256(params_bytes).hexdigest(),
                "data_dir": str(data_dir), "sheets": sheets, "all_sha256": everything.hexdigest(),
                "parts_sha256": parts}
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest


def read_texts(folder: Path) -> dict[str, ChapterText]:
    """The chapter texts of one year written by :func:`write_year`."""
    path = Path(folder) / "texts.json"
    if not path.is_file():
        return {}
    return {slug: ChapterText.from_json(data) for slug, data in json.loads(path.read_text(encoding="utf-8")).items()}


def read_manifest(folder: Path) -> dict:
    return json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))


def sheet_paths(folder: Path, manifest: dict) -> dict[tuple[str, str], Path]:
    """Where each sheet's frame of one year is (its parquet file), by (file, sheet)."""
    return {(s["file"], s["sheet"]): Path(folder) / s["path"] for s in manifest["sheets"]}


def read_frame(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path, engine="pyarrow")


def read_year(folder: Path, frames: bool = True) -> tuple[dict, Params, Frames, list[CheckResult], list[Problem]]:
    """(manifest, params, frames, checks, problems) of one year written by :func:`write_year`.

    ``frames=False``: no frame is read (an empty dict); :class:`RecordingFrames` reads each on first use
    from :func:`sheet_paths`.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    params = pickle.loads((folder / "params.pickle").read_bytes())  # written by this build, in its staging
    read: Frames = ({key: read_frame(path) for key, path in sheet_paths(folder, manifest).items()} if frames
                    else {})
    checks = [_check_from_json(c) for c in json.loads((folder / "checks.json").read_text(encoding="utf-8"))]
    problems = [Problem(**p) for p in json.loads((folder / "problems.json").read_text(encoding="utf-8"))]
    return manifest, params, read, checks, problems


def _check_from_json(item: dict[str, Any]) -> CheckResult:
    """One :class:`CheckResult` of ``checks.json`` (JSON writes a NaN side as null)."""
    fields: dict[str, Any] = {k: (math.nan if v is None and k in ("left", "right") else v) for k, v in item.items()}
    return CheckResult(**fields)


# --------------------------------------------------------------------------
# What a notebook read
# --------------------------------------------------------------------------

class ReadLog:
    """The (tag, file, sheet) a notebook read, written to ``path`` as soon as a new one is read."""

    def __init__(self, path: Path | None):
        self.path = Path(path) if path else None
        self.reads: set[tuple[str, str, str]] = set()
        self._write()

    def record(self, tag: str, filename: str, sheet: str) -> None:
        key = (tag, filename, sheet)
        if key not in self.reads:
            self.reads.add(key)
            self._write()

    def _write(self) -> None:
        if self.path is not None:
            self.path.write_text(json.dumps(sorted(self.reads), ensure_ascii=False), encoding="utf-8")


def load_reads(path: Path) -> list[tuple[str, str, str]] | None:
    """The reads a notebook recorded (None when it recorded nothing: it must be assumed to read everything)."""
    try:
        return [tuple(r) for r in json.loads(Path(path).read_text(encoding="utf-8"))]
    except (OSError, ValueError, TypeError):
        return None


class RecordingFrames(dict):
    """The frames of one year; every access is recorded in a :class:`ReadLog` (iteration = everything).

    ``unread``: frames not read yet, by key, as their parquet files (:func:`sheet_paths`); each is read
    the first time it is used (a section uses a few of the year's sheets: reading all of them cost
    0.06–0.08 s of every kernel's start).
    """

    def __init__(self, frames: Frames, log: ReadLog, tag: str, unread: dict[tuple[str, str], Path] | None = None):
        super().__init__(frames)
        self._log, self._tag = log, tag
        self._unread = {key: path for key, path in (unread or {}).items() if not dict.__contains__(self, key)}
        for key in self._unread:
            super().__setitem__(key, None)  # known, not read yet

    def _frame(self, key):
        value = super().__getitem__(key)
        if value is None and key in self._unread:
            value = read_frame(self._unread.pop(key))
            super().__setitem__(key, value)
        return value

    def _read_all(self) -> None:
        for key in list(self._unread):
            self._frame(key)

    def __getitem__(self, key):
        self._log.record(self._tag, *key)
        return self._frame(key)

    def get(self, key, default=None):
        self._log.record(self._tag, *key)
        return self._frame(key) if super().__contains__(key) else default

    def __contains__(self, key):
        self._log.record(self._tag, *key)
        return super().__contains__(key)

    def _everything(self):
        self._log.record(self._tag, ALL, ALL)

    def __iter__(self):
        self._everything()
        return super().__iter__()

    def items(self):
        self._everything()
        self._read_all()
        return super().items()

    def values(self):
        self._everything()
        self._read_all()
        return super().values()

    def keys(self):
        self._everything()
        return super().keys()

    def copy(self) -> Frames:
        return dict(self.items())


class RecordingList(list):
    """Check results (``part``: CHECKS) or problems (PROBLEMS) of one year: any use counts as reading all
    of them (``(tag, "*", part)``), which the build compares by their content's hash.

    They are what the checks and the validation made of every sheet, so a section that reads only them
    (the annex) runs again when a result or a problem changes, not when any cell of the year does.
    """

    def __init__(self, items, log: ReadLog, tag: str, part: str = ALL):
        super().__init__(items)
        self._log, self._tag, self._part = log, tag, part

    def _everything(self):
        self._log.record(self._tag, ALL, self._part)

    def __iter__(self):
        self._everything()
        return super().__iter__()

    def __len__(self):
        self._everything()
        return super().__len__()

    def __getitem__(self, index):
        self._everything()
        return super().__getitem__(index)

    def __bool__(self):
        self._everything()
        return super().__len__() > 0


class RecordingTexts(dict):
    """The chapter texts of one year; asking for one records ``(tag, "*", "texto:<slug>")``, whether or not
    the chapter has a text (a text added later must run the chapter again)."""

    def __init__(self, texts: dict[str, ChapterText], log: ReadLog, tag: str):
        super().__init__(texts)
        self._log, self._tag = log, tag

    def get(self, slug, default=None):
        self._log.record(self._tag, ALL, TEXT + slug)
        return super().get(slug, default)

    def __getitem__(self, slug):
        self._log.record(self._tag, ALL, TEXT + slug)
        return super().__getitem__(slug)

    def __contains__(self, slug):
        self._log.record(self._tag, ALL, TEXT + slug)
        return super().__contains__(slug)
