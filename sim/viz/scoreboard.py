"""The scoreboard: how each firm did in the latest month and what it offers now,
formatted for reading aloud in class (``804`` customers, ``29 %``, ``141,000 CU``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ..model import MarketModel
    from .dashboard_model import DashboardModel


def count(v: float) -> str:
    return f"{v:,.0f}"


def percent(v: float) -> str:
    return f"{100 * v:.0f} %"


def money(v: float) -> str:
    return f"{v:,.0f} CU"


def decimal(v: float) -> str:
    return f"{v:,.2f}"


#: Metric -> (row heading, format), in display order: every figure a lesson cites.
RESULTS: dict[str, tuple[str, Callable[[float], str]]] = {
    "customers": ("customers", count),
    "acquisitions": ("won this month", count),
    "defections": ("lost this month", count),
    "market_share": ("market share (of revenue)", percent),
    "retention_rate": ("retention (a month)", percent),
    "share_dissatisfied": ("dissatisfied", percent),
    "share_satisfied": ("satisfied", percent),
    "share_delighted": ("delighted", percent),
    "share_of_customer": ("share of customer", percent),
    "profit": ("profit this month", money),
    "discounted_profit": ("cumulative profit (discounted)", money),
    "clv_expected": ("lifetime value of a customer", money),
    "new_customer_value": ("value of a new customer", money),
    "customer_equity": ("customer equity", money),
    "quality": ("quality", decimal),
}


def results_table(model: MarketModel) -> pd.DataFrame:
    """The latest month's results as text: one row per figure, one column per firm; then the
    customers per segment. Blank before the first month."""
    firms = [f.name for f in model.firm_list]
    frame = model.firm_dataframe()
    rows = {}
    if not frame.empty:
        last = frame[frame["step"] == frame["step"].max()].set_index("firm").loc[firms]
        rows = {label: [fmt(v) for v in last[metric]] for metric, (label, fmt) in RESULTS.items()}
    else:
        rows = {label: [""] * len(firms) for label, _ in RESULTS.values()}
    for name, counts in segment_customers(model).items():
        rows[f"customers: {name}"] = [count(v) for v in counts]
    return pd.DataFrame(rows, index=firms).T


def segment_customers(model: MarketModel) -> dict[str, np.ndarray]:
    """Each segment's customers per firm now (segment name -> counts in firm order); empty with one segment."""
    segments = model.spec.market.segments
    if len(segments) == 1:
        return {}
    firms = len(model.firm_list)
    served = model.state.firm >= 0
    pairs = model.state.segment[served] * firms + model.state.firm[served]
    counts = np.bincount(pairs, minlength=len(segments) * firms).reshape(len(segments), firms)
    return {segment.name: counts[g] for g, segment in enumerate(segments)}


def offer_table(model: MarketModel) -> pd.DataFrame:
    """Each firm's current decisions and quality as text (one column per firm): relationship level
    (one row per segment when there are several), price, promise, quality investment, quality."""
    segments = [s.name for s in model.spec.market.segments]
    rows = {}
    for firm in model.firm_list:
        levels = firm.relationship_names()
        column = {"relationship": levels[segments[0]]} if len(segments) == 1 else \
            {f"relationship: {segment}": levels[segment] for segment in segments}
        column.update({"price": f"{firm.price:.2f} CU", "promise": f"{firm.promise:.2f} × delivered",
                       "quality investment": f"{firm.quality_investment:,.0f} CU a month",
                       "quality": f"{firm.quality:.2f}"})
        rows[firm.name] = column
    return pd.DataFrame(rows)


def market_line(model: DashboardModel) -> str:
    """The market settings in one line."""
    m, wom = model.spec.market, model.spec.behaviour.word_of_mouth
    return (f"{m.customers:,} customers, {m.network.kind.replace('_', ' ')} network; praise reaches a friend "
            f"with probability {wom.positive_probability:.2f}, warnings {wom.negative_probability:.2f}; "
            f"seed {model.run_seed}")
