"""Customer lifetime value and customer equity (Gupta & Lehmann 2003; Blattberg
& Deighton 1996), with the period's timing.

In a period a customer first buys, then may defect. A customer who brings
margin m per period and stays each period with probability r, seen just after
they stayed (or were won: their first purchase is the next period), is worth the
purchases still to come, discounted at d per period:

    CLV = sum_{k>=1} m r^(k-1) / (1+d)^k = m / (1 + d - r).

Customer equity is the sum, over every customer a firm sells to, of the value
of the purchases it will get from them (:mod:`.accounts`).
"""

from __future__ import annotations

import numpy as np


def period_discount_rate(annual_rate: float, periods_per_year: int) -> float:
    """Per-period rate equivalent to an annual rate (compounded)."""
    return (1.0 + annual_rate) ** (1.0 / periods_per_year) - 1.0


def expected_clv(margin: np.ndarray | float, retention: np.ndarray | float, discount: float) -> np.ndarray:
    """Expected lifetime value m / (1 + d - r) of a customer just retained or won, per customer (CU)."""
    return np.asarray(margin) / (1.0 + discount - np.asarray(retention))
