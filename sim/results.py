"""Results as data: what :func:`sim.run_replications`, :func:`sim.compare` and
:func:`sim.sweep` return, and :func:`load_results`, which reads a finished
``run``, ``compare`` or ``sweep`` output directory back as the same objects.

Every field that holds a table is a pandas DataFrame in long form (one row
per observation, one column per variable), as in the files: a run's
``timeseries`` has one row per replication, period and firm; a comparison's
has an ``arm`` column first; a sweep's ``rows`` one row per sample,
replication and firm. The plot methods return matplotlib Figures, to restyle
or save as you like.

An output directory is finished when its manifest, ``results.json``, exists:
the writers put it there last. It names the kind of result, the scenario run
(as validated), the seed and replications, and every table's Parquet file;
:func:`load_results` reads those (the CSV files beside them hold the same).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from .outputs import units
from .outputs.manifest import FORMAT, MANIFEST
from .outputs.summary import long_summary, per_replication, summarize
from .scenario import Scenario


def summary_table(frame: pd.DataFrame, periods_per_year: int = 12) -> pd.DataFrame:
    """Per firm and summary metric: the mean over replications and its 95 % interval (long form:
    firm, metric, mean, ci_low, ci_high), as summary.json gives them."""
    return long_summary(summarize(frame, periods_per_year))


@dataclass
class RunResults:
    """Seeded replications of one scenario.

    ``timeseries``: replication, step, firm, then every firm metric per period.
    ``per_replication``: replication, firm, then each summary metric of the whole run.
    ``summary``: firm, metric, mean, ci_low, ci_high (95 % over replications).
    ``segments``: per replication, period, segment and firm (when asked for; else None).
    """

    scenario: Scenario
    seed: int
    replications: int
    timeseries: pd.DataFrame
    per_replication: pd.DataFrame
    summary: pd.DataFrame
    segments: pd.DataFrame | None = None
    strategies: dict[str, str] = field(default_factory=dict)
    """Firm -> the strategy object given for it (its repr)."""
    directory: Path | None = None
    """Where the results were written or read from, if anywhere."""

    @classmethod
    def of(cls, scenario: Scenario, seed: int, replications: int, timeseries: pd.DataFrame,
           segments: pd.DataFrame | None = None, strategies: dict[str, str] | None = None,
           directory: Path | None = None) -> RunResults:
        """The results of the runs in ``timeseries`` (the summaries computed from it)."""
        return cls(scenario, seed, replications, timeseries, per_replication(timeseries),
                   summary_table(timeseries, scenario.run.periods_per_year), segments, dict(strategies or {}),
                   directory)

    def plot(self, metric: str = "market_share") -> Figure:
        """Each firm's ``metric`` per period: the mean over replications and its 95 % band."""
        from .outputs.plots import line_plot

        self._check_metric(metric)
        run = self.scenario.run
        title = f"{units.name(metric).capitalize()}: {self.scenario.name}, {self.replications} replications"
        return line_plot(self.timeseries, metric, title, units.label(metric, run.currency, run.periods_per_year))

    def figures(self) -> dict[str, Figure]:
        """The report's plots (market share, retention, customer equity, satisfaction mix) by name."""
        from .outputs.plots import run_figures

        return run_figures(self.timeseries, self.scenario.run.currency, self.scenario.run.periods_per_year)

    def _check_metric(self, metric: str) -> None:
        if metric not in self.timeseries.columns or metric in ("replication", "step", "firm"):
            known = [c for c in self.timeseries.columns if c not in ("replication", "step", "firm")]
            raise ValueError(f"unknown metric {metric!r}; the time series has: {', '.join(known)}")


@dataclass
class ComparisonResults:
    """Arms of a comparison run with common random numbers; the first arm is the baseline.

    ``table``: per arm, firm and metric the mean, its 95 % interval, and the paired difference from
    the baseline with its interval and p-value. ``timeseries``: arm, replication, step, firm,
    metrics. ``per_replication``: arm, replication, firm, summary metrics.
    """

    scenario: Scenario
    seed: int
    replications: int
    baseline: str
    arms: dict[str, dict[str, Any]]
    """Arm -> what it sets (dotted paths; a strategy given as an object appears as its repr)."""
    table: pd.DataFrame
    timeseries: pd.DataFrame
    per_replication: pd.DataFrame
    directory: Path | None = None

    def plot(self, metrics: dict[str, str] | None = None) -> Figure:
        """A forest plot of every arm's paired difference from the baseline (95 % intervals)."""
        from .analysis.forest import forest_figure

        return forest_figure(self.table, self.baseline, metrics)

    def differences(self, metric: str = "customer_equity") -> pd.DataFrame:
        """The paired differences from the baseline in ``metric``: arm, firm, diff, its interval, p."""
        rows = self.table[(self.table["metric"] == metric) & (self.table["arm"] != self.baseline)]
        return rows[["arm", "firm", "diff", "diff_ci_low", "diff_ci_high", "p_value"]].reset_index(drop=True)


@dataclass
class SweepResults:
    """Samples of a sweep design, each run with the same replications (common random numbers).

    ``rows``: sample, replication, seed, the swept parameters, firm, then each summary metric
    (with an ``arm`` column first when arms were crossed with the design). ``summary``: per sample,
    firm and metric, the mean and 95 % interval. ``sensitivity``: Sobol indices for a Sobol design.
    """

    scenario: Scenario
    seed: int
    replications: int
    design: dict[str, Any]
    """method, parameters (dotted paths) and points (one dict per sample)."""
    rows: pd.DataFrame
    summary: pd.DataFrame
    sensitivity: pd.DataFrame | None = None
    directory: Path | None = None

    @property
    def parameters(self) -> list[str]:
        return list(self.design["parameters"])

    def means(self, metric: str = "customer_equity") -> pd.DataFrame:
        """Per sample (and arm): the swept values, then each firm's mean ``metric`` over replications."""
        keys = [c for c in ("arm", "sample") if c in self.rows.columns]
        wide = self.rows.pivot_table(index=[*keys, *self.parameters], columns="firm", values=metric,
                                     aggfunc="mean", sort=False)
        wide.columns.name = None
        return wide.reset_index()

    def plot(self, parameter: str | None = None) -> Figure:
        """Each firm's customer equity and profit against one swept parameter (the first if none)."""
        from .outputs.plots import sweep_plot

        parameter = parameter or self.parameters[0]
        if parameter not in self.parameters:
            raise ValueError(f"{parameter!r} was not swept; the sweep's parameters: {', '.join(self.parameters)}")
        summary = self.summary
        if "arm" in summary.columns:
            raise ValueError("this sweep crossed arms with its design: plot one arm's results, e.g. "
                             "results.for_arm(name).plot()")
        firms = list(dict.fromkeys(self.rows["firm"]))  # points joined only when nothing else varies
        return sweep_plot(summary, parameter, firms, self.scenario.run.currency, connect=len(self.parameters) == 1)

    def sobol_plot(self) -> Figure:
        """The Sobol indices as bars with their 95 % intervals."""
        from .outputs.plots import sobol_plot
        from .outputs.sweep_tables import sobol_warning

        if self.sensitivity is None:
            raise ValueError(f"a {self.design['method']} design has no Sobol indices; use sweep method 'sobol'")
        return sobol_plot(self.sensitivity, sobol_warning(self.sensitivity, self.design.get("base_samples", 0)))

    @classmethod
    def crossed(cls, scenario: Scenario, seed: int, replications: int, by_arm: dict[str, SweepResults],
                directory: Path | None = None) -> SweepResults:
        """Arms crossed with one design: each arm's results, every table with an ``arm`` column first."""
        def stacked(pick) -> pd.DataFrame | None:
            frames = [pick(r).assign(arm=name) for name, r in by_arm.items() if pick(r) is not None]
            if not frames:
                return None
            combined = pd.concat(frames, ignore_index=True)
            return combined[["arm", *[c for c in combined.columns if c != "arm"]]]

        first = next(iter(by_arm.values()))
        return cls(scenario, seed, replications, first.design, stacked(lambda r: r.rows), stacked(lambda r: r.summary),
                   stacked(lambda r: r.sensitivity), directory)

    def for_arm(self, arm: str) -> SweepResults:
        """The results of one arm of a sweep crossed with arms."""
        if "arm" not in self.rows.columns:
            raise ValueError("this sweep has no arms")
        arms = list(dict.fromkeys(self.rows["arm"]))
        if arm not in arms:
            raise ValueError(f"no arm {arm!r}; the arms are {', '.join(arms)}")

        def only(frame: pd.DataFrame | None) -> pd.DataFrame | None:
            if frame is None:
                return None
            return frame[frame["arm"] == arm].drop(columns="arm").reset_index(drop=True)

        return SweepResults(self.scenario, self.seed, self.replications, self.design, only(self.rows),
                            only(self.summary), only(self.sensitivity), self.directory)


Results = RunResults | ComparisonResults | SweepResults


def load_results(directory: str | Path) -> Results:
    """Read a finished ``run``, ``compare`` or ``sweep`` output directory back as the object
    :func:`sim.run_replications`, :func:`sim.compare` or :func:`sim.sweep` returned.

    A directory without a manifest (``results.json``) is not a finished output directory: its
    command was interrupted before the end, or it was written by an older version. The directory
    of a sweep crossed with arms (``sim.sweep(..., arms=..., out=OUT)``) reads back with every
    arm's results, as the call returned them.
    """
    directory = Path(directory)
    manifest_path = directory / MANIFEST
    if not directory.is_dir():
        raise FileNotFoundError(f"{directory}: no such directory")
    if not manifest_path.is_file():
        raise FileNotFoundError(f"{directory}: no {MANIFEST}; not a finished marketsim output directory (its command "
                                "did not finish, or an older version wrote it); run the command again")
    manifest = json.loads(manifest_path.read_text())
    if manifest.get("format") != FORMAT:
        raise ValueError(f"{manifest_path}: format {manifest.get('format')!r}, expected {FORMAT!r}")
    scenario = Scenario.model_validate(manifest["scenario"])
    if manifest["kind"] == "sweep_arms":  # a sweep crossed with arms: one directory per arm inside
        by_arm = {name: load_results(directory / folder) for name, folder in manifest["arms"].items()}
        return SweepResults.crossed(scenario, manifest["seed"], manifest["replications"], by_arm, directory)
    tables = {stem: pd.read_parquet(directory / name) for stem, name in manifest["tables"].items()}
    common = {"scenario": scenario, "seed": manifest["seed"], "replications": manifest["replications"],
              "directory": directory}
    kind = manifest["kind"]
    if kind == "run":
        return RunResults(timeseries=tables["timeseries"], per_replication=tables["per_replication"],
                          summary=tables["summary"], segments=tables.get("segments"),
                          strategies=manifest.get("strategies", {}), **common)
    if kind == "compare":
        return ComparisonResults(baseline=manifest["baseline"], arms=manifest["arms"], table=tables["comparison"],
                                 timeseries=tables["timeseries"], per_replication=tables["per_replication"], **common)
    if kind == "sweep":
        return SweepResults(design=manifest["design"], rows=tables["sweep"], summary=tables["sweep_summary"],
                            sensitivity=tables.get("sensitivity"), **common)
    raise ValueError(f"{manifest_path}: a {kind} directory, not a run, compare or sweep result; read its tables "
                     f"with pandas.read_parquet: {', '.join(manifest['tables'].values())}")
