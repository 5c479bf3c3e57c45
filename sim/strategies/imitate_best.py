"""Imitate the best: copy last period's decisions of the competitor that did
best on a chosen metric (profit by default), if it did better than this firm.

Firms observe each other's last-period decisions (``model.previous_decisions``),
so the outcome does not depend on the order in which firms decide.
"""

from __future__ import annotations

from ..metrics import FIRM_METRICS
from .base import DECISIONS, Strategy, register_strategy


@register_strategy("imitate_best")
class ImitateBest(Strategy):
    """Each period, find the competitor with the highest ``metric`` last period;
    if it beat this firm, adopt its price, quality investment, relationship
    levels, promise and acquisition spending (those named in ``copy``, default all).
    Ties go to the competitor listed first in the scenario."""

    def __init__(self, metric: str = "profit", copy: list[str] | None = None):
        if metric not in FIRM_METRICS:
            raise ValueError(f"metric {metric!r} is not a firm metric; choose one of {', '.join(FIRM_METRICS)}")
        copy = list(DECISIONS) if copy is None else list(copy)
        unknown = [c for c in copy if c not in DECISIONS]
        if unknown:
            raise ValueError(f"copy: {unknown} are not decisions; decisions are {', '.join(DECISIONS)}")
        self.metric = metric
        self.copy = copy

    def decide(self, firm, model) -> None:
        if model.steps <= 1:
            return  # the first period (model.steps counts from 1): nobody has results yet
        rivals = [f for f in model.firm_list if f is not firm]
        if not rivals:
            return
        best = max(rivals, key=lambda f: getattr(f, self.metric))  # max keeps the first of equals
        if getattr(best, self.metric) <= getattr(firm, self.metric):
            return
        observed = model.previous_decisions[best.name]
        for name in self.copy:
            value = observed[name]
            setattr(firm, name, value.copy() if name == "relationship" else value)

    def __repr__(self) -> str:
        return f"ImitateBest(metric={self.metric!r}, copy={self.copy})"
