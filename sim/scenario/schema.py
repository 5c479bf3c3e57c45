"""The scenario format: what a scenario file may say, with defaults and units.

A scenario is data, never code. Every field is validated; unknown keys are
errors. Money is in currency units (CU) per period, volumes in units per
period, probabilities per period. Behavioural constants live in
:class:`Behaviour`; each states its default and where the default comes from.
The file format is documented for users in ``docs/scenarios.md``.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

#: Relationship levels in order of cost (Kotler & Keller, "Marketing Management").
RELATIONSHIP_LEVELS = ("basic", "reactive", "accountable", "proactive", "partnership")

#: Largest magnitude of a number in a scenario: sums and products over 5e7
#: customers and 1e5 periods then stay far inside float64's range (~1.8e308).
LARGEST = 1e12
#: Most firms and segments a scenario may have. Every table, plot and report is laid out for
#: people to read (a firm a column, a line, a colour); past a few dozen they stop being readable
#: long before they stop being fast, and a market of more competitors is rarely a question of
#: strategy. Both limits are documented in docs/scenarios.md and docs/reliability.md.
MAX_FIRMS = 40
MAX_SEGMENTS = 40
#: Smallest value of a scale that divides (satisfaction scale, investment scale,
#: cost per contact), so that LARGEST / SMALLEST_SCALE cannot overflow.
SMALLEST_SCALE = 1e-9

NonNegative = Annotated[float, Field(ge=0, le=LARGEST, allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0, le=LARGEST, allow_inf_nan=False)]
Scale = Annotated[float, Field(ge=SMALLEST_SCALE, le=LARGEST, allow_inf_nan=False)]
Probability = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]
Real = Annotated[float, Field(ge=-LARGEST, le=LARGEST, allow_inf_nan=False)]
Name = Annotated[str, Field(min_length=1, max_length=64)]


class Strict(BaseModel):
    """Base for every section: unknown keys are errors, floats must be finite, and types are strict:
    a number is a number (not "1" or true; a whole number may stand for a float), a boolean a boolean."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False, strict=True,
                              use_attribute_docstrings=True)


# --------------------------------------------------------------------- run ---


class Run(Strict):
    """How long and how often to run."""

    steps: Annotated[int, Field(ge=0, le=100_000)] = 36
    """Periods to simulate (a period is a month by default)."""
    seed: Annotated[int, Field(ge=0)] = 1
    """Root seed; replication streams are spawned from it."""
    replications: Annotated[int, Field(ge=1, le=100_000)] = 5
    """Independent seeded replications (confidence intervals need at least 2)."""
    # above 0, so that a lifetime value m / (1 + d - r) stays finite when retention r reaches 1
    discount_rate: Annotated[float, Field(ge=1e-6, le=10, allow_inf_nan=False)] = 0.10
    """Annual discount rate for lifetime values and discounted profit."""
    periods_per_year: Annotated[int, Field(ge=1, le=365)] = 12
    """Periods in a year (12: a period is a month); converts the annual discount rate."""
    currency: Annotated[str, Field(min_length=1, max_length=12, pattern=r"^[^\s]+$")] = "CU"
    """Name of the currency money is reported in (labels only; no conversion), e.g. "EUR"; CU = currency units."""

    @model_validator(mode="after")
    def _discount_factor_representable(self) -> Run:
        # (1 + d)^t must stay below float64's largest value, e^709
        per_period = math.log1p(self.discount_rate) / self.periods_per_year
        longest = int(709 / per_period)
        if self.steps > longest:
            raise ValueError(f"steps: discounting at {self.discount_rate:g} a year over {self.steps} periods of "
                             f"1/{self.periods_per_year} year leaves the range of numbers; at most {longest} periods")
        return self


# ------------------------------------------------------------------ market ---


class BenefitWeights(Strict):
    """How much a segment values each kind of benefit (Kotler & Keller: total customer benefit)."""

    product: NonNegative = 1.0
    """Weight of product value (the firm's quality)."""
    service: NonNegative = 1.0
    """Weight of service value (service plus the relationship level's service)."""
    personnel: NonNegative = 1.0
    """Weight of personnel value."""
    image: NonNegative = 1.0
    """Weight of image value (the firm's image plus word-of-mouth shifts)."""


class CostWeights(Strict):
    """How much a segment feels each kind of cost (total customer cost)."""

    monetary: NonNegative = 1.0
    """Weight of the monetary cost (price); price sensitivity."""
    time: NonNegative = 1.0
    """Weight of the time cost."""
    energy: NonNegative = 1.0
    """Weight of the energy (effort) cost."""
    psychic: NonNegative = 1.0
    """Weight of the psychic cost (worry, risk)."""


class Segment(Strict):
    """A group of customers who weigh benefits and costs alike."""

    name: Name
    """Segment name (unique); firms may set a relationship level per segment name."""
    share: Probability
    """Fraction of the market's customers in this segment."""
    benefit_weights: BenefitWeights = BenefitWeights()
    cost_weights: CostWeights = CostWeights()
    wallet: Positive = 10.0
    """Mean category purchases per customer per period (units)."""
    wallet_cv: Annotated[float, Field(ge=0, le=5, allow_inf_nan=False)] = 0.5
    """Coefficient of variation of wallets across customers (lognormal)."""
    base_defection: Probability = 0.02
    """Defection probability per period of a customer who just meets expectations,
    with no loyalty and no better offer (2 %/month ~ 22 %/year, typical of
    subscription markets; Reichheld & Sasser 1990 report 10-30 %/year)."""
    base_defection_beta: Annotated[tuple[Positive, Positive] | None, Field(strict=False)] = None  # TOML gives a list
    """[a, b]: give each customer their own base defection probability, drawn once
    from Beta(a, b) (mean a / (a + b)), in place of ``base_defection``: customers
    differ in their propensity to leave, so a cohort's retention rises as the
    likely leavers go first (the shifted-beta-geometric model, Fader & Hardie 2007)."""
    in_market: Probability = 0.05
    """Probability per period that a prospect (no current supplier) shops the category."""
    outside_value: Real = 0.0
    """Perceived value of not buying from any firm here (the outside option)."""
    switching_cost: NonNegative = 0.3
    """Value bonus of the current firm in the wallet split and when weighing a switch."""
    perception_noise: NonNegative = 0.15
    """Standard deviation of the per-period error in perceived value (value units)."""


class Network(Strict):
    """The social network word of mouth travels on."""

    kind: Literal["small_world", "scale_free", "random", "fully_mixed"] = "small_world"
    """small_world (Watts-Strogatz), scale_free (Chung-Lu power law), random (Erdos-Renyi) or fully_mixed."""
    mean_degree: Annotated[int, Field(ge=0, le=1000)] = 10
    """Mean number of neighbours (contacts per period when fully mixed)."""
    rewiring: Probability = 0.1
    """Watts-Strogatz rewiring probability (small world only; 0.1 as in Watts & Strogatz 1998)."""
    exponent: Annotated[float, Field(gt=2, le=10, allow_inf_nan=False)] = 2.5
    """Degree exponent of the scale-free network (2 < gamma <= 3 for most social networks)."""


class Market(Strict):
    """The customers: how many, their social network and their segments."""

    customers: Annotated[int, Field(ge=0, le=50_000_000)] = 2000
    """Number of customers (prospects included)."""
    network: Network = Network()
    segments: Annotated[list[Segment], Field(min_length=1, max_length=MAX_SEGMENTS)] = Field(
        default_factory=lambda: [Segment(name="all", share=1.0)]
    )
    """The segments: 1 to 40 (``MAX_SEGMENTS``), their shares summing to 1."""

    @field_validator("segments")
    @classmethod
    def _segments_cover_market(cls, segments: list[Segment]) -> list[Segment]:
        total = sum(s.share for s in segments)
        if not math.isclose(total, 1.0, abs_tol=1e-6):
            raise ValueError(f"segment shares must sum to 1, they sum to {total:.6g}")
        names = [s.name for s in segments]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"segment names must be unique, repeated: {sorted(dup)}")
        return segments


# ------------------------------------------------------------------- firms ---


class StrategySpec(Strict):
    """A registered strategy by name, with its parameters."""

    name: Name = "fixed"
    """Name of a registered strategy (see docs/strategies.md)."""
    params: dict[str, float | int | str | bool | list[float] | list[str]] = Field(default_factory=dict)
    """Keyword parameters of the strategy."""


class Firm(Strict):
    """A competing firm: its offer, its spending and its strategy.

    Benefits and costs are in value units on a common scale (1.0 = an ordinary
    offer); price is also the monetary cost in value units and CU per unit.
    """

    name: Name
    """Firm name (unique); `--set firms.NAME.field=...` addresses it."""
    strategy: StrategySpec = StrategySpec()
    """The registered strategy that sets the firm's decisions each period."""
    price: Positive = 1.0
    """Price per unit (CU); also the monetary cost the customer perceives."""
    unit_cost: NonNegative = 0.6
    """Cost of goods per unit (CU)."""
    quality: Annotated[float, Field(ge=0, le=10, allow_inf_nan=False)] = 1.0
    """Initial quality: the product value of the offer."""
    quality_investment: NonNegative = 0.0
    """Quality (TQM) spending per period (CU)."""
    service: NonNegative = 1.0
    """Service value of the offer (value units)."""
    personnel: NonNegative = 1.0
    """Personnel value of the offer (value units)."""
    image: NonNegative = 1.0
    """Image value of the offer (value units)."""
    time_cost: NonNegative = 0.3
    """Time the customer spends buying and using the offer (value units)."""
    energy_cost: NonNegative = 0.3
    """Effort the customer spends (value units)."""
    psychic_cost: NonNegative = 0.2
    """Worry and risk the customer bears (value units)."""
    promise: Annotated[float, Field(ge=0, le=5, allow_inf_nan=False)] = 1.0
    """Promised benefit as a multiple of the benefit delivered (1 = honest)."""
    relationship: str | dict[str, str] = "basic"
    """One relationship level for all segments, or a level per segment name."""
    acquisition_spending: NonNegative = 0.0
    """Advertising and acquisition spending per period (CU)."""
    fixed_cost: NonNegative = 0.0
    """Overhead per period (CU)."""
    awareness: Probability = 1.0
    """Initial fraction of the market aware of this firm."""
    initial_share: Probability | None = None
    """Initial fraction of the market that are this firm's customers; if no firm
    gives one, customers start with the firm they value most."""

    @field_validator("relationship")
    @classmethod
    def _known_levels(cls, v: str | dict[str, str]) -> str | dict[str, str]:
        for level in [v] if isinstance(v, str) else v.values():
            if level not in RELATIONSHIP_LEVELS:
                raise ValueError(f"unknown relationship level {level!r}; expected one of {', '.join(RELATIONSHIP_LEVELS)}")
        return v


# --------------------------------------------------------------- behaviour ---


class Choice(Strict):
    """Wallet split and switching choice: multinomial logit on perceived value."""

    sensitivity: Positive = 4.0
    """Logit scale (1/value unit): how sharply customers favour the higher perceived value."""
    loyalty_bonus: NonNegative = 0.5
    """Value bonus of the current firm per unit of loyalty, in the wallet split."""
    satisfied_price_tolerance: Probability = 0.4
    """How much less a satisfied customer weighs their own firm's price above the market's mean
    price (and more a dissatisfied one): the price term shrinks by this x (2 x last score - 1).
    Satisfied customers are less price sensitive (Anderson 1996; Homburg, Koschate & Hoyer 2005)."""
    loyal_price_tolerance: Probability = 0.4
    """The same per unit of loyalty: loyal customers respond less to their firm's price
    (Krishnamurthi & Raj 1991 find loyal households' brand choice less price elastic)."""

    broken_promise_cost: NonNegative = 0.25
    """Psychic cost (value units) per value unit a firm's promise exceeds what the customer
    has found it to deliver, times the share of their expectation resting on their own
    purchases: a firm whose promises prove untrue is less credible, and dealing with it
    riskier (Erdem & Swait 1998, brand credibility)."""

    @model_validator(mode="after")
    def _tolerance_below_one(self) -> Choice:
        if self.satisfied_price_tolerance + self.loyal_price_tolerance > 1:
            raise ValueError("satisfied_price_tolerance + loyal_price_tolerance must be at most 1 "
                             "(at 1 a delighted, fully loyal customer ignores their firm's price)")
        return self


class Satisfaction(Strict):
    """The satisfaction index: disconfirmation (Oliver 1980: performance minus expectation) and
    the value the firm delivers against the segment's mean value (ACSI; Fornell et al. 1996)."""

    tolerance: NonNegative = 0.1
    """Half-width of the zone of tolerance: a satisfaction index below -tolerance is 'dissatisfied'."""
    delight_threshold: NonNegative = 0.1
    """Satisfaction index above which a customer is delighted (at least the tolerance). The zone of
    tolerance runs from adequate to desired service (Zeithaml, Berry & Parasuraman 1993): above it
    customers are delighted, below it dissatisfied; at the default both edges are 0.1 from the
    expectation, so in a market at rest about as many are delighted as dissatisfied, and praise is
    heard more often than warnings, as East, Hammond & Lomax (2008) find, only while the delighted
    outnumber the dissatisfied enough to offset the warnings' reach."""
    experience_noise: NonNegative = 0.1
    """Standard deviation of experienced performance around the delivered benefit."""
    scale: Scale = 0.2
    """Disconfirmation giving satisfaction score 0.73 (score = logistic(disconfirmation/scale))."""
    disconfirmation_weight: NonNegative = 1.0
    """Weight of disconfirmation (performance minus expectation) in the satisfaction index."""
    performance_weight: NonNegative = 0.5
    """Weight of the value the firm delivers (benefit minus cost) relative to the mean value of
    the segment's offers, beside disconfirmation: satisfaction depends on performance
    itself, not on expectations alone (Churchill & Surprenant 1982; in the ACSI model, Fornell et
    al. 1996, perceived quality and value drive satisfaction more strongly than expectations)."""
    volume_effect: Probability = 0.1
    """Satisfied customers buy more: purchases scale by 1 + volume_effect x (2 x last score - 1),
    so +/-10 % between the fully dissatisfied and the delighted (a modest reading of the
    satisfaction-sales link in Anderson & Mittal 2000)."""


class Expectations(Strict):
    """How expectations move (Kotler & Keller: experience, word of mouth, promises)."""

    experience_weight: Probability = 0.3
    """Share of the gap to experienced performance closed each period by the firm a customer
    buys most from; a firm they buy less from teaches less (see ``learning_exponent``)."""
    learning_exponent: Annotated[float, Field(ge=0, le=4, allow_inf_nan=False)] = 0.25
    """A purchase teaches at experience_weight x (its share of the wallet / the largest share)^this:
    1 in proportion to what was bought, 0 as much as the main purchase. At 0.25 a purchase of a
    tenth of the main one teaches 56 % as much: a customer meets the product each time they use
    it, and a market discovers a firm that under-promises within a few years, not decades."""
    promise_weight: Probability = 0.1
    """Share of the gap to the firm's promise closed each period, for aware customers without
    experience of the firm (discounted by the share of the expectation resting on experience)."""
    word_of_mouth_weight: Probability = 0.2
    """Share of the gap to what the speakers experienced closed when a customer hears a firm
    praised or warned against, discounted like the promise by their own experience (advice from
    friends weighs more than advertising: Day 1971, Herr, Kardes & Kim 1991)."""
    initial_noise: NonNegative = 0.1
    """Standard deviation of initial expectations around the promised benefit."""


class WordOfMouth(Strict):
    """Who speaks and how far it travels. Negative word travels further: the
    'tell 9-15 people' finding (TARP 1986) against 'tell 3-5' for delight.
    With the default 10 neighbours, a delighted customer reaches about 0.8
    people a month and a dissatisfied one about 1.2 directly plus about 1.2
    more at the second step: warnings reach three times as many."""

    enabled: bool = True
    """Switch word of mouth off entirely (for analytic cases)."""
    positive_probability: Probability = 0.08
    """Chance a delighted customer's word reaches each neighbour per period."""
    negative_probability: Probability = 0.12
    """Chance a dissatisfied customer's warning reaches each neighbour per period."""
    negative_second_hop: Probability = 0.1
    """Chance a warning is passed on again, to each neighbour of a listener."""
    image_shift: NonNegative = 0.2
    """Image value shift per message heard (+ positive, - negative); with the default fading,
    a customer who hears one message a month holds a shift of about 1.8 (a 1 % chance a month: 0.02)."""
    image_half_life: Annotated[float, Field(gt=0, le=LARGEST, allow_inf_nan=False)] = 6.0
    """Periods in which an image shift from word of mouth fades to half: hearsay is forgotten.
    Six months lies between the carry-over of advertising (90 % of its effect gone within 3-15
    months in Clarke's 1976 meta-analysis) and a reputation's years."""


class Loyalty(Strict):
    """Commitment to re-buy; delight builds an emotional bond fastest (Jones & Sasser 1995)."""

    initial: Probability = 0.3
    """Loyalty of a new customer (0..1)."""
    delight_gain: Probability = 0.15
    """Share of the gap to full loyalty closed in a delighted period."""
    satisfied_gain: Probability = 0.05
    """Share of the gap to full loyalty closed in a satisfied period."""
    dissatisfied_loss: Probability = 0.2
    """Share of loyalty lost in a dissatisfied period."""


class Defection(Strict):
    """Logit of the defection probability, around each segment's base_defection."""

    satisfaction_effect: NonNegative = 2.0
    """Logit decrease per unit of satisfaction score above 0.5 (times 2)."""
    loyalty_effect: NonNegative = 1.5
    """Logit decrease per unit of loyalty."""
    value_gap_effect: NonNegative = 2.0
    """Logit increase per value unit the best alternative beats the current firm, times (1 - loyalty)."""
    defectors_may_switch: bool = True
    """Defectors choose another known firm (or the outside option); if false they lapse."""


class RelationshipLevels(Strict):
    """Cost and effect of each relationship level, basic..partnership (5 entries each)."""

    cost: list[NonNegative] = [0.0, 0.2, 0.6, 1.5, 4.0]
    """Cost per customer per period (CU): each level costs more than the one before."""
    recovery: list[Probability] = [0.0, 0.3, 0.5, 0.55, 0.65]
    """Chance a dissatisfied customer's complaint is caught and recovered to 'satisfied'."""
    service_value: list[NonNegative] = [0.0, 0.02, 0.05, 0.08, 0.12]
    """Service value added to the offer (value units)."""
    share_bonus: list[NonNegative] = [0.0, 0.0, 0.0, 0.35, 0.6]
    """Value bonus of the firm in its customers' wallet split (cross- and up-selling)."""
    wallet_uplift: list[NonNegative] = [0.0, 0.0, 0.0, 0.08, 0.15]
    """Relative growth of the customer's category purchases (new uses and products)."""
    structural_tie: list[NonNegative] = [0.0, 0.0, 0.2, 0.3, 1.2]
    """Logit decrease in defection from ties (follow-up, contact, partnership)."""

    @model_validator(mode="after")
    def _five_each(self) -> RelationshipLevels:
        for name in ("cost", "recovery", "service_value", "share_bonus", "wallet_uplift", "structural_tie"):
            if len(getattr(self, name)) != len(RELATIONSHIP_LEVELS):
                raise ValueError(f"{name} needs {len(RELATIONSHIP_LEVELS)} values, one per level "
                                 f"({', '.join(RELATIONSHIP_LEVELS)})")
        return self


class Quality(Strict):
    """Total quality management: quality builds with investment, with diminishing
    returns, and decays towards a floor without it."""

    build_rate: Probability = 0.1
    """Share of the gap to the ceiling closed per period at saturating investment."""
    investment_scale: Scale = 1000.0
    """Spending (CU/period) that reaches 63 % of the saturating effect."""
    ceiling: Positive = 2.0
    """Highest quality investment can reach (value units)."""
    floor: NonNegative = 1.0
    """Quality without any investment, in the long run (value units): an ordinary offer, so
    a firm that never invests keeps an ordinary quality and a market of such firms is at rest;
    what investment builds above it decays back."""
    decay: Probability = 0.01
    """Share of the excess over the floor lost per period."""


class Awareness(Strict):
    """How advertising builds awareness."""

    cost_per_contact: Scale = 0.5
    """Acquisition spending (CU) per expected new aware customer at low reach."""


class Behaviour(Strict):
    """Behavioural constants of customers and firms, by mechanism."""

    choice: Choice = Choice()
    satisfaction: Satisfaction = Satisfaction()
    expectations: Expectations = Expectations()
    word_of_mouth: WordOfMouth = WordOfMouth()
    loyalty: Loyalty = Loyalty()
    defection: Defection = Defection()
    relationship: RelationshipLevels = RelationshipLevels()
    quality: Quality = Quality()
    awareness: Awareness = Awareness()


# ------------------------------------------------------ compare and sweep ---

ParamValue = float | int | str | bool


class Arm(Strict):
    """One arm of a comparison: a name and the values it changes (dotted paths)."""

    name: Name
    """Arm name (the first arm is the baseline)."""
    set: dict[str, Any] = Field(default_factory=dict)
    """Dotted path -> value, applied to the scenario and validated like the file."""


class Compare(Strict):
    arms: Annotated[list[Arm], Field(min_length=1)]
    """The arms; each changes the scenario by dotted paths."""


class SweepRange(Strict):
    low: Real
    """Lower end of the range."""
    high: Real
    """Upper end of the range."""
    integer: bool = False
    """Round sampled values to whole numbers."""


class Sweep(Strict):
    method: Literal["grid", "latin_hypercube", "sobol"] = "grid"
    """grid (every combination of listed values), latin_hypercube or sobol over ranges."""
    samples: Annotated[int, Field(ge=1, le=1_000_000)] = 16
    """Samples for latin_hypercube; base sample N for sobol (a power of two)."""
    parameters: dict[str, list[ParamValue] | SweepRange]
    """Dotted path -> list of values (grid) or {low, high, integer} range."""


class Optimise(Strict):
    """The question for `marketsim optimise`: one firm's decisions, objective and constraints."""

    firm: Name
    """The firm whose decisions are searched."""
    decisions: Annotated[dict[str, str], Field(min_length=1)]
    """Dotted path -> "LOW:HIGH" (a range) or "a,b,c" (choices), e.g. "firms.Partner.price" = "0.8:1.6"."""
    objective: Literal["customer_equity", "discounted_profit", "profit", "retention_rate"] = "customer_equity"
    """The firm's summary metric to maximise."""
    constraints: list[str] = Field(default_factory=list)
    """Conditions on the firm's summary metrics, e.g. "retention_rate>=0.9"."""
    trials: Annotated[int, Field(ge=1, le=100_000)] = 30
    """Candidates the search evaluates."""
    replications: Annotated[int, Field(ge=1, le=100_000)] | None = None
    """Replications per candidate (default: run.replications)."""


# ---------------------------------------------------------------- scenario ---


class Scenario(Strict):
    """A whole scenario file."""

    name: Name = "scenario"
    """Scenario name, used in reports and as the default output folder."""
    description: str = ""
    """What the scenario shows; printed at the top of the report."""
    run: Run = Run()
    market: Market = Market()
    firms: Annotated[list[Firm], Field(min_length=1, max_length=MAX_FIRMS)] = Field(
        default_factory=lambda: [Firm(name="A"), Firm(name="B", price=1.1, quality=1.2)]
    )
    """The competing firms: 1 to 40 (``MAX_FIRMS``: tables and plots have a column, line or colour each)."""
    behaviour: Behaviour = Behaviour()
    compare: Compare | None = None
    """Arms for `marketsim compare` (optional)."""
    sweep: Sweep | None = None
    """Parameters for `marketsim sweep` (optional)."""
    optimise: Optimise | None = None
    """The question for `marketsim optimise` (optional)."""

    @field_validator("firms")
    @classmethod
    def _firms_consistent(cls, firms: list[Firm]) -> list[Firm]:
        names = [f.name for f in firms]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(f"firm names must be unique, repeated: {sorted(dup)}")
        given = [f.initial_share for f in firms if f.initial_share is not None]
        if given and len(given) != len(firms):
            raise ValueError("give initial_share for every firm or for none")
        if sum(given) > 1 + 1e-9:
            raise ValueError(f"initial shares of the firms sum to {sum(given):.6g}, more than 1")
        return firms

    @model_validator(mode="after")
    def _levels_name_segments(self) -> Scenario:
        segments = {s.name for s in self.market.segments}
        for i, firm in enumerate(self.firms):
            if isinstance(firm.relationship, dict):
                unknown = set(firm.relationship) - segments
                if unknown:
                    raise ValueError(f"firms[{i}].relationship: levels given for unknown segment(s) "
                                     f"{sorted(unknown)}; segments are {sorted(segments)}")
        return self

    def relationship_levels(self) -> list[list[int]]:
        """Relationship level index per firm and segment (firms x segments)."""
        out = []
        for firm in self.firms:
            rel = firm.relationship
            out.append([RELATIONSHIP_LEVELS.index(rel if isinstance(rel, str) else rel.get(s.name, "basic"))
                        for s in self.market.segments])
        return out
