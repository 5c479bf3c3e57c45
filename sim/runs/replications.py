"""Seeded replications of one scenario.

Replication k of a run with root seed S uses the k-th child of
``numpy.random.SeedSequence(S)``: independent streams, the same whichever
process or machine computes them, and the same for every arm of a comparison
(common random numbers).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from ..model import MarketModel
from ..scenario import Scenario
from .engine import Engine, LocalEngine
from .shipping import ShippedStrategies


def replication_seeds(seed: int, replications: int) -> list[int]:
    """One 64-bit seed per replication, spawned from the root seed."""
    children = np.random.SeedSequence(seed).spawn(replications)
    return [int(child.generate_state(1, dtype=np.uint64)[0]) for child in children]


def run_replication(scenario: Scenario, seed: int, replication: int = 0, strategies: ShippedStrategies | None = None,
                    steps: int | None = None) -> pd.DataFrame:
    """One seeded run (with fresh copies of any shipped strategies): the firm metrics frame with a
    ``replication`` column first."""
    frame = MarketModel(scenario, rng=seed, strategies=strategies.fresh() if strategies else None).run(steps)
    frame.insert(0, "replication", replication)
    return frame


def run_replications(scenario: Scenario, replications: int | None = None, seed: int | None = None,
                     engine: Engine | None = None,
                     on_result: Callable[[int, pd.DataFrame], None] | None = None,
                     strategies: ShippedStrategies | None = None) -> pd.DataFrame:
    """Run every replication and return one long frame (replication, step, firm, metrics).

    Defaults come from the scenario's ``run`` section; the engine defaults to
    running in this process. (The researcher's entry point, with paths, overrides and
    strategies as objects, is :func:`sim.run_replications`.)
    """
    replications = replications if replications is not None else scenario.run.replications
    seed = seed if seed is not None else scenario.run.seed
    engine = engine or LocalEngine(workers=1)
    tasks = [(scenario, s, k, strategies) for k, s in enumerate(replication_seeds(seed, replications))]
    frames = engine.run(run_replication, tasks, on_result)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
