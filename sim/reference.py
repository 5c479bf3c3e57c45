"""The period told one customer at a time: a plain reference implementation.

:class:`~sim.model.MarketModel` runs a period on whole arrays at once, which
is fast but hard to read. :class:`ReferenceMarketModel` runs the very same
period with ordinary loops: it follows each customer through sub-steps 3-8,
using the same random numbers (:meth:`MarketModel.draw`), so the two must
produce the same trajectories (checked in ``tests/test_docking.py``; this is
"docking" in the sense of Axtell et al. 1996). It is slow, and meant to be
read: it is the model's equations as a story.

Sub-steps 1 (firms decide) and 2 (quality) are about firms, not customers,
and are shared with the fast model; so is the set-up. Names: ``i`` is a
customer, ``j`` a firm, ``g`` the customer's segment.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .domain.satisfaction import DELIGHTED, DISSATISFIED, NO_STATE, SATISFIED
from .model import MarketModel, StepDraws

OUTSIDE = -1  # "buys from no firm in this market"


def logistic(z: float) -> float:
    """1 / (1 + e^-z), without overflow for large |z|."""
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def logit(p: float) -> float:
    """log(p / (1 - p)); minus or plus infinity at 0 and 1."""
    if p <= 0.0:
        return -math.inf
    if p >= 1.0:
        return math.inf
    return math.log(p) - math.log1p(-p)


def logit_choice(utilities: dict[int, float]) -> dict[int, float]:
    """Multinomial logit: the chance of each option, exp(u) / sum exp(u) (McFadden 1974)."""
    if not utilities:
        return {}
    top = max(utilities.values())
    weights = {k: math.exp(u - top) for k, u in utilities.items()}
    total = sum(weights.values())
    return {k: w / total for k, w in weights.items()}


def pick_option(options: list[int], chances: dict[int, float], uniform: float) -> int:
    """The option that one uniform draw lands on, walking the options in order
    (inverse-CDF sampling); if rounding leaves the total short of the draw, the last option."""
    cumulative = 0.0
    for option in options:
        cumulative += chances.get(option, 0.0)
        if cumulative > uniform:
            return option
    return options[-1]


@dataclass
class Experience:
    """What one customer went through this period (sub-step 5)."""

    performance: dict[int, float] = field(default_factory=dict)  # benefit experienced at each firm bought from
    state: int = NO_STATE  # dissatisfied, satisfied, delighted at the main firm (or none: a prospect)
    score: float = 0.5  # satisfaction score in (0, 1)


class ReferenceMarketModel(MarketModel):
    """The market model with sub-steps 3-8 written per customer (see the module docstring).

    Built exactly like :class:`MarketModel`; from the same scenario and seed it
    produces the same state and firm metrics, period after period.
    """

    def step(self) -> None:
        """One period: the same draws and order as :meth:`MarketModel.step`."""
        draws = self.draw()
        self.decide()  # 1. firms decide
        self.invest_in_quality()  # 2. quality builds and decays
        delivered, cost = self.offers()  # each firm's delivered benefit and cost, per segment
        customers = range(self.state.size)
        cpv = [self.perceive_one(i, draws, delivered, cost) for i in customers]  # 3.
        bought = [self.buy_one(i, cpv[i]) for i in customers]  # 4.
        lived = [self.experience_one(i, draws, delivered, cost, bought[i][1]) for i in customers]  # 5.
        heard_pos, heard_neg = self.word_of_mouth(draws, lived)  # 6.
        self.previous_firm = self.state.firm.copy()
        self.defection_probability = np.zeros(self.state.size)
        self.defections = np.zeros(self.state.size, dtype=bool)
        self.tenure = np.zeros(self.state.size, dtype=np.int64)
        said = self.what_speakers_say(lived)
        for i in customers:  # 7.
            self.update_one(i, delivered, lived[i], bought[i][1], heard_pos[i], heard_neg[i], said)
            self.stay_or_move(i, draws, cpv[i], lived[i])
        self.close_accounts_per_customer([u for u, _ in bought], [split for _, split in bought],
                                         lived, heard_pos, heard_neg)  # 8.
        self.datacollector.collect(self)

    # ------------------------------------------------- 3. perceive the offers

    def advertising_reach(self) -> list[float]:
        """Chance that each firm's advertising reaches a given customer this period:
        1 - exp(-spending / (cost per contact x market size))."""
        n = max(self.state.size, 1)
        per_contact = self.behaviour.awareness.cost_per_contact
        return [1.0 - math.exp(-firm.acquisition_spending / (per_contact * n)) for firm in self.firm_list]

    def perceive_one(self, i: int, draws: StepDraws, delivered: np.ndarray, cost: np.ndarray) -> list[float]:
        """Customer i hears advertising, then values every offer: perceived value =
        expected benefit + image shift x image weight - cost + perception error, less the
        psychic cost of a promise they found untrue; their own firm's price above the
        competitors' mean price counts less the more satisfied and loyal they are."""
        s, g, c = self.state, self.state.segment[i], self.behaviour.choice
        for j, reach in enumerate(self.advertising_reach()):
            if draws.advertising[i, j] < reach:
                s.aware[i, j] = True
        image_weight = self.benefit_weights[g, 3]
        prices = [firm.price for firm in self.firm_list]
        values = []
        for j, firm in enumerate(self.firm_list):
            e = s.expectation[i, j]
            value = e + image_weight * s.image[i, j] - cost[g, j] + self.perception_noise[g] * draws.perception[i, j]
            promised = firm.promise * delivered[g, j]
            if promised > e:  # a broken promise, as far as the customer knows the firm from buying
                value -= c.broken_promise_cost * s.familiarity[i, j] * (promised - e)
            if j == s.firm[i] and len(prices) > 1:  # the competitors' mean price is the reference
                reference = (sum(prices) - firm.price) / (len(prices) - 1)
                tolerance = (c.satisfied_price_tolerance * (2.0 * s.satisfaction[i] - 1.0)
                             + c.loyal_price_tolerance * s.loyalty[i])
                value += tolerance * self.cost_weights[g, 0] * (firm.price - reference)
            values.append(value)
        return values

    # ----------------------------------------------------------------- 4. buy

    def level_of(self, j: int, g: int) -> int:
        """Relationship level firm j keeps with segment g."""
        return int(self.firm_list[j].relationship[g])

    def buy_one(self, i: int, cpv: list[float]) -> tuple[float, list[float]]:
        """Customer i splits their category wallet over the firms they know (logit on
        perceived value); their own firm gets a bonus for switching costs, loyalty and
        cross-selling. Returns units bought and the split (share of customer)."""
        s, f = self.state, len(self.firm_list)
        split = [0.0] * f
        j0 = s.firm[i]
        if j0 < 0:  # a prospect buys nothing here
            s.wallet_split[i] = split
            return 0.0, split
        g = s.segment[i]
        level = self.level_of(j0, g)
        sensitivity = self.behaviour.choice.sensitivity
        utility = {}
        for j in range(f):
            if s.aware[i, j]:
                utility[j] = cpv[j]
        utility[j0] += (self.switching_cost[g] + self.behaviour.choice.loyalty_bonus * s.loyalty[i]
                        + self.level_share_bonus[level])
        for j, share in logit_choice({j: sensitivity * u for j, u in utility.items()}).items():
            split[j] = share
        s.wallet_split[i] = split
        volume = 1.0 + self.behaviour.satisfaction.volume_effect * (2.0 * s.satisfaction[i] - 1.0)  # satisfied buy more
        units = s.wallet[i] * (1.0 + self.level_uplift[level]) * volume
        return units, split

    # ---------------------------------------------------------- 5. experience

    def experience_one(self, i: int, draws: StepDraws, delivered: np.ndarray, cost: np.ndarray,
                       split: list[float]) -> Experience:
        """Customer i meets the performance of every firm they bought from, and judges their
        main firm: disconfirmation (performance against expectation) plus the value received
        against the mean value of the segment's offers; a complaint may be caught and recovered."""
        s, p = self.state, self.behaviour.satisfaction
        j0 = s.firm[i]
        if j0 < 0:
            s.satisfaction_state[i], s.satisfaction[i] = NO_STATE, 0.5
            return Experience()
        g = s.segment[i]
        noise = p.experience_noise * draws.experience[i]  # the customer's conditions of use this period
        performance = {j: delivered[g, j] + noise for j in range(len(self.firm_list)) if split[j] > 0 or j == j0}
        received = performance[j0]
        market_value = sum(delivered[g, j] - cost[g, j] for j in range(len(self.firm_list))) / len(self.firm_list)
        index = (p.disconfirmation_weight * (received - s.expectation[i, j0])
                 + p.performance_weight * (delivered[g, j0] - cost[g, j0] - market_value))
        if index < -p.tolerance:
            state = DISSATISFIED
        elif index > max(p.delight_threshold, p.tolerance):
            state = DELIGHTED
        else:
            state = SATISFIED
        if state == DISSATISFIED and draws.recovery[i] < self.level_recovery[self.level_of(j0, g)]:
            state, index = SATISFIED, 0.0  # complaint handled: as if expectations were just met
        score = logistic(index / p.scale)
        s.satisfaction_state[i], s.satisfaction[i] = state, score
        return Experience(performance, state, score)

    # -------------------------------------------------------- 6. word of mouth

    def neighbours(self, i: int) -> np.ndarray:
        """Customer i's contacts on the social network."""
        a = self.adjacency
        return a.indices[a.indptr[i]:a.indptr[i + 1]]

    def word_of_mouth(self, draws: StepDraws, lived: list[Experience]) -> tuple[np.ndarray, np.ndarray]:
        """Who hears each firm praised, and who hears it warned against (customers x firms).

        Each delighted customer praises their firm to each contact with chance q+; each
        dissatisfied one warns each contact with chance q-, and the warning is passed on
        to the contacts' contacts with chance q- x q2. A listener hears if any message
        gets through. In a fully mixed market a listener meets ``contacts`` random others.
        """
        s, f, n = self.state, len(self.firm_list), self.state.size
        heard_pos = np.zeros((n, f), dtype=bool)
        heard_neg = np.zeros((n, f), dtype=bool)
        w = self.behaviour.word_of_mouth
        if not w.enabled or n == 0:
            return heard_pos, heard_neg

        def speaks(m: int, j: int, state: int) -> bool:
            return s.firm[m] == j and lived[m].state == state

        # fully mixed: the share of the others who praise or warn against each firm
        praising_share = [sum(speaks(m, j, DELIGHTED) for m in range(n)) / max(n - 1, 1) for j in range(f)]
        warning_share = [sum(speaks(m, j, DISSATISFIED) for m in range(n)) / max(n - 1, 1) for j in range(f)]
        for i in range(n):
            for j in range(f):
                if self.adjacency is None:
                    praising, warning = praising_share[j], warning_share[j]
                    miss_pos = (1.0 - w.positive_probability * praising) ** self.contacts
                    miss_neg = ((1.0 - w.negative_probability * warning) ** self.contacts
                                * (1.0 - w.negative_probability * w.negative_second_hop * warning)
                                ** (self.contacts * self.contacts))
                else:
                    praising = warning = second_hand = 0
                    for m in self.neighbours(i):
                        praising += speaks(m, j, DELIGHTED)
                        warning += speaks(m, j, DISSATISFIED)
                        if w.negative_second_hop > 0:
                            second_hand += sum(speaks(k, j, DISSATISFIED) for k in self.neighbours(m) if k != i)
                    miss_pos = (1.0 - w.positive_probability) ** praising
                    miss_neg = ((1.0 - w.negative_probability) ** warning
                                * (1.0 - w.negative_probability * w.negative_second_hop) ** second_hand)
                heard_pos[i, j] = draws.hear_positive[i, j] < 1.0 - miss_pos
                heard_neg[i, j] = draws.hear_negative[i, j] < 1.0 - miss_neg
        return heard_pos, heard_neg

    def what_speakers_say(self, lived: list[Experience]) -> dict[tuple[int, int], float]:
        """(firm, DELIGHTED or DISSATISFIED) -> the mean performance the firm's praising, or
        warning, customers met at it this period: what their word of mouth tells."""
        told: dict[tuple[int, int], list[float]] = {}
        for i, experience in enumerate(lived):
            if experience.state in (DELIGHTED, DISSATISFIED):
                j0 = self.state.firm[i]
                told.setdefault((j0, experience.state), []).append(experience.performance[j0])
        return {key: sum(values) / len(values) for key, values in told.items()}

    # ------------------------------------- 7. expectations, loyalty, switching

    def update_one(self, i: int, delivered: np.ndarray, lived: Experience, split: list[float], heard_pos: np.ndarray,
                   heard_neg: np.ndarray, said: dict[tuple[int, int], float]) -> None:
        """Word of mouth makes firms known and moves their image, which fades; expectations move
        towards what every purchase delivered (in proportion to what was bought), and, as far as
        they do not rest on the customer's own purchases, towards promises and what was heard;
        loyalty grows with delight and satisfaction and erodes with dissatisfaction."""
        s, b = self.state, self.behaviour
        g, j0 = s.segment[i], s.firm[i]
        e = b.expectations
        kept = 0.5 ** (1.0 / b.word_of_mouth.image_half_life)  # share of an image shift left after a period
        top = max(split) if j0 >= 0 else 0.0
        for j, firm in enumerate(self.firm_list):
            if heard_pos[j] or heard_neg[j]:
                s.aware[i, j] = True
            s.image[i, j] = kept * s.image[i, j] + b.word_of_mouth.image_shift * (float(heard_pos[j]) - float(heard_neg[j]))
            if j0 >= 0 and split[j] > 0:  # learn from the purchase, the more the more was bought
                learned = e.experience_weight * (split[j] / top) ** e.learning_exponent
                s.expectation[i, j] += learned * (lived.performance[j] - s.expectation[i, j])
                s.familiarity[i, j] += learned * (1.0 - s.familiarity[i, j])
            hearsay = 1.0 - s.familiarity[i, j]  # what the customer has not found out themselves
            if s.aware[i, j]:
                promised = firm.promise * delivered[g, j]
                s.expectation[i, j] += e.promise_weight * hearsay * (promised - s.expectation[i, j])
            if heard_pos[j]:
                s.expectation[i, j] += e.word_of_mouth_weight * hearsay * (said[j, DELIGHTED] - s.expectation[i, j])
            if heard_neg[j]:
                s.expectation[i, j] += e.word_of_mouth_weight * hearsay * (said[j, DISSATISFIED] - s.expectation[i, j])
        loyalty = b.loyalty
        if lived.state == DELIGHTED:
            s.loyalty[i] += loyalty.delight_gain * (1.0 - s.loyalty[i])
        elif lived.state == SATISFIED:
            s.loyalty[i] += loyalty.satisfied_gain * (1.0 - s.loyalty[i])
        elif lived.state == DISSATISFIED:
            s.loyalty[i] -= loyalty.dissatisfied_loss * s.loyalty[i]

    def stay_or_move(self, i: int, draws: StepDraws, cpv: list[float], lived: Experience) -> None:
        """A customer defects with a probability that falls with satisfaction, loyalty and
        structural ties and rises with a better known alternative; a defector, or a
        prospect who shops this period, picks a supplier by logit (or none)."""
        s, b = self.state, self.behaviour
        g, j0 = s.segment[i], s.firm[i]
        if j0 >= 0:
            best_alternative = self.outside_value[g]
            for j in range(len(self.firm_list)):
                if j != j0 and s.aware[i, j]:
                    best_alternative = max(best_alternative, cpv[j])
            d = b.defection
            z = (logit(self.customer_base_defection[i]) - d.satisfaction_effect * (2.0 * lived.score - 1.0)
                 - d.loyalty_effect * s.loyalty[i] - self.level_tie[self.level_of(j0, g)]
                 + d.value_gap_effect * (1.0 - s.loyalty[i]) * max(best_alternative - cpv[j0], 0.0))
            self.defection_probability[i] = logistic(z)
            moves = draws.leave[i] < self.defection_probability[i]
            self.defections[i] = moves
        else:
            moves = draws.leave[i] < self.in_market[g]
        self.tenure[i] = self.steps - s.acquired_at[i]  # periods with the firm that served this period
        if not moves:
            return
        known = [j for j in range(len(self.firm_list)) if s.aware[i, j] and j != j0]
        if j0 >= 0 and not b.defection.defectors_may_switch:
            known = []
        sensitivity = b.choice.sensitivity
        utilities = {j: sensitivity * cpv[j] for j in known}
        utilities[OUTSIDE] = sensitivity * self.outside_value[g]
        chosen = pick_option([*range(len(self.firm_list)), OUTSIDE], logit_choice(utilities), draws.pick[i])
        s.firm[i] = chosen
        if chosen != OUTSIDE:
            s.loyalty[i] = b.loyalty.initial
            s.satisfaction[i] = 0.5  # no experience of the new firm yet
            s.acquired_at[i] = self.steps + 1  # first purchase is next period

    # ------------------------------------------------------ 8. close accounts

    def close_accounts_per_customer(self, units: list[float], split: list[list[float]], lived: list[Experience],
                                    heard_pos: np.ndarray, heard_neg: np.ndarray) -> None:
        """Each customer's purchases become firms' revenue; each served customer's margins,
        chance of staying r and the value m / (1 + d - r) of every purchase stream that goes
        on add up to the firms' accounts, retention and customer equity."""
        s, t, f = self.state, self.steps, len(self.firm_list)
        firms = self.firm_list
        sold = [0.0] * f  # units
        for i in range(s.size):
            for j in range(f):
                sold[j] += units[i] * split[i][j]
        revenue = [firms[j].price * sold[j] for j in range(f)]
        total_revenue = sum(revenue)

        tally = {key: [0.0] * f for key in ("served", "stayed", "score", "dissatisfied", "satisfied", "delighted",
                                            "own_spend", "wallet_spend", "relationship_cost", "clv", "equity_kept",
                                            "level", "acquisitions", "newcomers", "newcomer_value")}
        # each firm's expected retention in each segment: the mean chance of staying of the customers it served there
        segments = range(len(self.spec.market.segments))
        chances = {(j, g): [1.0 - self.defection_probability[i] for i in range(s.size)
                            if self.previous_firm[i] == j and s.segment[i] == g] for j in range(f) for g in segments}
        expected_retention = {key: sum(c) / len(c) if c else 1.0 for key, c in chances.items()}
        for i in range(s.size):
            j0 = self.previous_firm[i]
            if j0 >= 0:  # served this period by j0
                g = s.segment[i]
                level = self.level_of(j0, g)
                firm = firms[j0]
                cost_per_customer = self.level_cost[level]
                margin = units[i] * split[i][j0] * (firm.price - firm.unit_cost) - cost_per_customer
                retention = expected_retention[j0, g]
                clv = margin / (1.0 + self.discount - retention)  # the purchases still to come if they stay
                tenure = self.tenure[i]
                # the margin of the (tenure + 1)-th period with the firm, discounted to when they were won
                self.realised_value[j0] += margin / (1.0 + self.discount) ** (tenure + 1)
                if tenure == 0:
                    tally["newcomers"][j0] += 1
                    tally["newcomer_value"][j0] += clv
                joined = s.firm[i]  # their main firm after this period's switching (-1: none)
                for j in range(f):  # every purchase stream that goes on, valued at m / (1 + d - r)
                    stream = units[i] * split[i][j] * (firms[j].price - firms[j].unit_cost)
                    if j == j0:
                        stream -= cost_per_customer
                    if not self.defections[i] or (joined >= 0 and j not in (j0, joined)):
                        tally["equity_kept"][j] += stream / (1.0 + self.discount - retention)
                tally["served"][j0] += 1
                tally["score"][j0] += lived[i].score
                tally[("dissatisfied", "satisfied", "delighted")[lived[i].state]][j0] += 1
                for j in range(f):
                    spend = units[i] * split[i][j] * firms[j].price
                    tally["wallet_spend"][j0] += spend
                    if j == j0:
                        tally["own_spend"][j0] += spend
                tally["relationship_cost"][j0] += cost_per_customer
                tally["clv"][j0] += clv
                tally["level"][j0] += level
                if not self.defections[i]:
                    tally["stayed"][j0] += 1
            if s.firm[i] >= 0 and s.firm[i] != j0:
                tally["acquisitions"][s.firm[i]] += 1

        for j, firm in enumerate(firms):
            served = int(tally["served"][j])
            per = 1.0 / served if served else 0.0
            self.ever_acquired[j] += tally["acquisitions"][j]
            firm.served = served
            firm.customers = float(sum(1 for i in range(s.size) if s.firm[i] == j))
            firm.acquisitions = tally["acquisitions"][j]
            firm.defections = served - tally["stayed"][j]
            firm.retention_rate = 1.0 - firm.defections * per if served else 0.0
            firm.mean_satisfaction = tally["score"][j] * per
            firm.share_dissatisfied = tally["dissatisfied"][j] * per
            firm.share_satisfied = tally["satisfied"][j] * per
            firm.share_delighted = tally["delighted"][j] * per
            firm.wom_positive = float(heard_pos[:, j].sum())
            firm.wom_negative = float(heard_neg[:, j].sum())
            wallet = tally["wallet_spend"][j]
            firm.share_of_customer = tally["own_spend"][j] / wallet if wallet > 0 else 0.0
            firm.units = sold[j]
            firm.revenue = revenue[j]
            firm.market_share = revenue[j] / total_revenue if total_revenue > 0 else 0.0
            firm.cost_of_goods = firm.unit_cost * sold[j]
            firm.relationship_cost = tally["relationship_cost"][j]
            firm.quality_spending = float(firm.quality_investment)
            firm.costs = (firm.cost_of_goods + firm.relationship_cost + firm.quality_spending
                          + firm.acquisition_spending + firm.fixed_cost)
            firm.margin = firm.revenue - firm.cost_of_goods - firm.relationship_cost
            firm.profit = firm.revenue - firm.costs
            firm.discounted_profit += firm.profit / (1.0 + self.discount) ** t
            acquired = self.ever_acquired[j]
            firm.clv_realised = float(self.realised_value[j] / acquired) if acquired else 0.0
            firm.clv_expected = tally["clv"][j] * per
            newcomers = tally["newcomers"][j]
            firm.new_customer_value = tally["newcomer_value"][j] / newcomers if newcomers else firm.clv_expected
            firm.customer_equity = tally["equity_kept"][j] + firm.acquisitions * firm.new_customer_value
            aware = [s.expectation[i, j] for i in range(s.size) if s.aware[i, j]]
            firm.mean_expectation = sum(aware) / len(aware) if aware else 0.0
            images = [s.image[i, j] for i in range(s.size) if s.aware[i, j]]
            firm.mean_image = sum(images) / len(images) if images else 0.0
            firm.relationship_level = tally["level"][j] * per
            firm.awareness = len(aware) / s.size if s.size else 0.0
        self.prospects = sum(1 for i in range(s.size) if s.firm[i] < 0)
