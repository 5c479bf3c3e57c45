"""Run orchestration: seeded replications, executed serially or on a process pool."""

from .engine import Engine, LocalEngine
from .replications import replication_seeds, run_replication, run_replications

__all__ = ["Engine", "LocalEngine", "replication_seeds", "run_replication", "run_replications"]
