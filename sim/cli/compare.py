"""``marketsim compare``: run the arms of a scenario's ``compare`` section with
common random numbers; write the comparison's outputs (:mod:`sim.outputs.comparison`:
comparison.json, the comparison, timeseries and per_replication tables, a forest plot of the
differences against the first (baseline) arm, report.html); print the focus firm's results
per arm and a ranking of the other arms against the baseline."""

from __future__ import annotations

import click

from ..outputs import units
from ..outputs.comparison import focus_firm, write_comparison_outputs
from ..outputs.comparison_tables import SIGNIFICANCE, level_table, ranking_table
from ..runs.comparison import Comparison, arm_scenarios, run_comparison
from .common import UserError, load, set_option, stderr, stdout, user_errors
from .execution import check_runnable, choose_engine, engine_options, execute, report_reuse, store_for
from .output import output_directory
from .tables import fitted_tables, print_tables


def print_ranking(comparison: Comparison, firm: str, currency: str, periods_per_year: int) -> None:
    """The focus firm's level in every arm, then the arms other than the baseline ranked by its
    customer equity, with the paired differences against the baseline."""
    base = comparison.baseline
    header, rows = level_table(comparison.table, base, firm, currency, periods_per_year)
    tables = fitted_tables(header, rows, stdout.width, title=f"{firm}'s results per arm (mean, 95 % interval)")
    header, rows = ranking_table(comparison.table, base, firm, currency, periods_per_year)
    tables += fitted_tables(header, rows, stdout.width, keep=2, right={0, 2, 3, 4}, heading=12,
                            title=f"Arms ranked by {firm}'s customer equity against the baseline '{base}'")
    print_tables(stdout, tables, [
        f"Differences are paired (common random numbers): arm minus '{base}', mean over replications, "
        f"95 % t interval, paired t-test p (* below {SIGNIFICANCE}); pp = percentage points. "
        f"Ranked firm: {firm} (choose with --firm). " + units.currency_note(currency)])


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Output directory (default: out/<scenario name>-compare).")
@click.option("--replications", "-r", type=click.IntRange(min=1), default=None,
              help="Replications per arm (default: the scenario's run.replications).")
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Root seed (default: the scenario's run.seed).")
@click.option("--firm", default=None, help="Firm whose results rank the arms (default: the firm the arms change).")
@engine_options
@set_option
@user_errors
def compare(scenario, out_dir, replications, seed, firm, workers, scheduler, fresh, assignments):
    """Compare the arms of SCENARIO's [compare] section with common random numbers."""
    spec = load(scenario, assignments)
    if spec.compare is None:
        raise UserError(f"{scenario}: compare: the scenario has no compare section; list its arms as "
                        "compare.arms = [{ name = ..., set = { PATH = VALUE } }, ...]")
    replications = replications or spec.run.replications
    seed = spec.run.seed if seed is None else seed
    arms = len(spec.compare.arms)
    total = arms * replications
    engine = choose_engine(workers, scheduler, total)
    check_runnable(spec, scenario, total, engine, scheduler)
    arm_scenarios(spec, scenario)  # a mistake in an arm is refused before the output directory is made
    out = output_directory(out_dir, spec.name, "-compare")
    stderr.print(f"{spec.name}: {arms} arm(s) x {replications} replication(s) x {spec.run.steps} periods, "
                 f"seed {seed}, on {engine!r}")
    result = execute("runs", total, lambda on_progress: run_comparison(
        spec, replications, seed, engine, store_for(out), on_progress, source=scenario, reuse=not fresh))
    report_reuse(result.progress, out)
    try:
        focus = focus_firm(result, [f.name for f in spec.firms], firm)
    except ValueError as err:
        raise UserError(str(err)) from None
    write_comparison_outputs(out, spec, seed, replications, result, focus)
    print_ranking(result, focus, spec.run.currency, spec.run.periods_per_year)
    stdout.print(f"outputs in {out}/ (report.html, comparison.json; tables comparison, timeseries and "
                 "per_replication as .csv and .parquet; comparison_forest.png and .svg; results.json; runs/)")

