"""Expectations (Kotler & Keller): shaped by past buying experience, friends'
and associates' advice, and marketers' and competitors' promises.

Each customer holds an expectation of the benefit each firm delivers. Each
period it moves part of the way towards what they experienced (their own
firm), towards what the firm promises (every firm they know of), and by a
step for each piece of word of mouth heard. Promise too much and customers
expect more than they get; promise too little and they ignore the offer.
"""

from __future__ import annotations

import numpy as np

from ..scenario.schema import Expectations


def promised_benefit(promise: np.ndarray, delivered: np.ndarray) -> np.ndarray:
    """Benefit each firm promises each segment (segments x firms): a multiple of what it delivers."""
    return promise[None, :] * delivered


def update(expectation: np.ndarray, aware: np.ndarray, promised: np.ndarray, served: np.ndarray,
           firm: np.ndarray, experienced: np.ndarray, heard_positive: np.ndarray,
           heard_negative: np.ndarray, params: Expectations) -> None:
    """Move expectations in place (customers x firms).

    ``promised`` is per customer and firm, ``experienced`` the performance each
    served customer met at their firm this period.
    """
    rows = np.flatnonzero(served)
    cols = firm[rows]
    expectation[rows, cols] += params.experience_weight * (experienced[rows] - expectation[rows, cols])
    expectation += np.where(aware, params.promise_weight * (promised - expectation), 0.0)
    expectation += params.word_of_mouth_shift * (heard_positive.astype(float) - heard_negative)
