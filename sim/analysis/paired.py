"""Paired comparison of arms run with common random numbers.

Replication k of every arm uses the same seed, so the arm-minus-baseline
difference d_k = x_arm,k - x_base,k removes the noise the arms share. Its mean
gets a Student-t 95 % interval over the R replications and a two-sided paired
t-test p-value (``scipy.stats.ttest_rel``). When every d_k is equal (identical
arms give exactly 0) the interval has zero width and p is 1 for a zero
difference, 0 otherwise; with one replication there is no p-value (None).
Each arm's own level gets the interval of :func:`sim.outputs.summary.interval`
(logit-t for rates and shares).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..outputs.summary import SUMMARY_METRICS, interval, mean_ci

COLUMNS = ["arm", "firm", "metric", "replications", "mean", "ci_low", "ci_high",
           "diff", "diff_ci_low", "diff_ci_high", "p_value"]


def paired_difference(arm: np.ndarray, base: np.ndarray, level: float = 0.95) -> dict[str, object]:
    """Mean of ``arm - base`` with its confidence interval and the paired t-test p-value."""
    arm, base = np.asarray(arm, dtype=float), np.asarray(base, dtype=float)
    diff = arm - base
    out = mean_ci(diff, level)
    if diff.size < 2:
        return {**out, "p_value": None}
    if np.all(diff == diff[0]):
        return {**out, "p_value": 1.0 if diff[0] == 0 else 0.0}
    from scipy import stats  # here, not at the top: scipy.stats takes ~0.4 s to import, which `marketsim run` never needs

    return {**out, "p_value": float(stats.ttest_rel(arm, base).pvalue)}


def comparison_table(per_arm: dict[str, pd.DataFrame], metrics: list[str] | None = None) -> pd.DataFrame:
    """Long table (:data:`COLUMNS`): per arm, firm and metric, the mean and 95 % CI over
    replications and the paired difference against the first arm (the baseline).

    ``per_arm`` maps arm name -> :func:`sim.outputs.summary.per_replication` frame.
    A firm the baseline lacks gets no difference (NaN).
    """
    metrics = metrics or list(SUMMARY_METRICS)
    arms = list(per_arm)
    base = per_arm[arms[0]].set_index(["firm", "replication"])
    rows = []
    for arm in arms:
        table = per_arm[arm]
        for firm in dict.fromkeys(table["firm"]):
            mine = table[table["firm"] == firm].set_index("replication").sort_index()
            for metric in metrics:
                level = interval(mine[metric].to_numpy(), metric)
                row = {"arm": arm, "firm": firm, "metric": metric, "replications": len(mine),
                       "mean": level["mean"], "ci_low": level["ci95"][0], "ci_high": level["ci95"][1],
                       "diff": np.nan, "diff_ci_low": np.nan, "diff_ci_high": np.nan, "p_value": np.nan}
                if firm in base.index.get_level_values("firm"):
                    reference = base.loc[firm][metric]
                    common = mine.index.intersection(reference.index)
                    d = paired_difference(mine.loc[common, metric].to_numpy(), reference.loc[common].to_numpy())
                    row.update(diff=d["mean"], diff_ci_low=d["ci95"][0], diff_ci_high=d["ci95"][1],
                               p_value=np.nan if d["p_value"] is None else d["p_value"])
                rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)
