"""``marketsim run``: seeded replications of one scenario, with outputs."""

from __future__ import annotations

from pathlib import Path

import click

from ..outputs import safe_name, write_run_outputs
from ..runs import LocalEngine, run_replications
from ..runs.engine import default_workers
from .common import UserError, load, print_summary, progress, set_option, stderr, stdout, user_errors


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Output directory (default: out/<scenario name>).")
@click.option("--replications", "-r", type=click.IntRange(min=1), default=None,
              help="Replications (default: the scenario's run.replications).")
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Root seed (default: the scenario's run.seed).")
@click.option("--workers", "-w", type=click.IntRange(min=1), default=None,
              help="Processes to use (default: the number of cores).")
@set_option
@user_errors
def run(scenario, out_dir, replications, seed, workers, assignments):
    """Run SCENARIO's replications; write summary.json, timeseries.csv, plots and report.md."""
    spec = load(scenario, assignments)
    replications = replications or spec.run.replications
    seed = spec.run.seed if seed is None else seed
    out = Path(out_dir) if out_dir else Path("out") / safe_name(Path(scenario).stem)
    if out.exists() and not out.is_dir():
        raise UserError(f"--out {out}: exists and is not a directory")
    engine = LocalEngine(min(workers or default_workers(), replications))
    stderr.print(f"{spec.name}: {replications} replication(s) x {spec.run.steps} periods, "
                 f"{spec.market.customers} customers, {len(spec.firms)} firms, seed {seed}")
    with progress(replications, "replications") as bar:
        task = bar.add_task("run", total=replications)
        frame = run_replications(spec, replications, seed, engine, on_result=lambda i, _: bar.advance(task))
    summary = write_run_outputs(out, spec, seed, replications, frame)
    print_summary(summary, f"{spec.name}: final period / whole run, mean [95% CI]")
    stdout.print(f"outputs in {out}/ (report.md, summary.json, timeseries.csv, plots)")
