"""Execution engines: where independent runs are computed.

An engine maps a picklable function over tasks and hands each result to a
callback as it finishes, so outputs can be written (and progress shown) as
work completes. Results do not depend on the engine: every task carries its
own seed.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

from ..domain import rows

Task = tuple[Any, ...]
PRELOAD = "sim.runs.batch"
"""The module a fork server imports once for all its workers (with the model and every run function)."""
MANAGER_EXIT = 10.0
"""Seconds, at most, to wait for a stopped pool's manager thread (it ends within milliseconds)."""


class Engine(ABC):
    """Runs ``fn(*task)`` for every task; calls ``on_result(i, result)`` as each finishes.

    Each :meth:`run` starts its workers (or connects) and ends them. A search that calls
    :meth:`run` many times keeps them across calls in a session: ``with engine: ...``.
    """

    @abstractmethod
    def run(self, fn: Callable[..., Any], tasks: Iterable[Task],
            on_result: Callable[[int, Any], None] | None = None) -> list[Any]:
        """All results, in task order."""

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def default_workers() -> int:
    return os.cpu_count() or 1


class LocalEngine(Engine):
    """A process pool on this machine (``workers`` processes; 1 runs in this process).

    Workers come from a fork server where there is one (else they are spawned). It preloads
    this package, not the caller's ``__main__``: workers start without importing it again, and
    a script that calls the API at its top level (with no ``if __name__ == "__main__":`` guard)
    is not run again inside them. Nothing a task needs lives in ``__main__``: a researcher's
    strategies travel by value (:mod:`sim.runs.shipping`). Inside ``with`` the pool is kept
    between runs.
    """

    def __init__(self, workers: int | None = None):
        self.workers = max(1, workers if workers is not None else default_workers())
        self._session: ProcessPoolExecutor | None = None  # the pool kept between runs, inside ``with``

    def __repr__(self) -> str:
        return f"LocalEngine(workers={self.workers})"

    def __enter__(self) -> LocalEngine:
        if self.workers > 1:
            self._session = _pool(self.workers)
        return self

    def __exit__(self, *exc: object) -> None:
        pool, self._session = self._session, None
        if pool is not None:
            pool.shutdown()

    def run(self, fn, tasks, on_result=None):
        tasks = list(tasks)
        results: list[Any] = [None] * len(tasks)
        if self.workers == 1 or len(tasks) <= 1:
            for i, task in enumerate(tasks):
                results[i] = fn(*task)
                if on_result:
                    on_result(i, results[i])
            return results
        pool = self._session or _pool(min(self.workers, len(tasks)))
        try:
            with _main_not_imported():  # the workers start during the submissions
                futures = {pool.submit(fn, *task): i for i, task in enumerate(tasks)}
            for future in as_completed(futures):
                i = futures[future]
                results[i] = future.result()
                if on_result:
                    on_result(i, results[i])
        except BaseException:  # Ctrl-C, SIGTERM or a failed task: stop now, do not wait for running tasks
            self._session = None
            _stop(pool)
            raise
        if pool is not self._session:
            pool.shutdown()
        return results


def _pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` processes, started from a fork server where there is one, else spawned.

    The start method is chosen explicitly: Mesa 3.3 changes the global default on import, and
    forking a process that uses threads is unsafe. The workers start as tasks are submitted.
    """
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload([PRELOAD])  # takes effect when the fork server starts
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_start_worker)


@contextlib.contextmanager
def _main_not_imported():
    """While worker processes start, hide where ``__main__`` came from (its file, or its module name
    for ``python -m``), so that a new worker does not import it again: multiprocessing would run a
    script's unguarded top level once more in every worker, and that would start workers itself."""
    main = sys.modules["__main__"]
    saved = {name: main.__dict__[name] for name in ("__file__", "__spec__") if name in main.__dict__}
    main.__dict__.pop("__file__", None)
    main.__spec__ = None
    try:
        yield
    finally:
        main.__dict__.update(saved)


def _start_worker() -> None:
    """In a worker: ignore Ctrl-C (the whole terminal group gets it; the parent stops the pool),
    and keep each model on one thread, since the workers already fill the cores."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    rows.use_second_core(False)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Cancel queued tasks and end the worker processes at once.

    The pool's manager thread is then waited for (it closes its wake-up pipe as it ends):
    left running, it could close that pipe while the interpreter's exit hook writes to it,
    which prints an ``OSError: Bad file descriptor`` traceback after a clean stop.
    """
    # No public way to end workers before Python 3.14, nor to reach the manager thread.
    workers = list((pool._processes or {}).values())
    manager = pool._executor_manager_thread
    pool.shutdown(wait=False, cancel_futures=True)
    for process in workers:
        process.terminate()
    for process in workers:
        process.join()
    if manager is not None:
        manager.join(timeout=MANAGER_EXIT)


def make_engine(workers: int | None = None, scheduler: str | None = None) -> Engine:
    """The Dask cluster at ``scheduler`` if one is given, else a local pool of ``workers`` processes."""
    if scheduler:
        from .dask_engine import DaskEngine

        return DaskEngine(scheduler)
    return LocalEngine(workers)
