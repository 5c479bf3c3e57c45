"""Experiments from Python: one obvious way to run many seeded replications, to
compare strategies and to sweep parameters, for notebooks and scripts.

Each function takes a scenario (a file path, a :class:`~sim.Scenario`, or
nothing for the default), keyword overrides with ``__`` for dots
(``market__customers=2000``, as :class:`~sim.MarketModel` takes them),
``strategies={firm: Strategy}`` to give firms strategy objects of your own
(defined in a notebook or a script; they are shipped to the workers by
value, :mod:`sim.runs.shipping`), ``replications``, ``seed``, and where to
run: ``workers`` local processes (default: the cores, at most one per run)
or a Dask cluster at ``scheduler``. Results are the same on any of them.
Each returns a result object whose fields are DataFrames
(:mod:`sim.results`). With ``out``, the same output directory as the
command line's is written (report, tables as CSV and Parquet, plots), and
finished runs kept in ``out/runs/`` are reused when the call is repeated,
so an interrupted study resumes; :func:`sim.load_results` reads it back.

Modelled on Agents.jl's ``ensemblerun``/``paramscan`` and the EMA
Workbench's ``perform_experiments``: :func:`compare` runs arms (policies),
:func:`sweep` a design over parameters (uncertainties), and ``sweep(...,
arms=...)`` crosses the two.

Example::

    import sim
    results = sim.run_replications("scenarios/quickstart.toml", replications=10,
                                   market__customers=2000)
    results.summary                  # firm, metric, mean, ci_low, ci_high
    results.plot("retention_rate")   # a matplotlib Figure
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from . import calibration as _calibration
from .outputs.files import safe_name
from .outputs.manifest import clear_manifest, write_manifest
from .results import ComparisonResults, RunResults, SweepResults
from .runs.batch import BatchProgress, RunTask, run_tasks
from .runs.comparison import ArmRun, run_comparison, stack_arms
from .runs.engine import Engine, default_workers, make_engine
from .runs.replications import replication_seeds
from .runs.shipping import ship
from .runs.store import RunStore
from .runs.sweep import long_rows, run_sweep
from .scenario import Scenario, ScenarioError, keywords, load_scenario, scenario_with
from .scenario.limits import check_memory
from .strategies import Strategy

ScenarioLike = Scenario | str | Path | None


@dataclass(frozen=True)
class Arm:
    """One arm of a comparison given in Python: dotted-path values to set (``{"firms.Budget.price":
    0.9}``) and strategy objects for firms (``{"Budget": Mine()}``). Both are optional; an empty arm
    is the scenario as it is."""

    set: Mapping[str, Any] = field(default_factory=dict)
    strategies: Mapping[str, Strategy] = field(default_factory=dict)


def run_replications(scenario: ScenarioLike = None, *, replications: int | None = None, seed: int | None = None,
                     strategies: Mapping[str, Strategy] | None = None, workers: int | None = None,
                     scheduler: str | None = None, out: str | Path | None = None, segments: bool = False,
                     reuse: bool = True, progress: bool = False, **overrides: Any) -> RunResults:
    """Seeded replications of one scenario (defaults: the scenario's ``run.replications`` and
    ``run.seed``). Replication k uses the k-th seed spawned from ``seed``, whichever process runs it.
    With ``segments``, per-segment results too (``results.segments``; about a fifth more time).
    With ``progress``, a bar of finished runs and the time left on stderr (in a notebook, under the cell)."""
    spec = _scenario_of(scenario, overrides, run_replications)
    replications, seed = _defaults(spec, replications, seed)
    shipped = ship(spec, strategies)
    tasks = [RunTask(f"r{k}", spec, s, k, shipped) for k, s in enumerate(replication_seeds(seed, replications))]
    engine = _engine(spec, workers, scheduler, len(tasks))
    by_segment: dict[str, pd.DataFrame] | None = {} if segments else None
    with _output(out) as directory, _progress(progress, len(tasks), "replications") as on_progress:
        frames, _ = run_tasks(tasks, engine, _store(directory), on_progress, reuse=reuse, segments=by_segment)
        frame = pd.concat(list(frames.values()), ignore_index=True)
        segment_frame = pd.concat([by_segment[t.key] for t in tasks], ignore_index=True) if segments else None
        described = dict(shipped.described) if shipped else {}
        if directory is not None:
            from .outputs.write import write_run_outputs

            write_run_outputs(directory, spec, seed, replications, frame, segment_frame, described)
    return RunResults.of(spec, seed, replications, frame, segment_frame, described, directory)


def compare(scenario: ScenarioLike = None, arms: Mapping[str, Arm | Mapping[str, Any]] | None = None, *,
            replications: int | None = None, seed: int | None = None,
            strategies: Mapping[str, Strategy] | None = None, workers: int | None = None,
            scheduler: str | None = None, out: str | Path | None = None, firm: str | None = None,
            reuse: bool = True, progress: bool = False, **overrides: Any) -> ComparisonResults:
    """Run arms with common random numbers (replication k of every arm on the same seed) and compare
    each with the first, the baseline, by paired differences.

    ``arms`` maps a name to an :class:`Arm` or to a dict of dotted-path values; without it, the
    scenario's ``compare`` section. ``strategies`` apply to every arm; an arm's own strategies
    replace them firm by firm. ``firm`` is the firm whose results the written report ranks arms by."""
    spec = _scenario_of(scenario, overrides, compare)
    replications, seed = _defaults(spec, replications, seed)
    arm_runs = _arm_runs(spec, arms, strategies)
    engine = _engine(spec, workers, scheduler, len(arm_runs) * replications)  # refused here if too large
    runs = len(arm_runs) * replications
    with _output(out) as directory, _progress(progress, runs, "runs") as on_progress:
        comparison = run_comparison(spec, replications, seed, engine, _store(directory), on_progress, reuse=reuse,
                                    arms=arm_runs)
        if directory is not None:
            from .outputs.comparison import write_comparison_outputs

            write_comparison_outputs(directory, spec, seed, replications, comparison, firm)
    per_replication = stack_arms(comparison.per_replication)
    return ComparisonResults(spec, seed, replications, comparison.baseline, comparison.settings, comparison.table,
                             comparison.timeseries, per_replication, directory)


def sweep(scenario: ScenarioLike = None, parameters: Mapping[str, Any] | None = None, *, method: str | None = None,
          samples: int | None = None, arms: Mapping[str, Arm | Mapping[str, Any]] | None = None,
          replications: int | None = None, seed: int | None = None,
          strategies: Mapping[str, Strategy] | None = None, workers: int | None = None,
          scheduler: str | None = None, out: str | Path | None = None, reuse: bool = True, progress: bool = False,
          **overrides: Any) -> SweepResults:
    """Run every sample of a design over scenario parameters, each with the same replications.

    ``parameters`` maps a dotted path to a list of values or a ``(low, high)`` range (or
    ``{"low": ..., "high": ..., "integer": True}``); ``method`` is ``grid`` (default), ``latin_hypercube``
    or ``sobol`` (then Sobol indices too); ``samples`` as in a scenario's ``sweep`` section. Without
    ``parameters``, the scenario's ``sweep`` section. With ``arms`` (as :func:`compare` takes them),
    every arm runs the whole design on the same seeds, and the rows get an ``arm`` column; with
    ``out``, each arm's results go to ``out/<arm>/``, and :func:`sim.load_results` reads ``out`` back
    as the crossed results. ``progress`` shows a bar of finished runs
    (as for the other functions)."""
    spec = _scenario_of(scenario, overrides, sweep)
    if parameters is not None:
        section = {"method": method or "grid", "parameters": {path: _range(value) for path, value in parameters.items()}}
        if samples is not None:
            section["samples"] = samples
        spec = scenario_with(spec, {"sweep": section}, "sweep(parameters=...)")
    elif method is not None or samples is not None:
        raise ValueError("method and samples describe a design: give parameters too, or set them in the scenario")
    if spec.sweep is None:
        raise ScenarioError(f"{spec.name}: sweep: the scenario has no sweep section; give parameters="
                            "{'firms.NAME.price': [0.9, 1.0, 1.1]}, or a [sweep] section in the file")
    replications, seed = _defaults(spec, replications, seed)
    arm_runs = _arm_runs(spec, arms, strategies) if arms is not None else {None: ArmRun(spec, {}, strategies or {})}
    if None in arm_runs:
        return _sweep_one(arm_runs[None], replications, seed, workers, scheduler, out and Path(out), reuse, progress,
                          "runs")
    with _output(out) as directory:
        if directory is not None:
            clear_manifest(directory)
        folders = {name: safe_name(name) for name in arm_runs}
        if len(set(folders.values())) < len(folders):
            raise ValueError(f"arms: {sorted(arm_runs)} give the same folder names {sorted(folders.values())}; rename one")
        by_arm = {name: _sweep_one(arm, replications, seed, workers, scheduler, directory and directory / folders[name],
                                   reuse, progress, f"{name}: runs")
                  for name, arm in arm_runs.items()}
        if directory is not None:  # last: the directory is finished
            write_manifest(directory, "sweep_arms", spec, seed, replications, {}, arms=folders)
    return SweepResults.crossed(spec, seed, replications, by_arm, directory)


def calibrate(scenario: ScenarioLike, observed: Sequence[float], parameters: Mapping[str, tuple[float, float]], *,
              firm: str | None = None, replications: int | None = None, seed: int | None = None,
              method: str = "nelder-mead", log_scale: bool = True, max_evaluations: int = 300,
              strategies: Mapping[str, Strategy] | None = None, workers: int | None = None,
              scheduler: str | None = None, out: str | Path | None = None, **overrides: Any) -> _calibration.Calibration:
    """Fit ``parameters`` (dotted path -> (low, high)) so that the simulated retention curve of
    ``firm``'s customers at the start explains ``observed`` (counts or shares alive at t = 0, 1, ...),
    by maximum likelihood, with the sBG model fitted beside it (:mod:`sim.calibration`). Each
    evaluation pools ``replications`` runs on the same seeds (defaults: the scenario's). The search
    is sequential; ``workers`` processes (default: the cores, at most one per run of an
    evaluation, or of a differential-evolution generation) or a Dask ``scheduler`` compute each
    evaluation's runs side by side, kept for the whole search. ``results.curves`` holds observed,
    simulated and sBG survival per period; ``results.project(steps, cohort)`` projects the fitted
    scenario ahead on the same workers. With ``out``, the directory ``marketsim calibrate`` writes
    (calibration.json, the curves table, the plot), its projection to the scenario's ``run.steps``."""
    spec = _scenario_of(scenario, overrides, calibrate)
    replications, seed = _defaults(spec, replications, seed)
    batch = _calibration.runs_at_once(method, len(parameters), replications)
    engine = _engine(spec, workers, scheduler, batch)
    with _output(out) as directory:
        fit = _calibration.calibrate(spec, observed, dict(parameters), firm=firm, replications=replications,
                                     seed=seed, method=method, log_scale=log_scale, max_evaluations=max_evaluations,
                                     strategies=ship(spec, strategies), engine=engine)
        if directory is not None:
            from .outputs.calibration import write_calibration_outputs

            report = _calibration.document(fit, spec, method, seed, spec.run.steps)
            write_calibration_outputs(directory, spec, seed, replications, report)
    return fit


# ------------------------------------------------------------ details ---


def _scenario_of(scenario: ScenarioLike, overrides: Mapping[str, Any], function: Callable[..., Any]) -> Scenario:
    """The validated scenario: a file (overrides applied as it is read, so errors name the file), a
    Scenario with the overrides applied, or the default scenario. A keyword that is neither a
    scenario path nor an argument of ``function`` is refused as Python would (a TypeError)."""
    paths = keywords.dotted(overrides, function)
    if isinstance(scenario, str | Path):
        return load_scenario(scenario, paths or None)
    if scenario is not None and not isinstance(scenario, Scenario):
        raise TypeError(f"scenario: expected a path or a Scenario, got {type(scenario).__name__}")
    base = scenario if scenario is not None else Scenario()
    return scenario_with(base, paths, "overrides") if paths else base


def _defaults(spec: Scenario, replications: int | None, seed: int | None) -> tuple[int, int]:
    replications = spec.run.replications if replications is None else replications
    seed = spec.run.seed if seed is None else seed
    if not isinstance(replications, int) or replications < 1:
        raise ValueError(f"replications: expected a whole number of at least 1, got {replications!r}")
    if not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed: expected a non-negative whole number, got {seed!r}")
    if spec.run.steps == 0:
        raise ScenarioError(f"{spec.name}: run.steps is 0: there is nothing to simulate")
    return replications, seed


def _engine(spec: Scenario, workers: int | None, scheduler: str | None, runs: int) -> Engine:
    """A Dask cluster at ``scheduler``, else a pool of ``workers`` local processes (default: the
    cores, at most one per run); refused up front if the models cannot fit in memory."""
    if workers is not None and (not isinstance(workers, int) or workers < 1):
        raise ValueError(f"workers: expected a whole number of at least 1, got {workers!r}")
    workers = max(1, min(workers or default_workers(), runs))
    engine = make_engine(workers, scheduler)
    check_memory(spec, runs, workers=0 if scheduler else workers)
    if not scheduler and workers > 1:
        from .compiled import prepare

        prepare()  # compile once here, so each worker loads the kernels from the cache
    return engine


def _arm_runs(spec: Scenario, arms: Mapping[str, Arm | Mapping[str, Any]] | None,
              strategies: Mapping[str, Strategy] | None) -> dict[str, ArmRun]:
    """Each arm's scenario, settings and strategies, validated (a mistake names its arm)."""
    if arms is None:
        from .runs.comparison import arm_runs

        return {name: ArmRun(arm.scenario, arm.settings, dict(strategies or {})) for name, arm in arm_runs(spec).items()}
    if not arms:
        raise ValueError("arms: give at least one arm (the first is the baseline)")
    out = {}
    for name, arm in arms.items():
        if not isinstance(name, str) or not name:
            raise ValueError(f"arms: an arm's name must be a non-empty string, got {name!r}")
        if isinstance(arm, Strategy):
            raise TypeError(f"arms[{name!r}]: a strategy needs its firm: Arm(strategies={{'FIRM': ...}})")
        arm = arm if isinstance(arm, Arm) else Arm(set=dict(arm))
        arm_spec = scenario_with(spec, dict(arm.set), f"arms[{name!r}]") if arm.set else spec
        given = {**(strategies or {}), **arm.strategies}
        ship(arm_spec, given)  # a strategy for an unknown firm, or not a Strategy, names its arm now
        settings = {**arm.set, **{f"firms.{firm}.strategy": repr(s) for firm, s in arm.strategies.items()}}
        out[name] = ArmRun(arm_spec, settings, given)
    return out


def _range(value: Any) -> Any:
    """A sweep parameter's values: a (low, high) tuple is a range; a list is values to run."""
    if isinstance(value, tuple):
        if len(value) != 2:
            raise ValueError(f"a parameter range is (low, high); got {value!r}")
        return {"low": value[0], "high": value[1]}
    return list(value) if isinstance(value, range) else value


def _sweep_one(arm: ArmRun, replications: int, seed: int, workers: int | None, scheduler: str | None,
               out: Path | None, reuse: bool, progress: bool, label: str) -> SweepResults:
    from .analysis.design import sweep_design
    from .outputs.sweep_tables import sample_summary

    points = len(sweep_design(arm.scenario.sweep, seed).points)
    engine = _engine(arm.scenario, workers, scheduler, points * replications)
    with _output(out) as directory, _progress(progress, points * replications, label) as on_progress:
        result = run_sweep(arm.scenario, replications, seed, engine, _store(directory), on_progress, reuse=reuse,
                           strategies=arm.strategies)
        if directory is not None:
            from .outputs.sweep import write_sweep_outputs

            write_sweep_outputs(directory, arm.scenario, seed, replications, result)
    firms = [f.name for f in arm.scenario.firms]
    design = {"method": result.design.method, "parameters": result.design.parameters,
              "points": result.design.points, "base_samples": result.design.base_samples}
    return SweepResults(arm.scenario, seed, replications, design, long_rows(result),
                        sample_summary(result.rows, result.design.parameters, firms), result.sensitivity, directory)


@contextlib.contextmanager
def _output(out: str | Path | None) -> Iterator[Path | None]:
    """The output directory, created and held (:mod:`sim.cli.lock`) while the call writes into it."""
    if out is None:
        yield None
        return
    from .cli.lock import DirectoryLock

    directory = Path(out)
    directory.mkdir(parents=True, exist_ok=True)
    lock = DirectoryLock(directory)
    lock.acquire()  # DirectoryBusy names the process that holds it
    try:
        yield directory
    finally:
        lock.release()


@contextlib.contextmanager
def _progress(show: bool, total: int, label: str) -> Iterator[Callable[[BatchProgress], None] | None]:
    """A progress bar of finished runs on stderr (in a notebook, under the cell) when ``show``."""
    if not show:
        yield None
        return
    from .runs.progress import batch_progress

    with batch_progress(total, label) as on_progress:
        yield on_progress


def _store(directory: Path | None) -> RunStore | None:
    return RunStore(directory / "runs") if directory is not None else None
