"""Relationship level per segment by customer lifetime value against the
level's cost: the textbooks' rule (Kotler & Keller; Blattberg & Deighton
1996) that many low-margin customers call for basic relationships and few
high-margin customers for partnership.

For each segment, the firm looks at the customers it served last period and
asks, for every level L, what one such customer would be worth at L:

    units_L  = wallet x (1 + wallet_uplift_L)
    share_L  = s e^D / (s e^D + 1 - s),  D = k (share_bonus_L - share_bonus_now)
    margin_L = units_L x share_L x (price - unit_cost) - cost_L
    h_L      = logistic(logit(h) + tie_now - tie_L)
    CLV_L    = margin_L / (1 + d - r_L),  r_L = 1 - h_L

with s the share of the customer's wallet the firm got last period, k the
logit sensitivity of the wallet split, h the customer's defection probability
last period and d the period discount rate: the model's own wallet-split,
defection and lifetime-value equations (``sim.domain``), moved from the
current level to L. It picks the level with the highest mean CLV (the
cheaper level on ties). Only the levels' direct economic effects are counted:
cost, wallet uplift, share bonus and structural tie; the recovery of
complaints and the service value act through satisfaction and are left out,
as a manager's back-of-the-envelope calculation would.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, logit

from ..domain.lifetime_value import expected_clv
from .base import Strategy, register_strategy


def clv_by_level(model, firm, rows: np.ndarray) -> np.ndarray:
    """Mean expected CLV (CU) of the customers in ``rows`` at each relationship level."""
    s, f = model.state, firm.index
    now = int(firm.relationship[int(s.segment[rows[0]])])
    share = np.clip(s.wallet_split[rows, f], 1e-12, 1.0)
    hazard = np.clip(model.defection_probability[rows], 1e-12, 1 - 1e-12)
    margin_per_unit = firm.price - firm.unit_cost
    out = np.empty(len(model.level_cost))
    for level in range(out.size):
        shift = model.behaviour.choice.sensitivity * (model.level_share_bonus[level] - model.level_share_bonus[now])
        share_at = expit(logit(share) + shift)  # s e^D / (s e^D + 1 - s), without overflow for a large D
        margin = s.wallet[rows] * (1.0 + model.level_uplift[level]) * share_at * margin_per_unit - model.level_cost[level]
        z = logit(hazard) + model.level_tie[now] - model.level_tie[level]
        retention = 1.0 - expit(z)
        out[level] = float(expected_clv(margin, retention, model.discount).mean())
    return out


@register_strategy("segment_by_clv")
class SegmentByCLV(Strategy):
    """From period 2 (the first with results) and every ``review_every`` periods
    after it, set each segment's relationship level to
    the one with the highest expected customer lifetime value net of the
    level's cost (see the module docstring). A segment the firm served nobody
    in keeps its level. Other decisions stay as the scenario set them."""

    def __init__(self, review_every: int = 1):
        if int(review_every) != review_every or review_every < 1:
            raise ValueError(f"review_every must be a whole number of periods >= 1, got {review_every}")
        self.review_every = int(review_every)

    def decide(self, firm, model) -> None:
        if model.steps < 2 or (model.steps - 2) % self.review_every:
            return  # period 1 (model.steps counts from 1): nothing observed yet; or not a review period
        served = model.previous_firm == firm.index
        for segment in range(len(firm.relationship)):
            rows = np.flatnonzero(served & (model.state.segment == segment))
            if rows.size:
                firm.relationship[segment] = int(np.argmax(clv_by_level(model, firm, rows)))

    def __repr__(self) -> str:
        return f"SegmentByCLV(review_every={self.review_every})"
