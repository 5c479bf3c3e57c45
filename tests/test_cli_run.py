"""``marketsim run`` writes the documented output contract."""

from __future__ import annotations

import json
import struct

import pandas as pd
import pytest

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
        image = (out / png).read_bytes()
        assert image[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", image[16:24]) == (1280, 720), "16:9, slide size"
        assert (out / png.replace(".png", ".svg")).read_text().startswith("<?xml")
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


def assert_fits(text: str, columns: int) -> None:
    """Every line within the terminal, no cell cut to an ellipsis."""
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= columns, text


def test_summary_table_fits_80_columns_with_units_and_the_named_currency(tmp_path):
    out = tmp_path / "out"
    result = marketsim("run", str(ROOT / "scenarios" / "quickstart.toml"), "--out", str(out), "-r", "3",
                       "--set", "market.customers=300", "--set", "run.steps=6", "--set", "run.currency=EUR",
                       "--set", "run.periods_per_year=4", columns=80)
    assert result.returncode == 0, result.stderr
    assert_fits(result.stdout, 80)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["currency"] == "EUR" and summary["periods_per_year"] == 4
    assert summary["units"]["retention_rate"] == "fraction per quarter"
    assert summary["units"]["customer_equity"] == "EUR"
    table = result.stdout
    for firm in ("Budget", "Middle", "Premium"):
        assert firm in table
        budget = summary["firms"][firm]
        ce = budget["customer_equity"]["mean"]
        assert f"{ce:,.0f}" in table  # the mean, whole
    assert "% per quarter" in table and "% per year" in table and "EUR, at end" in table
    for firm in summary["firms"].values():
        per_period, per_year = firm["retention_rate"], firm["retention_rate_annual"]
        assert per_year["mean"] == pytest.approx(per_period["mean"] ** 4)
        assert per_year["ci95"] == pytest.approx([x ** 4 for x in per_period["ci95"]])
        assert f"{100 * per_period['mean']:.1f} %" in table


def test_many_firms_split_into_tables_that_each_fit(tmp_path):
    firms = "".join(f'[[firms]]\nname = "Firm number {i}"\n' for i in range(7))
    path = tmp_path / "many.toml"
    path.write_text(f'name = "many"\n[run]\nsteps = 3\nreplications = 2\n[market]\ncustomers = 200\n{firms}')
    result = marketsim("run", str(path), "--out", str(tmp_path / "out"), "--workers", "1", columns=80)
    assert result.returncode == 0, result.stderr
    assert_fits(result.stdout, 80)
    assert "(1 of 3)" in result.stdout and "(3 of 3)" in result.stdout
    summary = result.stdout.split("Who leads each segment")[0]
    for i in range(7):
        assert summary.count(f"Firm number {i}") == 1, "each firm in exactly one of the tables"
