"""Quality leader: invest a fixed share of last period's revenue in quality
(total quality management), so quality spending grows with the business.

Every other decision stays as the scenario set it.
"""

from __future__ import annotations

from .base import Strategy, register_strategy


@register_strategy("quality_leader")
class QualityLeader(Strategy):
    """Quality investment (CU) = ``share_of_revenue`` x last period's revenue (CU).

    Before the first period closes there is no revenue yet: the scenario's
    ``quality_investment`` is spent. ``share_of_revenue`` is a fraction in [0, 1];
    the default, 5 %, is the order of R&D-and-quality budgets of quality-led
    manufacturers (a reason, not a law: sweep it).
    """

    def __init__(self, share_of_revenue: float = 0.05):
        if not 0.0 <= share_of_revenue <= 1.0:
            raise ValueError(f"share_of_revenue must be between 0 and 1, got {share_of_revenue}")
        self.share_of_revenue = float(share_of_revenue)

    def decide(self, firm, model) -> None:
        if model.steps > 1:  # model.steps is this period's number, from 1
            firm.quality_investment = self.share_of_revenue * max(firm.revenue, 0.0)

    def __repr__(self) -> str:
        return f"QualityLeader(share_of_revenue={self.share_of_revenue})"
