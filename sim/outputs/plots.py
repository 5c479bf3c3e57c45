"""Slide-ready plots of a run, a sweep and a Sobol analysis.

Every plot is 16:9 (13.33 x 7.5 inches, a widescreen slide; 1280 x 720 px as
PNG) with fonts readable from the back of a room, thousands separators,
percentages for rates and shares, the legend outside the data, and the
dashboard's colours (:mod:`sim.viz.colours`). Each is written as PNG and SVG.

Run plots: market share, retention and customer equity over time (mean over
replications with its 95 % band, the intervals of :mod:`sim.outputs.summary`),
and the mix of dissatisfied, satisfied and delighted customers per firm.
Sweep plots: each firm's customer equity and profit against each swept
parameter, with intervals; and the Sobol indices, with a warning when the
sample is too small for them.
"""

from __future__ import annotations

import io
import textwrap
import warnings

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure  # not pyplot: no GUI backend, and notebooks keep theirs
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from ..viz.colours import STATE_COLOURS, firm_colour
from . import units
from .files import safe_name
from .summary import interval
from .sweep_tables import parameter_heading

SLIDE = (40 / 3, 7.5)  # inches: a 16:9 slide (13.33 x 7.5)
DPI = 96  # 1280 x 720 px
STYLE = {"font.size": 17, "axes.titlesize": 24, "axes.titleweight": "bold", "axes.labelsize": 19,
         "xtick.labelsize": 16, "ytick.labelsize": 16, "legend.fontsize": 17, "figure.titlesize": 24,
         "figure.titleweight": "bold", "axes.spines.top": False, "axes.spines.right": False, "lines.linewidth": 3,
         "svg.hashsalt": "marketsim", "svg.fonttype": "path"}


def plain_text(name: object) -> str:
    """A user's name as a label matplotlib prints as written ('$' would start mathematics)."""
    return str(name).replace("$", r"\$")


def wrapped(title: str, width: int = 60) -> str:
    """A title in lines of at most ``width`` characters, so that it fits across a slide."""
    return textwrap.fill(plain_text(title), width)


def _save(fig: Figure, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings(), matplotlib.rc_context(STYLE):
        warnings.filterwarnings("ignore", message="Glyph .* missing from font", category=UserWarning)
        fig.savefig(buffer, format=fmt, metadata={"Software": None} if fmt == "png" else {"Date": None}, **options)
    return buffer.getvalue()


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
    """Percentages for rates and shares; for the rest thousands separators, or millions ('-4.5M')
    on an axis that reaches a million, so that the tick labels stay apart."""
    if units.kind(metric) in ("rate", "share"):
        axis.set_major_formatter(PercentFormatter(1.0, decimals=None))
        return

    def tick(x: float, _) -> str:
        if max(abs(v) for v in axis.get_view_interval()) >= 1e6:
            return f"{x / 1e6:,.3g}M" if x else "0"
        return f"{x:,.0f}" if abs(x) >= 100 or x == 0 else f"{x:,.2g}"

    axis.set_major_formatter(FuncFormatter(tick))


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
        ax.set(title=wrapped(title), xlabel="period", ylabel=ylabel)
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


def run_figures(frame: pd.DataFrame, currency: str = units.DEFAULT_CURRENCY,
                periods_per_year: int = 12) -> dict[str, Figure]:
    """Every plot of a run's report, by name."""
    period = units.period_name(periods_per_year)
    return {
        "market_share": line_plot(frame, "market_share", "Market share (of all firms' revenue)", "market share"),
        "retention_rate": line_plot(frame, "retention_rate", f"Retention per {period}",
                                    f"customers kept per {period}"),
        "customer_equity": line_plot(frame, "customer_equity", f"Customer equity ({currency})", currency),
        "satisfaction_mix": satisfaction_mix(frame),
    }


def run_plots(frame: pd.DataFrame, currency: str = units.DEFAULT_CURRENCY,
              periods_per_year: int = 12) -> dict[str, bytes]:
    """File name -> bytes (PNG and SVG) for every plot of a run."""
    files: dict[str, bytes] = {}
    for stem, fig in run_figures(frame, currency, periods_per_year).items():
        files.update(slide_files(fig, stem))
    return files


def _positions(values: pd.Series) -> tuple[np.ndarray, list[str] | None]:
    """x positions of a swept parameter's values: the numbers themselves, or 0, 1, ... for labels."""
    numeric = pd.to_numeric(values, errors="coerce")
    if numeric.notna().all() and not values.map(lambda v: isinstance(v, bool)).any():
        return numeric.to_numpy(dtype=float), None
    labels = list(dict.fromkeys(values.astype(str)))
    return values.astype(str).map(labels.index).to_numpy(dtype=float), labels


def sweep_plot(summary: pd.DataFrame, parameter: str, firms: list[str], currency: str = units.DEFAULT_CURRENCY,
               metrics=("customer_equity", "profit"), connect: bool = True) -> Figure:
    """Each firm's mean and 95 % interval of ``metrics`` (one panel each) against one swept
    parameter; ``summary`` is :func:`sim.outputs.sweep_tables.sample_summary`. Points are
    joined when ``connect`` (the parameter is the only one swept)."""
    with matplotlib.rc_context(STYLE):
        fig, axes = slide(1, len(metrics))
        for ax, metric in zip(axes[0], metrics, strict=True):
            for i, firm in enumerate(firms):
                rows = summary[(summary["firm"] == firm) & (summary["metric"] == metric)]
                x, labels = _positions(rows[parameter])
                order = np.argsort(x, kind="stable")
                x, mean = x[order], rows["mean"].to_numpy()[order]
                err = np.vstack([mean - rows["ci_low"].to_numpy()[order], rows["ci_high"].to_numpy()[order] - mean])
                ax.errorbar(x, mean, yerr=err, color=firm_colour(i), label=plain_text(firm), marker="o",
                            markersize=8, capsize=6, linestyle="-" if connect else "none", elinewidth=2)
                if labels:
                    ax.set_xticks(range(len(labels)), [plain_text(v) for v in labels])
            ax.axhline(0.0, color="black", linewidth=1)
            ax.set(title=f"{units.name(metric).capitalize()} ({currency})", xlabel=plain_text(parameter_heading(parameter)))
            format_axis(ax.yaxis, metric)
            if not labels:
                format_axis(ax.xaxis, parameter)
            ax.grid(alpha=0.3)
        fig.suptitle(wrapped(f"Response to {parameter_heading(parameter)} (mean and 95 % interval)"))
        legend_below(fig, axes[0][0], len(firms))
    return fig


SOBOL_RANGE = (-0.25, 1.25)


def sobol_plot(sensitivity: pd.DataFrame, warning: str | None) -> Figure:
    """First-order (S1) and total (ST) Sobol indices with their 95 % intervals, one panel per
    firm and output; a red warning under the title when the sample is too small for them."""
    panels = list(dict.fromkeys(zip(sensitivity["metric"], sensitivity["firm"], strict=True)))
    parameters = list(dict.fromkeys(sensitivity["parameter"]))
    columns = min(len(panels), 3)
    with matplotlib.rc_context(STYLE):
        fig, axes = slide(-(-len(panels) // columns), columns, sharey=True)
        for ax in axes.flat[len(panels):]:
            ax.set_visible(False)
        for ax, (metric, firm) in zip(axes.flat, panels, strict=False):
            rows = sensitivity[(sensitivity["metric"] == metric) & (sensitivity["firm"] == firm)].set_index("parameter")
            x = np.arange(len(parameters))
            for offset, index, colour in ((-0.2, "S1", "#1f77b4"), (0.2, "ST", "#ff7f0e")):
                ax.bar(x + offset, rows.loc[parameters, index], width=0.4, yerr=rows.loc[parameters, f"{index}_conf"],
                       color=colour, capsize=5, label=index)
            ax.set_xticks(x, [textwrap.fill(plain_text(p.split(".")[-1]).replace("_", " "), 12) for p in parameters])
            ax.set_title(f"{plain_text(firm)}: {units.name(metric)}", fontsize=18)
            ax.axhline(0.0, color="black", linewidth=1)
            ax.set_ylim(*SOBOL_RANGE)  # a share of variance lies in [0, 1]; wider intervals run off the panel
            ax.grid(axis="y", alpha=0.3)
        fig.suptitle("Sobol indices: first-order S1 and total ST, 95 % interval")
        if warning:
            fig.supxlabel("Sample too small: intervals this wide do not apportion the variance (see the report)",
                          color="#c0392b", fontsize=17, fontweight="bold")
        fig.legend(*axes.flat[0].get_legend_handles_labels(), loc="outside right upper", frameon=False)
    return fig


def sweep_plots(summary: pd.DataFrame, parameters: list[str], firms: list[str], currency: str,
                sensitivity: pd.DataFrame | None = None, warning: str | None = None) -> dict[str, bytes]:
    """File name -> bytes (PNG and SVG): one response plot per swept parameter, and the Sobol chart."""
    files: dict[str, bytes] = {}
    for n, parameter in enumerate(parameters):
        fig = sweep_plot(summary, parameter, firms, currency, connect=len(parameters) == 1)
        files.update(slide_files(fig, f"response_{n + 1}_{safe_name(parameter)}"))
    if sensitivity is not None and not sensitivity.dropna(subset=["S1", "ST"]).empty:
        files.update(slide_files(sobol_plot(sensitivity, warning), "sobol_indices"))
    return files


def calibration_plot(report: dict, period: str = "period") -> Figure:
    """Observed survival of a cohort against the calibrated simulation (its fit on the observed
    periods, and its projection with a 95 % interval for a cohort of the observed size) and the
    shifted-beta-geometric fit; ``report`` is :func:`sim.calibration.summary`'s account."""
    observed, projection = report["observed"], report["projection"]
    simulation = projection["simulation"]
    with matplotlib.rc_context(STYLE):
        fig, axes = slide()
        ax = axes[0][0]
        ax.fill_between(projection["t"], simulation["low"], simulation["high"], color=firm_colour(0), alpha=0.18,
                        linewidth=0, label="simulation, 95 % interval for the cohort")
        ax.plot(projection["t"], simulation["mean"], color=firm_colour(0), label="simulation (calibrated)")
        ax.plot(projection["t"], projection["sbg"], color=firm_colour(1), linestyle="--", label="shifted beta-geometric")
        ax.plot(observed["t"], observed["survival"], "o", color="black", markersize=10, label="observed")
        ax.axvline(observed["t"][-1], color="grey", linewidth=1, linestyle=":")
        ax.set(title="Cohort survival: observed, fitted and projected", xlabel=period, ylabel="share still a customer",
               ylim=(0, 1.02))
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        format_axis(ax.yaxis, "share_of_customer")
        ax.grid(alpha=0.3)
        legend_below(fig, ax, 2)
    return fig
