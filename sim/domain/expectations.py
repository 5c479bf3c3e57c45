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


def update(expectation: np.ndarray, aware: np.ndarray, promised: np.ndarray, segment: np.ndarray,
           firm: np.ndarray, experienced: np.ndarray, heard_positive: np.ndarray,
           heard_negative: np.ndarray, params: Expectations) -> None:
    """Move expectations in place (customers x firms).

    ``promised`` is per segment and firm (:func:`promised_benefit`),
    ``experienced`` the performance each customer met at their own ``firm``
    this period (-1: a prospect, who experienced nothing). Each firm's column
    moves in turn: towards experience, then towards the promise if the firm is
    known, then by a step for each piece of word of mouth.
    """
    delta = np.empty(firm.size)
    for j in range(expectation.shape[1]):
        column = expectation[:, j]
        np.subtract(experienced, column, out=delta)
        delta *= params.experience_weight
        np.add(column, delta, out=column, where=firm == j)
        np.subtract(promised[segment, j], column, out=delta)
        delta *= params.promise_weight
        np.add(column, delta, out=column, where=aware[:, j])
        np.subtract(heard_positive[:, j], heard_negative[:, j], out=delta, dtype=float)
        delta *= params.word_of_mouth_shift
        column += delta
