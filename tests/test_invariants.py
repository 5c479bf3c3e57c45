"""Invariants that hold every period of every run: customers are conserved,
wallet shares sum to 1, satisfaction states partition the served customers,
firm accounts balance, nothing is NaN or infinite."""

from __future__ import annotations

import numpy as np
import pytest

from sim import MarketModel
from sim.domain.satisfaction import NO_STATE
from sim.metrics import FIRM_METRICS

from .conftest import small_scenario


def check_period(model: MarketModel) -> None:
    s = model.state
    n = s.size
    firms = model.firm_list
    customers = sum(f.customers for f in firms)
    assert customers + model.prospects == n, "every customer counted once"
    assert np.bincount(s.firm[s.firm >= 0], minlength=len(firms)).tolist() == [f.customers for f in firms]
    served_rows = s.satisfaction_state != NO_STATE
    split = s.wallet_split.sum(axis=1)
    np.testing.assert_allclose(split[served_rows], 1.0, rtol=1e-12)
    assert np.all(split[~served_rows] == 0)
    assert np.all(s.wallet_split >= 0)
    for f in firms:
        parts = f.share_dissatisfied + f.share_satisfied + f.share_delighted
        assert parts == pytest.approx(1.0 if f.served else 0.0)
        assert f.revenue - f.costs == pytest.approx(f.profit, abs=1e-9)
        assert f.costs == pytest.approx(f.cost_of_goods + f.relationship_cost + f.quality_spending
                                        + f.acquisition_spending + f.fixed_cost)
        assert f.served - f.defections + f.acquisitions == f.customers
        assert 0 <= f.retention_rate <= 1 and 0 <= f.share_of_customer <= 1
        for metric in FIRM_METRICS:
            assert np.isfinite(getattr(f, metric)), metric
    total_share = sum(f.market_share for f in firms)
    assert total_share == pytest.approx(1.0) or total_share == 0
    for array in (s.expectation, s.image, s.loyalty, s.satisfaction, s.wallet):
        assert np.all(np.isfinite(array))
    assert np.all((s.loyalty >= 0) & (s.loyalty <= 1))


@pytest.mark.parametrize("kind", ["small_world", "scale_free", "random", "fully_mixed"])
def test_invariants_every_period(everything_on, kind):
    model = MarketModel(everything_on, rng=5, market__network__kind=kind)
    for _ in range(12):
        model.step()
        check_period(model)
    frame = model.firm_dataframe()
    assert len(frame) == 12 * 3
    assert np.isfinite(frame[list(FIRM_METRICS)].to_numpy(dtype=float)).all()


def test_invariants_with_initial_shares_and_prospects():
    scenario = small_scenario(firms=[{"name": "X", "initial_share": 0.3}, {"name": "Y", "initial_share": 0.2}],
                              market={"segments": [{"name": "s", "share": 1.0, "in_market": 0.3}]})
    model = MarketModel(scenario, rng=1)
    assert model.prospects > 0.4 * 400
    for _ in range(10):
        model.step()
        check_period(model)


def test_empty_market_and_single_firm_run_cleanly():
    model = MarketModel(small_scenario(market={"customers": 0}, firms=[{"name": "Solo"}]), rng=1)
    frame = model.run(3)
    assert (frame["customers"] == 0).all() and np.isfinite(frame[list(FIRM_METRICS)].to_numpy(dtype=float)).all()
