"""Compiled per-customer loops on two cores.

Each compiled sub-step is a loop over customers in which a customer's result
depends on their own row of the arrays only. From ``SPLIT_FROM`` customers the
loop runs as two halves of the rows on two threads (the compiled loops release
the GIL, and so do SciPy's sparse products). A row gets the same result
whichever thread computes it, so splitting changes the time, never the numbers.

``MARKETSIM_THREADS=1`` in the environment (or :func:`use_second_core`) keeps
every model of the process on one thread; the process pool does this in its
workers, where the replications already fill the cores.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

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


def at_once(first: Callable[[], Any], second: Callable[[], Any]) -> tuple[Any, Any]:
    """Run ``first`` on a second thread while ``second`` runs on this one; their results,
    or the error of either (the thread is always joined: none outlives the call)."""
    results: list[Any] = [None]
    errors: list[BaseException] = []

    def run_first() -> None:
        try:
            results[0] = first()
        except BaseException as error:  # handed to the calling thread below
            errors.append(error)

    thread = threading.Thread(target=run_first, name="marketsim-rows")
    thread.start()
    try:
        second_result = second()
    finally:
        thread.join()
    if errors:
        raise errors[0]
    return results[0], second_result


def over_rows(kernel: Callable[..., Any], rows: int, *args: Any) -> tuple[Any, ...]:
    """``kernel(lo, hi, *args)`` over the rows [0, rows): in two halves on two threads from
    ``SPLIT_FROM`` rows, else in one call; the kernel's result for each part."""
    if rows < SPLIT_FROM or not _second_core:
        return (kernel(0, rows, *args),)
    middle = rows // 2
    return at_once(lambda: kernel(0, middle, *args), lambda: kernel(middle, rows, *args))
