"""Writing a run's output directory: summary.json; the tables timeseries, segments,
customer_value, per_replication and summary, each as CSV and Parquet; plots, report.md,
report.html; and last the manifest results.json.

Every file is written atomically; a file that exists is complete.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..runs.segments import SEGMENT_METRICS
from ..scenario import Scenario
from . import units
from .customer_value import customer_value_long, final_markdown, final_table
from .files import atomic_write_bytes, atomic_write_text, remove_table, write_table
from .manifest import clear_manifest, write_manifest
from .plots import run_plots
from .report import run_html, run_report
from .segments import leaders, segments_table, summarize_segments
from .segments import per_replication as segment_replications
from .summary import long_summary, per_replication, summarize

INTERVALS = ("95 % confidence intervals over replications: Student t; for rates and shares (in [0, 1]) a t "
             "interval on the logit scale mapped back, so it stays inside (0, 1); retention_rate_annual is "
             "retention_rate ** periods_per_year, its interval's ends likewise")


def timeseries_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The long-format time series: replication, step, firm, metrics."""
    out = frame.copy()
    for column in ("replication", "step"):
        out[column] = out[column].astype(int)
    return out


def write_run_outputs(out_dir: str | Path, scenario: Scenario, seed: int, replications: int,
                      frame: pd.DataFrame, segments: pd.DataFrame | None = None,
                      strategies: dict[str, str] | None = None) -> dict:
    """Write every output of a run; returns summary.json's document. With the per-segment frame
    (:mod:`sim.runs.segments`) it also writes the segments and customer_value tables and
    summary.json's "segments"; ``strategies`` (firm -> description of a researcher's own
    strategy object) go into the manifest."""
    out_dir = Path(out_dir)
    clear_manifest(out_dir)
    run = scenario.run
    summary = summarize(frame, run.periods_per_year)
    metrics = [*next(iter(summary.values()), {}), *(SEGMENT_METRICS if segments is not None else ())]
    document = {"scenario": scenario.name, "seed": seed, "replications": replications,
                "steps": run.steps, "periods_per_year": run.periods_per_year, "currency": run.currency,
                "currency_note": units.currency_note(run.currency),
                "units": {m: units.unit_text(m, run.currency, run.periods_per_year) for m in dict.fromkeys(metrics)},
                "intervals": INTERVALS, "firms": summary}
    by_segment = None if segments is None else segment_replications(segments)
    replication_table = per_replication(frame)
    tables = {"timeseries": write_table(out_dir, "timeseries", timeseries_table(frame)),
              "per_replication": write_table(out_dir, "per_replication", replication_table),
              "summary": write_table(out_dir, "summary", long_summary(summary))}
    if segments is not None:
        document["segments"] = summarize_segments(by_segment)
        document["segment_leaders"] = leaders(document["segments"])
        tables["segments"] = write_table(out_dir, "segments", segments_table(segments))
        tables["customer_value"] = write_table(out_dir, "customer_value", customer_value_long(segments, scenario))
    else:
        for stem in ("segments", "customer_value"):  # from an earlier run into this directory
            remove_table(out_dir, stem)
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
    atomic_write_text(out_dir / "report.html", run_html(scenario, seed, replications, document, replication_table,
                                                        by_segment, plots,
                                                        final_table(segments, scenario) if segments is not None else None))
    extra = {"strategies": strategies} if strategies else {}
    write_manifest(out_dir, "run", scenario, seed, replications, tables, **extra)
    return document
