"""Live charts of a run, drawn from the model's collected firm metrics.

Each function takes :meth:`~sim.model.MarketModel.firm_dataframe` (one row per
firm and month) and returns a Vega-Lite specification (a dict) that the
browser draws: a Step sends a few numbers instead of a new image. The chart's
layout is built once with Altair and kept (:func:`_template`); each Step only
fills in its data, as the named dataset ``table``. Type sizes are for a
projector; charts are drawn as SVG, sharp on a projector and in print.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import altair as alt
import pandas as pd

from .colours import STATE_COLOURS, firm_hex

WIDTH, HEIGHT = 420, 230  # pixels of the plotting area
#: How the browser draws: as SVG (its text on the page), with the chart menu offering
#: only the downloads (PNG, SVG), not the online editor.
EMBED = {"embedOptions": {"renderer": "svg", "actions": {"export": True, "source": False, "compiled": False,
                                                          "editor": False}}}
#: Projector-sized type (pixels).
TITLE_SIZE, LABEL_SIZE = 20, 15
DATA = alt.NamedData("table")
#: Satisfaction states in stacking order (dissatisfied at the bottom).
STATE_ORDER = f"indexof({list(STATE_COLOURS)}, datum.state)"


def firm_metric_chart(frame: pd.DataFrame, metric: str, title: str, firms: list[str], horizon: int,
                      number_format: str = ",.0f") -> dict[str, Any]:
    """``metric`` over months 1..``horizon``, one line per firm (in ``firms`` order, coloured as everywhere).

    ``number_format`` is a d3 format for the axis: ``",.0f"`` counts and money, ``".0%"`` shares
    (drawn from 0 to 100 %), ``".2f"`` quality (its axis need not start at 0)."""
    data = frame[["step", "firm", metric]].rename(columns={"step": "month", metric: "value"})
    return _with_data(_line_template(title, tuple(firms), max(horizon, 2), number_format, metric != "quality",
                                     frame["step"].nunique() <= 1), data)


def satisfaction_mix_chart(frame: pd.DataFrame, horizon: int) -> dict[str, Any]:
    """The whole market's served customers: shares dissatisfied, satisfied and delighted, stacked by month."""
    served = frame.groupby("step")["served"].sum()
    rows = []
    for state in STATE_COLOURS:
        counts = (frame[f"share_{state}"] * frame["served"]).groupby(frame["step"]).sum()
        shares = (counts / served.where(served > 0)).fillna(0.0)
        rows += [{"month": int(m), "state": state, "share": float(v)} for m, v in shares.items()]
    return _with_data(_mix_template(max(horizon, 2), len(served) <= 1), pd.DataFrame(rows))


def firm_satisfaction_chart(frame: pd.DataFrame, firms: list[str]) -> dict[str, Any]:
    """Each firm's customers this month: shares dissatisfied, satisfied and delighted."""
    last = frame[frame["step"] == frame["step"].max()] if not frame.empty else frame
    rows = [{"firm": row["firm"], "state": state, "share": float(row[f"share_{state}"])}
            for _, row in last.iterrows() for state in STATE_COLOURS]
    return _with_data(_firm_mix_template(tuple(firms)), pd.DataFrame(rows))


def _with_data(template: dict[str, Any], data: pd.DataFrame) -> dict[str, Any]:
    return {**template, "datasets": {DATA.name: data.to_dict("records")}}


@lru_cache(maxsize=256)
def _line_template(title: str, firms: tuple[str, ...], horizon: int, number_format: str, from_zero: bool,
                   points: bool) -> dict[str, Any]:
    scale = alt.Scale(domain=[0, 1]) if number_format.endswith("%") else alt.Scale(zero=from_zero)
    chart = alt.Chart(DATA).mark_line(point=points, strokeWidth=3).encode(
        x=_month_axis(horizon),
        y=alt.Y("value:Q", axis=alt.Axis(format=number_format, title=None), scale=scale),
        color=alt.Color("firm:N", scale=alt.Scale(domain=list(firms), range=[firm_hex(i) for i in range(len(firms))]),
                        legend=alt.Legend(title=None, orient="top")),
        tooltip=["month:Q", "firm:N", alt.Tooltip("value:Q", format=number_format)],
    )
    return _template(chart, title)


@lru_cache(maxsize=64)
def _mix_template(horizon: int, first_month: bool) -> dict[str, Any]:
    chart = alt.Chart(DATA)
    chart = chart.mark_bar() if first_month else chart.mark_area(interpolate="step-after")  # a first month: a bar
    chart = chart.encode(
        x=_month_axis(horizon),
        y=alt.Y("share:Q", stack="normalize", axis=alt.Axis(format=".0%", title=None)),
        color=_state_colour(),
        order=alt.Order("state_order:Q"),
    ).transform_calculate(state_order=STATE_ORDER)
    return _template(chart, "Satisfaction mix, all firms' customers")


@lru_cache(maxsize=64)
def _firm_mix_template(firms: tuple[str, ...]) -> dict[str, Any]:
    chart = alt.Chart(DATA).mark_bar().encode(
        y=alt.Y("firm:N", sort=list(firms), title=None),
        x=alt.X("share:Q", stack="normalize", axis=alt.Axis(format=".0%", title=None)),
        color=_state_colour(),
        order=alt.Order("state_order:Q"),
        tooltip=["firm:N", "state:N", alt.Tooltip("share:Q", format=".0%")],
    ).transform_calculate(state_order=STATE_ORDER)
    return _template(chart.properties(height=40 * max(len(firms), 1) + 20), "Satisfaction mix per firm, this month")


def _month_axis(horizon: int) -> alt.X:
    return alt.X("month:Q", scale=alt.Scale(domain=[1, horizon], nice=False),
                 axis=alt.Axis(title="month", format="d", tickMinStep=1))


def _state_colour() -> alt.Color:
    return alt.Color("state:N", scale=alt.Scale(domain=list(STATE_COLOURS), range=list(STATE_COLOURS.values())),
                     legend=alt.Legend(title=None, orient="top"))


def _template(chart: alt.Chart, title: str) -> dict[str, Any]:
    """The chart's Vega-Lite specification, with its title and projector-sized type, without data."""
    if "height" not in chart.to_dict(validate=False):
        chart = chart.properties(height=HEIGHT)
    chart = chart.properties(width=WIDTH, title=title, usermeta=EMBED).configure_title(
        fontSize=TITLE_SIZE, anchor="start").configure_axis(labelFontSize=LABEL_SIZE, titleFontSize=LABEL_SIZE) \
        .configure_legend(labelFontSize=LABEL_SIZE, symbolSize=200)
    return chart.to_dict()
