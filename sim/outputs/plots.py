"""The plots a strategist looks at first: market share, retention and customer
equity over time (mean over replications with a 95 % band), and the mix of
dissatisfied, satisfied and delighted customers per firm."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pandas as pd
from matplotlib.figure import Figure  # not pyplot: no GUI backend, and notebooks keep theirs
from scipy import special

LINE_PLOTS = {
    "market_share": ("Market share (value)", "share of revenue"),
    "retention_rate": ("Retention rate per period", "retained / served"),
    "customer_equity": ("Customer equity", "CU"),
}


def plain_text(name: object) -> str:
    """A user's name as a label matplotlib prints as written ('$' would start mathematics)."""
    return str(name).replace("$", r"\$")


def png(fig) -> bytes:
    """The figure as PNG bytes. Letters the font lacks (CJK names) are drawn as boxes, silently."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from font", category=UserWarning)
        fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    return buffer.getvalue()


def line_plot(frame: pd.DataFrame, metric: str, title: str, unit: str) -> bytes:
    """Mean over replications per firm and step, with a 95 % t band when there are several."""
    fig = Figure(figsize=(7, 4))
    ax = fig.subplots()
    for firm, rows in frame.groupby("firm", sort=False):
        by_step = rows.groupby("step")[metric]
        mean, sd, n = by_step.mean(), by_step.std(ddof=1), by_step.count()
        line, = ax.plot(mean.index, mean.to_numpy(), label=plain_text(firm))
        if n.max() > 1:
            half = special.stdtrit(np.maximum(n - 1, 1), 0.975) * sd.fillna(0) / np.sqrt(n)  # t quantile x standard error
            ax.fill_between(mean.index, mean - half, mean + half, color=line.get_color(), alpha=0.2, linewidth=0)
    ax.set(title=title, xlabel="period", ylabel=unit)
    ax.grid(alpha=0.3)
    ax.legend(frameon=False)
    return png(fig)


def satisfaction_mix(frame: pd.DataFrame) -> bytes:
    """Stacked shares of dissatisfied / satisfied / delighted served customers, one panel per firm."""
    firms = list(dict.fromkeys(frame["firm"]))
    fig = Figure(figsize=(3.2 * len(firms) + 1, 3.6))
    axes = fig.subplots(1, len(firms), sharey=True, squeeze=False)
    colours = ("#d62728", "#7f7f7f", "#2ca02c")
    labels = ("dissatisfied", "satisfied", "delighted")
    for ax, firm in zip(axes[0], firms, strict=True):
        rows = frame[frame["firm"] == firm].groupby("step")
        shares = [rows[f"share_{name}"].mean() for name in labels]
        steps = shares[0].index
        ax.stackplot(steps, *[s.to_numpy() for s in shares], colors=colours, labels=labels, alpha=0.85)
        ax.set(title=plain_text(firm), xlabel="period", ylim=(0, 1))
    axes[0][0].set_ylabel("share of served customers")
    axes[0][-1].legend(loc="lower right", frameon=True, fontsize=8)
    fig.suptitle("Satisfaction mix")
    return png(fig)


def run_plots(frame: pd.DataFrame) -> dict[str, bytes]:
    """File name -> PNG bytes for every plot of a run."""
    plots = {f"{metric}.png": line_plot(frame, metric, *labels) for metric, labels in LINE_PLOTS.items()}
    plots["satisfaction_mix.png"] = satisfaction_mix(frame)
    return plots
