"""One colour per firm, the same in every chart and in the network view."""

from __future__ import annotations

import matplotlib

#: Customers without a supplier (prospects).
PROSPECT_COLOUR = (0.82, 0.82, 0.82, 1.0)

#: Satisfaction states, as in the satisfaction-mix chart.
STATE_COLOURS = {"dissatisfied": "#c0392b", "satisfied": "#95a5a6", "delighted": "#27ae60"}


def firm_colour(index: int) -> tuple[float, float, float, float]:
    """Colour of the firm at ``index`` (matplotlib's qualitative 'tab10' cycle)."""
    return matplotlib.colormaps["tab10"](index % 10)


def firm_hex(index: int) -> str:
    """:func:`firm_colour` as ``#rrggbb``, for browser-drawn charts."""
    return matplotlib.colors.to_hex(firm_colour(index))
