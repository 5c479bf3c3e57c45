"""Execution engines: where independent runs are computed.

An engine maps a picklable function over tasks and hands each result to a
callback as it finishes, so outputs can be written (and progress shown) as
work completes. Results do not depend on the engine: every task carries its
own seed.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

from ..domain import rows

Task = tuple[Any, ...]


class Engine(ABC):
    """Runs ``fn(*task)`` for every task; calls ``on_result(i, result)`` as each finishes."""

    @abstractmethod
    def run(self, fn: Callable[..., Any], tasks: Iterable[Task],
            on_result: Callable[[int, Any], None] | None = None) -> list[Any]:
        """All results, in task order."""


def default_workers() -> int:
    return os.cpu_count() or 1


class LocalEngine(Engine):
    """A process pool on this machine (``workers`` processes; 1 runs in this process).

    The start method is chosen explicitly ('forkserver' where available, else
    'spawn'): Mesa 3.3 changes the global default on import, and forking a
    process that uses threads is unsafe.
    """

    def __init__(self, workers: int | None = None):
        self.workers = max(1, workers if workers is not None else default_workers())

    def __repr__(self) -> str:
        return f"LocalEngine(workers={self.workers})"

    def run(self, fn, tasks, on_result=None):
        tasks = list(tasks)
        results: list[Any] = [None] * len(tasks)
        if self.workers == 1 or len(tasks) <= 1:
            for i, task in enumerate(tasks):
                results[i] = fn(*task)
                if on_result:
                    on_result(i, results[i])
            return results
        method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
        context = multiprocessing.get_context(method)
        pool = ProcessPoolExecutor(max_workers=min(self.workers, len(tasks)), mp_context=context,
                                   initializer=_start_worker)
        try:
            futures = {pool.submit(fn, *task): i for i, task in enumerate(tasks)}
            for future in as_completed(futures):
                i = futures[future]
                results[i] = future.result()
                if on_result:
                    on_result(i, results[i])
        except BaseException:  # Ctrl-C, SIGTERM or a failed task: stop now, do not wait for running tasks
            _stop(pool)
            raise
        pool.shutdown()
        return results


def _start_worker() -> None:
    """In a worker: ignore Ctrl-C (the whole terminal group gets it; the parent stops the pool),
    and keep each model on one thread, since the workers already fill the cores."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    rows.use_second_core(False)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel queued tasks and end the worker processes at once."""
    workers = list((pool._processes or {}).values())  # no public way to end workers before Python 3.14
    pool.shutdown(wait=False, cancel_futures=True)
    for process in workers:
        process.terminate()
    for process in workers:
        process.join()


def make_engine(workers: int | None = None, scheduler: str | None = None) -> Engine:
    """The Dask cluster at ``scheduler`` if one is given, else a local pool of ``workers`` processes."""
    if scheduler:
        from .dask_engine import DaskEngine

        return DaskEngine(scheduler)
    return LocalEngine(workers)
