"""What a candidate is judged on: one summary metric of one firm, maximised,
subject to optional constraints on the same metrics (``retention_rate>=0.9``).

Metrics are those of ``summary.json`` (:data:`sim.outputs.summary.SUMMARY_METRICS`):
final-period customer equity (CU), whole-run total and discounted profit (CU),
whole-run pooled retention rate, and the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..outputs.summary import SUMMARY_METRICS, per_replication
from ..scenario import ScenarioError
from ..scenario.suggest import closest

OBJECTIVES = ("customer_equity", "discounted_profit", "profit", "retention_rate")
"""The metrics an objective may be; a constraint may use any summary metric."""

_CONSTRAINT = re.compile(r"\s*([A-Za-z_]+)\s*(>=|<=)\s*([-+0-9.eE]+)\s*")


def check_metric(metric: str, source: str, known=tuple(SUMMARY_METRICS)) -> str:
    """``metric`` if it is one of ``known``; else a ScenarioError naming them."""
    if metric not in known:
        guess = closest(metric, list(known))
        hint = f"did you mean '{guess}'? " if guess else ""
        raise ScenarioError(f"{source} {metric!r}: unknown metric; {hint}expected one of {', '.join(known)}")
    return metric


@dataclass(frozen=True)
class Constraint:
    """``metric >= bound`` or ``metric <= bound``, on the mean over replications."""

    metric: str
    sense: str
    bound: float

    def __str__(self) -> str:
        return f"{self.metric}{self.sense}{self.bound:g}"

    def violation(self, value: float) -> float:
        """How far ``value`` is on the wrong side of the bound (<= 0 when met), in the metric's unit."""
        return self.bound - value if self.sense == ">=" else value - self.bound


def parse_constraint(text: str, source: str = "--constraint") -> Constraint:
    """``'retention_rate>=0.9'`` -> Constraint('retention_rate', '>=', 0.9)."""
    match = _CONSTRAINT.fullmatch(text)
    if not match:
        raise ScenarioError(f"{source} {text!r}: expected METRIC>=NUMBER or METRIC<=NUMBER, "
                            "for example retention_rate>=0.9")
    try:
        bound = float(match.group(3))
    except ValueError:
        raise ScenarioError(f"{source} {text!r}: {match.group(3)!r} is not a number") from None
    return Constraint(check_metric(match.group(1), source), match.group(2), bound)


def firm_summary(frames: list[pd.DataFrame], firm: str) -> pd.DataFrame:
    """The firm's summary metrics, one row per replication (in replication order)."""
    table = per_replication(pd.concat(frames, ignore_index=True))
    return table[table["firm"] == firm].sort_values("replication").reset_index(drop=True)


def feasible(means: dict[str, float], constraints: list[Constraint]) -> bool:
    """Whether mean metrics meet every constraint."""
    return all(c.violation(means[c.metric]) <= 0 for c in constraints)


def metric_means(summary: pd.DataFrame, metrics) -> dict[str, float]:
    return {m: float(np.mean(summary[m].to_numpy(dtype=float))) for m in metrics}
