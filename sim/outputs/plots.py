"""Slide-ready plots of a run, a sweep and a Sobol analysis.

Every plot is 16:9 (13.33 x 7.5 inches, a widescreen slide; 1280 x 720 px as
PNG) with fonts readable from the back of a room, thousands separators,
percentages for rates and shares, the legend outside the data, and the
dashboard's colours (:mod:`sim.viz.colours`). Each is written as PNG and SVG.

Run plots: market share, retention and customer equity over time (mean over
replications with its 95 % band, the intervals of :mod:`sim.outputs.summary`),
and the mix of dissatisfied, satisfied and delighted customers per firm.
"""

from __future__ import annotations

import io
import warnings

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure  # not pyplot: no GUI backend, and notebooks keep theirs
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from ..viz.colours import STATE_COLOURS, firm_colour
from . import units
from .summary import interval

SLIDE = (40 / 3, 7.5)  # inches: a 16:9 slide (13.33 x 7.5)
DPI = 96  # 1280 x 720 px
STYLE = {"font.size": 17, "axes.titlesize": 24, "axes.titleweight": "bold", "axes.labelsize": 19,
         "xtick.labelsize": 16, "ytick.labelsize": 16, "legend.fontsize": 17, "figure.titlesize": 24,
         "figure.titleweight": "bold", "axes.spines.top": False, "axes.spines.right": False, "lines.linewidth": 3,
         "svg.hashsalt": "marketsim", "svg.fonttype": "path"}


def plain_text(name: object) -> str:
    """A user's name as a label matplotlib prints as written ('$' would start mathematics)."""
    return str(name).replace("$", r"\$")


def _save(fig: Figure, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings(), matplotlib.rc_context(STYLE):
        warnings.filterwarnings("ignore", message="Glyph .* missing from font", category=UserWarning)
        fig.savefig(buffer, format=fmt, metadata={"Software": None} if fmt == "png" else {"Date": None}, **options)
    return buffer.getvalue()


def png(fig: Figure) -> bytes:
    """The figure as PNG bytes, cropped to its content. Letters the font lacks (CJK names) are boxes, silently."""
    return _save(fig, "png", dpi=110, bbox_inches="tight")


def slide_files(fig: Figure, stem: str) -> dict[str, bytes]:
    """``{stem}.png`` and ``{stem}.svg`` of a slide figure, at its full 16:9 size."""
    return {f"{stem}.png": _save(fig, "png", dpi=DPI), f"{stem}.svg": _save(fig, "svg")}


def slide(rows: int = 1, columns: int = 1, **options) -> tuple[Figure, np.ndarray]:
    """A 16:9 figure in the slide style and its axes (rows x columns)."""
    with matplotlib.rc_context(STYLE):
        fig = Figure(figsize=SLIDE, layout="constrained")
        axes = fig.subplots(rows, columns, squeeze=False, **options)
    return fig, axes


def format_axis(axis, metric: str) -> None:
    """Percentages for rates and shares, thousands separators for the rest."""
    if units.kind(metric) in ("rate", "share"):
        axis.set_major_formatter(PercentFormatter(1.0, decimals=None))
    else:
        axis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.0f}" if abs(x) >= 100 or x == 0 else f"{x:,.2g}"))


def legend_below(fig: Figure, axes, columns: int) -> None:
    """One legend for the figure, under the plots, where it covers no data."""
    handles, labels = axes.get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncol=max(1, min(columns, 5)), frameon=False)


def line_plot(frame: pd.DataFrame, metric: str, title: str, ylabel: str) -> Figure:
    """Mean over replications per firm and period, with its 95 % band when there are several."""
    with matplotlib.rc_context(STYLE):
        fig, axes = slide()
        ax = axes[0][0]
        firms = list(dict.fromkeys(frame["firm"]))
        for i, firm in enumerate(firms):
            rows = frame[frame["firm"] == firm]
            steps = np.sort(rows["step"].unique())
            figures = [interval(g[metric].to_numpy(), metric) for _, g in rows.groupby("step", sort=True)]
            mean = np.array([f["mean"] for f in figures])
            lo, hi = (np.array([f["ci95"][k] for f in figures]) for k in (0, 1))
            ax.plot(steps, mean, color=firm_colour(i), label=plain_text(firm))
            ax.fill_between(steps, lo, hi, color=firm_colour(i), alpha=0.18, linewidth=0)
        ax.set(title=title, xlabel="period", ylabel=ylabel)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        format_axis(ax.yaxis, metric)
        ax.grid(alpha=0.3)
        legend_below(fig, ax, len(firms))
    return fig


def satisfaction_mix(frame: pd.DataFrame) -> Figure:
    """Stacked shares of dissatisfied / satisfied / delighted served customers, one panel per firm."""
    firms = list(dict.fromkeys(frame["firm"]))
    with matplotlib.rc_context(STYLE):
        fig, axes = slide(1, len(firms), sharey=True)
        for ax, firm in zip(axes[0], firms, strict=True):
            rows = frame[frame["firm"] == firm].groupby("step")
            shares = [rows[f"share_{state}"].mean() for state in STATE_COLOURS]
            ax.stackplot(shares[0].index, *[s.to_numpy() for s in shares], colors=list(STATE_COLOURS.values()),
                         labels=list(STATE_COLOURS), alpha=0.9)
            ax.set(title=plain_text(firm), xlabel="period", ylim=(0, 1))
            ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
            format_axis(ax.yaxis, "share_satisfied")
        axes[0][0].set_ylabel("share of served customers")
        fig.suptitle("Satisfaction mix of served customers")
        legend_below(fig, axes[0][0], 3)
    return fig


def run_plots(frame: pd.DataFrame, currency: str = units.DEFAULT_CURRENCY,
              periods_per_year: int = 12) -> dict[str, bytes]:
    """File name -> bytes (PNG and SVG) for every plot of a run."""
    period = units.period_name(periods_per_year)
    figures = {
        "market_share": line_plot(frame, "market_share", "Market share (of all firms' revenue)", "market share"),
        "retention_rate": line_plot(frame, "retention_rate", f"Retention per {period}",
                                    f"customers kept per {period}"),
        "customer_equity": line_plot(frame, "customer_equity", f"Customer equity ({currency})", currency),
        "satisfaction_mix": satisfaction_mix(frame),
    }
    files: dict[str, bytes] = {}
    for stem, fig in figures.items():
        files.update(slide_files(fig, stem))
    return files
