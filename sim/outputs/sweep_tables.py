"""A sweep's figures per sample: each firm's mean and 95 % interval over the
replications of every sample (long format), the text table printed at the end,
and the warning a Sobol analysis needs when its sample is too small."""

from __future__ import annotations

import pandas as pd

from . import units
from .summary import SUMMARY_METRICS, interval

SWEEP_METRICS = ("customer_equity", "profit")
SUMMARY_COLUMNS = ["sample", "firm", "metric", "mean", "ci_low", "ci_high"]

#: Sobol indices whose 95 % interval is wider than this either side are too uncertain to read.
SOBOL_HALF_WIDTH = 0.1


def sample_summary(rows: pd.DataFrame, parameters: list[str], firms: list[str],
                   metrics=tuple(SUMMARY_METRICS)) -> pd.DataFrame:
    """Long table: sample, the swept values, firm, metric, mean, ci_low, ci_high (over replications).

    ``rows`` is :attr:`sim.runs.sweep.SweepResult.rows` (one row per sample and replication)."""
    out = []
    for sample, group in rows.groupby("sample", sort=True):
        point = {p: group[p].iloc[0] for p in parameters}  # each with its own type (an int stays an int)
        for firm in firms:
            for metric in metrics:
                values = group[f"{firm}:{metric}"].to_numpy(dtype=float)
                figure = interval(values, metric)
                out.append({"sample": sample, **point, "firm": firm, "metric": metric, "mean": figure["mean"],
                            "ci_low": figure["ci95"][0], "ci_high": figure["ci95"][1]})
    return pd.DataFrame(out, columns=["sample", *parameters, *SUMMARY_COLUMNS[1:]])


def parameter_heading(path: str) -> str:
    """'firms.Leader.quality_investment' -> 'Leader quality investment' (the full path is in the notes)."""
    return " ".join(path.split(".")[-2:]).replace("_", " ")


def value_text(value: object) -> str:
    return f"{value:,.4g}" if isinstance(value, float) and not float(value).is_integer() else (
        f"{int(value):,}" if isinstance(value, int | float) and not isinstance(value, bool) else str(value))


def sample_table(summary: pd.DataFrame, parameters: list[str], firms: list[str],
                 currency: str = units.DEFAULT_CURRENCY, metrics=SWEEP_METRICS,
                 separator: str = "\n") -> tuple[list[str], list[list[str]]]:
    """Per sample: its number, the swept values, then per firm and metric the mean over its 95 % interval."""
    header = ["sample", *map(parameter_heading, parameters),
              *(f"{firm}: {units.name(m)}, {units.unit(m, currency)}" for firm in firms for m in metrics)]
    by = summary.set_index(["sample", "firm", "metric"])
    table = []
    for sample, group in summary.groupby("sample", sort=True):
        first = group.iloc[0]
        cells = [str(sample), *(value_text(first[p]) for p in parameters)]
        for firm in firms:
            for m in metrics:
                r = by.loc[(sample, firm, m)]
                cells.append(f"{units.number(r['mean'], m)}{separator}{units.interval(r['ci_low'], r['ci_high'], m)}")
        table.append(cells)
    return header, table


def sobol_warning(sensitivity: pd.DataFrame, base_samples: int) -> str | None:
    """A warning when the Sobol indices are too uncertain to read: an interval wider than
    ±:data:`SOBOL_HALF_WIDTH`, or an index outside [0, 1] (impossible for a variance share)."""
    finite = sensitivity.dropna(subset=["S1", "ST"])
    if finite.empty:
        return None
    wide = (finite[["S1_conf", "ST_conf"]] > SOBOL_HALF_WIDTH).to_numpy().any()
    outside = ((finite[["S1", "ST"]] < -SOBOL_HALF_WIDTH) | (finite[["S1", "ST"]] > 1 + SOBOL_HALF_WIDTH)).to_numpy().any()
    if not (wide or outside):
        return None
    widest = float(finite[["S1_conf", "ST_conf"]].to_numpy().max())
    return (f"warning: the sample is too small for these Sobol indices (N = {base_samples}; intervals up to "
            f"±{widest:.2f}{', indices outside [0, 1]' if outside else ''}). Read them as rough at best; "
            f"raise sweep.samples (N = {4 * base_samples} narrows the intervals about twofold).")

