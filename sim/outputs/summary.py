"""Summary statistics over replications: a mean and a 95 % confidence interval
per firm and metric.

Intervals: Student t over replications for unbounded figures (money, counts);
for rates and shares, which live in [0, 1], the t interval is taken on the
logit scale and mapped back (:func:`proportion_ci`), so it never leaves
(0, 1) however few the replications.

Which value of a run is summarised:
- final period: market_share, share_of_customer, mean_satisfaction,
  customer_equity, customers, clv_expected, new_customer_value, quality;
- whole run: retention_rate (pooled: 1 - all defections / all customer-periods
  served), profit and margin (sums over periods, CU), discounted_profit
  (cumulative at the end, CU), acquisitions and defections (totals), clv_realised (at the end);
- retention_rate_annual: the whole-run retention compounded over a year,
  r ** periods_per_year, with the interval's ends compounded likewise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import special

SUMMARY_METRICS: dict[str, str] = {
    "retention_rate": "whole run, pooled",
    "customer_equity": "final period",
    "market_share": "final period",
    "share_of_customer": "final period",
    "mean_satisfaction": "final period",
    "profit": "whole run, total",
    "discounted_profit": "whole run, cumulative",
    "customers": "final period",
    "acquisitions": "whole run, total",
    "defections": "whole run, total",
    "clv_expected": "final period",
    "new_customer_value": "final period",
    "clv_realised": "final period",
    "margin": "whole run, total",
    "quality": "final period",
}

#: Figures in [0, 1]: their intervals are logit-t (:func:`proportion_ci`).
BOUNDED = frozenset({"retention_rate", "market_share", "share_of_customer", "mean_satisfaction", "awareness",
                     "share_dissatisfied", "share_satisfied", "share_delighted"})


def per_replication(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per replication and firm, one column per summary metric."""
    if frame.empty:
        return pd.DataFrame(columns=["replication", "firm", *SUMMARY_METRICS])
    groups = frame.groupby(["replication", "firm"], sort=False)
    last = groups.tail(1).set_index(["replication", "firm"])
    totals = groups[["profit", "margin", "acquisitions", "defections", "served"]].sum()
    out = last[[m for m, how in SUMMARY_METRICS.items() if how.startswith("final") or "cumulative" in how]].copy()
    out["profit"] = totals["profit"]
    out["margin"] = totals["margin"]
    out["acquisitions"] = totals["acquisitions"]
    out["defections"] = totals["defections"]
    served = totals["served"].to_numpy(dtype=float)
    out["retention_rate"] = np.where(served > 0, 1.0 - totals["defections"] / np.where(served > 0, served, 1), 0.0)
    return out[list(SUMMARY_METRICS)].reset_index()


def mean_ci(values: np.ndarray, level: float = 0.95) -> dict[str, object]:
    """Mean and a two-sided Student-t confidence interval; a single value has a zero-width interval."""
    values = np.asarray(values, dtype=float)
    mean = float(values.mean())
    if values.size < 2:
        return {"mean": mean, "ci95": [mean, mean]}
    t = special.stdtrit(values.size - 1, 0.5 + level / 2)  # Student t quantile (as scipy.stats.t.ppf)
    half = float(t * values.std(ddof=1) / np.sqrt(values.size))
    return {"mean": mean, "ci95": [mean - half, mean + half]}


def proportion_ci(values: np.ndarray, level: float = 0.95) -> dict[str, object]:
    """Mean of values in [0, 1] and a t interval on the logit scale, inside (0, 1).

    With mean m and standard deviation s over R replications, the interval is
    expit(logit(m) -/+ t s / (sqrt(R) m (1 - m))): the delta-method standard
    error of logit(m), a t quantile with R - 1 degrees of freedom. Values that
    are all equal (all 0 or all 1 among them) give a zero-width interval."""
    values = np.asarray(values, dtype=float)
    mean = float(values.mean())
    if values.size < 2 or not 0 < mean < 1 or np.all(values == values[0]):
        return mean_ci(values, level)
    t = special.stdtrit(values.size - 1, 0.5 + level / 2)
    half = t * values.std(ddof=1) / (np.sqrt(values.size) * mean * (1 - mean))
    centre = special.logit(mean)
    return {"mean": mean, "ci95": [float(special.expit(centre - half)), float(special.expit(centre + half))]}


def interval(values: np.ndarray, metric: str, level: float = 0.95) -> dict[str, object]:
    """The metric's mean and interval: :func:`proportion_ci` for :data:`BOUNDED` figures, else :func:`mean_ci`."""
    return proportion_ci(values, level) if metric in BOUNDED else mean_ci(values, level)


def intervals(frame: pd.DataFrame, by: str | list[str], metrics: str | list[str],
              level: float = 0.95) -> pd.DataFrame:
    """Per group of ``by`` and metric, the mean of the group's rows (one per replication) and its
    confidence interval, as :func:`interval` chooses it (logit-t for rates and shares): a long
    table of ``by``, metric, mean, ci_low, ci_high and n (rows in the group), groups in order of
    appearance. For example a firm's market share half-way through the runs::

        halfway = results.timeseries.query("step == 18")
        intervals(halfway, "firm", "market_share")
    """
    by = [by] if isinstance(by, str) else list(by)
    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    missing = [c for c in [*by, *metrics] if c not in frame.columns]
    if missing:
        raise ValueError(f"no column {', '.join(map(repr, missing))}; the frame has: {', '.join(frame.columns)}")
    rows = []
    for key, group in frame.groupby(by, sort=False):
        for metric in metrics:
            values = group[metric].to_numpy(dtype=float)
            figure = interval(values, metric, level)
            rows.append({**dict(zip(by, key, strict=True)), "metric": metric, "mean": figure["mean"],
                         "ci_low": figure["ci95"][0], "ci_high": figure["ci95"][1], "n": values.size})
    return pd.DataFrame(rows, columns=[*by, "metric", "mean", "ci_low", "ci_high", "n"])


def annualised(retention: dict[str, object], periods_per_year: int) -> dict[str, object]:
    """Per-period retention r (mean and interval) as retention over a year, r ** periods_per_year."""
    lo, hi = retention["ci95"]
    return {"mean": retention["mean"] ** periods_per_year, "ci95": [lo ** periods_per_year, hi ** periods_per_year]}


def summarize(frame: pd.DataFrame, periods_per_year: int = 12) -> dict[str, dict[str, dict[str, object]]]:
    """``{firm: {metric: {"mean": x, "ci95": [lo, hi]}}}``, firms in scenario order; every
    :data:`SUMMARY_METRICS` figure and ``retention_rate_annual``."""
    table = per_replication(frame)
    out: dict[str, dict[str, dict[str, object]]] = {}
    for firm in dict.fromkeys(table["firm"]):
        rows = table[table["firm"] == firm]
        figures = {metric: interval(rows[metric].to_numpy(), metric) for metric in SUMMARY_METRICS}
        figures["retention_rate_annual"] = annualised(figures["retention_rate"], periods_per_year)
        out[str(firm)] = figures
    return out


def long_summary(summary: dict[str, dict[str, dict[str, object]]]) -> pd.DataFrame:
    """:func:`summarize`'s figures in long form: firm, metric, mean, ci_low, ci_high."""
    rows = [{"firm": firm, "metric": metric, "mean": stat["mean"], "ci_low": stat["ci95"][0], "ci_high": stat["ci95"][1]}
            for firm, figures in summary.items() for metric, stat in figures.items()]
    return pd.DataFrame(rows, columns=["firm", "metric", "mean", "ci_low", "ci_high"])
