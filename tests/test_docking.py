"""Docking: the vectorised period (MarketModel) and the per-customer reference
(ReferenceMarketModel) must produce the same trajectories from the same seed.

They share set-up and the period's random numbers; everything customers do in
sub-steps 3-8 is computed independently. Customer state and firm metrics are
compared after every period. Differences can only come from the order of
floating-point sums, so values must agree to 1e-9 relative (far below any
effect the model has); discrete state (supplier, awareness, satisfaction
state) must agree exactly.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim import MarketModel
from sim.metrics import FIRM_METRICS
from sim.reference import ReferenceMarketModel

from .conftest import SCENARIOS, small_scenario

STEPS = 8
EXACT = ("segment", "firm", "aware", "satisfaction_state", "acquired_at")
CLOSE = ("wallet", "expectation", "familiarity", "image", "loyalty", "satisfaction", "wallet_split")


def market(kind: str = "small_world", customers: int = 120, behaviour: dict | None = None, **segment) -> dict:
    """Two segments, three firms covering all five relationship levels, every mechanism on."""
    sections = {
        "market": {"customers": customers, "network": {"kind": kind, "mean_degree": 6}, "segments": [
            {"name": "mass", "share": 0.6, "wallet": 8, "in_market": 0.3, **segment},
            {"name": "key", "share": 0.4, "wallet": 60, "wallet_cv": 1.0, "in_market": 0.3, "base_defection": 0.08,
             "benefit_weights": {"image": 1.5}},
        ]},
        "firms": [
            {"name": "A", "relationship": {"mass": "basic", "key": "partnership"}, "acquisition_spending": 50,
             "quality_investment": 300, "awareness": 0.5},
            {"name": "B", "relationship": {"mass": "reactive", "key": "proactive"}, "promise": 1.3, "price": 0.9},
            {"name": "C", "relationship": "accountable", "quality": 1.3, "awareness": 0.3, "promise": 0.8},
        ],
    }
    if behaviour:
        sections["behaviour"] = behaviour
    return sections


def assert_docked(fast: MarketModel, slow: MarketModel, steps: int = STEPS) -> None:
    """Step both models side by side and compare them after every period."""
    for t in range(1, steps + 1):
        fast.step()
        slow.step()
        for name in EXACT:
            np.testing.assert_array_equal(getattr(slow.state, name), getattr(fast.state, name),
                                          err_msg=f"customer {name} after period {t}")
        for name in CLOSE:
            np.testing.assert_allclose(getattr(slow.state, name), getattr(fast.state, name), rtol=1e-9, atol=1e-12,
                                       err_msg=f"customer {name} after period {t}")
        np.testing.assert_allclose(slow.defection_probability, fast.defection_probability, rtol=1e-9, atol=1e-15,
                                   err_msg=f"defection probability in period {t}")
        for a, b in zip(fast.firm_list, slow.firm_list, strict=True):
            for metric in FIRM_METRICS:
                assert getattr(b, metric) == pytest.approx(getattr(a, metric), rel=1e-9, abs=1e-9), \
                    f"{a.name}.{metric} in period {t}"


def both(scenario, seed: int = 5) -> tuple[MarketModel, ReferenceMarketModel]:
    return MarketModel(scenario, rng=seed), ReferenceMarketModel(scenario, rng=seed)


@pytest.mark.parametrize("kind", ["small_world", "scale_free", "random", "fully_mixed"])
def test_every_mechanism_on_each_network(kind):
    assert_docked(*both(small_scenario(**market(kind))))


@pytest.mark.parametrize("behaviour", [
    pytest.param({"word_of_mouth": {"enabled": False}}, id="no-word-of-mouth"),
    pytest.param({"word_of_mouth": {"negative_second_hop": 0.0}}, id="warnings-one-hop"),
    pytest.param({"defection": {"defectors_may_switch": False}}, id="defectors-lapse"),
    pytest.param({"choice": {"sensitivity": 12.0, "loyalty_bonus": 2.0}}, id="sharp-choice"),
    pytest.param({"satisfaction": {"tolerance": 0.3, "delight_threshold": 0.0}}, id="wide-tolerance"),
    pytest.param({"relationship": {"recovery": [1, 1, 1, 1, 1]}}, id="every-complaint-recovered"),
])
def test_each_mechanism_variant(behaviour):
    assert_docked(*both(small_scenario(**market(behaviour=behaviour))))


def test_no_defection_at_all_and_given_initial_shares():
    sections = market(base_defection=0.0)
    for firm, share in zip(sections["firms"], (0.3, 0.3, 0.2), strict=True):
        firm["initial_share"] = share
    assert_docked(*both(small_scenario(**sections)))


def test_heterogeneous_defection_propensities():
    sections = market()
    sections["market"]["segments"][1]["base_defection_beta"] = [0.5, 6.0]
    assert_docked(*both(small_scenario(**sections)))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_shipped_scenarios(path):
    fast = MarketModel(path, rng=11, market__customers=90)
    slow = ReferenceMarketModel(path, rng=11, market__customers=90)
    assert_docked(fast, slow, steps=6)


class NoComplaintHandling(ReferenceMarketModel):
    """A reference with one mechanism broken: complaints are never recovered."""

    def experience_one(self, i, draws, delivered, cost, split):
        self.level_recovery = np.zeros_like(self.level_recovery)
        return super().experience_one(i, draws, delivered, cost, split)


def test_docking_detects_a_broken_mechanism():
    """The comparison is sharp enough to catch one mechanism switched off."""
    fast, broken = MarketModel(small_scenario(**market()), rng=5), NoComplaintHandling(small_scenario(**market()), rng=5)
    with pytest.raises(AssertionError, match="after period 1"):
        assert_docked(fast, broken)


def test_one_customer_can_be_followed():
    """The reference's sub-steps can be called for a single customer, as a reader would."""
    model = ReferenceMarketModel(small_scenario(**market()), rng=5)
    draws = model.draw()
    delivered, cost = model.offers()
    cpv = model.perceive_one(0, draws, delivered, cost)
    units, split = model.buy_one(0, cpv)
    lived = model.experience_one(0, draws, delivered, cost, split)
    assert len(cpv) == len(model.firm_list)
    if model.state.firm[0] >= 0:
        assert units > 0 and sum(split) == pytest.approx(1.0)
        assert lived.state in (0, 1, 2) and 0 < lived.score < 1
        assert set(lived.performance) == {j for j, share in enumerate(split) if share > 0}, "every purchase is experienced"
    else:
        assert units == 0 and sum(split) == 0 and lived.state == -1
