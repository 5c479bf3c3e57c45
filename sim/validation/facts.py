"""Stylized facts from the marketing texts, each a falsifiable experiment.

Every fact is a controlled comparison run over seeded replications with
common random numbers: replication k of every arm uses the same seed, so arms
differ only by the change under study. Each replication gives one paired
difference (the effect, oriented so that the texts predict it is positive);
the fact holds if the mean difference is positive at the fact's significance
level by a one-sided paired t-test (Student t over replications). The
scenarios are small markets written here, so the facts do not depend on the
shipped example files.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ..model import MarketModel
from ..runs import replication_seeds
from ..scenario import Scenario, scenario_with, validate_document
from ..domain.satisfaction import DELIGHTED, DISSATISFIED, SATISFIED

#: One-sided significance level of every fact (the chance of declaring a fact that does not hold).
ALPHA = 0.01


@dataclass(frozen=True)
class Fact:
    """A stylized fact: its source sentence, and an experiment giving one effect per replication."""

    key: str
    claim: str
    source: str
    effect_name: str
    experiment: Callable[[int], float]
    """seed -> the effect in one replication (positive if the fact holds)."""
    replications: int = 8


@dataclass
class FactResult:
    fact: Fact
    effects: np.ndarray
    mean: float = field(init=False)
    ci95: tuple[float, float] = field(init=False)
    p_value: float = field(init=False)

    def __post_init__(self) -> None:
        e = self.effects
        self.mean = float(e.mean())
        half = float(stats.t.ppf(0.975, e.size - 1) * e.std(ddof=1) / np.sqrt(e.size))
        self.ci95 = (self.mean - half, self.mean + half)
        self.p_value = float(stats.ttest_1samp(e, 0.0, alternative="greater").pvalue)

    @property
    def holds(self) -> bool:
        return self.mean > 0 and self.p_value < ALPHA


def evaluate(fact: Fact, root_seed: int = 2026, replications: int | None = None) -> FactResult:
    """Run a fact's experiment over seeded replications (common random numbers across its arms)."""
    seeds = replication_seeds(root_seed, replications or fact.replications)
    return FactResult(fact, np.array([fact.experiment(s) for s in seeds], dtype=float))


# ------------------------------------------------------------- markets ---


def market(customers: int = 1500, steps: int = 24, segment: dict[str, Any] | None = None,
           firms: list[dict[str, Any]] | None = None, behaviour: dict[str, Any] | None = None,
           network: dict[str, Any] | None = None) -> Scenario:
    """A small market: one segment, two identical firms (A, B) unless told otherwise."""
    doc: dict[str, Any] = {
        "name": "fact",
        "run": {"steps": steps},
        "market": {"customers": customers, "network": network or {"kind": "small_world", "mean_degree": 8},
                   "segments": [{"name": "all", "share": 1.0, **(segment or {})}]},
        "firms": firms or [{"name": "A"}, {"name": "B"}],
    }
    if behaviour:
        doc["behaviour"] = behaviour
    return validate_document(doc, "stylized fact")


def run(scenario: Scenario, seed: int, **changes: Any) -> pd.DataFrame:
    """Firm metrics of one seeded run of ``scenario`` with dotted-path ``changes`` (``firms.A.price``)."""
    if changes:
        scenario = scenario_with(scenario, {k.replace("__", "."): v for k, v in changes.items()}, "arm")
    return MarketModel(scenario, rng=seed).run()


def final(frame: pd.DataFrame, firm: str, metric: str) -> float:
    return float(frame.loc[frame["firm"] == firm, metric].iloc[-1])


def whole_run(frame: pd.DataFrame, firm: str, metric: str) -> float:
    return float(frame.loc[frame["firm"] == firm, metric].sum())


def pooled_retention(frame: pd.DataFrame, firm: str, first: int = 1) -> float:
    """1 - defections / customer-periods served, over periods >= ``first``."""
    rows = frame[(frame["firm"] == firm) & (frame["step"] >= first)]
    return 1.0 - rows["defections"].sum() / rows["served"].sum()


# ------------------------------------------------------------- the facts ---


def higher_value_wins_share(seed: int) -> float:
    """A's market share when it raises its benefit (quality +0.15) and, separately, cuts its
    price by 5 %, less its share when it does neither: the smaller of the two gains."""
    base = market(segment={"in_market": 0.3})
    share = final(run(base, seed), "A", "market_share")
    better = final(run(base, seed, **{"firms.A.quality": 1.15}), "A", "market_share")
    cheaper = final(run(base, seed, **{"firms.A.price": 0.95}), "A", "market_share")
    return min(better, cheaper) - share


def customer_outcomes(scenario: Scenario, seed: int) -> pd.DataFrame:
    """One row per served customer-period: satisfaction state, loyalty after the period, defected."""
    model = MarketModel(scenario, rng=seed)
    rows = []
    for _ in range(scenario.run.steps):
        model.step()
        served = model.previous_firm >= 0
        rows.append(pd.DataFrame({"state": model.state.satisfaction_state[served],
                                  "defected": model.defections[served]}))
    return pd.concat(rows, ignore_index=True)


def everyday_market() -> Scenario:
    """Two identical firms at the default settings: customers meet a spread of experiences."""
    return market()


def satisfied_stay_longer(seed: int) -> float:
    """Retention (1 - defection rate per period) of satisfied-or-delighted customers less that of
    dissatisfied customers, pooled over the run."""
    out = customer_outcomes(everyday_market(), seed)
    content = out["state"] != DISSATISFIED
    return float(out.loc[out["state"] == DISSATISFIED, "defected"].mean() - out.loc[content, "defected"].mean())


def delight_beats_satisfaction(seed: int) -> float:
    """Defection rate of merely satisfied customers less that of delighted ones."""
    out = customer_outcomes(everyday_market(), seed)
    return float(out.loc[out["state"] == SATISFIED, "defected"].mean() - out.loc[out["state"] == DELIGHTED, "defected"].mean())


def promise_market() -> Scenario:
    """A new market: every customer a prospect who shops now and then; two firms advertise the same offer."""
    return market(steps=36, segment={"in_market": 0.15, "outside_value": 1.5},
                  firms=[{"name": "A", "awareness": 0.2, "acquisition_spending": 300, "initial_share": 0.0},
                         {"name": "B", "awareness": 0.2, "acquisition_spending": 300, "initial_share": 0.0}])


def over_promising_backfires(seed: int) -> float:
    """A over-promises (x1.4) instead of promising what it delivers: its customers' retention over
    the run falls (the effect is honest retention less over-promising retention)."""
    base = promise_market()
    return pooled_retention(run(base, seed), "A") - pooled_retention(run(base, seed, **{"firms.A.promise": 1.4}), "A")


def over_promising_wins_first(seed: int) -> float:
    """A over-promises (x1.4): its acquisitions in the first six periods rise."""
    base = promise_market()
    early = lambda f: float(f.loc[(f["firm"] == "A") & (f["step"] <= 6), "acquisitions"].sum())  # noqa: E731
    return early(run(base, seed, **{"firms.A.promise": 1.4})) - early(run(base, seed))


def under_promising_loses_acquisition(seed: int) -> float:
    """A promises far too little (x0.6): its acquisitions over the run fall."""
    base = promise_market()
    return whole_run(run(base, seed), "A", "acquisitions") - whole_run(run(base, seed, **{"firms.A.promise": 0.6}), "A", "acquisitions")


def negative_word_outweighs_positive(seed: int) -> float:
    """Listeners reached per dissatisfied speaker less listeners reached per delighted speaker,
    over the run (equal counts of speakers reach more people with warnings)."""
    f = run(everyday_market(), seed)
    speakers_neg = (f["share_dissatisfied"] * f["served"]).sum()
    speakers_pos = (f["share_delighted"] * f["served"]).sum()
    return float(f["wom_negative"].sum() / speakers_neg - f["wom_positive"].sum() / speakers_pos)


def levels_market(customers: int, wallet: float, price: float, unit_cost: float) -> Scenario:
    """Two firms with the same offer; B's relationship level is the treatment."""
    return market(customers=customers, steps=36,
                  segment={"wallet": wallet, "wallet_cv": 0.6, "base_defection": 0.03, "outside_value": -1.0},
                  firms=[{"name": "A", "price": price, "unit_cost": unit_cost},
                         {"name": "B", "price": price, "unit_cost": unit_cost}])


#: A mass market: many customers each buying a little at a thin margin (grocery, telecom).
MASS = dict(customers=3000, wallet=8.0, price=1.0, unit_cost=0.8)
#: Key accounts: few customers each buying a lot at a wide margin (industrial supplies).
KEY = dict(customers=300, wallet=500.0, price=2.0, unit_cost=1.2)


def partnership_gain(seed: int, spec: dict[str, float]) -> float:
    """B's customer equity with partnership less with basic relationships, in the market ``spec``."""
    base = levels_market(**spec)
    return (final(run(base, seed, **{"firms.B.relationship": "partnership"}), "B", "customer_equity")
            - final(run(base, seed), "B", "customer_equity"))


def basic_pays_in_mass_market(seed: int) -> float:
    """B's customer equity with basic relationships less with partnership, in a mass market."""
    return -partnership_gain(seed, MASS)


def partnership_pays_with_key_accounts(seed: int) -> float:
    """B's customer equity with partnership less with basic relationships, with key accounts."""
    return partnership_gain(seed, KEY)


def proactive_raises_share_of_customer(seed: int) -> float:
    """B's share of customer with proactive (and, separately, partnership) relationships less with
    basic: the smaller of the two gains."""
    base = market()
    basic = final(run(base, seed), "B", "share_of_customer")
    proactive = final(run(base, seed, **{"firms.B.relationship": "proactive"}), "B", "share_of_customer")
    partner = final(run(base, seed, **{"firms.B.relationship": "partnership"}), "B", "share_of_customer")
    return min(proactive, partner) - basic


def quality_market() -> Scenario:
    return market(steps=48, segment={"wallet": 12.0, "outside_value": -1.0})


def quality_raises_retention(seed: int) -> float:
    """A invests in quality (1000 CU/period) that B does not match: A's retention over the
    second half of the run less without the investment."""
    base = quality_market()
    return (pooled_retention(run(base, seed, **{"firms.A.quality_investment": 1000}), "A", first=25)
            - pooled_retention(run(base, seed), "A", first=25))


def quality_stops_paying(seed: int) -> float:
    """A's discounted profit at a moderate quality investment (1000 CU/period) less the better of
    none and a high one (5000 CU/period): profit rises with investment, then falls."""
    base = quality_market()
    profit = {spend: final(run(base, seed, **{"firms.A.quality_investment": spend}), "A", "discounted_profit")
              for spend in (0, 1000, 5000)}
    return profit[1000] - max(profit[0], profit[5000])


def complaint_handling_cuts_dissatisfaction(seed: int) -> float:
    """B's share of dissatisfied customers (mean over the run) at basic less at the reactive level,
    which invites and handles complaints."""
    base = market()
    mean_dissatisfied = lambda f: float(f.loc[f["firm"] == "B", "share_dissatisfied"].mean())  # noqa: E731
    return mean_dissatisfied(run(base, seed)) - mean_dissatisfied(run(base, seed, **{"firms.B.relationship": "reactive"}))


def loyalty_resists_enticement(seed: int) -> float:
    """B cuts its price by 15 % to entice A's customers. The loss of A's retention (periods 1-24)
    when customers start barely loyal (0.1) less the loss when they start loyal (0.8): loyal
    customers resist switching."""
    def loss(loyalty: float) -> float:
        base = scenario_with(market(customers=3000), {"behaviour.loyalty.initial": loyalty}, "arm")
        return pooled_retention(run(base, seed), "A") - pooled_retention(run(base, seed, **{"firms.B.price": 0.85}), "A")
    return loss(0.1) - loss(0.8)


def advertising_wins_acquisitions(seed: int) -> float:
    """A triples its advertising (300 -> 900 CU/period) in a market of prospects: its acquisitions
    over the run rise."""
    base = promise_market()
    return (whole_run(run(base, seed, **{"firms.A.acquisition_spending": 900}), "A", "acquisitions")
            - whole_run(run(base, seed), "A", "acquisitions"))


def partnership_ties_raise_retention(seed: int) -> float:
    """B's retention over the run with a partnership relationship less with basic."""
    base = market()
    return (pooled_retention(run(base, seed, **{"firms.B.relationship": "partnership"}), "B")
            - pooled_retention(run(base, seed), "B"))


def word_of_mouth_amplifies_quality_loss(seed: int) -> float:
    """A's quality falls from 1.0 to 0.8: A's loss of market share with word of mouth on less
    the loss with it off."""
    base = market(segment={"in_market": 0.3})

    def loss(**switch: Any) -> float:
        return (final(run(base, seed, **switch), "A", "market_share")
                - final(run(base, seed, **switch, **{"firms.A.quality": 0.8}), "A", "market_share"))
    return loss() - loss(**{"behaviour.word_of_mouth.enabled": False})


#: The source sentences are quoted from the project's design brief, which summarises the marketing
#: texts it was written from (Kotler & Keller, Marketing Management), and where noted from studies.
BRIEF = "design brief (after Kotler & Keller)"

FACTS: list[Fact] = [
    Fact("perceived_value", "Customers choose the higher perceived value: raising a firm's benefit or cutting "
         "its cost raises its share.",
         f"{BRIEF}: \"Customers choose the offer with the highest customer perceived value (CPV): total customer "
         "benefit minus total customer cost, as the customer perceives it, relative to competing offers.\"",
         "market share gain (fraction of revenue), the smaller of quality +0.15 and price -5 %",
         higher_value_wins_share),
    Fact("satisfaction_retention", "Satisfied customers stay longer: retention rises with satisfaction.",
         f"{BRIEF}: \"Satisfied customers stay longer, buy more, are less price sensitive and talk favourably.\"",
         "defection rate per period, dissatisfied less satisfied-or-delighted customers", satisfied_stay_longer),
    Fact("delight_loyalty", "Delight builds loyalty more than mere satisfaction.",
         f"{BRIEF}: \"above them, delighted. Delight builds an emotional bond.\" Jones & Sasser (1995) find "
         "completely satisfied customers far more loyal than merely satisfied ones.",
         "defection rate per period, satisfied less delighted customers", delight_beats_satisfaction),
    Fact("over_promise_early_gain", "Promising much more than is delivered brings initial gains ...",
         f"{BRIEF}: \"Promise too much and customers are disappointed; promise too little and they ignore "
         "the offer.\"", "acquisitions in periods 1-6, promise x1.4 less honest", over_promising_wins_first),
    Fact("over_promise_defection", "... and then raises defection.",
         f"{BRIEF}: \"Promise too much and customers are disappointed.\"",
         "retention per period over the run, honest less promise x1.4", over_promising_backfires),
    Fact("under_promise", "Promising far too little loses acquisition.",
         f"{BRIEF}: \"promise too little and they ignore the offer.\"",
         "acquisitions over the run, honest less promise x0.6", under_promising_loses_acquisition),
    Fact("negative_word_of_mouth", "Negative word of mouth outweighs positive at equal counts.",
         f"{BRIEF}: \"delighted customers recommend, dissatisfied ones warn, and negative word travels further "
         "than positive.\" (TARP 1986: a dissatisfied customer tells 9-15 people, a delighted one 3-5.)",
         "listeners reached per dissatisfied speaker less per delighted speaker", negative_word_outweighs_positive),
    Fact("mass_market_basic", "In a mass market of low-margin customers, basic relationships give higher "
         "customer equity than partnership.",
         f"{BRIEF}: \"many low-margin customers call for basic relationships, few high-margin customers for full "
         "partnership.\"", "customer equity (CU), basic less partnership", basic_pays_in_mass_market),
    Fact("key_accounts_partnership", "With few high-margin customers, partnership gives higher customer equity "
         "than basic.", f"{BRIEF}: \"few high-margin customers [call] for full partnership.\"",
         "customer equity (CU), partnership less basic", partnership_pays_with_key_accounts),
    Fact("share_of_customer", "Proactive and partnership levels raise share of customer.",
         f"{BRIEF}: \"proactive (contact customers with new uses and products, which grows share of customer), "
         "partnership (work continuously with the customer)\"; \"cross-selling and up-selling raise it\".",
         "share of customer gain over basic, the smaller of proactive and partnership",
         proactive_raises_share_of_customer),
    Fact("quality_retention", "Quality investment that competitors do not match raises retention ...",
         f"{BRIEF}: \"Firms invest in quality (total quality management): quality builds with investment, with "
         "diminishing returns\"; satisfied customers stay longer.",
         "retention per period in periods 25-48, investing 1000 CU/period less none", quality_raises_retention),
    Fact("quality_stops_paying", "... and, past some level, stops paying.",
         f"{BRIEF}: \"quality builds with investment, with diminishing returns, and decays without it.\"",
         "discounted profit (CU), 1000 CU/period less the better of none and 5000 CU/period",
         quality_stops_paying),
    Fact("complaint_handling", "Higher relationship levels catch and recover dissatisfaction.",
         f"{BRIEF}: \"Higher relationship levels catch and recover dissatisfaction (complaints, follow-up).\"",
         "share of customers dissatisfied, basic less reactive", complaint_handling_cuts_dissatisfaction),
    Fact("loyalty_resists_enticement", "Loyal customers resist competitors' enticement.",
         f"{BRIEF}: \"Loyalty is a commitment to re-buy despite competitors' efforts to entice switching.\"",
         "retention lost to a rival's 15 % price cut, barely loyal less loyal customers",
         loyalty_resists_enticement),
    Fact("advertising_acquisition", "Advertising wins customers.",
         f"{BRIEF}: \"Customers perceive the offers they know of (awareness comes from advertising and word of "
         "mouth)\".", "acquisitions over the run, advertising 900 less 300 CU/period", advertising_wins_acquisitions),
    Fact("partnership_retention", "Partnership's structural ties raise retention.",
         f"{BRIEF}: \"partnership (work continuously with the customer: structural ties)\".",
         "retention per period, partnership less basic", partnership_ties_raise_retention),
    Fact("word_of_mouth_amplifies", "Word of mouth amplifies a firm's quality problem.",
         f"{BRIEF}: \"Word of mouth ... moves the listeners' expectations, image and awareness.\" Anderson (1998).",
         "market share lost to a quality cut (1.0 -> 0.8), word of mouth on less off",
         word_of_mouth_amplifies_quality_loss),
]
