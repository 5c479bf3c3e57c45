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
segment's customers, its customer equity the value of every purchase stream
from the segment's customers that goes on (each margin per period m valued at
m / (1 + d - r), r the expected retention of the customer's main firm in the
segment, as in :mod:`sim.domain.accounts`) plus its new customers there valued
at the segment's value of a newly won customer. Counts and revenue add up to the
firm's figures over segments; customer equity adds up only in a market of one
segment (new customers are valued at their own segment's mean). Mean satisfaction is not
given: the model resets a switching customer's score before it can be read.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..domain.customer_value import ATTRIBUTES, TOTALS, perceived_attributes
from ..domain import accounts
from ..domain.satisfaction import DELIGHTED, DISSATISFIED, SATISFIED
from ..model import MarketModel
from ..scenario import Scenario
from .shipping import ShippedStrategies

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
    "clv_expected": "mean over served customers of m / (1 + d - r) (CU)",
    "new_customer_value": "expected value of a newly won customer: the mean over customers in their first period (CU)",
    "customer_equity": "expected discounted margin of all purchases the firm will get from the segment (CU)",
}

COUNTS = ("customers", "served", "acquisitions", "defections")

#: The customer value analysis carried in the same rows (:mod:`sim.domain.customer_value`):
#: ``delivered:ATTRIBUTE`` and ``perceived:ATTRIBUTE`` for every attribute and total.
VALUE_NAMES = (*ATTRIBUTES, *TOTALS)
VALUE_COLUMNS = tuple(f"{kind}:{name}" for name in VALUE_NAMES for kind in ("delivered", "perceived"))


def _ratio(top: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """top / bottom, 0 where bottom is 0 (as the firm metrics report an empty base)."""
    return np.divide(top, bottom, out=np.zeros_like(top, dtype=float), where=bottom > 0)


def segment_period(model: MarketModel) -> dict[str, np.ndarray]:
    """The period just closed: every :data:`SEGMENT_METRICS` figure as a segments x firms array.

    Each customer gets a cell, segment x firms + the firm that served them (a spare last cell
    if none did); ``bincount`` over the cells sums a figure in one pass over the customers,
    several counts at once where a code packs them (cell, satisfaction state, left or stayed)."""
    s = model.state
    segments, firms = len(model.spec.market.segments), len(model.firm_list)
    cells = segments * firms
    price, unit_cost = model.firm_array("price"), model.firm_array("unit_cost")
    server, now, units, defected = model.previous_firm, s.firm, model._units, model.defections
    served = server >= 0
    served_cell = np.where(served, s.segment * firms + server, cells)

    def total(key: np.ndarray, weights: np.ndarray | None, per_cell: int = 1) -> np.ndarray:
        """Sums by ``key`` = cell x per_cell + code, as cells x per_cell (the spare cell dropped)."""
        sums = np.bincount(key, weights=weights, minlength=(cells + 1) * per_cell)
        return sums[:cells * per_cell].astype(float).reshape(cells, per_cell)

    # counts: served customers by satisfaction state and by whether they left; customers after switching
    outcome = total(served_cell * 6 + np.where(served, 2 * s.satisfaction_state + defected, 0), None, 6)
    outcome = outcome.reshape(cells, 3, 2)
    now_code = np.where(now >= 0, (s.segment * firms + now) * 2 + (now != server), cells * 2)
    supplier = total(now_code, None, 2)  # cells x (kept or came back, newly won)
    out = {"served": outcome.sum(axis=(1, 2)), "defections": outcome[:, :, 1].sum(axis=1),
           "customers": supplier.sum(axis=1), "acquisitions": supplier[:, 1]}
    # money: units bought from each firm, from the firm that served the customer, and all spending
    # (column by column: a matrix product would start BLAS threads that then spin beside the model)
    own, spending = np.zeros(s.size), np.zeros(s.size)
    sold = np.empty((segments, firms))  # units each firm sold to each segment (own and others' customers)
    for j in range(firms):
        bought = units * s.wallet_split[:, j]
        sold[:, j] = total(served_cell, bought).reshape(segments, firms).sum(axis=1)
        np.copyto(own, bought, where=server == j)
        spending += bought * price[j]
    out["revenue"] = (sold * price).ravel()
    spend = total(served_cell, own * np.append(price, 0.0)[server])[:, 0]  # index -1: no firm, no spending
    wallet = total(served_cell, spending)[:, 0]
    # values: each purchase stream's margin per period over 1 + d - r, r the expected retention of the
    # customer's main firm in their segment (sim.domain.accounts)
    retention = accounts.expected_retention(server, s.segment, model.defection_probability, firms, segments)
    per_margin = np.where(served, 1.0 / (1.0 + model.discount - retention[np.maximum(server, 0), s.segment]), 0.0)
    relationship = model.level_cost[model.customer_level] * served
    kept = np.zeros((segments, firms))  # the streams to each firm that go on, by the buyer's segment
    for j in range(firms):
        stream = units * s.wallet_split[:, j] * (price[j] - unit_cost[j]) - np.where(server == j, relationship, 0.0)
        goes_on = served & (~defected | ((now >= 0) & (now != j) & (server != j)))
        kept[:, j] = np.bincount(s.segment, weights=np.where(goes_on, stream * per_margin, 0.0), minlength=segments)
    own_value = (own * np.append(price - unit_cost, 0.0)[server] - relationship) * per_margin
    first = served & (model.tenure == 0)
    clv = total(served_cell * 2 + first, own_value, 2)  # cells x (later periods, first period)
    newcomers = total(served_cell * 2 + first, None, 2)[:, 1]

    out["retention_rate"] = np.where(out["served"] > 0, 1.0 - _ratio(out["defections"], out["served"]), 0.0)
    out["market_share"] = _ratio(out["revenue"], np.repeat((sold * price).sum(axis=1), firms))
    out["share_of_customer"] = np.minimum(_ratio(spend, wallet), 1.0)
    states = outcome.sum(axis=2)
    for name, state in (("share_dissatisfied", DISSATISFIED), ("share_satisfied", SATISFIED),
                        ("share_delighted", DELIGHTED)):
        out[name] = _ratio(states[:, state], out["served"])
    out["clv_expected"] = _ratio(clv.sum(axis=1), out["served"])
    out["new_customer_value"] = np.where(newcomers > 0, _ratio(clv[:, 1], newcomers), out["clv_expected"])
    out["customer_equity"] = kept.ravel() + out["acquisitions"] * out["new_customer_value"]
    return {name: out[name].reshape(segments, firms) for name in SEGMENT_METRICS}


def segment_rows(model: MarketModel) -> pd.DataFrame:
    """:func:`segment_period` as rows: step, segment, firm, one column per figure, then the customer
    value analysis (:data:`VALUE_COLUMNS`)."""
    figures = segment_period(model)
    segments = [g.name for g in model.spec.market.segments]
    firms = [f.name for f in model.firm_list]
    frame = pd.DataFrame({name: values.ravel().astype(np.int64) if name in COUNTS else values.ravel()
                          for name, values in figures.items()})
    delivered, perceived = perceived_attributes(model)  # segments x names x firms
    for a, name in enumerate(VALUE_NAMES):
        frame[f"delivered:{name}"] = delivered[:, a, :].ravel()
        frame[f"perceived:{name}"] = perceived[:, a, :].ravel()
    frame.insert(0, "firm", np.tile(firms, len(segments)))
    frame.insert(0, "segment", np.repeat(segments, len(firms)))
    frame.insert(0, "step", int(model.steps))
    return frame


def run_with_segments(scenario: Scenario, seed: int, replication: int = 0, strategies: ShippedStrategies | None = None,
                      steps: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One seeded run, as :func:`sim.runs.replications.run_replication`, and its per-segment
    frame (replication, step, segment, firm, figures)."""
    model = MarketModel(scenario, rng=seed, strategies=strategies.fresh() if strategies else None)
    periods = []
    for _ in range(scenario.run.steps if steps is None else steps):
        model.step()
        periods.append(segment_rows(model))
    frame = model.firm_dataframe()
    frame.insert(0, "replication", replication)
    columns = ["step", "segment", "firm", *SEGMENT_METRICS, *VALUE_COLUMNS]
    segments = pd.concat(periods, ignore_index=True) if periods else pd.DataFrame(columns=columns)
    segments.insert(0, "replication", replication)
    return frame, segments
