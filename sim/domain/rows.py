"""Compiled per-customer loops on two cores.

Each compiled sub-step is a loop over customers that writes each customer's
result to their own row only, and reads nothing the same loop writes (the
word-of-mouth sums read the contacts' rows of an earlier pass). From
``SPLIT_FROM`` customers the loop runs as two halves of the rows on two
threads (the compiled loops release the GIL). A row gets the same result
whichever thread computes it, so splitting changes the time, never the
numbers. Sums over customers (:func:`summed_over_rows`) always add up the
same two halves from that size, whether on two threads or one.

``MARKETSIM_THREADS=1`` in the environment (or :func:`use_second_core`) keeps
every model of the process on one thread; the process pool does this in its
workers, where the replications already fill the cores.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

SPLIT_FROM = 50_000
"""Customers from which a loop is split over two threads; below it, starting a
thread (tens of microseconds) costs about as much as it saves."""

_second_core = os.environ.get("MARKETSIM_THREADS", "").strip() != "1"


def second_core() -> bool:
    """Whether large markets use a second thread in this process."""
    return _second_core


def use_second_core(enabled: bool) -> None:
    """Let large markets use a second thread (the default), or keep them on one."""
    global _second_core
    _second_core = bool(enabled)


class Beside:
    """``work()`` started on a second thread; :meth:`result` joins it and returns its result
    or raises its error in the caller's thread."""

    def __init__(self, work: Callable[[], Any], name: str):
        self._result: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(work,), name=f"marketsim-{name}")
        self._thread.start()

    def _run(self, work: Callable[[], Any]) -> None:
        try:
            self._result = work()
        except BaseException as error:  # handed to the caller by result()
            self._error = error

    def join(self) -> None:
        """Wait for the thread, leaving its result or error untouched."""
        self._thread.join()

    def result(self) -> Any:
        self.join()
        if self._error is not None:
            raise self._error
        return self._result


def at_once(first: Callable[[], Any], second: Callable[[], Any]) -> tuple[Any, Any]:
    """Run ``first`` on a second thread while ``second`` runs on this one; their results,
    or the error of either (the thread is always joined: none outlives the call)."""
    beside = Beside(first, "rows")
    try:
        second_result = second()
    except BaseException:
        beside.join()
        raise
    return beside.result(), second_result


def over_rows(kernel: Callable[..., Any], rows: int, *args: Any) -> tuple[Any, ...]:
    """``kernel(lo, hi, *args)`` over the rows [0, rows): in two halves on two threads from
    ``SPLIT_FROM`` rows, else in one call; the kernel's result for each part.

    The bounds are unsigned (``numpy.uint64``). A row index ``i in range(lo, hi)``
    is then unsigned too, so the compiled loop need not check each index for a
    negative value to wrap around; without those checks the loops compile to
    tighter, partly vectorised code (the sub-steps took 15-25 % less CPU time
    at 1,000,000 customers, with the same results). A kernel should only index
    with ``i`` (unsigned and signed integers mixed in arithmetic give a float)."""
    lo, middle, hi = _bounds(rows)
    if rows < SPLIT_FROM or not _second_core:
        return (kernel(lo, hi, *args),)
    return at_once(lambda: kernel(lo, middle, *args), lambda: kernel(middle, hi, *args))


def summed_over_rows(kernel: Callable[..., Any], rows: int, shape: tuple[int, ...], *args: Any) -> np.ndarray:
    """Sums over the rows [0, rows) (an array of ``shape``), by ``kernel(lo, hi, *args, sums)``, which adds
    the terms of rows [lo, hi) into ``sums`` (zeroed).

    From ``SPLIT_FROM`` rows the two halves are summed apart (on two threads, or
    one after the other when the process keeps to one thread) and their sums
    added. The halves do not depend on the threads, so neither does the
    rounding of the sums."""
    lo, middle, hi = _bounds(rows)
    if rows < SPLIT_FROM:
        sums = np.zeros(shape)
        kernel(lo, hi, *args, sums)
        return sums
    halves = np.zeros((2, *shape))
    if _second_core:
        at_once(lambda: kernel(lo, middle, *args, halves[0]), lambda: kernel(middle, hi, *args, halves[1]))
    else:
        kernel(lo, middle, *args, halves[0])
        kernel(middle, hi, *args, halves[1])
    return halves[0] + halves[1]


def _bounds(rows: int) -> tuple[np.uint64, np.uint64, np.uint64]:
    """First row, middle and end of [0, rows), unsigned (see :func:`over_rows`)."""
    return np.uint64(0), np.uint64(rows // 2), np.uint64(rows)
