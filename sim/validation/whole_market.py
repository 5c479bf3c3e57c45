"""What the whole market teaches over years, not only each mechanism.

A mechanism can pass its own test while the whole market, run for years,
teaches the opposite (over-promising paying, praise hurting the praised firm).
These facts are run over long horizons (60-240 periods) in several markets of
this module's own design, which differ in the number of firms and segments and
in the social network, and in shipped scenarios. Each comparison uses common
random numbers (the arms of one replication share its seed) and holds if its
mean effect is positive at the one-sided 1 % level over seeded replications
(:func:`sim.validation.facts.evaluate`). Two facts are not differences but
agreements, tested as such: the market settles under constant strategies
(:func:`settling`), and customer equity matches the closed form
margin / (1 + d - r) when wallets are split (:func:`equity_against_closed_form`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..domain.quality import steady_state
from ..domain.satisfaction import DELIGHTED, DISSATISFIED, SATISFIED
from ..model import MarketModel
from ..runs import replication_seeds
from ..scenario import Scenario, load_scenario, scenario_with, validate_document
from ..scenario.schema import Quality
from .facts import BRIEF, Fact, final, run

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


# ------------------------------------------------------------- markets ---

def design(name: str, firms: list[dict[str, Any]], steps: int, customers: int = 1500,
           network: dict[str, Any] | None = None, segments: list[dict[str, Any]] | None = None,
           behaviour: dict[str, Any] | None = None) -> Scenario:
    """A market of this module's design: its firms, horizon, network and segments."""
    doc: dict[str, Any] = {
        "name": name, "run": {"steps": steps},
        "market": {"customers": customers, "network": network or {"kind": "small_world", "mean_degree": 8},
                   "segments": segments or [{"name": "all", "share": 1.0, "in_market": 0.1}]},
        "firms": firms,
    }
    if behaviour:
        doc["behaviour"] = behaviour
    return validate_document(doc, f"whole-market check {name}")


TWO_SEGMENTS = [
    {"name": "value", "share": 0.6, "wallet": 8.0, "in_market": 0.1,
     "cost_weights": {"monetary": 1.3}, "benefit_weights": {"product": 0.8}},
    {"name": "premium", "share": 0.4, "wallet": 14.0, "in_market": 0.05, "base_defection": 0.015,
     "cost_weights": {"monetary": 0.7}, "benefit_weights": {"product": 1.3, "image": 1.3}},
]

#: Markets for the promise experiments: firms advertise to a market that starts mostly prospects.
PROMISE_MARKETS: dict[str, Callable[[int], Scenario]] = {
    "two firms, small world": lambda steps: design("promise-duo", [
        {"name": "Honest", "awareness": 0.3, "initial_share": 0.1, "acquisition_spending": 300},
        {"name": "Hype", "promise": 1.4, "awareness": 0.3, "initial_share": 0.1, "acquisition_spending": 300},
    ], steps, segments=[{"name": "all", "share": 1.0, "in_market": 0.1, "outside_value": 1.5}]),
    "three firms, two segments, scale free": lambda steps: design("promise-trio", [
        {"name": "Honest", "awareness": 0.2, "initial_share": 0.05, "acquisition_spending": 250},
        {"name": "Hype", "promise": 1.25, "awareness": 0.2, "initial_share": 0.05, "acquisition_spending": 250},
        {"name": "Modest", "promise": 0.8, "awareness": 0.2, "initial_share": 0.05, "acquisition_spending": 250,
         "price": 0.95},
    ], steps, customers=2000, network={"kind": "scale_free", "mean_degree": 6},
        segments=[{**s, "outside_value": 1.2} for s in TWO_SEGMENTS]),
    "four firms, fully mixed": lambda steps: design("promise-quartet", [
        {"name": "Honest", "initial_share": 0.1, "acquisition_spending": 200, "relationship": "reactive"},
        {"name": "Hype", "promise": 1.6, "initial_share": 0.1, "acquisition_spending": 200,
         "relationship": "reactive"},
        {"name": "Steady", "initial_share": 0.1, "acquisition_spending": 200, "quality": 1.05},
        {"name": "Cheap", "initial_share": 0.1, "acquisition_spending": 200, "price": 0.9, "quality": 0.9},
    ], steps, network={"kind": "fully_mixed", "mean_degree": 6},
        segments=[{"name": "all", "share": 1.0, "in_market": 0.2, "outside_value": 1.5}]),
    "shipped over_promising": lambda steps: scenario_with(load_scenario(SCENARIOS / "over_promising.toml"),
                                                          {"run.steps": steps}, "whole-market check"),
}


def promise_effects(scenario: Scenario, seed: int) -> dict[str, float]:
    """Hype against Honest in one run: customers at period 6, discounted profit at the horizon,
    and customer equity over the last 12 periods (CU)."""
    f = run(scenario, seed)
    hype, honest = f[f["firm"] == "Hype"], f[f["firm"] == "Honest"]
    early = lambda rows: float(rows.loc[rows["step"] == 6, "customers"].iloc[0])  # noqa: E731
    late = lambda rows: float(rows["customer_equity"].iloc[-12:].mean())  # noqa: E731
    return {"early_customers": early(hype) - early(honest),
            "profit": float(honest["discounted_profit"].iloc[-1] - hype["discounted_profit"].iloc[-1]),
            "equity": late(honest) - late(hype)}


@dataclass(frozen=True)
class WordMarket:
    """A market for the word-of-mouth experiments: the firm studied and how much better than its
    rivals it is made for the praise experiment (x quality), so that its customers praise it; the
    firm warned against in the warning experiment and how much worse it is made."""

    build: Callable[[], Scenario]
    firm: str
    praised_quality: float
    warned: str
    warned_quality: float


WORD_MARKETS: dict[str, WordMarket] = {
    "two firms, small world": WordMarket(lambda: design("word-duo", [{"name": "A"}, {"name": "B"}], 60), "A", 1.3,
                                         "A", 0.8),
    "three firms, two segments, random network": WordMarket(lambda: design("word-trio", [
        {"name": "A"}, {"name": "B", "price": 1.05, "quality": 1.05}, {"name": "C", "relationship": "reactive"},
    ], 60, customers=2000, network={"kind": "random", "mean_degree": 8}, segments=TWO_SEGMENTS), "A", 1.3, "A", 0.9),
    "shipped word_of_mouth (the entrant Delight)": WordMarket(lambda: scenario_with(
        load_scenario(SCENARIOS / "word_of_mouth.toml"), {"run.steps": 60}, "whole-market check"), "Delight", 1.0,
        "Plain", 1.0),
}


def _quality(scenario: Scenario, firm: str) -> float:
    return next(f.quality for f in scenario.firms if f.name == firm)


def shortfall_amplified(scenario: Scenario, firm: str, seed: int) -> float:
    """``firm``'s quality falls by a quarter: its discounted profit lost to the fall with word of
    mouth on, less the loss with word of mouth off (CU)."""
    cut = {f"firms.{firm}.quality": 0.75 * _quality(scenario, firm)}

    def loss(**switch: Any) -> float:
        return (final(run(scenario, seed, **switch), firm, "discounted_profit")
                - final(run(scenario, seed, **switch, **cut), firm, "discounted_profit"))
    return loss() - loss(**{"behaviour.word_of_mouth.enabled": False})


def praise_helps(scenario: Scenario, firm: str, praised_quality: float, seed: int) -> float:
    """``firm`` delivers more than its rivals (its quality x ``praised_quality``), so its customers
    praise it: its discounted profit when praise is heard less when nobody passes praise on (CU)."""
    better = scenario_with(scenario, {f"firms.{firm}.quality": praised_quality * _quality(scenario, firm)}, "arm")
    return (final(run(better, seed), firm, "discounted_profit")
            - final(run(better, seed, **{"behaviour.word_of_mouth.positive_probability": 0.0}), firm,
                    "discounted_profit"))


def warnings_hurt(scenario: Scenario, firm: str, warned_quality: float, seed: int) -> float:
    """``firm`` delivers less than its rivals (its quality x ``warned_quality``), so its customers
    warn against it: its discounted profit when nobody passes warnings on less when they are heard (CU).

    Switching warnings off is market-wide: it also spares the rivals the warnings of their own
    dissatisfied customers. The firm is made only a little worse, so that it keeps enough customers
    for warnings about it to be heard; a firm made so bad that it has almost no customers left
    gains as much from its rivals' warnings as it loses from its own."""
    worse = scenario_with(scenario, {f"firms.{firm}.quality": warned_quality * _quality(scenario, firm)}, "arm")
    return (final(run(worse, seed, **{"behaviour.word_of_mouth.negative_probability": 0.0}), firm,
                  "discounted_profit")
            - final(run(worse, seed), firm, "discounted_profit"))


# ------------------------------------------------ satisfaction and price ---

#: Quality a firm keeps for ever by investing 50 CU a period at the default quality parameters.
KEPT_QUALITY = steady_state(50.0, Quality())

GAP_MARKETS: dict[str, Callable[[], Scenario]] = {
    "two firms, small world": lambda: design("gap-duo", [
        {"name": "Good", "quality": KEPT_QUALITY, "quality_investment": 50.0}, {"name": "Plain"}], 240),
    "three firms, two segments, scale free": lambda: design("gap-trio", [
        {"name": "Good", "quality": KEPT_QUALITY, "quality_investment": 50.0, "price": 1.05},
        {"name": "Plain"}, {"name": "Other", "relationship": "accountable"},
    ], 240, customers=2000, network={"kind": "scale_free", "mean_degree": 6}, segments=TWO_SEGMENTS),
}


def satisfaction_gap(scenario: Scenario, seed: int) -> float:
    """Good keeps a better quality for ever: its mean satisfaction less Plain's over the second
    half of the run (when expectations have long caught up)."""
    f = run(scenario, seed)
    late = f[f["step"] > scenario.run.steps // 2]
    mean = late.groupby("firm")["mean_satisfaction"].mean()
    return float(mean["Good"] - mean["Plain"])


PRICE_MARKETS: dict[str, Callable[[], Scenario]] = {
    "two firms, small world": lambda: design("price-duo", [{"name": "A"}, {"name": "B"}], 24, customers=3000),
    "three firms, two segments, random network": lambda: design("price-trio", [
        {"name": "A"}, {"name": "B", "quality": 1.1, "price": 1.1}, {"name": "C"},
    ], 24, customers=3000, network={"kind": "random", "mean_degree": 8}, segments=TWO_SEGMENTS),
}


def price_response_by_satisfaction(scenario: Scenario, seed: int, rise: float = 0.1) -> dict[str, dict[str, float]]:
    """A raises its price by ``rise`` after the scenario's periods. For its dissatisfied and its
    content (satisfied or delighted) customers of the period before: the relative rise in their
    chance of defecting, and the relative fall in A's share of their wallet, in the next period.

    Two models run the same periods from the same seed (so their customers are the same); then
    one raises the price and both run one more period on the same random numbers."""
    base, raised = MarketModel(scenario, rng=seed), MarketModel(scenario, rng=seed)
    for _ in range(scenario.run.steps):
        base.step()
        raised.step()
    before = base.state.satisfaction_state.copy()
    mine = base.state.firm == 0
    raised.firm_list[0].price *= 1 + rise
    base.step()
    raised.step()
    out = {}
    for name, rows in (("dissatisfied", mine & (before == DISSATISFIED)),
                       ("content", mine & ((before == SATISFIED) | (before == DELIGHTED)))):
        out[name] = {
            "defection": float(raised.defection_probability[rows].mean() / base.defection_probability[rows].mean() - 1),
            "share": float(1 - raised.state.wallet_split[rows, 0].mean() / base.state.wallet_split[rows, 0].mean()),
        }
    return out


def satisfied_less_price_sensitive(scenario: Scenario, seed: int) -> float:
    """After a 10 % price rise, the relative rise in defection among dissatisfied customers less
    among content ones, and the same for the relative fall in the firm's share of their wallet:
    the smaller of the two differences."""
    response = price_response_by_satisfaction(scenario, seed)
    dissatisfied, content = response["dissatisfied"], response["content"]
    return min(dissatisfied["defection"] - content["defection"], dissatisfied["share"] - content["share"])


#: Two equal firms; A's price rise is the treatment (docs/model.md states the response measured here).
ELASTICITY_MARKET = lambda: design("price-response", [{"name": "A"}, {"name": "B"}], 120,  # noqa: E731
                                   segments=[{"name": "all", "share": 1.0, "in_market": 0.2}])


def price_response(scenario: Scenario, seed: int, rise: float = 0.1) -> dict[str, float]:
    """A raises its price by ``rise`` for the whole run: the elasticity of its units sold
    (relative change of units over relative change of price) and the relative change of its
    profit, both over the run."""
    base, raised = run(scenario, seed), run(scenario, seed, **{"firms.A.price": scenario.firms[0].price * (1 + rise)})
    total = lambda f, metric: float(f.loc[f["firm"] == "A", metric].sum())  # noqa: E731
    return {"elasticity": (total(raised, "units") / total(base, "units") - 1) / rise,
            "profit_change": total(raised, "profit") / total(base, "profit") - 1}


# ------------------------------------------------------------ the facts ---

def _facts() -> list[tuple[Fact, str]]:
    out = []
    for market_name, build in PROMISE_MARKETS.items():
        for key, claim, effect, steps in (
                ("early_customers", "Over-promising wins customers early ...",
                 "customers at period 6, over-promiser less honest firm", 36),
                ("profit", "... and loses over the run in profit ...",
                 "discounted profit at period 120 (CU), honest firm less over-promiser", 120),
                ("equity", "... and in customer equity.",
                 "customer equity over periods 109-120 (CU), honest firm less over-promiser", 120)):
            scenario = build(steps)
            out.append((Fact(f"over_promising_{key}", claim,
                             f"{BRIEF}: \"Promise too much and customers are disappointed.\"", effect,
                             lambda seed, s=scenario, k=key: promise_effects(s, seed)[k], replications=6),
                        market_name))
    for market_name, word in WORD_MARKETS.items():
        scenario = word.build()
        out.append((Fact("word_of_mouth_amplifies_shortfall", "Word of mouth amplifies a firm's quality shortfall.",
                         "Anderson (1998); TARP (1986): dissatisfied customers tell 9-15 people.",
                         "discounted profit lost to a 25 % quality cut over 60 periods (CU), word of mouth on less off",
                         lambda seed, s=scenario, w=word: shortfall_amplified(s, w.firm, seed), replications=6),
                    market_name))
        out.append((Fact("praise_helps_the_praised", "Praise helps the firm praised.",
                         f"{BRIEF}: \"delighted customers recommend\"; Anderson (1998).",
                         "discounted profit over 60 periods (CU), praise passed on less not",
                         lambda seed, s=scenario, w=word: praise_helps(s, w.firm, w.praised_quality, seed),
                         replications=6), market_name))
        out.append((Fact("warnings_hurt_the_warned", "Warnings hurt the firm warned against.",
                         "TARP (1986); Anderson (1998): dissatisfied customers warn others.",
                         "discounted profit over 60 periods (CU), warnings not passed on less passed on",
                         lambda seed, s=scenario, w=word: warnings_hurt(s, w.warned, w.warned_quality, seed),
                         replications=6),
                    market_name))
    for market_name, build in GAP_MARKETS.items():
        scenario = build()
        out.append((Fact("satisfaction_gap", "A persistent quality gap keeps a satisfaction gap.",
                         "Fornell et al. (1996), the ACSI model: perceived quality drives satisfaction.",
                         "mean satisfaction in periods 121-240, better quality less plain",
                         lambda seed, s=scenario: satisfaction_gap(s, seed), replications=4), market_name))
    for market_name, build in PRICE_MARKETS.items():
        scenario = build()
        out.append((Fact("satisfied_less_price_sensitive", "Satisfied customers are relatively less price sensitive.",
                         f"{BRIEF}: \"Satisfied customers ... are less price sensitive\"; Anderson (1996).",
                         "after a 10 % price rise, the relative rise in defection and fall in share of wallet, "
                         "dissatisfied less content customers (the smaller of the two)",
                         lambda seed, s=scenario: satisfied_less_price_sensitive(s, seed), replications=6),
                    market_name))
    return out


#: (fact, market) pairs: each whole-market fact in each market it is checked in.
WHOLE_MARKET_FACTS: list[tuple[Fact, str]] = _facts()


# ------------------------------------------- settling and the closed form ---

SETTLING_MARKETS: dict[str, Callable[[], Scenario]] = {
    "three firms, small world": lambda: design("settle-trio", [
        {"name": "A", "promise": 1.2}, {"name": "B", "quality": KEPT_QUALITY, "quality_investment": 50.0},
        {"name": "C", "price": 0.9}], 240),
    "four firms, two segments, scale free": lambda: design("settle-quartet", [
        {"name": "A", "relationship": {"value": "basic", "premium": "proactive"}},
        {"name": "B", "price": 1.1, "relationship": "accountable"}, {"name": "C", "promise": 0.9},
        {"name": "D", "acquisition_spending": 200}], 240, customers=2000,
        network={"kind": "scale_free", "mean_degree": 6}, segments=TWO_SEGMENTS),
    "shipped over_promising": lambda: scenario_with(load_scenario(SCENARIOS / "over_promising.toml"),
                                                    {"run.steps": 240}, "whole-market check"),
}

SETTLED_METRICS = ("served", "mean_expectation", "mean_image", "share_of_customer")


@dataclass
class Settling:
    """How much each firm's metrics moved between periods 121-180 and 181-240, over replications."""

    metric: str
    firm: str
    change: np.ndarray  # per replication: mean over 181-240 less mean over 121-180
    scale: float  # the mean level over 121-240, or for image the market's mean image magnitude

    @property
    def ci95(self) -> tuple[float, float]:
        half = float(stats.t.ppf(0.975, self.change.size - 1) * self.change.std(ddof=1) / np.sqrt(self.change.size))
        return float(self.change.mean() - half), float(self.change.mean() + half)


def settling(scenario: Scenario, replications: int = 8, root_seed: int = 2026) -> list[Settling]:
    """Each firm's change in :data:`SETTLED_METRICS` from periods 121-180 to 181-240 (a 240-period run)."""
    frames = [run(scenario, seed) for seed in replication_seeds(root_seed, replications)]
    out = []
    for metric in SETTLED_METRICS:
        for firm in [f.name for f in scenario.firms]:
            change, level = [], []
            for f in frames:
                rows = f[f["firm"] == firm]
                first = rows.loc[(rows["step"] > 120) & (rows["step"] <= 180), metric].mean()
                second = rows.loc[rows["step"] > 180, metric].mean()
                change.append(second - first)
                level.append(abs(rows.loc[rows["step"] > 120, metric].mean()))
            out.append(Settling(metric, firm, np.array(change), float(np.mean(level))))
    return out


EQUITY_MARKETS: dict[str, Callable[[], Scenario]] = {
    "three firms, split wallets, constant retention": lambda: design("equity-trio", [
        {"name": "A"}, {"name": "B", "price": 1.05}, {"name": "C", "quality": 1.05}], 120,
        segments=[{"name": "all", "share": 1.0, "in_market": 0.1, "switching_cost": 0.1}],
        behaviour={"defection": {"satisfaction_effect": 0, "loyalty_effect": 0, "value_gap_effect": 0}}),
    "two segments, split wallets, constant retention": lambda: design("equity-segments", [
        {"name": "A"}, {"name": "B", "relationship": "reactive"}], 120, customers=2000, segments=[
            {**s, "switching_cost": 0.05} for s in TWO_SEGMENTS],
        behaviour={"defection": {"satisfaction_effect": 0, "loyalty_effect": 0, "value_gap_effect": 0}}),
}


def equity_against_closed_form(scenario: Scenario, replications: int = 4, root_seed: int = 2026) -> pd.DataFrame:
    """Per firm: customer equity over periods 61 to the end against margin / (1 + d - r) (r the
    firm's retention over those periods), and the share of customer (below 1: wallets split)."""
    rows = []
    for seed in replication_seeds(root_seed, replications):
        model = MarketModel(scenario, rng=seed)
        f = model.run()
        late = f[f["step"] > 60]
        for firm, g in late.groupby("firm", sort=False):
            retention = 1.0 - g["defections"].sum() / g["served"].sum()
            closed = g["margin"].mean() / (1.0 + model.discount - retention)
            rows.append({"seed": seed, "firm": firm, "ratio": g["customer_equity"].mean() / closed,
                         "share_of_customer": g["share_of_customer"].mean()})
    return pd.DataFrame(rows)
