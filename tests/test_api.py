"""The Python API a researcher uses in a notebook."""

from __future__ import annotations

import mesa
import numpy as np
import pytest

from sim import Customer, Firm, MarketModel, ScenarioError, Strategy, load_scenario
from sim.metrics import FIRM_METRICS

from .conftest import ROOT, SCENARIOS, small_scenario


def test_model_builds_with_no_arguments_and_runs():
    model = MarketModel()
    assert isinstance(model, mesa.Model)
    frame = model.run(3)
    assert list(frame.columns) == ["step", "firm", *FIRM_METRICS]
    assert frame["step"].tolist() == [1, 1, 2, 2, 3, 3]


def test_keyword_overrides_use_double_underscores():
    model = MarketModel(market__customers=123, run__steps=2, firms__B__price=1.5)
    assert model.state.size == 123 and model.firm("B").price == 1.5


def test_firms_are_mesa_agents_and_customers_are_views():
    model = MarketModel(small_scenario(), rng=4)
    model.step()
    assert all(isinstance(f, Firm) for f in model.firms)
    customer = model.customer(7)
    assert isinstance(customer, Customer) and model.customer(7) is customer
    row = model.state
    assert customer.loyalty == row.loyalty[7]
    if customer.firm is not None:
        assert sum(customer.wallet_split.values()) == pytest.approx(1.0)
        assert customer.firm in customer.aware_of
        assert customer.satisfaction_state in ("dissatisfied", "satisfied", "delighted")
    assert set(customer.expectation) == {f.name for f in model.firm_list}
    with pytest.raises(IndexError):
        model.customer(10_000)


def test_custom_strategy_object_drives_a_firm():
    class Discounter(Strategy):
        def decide(self, firm, model):
            firm.price = 0.5 if model.steps > 2 else 1.0

    frame = MarketModel(small_scenario(), rng=1, strategies={"A": Discounter()}).run(4)
    prices = frame[frame.firm == "A"]["price"].tolist()
    assert prices == [1.0, 1.0, 0.5, 0.5]


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_shipped_scenario_runs_small(path):
    scenario = load_scenario(path, {"market.customers": 300, "run.steps": 4})
    frame = MarketModel(scenario, rng=1).run()
    assert len(frame) == 4 * len(scenario.firms)
    assert np.isfinite(frame[list(FIRM_METRICS)].to_numpy(dtype=float)).all()


def test_scenario_path_accepted():
    model = MarketModel(ROOT / "scenarios" / "quickstart.toml", market__customers=50)
    assert [f.name for f in model.firm_list] == ["Budget", "Middle", "Premium"]


def test_keyword_overrides_are_strict_but_take_numpy_numbers():
    for customers in np.arange(100, 301, 200):  # np.int64
        assert MarketModel(SCENARIOS[0], rng=1, market__customers=customers).spec.market.customers == customers
    assert MarketModel(SCENARIOS[0], rng=1, behaviour__word_of_mouth__enabled=np.bool_(False)) \
        .spec.behaviour.word_of_mouth.enabled is False
    with pytest.raises(ScenarioError, match="market.customers: expected a whole number"):
        MarketModel(SCENARIOS[0], rng=1, market__customers="300")
