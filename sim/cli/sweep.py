"""``marketsim sweep``: run every sample of a scenario's ``sweep`` design; write the
sweep's outputs (:mod:`sim.outputs.sweep`: design.json, sweep.csv with one row per sample,
replication and firm, sweep_summary.csv with each firm's mean and 95 % interval per sample and
metric, response plots, report.html and, for a Sobol design, sensitivity.csv, sensitivity.json
and a bar chart of the indices); print a table."""

from __future__ import annotations

import click
from rich.table import Table

from ..analysis.design import sweep_design
from ..outputs import units
from ..outputs.sweep import write_sweep_outputs
from ..outputs.sweep_tables import sample_summary, sample_table, sobol_warning
from ..runs.sweep import SweepResult, run_sweep, sample_scenarios
from ..scenario import ScenarioError
from .common import UserError, load, set_option, stderr, stdout, user_errors
from .execution import check_runnable, choose_engine, engine_options, execute, report_reuse, store_for
from .output import output_directory
from .tables import fitted_tables, print_tables

MAX_PRINTED_SAMPLES = 20


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
    write_sweep_outputs(out, spec, seed, replications, result)
    written = ["design.json", "sweep and sweep_summary as .csv and .parquet", "report.html", "plots"]
    if result.sensitivity is not None:
        written += ["sensitivity as .csv, .parquet and .json"]
        stdout.print(sensitivity_table(result))
        warning = sobol_warning(result.sensitivity, result.design.base_samples)
        if warning:
            stderr.print(warning)
    else:
        firms = [f.name for f in spec.firms]
        print_samples(sample_summary(result.rows, result.design.parameters, firms), result.design.parameters,
                      firms, spec.run.currency)
    stdout.print(f"outputs in {out}/ ({', '.join(written)}, results.json, runs/)")
