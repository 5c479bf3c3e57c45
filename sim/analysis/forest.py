"""Forest plot of paired differences against the baseline arm: one row per
arm and firm, the mean difference with its 95 % confidence interval, one
panel per metric; an interval that crosses zero is no evidence of a difference."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure  # not pyplot: no GUI backend, and notebooks keep theirs
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..outputs.plots import plain_text, png

FOREST_METRICS = {"customer_equity": "customer equity, final period (CU)",
                  "retention_rate": "retention rate, whole run"}


def forest_plot(table: pd.DataFrame, baseline: str, metrics: dict[str, str] | None = None) -> bytes:
    """PNG of the differences (arm - ``baseline``) in ``table`` (see :func:`comparison_table`)."""
    metrics = metrics or FOREST_METRICS
    others = table[(table["arm"] != baseline) & table["diff"].notna()]
    labels = list(dict.fromkeys(zip(others["arm"], others["firm"], strict=True)))
    height = 1.2 + 0.35 * max(len(labels), 1)
    fig = Figure(figsize=(5.0 * len(metrics), height), layout="constrained")
    axes = fig.subplots(1, len(metrics), sharey=True, squeeze=False)
    for ax, (metric, unit) in zip(axes[0], metrics.items(), strict=True):
        rows = others[others["metric"] == metric].set_index(["arm", "firm"])
        for y, label in enumerate(labels):
            if label not in rows.index:
                continue
            r = rows.loc[label]
            significant = not (r["diff_ci_low"] <= 0 <= r["diff_ci_high"])
            colour = "#1f77b4" if significant else "#7f7f7f"
            ax.errorbar(r["diff"], y, xerr=[[r["diff"] - r["diff_ci_low"]], [r["diff_ci_high"] - r["diff"]]],
                        fmt="o", color=colour, capsize=3)
        ax.axvline(0.0, color="black", linewidth=0.8)
        ax.set(title=f"difference in\n{unit}", xlabel=f"arm - {plain_text(baseline)}")
        ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,.6g}"))
        ax.grid(axis="x", alpha=0.3)
    axes[0][0].set_yticks(range(len(labels)), [plain_text(f"{arm}: {firm}") for arm, firm in labels])
    axes[0][0].set_ylim(-0.6, max(len(labels), 1) - 0.4)
    axes[0][0].invert_yaxis()
    fig.suptitle(f"Paired differences against '{plain_text(baseline)}': mean and 95 % CI (blue: the CI excludes 0)")
    return png(fig)
