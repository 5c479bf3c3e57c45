"""Intervals over replications respect the bounds of rates and shares."""

from __future__ import annotations

import numpy as np
import pytest

from sim.outputs.summary import BOUNDED, interval, mean_ci, proportion_ci


@pytest.mark.parametrize("values", [[0.99, 0.995, 0.97], [0.0, 0.0, 0.01], [0.2, 0.0, 0.9, 1.0]])
def test_a_rate_near_its_bound_gets_an_interval_inside_zero_and_one(values):
    t_lo, t_hi = mean_ci(values)["ci95"]
    assert t_lo < 0 or t_hi > 1, "the plain t interval leaves [0, 1] here"
    result = proportion_ci(values)
    lo, hi = result["ci95"]
    assert 0 < lo <= result["mean"] <= hi < 1
    assert result["mean"] == pytest.approx(np.mean(values))


def test_away_from_the_bounds_the_logit_interval_is_the_t_interval():
    values = np.random.default_rng(1).normal(0.5, 0.002, size=20)
    assert proportion_ci(values)["ci95"] == pytest.approx(mean_ci(values)["ci95"], abs=1e-5)


def test_the_logit_interval_is_the_delta_method_t_interval_mapped_back():
    values = np.array([0.9, 0.95, 0.92, 0.97])
    m, s, n = values.mean(), values.std(ddof=1), values.size
    half = 3.182446305284263 * s / np.sqrt(n) / (m * (1 - m))  # t(3) quantile 0.975
    logit = np.log(m / (1 - m))
    expected = [1 / (1 + np.exp(-(logit - half))), 1 / (1 + np.exp(-(logit + half)))]
    assert proportion_ci(values)["ci95"] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("values", [[1.0, 1.0, 1.0], [0.0, 0.0], [0.4]])
def test_equal_values_give_a_zero_width_interval(values):
    assert proportion_ci(values)["ci95"] == [values[0], values[0]]


def test_bounded_figures_use_the_logit_interval_and_money_the_t_interval():
    assert {"retention_rate", "market_share", "share_of_customer", "mean_satisfaction"} <= BOUNDED
    values = [0.99, 0.995, 0.97]
    assert interval(values, "retention_rate") == proportion_ci(values)
    assert interval(values, "profit") == mean_ci(values)
