"""Strategy comparison: every arm of a scenario's ``compare`` section runs the
same replications with common random numbers (replication k of every arm uses
seed k of :func:`replication_seeds`), so arm differences come from the arms,
not from luck. The first arm is the baseline the others are measured against.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ..analysis.paired import comparison_table
from ..outputs.files import safe_name
from ..outputs.summary import per_replication
from ..scenario import Scenario, ScenarioError, scenario_with
from .batch import BatchProgress, RunTask, run_tasks
from .engine import Engine
from .replications import replication_seeds
from .store import RunStore


@dataclass
class Comparison:
    """Per arm: what it sets and its per-replication summary; ``table`` holds the paired statistics;
    ``timeseries`` every arm's runs in one long frame (arm, replication, step, firm, metrics)."""

    baseline: str
    settings: dict[str, dict[str, Any]]
    per_replication: dict[str, pd.DataFrame]
    table: pd.DataFrame
    progress: BatchProgress
    timeseries: pd.DataFrame


def arm_scenarios(scenario: Scenario, source: str = "<scenario>") -> dict[str, Scenario]:
    """Each arm's scenario (the base with the arm's dotted-path values), validated."""
    if scenario.compare is None:
        raise ScenarioError(f"{source}: compare: the scenario has no compare section; list its arms as "
                            "compare.arms = [{ name = ..., set = { PATH = VALUE } }, ...]")
    arms: dict[str, Scenario] = {}
    files: dict[str, str] = {}
    for i, arm in enumerate(scenario.compare.arms):
        if arm.name in arms:
            raise ScenarioError(f"{source}: compare.arms[{i}].name: arm name {arm.name!r} is used twice")
        if safe_name(arm.name) in files:
            raise ScenarioError(f"{source}: compare.arms[{i}].name: {arm.name!r} and {files[safe_name(arm.name)]!r} "
                                "give the same file name; rename one")
        files[safe_name(arm.name)] = arm.name
        arms[arm.name] = scenario_with(scenario, arm.set, f"{source}: compare.arms[{i}] ({arm.name})") if arm.set else scenario
    return arms


def comparison_tasks(arms: dict[str, Scenario], seed: int, replications: int) -> list[RunTask]:
    """Replication k of every arm, all with the k-th replication seed."""
    seeds = replication_seeds(seed, replications)
    return [RunTask(f"{safe_name(name)}-r{k}", spec, s, k)
            for name, spec in arms.items() for k, s in enumerate(seeds)]


def run_comparison(scenario: Scenario, replications: int | None = None, seed: int | None = None,
                   engine: Engine | None = None, store: RunStore | None = None,
                   on_progress: Callable[[BatchProgress], None] | None = None,
                   source: str = "<scenario>", reuse: bool = True) -> Comparison:
    """Run every arm (defaults from the scenario's ``run`` section) and compare them."""
    replications = replications or scenario.run.replications
    seed = scenario.run.seed if seed is None else seed
    arms = arm_scenarios(scenario, source)
    tasks = comparison_tasks(arms, seed, replications)
    frames, progress = run_tasks(tasks, engine, store, on_progress, reuse)
    runs = {name: pd.concat([frames[f"{safe_name(name)}-r{k}"] for k in range(replications)], ignore_index=True)
            for name in arms}
    per_arm = {name: per_replication(frame) for name, frame in runs.items()}
    settings = {arm.name: dict(arm.set) for arm in scenario.compare.arms}
    return Comparison(next(iter(arms)), settings, per_arm, comparison_table(per_arm), progress, stack_arms(runs))


def stack_arms(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every arm's frame (its runs, its per-replication summary) in one long frame, ``arm`` first,
    arms in their order."""
    frames = [frame.assign(arm=name)[["arm", *frame.columns]] for name, frame in frames.items()]
    return pd.concat(frames, ignore_index=True)
