"""``sim.optimise``: a firm's best decisions, found by search and confirmed on fresh seeds."""

from __future__ import annotations

import hashlib
import json

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import optuna
import pandas as pd

from ..runs import Engine, RunStore, replication_seeds
from ..scenario import Scenario, ScenarioError, load_scenario
from .decisions import Decision, parse_decisions
from .evaluate import evaluate, fresh_seeds
from .objective import OBJECTIVES, Constraint, check_metric, parse_constraint
from .reevaluate import Candidate, judge, top_candidates
from .study import baseline_values, grid_points, open_study, search

TOP = 5
"""Candidates re-evaluated on fresh seeds, by default."""


@dataclass
class Optimisation:
    """What an optimisation found: the ``best`` candidate, every re-evaluated candidate
    (best first), the ``baseline`` (the scenario's own decisions, if in the search space)
    and the ``trials`` table (one row per trial)."""

    scenario: str
    firm: str
    objective: str
    decisions: list[Decision]
    constraints: list[Constraint]
    seed: int
    replications: int
    fresh_replications: int
    best: Candidate
    candidates: list[Candidate]
    baseline: Candidate | None
    trials: pd.DataFrame
    study_path: Path


def trials_table(study: optuna.Study, decisions: list[Decision], objective: str,
                 constraints: list[Constraint]) -> pd.DataFrame:
    """number, each decision, the objective, each constraint's metric, feasible and state."""
    rows = []
    for t in study.get_trials(deepcopy=False):
        row = {"number": t.number, **{d.path: t.params.get(d.path) for d in decisions},
               objective: t.value}
        row.update({c.metric: t.user_attrs.get(c.metric) for c in constraints})
        row.update(feasible=t.user_attrs.get("feasible"), state=t.state.name)
        rows.append(row)
    return pd.DataFrame(rows)


def setup_of(scenario: Scenario, firm: str, decisions, objective, constraints, seed, replications) -> dict[str, Any]:
    """What identifies a study: a resumed study must have been made with the same."""
    document = json.dumps(scenario.model_dump(mode="json"), sort_keys=True)
    return {"scenario": hashlib.sha256(document.encode()).hexdigest(), "seed": seed, "replications": replications,
            "firm": firm,
            "decisions": [d.spec for d in decisions], "objective": objective,
            "constraints": [str(c) for c in constraints]}


def check_question(spec: Scenario, firm: str, decisions: Iterable[str] | dict[str, str], objective: str,
                   constraints: Iterable[str]) -> tuple[list[Decision], str, list[Constraint]]:
    """The parsed decisions, objective and constraints; ScenarioError naming the first mistake."""
    names = [f.name for f in spec.firms]
    if firm not in names:
        raise ScenarioError(f"--firm {firm!r}: no such firm; firms are {', '.join(names)}")
    texts = [f"{k}={v}" for k, v in decisions.items()] if isinstance(decisions, dict) else list(decisions)
    return (parse_decisions(texts, spec), check_metric(objective, "--objective", OBJECTIVES),
            [parse_constraint(c) for c in constraints])


def optimise(scenario: Scenario | str | Path, firm: str, decisions: Iterable[str] | dict[str, str],
             objective: str = "customer_equity", constraints: Iterable[str] = (), trials: int = 30,
             replications: int | None = None, seed: int | None = None, out: str | Path = "out/optimise",
             engine: Engine | None = None, top: int = TOP, fresh_replications: int | None = None,
             fresh: bool = False, on_trial: Callable[[int, int], None] | None = None) -> Optimisation:
    """Search ``firm``'s ``decisions`` for the highest mean ``objective``, then re-evaluate the best.

    ``decisions``: ``"PATH=LOW:HIGH"`` / ``"PATH=a,b,c"`` texts, or a mapping path -> ``"LOW:HIGH"``.
    Each trial runs ``replications`` seeded runs (default the scenario's ``run.replications``),
    the same seeds for every candidate. The ``top`` best distinct candidates and the baseline are
    re-evaluated on ``fresh_replications`` fresh seeds (default twice the search's, at least 10).
    The study lives in ``out/study.db`` and finished runs in ``out/runs/``: the same call resumes
    an interrupted optimisation; ``fresh`` starts it over and recomputes every run. ``on_trial(finished, total)`` reports progress.
    """
    spec = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    spec = spec.model_copy(update={"optimise": None})  # the question is not part of what is simulated
    chosen, objective, limits = check_question(spec, firm, decisions, objective, constraints)
    if trials < 1:
        raise ScenarioError(f"--trials {trials}: expected at least 1 trial")
    replications = replications or spec.run.replications
    seed = spec.run.seed if seed is None else seed
    fresh_replications = fresh_replications or max(10, 2 * replications)
    out = Path(out)
    store = RunStore(out / "runs")
    start = baseline_values(spec, chosen)
    grid = grid_points(chosen, trials, seed)
    first = [start] if start is not None else []
    if grid is not None:
        trials = len(grid)
        first += [point for point in grid if point != start]
    study = open_study(out, setup_of(spec, firm, chosen, objective, limits, seed, replications), first, fresh)
    search(study, spec, firm, chosen, objective, limits, trials, replication_seeds(seed, replications), seed,
           engine, store, on_trial, reuse=not fresh)
    candidates = top_candidates(study, chosen, top)
    baseline = None
    if start is not None:
        baseline = next((c for c in candidates if c.values == start), None)
        if baseline is None:
            baseline = Candidate(start, 0, None)
            candidates.append(baseline)
        baseline.baseline = True
    summaries = evaluate(spec, firm, [c.values for c in candidates], fresh_seeds(seed, fresh_replications),
                         engine, store, "fresh", reuse=not fresh)
    best = judge(candidates, summaries, objective, limits)
    candidates.sort(key=lambda c: (c is not best, not c.feasible, -c.fresh["mean"]))
    return Optimisation(spec.name, firm, objective, chosen, limits, seed, replications, fresh_replications, best,
                        candidates, baseline, trials_table(study, chosen, objective, limits), out / "study.db")


def candidate_document(c: Candidate) -> dict[str, Any]:
    return {"values": c.values, "trial": c.trial, "search_mean": c.search, "objective": c.fresh,
            "metrics": c.metrics, "feasible": c.feasible, "baseline": c.baseline,
            "difference_from_best": c.difference, "distinguishable_from_best": c.distinguishable}


def optimisation_document(result: Optimisation) -> dict[str, Any]:
    """optimisation.json: ``best`` (path -> value), the objective with its interval, and the candidates."""
    return {"scenario": result.scenario, "firm": result.firm, "objective": result.objective,
            "decisions": [d.spec for d in result.decisions], "constraints": [str(c) for c in result.constraints],
            "seed": result.seed, "replications": result.replications,
            "fresh_replications": result.fresh_replications, "trials": int(len(result.trials)),
            "best": result.best.values, "best_objective": result.best.fresh, "best_feasible": result.best.feasible,
            "candidates": [candidate_document(c) for c in result.candidates],
            "study": {"file": str(result.study_path), "study_name": "optimise"}}
