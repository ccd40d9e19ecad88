"""One build at a time per output folder (a file lock next to it, released even if the build is killed)."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Callable

from filelock import FileLock, Timeout


class LockBusy(Exception):
    """Another build holds the output folder; the message names it."""


def lock_path(out_dir: Path) -> Path:
    return out_dir.with_name(f".{out_dir.name}.lock")


def holder_path(out_dir: Path) -> Path:
    return out_dir.with_name(f".{out_dir.name}.lock.json")


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

    def __enter__(self) -> "OutputLock":
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
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
