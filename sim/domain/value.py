"""Customer perceived value (Kotler & Keller): total customer benefit minus
total customer cost, weighted by what each segment cares about.

Benefit kinds: product (the firm's quality), service (plus what the
relationship level adds), personnel, image. Cost kinds: monetary (price),
time, energy, psychic. All in value units, where 1.0 is an ordinary offer.
"""

from __future__ import annotations

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


def perceived_value(expectation: np.ndarray, image_shift: np.ndarray, image_weight: np.ndarray, cost: np.ndarray,
                    segment: np.ndarray, noise_sd: np.ndarray, noise: np.ndarray,
                    out: np.ndarray | None = None) -> np.ndarray:
    """What each customer believes each offer is worth (customers x firms, into ``out`` if given).

    Customers judge benefit by what they expect of a firm (experience, word of
    mouth and promises shape it), adjusted by the image word of mouth gave the
    firm, minus the cost they see (``cost`` is per segment and firm), with a
    perception error per period:
    expectation + image_weight x image_shift - cost + noise_sd x noise.
    """
    out = np.empty_like(expectation) if out is None else out
    over_rows(_perceived_value, out.shape[0], expectation, image_shift, image_weight, cost, segment, noise_sd, noise, out)
    return out


@njit(cache=True, nogil=True)
def _perceived_value(lo, hi, expectation, image_shift, image_weight, cost, segment, noise_sd, noise, out):
    for j in range(out.shape[1]):
        for i in range(lo, hi):
            out[i, j] = (expectation[i, j] + image_weight[i] * image_shift[i, j] - cost[segment[i], j]
                         + noise_sd[i] * noise[i, j])
