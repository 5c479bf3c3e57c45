"""Live charts of a run, drawn from the model's collected firm metrics.

Each function takes :meth:`~sim.model.MarketModel.firm_dataframe` (one row per
firm and month) and returns an Altair (Vega-Lite) chart: the browser draws it,
so a Step sends a few numbers instead of a new image, and the page stays quick
at classroom speed. Type sizes are for a projector.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from .colours import STATE_COLOURS, firm_hex

WIDTH, HEIGHT = 420, 230  # pixels of the plotting area
#: How the browser draws: as SVG (sharp on a projector and in print, its text on the page), with the
#: chart menu offering only the downloads (PNG, SVG), not the online editor.
EMBED = {"embedOptions": {"renderer": "svg", "actions": {"export": True, "source": False, "compiled": False,
                                                          "editor": False}}}
#: Projector-sized type (pixels).
TITLE_SIZE, LABEL_SIZE = 20, 15


def firm_metric_chart(frame: pd.DataFrame, metric: str, title: str, firms: list[str], horizon: int,
                      number_format: str = ",.0f") -> alt.Chart:
    """``metric`` over months 1..``horizon``, one line per firm (in ``firms`` order, coloured as everywhere).

    ``number_format`` is a d3 format for the axis: ``",.0f"`` counts and money, ``".0%"`` shares
    (drawn from 0 to 100 %), ``".2f"`` quality."""
    data = frame[["step", "firm", metric]].rename(columns={"step": "month", metric: "value"})
    percent = number_format.endswith("%")
    axis = alt.Axis(format=number_format, title=None)
    scale = alt.Scale(domain=[0, 1]) if percent else alt.Scale(zero=metric != "quality")
    chart = alt.Chart(data).mark_line(point=len(data) <= len(firms), strokeWidth=3).encode(
        x=_month_axis(horizon),
        y=alt.Y("value:Q", axis=axis, scale=scale),
        color=alt.Color("firm:N", scale=alt.Scale(domain=firms, range=[firm_hex(i) for i in range(len(firms))]),
                        legend=alt.Legend(title=None, orient="top")),
        tooltip=["month:Q", "firm:N", alt.Tooltip("value:Q", format=number_format)],
    )
    return _finish(chart, title)


def satisfaction_mix_chart(frame: pd.DataFrame, horizon: int) -> alt.Chart:
    """The whole market's served customers: shares dissatisfied, satisfied and delighted, stacked by month."""
    served = frame.groupby("step")["served"].sum()
    rows = []
    for state in STATE_COLOURS:
        counts = (frame[f"share_{state}"] * frame["served"]).groupby(frame["step"]).sum()
        shares = (counts / served.where(served > 0)).fillna(0.0)
        rows += [{"month": int(m), "state": state, "share": float(v)} for m, v in shares.items()]
    data = pd.DataFrame(rows, columns=["month", "state", "share"])
    chart = alt.Chart(data).mark_area(interpolate="step-after" if len(served) > 1 else "linear").encode(
        x=_month_axis(horizon),
        y=alt.Y("share:Q", stack="normalize", axis=alt.Axis(format=".0%", title=None)),
        color=_state_colour(),
        order=alt.Order("state_order:Q"),
    ).transform_calculate(state_order=f"indexof({list(STATE_COLOURS)}, datum.state)")
    chart = chart.mark_bar() if len(served) == 1 else chart  # a first month is a bar, not yet an area
    return _finish(chart, "Satisfaction mix, all firms' customers")


def firm_satisfaction_chart(frame: pd.DataFrame, firms: list[str]) -> alt.Chart:
    """Each firm's customers this month: shares dissatisfied, satisfied and delighted."""
    last = frame[frame["step"] == frame["step"].max()] if not frame.empty else frame
    rows = [{"firm": row["firm"], "state": state, "share": float(row[f"share_{state}"])}
            for _, row in last.iterrows() for state in STATE_COLOURS]
    data = pd.DataFrame(rows, columns=["firm", "state", "share"])
    chart = alt.Chart(data).mark_bar().encode(
        y=alt.Y("firm:N", sort=firms, title=None),
        x=alt.X("share:Q", stack="normalize", axis=alt.Axis(format=".0%", title=None)),
        color=_state_colour(),
        order=alt.Order("state_order:Q"),
        tooltip=["firm:N", "state:N", alt.Tooltip("share:Q", format=".0%")],
    ).transform_calculate(state_order=f"indexof({list(STATE_COLOURS)}, datum.state)")
    return _finish(chart.properties(height=40 * max(len(firms), 1) + 20), "Satisfaction mix per firm, this month")


def _month_axis(horizon: int) -> alt.X:
    return alt.X("month:Q", scale=alt.Scale(domain=[1, max(horizon, 2)], nice=False),
                 axis=alt.Axis(title="month", format="d", tickMinStep=1))


def _state_colour() -> alt.Color:
    return alt.Color("state:N", scale=alt.Scale(domain=list(STATE_COLOURS), range=list(STATE_COLOURS.values())),
                     legend=alt.Legend(title=None, orient="top"))


def _finish(chart: alt.Chart, title: str) -> alt.Chart:
    if "height" not in chart.to_dict():
        chart = chart.properties(height=HEIGHT)
    return chart.properties(width=WIDTH, title=title, usermeta=EMBED).configure_title(fontSize=TITLE_SIZE, anchor="start") \
        .configure_axis(labelFontSize=LABEL_SIZE, titleFontSize=LABEL_SIZE) \
        .configure_legend(labelFontSize=LABEL_SIZE, symbolSize=200)
