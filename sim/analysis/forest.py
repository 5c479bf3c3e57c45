"""Forest plot of paired differences against the baseline arm: one row per
arm and firm, the mean difference with its 95 % confidence interval, one
panel per metric; an interval that crosses zero is no evidence of a difference.
Drawn as a 16:9 slide (:mod:`sim.outputs.plots`)."""

from __future__ import annotations

import matplotlib
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..outputs.plots import STYLE, format_axis, plain_text, slide, wrapped
from ..outputs.units import kind

FOREST_METRICS = {"customer_equity": "customer equity at the end, CU",
                  "retention_rate": "retention per period, pp"}
SIGNIFICANT, NOT_SIGNIFICANT = "#1f77b4", "#7f7f7f"


def forest_figure(table: pd.DataFrame, baseline: str, metrics: dict[str, str] | None = None) -> Figure:
    """The differences (arm - ``baseline``) in ``table`` (see :func:`comparison_table`)."""
    metrics = metrics or FOREST_METRICS
    others = table[(table["arm"] != baseline) & table["diff"].notna()]
    labels = list(dict.fromkeys(zip(others["arm"], others["firm"], strict=True)))
    with matplotlib.rc_context(STYLE):
        fig, axes = slide(1, len(metrics), sharey=True)
        for ax, (metric, unit) in zip(axes[0], metrics.items(), strict=True):
            rows = others[others["metric"] == metric].set_index(["arm", "firm"])
            for y, label in enumerate(labels):
                if label not in rows.index:
                    continue
                r = rows.loc[label]
                significant = not (r["diff_ci_low"] <= 0 <= r["diff_ci_high"])
                ax.errorbar(r["diff"], y, xerr=[[r["diff"] - r["diff_ci_low"]], [r["diff_ci_high"] - r["diff"]]],
                            fmt="o", markersize=10, elinewidth=3, capsize=6,
                            color=SIGNIFICANT if significant else NOT_SIGNIFICANT)
            ax.axvline(0.0, color="black", linewidth=1)
            ax.set_title(wrapped(f"Δ {unit}", 26), fontsize=20)
            ax.set_xlabel(f"arm - {plain_text(baseline)}")
            ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
            if kind(metric) in ("rate", "share"):  # differences of rates in percentage points
                ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{100 * x:+.1f}" if x else "0"))
            else:
                format_axis(ax.xaxis, metric)
            ax.grid(axis="x", alpha=0.3)
        axes[0][0].set_yticks(range(len(labels)), [plain_text(f"{arm}: {firm}") for arm, firm in labels])
        axes[0][0].set_ylim(-0.6, max(len(labels), 1) - 0.4)
        axes[0][0].invert_yaxis()
        fig.suptitle(wrapped(f"Paired differences against '{baseline}': mean and 95 % interval "
                             "(blue: the interval excludes 0)", 70))
    return fig

