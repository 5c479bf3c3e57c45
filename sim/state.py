"""Per-customer state as a struct of arrays: one row per customer, one column
per firm where the state is about a firm."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .domain.satisfaction import NO_STATE


@dataclass
class CustomerState:
    """All customers' state (N customers, F firms).

    segment: segment index (N). firm: main supplier index, -1 for a prospect (N).
    wallet: category purchases per period before relationship uplift, units (N).
    aware: knows the firm (N x F). expectation: expected benefit, value units (N x F).
    familiarity: share of that expectation resting on the customer's own purchases
    of the firm, 0..1 (N x F): promises and hearsay move the rest.
    image: image shift from word of mouth, value units (N x F); it fades.
    loyalty: 0..1 (N). satisfaction: last score in (0, 1) (N).
    satisfaction_state: last state, -1 none (N). acquired_at: first period bought
    from the current firm (N). wallet_split: this period's shares of purchases (N x F).

    N x F arrays are stored firm by firm (Fortran order): the step works on one
    firm's column of all customers at a time, which is contiguous that way.
    """

    segment: np.ndarray
    firm: np.ndarray
    wallet: np.ndarray
    aware: np.ndarray
    expectation: np.ndarray
    familiarity: np.ndarray
    image: np.ndarray
    loyalty: np.ndarray
    satisfaction: np.ndarray
    satisfaction_state: np.ndarray
    acquired_at: np.ndarray
    wallet_split: np.ndarray

    @classmethod
    def empty(cls, n: int, f: int) -> CustomerState:
        return cls(
            segment=np.zeros(n, dtype=np.int64),
            firm=np.full(n, -1, dtype=np.int64),
            wallet=np.zeros(n),
            aware=np.zeros((n, f), dtype=bool, order="F"),
            expectation=np.zeros((n, f), order="F"),
            familiarity=np.zeros((n, f), order="F"),
            image=np.zeros((n, f), order="F"),
            loyalty=np.zeros(n),
            satisfaction=np.full(n, 0.5),
            satisfaction_state=np.full(n, NO_STATE, dtype=np.int8),
            acquired_at=np.zeros(n, dtype=np.int64),
            wallet_split=np.zeros((n, f), order="F"),
        )

    @property
    def size(self) -> int:
        return self.firm.size
