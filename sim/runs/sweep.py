"""Parameter sweeps: every sample of a scenario's ``sweep`` design runs the
same replications (replication k of every sample uses seed k: common random
numbers); the result has one row per sample and replication. For a Sobol
design, first-order and total indices of customer equity and retention are
computed for every firm (:data:`SENSITIVITY_METRICS`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from ..analysis.design import Design, sweep_design
from ..analysis.sensitivity import sobol_indices
from ..outputs.summary import SUMMARY_METRICS, per_replication
from ..scenario import Scenario, ScenarioError, scenario_with
from .batch import BatchProgress, RunTask, run_tasks
from .engine import Engine
from ..strategies import Strategy
from .replications import replication_seeds
from .shipping import ship
from .store import RunStore

SENSITIVITY_METRICS = ("customer_equity", "retention_rate")
SENSITIVITY_COLUMNS = ["firm", "metric", "parameter", "S1", "S1_conf", "ST", "ST_conf"]


@dataclass
class SweepResult:
    """``rows``: sample, replication, seed, the swept parameters, then ``<firm>:<metric>``
    for every firm and summary metric. ``sensitivity``: Sobol indices (None unless sobol)."""

    design: Design
    rows: pd.DataFrame
    sensitivity: pd.DataFrame | None
    progress: BatchProgress


def sample_scenarios(scenario: Scenario, design: Design, source: str = "<scenario>") -> list[Scenario]:
    """Each sample's scenario, validated (a value the scenario format rejects names its sample)."""
    def label(i: int, point: dict) -> str:
        return f"{source}: sweep sample {i} ({', '.join(f'{k}={v!r}' for k, v in point.items())})"

    return [scenario_with(scenario, point, label(i, point)) for i, point in enumerate(design.points)]


def sweep_rows(design: Design, frames: list[list[pd.DataFrame]], seeds: list[int]) -> pd.DataFrame:
    """One row per sample and replication from the run frames (``frames[sample][replication]``)."""
    rows = []
    for i, point in enumerate(design.points):
        for k, frame in enumerate(frames[i]):
            summary = per_replication(frame)
            row = {"sample": i, "replication": k, "seed": seeds[k], **point}
            for _, firm in summary.iterrows():
                row.update({f"{firm['firm']}:{metric}": firm[metric] for metric in SUMMARY_METRICS})
            rows.append(row)
    return pd.DataFrame(rows)


def sensitivity_table(design: Design, rows: pd.DataFrame, firms: list[str], seed: int) -> pd.DataFrame:
    """Sobol indices of the per-sample mean of each firm's customer equity and retention."""
    means = rows.groupby("sample", sort=True).mean(numeric_only=True)
    out = []
    for firm in firms:
        for metric in SENSITIVITY_METRICS:
            indices = sobol_indices(design, means[f"{firm}:{metric}"].to_numpy(), seed)
            out += [{"firm": firm, "metric": metric, "parameter": p, **v} for p, v in indices.items()]
    return pd.DataFrame(out, columns=SENSITIVITY_COLUMNS)


def run_sweep(scenario: Scenario, replications: int | None = None, seed: int | None = None,
              engine: Engine | None = None, store: RunStore | None = None,
              on_progress: Callable[[BatchProgress], None] | None = None, source: str = "<scenario>", reuse: bool = True,
              strategies: Mapping[str, Strategy] | None = None) -> SweepResult:
    """Run every sample of the scenario's sweep (defaults from its ``run`` section); ``strategies``
    (firm -> instance) replace the scenario's in every sample."""
    if scenario.sweep is None:
        raise ScenarioError(f"{source}: sweep: the scenario has no sweep section; give sweep.method and sweep.parameters")
    replications = replications or scenario.run.replications
    seed = scenario.run.seed if seed is None else seed
    try:
        design = sweep_design(scenario.sweep, seed)
    except ValueError as err:
        raise ScenarioError(f"{source}: {err}") from None
    specs = sample_scenarios(scenario, design, source)
    seeds = replication_seeds(seed, replications)
    tasks = []
    for i, spec in enumerate(specs):
        shipped = ship(spec, strategies)  # per sample: a sample may set a registered strategy's parameters
        tasks += [RunTask(f"sample{i:05d}-r{k}", spec, s, k, shipped) for k, s in enumerate(seeds)]
    frames, progress = run_tasks(tasks, engine, store, on_progress, reuse)
    by_sample = [[frames[f"sample{i:05d}-r{k}"] for k in range(replications)] for i in range(len(specs))]
    rows = sweep_rows(design, by_sample, seeds)
    sensitivity = None
    if design.method == "sobol":
        sensitivity = sensitivity_table(design, rows, [f.name for f in scenario.firms], seed)
    return SweepResult(design, rows, sensitivity, progress)


def long_rows(result: SweepResult) -> pd.DataFrame:
    """The sweep's rows in long form: one row per sample, replication and firm (sample,
    replication, seed, the swept parameters, firm, then each summary metric)."""
    keys = ["sample", "replication", "seed", *result.design.parameters]
    firms = list(dict.fromkeys(c.split(":", 1)[0] for c in result.rows.columns if ":" in c and c not in keys))
    frames = []
    for firm in firms:
        columns = {f"{firm}:{metric}": metric for metric in SUMMARY_METRICS}
        part = result.rows[keys + list(columns)].rename(columns=columns)
        part.insert(len(keys), "firm", firm)
        frames.append(part)
    order = {firm: i for i, firm in enumerate(firms)}
    long = pd.concat(frames, ignore_index=True)
    return long.sort_values(["sample", "replication", "firm"], key=lambda c: c.map(order) if c.name == "firm" else c,
                            kind="stable", ignore_index=True)


def sample_means(result: SweepResult, metric: str = "customer_equity") -> pd.DataFrame:
    """Per sample: the swept values, then each firm's mean ``metric`` over replications."""
    suffix = f":{metric}"
    columns = [c for c in result.rows.columns if c.endswith(suffix)]
    means = result.rows.groupby("sample", sort=True)[columns].mean()
    means.columns = [c.removesuffix(suffix) for c in columns]
    points = pd.DataFrame(result.design.points, columns=result.design.parameters)
    return pd.concat([points, means.reset_index(drop=True)], axis=1)
