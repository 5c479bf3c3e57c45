"""Purchases: what each customer buys in a period (sub-step 4 of the period).

A customer with a main supplier gets the relationship level that firm gives
their segment. They split their category purchases across the firms they
know by multinomial logit on perceived value (share of customer; see
:mod:`.choice`), their own firm's value raised by a bonus for staying:

    bonus = switching cost + loyalty_bonus x loyalty + share bonus of the level

and they buy

    units = wallet x (1 + wallet uplift of the level) x (1 + volume_effect (2 satisfaction - 1))

so that satisfied customers buy more (satisfaction 0.5, expectations just met,
leaves the wallet as it is). Prospects (no firm) buy nothing here: level 0,
no split, no units. One compiled pass over the customers computes all three,
and the largest share of each customer's wallet one firm got (which sets how
much each purchase teaches, :mod:`.expectations`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .choice import logit_weights
from .rows import over_rows


def buy(value: np.ndarray, available: np.ndarray, own: np.ndarray, segment: np.ndarray, levels: np.ndarray,
        switching_cost: np.ndarray, loyalty_bonus: float, loyalty: np.ndarray, share_bonus: np.ndarray,
        uplift: np.ndarray, wallet: np.ndarray, volume_effect: float, satisfaction: np.ndarray, sensitivity: float,
        split: np.ndarray, level: np.ndarray, units: np.ndarray, top_share: np.ndarray) -> None:
    """Each customer's level (N), wallet split (N x F), units bought (N) and largest share (N), into
    ``level``, ``split``, ``units`` and ``top_share``.

    ``levels`` is the level index each firm gives each segment (firms x segments);
    ``share_bonus`` and ``uplift`` are per level; ``own`` is each customer's
    firm (-1: a prospect); ``switching_cost`` is per customer.
    """
    over_rows(_buy, own.size, value, available, own, segment, levels, switching_cost, loyalty_bonus, loyalty,
              share_bonus, uplift, wallet, volume_effect, satisfaction, sensitivity, split, level, units, top_share)


@njit(cache=True, nogil=True)
def _buy(lo, hi, value, available, own, segment, levels, switching_cost, loyalty_bonus, loyalty, share_bonus, uplift,
         wallet, volume_effect, satisfaction, sensitivity, split, level, units, top_share):
    f = value.shape[1]
    weights = np.empty(f)
    for i in range(lo, hi):
        mine = own[i]
        if mine < 0:
            level[i] = 0
            units[i] = 0.0
            top_share[i] = 0.0
            for j in range(f):
                split[i, j] = 0.0
            continue
        k = levels[mine, segment[i]]
        level[i] = k
        bonus = switching_cost[i] + loyalty_bonus * loyalty[i] + share_bonus[k]
        volume = 1.0 + volume_effect * (2.0 * satisfaction[i] - 1.0)
        units[i] = wallet[i] * (1.0 + uplift[k]) * volume
        for j in range(f):
            weights[j] = -np.inf
            if available[i, j]:
                weights[j] = (value[i, j] + bonus if j == mine else value[i, j]) * sensitivity
        total = logit_weights(weights, f)
        top = 0.0
        for j in range(f):
            split[i, j] = weights[j] / total if total > 0 else weights[j]
            top = max(top, split[i, j])
        top_share[i] = top
