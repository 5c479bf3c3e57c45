"""Writing a calibration's output directory: calibration.json, the curves table (curves.csv
and curves.parquet), the plot of observed, fitted and projected survival, and last the
manifest results.json."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..scenario import Scenario
from . import units
from .files import atomic_write_bytes, atomic_write_text, write_table
from .manifest import clear_manifest, write_manifest
from .plots import calibration_plot, slide_files


def curves_table(report: dict) -> pd.DataFrame:
    """Per period t, the share of the cohort still a customer: observed, fitted (the calibrated
    simulation on the fitting seeds), projected (its mean over cohorts of the observed size) with
    its 95 % interval, and the sBG model's; empty where a curve ends."""
    projection = report["projection"]
    simulation = projection["simulation"]
    curves = {"observed": report["observed"]["survival"], "fitted": report["fit"]["survival"],
              "projected": simulation["mean"], "projected_low": simulation["low"],
              "projected_high": simulation["high"], "sbg": projection["sbg"]}
    table = pd.DataFrame({name: pd.Series(values, dtype=float) for name, values in curves.items()})
    table.insert(0, "t", table.index)
    return table


def write_calibration_outputs(out_dir: str | Path, scenario: Scenario, seed: int, replications: int,
                              report: dict) -> None:
    """Write every output of a calibration of ``scenario`` (``report``: calibration.json's document)."""
    out_dir = Path(out_dir)
    clear_manifest(out_dir)
    atomic_write_text(out_dir / "calibration.json", json.dumps(report, indent=2) + "\n")
    tables = {"curves": write_table(out_dir, "curves", curves_table(report))}
    plot = calibration_plot(report, units.period_name(scenario.run.periods_per_year))
    for name, data in slide_files(plot, "calibration").items():
        atomic_write_bytes(out_dir / name, data)
    write_manifest(out_dir, "calibrate", scenario, seed, replications, tables)
