"""Choice among offers: multinomial logit on perceived value (McFadden 1974).

Used for the wallet split (share of customer) and for the choice of a new
main supplier by defectors and prospects, where an outside option (buy
nowhere in this market) competes too.
"""

from __future__ import annotations

import numpy as np


def logit_shares(utility: np.ndarray, available: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Row-wise softmax of ``utility`` over the ``available`` columns (into ``out`` if given).

    Rows with nothing available get all zeros. Rows sum to 1 otherwise. The
    work goes column by column (one column per firm), which suits arrays stored
    firm by firm and allocates nothing of the full size.
    """
    n, f = utility.shape
    out = np.empty_like(utility) if out is None else out
    everyone = available.all(axis=0)  # columns available in every row need no mask
    top = np.full(n, -np.inf)
    for j in range(f):
        np.maximum(top, utility[:, j], out=top, where=True if everyone[j] else available[:, j])
    top[~np.isfinite(top)] = 0.0
    total = np.zeros(n)
    for j in range(f):
        e = out[:, j]
        np.subtract(utility[:, j], top, out=e)
        if not everyone[j]:
            np.copyto(e, -np.inf, where=~available[:, j])
        np.exp(e, out=e)
        total += e
    positive = total > 0
    for j in range(f):
        np.divide(out[:, j], total, out=out[:, j], where=positive)
    return out


def pick(probabilities: np.ndarray, uniform: np.ndarray) -> np.ndarray:
    """Column index chosen in each row by inverse-CDF sampling with one uniform
    draw per row (rows should sum to 1; rounding short of 1 falls to the last column)."""
    cumulative = np.cumsum(probabilities, axis=1)
    chosen = (cumulative <= uniform[:, None]).sum(axis=1)
    return np.minimum(chosen, probabilities.shape[1] - 1)
