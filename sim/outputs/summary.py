"""Summary statistics over replications: a mean and a 95 % confidence interval
(Student t over replications) per firm and metric.

Which value of a run is summarised:
- final period: market_share, share_of_customer, mean_satisfaction,
  customer_equity, customers, clv_expected, quality;
- whole run: retention_rate (pooled: 1 - all defections / all customer-periods
  served), profit (sum over periods, CU), discounted_profit (cumulative at the
  end, CU), acquisitions and defections (totals), clv_realised (at the end).
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
    "clv_realised": "final period",
    "quality": "final period",
}


def per_replication(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per replication and firm, one column per summary metric."""
    if frame.empty:
        return pd.DataFrame(columns=["replication", "firm", *SUMMARY_METRICS])
    groups = frame.groupby(["replication", "firm"], sort=False)
    last = groups.tail(1).set_index(["replication", "firm"])
    totals = groups[["profit", "acquisitions", "defections", "served"]].sum()
    out = last[[m for m, how in SUMMARY_METRICS.items() if how.startswith("final") or "cumulative" in how]].copy()
    out["profit"] = totals["profit"]
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


def summarize(frame: pd.DataFrame) -> dict[str, dict[str, dict[str, object]]]:
    """``{firm: {metric: {"mean": x, "ci95": [lo, hi]}}}``, firms in scenario order."""
    table = per_replication(frame)
    out: dict[str, dict[str, dict[str, object]]] = {}
    for firm in dict.fromkeys(table["firm"]):
        rows = table[table["firm"] == firm]
        out[str(firm)] = {metric: mean_ci(rows[metric].to_numpy()) for metric in SUMMARY_METRICS}
    return out
