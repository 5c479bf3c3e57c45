"""Ctrl-C and SIGTERM stop a command at once, and never where stopping would
crash it or be lost.

Both raise in the main thread, SIGINT a ``KeyboardInterrupt`` and SIGTERM its
subclass :class:`Terminated`, so that one clean-up serves both
(:func:`sim.cli.common.user_errors`). Compiled code and the second thread of
large markets (:mod:`sim.domain.rows`, :mod:`sim.draws`) are never interrupted
themselves: Python runs a handler between bytecodes of the main thread, and the
threads are joined before the process exits. Three places need more care:

- Python code run inside C code that does not check for an exception. Numba's
  unboxing of a NumPy ``Generator`` (each call of the compiled draws,
  :func:`sim.draws.fill`) calls ``ctypes.cast``, which is Python code, and uses
  its result unchecked (``numba/core/boxing.py``, Numba 0.60 to 0.68): an
  exception raised there is a NULL pointer dereferenced. That was the rare
  SIGSEGV of a SIGTERM during ``run -w 1``; 300 signals in 3 s at a small market
  crashed the process in 3 trials of 3. A signal caught inside ``ctypes`` is sent
  again :data:`RETRY_AFTER` later (by SIGALRM), when the main thread is elsewhere.
- Finalisers (a generator closed by the garbage collector, ``__del__``, a weakref
  callback): Python drops an exception raised there, printing "Exception
  ignored", and the command carried on. Such an interruption is sent again too.
  The other way round, an interruption between opening a file and entering its
  ``with`` (in the import system, say) leaves the file to the collector, whose
  ResourceWarning, under ``-W error``, is printed as "Exception ignored" with a
  traceback after a clean stop; once a command is interrupted, those are dropped.
- Numba compiling a kernel or loading it from its cache: an exception in the
  middle of it leaves the kernel's library half built, and the command ended
  with a traceback (``RuntimeError: no compiled object yet``) in 4 of 37 trials.
  While :func:`compiling`, a signal ends the process on the spot with
  ``on_signal`` instead.
"""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from types import FrameType

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C
EXIT_TERMINATED = 143  # 128 + SIGTERM


class Terminated(KeyboardInterrupt):
    """SIGTERM (``kill``, a batch system's time limit), raised like Ctrl-C so the same clean-up runs."""


RETRY_AFTER = 0.001
"""Seconds after which a signal that could not be raised where it arrived is handled again."""

_on_signal: Callable[[int], None] | None = None
"""While compiling: what to do with a signal instead of raising (it ends the process)."""

_interrupted = False
"""Whether an interruption has been raised: the work it abandoned may leave files to the collector."""


def _stop(signum: int, frame: FrameType | None) -> None:
    """The handler of SIGINT and SIGTERM: raise, unless compiling or inside ``ctypes`` (see above)."""
    if _on_signal is not None:
        _on_signal(exit_code(signum))
    if frame is not None and frame.f_globals.get("__name__", "").partition(".")[0] == "ctypes":
        _send_again(signum)
        return
    global _interrupted
    _interrupted = True
    raise Terminated() if signum == signal.SIGTERM else KeyboardInterrupt()


_again: int | None = None
"""The signal to handle again when the timer (SIGALRM) rings."""


def _send_again(signum: int) -> None:
    """Handle ``signum`` again in :data:`RETRY_AFTER` seconds (one C call: nothing here to interrupt)."""
    global _again
    _again = signum
    signal.setitimer(signal.ITIMER_REAL, RETRY_AFTER)


def _ring(signum: int, frame: FrameType | None) -> None:
    """The handler of SIGALRM: the deferred signal, handled again."""
    if _again is not None:
        _stop(_again, frame)


_usual_hook = sys.unraisablehook


def _dropped(unraisable) -> None:
    """``sys.unraisablehook``: an interruption Python had to drop is sent again; a file the
    interruption left open, closed by the collector, is let go; the rest as usual."""
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        _send_again(signal.SIGTERM if isinstance(unraisable.exc_value, Terminated) else signal.SIGINT)
    elif not (_interrupted and isinstance(unraisable.exc_value, ResourceWarning)):
        _usual_hook(unraisable)


def exit_code(signum: int) -> int:
    return EXIT_TERMINATED if signum == signal.SIGTERM else EXIT_INTERRUPTED


def stop_on_signals() -> None:
    """Install the handlers (only the main thread may): SIGTERM always, and SIGINT unless it is
    ignored (a background job of a shell without job control starts with Ctrl-C ignored); and the
    hook that sends a dropped interruption again."""
    global _usual_hook
    if threading.current_thread() is not threading.main_thread():
        return
    if sys.unraisablehook is not _dropped:
        _usual_hook, sys.unraisablehook = sys.unraisablehook, _dropped
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGALRM, _ring)
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
