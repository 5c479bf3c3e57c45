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
from numba import njit

from ..scenario.schema import Expectations
from .rows import over_rows


def promised_benefit(promise: np.ndarray, delivered: np.ndarray) -> np.ndarray:
    """Benefit each firm promises each segment (segments x firms): a multiple of what it delivers."""
    return promise[None, :] * delivered


def update(expectation: np.ndarray, aware: np.ndarray, promised: np.ndarray, segment: np.ndarray,
           firm: np.ndarray, experienced: np.ndarray, heard_positive: np.ndarray,
           heard_negative: np.ndarray, params: Expectations) -> None:
    """Move expectations in place (customers x firms).

    ``promised`` is per segment and firm (:func:`promised_benefit`),
    ``experienced`` the performance each customer met at their own ``firm``
    this period (-1: a prospect, who experienced nothing). Each expectation
    moves in turn: towards experience (own firm), then towards the promise if
    the firm is known, then by a step for each piece of word of mouth.
    """
    over_rows(_update, firm.size, expectation, aware, promised, segment, firm, experienced, heard_positive, heard_negative,
            params.experience_weight, params.promise_weight, params.word_of_mouth_shift)


@njit(cache=True, nogil=True)
def _update(lo, hi, expectation, aware, promised, segment, firm, experienced, heard_positive, heard_negative,
            experience_weight, promise_weight, word_of_mouth_shift):
    """Compiled loop over firms and customers (firm-major, as the arrays are stored)."""
    for j in range(expectation.shape[1]):
        for i in range(lo, hi):
            e = expectation[i, j]
            if firm[i] == j:
                e += experience_weight * (experienced[i] - e)
            if aware[i, j]:
                e += promise_weight * (promised[segment[i], j] - e)
            e += word_of_mouth_shift * ((1.0 if heard_positive[i, j] else 0.0) - (1.0 if heard_negative[i, j] else 0.0))
            expectation[i, j] = e
