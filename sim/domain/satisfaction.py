"""Satisfaction as expectation-disconfirmation (Oliver 1980; Kotler & Keller):
perceived performance against expectations. Below the zone of tolerance the
customer is dissatisfied, within it satisfied, far above it delighted.
"""

from __future__ import annotations

import numpy as np

DISSATISFIED, SATISFIED, DELIGHTED = 0, 1, 2
NO_STATE = -1  # prospects, who bought nothing here this period
STATE_NAMES = ("dissatisfied", "satisfied", "delighted")


def classify(disconfirmation: np.ndarray, tolerance: float, delight_threshold: float) -> np.ndarray:
    """Satisfaction state of each customer from disconfirmation (performance - expectation)."""
    state = np.full(disconfirmation.shape, SATISFIED, dtype=np.int8)
    state[disconfirmation < -tolerance] = DISSATISFIED
    state[disconfirmation > max(delight_threshold, tolerance)] = DELIGHTED
    return state


def score(disconfirmation: np.ndarray, scale: float) -> np.ndarray:
    """Satisfaction score in [0, 1]: 0.5 when expectations are exactly met (a tiny scale gives a step)."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-disconfirmation / scale))


def recover(state: np.ndarray, disconfirmation: np.ndarray, recovery_probability: np.ndarray,
            uniform: np.ndarray) -> np.ndarray:
    """Complaint handling: a dissatisfied customer whose problem the firm catches
    (probability by relationship level) is brought back to 'satisfied' with
    expectations just met. Changes ``state`` and ``disconfirmation`` in place;
    returns who was recovered."""
    recovered = (state == DISSATISFIED) & (uniform < recovery_probability)
    state[recovered] = SATISFIED
    disconfirmation[recovered] = 0.0
    return recovered
