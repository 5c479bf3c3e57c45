"""The customer value analysis of a run, as files and report tables: ``customer_value.csv``
(long: replication, step, segment, attribute, firm, importance, delivered, perceived; every
period, so the analysis is monitored over time) and the table of the final period.

The figures come from the per-segment rows of the run (:mod:`sim.runs.segments`, which carries
:mod:`sim.domain.customer_value`); importance is the segment's weight on the attribute as a
percentage of all its weights.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..domain.customer_value import ATTRIBUTES
from ..runs.segments import VALUE_NAMES
from ..scenario import Scenario


def importance_by_segment(scenario: Scenario) -> dict[tuple[str, str], float]:
    """(segment, attribute) -> the attribute's weight as % of the segment's benefit and cost weights."""
    out = {}
    for segment in scenario.market.segments:
        b, c = segment.benefit_weights, segment.cost_weights
        weights = [b.product, b.service, b.personnel, b.image, c.monetary, c.time, c.energy, c.psychic]
        total = sum(weights)
        for attribute, weight in zip(ATTRIBUTES, weights, strict=True):
            out[segment.name, attribute] = 100.0 * weight / total if total > 0 else 0.0
    return out


def customer_value_long(segments: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """The analysis in long form, one row per replication, step, segment, attribute and firm."""
    ids = ["replication", "step", "segment", "firm"]
    parts = []
    for name in VALUE_NAMES:
        part = segments[ids].copy()
        part.insert(3, "attribute", name)
        part["delivered"] = segments[f"delivered:{name}"].to_numpy()
        part["perceived"] = segments[f"perceived:{name}"].to_numpy()
        parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    weights = importance_by_segment(scenario)
    out.insert(5, "importance_pct", [weights.get((s, a), np.nan) for s, a in zip(out["segment"], out["attribute"],
                                                                                   strict=True)])
    order = {name: k for k, name in enumerate(VALUE_NAMES)}
    out["_order"] = out["attribute"].map(order)
    out = out.sort_values(["replication", "step", "segment", "_order", "firm"], kind="stable").drop(columns="_order")
    for column in ("replication", "step"):
        out[column] = out[column].astype(int)
    return out.reset_index(drop=True)


def final_table(segments: pd.DataFrame, scenario: Scenario) -> dict[str, pd.DataFrame]:
    """Per segment, the final period's analysis, mean over replications: one row per attribute and
    total, the importance and each firm's perceived (and delivered) figure."""
    long = customer_value_long(segments, scenario)
    last = long[long["step"] == long["step"].max()]
    means = last.groupby(["segment", "attribute", "firm"], sort=False)[["importance_pct", "delivered", "perceived"]].mean()
    firms = [f.name for f in scenario.firms]
    out = {}
    for segment in [s.name for s in scenario.market.segments]:
        rows = []
        for name in VALUE_NAMES:
            row = {"attribute": name, "importance_pct": means.loc[(segment, name, firms[0]), "importance_pct"]}
            for firm in firms:
                row[f"{firm} perceived"] = means.loc[(segment, name, firm), "perceived"]
                row[f"{firm} delivered"] = means.loc[(segment, name, firm), "delivered"]
            rows.append(row)
        out[segment] = pd.DataFrame(rows)
    return out


def final_markdown(segments: pd.DataFrame, scenario: Scenario) -> str:
    """The final period's analysis as Markdown tables, one per segment (perceived, delivered in brackets)."""
    firms = [f.name for f in scenario.firms]
    lines = ["## Customer value analysis", "",
             "How important each attribute is to each segment (% of its weights) and how its customers who know "
             "each firm perceive the firm on it in the final period, with what the firm delivers in brackets "
             "(value units; price in currency units; for costs lower is better). Every period is in "
             "`customer_value.csv`.", ""]
    for segment, table in final_table(segments, scenario).items():
        lines += [f"**{segment}**", "", "| attribute | importance | " + " | ".join(firms) + " |",
                  "| --- | ---: | " + " | ".join("---:" for _ in firms) + " |"]
        for row in table.to_dict("records"):
            weight = "" if np.isnan(row["importance_pct"]) else f"{row['importance_pct']:.0f} %"
            cells = [f"{row[f'{f} perceived']:.2f} ({row[f'{f} delivered']:.2f})"
                     if not np.isnan(row[f"{f} perceived"]) else f"- ({row[f'{f} delivered']:.2f})" for f in firms]
            lines.append(f"| {row['attribute']} | {weight} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)
