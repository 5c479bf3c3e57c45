"""The scoreboard: what each firm offers now and how it did in the latest
period, for reading aloud in class (the sliders do not show their values)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from ..model import MarketModel
    from .dashboard_model import DashboardModel

#: Metric -> column heading, in display order.
RESULTS = {
    "customers": "customers",
    "market_share": "market share",
    "retention_rate": "retention",
    "mean_satisfaction": "satisfaction",
    "share_of_customer": "share of customer",
    "profit": "profit (CU)",
    "customer_equity": "customer equity (CU)",
}


def results_table(frame: pd.DataFrame, firms: list[str]) -> pd.DataFrame:
    """The last period's results: one row per metric, one column per firm (``firms`` order);
    blank before the first step."""
    if frame.empty:
        return pd.DataFrame(index=list(RESULTS.values()), columns=firms, dtype=float)
    last = frame[frame["step"] == frame["step"].max()].set_index("firm").loc[firms, list(RESULTS)]
    return last.rename(columns=RESULTS).T.rename_axis(columns=None)


def offer_table(model: MarketModel) -> pd.DataFrame:
    """Each firm's current decisions and quality (one column per firm): relationship level
    (one row per segment when there are several), price, promise, quality investment, quality."""
    segments = [s.name for s in model.spec.market.segments]
    rows = {}
    for firm in model.firm_list:
        levels = firm.relationship_names()
        column = {"relationship": levels[segments[0]]} if len(segments) == 1 else \
            {f"relationship: {segment}": levels[segment] for segment in segments}
        column.update({"price (CU)": firm.price, "promise (x)": firm.promise,
                       "quality investment (CU)": firm.quality_investment, "quality": firm.quality})
        rows[firm.name] = column
    return pd.DataFrame(rows)


def market_line(model: DashboardModel) -> str:
    """The market settings in one line."""
    m, wom = model.spec.market, model.spec.behaviour.word_of_mouth
    return (f"{m.customers} customers, {m.network.kind.replace('_', ' ')} network; word of mouth: praise reaches "
            f"a friend with p={wom.positive_probability:.2f}, warnings with p={wom.negative_probability:.2f}; "
            f"seed {model.run_seed}")
