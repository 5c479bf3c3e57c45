"""``marketsim run`` writes the documented output contract."""

from __future__ import annotations

import json

import pandas as pd

from sim.metrics import FIRM_METRICS

from .conftest import ROOT, marketsim

REQUIRED = ("retention_rate", "customer_equity", "market_share", "share_of_customer", "mean_satisfaction", "profit")


def test_run_writes_summary_timeseries_plots_and_report(tmp_path):
    out = tmp_path / "out"
    result = marketsim("run", str(ROOT / "scenarios" / "quickstart.toml"), "--out", str(out), "--replications", "3",
                       "--seed", "5", "--set", "market.customers=400", "--set", "run.steps=8")
    assert result.returncode == 0, result.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario"] == "quickstart" and summary["seed"] == 5 and summary["replications"] == 3
    assert list(summary["firms"]) == ["Budget", "Middle", "Premium"]
    for firm in summary["firms"].values():
        for metric in REQUIRED:
            lo, hi = firm[metric]["ci95"]
            assert lo <= firm[metric]["mean"] <= hi
    shares = sum(f["market_share"]["mean"] for f in summary["firms"].values())
    assert abs(shares - 1) < 1e-9
    series = pd.read_csv(out / "timeseries.csv")
    assert list(series.columns[:3]) == ["replication", "step", "firm"]
    assert set(FIRM_METRICS) <= set(series.columns)
    assert len(series) == 3 * 8 * 3 and series["step"].min() == 1 and series["step"].max() == 8
    for png in ("market_share.png", "retention_rate.png", "customer_equity.png", "satisfaction_mix.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert f"({png})" in (out / "report.md").read_text()
    assert "Budget" in result.stdout and "retention" in result.stdout
    assert not list(out.glob("*.part")), "no temporary files left"


def test_every_shipped_scenario_validates():
    scenarios = sorted(str(p) for p in (ROOT / "scenarios").glob("*.toml"))
    assert len(scenarios) >= 5
    result = marketsim("validate", *scenarios)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("ok:") == len(scenarios)


def test_output_directory_defaults_to_the_scenario_name(tmp_path):
    """Two scenario files of one file name in different folders write to out/<their names>."""
    for folder, name in (("a", "first"), ("b", "second")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "same.toml").write_text(f'name = "{name}"\n[run]\nsteps = 2\nreplications = 1\n'
                                                      '[market]\ncustomers = 50\n', encoding="utf-8")
        result = marketsim("run", str(tmp_path / folder / "same.toml"), "--workers", "1", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert (tmp_path / "out" / name / "summary.json").is_file()
    assert not (tmp_path / "out" / "same").exists()


def test_validate_counts_in_words():
    result = marketsim("validate", str(ROOT / "scenarios" / "over_promising.toml"))
    assert result.returncode == 0, result.stderr
    assert "1 segment," in result.stdout and "3 firms" in result.stdout and "1 segments" not in result.stdout
