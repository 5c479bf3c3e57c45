"""Live charts of a run, drawn from the model's collected firm metrics.

Each function takes :meth:`~sim.model.MarketModel.firm_dataframe` (one row per
firm and period) and returns a matplotlib ``Figure`` (not pyplot: the
dashboard draws from several threads).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from .colours import STATE_COLOURS, firm_colour

FIGSIZE = (5.0, 3.0)  # inches
#: Fixed margins (figure fractions): tight_layout would cost a full extra draw on every period.
MARGINS = {"left": 0.15, "right": 0.97, "bottom": 0.16, "top": 0.9}


def firm_metric_figure(frame: pd.DataFrame, metric: str, title: str, firms: list[str], horizon: int,
                       percent: bool = False) -> Figure:
    """``metric`` over periods 1..``horizon``, one line per firm (in ``firms`` order, coloured as everywhere)."""
    fig = Figure(figsize=FIGSIZE)
    ax = fig.subplots()
    for i, name in enumerate(firms):
        series = frame[frame["firm"] == name]
        ax.plot(series["step"], series[metric], color=firm_colour(i), label=name, lw=1.8,
                marker="o" if len(series) == 1 else None)  # a first period is a point, not yet a line
    _finish(ax, title, horizon, percent)
    if percent:
        ax.set_ylim(0, 1)
    if firms:
        ax.legend(fontsize=8, loc="best")
    return fig


def satisfaction_mix_figure(frame: pd.DataFrame, horizon: int) -> Figure:
    """The whole market's served customers: shares dissatisfied, satisfied and delighted, stacked."""
    fig = Figure(figsize=FIGSIZE)
    ax = fig.subplots()
    served = frame.groupby("step")["served"].sum()
    shares = {}
    for state in STATE_COLOURS:
        counts = (frame[f"share_{state}"] * frame["served"]).groupby(frame["step"]).sum()
        shares[state] = (counts / served.where(served > 0)).fillna(0.0)
    if not frame.empty:
        steps, values = served.index.to_numpy(float), [s.to_numpy() for s in shares.values()]
        if steps.size == 1:  # a first period is a band a period wide, not yet an area
            steps, values = steps[0] + np.array([-0.5, 0.5]), [np.repeat(v, 2) for v in values]
        ax.stackplot(steps, *values, labels=list(shares), colors=list(STATE_COLOURS.values()))
        ax.legend(fontsize=8, loc="lower left")
    _finish(ax, "Satisfaction mix (all firms' customers)", horizon, percent=True)
    ax.set_ylim(0, 1)
    return fig


def _finish(ax, title: str, horizon: int, percent: bool) -> None:
    ax.set_title(title, fontsize=10)
    ax.set_xlim(0.5, max(horizon, 2) + 0.5)
    ax.set_xlabel("period")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    if percent:
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    ax.grid(alpha=0.3)
    ax.figure.subplots_adjust(**MARGINS)
