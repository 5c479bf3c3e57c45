"""Choice among offers: multinomial logit on perceived value (McFadden 1974).

Used for the wallet split (share of customer) and for the choice of a new
main supplier by defectors and prospects, where an outside option (buy
nowhere in this market) competes too.
"""

from __future__ import annotations

import numpy as np


def logit_shares(utility: np.ndarray, available: np.ndarray) -> np.ndarray:
    """Row-wise softmax of ``utility`` over the ``available`` columns.

    Rows with nothing available get all zeros. Rows sum to 1 otherwise.
    """
    u = np.where(available, utility, -np.inf)
    top = u.max(axis=1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    e = np.exp(u - top)
    total = e.sum(axis=1, keepdims=True)
    return np.divide(e, total, out=np.zeros_like(e), where=total > 0)


def pick(probabilities: np.ndarray, uniform: np.ndarray) -> np.ndarray:
    """Column index chosen in each row by inverse-CDF sampling with one uniform
    draw per row (rows should sum to 1; rounding short of 1 falls to the last column)."""
    cumulative = np.cumsum(probabilities, axis=1)
    chosen = (cumulative <= uniform[:, None]).sum(axis=1)
    return np.minimum(chosen, probabilities.shape[1] - 1)
