"""Customer lifetime value and customer equity (Gupta & Lehmann 2003; Blattberg
& Deighton 1996).

For a customer who brings margin m per period, stays each period with
probability r, and a discount rate d per period, the expected lifetime value
of the margins after the acquisition period is

    CLV = sum_{k>=1} m r^k / (1+d)^k = m r / (1 + d - r).

Customer equity is the sum of the lifetime values of a firm's customers.
"""

from __future__ import annotations

import numpy as np


def period_discount_rate(annual_rate: float, periods_per_year: int) -> float:
    """Per-period rate equivalent to an annual rate (compounded)."""
    return (1.0 + annual_rate) ** (1.0 / periods_per_year) - 1.0


def expected_clv(margin: np.ndarray | float, retention: np.ndarray | float, discount: float) -> np.ndarray:
    """Expected lifetime value m r / (1 + d - r), per customer (CU)."""
    return np.asarray(margin) * retention / (1.0 + discount - np.asarray(retention))
