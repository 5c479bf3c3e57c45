"""Writing a run's output directory: summary.json, timeseries.csv, segments.csv, plots,
report.md and report.html.

Every file is written atomically; a file that exists is complete.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..runs.segments import SEGMENT_METRICS
from ..scenario import Scenario
from . import units
from .files import atomic_write_bytes, atomic_write_text
from .plots import run_plots
from .report import run_html, run_report
from .customer_value import customer_value_csv, final_markdown, final_table
from .segments import leaders, segments_csv, summarize_segments
from .segments import per_replication as segment_replications
from .summary import per_replication, summarize

INTERVALS = ("95 % confidence intervals over replications: Student t; for rates and shares (in [0, 1]) a t "
             "interval on the logit scale mapped back, so it stays inside (0, 1); retention_rate_annual is "
             "retention_rate ** periods_per_year, its interval's ends likewise")


def timeseries_csv(frame: pd.DataFrame) -> str:
    """The long-format time series (replication, step, firm, metrics) as CSV text."""
    out = frame.copy()
    for column in ("replication", "step"):
        out[column] = out[column].astype(int)
    return out.to_csv(index=False, lineterminator="\n")


def write_run_outputs(out_dir: str | Path, scenario: Scenario, seed: int, replications: int,
                      frame: pd.DataFrame, segments: pd.DataFrame | None = None) -> dict:
    """Write every output of a run; returns summary.json's document. With the per-segment frame
    (:mod:`sim.runs.segments`) it also writes segments.csv and summary.json's "segments"."""
    out_dir = Path(out_dir)
    run = scenario.run
    summary = summarize(frame, run.periods_per_year)
    metrics = [*next(iter(summary.values()), {}), *(SEGMENT_METRICS if segments is not None else ())]
    document = {"scenario": scenario.name, "seed": seed, "replications": replications,
                "steps": run.steps, "periods_per_year": run.periods_per_year, "currency": run.currency,
                "currency_note": units.currency_note(run.currency),
                "units": {m: units.unit_text(m, run.currency, run.periods_per_year) for m in dict.fromkeys(metrics)},
                "intervals": INTERVALS, "firms": summary}
    by_segment = None if segments is None else segment_replications(segments)
    if segments is not None:
        document["segments"] = summarize_segments(by_segment)
        document["segment_leaders"] = leaders(document["segments"])
        atomic_write_text(out_dir / "segments.csv", segments_csv(segments))
        atomic_write_text(out_dir / "customer_value.csv", customer_value_csv(segments, scenario))
    else:
        for name in ("segments.csv", "customer_value.csv"):  # from an earlier run into this directory
            (out_dir / name).unlink(missing_ok=True)
    atomic_write_text(out_dir / "timeseries.csv", timeseries_csv(frame))
    atomic_write_text(out_dir / "summary.json", json.dumps(document, indent=2) + "\n")
    plots = run_plots(frame, run.currency, run.periods_per_year) if not frame.empty else {}
    for name, data in plots.items():
        atomic_write_bytes(out_dir / name, data)
    pngs = [p for p in plots if p.endswith(".png")]
    report = run_report(scenario.name, scenario.description, seed, replications, run.steps, summary, pngs,
                        run.currency, run.periods_per_year)
    if segments is not None:
        report += "\n" + final_markdown(segments, scenario)
    atomic_write_text(out_dir / "report.md", report)
    atomic_write_text(out_dir / "report.html", run_html(scenario, seed, replications, document, per_replication(frame),
                                                        by_segment, plots,
                                                        final_table(segments, scenario) if segments is not None else None))
    return document
