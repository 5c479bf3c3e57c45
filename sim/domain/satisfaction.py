"""Satisfaction: expectation-disconfirmation (Oliver 1980; Kotler & Keller) with a direct
effect of the value experienced, in the form of the American Customer Satisfaction Index
model (Fornell et al. 1996; Churchill & Surprenant 1982).

Every purchase is experienced: a customer who buys from firm j gets performance

    P_ij = B_sj + experience_noise x e_i

(B_sj the benefit j delivers to segment s; the error e_i is the customer's conditions
of use in the period, shared by the period's purchases). Satisfaction is judged at the main
supplier m, on the satisfaction index

    Z_i = w_d (P_im - E_im) + w_p ((B_sm - C_sm) - V_s)

with E the expectation, C the offer's cost and V_s the mean value (benefit minus
cost) of the offers in segment s: disconfirmation, plus how good the value the firm
delivers is against what the market offers (a level, where disconfirmation is the
period's event: the noise of the experience enters once). Below -tolerance the customer is dissatisfied,
within it satisfied, above max(delight threshold, tolerance) delighted. A firm that
keeps better value keeps more satisfied customers after expectations have caught up.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..scenario.schema import Satisfaction
from .rows import over_rows

DISSATISFIED, SATISFIED, DELIGHTED = 0, 1, 2
NO_STATE = -1  # prospects, who bought nothing here this period
STATE_NAMES = ("dissatisfied", "satisfied", "delighted")


def market_value(delivered: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """The mean value (benefit minus cost) of the firms' offers in each segment (segments),
    the norm the satisfaction index compares the value received with."""
    return (delivered - cost).mean(axis=1) if delivered.shape[1] else np.zeros(delivered.shape[0])


def experience(delivered: np.ndarray, cost: np.ndarray, norm: np.ndarray, segment: np.ndarray, firm: np.ndarray,
               expectation: np.ndarray, noise: np.ndarray, recovery: np.ndarray, uniform: np.ndarray,
               params: Satisfaction) -> tuple[np.ndarray, np.ndarray]:
    """Each served customer's satisfaction state and score at their ``firm`` (N).

    Complaint handling: a dissatisfied customer whose problem the firm catches (``uniform``
    below their ``recovery`` probability) is brought back to satisfied, index 0. The score is
    logistic(Z / scale): 0.5 at Z = 0. Customers with no firm get no state and score 0.5.
    """
    n = firm.size
    state, score = np.full(n, NO_STATE, dtype=np.int8), np.full(n, 0.5)
    over_rows(_experience, n, delivered, cost, norm, segment, firm, expectation, noise, recovery, uniform,
              params.experience_noise, params.disconfirmation_weight, params.performance_weight, params.tolerance,
              max(params.delight_threshold, params.tolerance), params.scale, state, score)
    return state, score


@njit(cache=True, nogil=True)
def _experience(lo, hi, delivered, cost, norm, segment, firm, expectation, noise, recovery, uniform,
                experience_noise, disconfirmation_weight, performance_weight, tolerance, delight_above, scale,
                state, score):
    for i in range(lo, hi):
        f = firm[i]
        if f < 0:
            continue
        g = segment[i]
        index = (disconfirmation_weight * (delivered[g, f] + experience_noise * noise[i] - expectation[i, f])
                 + performance_weight * (delivered[g, f] - cost[g, f] - norm[g]))
        s = SATISFIED
        if index < -tolerance:
            s = DISSATISFIED
        if index > delight_above:
            s = DELIGHTED
        if s == DISSATISFIED and uniform[i] < recovery[i]:
            s = SATISFIED
            index = 0.0
        state[i] = s
        score[i] = 1.0 / (1.0 + np.exp(-index / scale))
