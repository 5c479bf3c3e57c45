"""``marketsim sweep``: designs, Sobol indices, output rows, and a sweep killed
part-way that resumes to the same result without recomputing finished runs."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.analysis import sobol_indices, sweep_design
from sim.outputs.sweep_tables import sobol_warning
from sim.runs import LocalEngine
from sim.runs.sweep import long_rows, run_sweep
from sim.scenario import ScenarioError, load_scenario
from sim.scenario.schema import Sweep

from .conftest import ROOT, marketsim, small_scenario

GRID_TOML = """
name = "grid"
[run]
steps = 6
seed = 8
replications = 2
[market]
customers = 250
[[firms]]
name = "A"
[[firms]]
name = "B"
[sweep]
method = "grid"
parameters = { "firms.A.price" = [0.9, 1.1], "firms.B.relationship" = ["basic", "accountable", "partnership"] }
"""

# 40 samples x 2 replications of quick runs: long enough to be killed part-way.
KILL_TOML = """
name = "resumable"
[run]
steps = 20
seed = 30
replications = 2
[market]
customers = 1500
[[firms]]
name = "A"
[[firms]]
name = "B"
[sweep]
method = "grid"
parameters = { "firms.A.price" = [0.8, 0.85, 0.9, 0.95, 1.0, 1.05, 1.1, 1.15, 1.2, 1.25], "firms.B.quality_investment" = [0, 100, 400, 1600] }
"""


# ------------------------------------------------------------------ designs ---

def test_a_grid_runs_every_combination_and_spaces_ranges_evenly():
    design = sweep_design(Sweep(method="grid", samples=3, parameters={
        "a": [1, 2], "b": {"low": 0.0, "high": 1.0}, "c": {"low": 1, "high": 2, "integer": True}}), seed=0)
    assert design.points == [{"a": a, "b": b, "c": c} for a, b, c in itertools.product([1, 2], [0.0, 0.5, 1.0], [1, 2])]


def test_a_latin_hypercube_puts_one_point_in_every_stratum_of_every_parameter():
    n = 12
    sweep = Sweep(method="latin_hypercube", samples=n, parameters={
        "x": {"low": 2.0, "high": 4.0}, "k": {"low": 0, "high": 5, "integer": True}, "s": ["p", "q", "r"]})
    design = sweep_design(sweep, seed=5)
    x = np.array([p["x"] for p in design.points])
    assert sorted(np.floor((x - 2.0) / 2.0 * n).astype(int)) == list(range(n))
    assert np.bincount([p["k"] for p in design.points]).tolist() == [2] * 6  # 12 strata over 6 whole numbers
    assert sorted(p["s"] for p in design.points) == ["p"] * 4 + ["q"] * 4 + ["r"] * 4
    assert sweep_design(sweep, seed=5).points == design.points
    assert sweep_design(sweep, seed=6).points != design.points


def test_sobol_sampling_uses_saltellis_scheme_and_needs_a_power_of_two():
    sweep = Sweep(method="sobol", samples=8, parameters={"x": {"low": 0.0, "high": 1.0}, "y": [1, 2]})
    assert len(sweep_design(sweep, seed=1).points) == 8 * (2 + 2)
    with pytest.raises(ValueError, match="power of two .*got 12.*try 16"):
        sweep_design(sweep.model_copy(update={"samples": 12}), seed=1)


def test_sobol_indices_of_a_known_function_are_found_within_their_confidence_intervals():
    """Y = 4 u1 + u2 with u uniform: variances 16/12 and 1/12, so S1 = ST = 16/17 and 1/17.
    Each estimate must lie within its 99 % interval (the reported 95 % half-width x 2.576 / 1.960)."""
    sweep = Sweep(method="sobol", samples=1024, parameters={"u1": {"low": 0.0, "high": 1.0},
                                                            "u2": {"low": 0.0, "high": 1.0}})
    design = sweep_design(sweep, seed=3)
    y = np.array([4 * p["u1"] + p["u2"] for p in design.points])
    indices = sobol_indices(design, y, seed=3)
    widen = stats.norm.ppf(0.995) / stats.norm.ppf(0.975)
    for name, truth in (("u1", 16 / 17), ("u2", 1 / 17)):
        for index in ("S1", "ST"):
            assert abs(indices[name][index] - truth) <= widen * indices[name][f"{index}_conf"]
    flat = sobol_indices(design, np.ones(len(design.points)), seed=3)
    assert all(np.isnan(v["S1"]) for v in flat.values())  # no variance, nothing to apportion
    table = pd.DataFrame([{"parameter": p, **v} for p, v in indices.items()])
    assert sobol_warning(table, 1024) is None, "N = 1024 pins these indices down"
    small = sweep_design(sweep.model_copy(update={"samples": 8}), seed=3)
    rough = sobol_indices(small, np.array([4 * p["u1"] + p["u2"] for p in small.points]), seed=3)
    warning = sobol_warning(pd.DataFrame([{"parameter": p, **v} for p, v in rough.items()]), 8)
    assert warning.startswith("warning: the sample is too small") and "N = 32" in warning


# ---------------------------------------------------------------- the runs ---

def test_a_sweep_has_one_row_per_sample_and_replication_with_common_random_numbers():
    scenario = small_scenario(run={"steps": 5, "replications": 2}, market={"customers": 200},
                              sweep={"method": "grid", "parameters": {"firms.A.price": [0.9, 1.0, 1.1]}})
    result = run_sweep(scenario, engine=LocalEngine(1))
    rows = result.rows
    assert list(rows[["sample", "replication"]].itertuples(index=False, name=None)) == [
        (s, k) for s in range(3) for k in range(2)]
    assert rows.groupby("replication")["seed"].nunique().tolist() == [1, 1]  # replication k: one seed
    assert {"A:customer_equity", "B:retention_rate", "firms.A.price"} <= set(rows.columns)
    assert result.sensitivity is None


def test_a_sobol_sweep_reports_indices_for_every_firm_metric_and_parameter(tmp_path: Path):
    scenario = small_scenario(run={"steps": 4, "replications": 1}, market={"customers": 150}, sweep={
        "method": "sobol", "samples": 4,
        "parameters": {"firms.A.price": {"low": 0.8, "high": 1.2}, "firms.B.promise": {"low": 0.9, "high": 1.3}}})
    result = run_sweep(scenario, engine=LocalEngine(1))
    assert len(result.rows) == 4 * (2 + 2)
    table = result.sensitivity
    assert set(itertools.product(table["firm"], table["metric"], table["parameter"])) == set(itertools.product(
        ["A", "B"], ["customer_equity", "retention_rate"], ["firms.A.price", "firms.B.promise"]))
    assert len(table) == 8 and table[["S1", "ST", "S1_conf", "ST_conf"]].notna().all().all()


def test_a_sample_the_scenario_format_rejects_is_named(tmp_path: Path):
    path = tmp_path / "bad.toml"
    path.write_text(GRID_TOML.replace('"firms.A.price" = [0.9, 1.1]', '"firms.A.price" = [0.9, -1.0]'))
    with pytest.raises(ScenarioError, match=r"bad.toml: sweep sample 3 \(firms.A.price=-1.0, firms.B.relationship='basic'\): "
                       r"firms\[0\].price: expected a number > 0"):
        run_sweep(load_scenario(path), source=str(path))


def test_the_sweep_command_writes_rows_and_the_design(tmp_path: Path):
    path = tmp_path / "grid.toml"
    path.write_text(GRID_TOML)
    out = tmp_path / "out"
    result = marketsim("sweep", str(path), "--out", str(out), "--workers", "1", columns=80)
    assert result.returncode == 0, result.stderr
    rows = pd.read_csv(out / "sweep.csv")
    assert len(rows) == 6 * 2 * 2, "one row per sample, replication and firm"
    design = json.loads((out / "design.json").read_text())
    assert design["method"] == "grid" and design["samples"] == 6 and len(design["points"]) == 6
    assert not (out / "sensitivity.csv").exists()
    assert "Customer equity and profit per sample" in result.stdout
    assert "…" not in result.stdout and max(map(len, result.stdout.splitlines())) <= 80
    summary = pd.read_csv(out / "sweep_summary.csv")
    assert list(summary.columns) == ["sample", "firms.A.price", "firms.B.relationship", "firm", "metric", "mean",
                                     "ci_low", "ci_high"]
    profit = summary.query("sample == 3 and firm == 'B' and metric == 'profit'").iloc[0]
    replications = rows.query("sample == 3 and firm == 'B'")["profit"]
    assert profit["mean"] == pytest.approx(replications.mean())
    assert profit["ci_low"] <= profit["mean"] <= profit["ci_high"]
    share = summary.query("metric == 'market_share'")
    assert (share["ci_low"] > 0).all() and (share["ci_high"] < 1).all()
    assert f"{profit['mean']:,.0f}" in result.stdout


@pytest.mark.slow  # a real interruption: a sweep process killed with SIGKILL, then the same command again
def test_a_sweep_killed_part_way_resumes_to_the_uninterrupted_result_without_recomputing(tmp_path: Path):
    path = tmp_path / "resumable.toml"
    path.write_text(KILL_TOML)
    out = tmp_path / "out"
    command = [sys.executable, "-m", "sim.cli", "sweep", str(path), "--out", str(out), "--workers", "1"]
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while len(list((out / "runs").glob("*.json"))) < 5 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    finished = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in (out / "runs").glob("*.csv")
                if p.with_suffix(".json").exists()}  # the sidecar, written last, marks a run finished
    assert 5 <= len(finished) < 80, "the sweep should have been killed part-way"
    assert not (out / "sweep.csv").exists()

    resumed = marketsim("sweep", str(path), "--out", str(out), "--workers", "1")
    assert resumed.returncode == 0, resumed.stderr
    assert f"reused {len(finished)} finished run(s)" in resumed.stderr
    assert f"computed {80 - len(finished)}" in resumed.stderr
    for name, identity in finished.items():
        p = out / "runs" / name
        assert (p.stat().st_ino, p.stat().st_mtime_ns) == identity, f"{name} was recomputed"
    assert not list(out.rglob("*.part"))

    uninterrupted = run_sweep(load_scenario(path), engine=LocalEngine(1))
    assert (out / "sweep.csv").read_text() == long_rows(uninterrupted).to_csv(index=False, lineterminator="\n")


def test_a_small_sobol_sweep_warns_in_its_output_and_its_chart(tmp_path: Path):
    path = tmp_path / "sobol.toml"
    path.write_text(GRID_TOML.replace('method = "grid"', 'method = "sobol"\nsamples = 4').replace(
        '"firms.B.relationship" = ["basic", "accountable", "partnership"]', '"firms.B.promise" = { low = 0.9, high = 1.3 }'
    ).replace('"firms.A.price" = [0.9, 1.1]', '"firms.A.price" = { low = 0.8, high = 1.2 }'))
    out = tmp_path / "out"
    result = marketsim("sweep", str(path), "--out", str(out), "--workers", "2")
    assert result.returncode == 0, result.stderr
    assert "warning: the sample is too small for these Sobol indices (N = 4" in result.stderr
    document = json.loads((out / "sensitivity.json").read_text())
    assert document["warning"].startswith("warning: the sample is too small")
    assert (out / "sobol_indices.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "sobol_indices.svg").read_text().startswith("<?xml")
    assert document["warning"] in (out / "report.html").read_text()
