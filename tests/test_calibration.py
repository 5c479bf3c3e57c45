"""Calibration to an observed retention curve (sim/calibration.py, ``marketsim calibrate``)."""

from __future__ import annotations

import json
import struct

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from sim.calibration import (calibrate, cohort_survival, fit_sbg, log_likelihood, observed_survival, project,
                             sbg_survival, with_parameters)
from sim.cli.calibrate import parse_observed
from sim.cli.main import main
from sim.scenario import ScenarioError, scenario_with, validate_document
from sim.validation.analytic import cohort_scenario

from .conftest import ROOT, marketsim

REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241]  # Fader & Hardie (2007), years 0-7
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491]
BETA = ("market.segments[0].base_defection_beta[0]", "market.segments[0].base_defection_beta[1]")


@pytest.mark.parametrize("data, published", [(REGULAR, (0.704, 1.182)), (HIGH_END, (0.668, 3.806))])
def test_sbg_fit_reproduces_fader_and_hardie(data, published):
    """The maximum-likelihood estimates Fader & Hardie (2007) report for these data."""
    assert fit_sbg(data) == pytest.approx(published, abs=1e-3)


def sbg_standard_errors(a: float, b: float, observed: np.ndarray) -> np.ndarray:
    """Standard errors of (a, b) from the observed information (numerical Hessian of the sBG log-likelihood)."""
    share, cohort = observed_survival(observed)
    t = np.arange(share.size)

    def ll(x):
        return log_likelihood(sbg_survival(x[0], x[1], t), share, cohort)

    x, h = np.array([a, b]), np.array([a, b]) * 1e-3
    hessian = np.empty((2, 2))
    for i in range(2):
        for j in range(2):
            ei, ej = np.eye(2)[i] * h[i], np.eye(2)[j] * h[j]
            hessian[i, j] = (ll(x + ei + ej) - ll(x + ei - ej) - ll(x - ei + ej) + ll(x - ei - ej)) / (4 * h[i] * h[j])
    return np.sqrt(np.diag(np.linalg.inv(-hessian)))


def test_calibration_recovers_known_heterogeneity():
    """Data made by the model with known Beta(a, b) (everything else off, so the exact model is sBG):
    the calibrated a and b are within 4 standard errors of the truth, the errors being those of the
    maximum-likelihood estimate for a cohort of the observed size."""
    a, b, cohort = 0.8, 2.5, 2000
    data = np.round(cohort_survival(cohort_scenario(cohort, 8, a, b), seed=5, steps=8) * cohort)
    fitted = calibrate(cohort_scenario(8000, 8, 1.0, 1.0), data, {BETA[0]: (0.1, 10.0), BETA[1]: (0.1, 20.0)},
                       replications=1, seed=3, max_evaluations=120)
    se = sbg_standard_errors(*fit_sbg(data), data)
    # the simulated curve has its own sampling error (8000 simulated against 2000 observed customers)
    tolerance = 4 * se * np.sqrt(1 + cohort / 8000)
    assert np.all(np.abs(np.array(list(fitted.parameters.values())) - [a, b]) < tolerance), (fitted.parameters, se)
    assert fitted.rmse < 4 * np.sqrt(0.25 / cohort)


def test_one_parameter_fit_finds_an_interior_optimum():
    """A constant defection probability p = 0.15, searched over [0.001, 0.6] from the middle of the
    (log) box: the fit lands within 4 standard errors of p (binomial: sqrt(p(1-p)/customer-periods at
    risk), inflated for the simulated cohort's own noise), not on a bound."""
    p, cohort, steps = 0.15, 2000, 6
    constant = scenario_with(cohort_scenario(cohort, steps, 1.0, 1.0),
                             {"market.segments[0].base_defection_beta": None, "market.segments[0].base_defection": p})
    data = np.round(cohort_survival(constant, seed=8, steps=steps) * cohort)
    fitted = calibrate(scenario_with(constant, {"market.customers": 8000}), data,
                       {"market.segments[0].base_defection": (0.001, 0.6)}, replications=1, seed=4, max_evaluations=60)
    at_risk = data[:-1].sum()
    se = np.sqrt(p * (1 - p) / at_risk) * np.sqrt(1 + cohort / 8000)
    assert fitted.parameters["market.segments[0].base_defection"] == pytest.approx(p, abs=4 * se)


def test_projection_interval_is_for_a_cohort_of_the_observed_size():
    scenario = cohort_scenario(100, 6, 1.0, 3.0)
    small, large = project(scenario, 6, cohort=100, replications=60), project(scenario, 6, cohort=2000, replications=60)
    assert np.all(small["low"] <= small["mean"]) and np.all(small["mean"] <= small["high"])
    assert (small["high"] - small["low"])[-1] > 2 * (large["high"] - large["low"])[-1]
    assert small["mean"][-1] == pytest.approx(sbg_survival(1.0, 3.0, 6), abs=4 * np.sqrt(0.25 / 6000))


def test_pair_elements_and_paths_are_set_and_checked():
    scenario = cohort_scenario(10, 2, 1.0, 1.0)
    changed = with_parameters(scenario, BETA, [0.5, 4.0])
    assert changed.market.segments[0].base_defection_beta == (0.5, 4.0)
    with pytest.raises(ScenarioError, match="base_defection"):
        with_parameters(scenario, ["market.segments[0].base_defection"], [1.5])
    with pytest.raises(ScenarioError, match="not set in the scenario"):
        with_parameters(validate_document({"name": "plain"}, "plain"), BETA[:1], [0.5])
    with pytest.raises(ScenarioError, match="unknown key"):
        calibrate(scenario, REGULAR, {"market.segments[0].base_defectoin": (0.01, 0.5)})


@pytest.mark.parametrize("data, message", [([1000, 900], "at least 3"), ([1000, 900, 950], "not increase"),
                                           ([0, 0, 0], "positive first")])
def test_impossible_curves_are_refused(data, message):
    with pytest.raises(ValueError, match=message):
        observed_survival(data)


def test_cli_fits_projects_and_writes_json(tmp_path):
    done = marketsim("calibrate", "docs/validation/cohort.toml", "--observed", ",".join(map(str, HIGH_END)),
                     "--param", f"{BETA[0]}=0.05:20", "--param", f"{BETA[1]}=0.05:50",
                     "--set", "market.customers=2000", "--max-evaluations", "15", "--projections", "10",
                     "--project-to", "10", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "calibration.json").read_text())
    assert set(report["fit"]["parameters"]) == set(BETA)
    assert report["projection"]["t"] == list(range(11))
    sim = report["projection"]["simulation"]
    assert all(lo <= m <= hi for lo, m, hi in zip(sim["low"], sim["mean"], sim["high"], strict=True))
    assert report["sbg"]["a"] == pytest.approx(0.668, abs=1e-3)
    assert "at most 15 evaluations of 2 run(s) each" in done.stderr, "progress shows the budget"
    table = done.stdout.split("Share of the cohort still a customer")[1]
    rows = {line.split()[0]: line.split()[1:] for line in table.splitlines() if line[:1].isdigit()}
    assert list(rows) == [str(t) for t in range(11)], "every period, observed and projected"
    for t, share in enumerate(report["observed"]["survival"]):
        assert rows[str(t)][:2] == [f"{100 * share:.1f}", "%"], "observed, for every observed period"
        assert rows[str(t)][2:4] == [f"{100 * report['fit']['survival'][t]:.1f}", "%"], "against fitted"
    image = (tmp_path / "calibration.png").read_bytes()
    assert image[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", image[16:24]) == (1280, 720)
    assert (tmp_path / "calibration.svg").read_text().startswith("<?xml")
    curves = pd.read_parquet(tmp_path / "curves.parquet")
    pd.testing.assert_frame_equal(curves, pd.read_csv(tmp_path / "curves.csv"), check_exact=True)
    assert list(curves.columns) == ["t", "observed", "fitted", "projected", "projected_low", "projected_high", "sbg"]
    assert curves["sbg"].tolist() == report["projection"]["sbg"]
    assert json.loads((tmp_path / "results.json").read_text())["tables"] == {"curves": "curves.parquet"}


@pytest.mark.parametrize("args, message", [
    (["--observed", "1000,abc,400"], "'abc' is not a number"),
    (["--observed", "1000,600,700"], "must not increase"),
    (["--observed", "1000,600,400", "--param", "x=5:1"], "LOW < HIGH"),
    (["--observed", "1000,600,400", "--param", "market.segments[0].nope=0:1"], "unknown key"),
    (["--observed", "1000,600,400", "--firm", "Nobody"], "no such firm"),
    (["--observed", "1000,600,400", "--scheduler", "nowhere"], "expected a scheduler's address"),
])
def test_cli_reports_mistakes_and_writes_nothing(tmp_path, args, message):
    """Exit code 2 and a message naming the problem (in process: the subprocess path is covered above)."""
    if "--param" not in args:
        args = [*args, "--param", f"{BETA[0]}=0.1:5"]
    done = CliRunner().invoke(main, ["calibrate", str(ROOT / "docs/validation/cohort.toml"), *args,
                                     "--out", str(tmp_path / "o"), "--max-evaluations", "5"])
    assert done.exit_code == 2, done.output
    assert message in " ".join(done.output.split())
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("content", ["year,alive\n0,1000\n1,869\n2,743\n", "alive\n1000\n869\n743\n", "1000,869,743\n"])
def test_observed_curve_from_a_file(tmp_path, content):
    path = tmp_path / "retention.csv"
    path.write_text(content)
    assert parse_observed(str(path)) == [1000.0, 869.0, 743.0]
