"""A short human-readable report of a run (Markdown, embedding the plots)."""

from __future__ import annotations

from .summary import SUMMARY_METRICS

REPORT_METRICS = ("retention_rate", "customer_equity", "market_share", "share_of_customer", "mean_satisfaction", "profit")


def _fmt(x: float) -> str:
    return f"{x:,.3f}" if abs(x) < 10 else f"{x:,.0f}"


def summary_rows(summary: dict, metrics=REPORT_METRICS) -> list[list[str]]:
    """Table rows: firm, then 'mean [lo, hi]' per metric."""
    rows = []
    for firm, values in summary.items():
        cells = [firm]
        for m in metrics:
            v = values[m]
            lo, hi = v["ci95"]
            cells.append(f"{_fmt(v['mean'])} [{_fmt(lo)}, {_fmt(hi)}]")
        rows.append(cells)
    return rows


def run_report(name: str, description: str, seed: int, replications: int, steps: int,
               summary: dict, plots: list[str]) -> str:
    lines = [f"# {name}", ""]
    if description:
        lines += [description.strip(), ""]
    lines += [f"{replications} replication(s) of {steps} periods, root seed {seed}. "
              "Each cell is the mean over replications with its 95 % confidence interval.", ""]
    header = ["firm", *REPORT_METRICS]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    lines += ["| " + " | ".join(row) + " |" for row in summary_rows(summary)]
    lines += ["", "How each figure is read: " + "; ".join(f"{m}: {SUMMARY_METRICS[m]}" for m in REPORT_METRICS) + ".", ""]
    lines += [f"![{p.removesuffix('.png')}]({p})" for p in plots]
    lines += ["", "Files: `summary.json` (every summary metric), `timeseries.csv` (per replication, period and firm)."]
    return "\n".join(lines) + "\n"
