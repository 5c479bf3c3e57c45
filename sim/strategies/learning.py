"""A learning firm: an epsilon-greedy bandit over relationship levels,
rewarded by profit (Sutton & Barto 2018, ch. 2).

Each period the firm plays one level (for every segment). The profit of the
period that follows is that level's reward; the firm keeps the average
reward of each level. It first tries every allowed level once, in order; after
that it explores a random level with probability ``epsilon`` and otherwise
exploits the level with the best average (the cheaper one on ties).

Its random numbers come from a generator spawned from the model's (``model.rng.spawn``):
seeded by the run, and without shifting the model's own stream, so a
comparison arm that uses this strategy keeps common random numbers.
"""

from __future__ import annotations

import numpy as np

from ..scenario.schema import RELATIONSHIP_LEVELS
from .base import Strategy, register_strategy


@register_strategy("epsilon_greedy")
class EpsilonGreedy(Strategy):
    """``epsilon``: exploration probability per period, in [0, 1] (0.1 is the
    textbook's usual value); ``levels``: the level names it may choose from
    (default all five)."""

    def __init__(self, epsilon: float = 0.1, levels: list[str] | None = None):
        if not 0.0 <= epsilon <= 1.0:
            raise ValueError(f"epsilon must be between 0 and 1, got {epsilon}")
        levels = list(RELATIONSHIP_LEVELS) if levels is None else list(levels)
        unknown = [name for name in levels if name not in RELATIONSHIP_LEVELS]
        if unknown or not levels:
            raise ValueError(f"levels must name some of {', '.join(RELATIONSHIP_LEVELS)}; got {levels}")
        self.epsilon = float(epsilon)
        self.levels = sorted({RELATIONSHIP_LEVELS.index(name) for name in levels})

    def setup(self, firm, model) -> None:
        self.rng = model.rng.spawn(1)[0]
        self.total = np.zeros(len(self.levels))  # summed profit per arm (CU)
        self.plays = np.zeros(len(self.levels), dtype=np.int64)
        self.arm: int | None = None

    @property
    def average_reward(self) -> np.ndarray:
        """Mean profit per period observed for each allowed level (nan if never played)."""
        with np.errstate(invalid="ignore"):
            return np.where(self.plays > 0, self.total / np.maximum(self.plays, 1), np.nan)

    def decide(self, firm, model) -> None:
        if self.arm is not None:
            self.total[self.arm] += firm.profit
            self.plays[self.arm] += 1
        untried = np.flatnonzero(self.plays == 0)
        explore = self.rng.random() < self.epsilon  # drawn every period: a fixed stream
        pick = self.rng.integers(len(self.levels))
        if untried.size:
            self.arm = int(untried[0])
        elif explore:
            self.arm = int(pick)
        else:
            self.arm = int(np.argmax(self.average_reward))
        firm.relationship[:] = self.levels[self.arm]

    def __repr__(self) -> str:
        names = [RELATIONSHIP_LEVELS[i] for i in self.levels]
        return f"EpsilonGreedy(epsilon={self.epsilon}, levels={names})"
