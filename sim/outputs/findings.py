"""Key findings in words: who leads on a figure, by how much, and whether the
lead is more than chance.

The firms of one replication share its customers and draws, so the leader's
lead over the runner-up is a paired difference over replications (mean,
Student-t 95 % interval, paired t-test; :func:`sim.analysis.paired.paired_difference`):
significant when the interval excludes zero.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..analysis import paired  # the module, not its function: sim.analysis.paired imports sim.outputs
from . import units

LEAD_FIGURES = ("customer_equity", "retention_rate", "market_share")


@dataclass
class Lead:
    """The leader on one figure, the runner-up, and the paired difference between them."""

    metric: str
    leader: str
    leader_mean: float
    runner_up: str | None
    runner_up_mean: float
    difference: float
    ci95: tuple[float, float]
    replications: int

    @property
    def significant(self) -> bool:
        lo, hi = self.ci95
        return self.replications > 1 and (lo > 0 or hi < 0)


def lead(per_replication: pd.DataFrame, metric: str) -> Lead:
    """Who leads on ``metric`` (highest mean over replications) in a frame of one row per
    replication and firm, and the paired difference to the runner-up."""
    wide = per_replication.pivot(index="replication", columns="firm", values=metric)
    means = wide.mean().sort_values(ascending=False, kind="stable")
    first = str(means.index[0])
    if len(means) < 2:
        return Lead(metric, first, float(means.iloc[0]), None, float("nan"), float("nan"), (float("nan"),) * 2, len(wide))
    second = str(means.index[1])
    d = paired.paired_difference(wide[first].to_numpy(), wide[second].to_numpy())
    return Lead(metric, first, float(means.iloc[0]), second, float(means.iloc[1]), d["mean"], tuple(d["ci95"]), len(wide))


def difference_words(value: float, lo: float, hi: float, metric: str) -> str:
    """A difference and its interval in the figure's unit: '3.2 percentage points (95 % interval
    1.0 to 5.4)', '12,345 (95 % interval 10,000 to 14,690)'. A difference of two rates lies in [-1, 1]."""
    if units.kind(metric) in ("rate", "share"):
        lo, hi = max(lo, -1.0), min(hi, 1.0)
        digits = 2 if max(abs(lo), abs(hi)) < 0.01 else 1  # a small interval keeps its sign visible
        return (f"{100 * value:.{digits}f} percentage points (95 % interval {100 * lo:.{digits}f} to "
                f"{100 * hi:.{digits}f})")
    return f"{value:,.0f} (95 % interval {lo:,.0f} to {hi:,.0f})"


def sentence(found: Lead, currency: str = units.DEFAULT_CURRENCY, periods_per_year: int = 12) -> str:
    """'Premium leads on customer equity (126,843 CU), ahead of Middle (14,582 CU) by 112,261
    (95 % interval 90,000 to 134,000): significant.'"""
    m = found.metric
    unit = f" {currency}" if units.kind(m) == "money" else ""
    what = units.name(m) + (f" per {units.period_name(periods_per_year)}" if units.kind(m) == "rate" else "")
    text = f"{found.leader} leads on {what} ({units.number(found.leader_mean, m)}{unit})"
    if found.runner_up is None:
        return text + "."
    gap = f"by {difference_words(found.difference, *found.ci95, m)}"
    verdict = ("a significant lead" if found.significant else
               "not significantly ahead: the interval includes no difference" if found.replications > 1 else
               "from one replication, so there is no interval")
    return f"{text}, ahead of {found.runner_up} ({units.number(found.runner_up_mean, m)}{unit}) {gap}; {verdict}."


def run_findings(per_replication: pd.DataFrame, currency: str, periods_per_year: int) -> list[str]:
    """One sentence per :data:`LEAD_FIGURES` figure for the whole market."""
    return [sentence(lead(per_replication, m), currency, periods_per_year) for m in LEAD_FIGURES]


def segment_findings(per_replication: pd.DataFrame, currency: str, periods_per_year: int) -> dict[str, list[str]]:
    """Per segment, one sentence per :data:`LEAD_FIGURES` figure (``per_replication`` has a segment column)."""
    return {str(segment): [sentence(lead(rows, m), currency, periods_per_year) for m in LEAD_FIGURES]
            for segment, rows in per_replication.groupby("segment", sort=False)}


def leaders_sentence(segment: str, lead: dict[str, str]) -> str:
    """'In segment premium, Premium leads on customer equity and market share; Middle on retention.'"""
    by_firm: dict[str, list[str]] = {}
    for metric, firm in lead.items():
        by_firm.setdefault(firm, []).append(units.name(metric))
    parts = [" and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
             for names in by_firm.values()]
    firms = list(by_firm)
    text = f"{firms[0]} leads on {parts[0]}" + "".join(f"; {f} on {p}" for f, p in zip(firms[1:], parts[1:], strict=True))
    return f"In segment {segment}, {text}."
