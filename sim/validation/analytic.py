"""Cases with a known answer: scenarios that switch off everything but one
mechanism, and the closed forms they must reproduce.

- A cohort whose customers each have their own defection probability drawn
  from Beta(a, b) survives as the shifted-beta-geometric (sBG) curve
  S(t) = B(a, b + t) / B(a, b) (Fader & Hardie 2007).
- Adoption by advertising and word of mouth only, in a fully mixed market,
  follows the discrete Bass (1969) recursion
  F_t = F_{t-1} + (p + q F_{t-1}) (1 - F_{t-1}).

Bass mapping. A prospect becomes aware (and, with in_market = 1 and a
hopeless outside option, adopts at once) if advertising reaches them, with
probability ``reach = 1 - exp(-spending / (cost_per_contact x N))``, or if
they hear a recommendation. With one random contact per period
(``mean_degree = 1``) and every adopter delighted, the chance of hearing is
``positive_probability x A / (N - 1)`` for A adopters. The two routes are
independent, so the hazard is 1 - (1 - reach)(1 - q+ A / (N - 1)), which is
p + q F with

    p = reach,  q = positive_probability x (1 - reach) x N / (N - 1),  F = A / N.

With k > 1 contacts the word-of-mouth hazard is 1 - (1 - q+ F)^k, close to
k q+ F while q+ F is small, and concave above it.
"""

from __future__ import annotations

import math

import numpy as np

from ..calibration import sbg_survival
from ..scenario import Scenario, validate_document
from ..scenario.schema import Awareness

__all__ = ["advertising_spending", "bass_curve", "bass_scenario", "cohort_scenario", "diffusion_scenario",
           "sbg_survival"]

#: The settings that make every adopter delighted and leave expectations fixed (see module docstring).
_DELIGHT_EVERY_ADOPTER = {
    "satisfaction": {"tolerance": 0.0, "delight_threshold": 0.0, "experience_noise": 0.0},
    "expectations": {"initial_noise": 0.0, "experience_weight": 0.0, "promise_weight": 0.0,
                     "word_of_mouth_weight": 0.0},
}


def bass_curve(p: float, q: float, steps: int, start: float = 0.0) -> np.ndarray:
    """Cumulative adoption F_0..F_steps of the discrete Bass model."""
    out = [start]
    for _ in range(steps):
        f = out[-1]
        out.append(f + (p + q * f) * (1.0 - f))
    return np.array(out)


def cohort_scenario(customers: int, steps: int, a: float, b: float) -> Scenario:
    """One firm, one cohort acquired at once, each customer defecting with their own
    Beta(a, b) probability every period; no other effect, defectors lapse."""
    return validate_document({
        "name": "sbg_cohort",
        "run": {"steps": steps},
        "market": {"customers": customers, "network": {"kind": "fully_mixed"},
                   "segments": [{"name": "cohort", "share": 1.0, "base_defection_beta": [a, b], "in_market": 0.0}]},
        "firms": [{"name": "Only"}],
        "behaviour": {"word_of_mouth": {"enabled": False},
                      "defection": {"satisfaction_effect": 0.0, "loyalty_effect": 0.0, "value_gap_effect": 0.0,
                                    "defectors_may_switch": False}},
    }, "sbg cohort")


def advertising_spending(reach: float, customers: int,
                         cost_per_contact: float = Awareness().cost_per_contact) -> float:
    """Spending (CU/period) whose advertising reaches each customer with probability ``reach``."""
    return -math.log1p(-reach) * cost_per_contact * customers


def bass_scenario(p: float, q: float, customers: int, steps: int) -> Scenario:
    """A new firm in a fully mixed market with one contact per period, whose adoption
    follows the discrete Bass model with innovation p and imitation q (module docstring)."""
    q_plus = q / (1.0 - p) * (customers - 1) / customers
    if not 0 <= q_plus <= 1:
        raise ValueError(f"q = {q} needs a word-of-mouth probability {q_plus:.3g} outside [0, 1]")
    return diffusion_scenario(p, q_plus, customers, steps, "fully_mixed", mean_degree=1)


def diffusion_scenario(p: float, positive_probability: float, customers: int, steps: int, kind: str,
                       mean_degree: int) -> Scenario:
    """Adoption by advertising (reach p) and word of mouth only, no defection, on a given network."""
    return validate_document({
        "name": f"diffusion_{kind}",
        "run": {"steps": steps},
        "market": {"customers": customers, "network": {"kind": kind, "mean_degree": mean_degree},
                   "segments": [{"name": "all", "share": 1.0, "base_defection": 0.0, "in_market": 1.0,
                                 "outside_value": -100.0}]},
        "firms": [{"name": "New", "awareness": 0.0, "promise": 0.5,
                   "acquisition_spending": advertising_spending(p, customers)}],
        "behaviour": {**_DELIGHT_EVERY_ADOPTER, "word_of_mouth": {"positive_probability": positive_probability}},
    }, f"diffusion on {kind}")
