"""Per-segment results of a run: each period's figures by segment and firm.

Computed after each period from the model's public state, with one
``numpy.bincount`` per figure over all customers (no per-customer Python):

- who served whom this period (``model.previous_firm``, -1 none) and who
  defected (``model.defections``); the main supplier after switching
  (``state.firm``); each customer's units (``model._units``), wallet split
  (``state.wallet_split``), satisfaction state, relationship level, defection
  probability; the firms' prices and unit costs.

The figures follow the firm metrics of :mod:`sim.metrics`, restricted to a
segment's customers: a segment's market share is the firm's share of the
revenue from that segment, its retention 1 - defections / served among that
segment's customers, its customer equity the expected lifetime values of the
segment's customers who stay plus its new customers valued at the segment's
mean expected lifetime value. Counts and revenue add up to the firm's figures
over segments; customer equity adds up only in a market of one segment (new
customers are valued at their own segment's mean). Mean satisfaction is not
given: the model resets a switching customer's score before it can be read.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..domain.satisfaction import DELIGHTED, DISSATISFIED, SATISFIED
from ..model import MarketModel
from ..scenario import Scenario

SEGMENT_METRICS: dict[str, str] = {
    "customers": "the segment's customers whose main supplier the firm is, at period end",
    "served": "the segment's customers the firm served this period",
    "acquisitions": "the segment's customers the firm won this period",
    "defections": "the segment's customers the firm lost this period",
    "retention_rate": "1 - defections / served",
    "market_share": "firm revenue from the segment / all firms' revenue from it",
    "share_of_customer": "share of its served customers' category spending the firm gets",
    "revenue": "revenue from the segment's customers (CU)",
    "share_dissatisfied": "share of served customers dissatisfied",
    "share_satisfied": "share of served customers satisfied",
    "share_delighted": "share of served customers delighted",
    "clv_expected": "mean expected lifetime value of served customers (CU)",
    "customer_equity": "expected lifetime values of the segment's customers at period end (CU)",
}

COUNTS = ("customers", "served", "acquisitions", "defections")


def _ratio(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """top / bottom, 0 where bottom is 0 (as the firm metrics report an empty base)."""
    return np.divide(top, bottom, out=np.zeros_like(top, dtype=float), where=bottom > 0)


def segment_period(model: MarketModel) -> dict[str, np.ndarray]:
    """The period just closed: every :data:`SEGMENT_METRICS` figure as a segments x firms array.

    Each customer gets a cell, segment x firms + the firm that served them, or a last spare
    cell if no firm did; a weighted ``bincount`` over the cells sums a figure (N per pass)."""
    s = model.state
    segments, firms = len(model.spec.market.segments), len(model.firm_list)
    cells = segments * firms
    price, unit_cost = model.firm_array("price"), model.firm_array("unit_cost")

    def total(key: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(key, weights=weights, minlength=cells + 1)[:cells].astype(float)

    server, now, units = model.previous_firm, s.firm, model._units
    served_cell = np.where(server >= 0, s.segment * firms + server, cells)
    now_cell = np.where(now >= 0, s.segment * firms + now, cells)
    own = np.zeros(s.size)  # units each customer bought from the firm that served them
    sold = np.empty((segments, firms))  # units each firm sold to each segment (own and others' customers)
    for j in range(firms):
        bought = units * s.wallet_split[:, j]
        sold[:, j] = total(served_cell, bought).reshape(segments, firms).sum(axis=1)
        np.copyto(own, bought, where=server == j)
    margin_per_unit = np.append(price - unit_cost, 0.0)[server]  # index -1: no firm, no margin
    retention = 1.0 - model.defection_probability
    margin = own * margin_per_unit - model.level_cost[model.customer_level] * (server >= 0)
    clv = margin * retention / (1.0 + model.discount - retention)
    defected = model.defections
    out = {
        "customers": total(now_cell),
        "served": total(served_cell),
        "acquisitions": total(np.where(now != server, now_cell, cells)),
        "defections": total(np.where(defected, served_cell, cells)),
        "revenue": (sold * price).ravel(),
    }
    out["retention_rate"] = np.where(out["served"] > 0, 1.0 - _ratio(out["defections"], out["served"]), 0.0)
    out["market_share"] = _ratio(out["revenue"], np.repeat(out["revenue"].reshape(segments, firms).sum(axis=1), firms))
    spend = total(served_cell, own * np.append(price, 0.0)[server])
    out["share_of_customer"] = np.minimum(_ratio(spend, total(served_cell, units * (s.wallet_split @ price))), 1.0)
    by_state = np.bincount(np.where(server >= 0, served_cell * 3 + s.satisfaction_state, cells * 3),
                           minlength=cells * 3 + 1)[:cells * 3].reshape(cells, 3)
    for name, state in (("share_dissatisfied", DISSATISFIED), ("share_satisfied", SATISFIED),
                        ("share_delighted", DELIGHTED)):
        out[name] = _ratio(by_state[:, state].astype(float), out["served"])
    out["clv_expected"] = _ratio(total(served_cell, clv), out["served"])
    out["customer_equity"] = total(np.where(defected, cells, served_cell), clv) + out["acquisitions"] * out["clv_expected"]
    return {name: out[name].reshape(segments, firms) for name in SEGMENT_METRICS}


def segment_rows(model: MarketModel) -> pd.DataFrame:
    """:func:`segment_period` as rows: step, segment, firm, one column per figure."""
    figures = segment_period(model)
    segments = [g.name for g in model.spec.market.segments]
    firms = [f.name for f in model.firm_list]
    frame = pd.DataFrame({name: values.ravel().astype(np.int64) if name in COUNTS else values.ravel()
                          for name, values in figures.items()})
    frame.insert(0, "firm", np.tile(firms, len(segments)))
    frame.insert(0, "segment", np.repeat(segments, len(firms)))
    frame.insert(0, "step", int(model.steps))
    return frame


def run_with_segments(scenario: Scenario, seed: int, replication: int = 0,
                      steps: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One seeded run, as :func:`sim.runs.replications.run_replication`, and its per-segment
    frame (replication, step, segment, firm, figures)."""
    model = MarketModel(scenario, rng=seed)
    periods = []
    for _ in range(scenario.run.steps if steps is None else steps):
        model.step()
        periods.append(segment_rows(model))
    frame = model.firm_dataframe()
    frame.insert(0, "replication", replication)
    columns = ["step", "segment", "firm", *SEGMENT_METRICS]
    segments = pd.concat(periods, ignore_index=True) if periods else pd.DataFrame(columns=columns)
    segments.insert(0, "replication", replication)
    return frame, segments
