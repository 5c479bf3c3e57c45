"""Strategy comparison: every arm of a scenario's ``compare`` section runs the
same replications with common random numbers (replication k of every arm uses
seed k of :func:`replication_seeds`), so arm differences come from the arms,
not from luck. The first arm is the baseline the others are measured against.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..analysis.paired import comparison_table
from ..outputs.files import safe_name
from ..outputs.summary import per_replication
from ..scenario import Scenario, ScenarioError, scenario_with
from ..strategies import Strategy
from .batch import BatchProgress, RunTask, run_tasks
from .engine import Engine
from .replications import replication_seeds
from .shipping import ship
from .store import RunStore


@dataclass(frozen=True)
class ArmRun:
    """One arm ready to run: its scenario, what it sets (dotted paths, for reports) and the
    strategies it gives firms as objects (firm -> instance; shipped by value, :mod:`sim.runs.shipping`)."""

    scenario: Scenario
    settings: dict[str, Any] = field(default_factory=dict)
    strategies: Mapping[str, Strategy] = field(default_factory=dict)


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


def arm_runs(scenario: Scenario, source: str = "<scenario>") -> dict[str, ArmRun]:
    """The arms of the scenario's ``compare`` section, ready to run."""
    settings = {arm.name: dict(arm.set) for arm in scenario.compare.arms} if scenario.compare else {}
    return {name: ArmRun(spec, settings[name]) for name, spec in arm_scenarios(scenario, source).items()}


def comparison_tasks(arms: dict[str, ArmRun], seed: int, replications: int) -> list[RunTask]:
    """Replication k of every arm, all with the k-th replication seed."""
    seeds = replication_seeds(seed, replications)
    tasks = []
    for name, arm in arms.items():
        shipped = ship(arm.scenario, arm.strategies)
        tasks += [RunTask(f"{safe_name(name)}-r{k}", arm.scenario, s, k, shipped) for k, s in enumerate(seeds)]
    return tasks


def run_comparison(scenario: Scenario, replications: int | None = None, seed: int | None = None,
                   engine: Engine | None = None, store: RunStore | None = None,
                   on_progress: Callable[[BatchProgress], None] | None = None,
                   source: str = "<scenario>", reuse: bool = True, arms: dict[str, ArmRun] | None = None) -> Comparison:
    """Run every arm (defaults from the scenario's ``run`` section) and compare them. The arms are
    the scenario's ``compare`` section unless given (the first is the baseline)."""
    replications = replications or scenario.run.replications
    seed = scenario.run.seed if seed is None else seed
    arms = arms if arms is not None else arm_runs(scenario, source)
    if not arms:
        raise ValueError("a comparison needs at least one arm")
    tasks = comparison_tasks(arms, seed, replications)
    frames, progress = run_tasks(tasks, engine, store, on_progress, reuse)
    runs = {name: pd.concat([frames[f"{safe_name(name)}-r{k}"] for k in range(replications)], ignore_index=True)
            for name in arms}
    per_arm = {name: per_replication(frame) for name, frame in runs.items()}
    settings = {name: arm.settings for name, arm in arms.items()}
    return Comparison(next(iter(arms)), settings, per_arm, comparison_table(per_arm), progress, stack_arms(runs))


def stack_arms(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every arm's frame (its runs, its per-replication summary) in one long frame, ``arm`` first,
    arms in their order."""
    frames = [frame.assign(arm=name)[["arm", *frame.columns]] for name, frame in frames.items()]
    return pd.concat(frames, ignore_index=True)
