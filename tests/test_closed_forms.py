"""Known closed forms. With every behavioural mechanism switched off but a
constant defection probability p, a cohort survives as (1-p)^t, and its
realised lifetime value matches m / (1 + d - r) (a customer buys, then may
defect; truncated at the horizon), within sampling error. Tolerances are z = 4 standard errors (two-sided
p ~ 6e-5 per check) computed from the exact sampling distribution."""

from __future__ import annotations

import numpy as np
import pytest

from sim import MarketModel
from sim.domain import lifetime_value
from sim.domain.quality import next_quality, steady_state
from sim.scenario.schema import Quality

from .conftest import small_scenario

P, N, T = 0.05, 20_000, 60
PRICE, UNIT_COST, WALLET = 1.0, 0.6, 10.0
MARGIN = WALLET * (PRICE - UNIT_COST)


def constant_hazard_model(seed: int) -> MarketModel:
    scenario = small_scenario(
        run={"steps": T, "discount_rate": 0.12},
        market={"customers": N, "segments": [{"name": "all", "share": 1.0, "wallet": WALLET, "wallet_cv": 0.0,
                                               "base_defection": P, "in_market": 0.0}]},
        firms=[{"name": "Only", "price": PRICE, "unit_cost": UNIT_COST}],
        behaviour={"word_of_mouth": {"enabled": False}, "satisfaction": {"volume_effect": 0.0},
                   "defection": {"satisfaction_effect": 0, "loyalty_effect": 0, "value_gap_effect": 0,
                                 "defectors_may_switch": False}},
    )
    return MarketModel(scenario, rng=seed)


@pytest.fixture(scope="module")
def run():
    model = constant_hazard_model(seed=2024)
    return model, model.run()


def test_retention_is_geometric(run):
    model, frame = run
    r = 1 - P
    customers = frame["customers"].to_numpy()  # at the end of periods 1..T
    for t in (1, 5, 12, 24, 48, 60):
        expected = r**t
        se = np.sqrt(expected * (1 - expected) / N)
        assert abs(customers[t - 1] / N - expected) < 4 * se, (t, customers[t - 1] / N, expected)
    pooled = 1 - frame["defections"].sum() / frame["served"].sum()
    se = np.sqrt(P * (1 - P) / frame["served"].sum())
    assert abs(pooled - r) < 4 * se


def test_expected_clv_is_the_closed_form(run):
    model, frame = run
    r, d = 1 - P, model.discount
    assert frame["clv_expected"].iloc[0] == pytest.approx(MARGIN / (1 + d - r), rel=1e-12)
    assert frame["new_customer_value"].iloc[0] == pytest.approx(MARGIN / (1 + d - r), rel=1e-12)


def test_customer_equity_is_the_value_of_the_customers_kept(run):
    """One firm, no acquisitions: equity is its customers at period end times m / (1 + d - r)."""
    model, frame = run
    r, d = 1 - P, model.discount
    np.testing.assert_allclose(frame["customer_equity"], frame["customers"] * MARGIN / (1 + d - r), rtol=1e-9)


def test_realised_clv_matches_closed_form(run):
    model, frame = run
    r, d = 1 - P, model.discount
    v = r / (1 + d)
    # a customer won at period 0 buys in periods 1, 2, ... until they defect: k purchases,
    # the j-th discounted by (1 + d)^j; at most T of them within the horizon
    k = np.arange(1, T + 1)  # purchases made
    pmf = np.where(k < T, r ** (k - 1) * (1 - r), r ** (T - 1))
    value = MARGIN * np.array([sum((1 / (1 + d)) ** j for j in range(1, kk + 1)) for kk in k])
    mean = float((pmf * value).sum())
    sd = float(np.sqrt((pmf * (value - mean) ** 2).sum()))
    assert mean == pytest.approx(MARGIN / (1 + d - r) * (1 - v**T), rel=1e-9)
    realised = frame["clv_realised"].iloc[-1]
    assert abs(realised - mean) < 4 * sd / np.sqrt(N), (realised, mean)


def test_discounting_compounds_to_the_annual_rate():
    d = lifetime_value.period_discount_rate(0.12, 12)
    assert (1 + d) ** 12 == pytest.approx(1.12)


def test_quality_settles_at_its_steady_state():
    params = Quality()
    q = np.array([1.0])
    for _ in range(2000):
        q = next_quality(q, np.array([800.0]), params)
    assert q[0] == pytest.approx(steady_state(800.0, params), rel=1e-9)
    assert steady_state(800.0, params) > steady_state(400.0, params) > steady_state(0.0, params) == params.floor
    gains = np.diff([steady_state(x, params) for x in (0, 500, 1000, 1500, 2000)])
    assert np.all(np.diff(gains) < 0), "diminishing returns"
