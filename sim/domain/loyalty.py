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

from ..scenario.schema import Defection, Loyalty
from .satisfaction import DELIGHTED, DISSATISFIED, SATISFIED


def next_loyalty(loyalty: np.ndarray, state: np.ndarray, params: Loyalty) -> np.ndarray:
    """Loyalty after a period's experience, kept in [0, 1]; unchanged for customers with no state."""
    gain_by_state = np.zeros(3)
    gain_by_state[SATISFIED], gain_by_state[DELIGHTED] = params.satisfied_gain, params.delight_gain
    gain = np.take(gain_by_state, state.clip(0))  # rows with no state are left alone below
    out = loyalty.copy()
    np.add(out, gain * (1.0 - out), out=out, where=state >= SATISFIED)  # L + g (1 - L)
    np.subtract(out, params.dissatisfied_loss * out, out=out, where=state == DISSATISFIED)  # L - loss L
    return out


def logit(p: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        return np.log(p) - np.log1p(-p)


def defection_probability(base: np.ndarray, satisfaction: np.ndarray, loyalty: np.ndarray,
                          tie: np.ndarray, value_gap: np.ndarray, params: Defection) -> np.ndarray:
    """Probability each customer defects this period (see module docstring)."""
    z = (logit(base) - params.satisfaction_effect * (2.0 * satisfaction - 1.0)
         - params.loyalty_effect * loyalty - tie
         + params.value_gap_effect * (1.0 - loyalty) * np.maximum(value_gap, 0.0))
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-z))
