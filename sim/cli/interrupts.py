"""Ctrl-C and SIGTERM stop a command at once, and never halfway through compiling
the model's kernels.

Both raise in the main thread, SIGINT a ``KeyboardInterrupt`` and SIGTERM its
subclass :class:`Terminated`, so that one clean-up serves both
(:func:`sim.cli.common.user_errors`). Compiled code and the second thread of
large markets (:mod:`sim.domain.rows`, :mod:`sim.draws`) are never interrupted
themselves: Python runs a handler between bytecodes of the main thread, and the
threads are joined before the process exits.

Except where Python code runs inside C code that does not check for an
exception. Numba's unboxing of a NumPy ``Generator`` (each call of the
compiled draws, :func:`sim.draws.fill`) calls ``ctypes.cast``, which is Python
code, and uses its result without checking it (``numba/core/boxing.py``,
Numba 0.60 to 0.68): an exception raised there is a NULL pointer dereferenced.
That was the rare SIGSEGV of a SIGTERM during ``run -w 1``; 300 signals in 3 s
at a small market crashed the process in 3 trials of 3. A signal caught inside
``ctypes`` is therefore sent again :data:`RETRY_AFTER` later, when the main
thread is elsewhere.

Numba compiling a kernel, or loading it from its cache, is different: an
exception raised in the middle of it leaves the kernel's library half built.
The command then ended with a traceback (``RuntimeError: no compiled object
yet``) and, once in 16 SIGTERMs, with a crash (SIGSEGV) as the interpreter
tore the half-built objects down. While :func:`compiling`, a signal therefore
ends the process on the spot with ``on_signal``, skipping that tear-down.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Callable, Iterator
from types import FrameType

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C
EXIT_TERMINATED = 143  # 128 + SIGTERM


class Terminated(KeyboardInterrupt):
    """SIGTERM (``kill``, a batch system's time limit), raised like Ctrl-C so the same clean-up runs."""


RETRY_AFTER = 0.001
"""Seconds after which a signal that arrived inside ``ctypes`` is sent again."""

_on_signal: Callable[[int], None] | None = None
"""While compiling: what to do with a signal instead of raising (it ends the process)."""


def _stop(signum: int, frame: FrameType | None) -> None:
    if _on_signal is not None:
        _on_signal(exit_code(signum))
    if frame is not None and frame.f_globals.get("__name__", "").partition(".")[0] == "ctypes":
        threading.Timer(RETRY_AFTER, os.kill, (os.getpid(), signum)).start()
        return
    raise Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


def exit_code(signum: int) -> int:
    return EXIT_TERMINATED if signum == signal.SIGTERM else EXIT_INTERRUPTED


def stop_on_signals() -> None:
    """Install the handlers (only the main thread may): SIGTERM always, and SIGINT unless it is
    ignored (a background job of a shell without job control starts with Ctrl-C ignored)."""
    if threading.current_thread() is not threading.main_thread():
        return
    signal.signal(signal.SIGTERM, _stop)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _stop)


@contextlib.contextmanager
def compiling(on_signal: Callable[[int], None]) -> Iterator[None]:
    """During the block, Ctrl-C or SIGTERM calls ``on_signal(exit code)``, which must end the process."""
    global _on_signal
    _on_signal = on_signal
    try:
        yield
    finally:
        _on_signal = None
