"""Evaluating candidates: every candidate runs the same replication seeds
(common random numbers) on the engine, and each finished run is kept in the
run store under a key derived from the candidate's values, so a candidate
evaluated once (in an earlier trial, or before an interruption) is never run again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..runs import BatchProgress, Engine, RunStore, RunTask, run_tasks
from ..scenario import Scenario
from .decisions import apply_decisions
from .objective import firm_summary


def candidate_key(values: dict[str, Any]) -> str:
    """A short stable name for a set of decision values."""
    text = json.dumps({k: values[k] for k in sorted(values)}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def fresh_seeds(seed: int, replications: int) -> list[int]:
    """Seeds independent of the search's (children of ``SeedSequence([seed, 1])``, not of ``SeedSequence(seed)``)."""
    children = np.random.SeedSequence([seed, 1]).spawn(replications)
    return [int(child.generate_state(1, dtype=np.uint64)[0]) for child in children]


def evaluate(scenario: Scenario, firm: str, candidates: Sequence[dict[str, Any]], seeds: Sequence[int],
             engine: Engine | None, store: RunStore | None, prefix: str,
             on_progress: Callable[[BatchProgress], None] | None = None, reuse: bool = True) -> dict[str, pd.DataFrame]:
    """Per candidate key: the firm's summary metrics, one row per replication seed.

    Every candidate runs replication k with ``seeds[k]``; runs are stored as
    ``<prefix>-<candidate key>-r<k>``. A candidate whose values the scenario
    format rejects raises ScenarioError before anything runs. Stored runs are reused unless ``reuse`` is false.
    """
    specs = {candidate_key(values): apply_decisions(scenario, values) for values in candidates}
    tasks = [RunTask(f"{prefix}-{key}-r{k}", spec, s, k)
             for key, spec in specs.items() for k, s in enumerate(seeds)]
    frames, _ = run_tasks(tasks, engine, store, on_progress, reuse)
    return {key: firm_summary([frames[f"{prefix}-{key}-r{k}"] for k in range(len(seeds))], firm) for key in specs}
