"""Satisfaction as expectation-disconfirmation (Oliver 1980; Kotler & Keller):
perceived performance against expectations. Below the zone of tolerance the
customer is dissatisfied, within it satisfied, far above it delighted.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..scenario.schema import Satisfaction
from .rows import over_rows

DISSATISFIED, SATISFIED, DELIGHTED = 0, 1, 2
NO_STATE = -1  # prospects, who bought nothing here this period
STATE_NAMES = ("dissatisfied", "satisfied", "delighted")


def experience(delivered: np.ndarray, segment: np.ndarray, firm: np.ndarray, expectation: np.ndarray,
               noise: np.ndarray, recovery: np.ndarray, uniform: np.ndarray,
               params: Satisfaction) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each served customer's performance, state and score this period.

    Performance is the benefit their ``firm`` delivers to their segment plus
    ``experience_noise`` x ``noise``; disconfirmation is performance minus their
    expectation of that firm. Below -tolerance they are dissatisfied, above
    max(delight threshold, tolerance) delighted, otherwise satisfied. Complaint
    handling: a dissatisfied customer whose problem the firm catches (``uniform``
    below their ``recovery`` probability) is brought back to satisfied with
    expectations just met. The score is logistic(disconfirmation / scale):
    0.5 when expectations are met. Customers with no firm get performance 0,
    no state and score 0.5.
    """
    n = firm.size
    performance, state, score = np.zeros(n), np.full(n, NO_STATE, dtype=np.int8), np.full(n, 0.5)
    over_rows(_experience, n, delivered, segment, firm, expectation, noise, recovery, uniform, params.experience_noise,
                params.tolerance, max(params.delight_threshold, params.tolerance), params.scale,
                performance, state, score)
    return performance, state, score


@njit(cache=True, nogil=True)
def _experience(lo, hi, delivered, segment, firm, expectation, noise, recovery, uniform, experience_noise, tolerance,
                delight_above, scale, performance, state, score):
    for i in range(lo, hi):
        f = firm[i]
        if f < 0:
            continue
        performance[i] = delivered[segment[i], f] + experience_noise * noise[i]
        disconfirmation = performance[i] - expectation[i, f]
        s = SATISFIED
        if disconfirmation < -tolerance:
            s = DISSATISFIED
        if disconfirmation > delight_above:
            s = DELIGHTED
        if s == DISSATISFIED and uniform[i] < recovery[i]:
            s = SATISFIED
            disconfirmation = 0.0
        state[i] = s
        score[i] = 1.0 / (1.0 + np.exp(-disconfirmation / scale))
