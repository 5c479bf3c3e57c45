"""Customer value analysis (Kotler & Keller): which attributes each segment
values, how much, and how every firm performs on each, as the model stands now.

Importance is the segment's weight on the attribute as a percentage of all its
benefit and cost weights (the perceived-value formula is linear in them, see
:mod:`sim.domain.value`). Performance is the firm's level on the attribute in
value units; for costs lower is better. Service includes what the firm's
relationship level in that segment adds. The last rows give each firm's
total benefit, total cost and perceived value (benefit - cost) before
expectations, word of mouth and perception noise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ..model import MarketModel

ATTRIBUTES = ("product quality", "service", "personnel", "image",
              "price", "time cost", "energy cost", "psychic cost")
TOTALS = ("total benefit", "total cost", "perceived value")


def customer_value_table(model: MarketModel) -> pd.DataFrame:
    """One row per (segment, attribute): importance (%) and each firm's performance.

    Columns: ``importance %`` then one column per firm, in firm order.
    """
    firms = model.firm_list
    delivered, cost = model.offers()  # segments x firms
    level_service = model.level_service[model.levels()]  # firms x segments
    weights = np.hstack([model.benefit_weights, model.cost_weights])  # segments x 8
    totals = weights.sum(axis=1, keepdims=True)
    importance = 100.0 * np.divide(weights, totals, out=np.zeros_like(weights), where=totals > 0)
    rows, index = [], []
    for g, segment in enumerate(model.spec.market.segments):
        performance = np.array([
            [f.quality, f.service + level_service[i, g], f.personnel, f.image,
             f.price, f.time_cost, f.energy_cost, f.psychic_cost]
            for i, f in enumerate(firms)
        ]).T  # attributes x firms
        for a, attribute in enumerate(ATTRIBUTES):
            index.append((segment.name, attribute))
            rows.append([importance[g, a], *performance[a]])
        for name, values in zip(TOTALS, (delivered[g], cost[g], delivered[g] - cost[g]), strict=True):
            index.append((segment.name, name))
            rows.append([np.nan, *values])
    columns = ["importance %", *(f.name for f in firms)]
    return pd.DataFrame(rows, index=pd.MultiIndex.from_tuples(index, names=["segment", "attribute"]), columns=columns)
