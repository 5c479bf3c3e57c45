"""``marketsim run``: seeded replications of one scenario, with outputs."""

from __future__ import annotations

import click
import pandas as pd

from ..outputs import write_run_outputs
from ..runs import RunTask, replication_seeds, run_tasks
from .common import load, plural, print_segment_leaders, print_summary, set_option, stderr, stdout, user_errors
from .execution import check_runnable, choose_engine, engine_options, execute, report_reuse, store_for
from .output import output_directory


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Output directory (default: out/<scenario name>).")
@click.option("--replications", "-r", type=click.IntRange(min=1), default=None,
              help="Replications (default: the scenario's run.replications).")
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Root seed (default: the scenario's run.seed).")
@click.option("--segments/--no-segments", default=True,
              help="Per-segment results: segments.csv and summary.json's \"segments\" (default: on; "
                   "they add about a fifth to a run's time).")
@engine_options
@set_option
@user_errors
def run(scenario, out_dir, replications, seed, segments, workers, scheduler, fresh, assignments):
    """Run SCENARIO's replications; write summary.json, timeseries.csv, segments.csv, plots and report.md."""
    spec = load(scenario, assignments)
    replications = replications or spec.run.replications
    seed = spec.run.seed if seed is None else seed
    engine = choose_engine(workers, scheduler, replications)
    check_runnable(spec, scenario, replications, engine, scheduler)
    out = output_directory(out_dir, spec.name)
    stderr.print(f"{spec.name}: {plural(replications, 'replication')} x {plural(spec.run.steps, 'period')}, "
                 f"{plural(spec.market.customers, 'customer')}, {plural(len(spec.firms), 'firm')}, seed {seed}")
    tasks = [RunTask(f"r{k}", spec, s, k) for k, s in enumerate(replication_seeds(seed, replications))]
    by_segment: dict[str, pd.DataFrame] | None = {} if segments else None
    frames, done = execute("replications", replications, lambda on_progress: run_tasks(
        tasks, engine, store_for(out), on_progress, reuse=not fresh, segments=by_segment))
    report_reuse(done, out)
    frame = pd.concat(list(frames.values()), ignore_index=True)
    segment_frame = pd.concat([by_segment[t.key] for t in tasks], ignore_index=True) if segments else None
    document = write_run_outputs(out, spec, seed, replications, frame, segment_frame)
    print_summary(document["firms"], f"{spec.name}: {plural(replications, 'replication')} x "
                  f"{plural(spec.run.steps, 'period')}", replications, spec.run.currency, spec.run.periods_per_year)
    if segments:
        print_segment_leaders(document["segments"], spec.run.currency, spec.run.periods_per_year)
    tables = "timeseries, per_replication, summary" + (", segments, customer_value" if segments else "")
    stdout.print(f"outputs in {out}/ (report.html, report.md, summary.json; tables {tables} as .csv and .parquet; "
                 "plots as PNG and SVG; results.json; runs/)")
