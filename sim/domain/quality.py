"""Quality under total quality management: investment builds quality with
diminishing returns towards a ceiling, and quality decays towards a floor
without it.

    q' = q + build_rate * (1 - exp(-I / investment_scale)) * (ceiling - q)
           - decay * (q - floor)
"""

from __future__ import annotations

import numpy as np

from ..scenario.schema import Quality


def next_quality(quality: np.ndarray, investment: np.ndarray, params: Quality) -> np.ndarray:
    """Quality of each firm after one period of investment (CU) and decay."""
    effort = 1.0 - np.exp(-np.asarray(investment, dtype=float) / params.investment_scale)
    built = params.build_rate * effort * np.maximum(params.ceiling - quality, 0.0)
    lost = params.decay * np.maximum(quality - params.floor, 0.0)
    return quality + built - lost


def steady_state(investment: float, params: Quality) -> float:
    """The quality a constant investment settles at (closed form of the update)."""
    b = params.build_rate * (1.0 - np.exp(-investment / params.investment_scale))
    return float((b * params.ceiling + params.decay * params.floor) / (b + params.decay)) if b + params.decay else params.floor
