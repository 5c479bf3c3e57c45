"""Seeded replications of one scenario.

Replication k of a run with root seed S uses the k-th child of
``numpy.random.SeedSequence(S)``: independent streams, the same whichever
process or machine computes them, and the same for every arm of a comparison
(common random numbers). The researcher's entry point to many replications is
:func:`sim.run_replications`; underneath, :func:`sim.runs.batch.run_tasks`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..model import MarketModel
from ..scenario import Scenario
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
