"""Loyalty and defection.

Loyalty is a commitment to re-buy despite competitors' efforts to entice
switching (Oliver 1999). Delight builds it fastest (an emotional bond; Jones &
Sasser 1995), satisfaction slowly, dissatisfaction erodes it.

The chance of defecting in a period is a logit around the segment's base rate:

    logit h = logit(base) - a_s (2 s - 1) - a_l L - tie(level)
              + a_g (1 - L) max(0, best alternative value - own value)

with s the satisfaction score, L loyalty and tie the structural tie of the
firm's relationship level. With every effect zero, h = base exactly.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..scenario.schema import Defection, Loyalty
from .rows import over_rows
from .satisfaction import DELIGHTED, DISSATISFIED, SATISFIED


def update(loyalty: np.ndarray, state: np.ndarray, params: Loyalty) -> None:
    """Loyalty after a period's experience, in place, kept in [0, 1]; unchanged for customers with no state.

    Delighted: L + g_delight (1 - L); satisfied: L + g_satisfied (1 - L); dissatisfied: L - loss L.
    """
    over_rows(_update, loyalty.size, loyalty, state, params.delight_gain, params.satisfied_gain,
              params.dissatisfied_loss)


@njit(cache=True, nogil=True)
def _update(lo, hi, loyalty, state, delight_gain, satisfied_gain, dissatisfied_loss):
    for i in range(lo, hi):
        if state[i] == DELIGHTED:
            loyalty[i] += delight_gain * (1.0 - loyalty[i])
        elif state[i] == SATISFIED:
            loyalty[i] += satisfied_gain * (1.0 - loyalty[i])
        elif state[i] == DISSATISFIED:
            loyalty[i] -= dissatisfied_loss * loyalty[i]


def logit(p: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(p) - np.log1p(-p)


def defection_probability(value: np.ndarray, aware: np.ndarray, firm: np.ndarray, outside: np.ndarray,
                          base_logit: np.ndarray, satisfaction: np.ndarray, loyalty: np.ndarray, level: np.ndarray,
                          tie: np.ndarray, params: Defection) -> np.ndarray:
    """Probability each customer defects this period (see module docstring); 0 without a firm.

    ``base_logit`` is :func:`logit` of each customer's base rate (fixed for a
    run, so computed once). The value gap is the best perceived value among the other firms the customer
    knows, or buying nowhere (``outside``), less the value of their own ``firm``'s offer.
    ``tie`` is the structural tie of each relationship level; ``level`` each customer's level.
    """
    out = np.zeros(firm.size)
    over_rows(_defection, firm.size, value, aware, firm, outside, base_logit, satisfaction, loyalty, level, tie,
              params.satisfaction_effect, params.loyalty_effect, params.value_gap_effect, out)
    return out


@njit(cache=True, nogil=True)
def _defection(lo, hi, value, aware, firm, outside, base_logit, satisfaction, loyalty, level, tie, satisfaction_effect,
               loyalty_effect, value_gap_effect, out):
    for i in range(lo, hi):
        own = firm[i]
        if own < 0:
            continue
        best = outside[i]
        for j in range(value.shape[1]):
            if j != own and aware[i, j] and value[i, j] > best:
                best = value[i, j]
        z = (base_logit[i] - satisfaction_effect * (2.0 * satisfaction[i] - 1.0)
             - loyalty_effect * loyalty[i] - tie[level[i]]
             + value_gap_effect * (1.0 - loyalty[i]) * max(best - value[i, own], 0.0))
        out[i] = 1.0 / (1.0 + np.exp(-z))
