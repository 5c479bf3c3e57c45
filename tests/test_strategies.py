"""The shipped strategies follow their documented rules, and a researcher's own
strategy plugs in by name or by object without touching the package."""

from __future__ import annotations

import numpy as np
import pytest

from sim import MarketModel, Strategy, register_strategy
import sim
from sim.runs import LocalEngine
from sim.runs.comparison import run_comparison
from sim.scenario import ScenarioError, validate_document
from sim.scenario.schema import RELATIONSHIP_LEVELS
from sim.strategies import known_strategies

from .conftest import small_scenario


def test_every_shipped_strategy_is_registered():
    assert {"fixed", "segment_by_clv", "quality_leader", "imitate_best", "epsilon_greedy"} <= set(known_strategies())


# ------------------------------------------------------------ segment_by_clv ---

def test_segment_by_clv_gives_many_low_margin_customers_basic_and_few_high_margin_ones_partnership():
    """The textbooks' rule in one market: a mass segment (small wallets, thin margin) and a
    key-account segment (large wallets) get the cheapest and the fullest relationship."""
    scenario = small_scenario(
        market={"customers": 500, "segments": [
            {"name": "mass", "share": 0.9, "wallet": 4.0},
            {"name": "accounts", "share": 0.1, "wallet": 400.0},
        ]},
        firms=[{"name": "A", "price": 1.0, "unit_cost": 0.8, "relationship": "accountable",
                "strategy": {"name": "segment_by_clv"}},
               {"name": "B", "price": 1.0, "unit_cost": 0.8}],
    )
    model = MarketModel(scenario, rng=4)
    model.run(3)
    assert model.firm("A").relationship_names() == {"mass": "basic", "accounts": "partnership"}


def test_segment_by_clv_keeps_its_levels_until_something_is_observed_and_between_reviews():
    scenario = small_scenario(firms=[
        {"name": "A", "relationship": "accountable", "unit_cost": 0.95,
         "strategy": {"name": "segment_by_clv", "params": {"review_every": 3}}},
        {"name": "B"}])
    model = MarketModel(scenario, rng=2)
    levels = []
    for _ in range(5):
        model.step()
        levels.append(int(model.firm("A").relationship[0]))
    accountable = RELATIONSHIP_LEVELS.index("accountable")
    assert levels[0] == accountable  # period 1: nothing observed yet
    assert levels[1] != accountable  # period 2: a review; a 0.05 CU margin cannot pay for follow-up
    assert levels[1] == levels[2] == levels[3]  # periods 3 and 4 are not reviews


# ------------------------------------------------------------ quality_leader ---

def test_quality_leader_invests_its_share_of_last_periods_revenue():
    scenario = small_scenario(firms=[
        {"name": "A", "quality_investment": 77.0, "strategy": {"name": "quality_leader", "params": {"share_of_revenue": 0.1}}},
        {"name": "B"}])
    frame = MarketModel(scenario, rng=5).run(6)
    a = frame[frame["firm"] == "A"].set_index("step")
    assert a.loc[1, "quality_spending"] == 77.0  # no revenue before the first period: the scenario's budget
    for step in range(2, 7):
        assert a.loc[step, "quality_spending"] == pytest.approx(0.1 * a.loc[step - 1, "revenue"], rel=1e-12)


# -------------------------------------------------------------- imitate_best ---

def test_imitate_best_copies_what_the_most_profitable_rival_did_last_period_whatever_the_firm_order():
    """B learns (its level changes every period while it tries each one), A imitates it.
    A is listed after B, so it must copy B's level of the previous period, not B's new one."""
    scenario = small_scenario(firms=[
        {"name": "B", "price": 1.2, "unit_cost": 0.5, "strategy": {"name": "epsilon_greedy", "params": {"epsilon": 0.0}}},
        {"name": "A", "price": 0.9, "unit_cost": 0.85, "promise": 1.4, "fixed_cost": 5000.0,
         "strategy": {"name": "imitate_best", "params": {"metric": "profit", "copy": ["relationship"]}}},
    ])
    model = MarketModel(scenario, rng=6)
    b_levels, a_levels = [], []
    for _ in range(5):
        model.step()
        b_levels.append(int(model.firm("B").relationship[0]))
        a_levels.append(int(model.firm("A").relationship[0]))
    assert b_levels == [0, 1, 2, 3, 4]  # epsilon 0: every level once, in order
    assert a_levels[1:] == b_levels[:-1]  # A, always the less profitable (its overhead), copies
    assert model.firm("A").price == 0.9 and model.firm("A").promise == 1.4  # and only what it was told to


def test_imitate_best_keeps_its_decisions_when_it_is_the_best():
    scenario = small_scenario(firms=[
        {"name": "A", "price": 1.2, "unit_cost": 0.4, "strategy": {"name": "imitate_best"}},
        {"name": "B", "price": 0.9, "unit_cost": 0.88, "relationship": "partnership"}])
    model = MarketModel(scenario, rng=7)
    model.run(4)
    assert model.firm("A").profit > model.firm("B").profit
    assert model.firm("A").price == 1.2 and model.firm("A").relationship_names() == {"all": "basic"}


# ------------------------------------------------------------ epsilon_greedy ---

def test_epsilon_greedy_without_exploration_settles_on_the_level_with_the_best_average_profit():
    scenario = small_scenario(firms=[
        {"name": "A", "strategy": {"name": "epsilon_greedy",
                                   "params": {"epsilon": 0.0, "levels": ["basic", "partnership"]}}},
        {"name": "B"}])
    model = MarketModel(scenario, rng=8)
    played, profits = [], []
    for _ in range(8):
        model.step()
        played.append(int(model.firm("A").relationship[0]))
        profits.append(model.firm("A").profit)
    assert played[:2] == [0, 4]  # each allowed level once, in order
    for t in range(2, 8):  # then the level whose periods so far brought the higher mean profit
        mean = {level: np.mean([p for p, l in zip(profits[:t], played[:t], strict=True) if l == level]) for level in (0, 4)}
        assert played[t] == max((0, 4), key=lambda level: (mean[level], -level))


def test_epsilon_greedy_explores_with_its_own_stream_and_leaves_the_models_draws_alone():
    """Its random numbers are spawned from the model's generator: seeded by the run, the same
    for the same seed, and the model's own stream is where it would be without the bandit
    (so comparison arms keep common random numbers)."""
    def build(strategy: str, rng: int) -> MarketModel:
        return MarketModel(small_scenario(firms=[{"name": "A", "strategy": {"name": strategy, "params": (
            {"epsilon": 1.0} if strategy == "epsilon_greedy" else {})}}, {"name": "B"}]), rng=rng)

    assert build("epsilon_greedy", 9).rng.bit_generator.state == build("fixed", 9).rng.bit_generator.state

    def levels(rng: int) -> list[int]:
        model = build("epsilon_greedy", rng)
        out = []
        for _ in range(12):
            model.step()
            out.append(int(model.firm("A").relationship[0]))
        return out

    first = levels(9)
    assert first == levels(9)
    assert len(set(first[5:])) > 1  # epsilon 1: it keeps exploring


# ------------------------------------------------------------------ errors ---

@pytest.mark.parametrize("strategy, expected", [
    ({"name": "epsilon_greedy", "params": {"epsilon": 2.0}}, "epsilon must be between 0 and 1"),
    ({"name": "epsilon_greedy", "params": {"levels": ["gold"]}}, "levels must name some of basic"),
    ({"name": "imitate_best", "params": {"metric": "happiness"}}, "metric 'happiness' is not a firm metric"),
    ({"name": "quality_leader", "params": {"share": 0.1}}, "params.share: unknown parameter of strategy 'quality_leader'"),
    ({"name": "segment_by_clv", "params": {"review_every": 0}}, "review_every must be a whole number"),
])
def test_bad_strategy_parameters_are_rejected_with_the_field_and_the_reason(strategy, expected):
    with pytest.raises(ScenarioError) as err:
        validate_document({"firms": [{"name": "A", "strategy": strategy}]}, "bad.toml")
    assert "bad.toml: firms[0].strategy:" in str(err.value)
    assert expected in str(err.value)


# ------------------------------------------------ a researcher's own strategy ---

@register_strategy("test_price_cutter")
class PriceCutter(Strategy):
    """Cut the price by ``step`` every period (a strategy a notebook might define)."""

    def __init__(self, step: float = 0.01):
        self.step = step

    def decide(self, firm, model) -> None:
        firm.price = max(firm.price - self.step, 0.01)


def test_a_strategy_defined_outside_the_package_runs_by_name_in_replications_and_comparisons():
    scenario = small_scenario(
        firms=[{"name": "A", "price": 1.0, "strategy": {"name": "test_price_cutter", "params": {"step": 0.02}}},
               {"name": "B"}],
        compare={"arms": [{"name": "cutter"}, {"name": "steady", "set": {"firms.A.strategy.name": "fixed",
                                                                           "firms.A.strategy.params": {}}}]})
    frame = sim.run_replications(scenario, replications=2, workers=1).timeseries
    prices = frame[(frame["firm"] == "A") & (frame["replication"] == 0)]["price"].to_numpy()
    assert prices == pytest.approx(1.0 - 0.02 * np.arange(1, scenario.run.steps + 1))

    comparison = run_comparison(scenario, engine=LocalEngine(1))
    table = comparison.table.set_index(["arm", "firm", "metric"])
    assert table.loc[("steady", "A", "market_share"), "diff"] < 0  # without the price cuts A sells less


def test_a_strategy_object_replaces_the_scenarios_without_registration():
    class Promiser(Strategy):
        def decide(self, firm, model) -> None:
            firm.promise = 1.5

    model = MarketModel(small_scenario(), rng=1, strategies={"B": Promiser()})
    frame = model.run(2)
    assert set(frame[frame["firm"] == "B"]["promise"]) == {1.5}
    assert set(frame[frame["firm"] == "A"]["promise"]) == {1.0}
