"""A period's accounts per firm, tallied over the customers each firm served.

For a customer served by firm f (their main supplier), who bought u units in
all with share s_j of them from each firm j, firm j's margin on them is
m_j = u s_j (price_j - unit cost_j), less the cost c(level) of f's relationship
level for f itself. With r the expected retention of f's customers in the
customer's segment this period (the mean over them of 1 - P(defect)), the expected
discounted value of the purchases still to come from a customer who stays is
m_j / (1 + d - r) for every firm j they buy from (the next purchase comes before the
next defection draw; see :mod:`.lifetime_value`). The firm's rate in the segment, as
in the textbook's m / (1 + d - r) (Gupta & Lehmann 2003), not each customer's chance
of the period: that chance varies from period to period with satisfaction, and
1 / (1 + d - r) is convex, so valuing each period's chance as if it lasted would
overstate the sum; segments keep their own rates, since they differ for good
(their base defection, the relationship level they get). Customer
equity adds up, for each firm, these values of every purchase stream that goes
on: of every customer who stays, and of a defector who moves to another firm,
their purchases from the firms other than the one they leave and the one they
join; a customer who joins a firm is valued at the firm's value of a newly won
customer, the mean value m_f / (1 + d - r) of its customers in their first
period. A margin earned k periods after a customer was won (k = 1: their first
purchase) adds m_f / (1 + d)^k to the firm's realised value. The same pass counts each firm's customers after the
period's switching, its acquisitions, the customers who heard it praised or
warned against, and those who know it, with their expectations and image of it.
One compiled pass over the customers adds everything up, in two halves on two
cores in a large market (the per-customer story is in :mod:`sim.reference`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from .rows import summed_over_rows

SERVED, DEFECTED, OWN_SPEND, WALLET_SPEND, SCORE, CLV, EQUITY_KEPT, LEVEL, RELATIONSHIP_COST, REALISED, UNITS = range(11)
CUSTOMERS, ACQUISITIONS, PRAISED, WARNED, AWARE, EXPECTATION, IMAGE, NEWCOMERS, NEWCOMER_VALUE = range(11, 20)
STATE = 20  # columns STATE + satisfaction state: customers dissatisfied, satisfied, delighted


@dataclass
class Tally:
    """Per-firm sums over the period's served customers (each an array over firms), and per-firm
    counts over all customers after the period's switching."""

    served: np.ndarray
    defected: np.ndarray
    own_spend: np.ndarray  # spending with the serving firm (CU)
    wallet_spend: np.ndarray  # their whole category spending (CU)
    score: np.ndarray  # satisfaction scores
    clv: np.ndarray  # expected values of their future purchases from it, m / (1 + d - r) (CU)
    equity_kept: np.ndarray  # expected values of every purchase stream that goes on (CU)
    level: np.ndarray  # relationship level indices
    relationship_cost: np.ndarray  # CU
    realised: np.ndarray  # margins discounted to when each customer was won (CU)
    units: np.ndarray  # units each firm sold, to its own and to other firms' customers
    customers: np.ndarray  # customers whose main supplier the firm is now
    acquisitions: np.ndarray  # of them, those who came this period
    praised: np.ndarray  # customers who heard the firm praised
    warned: np.ndarray  # customers who heard it warned against
    aware: np.ndarray  # customers who know the firm
    expectation: np.ndarray  # sum of their expectations of it (value units)
    image: np.ndarray  # sum of their image shifts of it (value units)
    newcomers: np.ndarray  # served customers in their first period with the firm
    newcomer_value: np.ndarray  # sum of their expected values m / (1 + d - r) (CU)
    states: np.ndarray  # firms x 3: dissatisfied, satisfied, delighted


def expected_retention(server: np.ndarray, segment: np.ndarray, defection_probability: np.ndarray, firms: int,
                       segments: int) -> np.ndarray:
    """Each firm's expected retention in each segment this period (firms x segments): the mean
    over its served customers there of 1 - their defection probability (1 where it served nobody)."""
    sums = summed_over_rows(_leaving, server.size, (firms, segments, 2), server, segment, defection_probability)
    count = sums[:, :, 1]
    return 1.0 - np.divide(sums[:, :, 0], count, out=np.zeros((firms, segments)), where=count > 0)


@njit(cache=True, nogil=True)
def _leaving(lo, hi, server, segment, defection_probability, sums):
    """Per firm and segment: the sum of the served customers' defection probabilities, and their count."""
    for i in range(lo, hi):
        f = server[i]
        if f >= 0:
            sums[f, segment[i], 0] += defection_probability[i]
            sums[f, segment[i], 1] += 1.0


def tally(server: np.ndarray, firm: np.ndarray, segment: np.ndarray, firms: int, units: np.ndarray, split: np.ndarray,
          price: np.ndarray, unit_cost: np.ndarray, level: np.ndarray, level_cost: np.ndarray, retention: np.ndarray,
          defected: np.ndarray, tenure: np.ndarray, state: np.ndarray, score: np.ndarray, discount: float,
          heard_positive: np.ndarray, heard_negative: np.ndarray, aware: np.ndarray,
          expectation: np.ndarray, image: np.ndarray) -> Tally:
    """Tally the customers with ``server`` >= 0 by the firm that served them (units sold: by the
    firm that sold them; only served customers buy), and count every customer by their
    ``firm`` after switching (-1: none) and by the firms they heard of and know. ``retention``
    is each firm's :func:`expected_retention`."""
    discounting = (1.0 + discount) ** np.arange(max(int(tenure.max(initial=0)), 0) + 2.0)  # (1 + d)^k, k = tenure + 1
    sums = summed_over_rows(_tally, server.size, (firms, STATE + 3), server, firm, segment, units, split, price, unit_cost,
                            level, level_cost, retention, defected, tenure, state, score, discount,
                            discounting, heard_positive, heard_negative, aware, expectation, image)
    return Tally(*(sums[:, c] for c in range(STATE)), states=sums[:, STATE:])


@njit(cache=True, nogil=True)
def _tally(lo, hi, server, firm, segment, units, split, price, unit_cost, level, level_cost, retention, defected,
           tenure, state, score, discount, discounting, heard_positive, heard_negative, aware, expectation, image, sums):
    for j in range(price.size):  # firm by firm, as the customers x firms arrays are stored
        praised, warned, known, expected, imaged = 0, 0, 0, 0.0, 0.0
        for i in range(lo, hi):
            praised += heard_positive[i, j]
            warned += heard_negative[i, j]
            if aware[i, j]:
                known += 1
                expected += expectation[i, j]
                imaged += image[i, j]
        sums[j, PRAISED] += praised
        sums[j, WARNED] += warned
        sums[j, AWARE] += known
        sums[j, EXPECTATION] += expected
        sums[j, IMAGE] += imaged
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
        per_margin = 1.0 / (1.0 + discount - retention[f, segment[i]])  # value of a margin per period that goes on
        wallet = 0.0
        for j in range(price.size):
            bought = units[i] * split[i, j]
            margin = bought * (price[j] - unit_cost[j]) - (cost if j == f else 0.0)
            wallet += split[i, j] * price[j]
            sums[j, UNITS] += bought
            if not defected[i] or (now >= 0 and j != f and j != now):
                sums[j, EQUITY_KEPT] += margin * per_margin
        own_units = units[i] * split[i, f]
        margin = own_units * (price[f] - unit_cost[f]) - cost
        clv = margin * per_margin
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
        sums[f, REALISED] += margin / discounting[tenure[i] + 1]
        if tenure[i] == 0:
            sums[f, NEWCOMERS] += 1.0
            sums[f, NEWCOMER_VALUE] += clv
