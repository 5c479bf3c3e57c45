"""Limits: a scenario too large for the machine is refused up front with the
estimate; extreme numbers are refused naming the field and the bound; zero
customers, one firm, one segment and one replication run, and zero periods
fails clearly."""

from __future__ import annotations

import json
import tracemalloc

import pytest

from sim import MarketModel
from sim.outputs.files import write_table
from sim.outputs.summary import summarize
from sim.outputs.write import timeseries_table
import sim
from sim.scenario import Scenario, ScenarioError, validate_document
from sim.scenario.limits import (BYTES_PER_RESULT_ROW, PROCESS_BYTES, RESULTS_BASE, TooLarge, available_memory,
                                 check_memory, model_bytes)

from .conftest import ROOT, marketsim

HUGE = {"market": {"customers": 50_000_000}, "firms": [{"name": f"F{i}"} for i in range(40)]}
"""About 270 GiB by the estimate (the most customers and firms a scenario may have): more than any
machine these tests run on has free."""


def scenario(customers: int, firms: int, kind: str, degree: int, steps: int = 2) -> Scenario:
    return validate_document({"market": {"customers": customers, "network": {"kind": kind, "mean_degree": degree}},
                              "firms": [{"name": f"F{i}"} for i in range(firms)], "run": {"steps": steps}})


def traced_peak(work) -> int:
    """Peak bytes allocated while ``work()`` runs (NumPy reports its arrays to tracemalloc)."""
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(("firms", "kind", "degree"), [(1, "fully_mixed", 10), (3, "small_world", 10),
                                                       (6, "scale_free", 30), (3, "random", 40)])
def test_estimate_covers_a_models_measured_peak(firms, kind, degree):
    # compiling (or loading) the Numba kernels allocates once per process: not the model's memory
    MarketModel(scenario(50, firms, kind, degree), rng=1).run()
    spec = scenario(20_000, firms, kind, degree)
    peak = traced_peak(lambda: MarketModel(spec, rng=1).run())
    estimate = model_bytes(spec)
    assert peak <= estimate, f"measured {peak:,} bytes > estimate {estimate:,}: raise the constants in limits.py"
    assert estimate <= 4 * peak, f"estimate {estimate:,} is more than 4x the measured {peak:,}: too cautious"


def test_estimate_covers_gathering_and_writing_the_results(tmp_path):
    spec = scenario(10, 3, "fully_mixed", 2, steps=150)

    def gather_and_write():
        frame = sim.run_replications(spec, replications=3, seed=1, workers=1).timeseries
        write_table(tmp_path, "timeseries", timeseries_table(frame))
        summarize(frame)

    gather_and_write()  # first call: lazy imports, not counted
    assert traced_peak(gather_and_write) <= check_memory(spec, replications=3, workers=1, available=2**62)


def test_model_builder_refuses_a_huge_scenario_before_allocating():
    messages = []

    def build():
        with pytest.raises(TooLarge) as err:
            MarketModel(validate_document(HUGE))
        messages.append(str(err.value))

    assert traced_peak(build) < 50 * 2**20, "refused before the customer arrays were made"
    message = messages[0]
    assert "needs about" in message and "GiB" in message and "available" in message
    assert "50,000,000 customers x 40 firm(s)" in message and "Reduce market.customers" in message


def test_check_memory_counts_workers_and_results():
    spec = scenario(100_000, 3, "small_world", 10, steps=36)
    one = check_memory(spec, replications=1, workers=1, available=2**62)
    four = check_memory(spec, replications=10, workers=4, available=2**62)
    cluster = check_memory(spec, replications=10, workers=0, available=2**62)
    results = RESULTS_BASE + 10 * 36 * 3 * BYTES_PER_RESULT_ROW
    assert one == model_bytes(spec) + RESULTS_BASE + 36 * 3 * BYTES_PER_RESULT_ROW, "one replication runs in this process"
    assert four == 4 * (model_bytes(spec) + PROCESS_BYTES) + results, "four worker processes"
    assert cluster == results, "models on a cluster do not use this machine's memory"
    assert check_memory(spec, replications=10, workers=32, available=2**62) > four, "more workers, more memory"
    assert check_memory(spec, replications=0, workers=1, available=2**62) == model_bytes(spec), "a bare model"
    with pytest.raises(TooLarge, match=r"x\.toml: needs about .* but 1\.0 MiB is available"):
        check_memory(spec, replications=1, workers=1, source="x.toml", available=2**20)


def test_available_memory_is_known_on_this_machine():
    room = available_memory()
    assert room is not None and room > 0


@pytest.mark.parametrize(("section", "field", "value", "expected"), [
    ("market", "customers", 10**10, "market.customers: expected a number <= 50000000"),
    ("run", "steps", 100_000, "at most 89266 periods"),
    ("run", "discount_rate", 0, "run.discount_rate: expected a number >= 1e-06"),
    ("run", "replications", 0, "run.replications: expected a number >= 1"),
    ("market", "network", {"mean_degree": 10**6}, "market.network.mean_degree: expected a number <= 1000"),
    ("behaviour", "satisfaction", {"scale": 1e-300}, "behaviour.satisfaction.scale: expected a number >= 1e-09"),
])
def test_extreme_numbers_are_refused_naming_field_and_bound(section, field, value, expected):
    doc = {section: {field: value}}
    with pytest.raises(ScenarioError, match="^extreme.toml: ") as err:
        validate_document(doc, "extreme.toml")
    assert expected in str(err.value)


def test_prices_beyond_the_largest_number_are_refused():
    with pytest.raises(ScenarioError, match=r"firms\[0\]\.price: expected a number <= 1e\+12 \(got 1e\+300\)"):
        validate_document({"firms": [{"name": "A", "price": 1e300}]}, "x.toml")


# ---------------------------------------------------------- through the CLI ---

QUICK = ("--set", "market.customers=150", "--set", "run.steps=3", "--replications", "2", "--workers", "1")


def run_cli(tmp_path, *args):
    out = tmp_path / "out"
    result = marketsim("run", *args, "--out", str(out))
    assert "Traceback" not in result.stderr + result.stdout
    return result, out


def test_cli_refuses_a_scenario_too_large_for_memory(tmp_path):
    path = tmp_path / "huge.toml"
    firms = "".join(f'[[firms]]\nname = "F{i}"\n' for i in range(40))
    path.write_text(f"[market]\ncustomers = 50_000_000\n{firms}")
    result, out = run_cli(tmp_path, str(path))
    assert result.returncode == 2
    assert f"{path}: needs about" in result.stderr and "available" in result.stderr
    assert not out.exists(), "nothing written"


def test_cli_zero_customers_runs(tmp_path):
    result, out = run_cli(tmp_path, str(ROOT / "scenarios" / "quickstart.toml"), *QUICK, "--set", "market.customers=0")
    assert result.returncode == 0, result.stderr
    firms = json.loads((out / "summary.json").read_text())["firms"]
    assert list(firms) == ["Budget", "Middle", "Premium"]
    assert all(f["customers"]["mean"] == 0 and f["market_share"]["mean"] == 0 for f in firms.values())


def test_cli_one_firm_one_segment_one_replication_runs(tmp_path):
    result, out = run_cli(tmp_path, str(ROOT / "scenarios" / "key_accounts.toml"), *QUICK,
                          "--set", 'firms=[{name = "Solo"}]', "--replications", "1")
    assert result.returncode == 0, result.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["replications"] == 1 and list(summary["firms"]) == ["Solo"]
    share = summary["firms"]["Solo"]["market_share"]
    assert share["mean"] == 1.0 and share["ci95"] == [1.0, 1.0], "one replication: a zero-width interval"


def test_cli_zero_periods_fails_clearly(tmp_path):
    path = ROOT / "scenarios" / "quickstart.toml"
    result, out = run_cli(tmp_path, str(path), *QUICK, "--set", "run.steps=0")
    assert result.returncode == 2
    assert f"{path}: run.steps is 0" in result.stderr
    assert not out.exists()


def test_the_largest_number_of_firms_runs_and_one_more_is_refused(tmp_path):
    """Scale or refuse: a scenario of 40 firms (the documented limit) runs with every output;
    41 firms are refused with the limit named."""
    def scenario(firms: int):
        lines = ['name = "crowded"', "[run]", "steps = 3", "replications = 2", "[market]", "customers = 300"]
        for k in range(firms):
            lines += ["[[firms]]", f'name = "Firm{k:02d}"', f"price = {0.9 + 0.005 * k:.3f}"]
        path = tmp_path / f"crowded{firms}.toml"
        path.write_text("\n".join(lines) + "\n")
        return path

    out = tmp_path / "out"
    result = marketsim("run", str(scenario(40)), "--out", str(out), "--workers", "1")
    assert result.returncode == 0, result.stderr
    assert len(json.loads((out / "summary.json").read_text())["firms"]) == 40
    for name in ("report.html", "market_share.png", "timeseries.csv", "customer_value.csv"):
        assert (out / name).stat().st_size > 0, name
    refused = marketsim("validate", str(scenario(41)))
    assert refused.returncode == 2 and "firms: expected at most 40 entries, got 41" in refused.stderr, refused.stderr
    assert "Traceback" not in refused.stderr
