"""Run orchestration: seeded replications and batches of keyed runs, executed
serially, on a local process pool or on a Dask cluster, with finished runs kept
in a store so that interrupted work resumes."""

from .batch import BatchProgress, RunTask, run_tasks
from .engine import Engine, LocalEngine, make_engine
from .replications import replication_seeds, run_replication
from .store import RunStore

__all__ = ["BatchProgress", "Engine", "LocalEngine", "RunStore", "RunTask", "make_engine", "replication_seeds",
           "run_replication", "run_tasks"]
