"""The search: an Optuna study of one firm's decisions, kept in a SQLite file.

Trials are asked in batches of ``batch`` candidates, whose replications run
together on the engine, then told their objective (the mean over the search
replications). The sampler is re-created before every batch with a seed drawn
from the root seed and the number of trials so far; together with the fixed
batch size this makes the study a function of its settings alone: the same on
a pool or a cluster, and the same whether or not it was interrupted.

The scenario's own values are the first trial when they lie in the search
space (the baseline the best is compared with). When all decisions are choices
or integer ranges with at most ``trials`` combinations, every combination is
tried once, in a seeded order (enqueued trials) and the search stops there;
else Optuna's TPE sampler (``TPESampler``) proposes the trials: it handles
mixed decisions, and constraints through the violations each trial records.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np
import optuna

from ..runs import Engine, RunStore
from ..scenario import Scenario, ScenarioError
from .decisions import Decision, current_value
from .evaluate import candidate_key, evaluate
from .objective import Constraint, feasible, metric_means

STUDY_FILE = "study.db"
BATCH = 4
"""Trials asked at once: their runs share the engine. Part of the study's identity."""


def study_storage(out: Path) -> str:
    """The SQLite URL of the study file in an output directory."""
    return f"sqlite:///{(out / STUDY_FILE).resolve()}"


def grid_points(decisions: list[Decision], trials: int, seed: int) -> list[dict[str, Any]] | None:
    """Every combination in a seeded order, if there are finitely many and at most ``trials``."""
    grids = [d.grid() for d in decisions]
    if any(g is None for g in grids) or math.prod(len(g) for g in grids) > trials:
        return None
    points = [dict(zip([d.path for d in decisions], combo, strict=True)) for combo in product(*grids)]
    order = np.random.default_rng(np.random.SeedSequence([seed, 2])).permutation(len(points))
    return [points[i] for i in order]


def make_sampler(seed: int, done: int) -> optuna.samplers.TPESampler:
    """The TPE sampler for the next batch, seeded from the root seed and the trials so far. It reads
    the constraints each trial records (``Trial.set_constraint``) and prefers trials that meet them."""
    return optuna.samplers.TPESampler(seed=int(np.random.SeedSequence([seed, done]).generate_state(1)[0]))


def baseline_values(scenario: Scenario, decisions: list[Decision]) -> dict[str, Any] | None:
    """The scenario's own values of the decisions, if every one lies in its search space."""
    values = {d.path: current_value(scenario, d.path) for d in decisions}
    return values if all(d.contains(values[d.path]) for d in decisions) else None


def open_study(out: Path, setup: dict[str, Any], first: list[dict[str, Any]], fresh: bool = False) -> optuna.Study:
    """The study in ``out/study.db``: created (with the ``first`` trials enqueued), or reopened
    if it was made with the same ``setup``; a different setup is refused."""
    out.mkdir(parents=True, exist_ok=True)
    if fresh:
        (out / STUDY_FILE).unlink(missing_ok=True)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage = optuna.storages.RDBStorage(study_storage(out))
    study = optuna.create_study(study_name="optimise", storage=storage, direction="maximize", load_if_exists=True)
    stored = study.user_attrs.get("setup")
    if stored is None and not study.trials:
        study.set_user_attr("setup", setup)
        for values in first:
            study.enqueue_trial(values)
    elif stored != setup:
        raise ScenarioError(f"{out / STUDY_FILE}: holds a study of other settings; give another --out, or --fresh "
                            "to start over")
    return study


def finished_trials(study: optuna.Study) -> list[optuna.trial.FrozenTrial]:
    return [t for t in study.get_trials(deepcopy=False)
            if t.state in (optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.FAIL)]


def search(study: optuna.Study, scenario: Scenario, firm: str, decisions: list[Decision], objective: str,
           constraints: list[Constraint], trials: int, seeds: list[int], seed: int, engine: Engine | None,
           store: RunStore | None, on_trial: Callable[[int, int], None] | None = None, reuse: bool = True) -> None:
    """Run trials until ``trials`` have finished; first those an interruption left running."""
    distributions = {d.path: d.distribution() for d in decisions}
    metrics = list(dict.fromkeys([objective, *(c.metric for c in constraints)]))

    def tell(batch: list[optuna.Trial]) -> None:
        values = [{d.path: t.params[d.path] for d in decisions} for t in batch]
        try:
            results = evaluate(scenario, firm, values, seeds, engine, store, "search", reuse=reuse)
        except ScenarioError as err:  # a candidate the format rejects: the others are evaluated alone
            if len(batch) > 1:
                for t in batch:
                    tell([t])
                return
            batch[0].set_user_attr("error", str(err))
            study.tell(batch[0], state=optuna.trial.TrialState.FAIL)
            results, batch, values = {}, [], []
        for t, v in zip(batch, values, strict=True):
            means = metric_means(results[candidate_key(v)], metrics)
            for metric, mean in means.items():
                t.set_user_attr(metric, mean)
            for c in constraints:
                t.set_constraint(str(c), c.violation(means[c.metric]))
            t.set_user_attr("feasible", feasible(means, constraints))
            study.tell(t, means[objective])
        if on_trial:
            on_trial(len(finished_trials(study)), trials)

    # a live Trial for each trial left running (Optuna offers no public way from a FrozenTrial to one)
    left = [optuna.Trial(study, t._trial_id) for t in study.get_trials(deepcopy=False)
            if t.state == optuna.trial.TrialState.RUNNING]
    if left:
        tell(left)
    while (done := len(finished_trials(study))) < trials:
        study.sampler = make_sampler(seed, len(study.trials))
        batch = [study.ask(distributions) for _ in range(min(BATCH, trials - done))]
        tell(batch)
