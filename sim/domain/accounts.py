"""A period's accounts per firm, tallied over the customers each firm served.

For a customer served by firm f, with units u bought in all and share s_f
of them from f, the margin is m = u s_f (price_f - unit cost_f) - c(level),
c the cost of the relationship level; with r = 1 - P(defect) the expected
lifetime value is m r / (1 + d - r) (see :mod:`.lifetime_value`), and a
margin earned k > 0 periods after acquisition adds m / (1 + d)^k to the
firm's realised value. The same pass counts each firm's customers after the
period's switching, its acquisitions, the customers who heard it praised or
warned against, and those who know it, with their expectations of it. One
compiled pass over the customers adds everything up, in two halves on two
cores in a large market (the per-customer story is in :mod:`sim.reference`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from .rows import summed_over_rows

SERVED, DEFECTED, OWN_SPEND, WALLET_SPEND, SCORE, CLV, CLV_STAYED, LEVEL, RELATIONSHIP_COST, REALISED, UNITS = range(11)
CUSTOMERS, ACQUISITIONS, PRAISED, WARNED, AWARE, EXPECTATION = range(11, 17)
STATE = 17  # columns STATE + satisfaction state: customers dissatisfied, satisfied, delighted


@dataclass
class Tally:
    """Per-firm sums over the period's served customers (each an array over firms), and per-firm
    counts over all customers after the period's switching."""

    served: np.ndarray
    defected: np.ndarray
    own_spend: np.ndarray  # spending with the serving firm (CU)
    wallet_spend: np.ndarray  # their whole category spending (CU)
    score: np.ndarray  # satisfaction scores
    clv: np.ndarray  # expected lifetime values (CU)
    clv_stayed: np.ndarray  # the same, of those who stay
    level: np.ndarray  # relationship level indices
    relationship_cost: np.ndarray  # CU
    realised: np.ndarray  # discounted margins after acquisition (CU)
    units: np.ndarray  # units each firm sold, to its own and to other firms' customers
    customers: np.ndarray  # customers whose main supplier the firm is now
    acquisitions: np.ndarray  # of them, those who came this period
    praised: np.ndarray  # customers who heard the firm praised
    warned: np.ndarray  # customers who heard it warned against
    aware: np.ndarray  # customers who know the firm
    expectation: np.ndarray  # sum of their expectations of it (value units)
    states: np.ndarray  # firms x 3: dissatisfied, satisfied, delighted


def tally(server: np.ndarray, firm: np.ndarray, firms: int, units: np.ndarray, split: np.ndarray, price: np.ndarray,
          unit_cost: np.ndarray, level: np.ndarray, level_cost: np.ndarray, defection_probability: np.ndarray,
          defected: np.ndarray, tenure: np.ndarray, state: np.ndarray, score: np.ndarray, discount: float,
          heard_positive: np.ndarray, heard_negative: np.ndarray, aware: np.ndarray,
          expectation: np.ndarray) -> Tally:
    """Tally the customers with ``server`` >= 0 by the firm that served them (units sold: by the
    firm that sold them; only served customers buy), and count every customer by their
    ``firm`` after switching (-1: none) and by the firms they heard of and know."""
    discounting = (1.0 + discount) ** np.arange(max(int(tenure.max(initial=0)), 0) + 1.0)  # (1 + d)^k by tenure k
    sums = summed_over_rows(_tally, server.size, (firms, STATE + 3), server, firm, units, split, price, unit_cost,
                            level, level_cost, defection_probability, defected, tenure, state, score, discount,
                            discounting, heard_positive, heard_negative, aware, expectation)
    return Tally(*(sums[:, c] for c in range(STATE)), states=sums[:, STATE:])


@njit(cache=True, nogil=True)
def _tally(lo, hi, server, firm, units, split, price, unit_cost, level, level_cost, defection_probability, defected,
           tenure, state, score, discount, discounting, heard_positive, heard_negative, aware, expectation, sums):
    for j in range(price.size):  # firm by firm, as the customers x firms arrays are stored
        praised, warned, known, expected = 0, 0, 0, 0.0
        for i in range(lo, hi):
            praised += heard_positive[i, j]
            warned += heard_negative[i, j]
            if aware[i, j]:
                known += 1
                expected += expectation[i, j]
        sums[j, PRAISED] += praised
        sums[j, WARNED] += warned
        sums[j, AWARE] += known
        sums[j, EXPECTATION] += expected
    for i in range(lo, hi):
        now = firm[i]
        if now >= 0:
            sums[now, CUSTOMERS] += 1.0
            if now != server[i]:
                sums[now, ACQUISITIONS] += 1.0
        f = server[i]
        if f < 0:
            continue
        cost = level_cost[level[i]]
        own_units = units[i] * split[i, f]
        margin = own_units * (price[f] - unit_cost[f]) - cost
        retention = 1.0 - defection_probability[i]
        clv = margin * retention / (1.0 + discount - retention)
        wallet = 0.0
        for j in range(price.size):
            wallet += split[i, j] * price[j]
            sums[j, UNITS] += units[i] * split[i, j]
        sums[f, SERVED] += 1.0
        sums[f, OWN_SPEND] += own_units * price[f]
        sums[f, WALLET_SPEND] += units[i] * wallet
        sums[f, SCORE] += score[i]
        sums[f, CLV] += clv
        sums[f, LEVEL] += level[i]
        sums[f, RELATIONSHIP_COST] += cost
        sums[f, STATE + state[i]] += 1.0
        if defected[i]:
            sums[f, DEFECTED] += 1.0
        else:
            sums[f, CLV_STAYED] += clv
        if tenure[i] > 0:
            sums[f, REALISED] += margin / discounting[tenure[i]]
