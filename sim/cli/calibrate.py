"""``marketsim calibrate``: fit scenario parameters to an observed retention curve; write
calibration.json, the curves table and a plot of observed, fitted and projected survival
(:mod:`sim.outputs.calibration`); print them per period."""

from __future__ import annotations

import contextlib
import math
import re
from pathlib import Path

import click
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from ..calibration import (METHODS, PROJECTIONS, calibrate as fit, document, observed_survival, runs_at_once,
                           with_parameters)
from ..outputs.calibration import write_calibration_outputs
from ..scenario.limits import check_memory
from .common import UserError, load, prepare_kernels, set_option, stderr, stdout, user_errors
from .execution import choose_engine, where_options
from .output import output_directory
from .tables import fitted_tables, print_tables

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def parse_observed(text: str) -> list[float]:
    """Counts (or shares) alive at t = 0, 1, ...: comma-separated numbers, or a file of them: one
    line of comma-separated numbers, or one line per period whose last column is the count (a
    CSV such as ``year,alive``; a header line is skipped)."""
    path = Path(text)
    source = f"--observed {text}"
    if path.is_file():
        try:
            lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        except (OSError, UnicodeDecodeError) as err:
            raise UserError(f"{source}: cannot read the file ({err})") from None
        source = f"{path}"
        if lines and not any(_NUMBER.fullmatch(c.strip()) for c in lines[0].split(",")):
            lines = lines[1:]  # a header
        if len(lines) == 1:
            cells = [c.strip() for c in lines[0].split(",") if c.strip()]
        else:
            cells = [line.split(",")[-1].strip() for line in lines]
    else:
        cells = [c.strip() for c in text.split(",") if c.strip()]
    values = []
    for cell in cells:
        if not _NUMBER.fullmatch(cell):
            raise UserError(f"{source}: {cell!r} is not a number; expected counts alive at t = 0, 1, 2, ...")
        values.append(float(cell))
    return values


def parse_parameter(text: str) -> tuple[str, tuple[float, float]]:
    """``PATH=LOW:HIGH`` -> (path, (low, high))."""
    path, sep, bounds = text.partition("=")
    low, colon, high = bounds.partition(":")
    try:
        values = (float(low), float(high))
    except ValueError:
        values = None
    if not (sep and colon and path.strip() and values and all(map(math.isfinite, values))
            and values[0] < values[1]):
        raise UserError(f"--param {text!r}: expected PATH=LOW:HIGH with LOW < HIGH, "
                        "for example market.segments[0].base_defection=0.01:0.5")
    return path.strip(), values


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--observed", required=True, metavar="N0,N1,...|FILE",
              help="Customers of the cohort still active at t = 0, 1, 2, ... (counts or shares), or a file of them.")
@click.option("--param", "params", multiple=True, required=True, metavar="PATH=LOW:HIGH",
              help="A scenario value to fit, within bounds (repeatable); PATH[k] for an element of a pair, "
                   "e.g. market.segments[0].base_defection_beta[0]=0.05:20.")
@click.option("--firm", default=None, help="The firm whose starting customers are the cohort (default: the first).")
@click.option("--project-to", type=click.IntRange(min=1, max=10_000), default=None,
              help="Project survival to this period (default: the scenario's run.steps).")
@click.option("--method", type=click.Choice(METHODS), default="nelder-mead",
              show_default=True, help="SciPy optimiser.")
@click.option("--max-evaluations", type=click.IntRange(min=5), default=200, show_default=True,
              help="Budget of simulated curves for the search.")
@click.option("--replications", "-r", type=click.IntRange(min=1), default=2, show_default=True,
              help="Seeded runs pooled into one simulated curve while fitting.")
@click.option("--projections", type=click.IntRange(min=2), default=PROJECTIONS, show_default=True,
              help="Replications of an observed-size cohort for the projection interval.")
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Root seed (default: the scenario's run.seed).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Output directory for calibration.json (default: out/<scenario name>-calibration).")
@where_options
@set_option
@user_errors
def calibrate(scenario, observed, params, firm, project_to, method, max_evaluations, replications, projections,
              seed, out_dir, workers, scheduler, assignments):
    """Fit parameters of SCENARIO so its cohort retention matches an observed curve; project it.

    The search is sequential; each evaluation's runs (a differential-evolution generation's) and
    the projection's are computed side by side on --workers processes or a Dask cluster."""
    spec = load(scenario, assignments)
    counts = parse_observed(observed)
    bounds = dict(parse_parameter(p) for p in params)
    seed = spec.run.seed if seed is None else seed
    steps = project_to or spec.run.steps
    if firm is not None and firm not in [f.name for f in spec.firms]:
        raise UserError(f"--firm {firm!r}: no such firm; firms are {[f.name for f in spec.firms]}")
    try:  # a mistake in the curve or the parameters stops the command before the output directory is made
        observed_survival(counts)
        with_parameters(spec, list(bounds), [low for low, _ in bounds.values()])
    except ValueError as err:
        raise UserError(f"{scenario}: {err}") from None
    batch = runs_at_once(method, len(bounds), replications)
    engine = choose_engine(workers, scheduler, batch)  # as many workers as one step of the search can use
    check_memory(spec, batch, workers=0 if scheduler else engine.workers, source=scenario)
    out = output_directory(out_dir, spec.name, "-calibration")
    stderr.print(f"{spec.name}: fitting {', '.join(bounds)} to {len(counts)} observed values ({method}, "
                 f"at most {max_evaluations} evaluations, {replications} run(s) each), on {engine!r}")
    try:
        prepare_kernels()
        with searching(max_evaluations, replications):
            result = fit(spec, counts, bounds, firm=firm, replications=replications, seed=seed, method=method,
                         max_evaluations=max_evaluations, engine=engine)
        report = document(result, spec, method, seed, steps, projections)
    except ValueError as err:
        raise UserError(f"{scenario}: {err}") from None
    except ConnectionError as err:
        raise UserError(str(err)) from None
    write_calibration_outputs(out, spec, seed, replications, report)
    for name, value in result.parameters.items():
        stdout.print(f"{name} = {value:.4g}")
    stdout.print(f"log-likelihood {result.log_likelihood:.2f} (sBG a={result.sbg[0]:.3f} b={result.sbg[1]:.3f}: "
                 f"{report['sbg']['log_likelihood']:.2f}); RMSE of survival {result.rmse:.4f}; "
                 f"{result.evaluations} evaluations{'' if result.converged else ' (not converged: ' + result.message + ')'}")
    print_tables(stdout, fitted_tables(*survival_table(report), stdout.width,
                                       title="Share of the cohort still a customer"),
                 ["fitted: the calibrated simulation on the fitting seeds; projected: its mean over "
                  f"{report['projection']['replications']} cohorts of the observed size, with the 95 % interval "
                  "of such a cohort; sBG: the shifted-beta-geometric model fitted to the same data."])
    stdout.print(f"written {out / 'calibration.json'}, {out / 'calibration.png'} and .svg")


def survival_table(report: dict) -> tuple[list[str], list[list[str]]]:
    """Per period t: observed, fitted, projected [interval] and sBG survival, as percentages."""
    observed, fitted = report["observed"]["survival"], report["fit"]["survival"]
    projection = report["projection"]
    simulation = projection["simulation"]

    def pct(x: float) -> str:
        return f"{100 * x:.1f} %"

    rows = []
    for t in projection["t"]:
        rows.append([str(t), pct(observed[t]) if t < len(observed) else "",
                     pct(fitted[t]) if t < len(fitted) else "",
                     f"{pct(simulation['mean'][t])}\n{100 * simulation['low'][t]:.1f}-{pct(simulation['high'][t])}",
                     pct(projection["sbg"][t])])
    return ["t", "observed", "fitted", "projected", "sBG"], rows


@contextlib.contextmanager
def searching(budget: int, replications: int):
    """A spinner while the optimiser searches, with its budget and the time taken."""
    with Progress(SpinnerColumn(), TextColumn(f"calibrating: at most {budget:,} evaluations of {replications} "
                                              "run(s) each"), TimeElapsedColumn(), console=stderr) as bar:
        bar.add_task("fit", total=None)
        yield
