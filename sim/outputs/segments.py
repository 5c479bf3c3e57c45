"""Per-segment summary of a run: for each segment, firm and figure of
:mod:`sim.runs.segments`, the mean and 95 % interval over replications, and
which firm leads each segment.

Which value of a run is summarised follows :mod:`sim.outputs.summary`:
retention pooled over the whole run, acquisitions, defections and revenue
totalled, the rest taken in the final period.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..runs.segments import VALUE_COLUMNS
from .summary import interval

TOTALLED = ("acquisitions", "defections", "revenue", "served")
#: What a segment's leader leads on, in the order the report reads them.
LEAD_METRICS = ("customer_equity", "market_share", "retention_rate")


def per_replication(segments: pd.DataFrame) -> pd.DataFrame:
    """One row per replication, segment and firm: final-period figures, whole-run totals and
    pooled retention (the customer value analysis left out: :mod:`.customer_value` reads it)."""
    segments = segments.drop(columns=[c for c in VALUE_COLUMNS if c in segments])
    groups = segments.groupby(["replication", "segment", "firm"], sort=False)
    out = groups.tail(1).set_index(["replication", "segment", "firm"]).drop(columns="step")
    totals = groups[list(TOTALLED)].sum()
    out[list(TOTALLED)] = totals
    served = totals["served"].to_numpy(dtype=float)
    out["retention_rate"] = np.where(served > 0, 1.0 - totals["defections"] / np.where(served > 0, served, 1), 0.0)
    return out.reset_index()


def summarize_segments(table: pd.DataFrame) -> dict[str, dict[str, dict[str, dict[str, object]]]]:
    """``{segment: {firm: {figure: {"mean": x, "ci95": [lo, hi]}}}}`` in the scenario's order, from
    :func:`per_replication`'s table."""
    figures = [c for c in table.columns if c not in ("replication", "segment", "firm")]
    out: dict = {}
    for (segment, firm), rows in table.groupby(["segment", "firm"], sort=False):
        out.setdefault(str(segment), {})[str(firm)] = {m: interval(rows[m].to_numpy(), m) for m in figures}
    return out


def leaders(summary: dict) -> dict[str, dict[str, str]]:
    """``{segment: {figure: firm}}``: the firm with the highest mean of each :data:`LEAD_METRICS` figure."""
    return {segment: {m: max(firms, key=lambda f: firms[f][m]["mean"]) for m in LEAD_METRICS}
            for segment, firms in summary.items()}


def segments_table(segments: pd.DataFrame) -> pd.DataFrame:
    """The long per-segment series: replication, step, segment, firm, figures."""
    out = segments.drop(columns=[c for c in VALUE_COLUMNS if c in segments])
    for column in ("replication", "step"):
        out[column] = out[column].astype(int)
    return out
