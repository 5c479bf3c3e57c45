"""The files of an optimisation: optimisation.json, the trials table (trials.csv and
trials.parquet), a convergence plot, the objective against each decision, report.md, and last
the manifest results.json."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from ..outputs.files import atomic_write_bytes, atomic_write_text, write_table
from ..outputs.manifest import MANIFEST, clear_manifest, write_manifest
from ..outputs.plots import format_axis, legend_below, plain_text, slide, slide_files
from ..scenario import Scenario
from .api import Optimisation, optimisation_document


def convergence_plot(result: Optimisation) -> Figure:
    """Each trial's objective (search seeds; hollow where it misses a constraint) and the best
    feasible so far, against the trial number."""
    done = result.trials[result.trials["state"] == "COMPLETE"]
    values = done[result.objective].to_numpy(dtype=float)
    feasible = done["feasible"].to_numpy(dtype=bool)
    best = np.maximum.accumulate(np.where(feasible, values, -np.inf))
    fig, axes = slide()
    ax = axes[0, 0]
    trial = done["number"].to_numpy()
    ax.scatter(trial[feasible], values[feasible], s=14, color="#7f7f7f", label="trial")
    if not feasible.all():
        ax.scatter(trial[~feasible], values[~feasible], s=14, facecolors="none", edgecolors="#7f7f7f",
                   label="trial missing a constraint")
    shown = np.isfinite(best)
    ax.step(trial[shown], best[shown], where="post", color="#1f77b4", label="best so far (feasible)")
    ax.set(title=f"{plain_text(result.firm)}: {result.objective.replace('_', ' ')} by trial",
           xlabel="trial", ylabel=f"{result.objective.replace('_', ' ')} (mean over search replications)")
    format_axis(ax.yaxis, result.objective)
    ax.grid(alpha=0.3)
    legend_below(fig, ax, 3)
    return fig


def decisions_plot(result: Optimisation) -> Figure:
    """One panel per decision: every trial's objective against that decision's value."""
    done = result.trials[result.trials["state"] == "COMPLETE"]
    fig, axes = slide(1, len(result.decisions), sharey=True)
    axes = axes[0]
    for ax, decision in zip(axes, result.decisions, strict=True):
        x = done[decision.path]
        if decision.choices is not None:
            labels = [str(c) for c in decision.choices]
            x = x.map(lambda v: labels.index(str(v)))
            ax.set_xticks(range(len(labels)), labels, rotation=30)
        ax.scatter(x, done[result.objective], s=14, color="#1f77b4")
        ax.axvline(_position(decision, result.best.values[decision.path]),
                   color="#d62728", linewidth=1, label="best")
        ax.set(xlabel=plain_text(decision.path))
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(result.objective.replace("_", " "))
    format_axis(axes[0].yaxis, result.objective)
    legend_below(fig, axes[0], 1)
    fig.suptitle(f"{plain_text(result.firm)}: {result.objective.replace('_', ' ')} against each decision", fontsize="x-large")
    return fig


def _position(decision, value) -> float:
    """Where a value sits on its decision's axis (a choice's index)."""
    if decision.choices is not None:
        return [str(c) for c in decision.choices].index(str(value))
    return float(value)


def number(x: float) -> str:
    """A figure for a table: whole units with thousands separators from 100 up, else 4 digits."""
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.4g}"


def _interval(stat: dict) -> str:
    return f"{number(stat['mean'])} [{number(stat['ci95'][0])}, {number(stat['ci95'][1])}]"


def report(result: Optimisation) -> str:
    """report.md: the question, the best, and the re-evaluated candidates."""
    lines = [f"# Optimisation: {result.scenario}, firm {result.firm}", "",
             f"Maximise **{result.objective}** over " + ", ".join(f"`{d.spec}`" for d in result.decisions)
             + (f", subject to {', '.join(f'`{c}`' for c in result.constraints)}" if result.constraints else "")
             + f". {len(result.trials)} trials, each on the same {result.replications} replication seeds "
             f"(root seed {result.seed}); the top candidates re-evaluated on {result.fresh_replications} fresh seeds.",
             "", "## Best", ""]
    lines += [f"- `{path}` = {value!r}" for path, value in result.best.values.items()]
    lines += ["", f"{result.objective} on fresh seeds: {_interval(result.best.fresh)} (mean [95 % CI])"
              + ("" if result.best.feasible else "; **no candidate met the constraints on fresh seeds**"), "",
              "## Re-evaluated candidates", "",
              "Difference: best minus the candidate, paired over the fresh seeds, with its 95 % CI.", "",
              "| candidate | trial | search mean | fresh mean [95 % CI] | difference [95 % CI] | distinguishable |",
              "| --- | --- | --- | --- | --- | --- |"]
    for c in result.candidates:
        name = (", ".join(f"{v}" for v in c.values.values()) + (" (baseline)" if c.baseline else "")
                + ("" if c.feasible else " (misses a constraint)"))
        diff = "best" if c.difference is None else _interval(c.difference)
        search = "" if c.search is None else number(c.search)
        seen = "" if c.distinguishable is None else ("yes" if c.distinguishable else "no")
        lines.append(f"| {name} | {c.trial} | {search} | {_interval(c.fresh)} | {diff} | {seen} |")
    lines += ["", "![convergence](convergence.png)", "", "![objective against decisions](decisions.png)", "",
              f"The study is `{result.study_path.name}` (SQLite, study name `optimise`): "
              "`optuna-dashboard sqlite:///study.db`, or `optuna.load_study(study_name='optimise', "
              "storage='sqlite:///study.db')`.", ""]
    return "\n".join(lines)


def write_outputs(result: Optimisation, out: Path, scenario: Scenario) -> list[str]:
    """Write every file into ``out`` (``scenario``: the one optimised); their names."""
    clear_manifest(out)
    atomic_write_text(out / "optimisation.json", json.dumps(optimisation_document(result), indent=2) + "\n")
    tables = {"trials": write_table(out, "trials", result.trials)}
    plots = {**slide_files(convergence_plot(result), "convergence"), **slide_files(decisions_plot(result), "decisions")}
    for name, data in plots.items():
        atomic_write_bytes(out / name, data)
    atomic_write_text(out / "report.md", report(result))
    write_manifest(out, "optimise", scenario, result.seed, result.replications, tables, firm=result.firm,
                   objective=result.objective)
    return ["optimisation.json", "trials.csv", "trials.parquet", *plots, "report.md", MANIFEST]
