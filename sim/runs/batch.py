"""Many keyed runs on any engine, with finished runs kept in a :class:`RunStore`.

A :class:`RunTask` is one replication of one scenario variant (an arm of a
comparison, a sample of a sweep, or the scenario itself) under a key that
names its file in the store. :func:`run_tasks` takes what the store already
holds, computes the rest on the engine, and saves each run the moment it
finishes, so an interrupted batch loses nothing and a re-run only completes it.
Asked for per-segment results, each run also yields its per-segment frame
(:mod:`sim.runs.segments`), kept in the store's ``segments/`` folder under the
same key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from ..scenario import Scenario
from .engine import Engine, LocalEngine
from .replications import run_replication
from .segments import run_with_segments
from .shipping import ShippedStrategies
from .store import RunStore, fingerprint, max_run_bytes


@dataclass(frozen=True)
class RunTask:
    """One seeded replication: ``key`` names it in the store (e.g. ``baseline-r3``); ``strategies``
    are the researcher's own, shipped by value (:func:`sim.runs.shipping.ship`)."""

    key: str
    scenario: Scenario
    seed: int
    replication: int
    strategies: ShippedStrategies | None = None


@dataclass
class BatchProgress:
    """Counts reported while a batch runs."""

    total: int
    reused: int = 0
    computed: int = 0


def run_tasks(tasks: Sequence[RunTask], engine: Engine | None = None, store: RunStore | None = None,
              on_progress: Callable[[BatchProgress], None] | None = None, reuse: bool = True,
              segments: dict[str, pd.DataFrame] | None = None) -> tuple[dict[str, pd.DataFrame], BatchProgress]:
    """Every task's frame by key (and the counts). Finished runs in the store are
    reused unless ``reuse`` is false (then every run is computed and its file replaced).
    Given a dict as ``segments``, each task's per-segment frame is put into it by key."""
    keys = [t.key for t in tasks]
    if len(set(keys)) != len(keys):
        raise ValueError("run task keys must be unique")
    engine = engine or LocalEngine(workers=1)
    progress = BatchProgress(total=len(tasks))
    frames: dict[str, pd.DataFrame] = {}
    digests = {t.key: fingerprint(t.scenario, t.seed, t.replication, t.strategies) for t in tasks} if store else {}
    by_segment = RunStore(store.directory / "segments") if store and segments is not None else None
    todo = []
    for task in tasks:
        stored = None
        if store and reuse:
            stored = store.load(task.key, digests[task.key], max_run_bytes(task.scenario))
        elif store:
            store.check(task.key)  # an entry in the way is refused before the work, not after
        if stored is not None and by_segment:
            segments[task.key] = by_segment.load(task.key, digests[task.key])
            stored = stored if segments[task.key] is not None else None
        if stored is None:
            todo.append(task)
        else:
            frames[task.key] = stored
            progress.reused += 1
    if on_progress:
        on_progress(progress)

    def finished(i: int, result: pd.DataFrame | tuple[pd.DataFrame, pd.DataFrame]) -> None:
        key = todo[i].key
        frame, by_segment_frame = result if segments is not None else (result, None)
        if by_segment_frame is not None:
            segments[key] = by_segment_frame
            if by_segment:  # before the run's own files, whose sidecar marks the run finished
                by_segment.save(key, digests[key], by_segment_frame)
        if store:
            store.save(key, digests[key], frame)
        frames[key] = frame
        progress.computed += 1
        if on_progress:
            on_progress(progress)

    run = run_replication if segments is None else run_with_segments
    engine.run(run, [(t.scenario, t.seed, t.replication, t.strategies) for t in todo], finished)
    return {k: frames[k] for k in keys}, progress
