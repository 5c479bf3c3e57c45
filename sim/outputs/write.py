"""Writing a run's output directory: summary.json, timeseries.csv, plots, report.md.

Every file is written atomically; a file that exists is complete.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..scenario import Scenario
from .files import atomic_write_bytes, atomic_write_text
from .plots import run_plots
from .report import run_report
from .summary import summarize


def timeseries_csv(frame: pd.DataFrame) -> str:
    """The long-format time series (replication, step, firm, metrics) as CSV text."""
    out = frame.copy()
    for column in ("replication", "step"):
        out[column] = out[column].astype(int)
    return out.to_csv(index=False, lineterminator="\n")


def write_run_outputs(out_dir: str | Path, scenario: Scenario, seed: int, replications: int,
                      frame: pd.DataFrame) -> dict:
    """Write every output of a run; returns the summary."""
    out_dir = Path(out_dir)
    summary = summarize(frame)
    document = {"scenario": scenario.name, "seed": seed, "replications": replications,
                "steps": scenario.run.steps, "firms": summary}
    atomic_write_text(out_dir / "timeseries.csv", timeseries_csv(frame))
    atomic_write_text(out_dir / "summary.json", json.dumps(document, indent=2) + "\n")
    plots = run_plots(frame) if not frame.empty else {}
    for name, png in plots.items():
        atomic_write_bytes(out_dir / name, png)
    atomic_write_text(out_dir / "report.md", run_report(scenario.name, scenario.description, seed, replications,
                                                        scenario.run.steps, summary, list(plots)))
    return summary
