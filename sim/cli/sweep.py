"""``marketsim sweep``: run every sample of a scenario's ``sweep`` design;
write sweep.csv (one row per sample and replication), sweep_summary.csv (per
sample, firm and metric: mean and 95 % interval), design.json, response plots,
report.html and, for a Sobol design, sensitivity.csv, sensitivity.json and a
bar chart of the indices; print a table."""

from __future__ import annotations

import json
import math

import click
from rich.table import Table

from ..analysis.design import sweep_design
from ..outputs import units
from ..outputs.files import atomic_write_bytes, atomic_write_text
from ..outputs.plots import sweep_plots
from ..outputs.sweep_report import sweep_html
from ..outputs.sweep_tables import sample_summary, sample_table, sobol_warning
from ..runs.sweep import SweepResult, run_sweep, sample_scenarios
from ..scenario import ScenarioError
from .common import UserError, load, set_option, stderr, stdout, user_errors
from .execution import check_runnable, choose_engine, engine_options, execute, report_reuse, store_for
from .output import output_directory
from .tables import fitted_tables, print_tables

MAX_PRINTED_SAMPLES = 20


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


def sensitivity_table(result: SweepResult) -> Table:
    table = Table(title="Sobol indices (first-order S1, total ST, 95% CI)", title_justify="left")
    for name in ("firm", "metric", "parameter", "S1", "ST"):
        table.add_column(name, justify="right" if name in ("S1", "ST") else "left")
    for r in result.sensitivity.itertuples(index=False):
        table.add_row(r.firm, r.metric, r.parameter, f"{r.S1:.3f} ± {r.S1_conf:.3f}", f"{r.ST:.3f} ± {r.ST_conf:.3f}")
    return table


def print_samples(summary, parameters: list[str], firms: list[str], currency: str) -> None:
    """Each firm's customer equity and profit per sample (the first :data:`MAX_PRINTED_SAMPLES`)."""
    shown = summary[summary["sample"] < MAX_PRINTED_SAMPLES]
    header, rows = sample_table(shown, parameters, firms, currency)
    samples = summary["sample"].nunique()
    notes = [f"Swept: {', '.join(parameters)}. Each cell: the mean over the sample's replications and its 95 % "
             "interval; customer equity at the end, profit over the whole run. " + units.currency_note(currency)]
    if samples > MAX_PRINTED_SAMPLES:
        notes.append(f"First {MAX_PRINTED_SAMPLES} of {samples} samples; all are in sweep_summary.csv.")
    print_tables(stdout, fitted_tables(header, rows, stdout.width, keep=1 + len(parameters), heading=14,
                                       right=set(range(1, len(header))),
                                       title="Customer equity and profit per sample"), notes)


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Output directory (default: out/<scenario name>-sweep).")
@click.option("--replications", "-r", type=click.IntRange(min=1), default=None,
              help="Replications per sample (default: the scenario's run.replications).")
@click.option("--seed", type=click.IntRange(min=0), default=None,
              help="Root seed of the replications and the sampling (default: the scenario's run.seed).")
@engine_options
@set_option
@user_errors
def sweep(scenario, out_dir, replications, seed, workers, scheduler, fresh, assignments):
    """Run every sample of SCENARIO's [sweep] section; Sobol designs also get sensitivity indices."""
    spec = load(scenario, assignments)
    if spec.sweep is None:
        raise UserError(f"{scenario}: sweep: the scenario has no sweep section; give sweep.method and sweep.parameters")
    replications = replications or spec.run.replications
    seed = spec.run.seed if seed is None else seed
    try:
        design = sweep_design(spec.sweep, seed)
    except ValueError as err:
        raise ScenarioError(f"{scenario}: {err}") from None
    sample_scenarios(spec, design, scenario)  # a sample the format refuses stops the command before any file
    points = len(design.points)
    total = points * replications
    engine = choose_engine(workers, scheduler, total)
    check_runnable(spec, scenario, total, engine, scheduler)
    out = output_directory(out_dir, spec.name, "-sweep")
    stderr.print(f"{spec.name}: {spec.sweep.method} sweep of {len(spec.sweep.parameters)} parameter(s), "
                 f"{points} sample(s) x {replications} replication(s) x {spec.run.steps} periods, seed {seed}, "
                 f"on {engine!r}")
    result = execute("runs", total, lambda on_progress: run_sweep(
        spec, replications, seed, engine, store_for(out), on_progress, source=scenario, reuse=not fresh))
    report_reuse(result.progress, out)
    design = {"method": result.design.method, "parameters": result.design.parameters,
              "samples": len(result.design.points), "replications": replications, "seed": seed,
              "points": result.design.points}
    atomic_write_text(out / "design.json", json.dumps(design, indent=2) + "\n")
    atomic_write_text(out / "sweep.csv", result.rows.to_csv(index=False, lineterminator="\n"))
    firms = [f.name for f in spec.firms]
    summary = sample_summary(result.rows, result.design.parameters, firms)
    atomic_write_text(out / "sweep_summary.csv", summary.to_csv(index=False, lineterminator="\n"))
    written = ["design.json", "sweep.csv", "sweep_summary.csv"]
    warning = sobol_warning(result.sensitivity, result.design.base_samples) if result.sensitivity is not None else None
    plots = sweep_plots(summary, result.design.parameters, firms, spec.run.currency, result.sensitivity, warning)
    for stale in out.glob("response_*"):  # plots of an earlier sweep's parameters
        stale.unlink()
    for name, data in plots.items():
        atomic_write_bytes(out / name, data)
    atomic_write_text(out / "report.html", sweep_html(spec, seed, replications, summary, result.design.parameters,
                                                      plots, result.sensitivity, warning))
    written += ["report.html", "plots"]
    if result.sensitivity is not None:
        atomic_write_text(out / "sensitivity.csv", result.sensitivity.to_csv(index=False, lineterminator="\n"))
        atomic_write_text(out / "sensitivity.json", json.dumps(
            sensitivity_document(result, spec.name, seed, replications), indent=2) + "\n")
        written += ["sensitivity.csv", "sensitivity.json"]
        stdout.print(sensitivity_table(result))
        if warning:
            stderr.print(warning)
    else:
        for stale in ("sensitivity.csv", "sensitivity.json", "sobol_indices.png", "sobol_indices.svg"):  # an earlier Sobol sweep's
            (out / stale).unlink(missing_ok=True)
        print_samples(summary, result.design.parameters, firms, spec.run.currency)
    stdout.print(f"outputs in {out}/ ({', '.join(written)}, runs/)")
