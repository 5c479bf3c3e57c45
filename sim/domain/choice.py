"""Choice among offers: multinomial logit on perceived value (McFadden 1974).

Used for the wallet split (share of customer; compiled with the rest of a
customer's purchases in :mod:`.purchases`) and for the choice of a new main
supplier by defectors and prospects, where an outside option (buy nowhere in
this market) competes too.
"""

from __future__ import annotations

import numpy as np
from numba import njit


def logit_shares(utility: np.ndarray, available: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Row-wise softmax of ``utility`` over the ``available`` columns (into ``out`` if given).

    Rows with nothing available get all zeros. Rows sum to 1 otherwise.
    """
    out = np.empty_like(utility) if out is None else out
    _logit_shares(utility, available, out)
    return out


@njit(cache=True, nogil=True)
def _logit_shares(utility, available, out):
    for i in range(utility.shape[0]):
        _softmax_row(utility[i], available[i], out[i])


@njit(cache=True, nogil=True)
def _softmax_row(utility, available, out):
    """exp(u - max u) / sum over the available entries of one row; zeros if none is available."""
    top = -np.inf
    for j in range(utility.size):
        if available[j] and utility[j] > top:
            top = utility[j]
    if top == -np.inf:
        top = 0.0
    total = 0.0
    for j in range(utility.size):
        e = np.exp(utility[j] - top) if available[j] else 0.0
        out[j] = e
        total += e
    if total > 0:
        for j in range(utility.size):
            out[j] /= total


def pick(probabilities: np.ndarray, uniform: np.ndarray) -> np.ndarray:
    """Column index chosen in each row by inverse-CDF sampling with one uniform
    draw per row (rows should sum to 1; rounding short of 1 falls to the last column)."""
    cumulative = np.cumsum(probabilities, axis=1)
    chosen = (cumulative <= uniform[:, None]).sum(axis=1)
    return np.minimum(chosen, probabilities.shape[1] - 1)
