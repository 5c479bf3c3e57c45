"""Per-segment results: computed from the model's state after each period, they
agree with the firm metrics, add up over segments, and reach the output files."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sim.runs.segments import SEGMENT_METRICS, run_with_segments
from sim.scenario import load_scenario, scenario_with

from .conftest import ROOT, marketsim, small_scenario

TWO_SEGMENTS = {"customers": 700, "segments": [
    {"name": "mass", "share": 0.7, "wallet": 8, "in_market": 0.2},
    {"name": "key", "share": 0.3, "wallet": 60, "wallet_cv": 1.0, "in_market": 0.2}]}
FIRMS = [{"name": "A", "relationship": {"mass": "basic", "key": "partnership"}, "acquisition_spending": 50},
         {"name": "B", "relationship": "reactive", "promise": 1.3, "price": 0.9},
         {"name": "C", "initial_share": None, "quality": 1.3, "awareness": 0.3}]


def test_in_a_market_of_one_segment_the_segment_is_the_firm():
    scenario = small_scenario(market={"customers": 600}, firms=[{**f, "relationship": "accountable"} for f in FIRMS])
    frame, segments = run_with_segments(scenario, seed=4)
    assert len(segments) == 12 * 3 and set(segments["segment"]) == {"all"}
    both = segments.merge(frame, on=["replication", "step", "firm"], suffixes=("", "_firm"))
    for metric in SEGMENT_METRICS:
        np.testing.assert_allclose(both[metric], both[f"{metric}_firm"], rtol=1e-12, atol=1e-9, err_msg=metric)


def test_counts_and_revenue_add_up_over_segments_and_rates_stay_rates():
    frame, segments = run_with_segments(small_scenario(market=TWO_SEGMENTS, firms=FIRMS), seed=5)
    additive = ["customers", "served", "acquisitions", "defections", "revenue"]
    summed = segments.groupby(["step", "firm"], sort=False)[additive].sum().reset_index()
    both = summed.merge(frame, on=["step", "firm"], suffixes=("", "_firm"))
    for metric in additive:
        np.testing.assert_allclose(both[metric], both[f"{metric}_firm"], rtol=1e-12, err_msg=metric)
    shares = segments.groupby(["step", "segment"])["market_share"].sum()
    np.testing.assert_allclose(shares, 1.0)
    rates = segments[["retention_rate", "share_of_customer", "share_dissatisfied", "share_satisfied", "share_delighted"]]
    assert ((rates >= 0) & (rates <= 1)).all().all()
    mix = segments[["share_dissatisfied", "share_satisfied", "share_delighted"]].sum(axis=1)
    np.testing.assert_allclose(mix[segments["served"] > 0], 1.0)
    key = segments[segments["segment"] == "key"]
    assert key.loc[key["firm"] == "A", "retention_rate"].mean() > key.loc[key["firm"] == "B", "retention_rate"].mean(), \
        "A's partnership keeps its key accounts better than B's reactive level"


def test_the_run_command_writes_segments_csv_and_summary_segments(tmp_path):
    out = tmp_path / "out"
    result = marketsim("run", str(ROOT / "scenarios" / "quickstart.toml"), "--out", str(out), "-r", "3",
                       "--set", "market.customers=500", "--set", "run.steps=6", "--workers", "2", columns=80)
    assert result.returncode == 0, result.stderr
    series = pd.read_csv(out / "segments.csv")
    assert list(series.columns[:4]) == ["replication", "step", "segment", "firm"]
    assert len(series) == 3 * 6 * 2 * 3
    document = json.loads((out / "summary.json").read_text())
    segments = document["segments"]
    assert list(segments) == ["value_seekers", "premium"]
    assert list(segments["premium"]) == ["Budget", "Middle", "Premium"]
    final = series[series["step"] == 6]
    for segment, firms in segments.items():
        for firm, figures in firms.items():
            mine = final[(final["segment"] == segment) & (final["firm"] == firm)]
            assert figures["customer_equity"]["mean"] == pytest.approx(mine["customer_equity"].mean())
            for figure in figures.values():
                lo, hi = figure["ci95"]
                assert lo <= figure["mean"] <= hi
            assert 0 <= figures["market_share"]["ci95"][0] and figures["market_share"]["ci95"][1] <= 1
        leader = document["segment_leaders"][segment]["customer_equity"]
        assert leader == max(firms, key=lambda f: firms[f]["customer_equity"]["mean"])
        assert leader in result.stdout.split("Who leads each segment")[1]

    again = marketsim("run", str(ROOT / "scenarios" / "quickstart.toml"), "--out", str(out), "-r", "3",
                      "--set", "market.customers=500", "--set", "run.steps=6", "--workers", "1")
    assert "reused 3 finished run(s)" in again.stderr
    assert pd.read_csv(out / "segments.csv").equals(series), "segments read back from the store are the same"


def test_segments_of_a_shipped_scenario_use_its_segment_names():
    scenario = scenario_with(load_scenario(ROOT / "scenarios" / "key_accounts.toml"),
                             {"market.customers": 300, "run.steps": 3}, "test")
    _, segments = run_with_segments(scenario, seed=1)
    assert list(dict.fromkeys(segments["segment"])) == [s.name for s in scenario.market.segments]


def test_segments_can_be_left_out(tmp_path):
    out = tmp_path / "out"
    result = marketsim("run", str(ROOT / "scenarios" / "quickstart.toml"), "--out", str(out), "-r", "1",
                       "--set", "market.customers=200", "--set", "run.steps=2", "--no-segments")
    assert result.returncode == 0, result.stderr
    assert "segments" not in json.loads((out / "summary.json").read_text())
    assert not (out / "segments.csv").exists() and "Who leads" not in result.stdout
