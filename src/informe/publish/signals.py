"""Ctrl-C and SIGTERM during a build: one exception the build turns into one line and exit 130/143."""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager


class Interrupted(BaseException):
    """The build received SIGINT (Ctrl-C) or SIGTERM; ``exit_code`` is 128 + the signal number."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


SIGNALS = tuple(s for s in (signal.SIGINT, getattr(signal, "SIGTERM", None)) if s is not None)


@contextmanager
def interruptible():
    """Turn SIGINT/SIGTERM into :class:`Interrupted` inside the block (main thread only).

    After the first signal further ones are ignored, so that the cleanup (ending workers and
    kernels, removing the staging folder) is not itself interrupted.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, _frame):
        for s in SIGNALS:
            signal.signal(s, signal.SIG_IGN)
        raise Interrupted(signum)

    previous = {s: signal.signal(s, handler) for s in SIGNALS}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
