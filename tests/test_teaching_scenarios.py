"""Each classroom scenario shows what its lesson in docs/teaching.md says the
class will see.

Every figure a lesson states (listed in scenarios/teaching/lesson_figures.toml)
is what the model computes with the scenario's own seed and settings, as the
dashboard shows it. Every qualitative claim is a one-sided paired t-test over
seeded replications (common random numbers: both sides of a comparison see the
same seeds), at a significance level of 1 %, on a smaller market than the
classroom's so the tests are fast. A lesson whose effect were only noise would fail.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim import MarketModel, load_scenario
import sim
from sim.runs import replication_seeds
from sim.viz.lessons import load_lessons

TEACHING = Path(__file__).resolve().parents[1] / "scenarios" / "teaching"
LESSONS = ["perceived_value", "over_promising", "delight_word_of_mouth", "relationship_levels",
           "quality_competition", "lifetime_value"]
REPLICATIONS = 6
CUSTOMERS = 1200
ALPHA = 0.01


def scenario(name: str, **overrides):
    return load_scenario(TEACHING / f"{name}.toml", {"market.customers": CUSTOMERS, **overrides})


def replications(name: str, n: int = REPLICATIONS, **overrides) -> pd.DataFrame:
    spec = scenario(name, **overrides)
    return sim.run_replications(spec, replications=n, seed=spec.run.seed, workers=1).timeseries


def per_replication(frame: pd.DataFrame, metric: str, firm: str, how: str = "last") -> np.ndarray:
    """One value per replication: the metric's last-period value, its sum or its mean over a window."""
    mine = frame[frame["firm"] == firm].sort_values(["replication", "step"])
    grouped = mine.groupby("replication")[metric]
    return (grouped.last() if how == "last" else grouped.sum() if how == "sum" else grouped.mean()).to_numpy()


def assert_greater(a: np.ndarray, b: np.ndarray, what: str) -> None:
    """a > b on average over paired replications, significant at ALPHA (one-sided paired t-test)."""
    diff = np.asarray(a, float) - np.asarray(b, float)
    p = stats.ttest_1samp(diff, 0.0, alternative="greater").pvalue if np.ptp(diff) > 0 else (0.0 if diff[0] > 0 else 1.0)
    assert p < ALPHA, f"{what}: mean difference {diff.mean():.4g} (p = {p:.3g}); differences {np.round(diff, 4)}"


@pytest.mark.parametrize("name", LESSONS)
def test_every_lesson_scenario_is_valid_and_documented(name):
    spec = load_scenario(TEACHING / f"{name}.toml")
    assert all(f.strategy.name == "fixed" for f in spec.firms)  # so the dashboard's controls are what the firms do
    lesson = (TEACHING.parents[1] / "docs" / "teaching.md").read_text()
    assert f"scenarios/teaching/{name}.toml" in lesson


FIGURES = tomllib.loads((TEACHING / "lesson_figures.toml").read_text())
RELATIVE_TOLERANCE, PERCENT_POINTS = 0.05, 2.0  # the file's defaults


@lru_cache(maxsize=None)
def classroom_run(name: str, settings: tuple[tuple[str, object], ...]) -> MarketModel:
    """The scenario run as the dashboard runs it: full size, its own seed, with a "things to try" change."""
    spec = load_scenario(TEACHING / f"{name}.toml", dict(settings))
    model = MarketModel(spec, rng=spec.run.seed)
    model.run()
    return model


def figure_value(model: MarketModel, figure: dict) -> float:
    """The number ``figure`` describes, computed from ``model``'s run."""
    firm = model.firm(figure["firm"])
    if figure["metric"] == "segment_customers":
        segment = [s.name for s in model.spec.market.segments].index(figure["segment"])
        return float(np.sum((model.state.firm == firm.index) & (model.state.segment == segment)))
    frame = model.firm_dataframe()
    series = frame[frame["firm"] == firm.name].set_index("step")[figure["metric"]]
    series = series[series.index <= figure.get("month", series.index.max())]
    value = {"last": series.iloc[-1], "sum": series.sum(), "mean": series.mean(), "min": series.min()}[
        figure.get("how", "last")]
    return 100 * value if figure.get("percent") else value


@pytest.mark.parametrize("name", LESSONS)
def test_every_figure_a_lesson_states_is_what_the_model_computes(name):
    lesson = next(lesson for lesson in load_lessons() if lesson.name == name)
    text = " ".join(lesson.sections.values())
    figures = FIGURES[name]["figures"]
    assert len(figures) >= 8
    for figure in figures:
        assert figure["says"] in text, f"{name}: the lesson no longer says {figure['says']!r}"
        value = figure_value(classroom_run(name, tuple(sorted(figure.get("set", {}).items()))), figure)
        if figure.get("percent"):
            assert abs(value - figure["value"]) <= figure.get("tolerance", PERCENT_POINTS), (figure, value)
        else:
            assert value == pytest.approx(figure["value"], rel=figure.get("tolerance", RELATIVE_TOLERANCE)), \
                (figure, value)


def test_perceived_value_each_segment_picks_the_offer_worth_most_to_it():
    spec = scenario("perceived_value")
    thrifty_lead, deluxe_lead = [], []
    for seed in replication_seeds(spec.run.seed, REPLICATIONS):
        model = MarketModel(spec, rng=seed)
        model.run()
        segment_names = [s.name for s in spec.market.segments]
        counts = pd.crosstab(model.state.segment, model.state.firm)  # segment x firm (-1: none)
        value, conn = segment_names.index("value_seekers"), segment_names.index("connoisseurs")
        thrifty, deluxe = model.firm("Thrifty").index, model.firm("Deluxe").index
        thrifty_lead.append(counts.loc[value, thrifty] - counts.loc[value, deluxe])
        deluxe_lead.append(counts.loc[conn, deluxe] - counts.loc[conn, thrifty])
    zeros = np.zeros(REPLICATIONS)
    assert_greater(thrifty_lead, zeros, "value seekers buy from Thrifty rather than Deluxe")
    assert_greater(deluxe_lead, zeros, "connoisseurs buy from Deluxe rather than Thrifty")


def test_over_promising_wins_customers_first_then_disappoints_them():
    frame = replications("over_promising")
    first_months = frame[frame["step"] <= 6]
    hype_early = per_replication(first_months, "acquisitions", "Hype", "sum")
    honest_early = per_replication(first_months, "acquisitions", "Honest", "sum")
    modest_early = per_replication(first_months, "acquisitions", "Modest", "sum")
    assert_greater(hype_early, honest_early, "Hype wins more customers than Honest at first")
    assert_greater(honest_early, modest_early, "Modest, promising too little, is ignored")
    assert_greater(per_replication(frame, "share_dissatisfied", "Hype", "mean"),
                   per_replication(frame, "share_dissatisfied", "Honest", "mean"), "Hype disappoints")
    assert_greater(per_replication(frame, "retention_rate", "Honest", "mean"),
                   per_replication(frame, "retention_rate", "Hype", "mean"), "Hype's customers leave")
    assert_greater(per_replication(frame, "share_delighted", "Modest", "mean"),
                   per_replication(frame, "share_delighted", "Honest", "mean"), "Modest delights")
    assert_greater(per_replication(frame, "customers", "Honest"), per_replication(frame, "customers", "Hype"),
                   "Honest ends with more customers than Hype")


def test_delight_grows_by_word_of_mouth():
    frame = replications("delight_word_of_mouth")
    silent = replications("delight_word_of_mouth", **{"behaviour.word_of_mouth.positive_probability": 0.0})
    start = frame[frame["step"] == 1]
    assert_greater(per_replication(frame, "customers", "Delight"), per_replication(start, "customers", "Delight"),
                   "Delight grows")
    assert_greater(per_replication(frame, "customers", "Delight"), per_replication(silent, "customers", "Delight"),
                   "praise makes Delight grow faster")
    assert_greater(per_replication(frame, "wom_negative", "Plain", "sum"),
                   per_replication(frame, "wom_negative", "Delight", "sum"), "warnings are about Plain")


def test_relationship_level_pays_where_lifetime_value_covers_it():
    # Key accounts are few and carry most of the profit, so how many each firm wins is noisy:
    # use the classroom's market size and more replications.
    frame = replications("relationship_levels", n=10, **{"market.customers": 3000})
    tailored = per_replication(frame, "profit", "Tailored", "sum")
    assert_greater(tailored, per_replication(frame, "profit", "Partner", "sum"),
                   "partnership with every household costs Partner profit")
    assert_greater(tailored, per_replication(frame, "profit", "Basic", "sum"), "partnership with key accounts pays")
    assert_greater(per_replication(frame, "customers", "Partner"), per_replication(frame, "customers", "Tailored"),
                   "Partner wins the most customers")
    assert_greater(per_replication(frame, "retention_rate", "Partner", "mean"),
                   per_replication(frame, "retention_rate", "Basic", "mean"), "partnership keeps customers")


def test_quality_investment_builds_quality_and_share():
    frame = replications("quality_competition")
    assert_greater(per_replication(frame, "quality", "Leader"), per_replication(frame, "quality", "Laggard"),
                   "Leader's quality rises above Laggard's")
    assert_greater(per_replication(frame, "market_share", "Leader"), per_replication(frame, "market_share", "Laggard"),
                   "Leader gains market share")
    assert_greater(per_replication(frame, "profit", "Leader", "sum"), per_replication(frame, "profit", "Laggard", "sum"),
                   "quality investment pays")
    matched = replications("quality_competition", **{"firms.Laggard.quality_investment": 800.0})
    assert_greater(per_replication(matched, "market_share", "Laggard"), per_replication(frame, "market_share", "Laggard"),
                   "when Laggard responds it wins share back")


def test_retention_multiplies_lifetime_value_and_customer_equity():
    frame = replications("lifetime_value")
    for metric, how in (("retention_rate", "mean"), ("clv_expected", "last"), ("customer_equity", "last")):
        assert_greater(per_replication(frame, metric, "Keeper", how), per_replication(frame, metric, "Churner", how),
                       f"Keeper's {metric} is higher")
