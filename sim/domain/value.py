"""Customer perceived value (Kotler & Keller): total customer benefit minus
total customer cost, weighted by what each segment cares about.

Benefit kinds: product (the firm's quality), service (plus what the
relationship level adds), personnel, image. Cost kinds: monetary (price),
time, energy, psychic. All in value units, where 1.0 is an ordinary offer.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from .rows import over_rows

BENEFITS = ("product", "service", "personnel", "image")
COSTS = ("monetary", "time", "energy", "psychic")


def delivered_benefit(benefit_weights: np.ndarray, quality: np.ndarray, service: np.ndarray,
                      personnel: np.ndarray, image: np.ndarray, level_service: np.ndarray) -> np.ndarray:
    """Total customer benefit each firm delivers to each segment (segments x firms).

    ``benefit_weights`` is segments x 4; firm attributes are per firm;
    ``level_service`` is the service value added by each firm's relationship
    level in each segment (firms x segments).
    """
    w = benefit_weights
    return (w[:, [0]] * quality[None, :] + w[:, [1]] * (service[None, :] + level_service.T)
            + w[:, [2]] * personnel[None, :] + w[:, [3]] * image[None, :])


def total_cost(cost_weights: np.ndarray, price: np.ndarray, time_cost: np.ndarray,
               energy_cost: np.ndarray, psychic_cost: np.ndarray) -> np.ndarray:
    """Total customer cost of each firm's offer for each segment (segments x firms)."""
    w = cost_weights
    return (w[:, [0]] * price[None, :] + w[:, [1]] * time_cost[None, :]
            + w[:, [2]] * energy_cost[None, :] + w[:, [3]] * psychic_cost[None, :])


class Beliefs(NamedTuple):
    """What customers believe of each firm (customers x firms): ``expectation`` of its benefit,
    ``familiarity`` (the share of that expectation resting on their own purchases) and the
    ``image`` shift word of mouth gave it (value units)."""

    expectation: np.ndarray
    familiarity: np.ndarray
    image: np.ndarray


class Judges(NamedTuple):
    """The customers doing the valuing (N): their ``segment``, main supplier ``firm`` (-1 none),
    last satisfaction score, loyalty, the weight their segment gives image, and the standard
    deviation of their perception error."""

    segment: np.ndarray
    firm: np.ndarray
    satisfaction: np.ndarray
    loyalty: np.ndarray
    image_weight: np.ndarray
    noise_sd: np.ndarray


class Offers(NamedTuple):
    """The offers per segment and firm (segments x firms): total ``cost``, ``promised`` benefit,
    and ``price_gap``, the monetary cost of the firm's price above its competitors' mean price."""

    cost: np.ndarray
    promised: np.ndarray
    price_gap: np.ndarray


class Judging(NamedTuple):
    """How customers weigh price and broken promises (parameters of :func:`perceived_value`)."""

    satisfied_price_tolerance: float
    loyal_price_tolerance: float
    broken_promise_cost: float


def price_gap(cost_weights: np.ndarray, price: np.ndarray) -> np.ndarray:
    """Monetary cost of each firm's price above its competitors' mean price (the external
    reference price, Kalyanaram & Winer 1995), per segment (segments x firms); 0 for a firm
    without competitors."""
    others = price.size - 1
    reference = (price.sum() - price) / others if others > 0 else price
    return cost_weights[:, [0]] * (price - reference)[None, :]


def perceived_value(beliefs: Beliefs, judges: Judges, offers: Offers, judging: Judging, noise: np.ndarray,
                    out: np.ndarray | None = None) -> np.ndarray:
    """What each customer believes each offer is worth (customers x firms, into ``out`` if given):

        expectation + image weight x image - cost + noise_sd x noise
          - broken promise cost x familiarity x max(0, promised - expectation)
          + t x price gap (own firm only)

    Customers judge benefit by what they expect of a firm (experience, word of
    mouth and promises shape it), adjusted by its image, minus the cost they see,
    with a perception error per period. A firm that promises more than the customer
    has found it to deliver is not credible, and dealing with it carries a psychic
    cost (brand credibility, Erdem & Swait 1998): the shortfall of its promise below
    their expectation, as far as that rests on their own purchases. Their own firm's
    price counts less the more satisfied and loyal they are (Anderson 1996): its gap to
    the competitors' mean price is multiplied by 1 - t, t = satisfied tolerance x (2 satisfaction - 1)
    + loyal tolerance x loyalty; dissatisfied customers (t < 0) weigh it more.
    """
    out = np.empty_like(beliefs.expectation) if out is None else out
    over_rows(_perceived_value, out.shape[0], beliefs, judges, offers, judging, noise, out)
    return out


@njit(cache=True, nogil=True)
def _perceived_value(lo, hi, beliefs, judges, offers, judging, noise, out):
    """Firm by firm over the customers (a loop without branches, which compiles to vector
    instructions), then each customer's own firm's price tolerance."""
    segment, expectation = judges.segment, beliefs.expectation
    for j in range(out.shape[1]):
        for i in range(lo, hi):
            g = segment[i]
            e = expectation[i, j]
            out[i, j] = (e + judges.image_weight[i] * beliefs.image[i, j] - offers.cost[g, j]
                         + judges.noise_sd[i] * noise[i, j]
                         - judging.broken_promise_cost * beliefs.familiarity[i, j] * max(offers.promised[g, j] - e, 0.0))
    for i in range(lo, hi):
        j = judges.firm[i]
        if j >= 0:
            tolerated = (judging.satisfied_price_tolerance * (2.0 * judges.satisfaction[i] - 1.0)
                         + judging.loyal_price_tolerance * judges.loyalty[i])
            out[i, j] += tolerated * offers.price_gap[segment[i], j]
