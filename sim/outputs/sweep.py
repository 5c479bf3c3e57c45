"""Writing a sweep's output directory: design.json; the tables sweep (long: one row per
sample, replication and firm), sweep_summary and, for a Sobol design, sensitivity, each as CSV
and Parquet; sensitivity.json, response plots, report.html; and last the manifest results.json."""

from __future__ import annotations

import json
import math
from pathlib import Path

from ..runs.sweep import SweepResult, long_rows
from ..scenario import Scenario
from .files import atomic_write_bytes, atomic_write_text, remove_table, write_table
from .manifest import clear_manifest, write_manifest
from .plots import sweep_plots
from .sweep_report import sweep_html
from .sweep_tables import sample_summary, sobol_warning


def sensitivity_document(result: SweepResult, scenario: str, seed: int, replications: int) -> dict:
    """sensitivity.json: {firm: {metric: {parameter: {S1, S1_ci95, ST, ST_ci95}}}}, with a warning
    (or null) when the sample is too small for the indices (:func:`sobol_warning`)."""
    out: dict = {}
    for r in result.sensitivity.itertuples(index=False):
        def ci(value: float, half: float) -> list[float | None]:
            return [None, None] if math.isnan(value) else [value - half, value + half]

        out.setdefault(r.firm, {}).setdefault(r.metric, {})[r.parameter] = {
            "S1": None if math.isnan(r.S1) else r.S1, "S1_ci95": ci(r.S1, r.S1_conf),
            "ST": None if math.isnan(r.ST) else r.ST, "ST_ci95": ci(r.ST, r.ST_conf)}
    return {"scenario": scenario, "seed": seed, "replications": replications,
            "base_samples": result.design.base_samples, "points": len(result.design.points),
            "output": "mean over replications of the final-period customer equity and the whole-run "
                      "retention rate, for every firm",
            "warning": sobol_warning(result.sensitivity, result.design.base_samples), "indices": out}


def write_sweep_outputs(out_dir: str | Path, scenario: Scenario, seed: int, replications: int,
                        result: SweepResult) -> dict:
    """Write every output of a sweep; returns the manifest's document."""
    out_dir = Path(out_dir)
    clear_manifest(out_dir)
    parameters = result.design.parameters
    design = {"method": result.design.method, "parameters": parameters, "samples": len(result.design.points),
              "replications": replications, "seed": seed, "points": result.design.points}
    atomic_write_text(out_dir / "design.json", json.dumps(design, indent=2) + "\n")
    summary = sample_summary(result.rows, parameters, [f.name for f in scenario.firms])
    tables = {"sweep": write_table(out_dir, "sweep", long_rows(result)),
              "sweep_summary": write_table(out_dir, "sweep_summary", summary)}
    warning = sobol_warning(result.sensitivity, result.design.base_samples) if result.sensitivity is not None else None
    plots = sweep_plots(summary, parameters, [f.name for f in scenario.firms], scenario.run.currency,
                        result.sensitivity, warning)
    for stale in out_dir.glob("response_*"):  # plots of an earlier sweep's parameters
        stale.unlink()
    for name, data in plots.items():
        atomic_write_bytes(out_dir / name, data)
    atomic_write_text(out_dir / "report.html", sweep_html(scenario, seed, replications, summary, parameters, plots,
                                                          result.sensitivity, warning))
    if result.sensitivity is not None:
        tables["sensitivity"] = write_table(out_dir, "sensitivity", result.sensitivity)
        atomic_write_text(out_dir / "sensitivity.json", json.dumps(
            sensitivity_document(result, scenario.name, seed, replications), indent=2) + "\n")
    else:  # an earlier Sobol sweep's
        remove_table(out_dir, "sensitivity")
        for stale in ("sensitivity.json", "sobol_indices.png", "sobol_indices.svg"):
            (out_dir / stale).unlink(missing_ok=True)
    return write_manifest(out_dir, "sweep", scenario, seed, replications, tables,
                          design={"method": result.design.method, "parameters": parameters,
                                  "points": result.design.points, "base_samples": result.design.base_samples})
