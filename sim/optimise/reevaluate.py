"""Re-evaluation: the best of a search is partly the luckiest, since the search
picked it for scoring well on the search replications (the winner's curse).
The top candidates (and the scenario's own decisions, the baseline) are run
again on fresh seeds, more of them, and judged there: each gets the mean of the
objective with a 95 % Student-t interval; the best is the highest fresh mean
among those meeting the constraints on fresh means; and the best is compared
with every other candidate by the paired difference on the fresh seeds (common
random numbers again): distinguishable when the difference's 95 % interval
excludes zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import optuna

from ..analysis.paired import paired_difference
from ..outputs.summary import mean_ci
from .evaluate import candidate_key
from .objective import Constraint, feasible, metric_means


@dataclass
class Candidate:
    """A set of decision values and how it did: ``search`` mean (search seeds), ``fresh``
    ``{"mean", "ci95"}`` of the objective and ``metrics`` means (fresh seeds), and against the best
    the paired ``difference`` ``{"mean", "ci95", "p_value"}`` (best minus this one)."""

    values: dict[str, Any]
    trial: int | None
    search: float | None
    fresh: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    feasible: bool = True
    difference: dict[str, Any] | None = None
    baseline: bool = False

    @property
    def distinguishable(self) -> bool | None:
        """Whether the best differs from this candidate (95 % interval of the difference excludes 0)."""
        if self.difference is None:
            return None
        low, high = self.difference["ci95"]
        return bool(low > 0 or high < 0)


def top_candidates(study: optuna.Study, decisions, top: int) -> list[Candidate]:
    """The ``top`` best distinct candidates of the search, feasible ones first."""
    seen: dict[str, Candidate] = {}
    done = [t for t in study.get_trials(deepcopy=False) if t.state == optuna.trial.TrialState.COMPLETE]
    for t in sorted(done, key=lambda t: (not t.user_attrs.get("feasible", True), -t.value, t.number)):
        values = {d.path: t.params[d.path] for d in decisions}
        seen.setdefault(candidate_key(values), Candidate(values, t.number, float(t.value),
                                                         feasible=t.user_attrs.get("feasible", True)))
    return list(seen.values())[:top]


def judge(candidates: list[Candidate], summaries: dict, objective: str, constraints: list[Constraint]) -> Candidate:
    """Fill in every candidate's fresh statistics and its paired difference from the best; the best."""
    metrics = list(dict.fromkeys([objective, *(c.metric for c in constraints)]))
    for c in candidates:
        summary = summaries[candidate_key(c.values)]
        c.fresh = mean_ci(summary[objective].to_numpy(dtype=float))
        c.metrics = metric_means(summary, metrics)
        c.feasible = feasible(c.metrics, constraints)
    best = max(candidates, key=lambda c: (c.feasible, c.fresh["mean"]))
    reference = summaries[candidate_key(best.values)][objective].to_numpy(dtype=float)
    for c in candidates:
        if c is not best:
            other = summaries[candidate_key(c.values)][objective].to_numpy(dtype=float)
            c.difference = paired_difference(reference, other)
    return best
