"""Customer value analysis (Kotler & Keller), as each segment's customers perceive it.

For each segment, attribute and firm: how important the attribute is to the
segment (its weight as a percentage of all the segment's benefit and cost
weights; perceived value is linear in them, :mod:`sim.domain.value`), what the
firm delivers on it, and what the segment's customers who know the firm
perceive. Customers perceive a firm's whole benefit as their expectation of it
(experience, promises and word of mouth shape it), so the benefit attributes
are perceived in proportion: perceived = delivered x (mean expectation / benefit
delivered); the image attribute also carries the mean image shift word of mouth
gave the firm. Costs are perceived as they are, and the psychic cost carries the
credibility a broken promise cost the firm (:func:`sim.domain.value.perceived_value`).
The totals are the perceived benefit, cost and value, before perception noise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numba import njit

from .expectations import promised_benefit
from .rows import summed_over_rows

if TYPE_CHECKING:
    from ..model import MarketModel

ATTRIBUTES = ("product quality", "service", "personnel", "image", "price", "time cost", "energy cost", "psychic cost")
TOTALS = ("total benefit", "total cost", "perceived value")
BENEFITS = 4  # the first four attributes are benefits, the rest costs


def importance(model: MarketModel) -> np.ndarray:
    """Each attribute's weight as a percentage of the segment's weights (segments x attributes)."""
    weights = np.hstack([model.benefit_weights, model.cost_weights])
    totals = weights.sum(axis=1, keepdims=True)
    return 100.0 * np.divide(weights, totals, out=np.zeros_like(weights), where=totals > 0)


def delivered_attributes(model: MarketModel) -> np.ndarray:
    """What each firm delivers on each attribute, per segment (segments x attributes x firms;
    service includes what the firm's relationship level in the segment adds)."""
    firms = model.firm_list
    level_service = model.level_service[model.levels()]  # firms x segments
    return np.array([[[f.quality, f.service + level_service[i, g], f.personnel, f.image,
                       f.price, f.time_cost, f.energy_cost, f.psychic_cost] for i, f in enumerate(firms)]
                     for g in range(len(model.segment_share))]).transpose(0, 2, 1)


def perceived_attributes(model: MarketModel) -> tuple[np.ndarray, np.ndarray]:
    """Delivered and perceived attributes and totals (each segments x (attributes + totals) x firms),
    the perceived ones as the means over the segment's customers who know the firm."""
    s, segments, firms = model.state, len(model.segment_share), len(model.firm_list)
    delivered_benefit, cost = model.offers()
    promised = promised_benefit(model.firm_array("promise"), delivered_benefit)
    sums = summed_over_rows(_beliefs, s.size, (segments, firms, 4), s.segment, s.aware, s.expectation,
                            s.familiarity, s.image, promised, model.behaviour.choice.broken_promise_cost)
    known = sums[:, :, 0]
    mean = np.divide(sums[:, :, 1:], known[:, :, None], out=np.zeros((segments, firms, 3)),
                     where=known[:, :, None] > 0)
    expected, image_shift, credibility = mean[:, :, 0], mean[:, :, 1], mean[:, :, 2]
    delivered = delivered_attributes(model)
    scale = np.divide(expected, delivered_benefit, out=np.ones_like(expected), where=delivered_benefit > 0)
    perceived = delivered.copy()
    perceived[:, :BENEFITS, :] *= scale[:, None, :]
    perceived[:, 3, :] += image_shift
    perceived[:, 7, :] += credibility
    image_weight = model.benefit_weights[:, [3]]
    totals_delivered = np.stack([delivered_benefit, cost, delivered_benefit - cost], axis=1)
    benefit = expected + image_weight * image_shift
    totals_perceived = np.stack([benefit, cost + credibility, benefit - cost - credibility], axis=1)
    unknown = known[:, None, :] == 0  # nobody in the segment knows the firm: nothing is perceived
    return (np.concatenate([delivered, totals_delivered], axis=1),
            np.where(unknown, np.nan, np.concatenate([perceived, totals_perceived], axis=1)))


@njit(cache=True, nogil=True)
def _beliefs(lo, hi, segment, aware, expectation, familiarity, image, promised, broken_promise_cost, sums):
    """Per segment and firm, over the customers who know the firm: their count, and the sums of
    their expectation, image shift and credibility cost of a broken promise."""
    for j in range(aware.shape[1]):
        for i in range(lo, hi):
            if aware[i, j]:
                g = segment[i]
                e = expectation[i, j]
                sums[g, j, 0] += 1.0
                sums[g, j, 1] += e
                sums[g, j, 2] += image[i, j]
                sums[g, j, 3] += broken_promise_cost * familiarity[i, j] * max(promised[g, j] - e, 0.0)


def customer_value_rows(model: MarketModel) -> pd.DataFrame:
    """The analysis now: one row per segment, attribute (then the totals) and firm, with step,
    importance (%; empty for totals), delivered and perceived (value units; CU for price)."""
    delivered, perceived = perceived_attributes(model)
    weights = importance(model)
    rows = []
    names = (*ATTRIBUTES, *TOTALS)
    for g, segment in enumerate(model.spec.market.segments):
        for a, attribute in enumerate(names):
            for j, firm in enumerate(model.firm_list):
                rows.append((int(model.steps), segment.name, attribute, firm.name,
                             weights[g, a] if a < len(ATTRIBUTES) else np.nan, delivered[g, a, j], perceived[g, a, j]))
    return pd.DataFrame(rows, columns=["step", "segment", "attribute", "firm", "importance_pct", "delivered",
                                       "perceived"])
