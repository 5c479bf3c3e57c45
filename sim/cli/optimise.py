"""``marketsim optimise``: search a firm's decisions for the best objective (Optuna,
common random numbers), re-evaluate the top candidates on fresh seeds, write
optimisation.json, trials.csv, plots and report.md; print a summary table."""

from __future__ import annotations

import json
from dataclasses import asdict

import click
from rich.table import Table

from ..optimise import optimise as run_optimise
from ..optimise import best_response
from ..optimise.respond import check_play
from ..optimise.api import check_question
from ..outputs.files import atomic_write_text
from ..optimise.outputs import number, write_outputs
from .common import UserError, load, progress, prepare_kernels, set_option, stderr, stdout, user_errors
from .execution import check_runnable, choose_engine, engine_options
from .output import output_directory

_LEVELS = "firms.Partner.relationship=basic,reactive,accountable,proactive,partnership"


def response_document(result) -> dict:
    """respond.json: the firms, every turn, the outcome, start and final decisions, and what each firm's play is worth."""
    return {"firms": result.firms, "objective": result.objective, "tolerance": result.tolerance,
            "outcome": result.outcome, "start": result.start, "final": result.final,
            "turns": [asdict(t) for t in result.turns], "worth": result.worth}


def summary_table(result) -> Table:
    """The re-evaluated candidates, best first, in 80 columns."""
    table = Table(title=f"{result.firm}: {result.objective} on {result.fresh_replications} fresh seeds "
                        "(mean ± 95% CI half-width; difference: best minus candidate, paired)", title_justify="left")
    candidate = ", ".join(d.path.rsplit(".", 1)[-1] for d in result.decisions)
    for name, justify in ((candidate, "left"), ("mean", "right"), ("difference", "right"),
                          ("distinct", "center")):
        table.add_column(name, justify=justify, overflow="fold")

    def pm(stat: dict) -> str:
        half = (stat["ci95"][1] - stat["ci95"][0]) / 2
        return f"{number(stat['mean'])} ± {number(half)}"

    for c in result.candidates:
        name = ", ".join(number(v) if isinstance(v, float) else str(v) for v in c.values.values())
        name += (" (as is)" if c.baseline else "") + ("" if c.feasible else " (misses a constraint)")
        table.add_row(name, pm(c.fresh), "best" if c.difference is None else pm(c.difference),
                      "" if c.distinguishable is None else ("yes" if c.distinguishable else "no"))
    return table


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False))
@click.option("--firm", default=None, help="The firm whose decisions are searched (default: the scenario's [optimise]).")
@click.option("--decision", "decisions", multiple=True, metavar="PATH=LOW:HIGH|PATH=a,b,c",
              help=f"A decision and its range or choices (repeatable), e.g. {_LEVELS}.")
@click.option("--objective", default=None, metavar="METRIC",
              help="customer_equity, discounted_profit, profit or retention_rate (default: customer_equity).")
@click.option("--constraint", "constraints", multiple=True, metavar="METRIC>=X",
              help="A condition on the firm's summary metrics, e.g. 'retention_rate>=0.9' (repeatable).")
@click.option("--trials", type=click.IntRange(min=1), default=None, help="Candidates to evaluate (default 30).")
@click.option("--replications", "-r", type=click.IntRange(min=1), default=None,
              help="Replications per candidate (default: [optimise] or run.replications).")
@click.option("--fresh-replications", type=click.IntRange(min=2), default=None,
              help="Fresh seeds for re-evaluating the top candidates (default: twice the search's, at least 10).")
@click.option("--top", type=click.IntRange(min=1), default=5, show_default=True,
              help="Candidates re-evaluated on fresh seeds.")
@click.option("--seed", type=click.IntRange(min=0), default=None, help="Root seed (default: the scenario's run.seed).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Output directory (default: out/<scenario name>-optimise).")
@click.option("--respond", default=None, metavar="FIRM,FIRM",
              help="Iterated best response: these firms optimise in turn against the others' current decisions.")
@click.option("--tolerance", type=click.FloatRange(min=0), default=0.01, show_default=True,
              help="With --respond: a firm moves only if its best answer gains more than this (relative).")
@click.option("--rounds", type=click.IntRange(min=1), default=5, show_default=True,
              help="With --respond: the most rounds of play.")
@engine_options
@set_option
@user_errors
def optimise(scenario, firm, decisions, objective, constraints, trials, replications, fresh_replications, top, seed,
             out_dir, respond, tolerance, rounds, workers, scheduler, fresh, assignments):
    """Find the decisions of a firm in SCENARIO that maximise its objective; confirm them on fresh seeds."""
    spec = load(scenario, assignments)
    question = spec.optimise
    if firm is None and question is None and not respond:
        raise UserError(f"--firm: give the firm to optimise, or an [optimise] section in {scenario}")
    if not decisions and question is None:
        raise UserError(f"--decision: give at least one, e.g. --decision {_LEVELS}, or an [optimise] section")
    if respond:
        if not decisions and question is None:
            raise UserError("--decision: give the firms' decisions, e.g. --decision 'firms.*.price=0.9,1.0,1.1'")
        return respond_command(spec, scenario, respond, decisions or tuple(f"{k}={v}" for k, v in question.decisions.items()),
                               objective or "customer_equity", constraints, trials or 20, replications, seed, out_dir,
                               tolerance, rounds, fresh_replications, workers, scheduler)
    firm = firm or question.firm
    decisions = decisions or tuple(f"{k}={v}" for k, v in question.decisions.items())
    objective = objective or (question.objective if question else "customer_equity")
    constraints = constraints or (tuple(question.constraints) if question else ())
    trials = trials or (question.trials if question else 30)
    replications = replications or (question.replications if question else None) or spec.run.replications
    check_question(spec, firm, decisions, objective, constraints)
    out = output_directory(out_dir, spec.name, "-optimise")
    engine = choose_engine(workers, scheduler, 4 * replications)
    check_runnable(spec, scenario, 4 * replications, engine, scheduler)
    stderr.print(f"{spec.name}: optimising {firm}'s {', '.join(d.split('=')[0] for d in decisions)} for {objective}; "
                 f"{trials} trial(s) x {replications} replication(s), on {engine!r}")
    prepare_kernels()
    try:
        with progress(trials, "trials") as bar:
            task = bar.add_task("trials", total=trials)
            result = run_optimise(spec, firm, decisions, objective, constraints, trials, replications, seed, out,
                                  engine, top, fresh_replications, fresh,
                                  on_trial=lambda done, total: bar.update(task, completed=done, total=total))
    except ConnectionError as err:
        raise UserError(str(err)) from None
    written = write_outputs(result, out, spec)
    stdout.print(summary_table(result))
    best = ", ".join(f"{k} = {v:.4g}" if isinstance(v, float) else f"{k} = {v}" for k, v in result.best.values.items())
    stdout.print(f"best: {best}")
    stdout.print(f"outputs in {out}/ ({', '.join(written)}, study.db, runs/)")


def respond_command(spec, scenario, respond, decisions, objective, constraints, trials, replications, seed, out_dir, tolerance,
                    rounds, fresh_replications, workers, scheduler):
    """--respond: iterated best response; respond.json and a table of the turns."""
    firms = [f.strip() for f in respond.split(",") if f.strip()]
    check_play(spec, firms, list(decisions), objective, list(constraints))
    replications = replications or spec.run.replications
    out = output_directory(out_dir, spec.name, "-respond")
    engine = choose_engine(workers, scheduler, 4 * replications)
    check_runnable(spec, scenario, 4 * replications, engine, scheduler)
    stderr.print(f"{spec.name}: best responses of {', '.join(firms)} for {objective}; at most {rounds} round(s) of "
                 f"{trials} trial(s) per firm, on {engine!r}")
    prepare_kernels()
    try:
        with progress(trials, "trials") as bar:
            task = bar.add_task("trials", total=trials)
            result = best_response(spec, firms, list(decisions), objective, list(constraints), trials, replications,
                                   seed, out, engine,
                                   tolerance, rounds, fresh_replications,
                                   on_trial=lambda done, total: bar.update(task, completed=done, total=total))
    except ConnectionError as err:
        raise UserError(str(err)) from None
    atomic_write_text(out / "respond.json", json.dumps(response_document(result), indent=2, default=str) + "\n")
    table = Table(title=f"Best responses for {objective} (fresh seeds): {result.outcome}", title_justify="left")
    for name in ("round", "firm", "best answer", "objective", "gain", "moved"):
        table.add_column(name, justify="left" if name in ("firm", "best answer") else "right", overflow="fold")
    for t in result.turns:
        answer = ", ".join(number(v) if isinstance(v, float) else str(v) for v in t.answer.values())
        table.add_row(str(t.round), t.firm, answer, number(t.objective["mean"]), f"{t.gain:+.1%}",
                      "yes" if t.moved else "no")
    stdout.print(table)
    for f, w in result.worth.items():
        stdout.print(f"{f}: {number(w['start']['mean'])} at the start, {number(w['final']['mean'])} at the end "
                     f"(difference {number(w['difference']['mean'])} ± "
                     f"{number((w['difference']['ci95'][1] - w['difference']['ci95'][0]) / 2)})")
    stdout.print(f"outputs in {out}/ (respond.json, round<r>-<firm>/ with each turn's study)")
