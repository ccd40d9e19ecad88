"""One build at a time per output folder: a file lock, released by the OS even if the build is killed.

The lock and the record of who holds it live in ``<tmp>/informe-locks/``, named by a digest of the output
folder's path, so that nothing is left next to the analyst's outputs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from filelock import FileLock, Timeout


class LockBusy(Exception):
    """Another build holds the output folder; the message names it."""


def _lock_stem(out_dir: Path) -> Path:
    folder = Path(tempfile.gettempdir()) / "informe-locks"
    folder.mkdir(exist_ok=True)
    return folder / hashlib.sha256(str(Path(out_dir).resolve()).encode()).hexdigest()[:24]


def lock_path(out_dir: Path) -> Path:
    return _lock_stem(out_dir).with_suffix(".lock")


def holder_path(out_dir: Path) -> Path:
    return _lock_stem(out_dir).with_suffix(".json")


def describe_holder(out_dir: Path) -> str:
    """«pid 123, iniciada 21:40:02» from the holder record (or «otro proceso»)."""
    try:
        info = json.loads(holder_path(out_dir).read_text(encoding="utf-8"))
        return f"pid {info['pid']}, iniciada a las {info['since']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "otro proceso"


class OutputLock:
    """Exclusive right to build into ``out_dir``.

    ``wait=False`` raises :class:`LockBusy` at once when another build holds it; ``wait=True`` calls
    ``on_wait(holder)`` once and blocks until the other build ends (the OS releases the lock even
    when a build is killed).
    """

    def __init__(self, out_dir: Path, wait: bool = True, on_wait: Callable[[str], None] | None = None):
        self.out_dir = out_dir
        self.wait = wait
        self.on_wait = on_wait
        self._lock = FileLock(str(lock_path(out_dir)))

    def __enter__(self) -> OutputLock:
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            holder = describe_holder(self.out_dir)
            if not self.wait:
                raise LockBusy(holder) from None
            if self.on_wait:
                self.on_wait(holder)
            self._lock.acquire()
        since = dt.datetime.now().astimezone().strftime("%H:%M:%S")
        holder_path(self.out_dir).write_text(json.dumps({"pid": os.getpid(), "since": since}), encoding="utf-8")
        return self

    def __exit__(self, *exc) -> None:
        holder_path(self.out_dir).unlink(missing_ok=True)
        self._lock.release()
