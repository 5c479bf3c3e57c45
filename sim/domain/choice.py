"""Choice among offers: multinomial logit on perceived value (McFadden 1974).

Used for the wallet split (share of customer; compiled with the rest of a
customer's purchases in :mod:`.purchases`) and for the choice of a new main
supplier by defectors and prospects, where an outside option (buy nowhere in
this market) competes too:

    P(firm j) = exp(b v_j) / (sum over known firms k of exp(b v_k) + exp(b v_0))

with b the price-value sensitivity and v_0 the outside option's value. One
uniform draw per customer picks by the inverse of the cumulative shares.
"""

from __future__ import annotations

import numpy as np
from numba import njit


def choose_suppliers(customers: np.ndarray, value: np.ndarray, aware: np.ndarray, outside: np.ndarray,
                     uniform: np.ndarray, sensitivity: float, firm: np.ndarray | None = None,
                     leaving: np.ndarray | None = None, leavers_may_switch: bool = True) -> np.ndarray:
    """A main supplier for each of ``customers`` (row indices): a firm index, or -1 for the outside option.

    ``value`` and ``aware`` are customers x firms; ``outside`` and ``uniform``
    are per customer (all rows). A customer flagged in ``leaving`` (one flag
    per chooser) defects from their ``firm``: it is not among their choices,
    and with ``leavers_may_switch`` false no firm is.
    """
    if leaving is None:
        leaving = np.zeros(customers.size, dtype=bool)
    if firm is None:
        firm = np.full(value.shape[0], -1, dtype=np.int64)
    chosen = np.empty(customers.size, dtype=np.int64)
    _choose(customers, value, aware, outside, uniform, sensitivity, firm, leaving, leavers_may_switch, chosen)
    return chosen


@njit(cache=True, nogil=True)
def logit_weights(utility, count):
    """exp(u - max u) in place over ``utility[:count]``, whose entries of -inf are options not
    available (weight 0); returns the weights' sum, 0 if nothing is available. The best option's
    weight is exp(0) = 1 exactly, set without calling exp (an exp costs about 10 ns)."""
    top = -np.inf
    for j in range(count):
        if utility[j] > top:
            top = utility[j]
    total = 0.0
    for j in range(count):
        x = utility[j] - top if top > -np.inf else -np.inf
        utility[j] = 0.0 if x == -np.inf else (1.0 if x == 0.0 else np.exp(x))
        total += utility[j]
    return total


@njit(cache=True, nogil=True)
def _choose(customers, value, aware, outside, uniform, sensitivity, firm, leaving, leavers_may_switch, chosen):
    f = value.shape[1]
    weights = np.empty(f + 1)
    for k in range(customers.size):
        i = customers[k]
        # utilities b v over the firms the customer may choose, and the outside option (column f)
        for j in range(f):
            weights[j] = -np.inf
            if aware[i, j] and not (leaving[k] and (j == firm[i] or not leavers_may_switch)):
                weights[j] = value[i, j] * sensitivity
        weights[f] = outside[i] * sensitivity
        total = logit_weights(weights, f + 1)
        # inverse CDF: the number of cumulative shares at or below the draw, at most the last column
        cumulative, below = 0.0, 0
        for j in range(f + 1):
            cumulative += weights[j] / total
            if cumulative <= uniform[i]:
                below += 1
        pick = min(below, f)
        chosen[k] = pick if pick < f else -1
