"""The market model: one Mesa ``Model`` whose period runs in a fixed order.

1. Firms decide (their strategies): price, quality investment, relationship
   level per segment, promise, acquisition spending.
2. Quality builds from investment and decays.
3. Customers perceive the offers they know of (advertising raises awareness),
   with perception noise, and compute perceived value.
4. Customers buy: their category wallet is split across known firms by logit
   on perceived value, the current firm favoured by switching costs, loyalty
   and the relationship level (share of customer); satisfied and loyal
   customers weigh their firm's price less.
5. Customers experience every firm they bought from; at their main firm they
   judge performance against expectations and the market's value and are
   dissatisfied, satisfied or delighted; the relationship level decides how
   many complaints are caught and recovered.
6. Word of mouth travels on the social network: delighted customers
   recommend, dissatisfied ones warn, telling what they experienced; warnings
   travel further.
7. Expectations (from every purchase, promises and what was heard), image
   (which fades) and loyalty update; customers defect or stay; defectors and
   shopping prospects choose a new supplier (acquisition).
8. Firm accounts close: revenue, costs, profit, retention, lifetime values,
   customer equity.

All randomness of a period is drawn in bulk from the model's seeded
generator (:meth:`MarketModel.draw`), in a fixed order, so a per-customer
reference version of the step can consume the very same draws. In a large
market the next period's numbers are drawn on a second core while a period
computes, in the same place in the generator's sequence (:mod:`sim.draws`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd
from scipy import special

from .agents import Customer, Firm
from .collection import MarketDataCollector
from .domain import (accounts, choice, expectations, lifetime_value, loyalty, network, purchases, quality, relationship,
                     rows, satisfaction, value, word_of_mouth)
from .domain.satisfaction import DELIGHTED, DISSATISFIED, SATISFIED
from .draws import DRAW_AHEAD_FROM, Draws, StepDraws
from .metrics import FIRM_METRICS
from .scenario import Scenario, keywords, load_scenario, scenario_with
from .scenario.limits import check_memory
from .state import CustomerState
from .strategies import Strategy, decisions, make_strategy


class MarketModel(mesa.Model):
    """A market of customers choosing among firms by perceived value.

    Build from a scenario file path, a :class:`~sim.scenario.Scenario`, or
    nothing (the default scenario). Keyword overrides use ``__`` for dots:
    ``MarketModel(market__customers=500, run__steps=12)``; this is also how
    ``mesa.batch_run`` passes parameters. ``rng`` (or ``seed``) seeds the
    model's generator; without either, the scenario's ``run.seed`` is used.
    ``strategies`` maps firm names to :class:`~sim.strategies.Strategy`
    instances that replace the scenario's.

    The validated scenario is ``model.spec`` (Mesa 3.5 reserves ``model.scenario``).
    """

    def __init__(self, scenario: Scenario | str | Path | None = None, *, rng: Any = None, seed: Any = None,
                 strategies: dict[str, Strategy] | None = None, **overrides: Any):
        if isinstance(scenario, str | Path):
            scenario = load_scenario(scenario)
        scenario = scenario if scenario is not None else Scenario()
        if overrides:
            scenario = scenario_with(scenario, keywords.dotted(overrides, MarketModel), "overrides")
        check_memory(scenario)  # refuse up front, with the estimate, what cannot fit in memory
        if rng is None:
            rng = seed if seed is not None else scenario.run.seed
        super().__init__(rng=rng)
        self.spec = scenario
        self.behaviour = scenario.behaviour
        self.discount = lifetime_value.period_discount_rate(scenario.run.discount_rate, scenario.run.periods_per_year)
        self._setup_segments()
        self._setup_firms(strategies or {})
        self.adjacency = network.build(scenario.market.network, scenario.market.customers, self.rng)
        self.contacts = network.mean_degree(self.adjacency, scenario.market.network)
        self.state = CustomerState.empty(scenario.market.customers, len(self.firm_list))
        self._setup_customers()
        self._setup_defection_propensity()
        self._setup_step_arrays()
        self._customers: dict[int, Customer] = {}
        self.prospects = int((self.state.firm < 0).sum())
        self.datacollector = MarketDataCollector(Firm, [(f.unique_id, f.name) for f in self.firm_list],
                                                 model_reporters={"prospects": "prospects"})

    # ------------------------------------------------------------- set-up ---

    def _setup_segments(self) -> None:
        segs = self.spec.market.segments
        self.segment_share = np.array([s.share for s in segs])
        self.benefit_weights = np.array([[s.benefit_weights.product, s.benefit_weights.service,
                                          s.benefit_weights.personnel, s.benefit_weights.image] for s in segs])
        self.cost_weights = np.array([[s.cost_weights.monetary, s.cost_weights.time,
                                       s.cost_weights.energy, s.cost_weights.psychic] for s in segs])
        self.base_defection = np.array([s.base_defection for s in segs])
        self.in_market = np.array([s.in_market for s in segs])
        self.outside_value = np.array([s.outside_value for s in segs])
        self.switching_cost = np.array([s.switching_cost for s in segs])
        self.perception_noise = np.array([s.perception_noise for s in segs])
        rel = self.behaviour.relationship
        self.level_cost = relationship.level_table(rel, "cost")
        self.level_recovery = relationship.level_table(rel, "recovery")
        self.level_service = relationship.level_table(rel, "service_value")
        self.level_share_bonus = relationship.level_table(rel, "share_bonus")
        self.level_uplift = relationship.level_table(rel, "wallet_uplift")
        self.level_tie = relationship.level_table(rel, "structural_tie")

    def _setup_firms(self, strategies: dict[str, Strategy]) -> None:
        unknown = set(strategies) - {f.name for f in self.spec.firms}
        if unknown:
            raise ValueError(f"strategies given for unknown firms {sorted(unknown)}")
        levels = self.spec.relationship_levels()
        self.firm_list: list[Firm] = []
        for i, spec in enumerate(self.spec.firms):
            strategy = strategies.get(spec.name) or make_strategy(spec.strategy.name, spec.strategy.params)
            self.firm_list.append(Firm(self, spec, i, levels[i], strategy))
        for firm in self.firm_list:
            firm.strategy.setup(firm, self)
        self.realised_value = np.zeros(len(self.firm_list))  # discounted margin after acquisition, CU
        self.ever_acquired = np.zeros(len(self.firm_list))

    def _setup_customers(self) -> None:
        """Segments, wallets, awareness, expectations and first suppliers."""
        s, rng, n = self.state, self.rng, self.state.size
        segs = self.spec.market.segments
        s.segment[:] = np.minimum(np.searchsorted(np.cumsum(self.segment_share), rng.random(n), side="right"),
                                  len(segs) - 1)
        cv = np.array([g.wallet_cv for g in segs])[s.segment]
        mean = np.array([g.wallet for g in segs])[s.segment]
        sigma2 = np.log1p(cv**2)
        s.wallet[:] = mean * np.exp(np.sqrt(sigma2) * rng.standard_normal(n) - sigma2 / 2)
        initial_awareness = np.array([f.awareness for f in self.spec.firms])
        s.aware[:] = rng.random((n, len(self.firm_list))) < initial_awareness[None, :]
        delivered, cost = self.offers()
        promised = expectations.promised_benefit(self.firm_array("promise"), delivered)
        s.expectation[:] = promised[s.segment] + self.behaviour.expectations.initial_noise * rng.standard_normal(s.expectation.shape)
        s.familiarity[:] = 0.0  # nobody has bought yet
        s.loyalty[:] = self.behaviour.loyalty.initial
        draw = rng.random(n)
        shares = [f.initial_share for f in self.spec.firms]
        if shares[0] is not None:
            first = np.searchsorted(np.cumsum(shares), draw, side="right")
            first = np.where(first < len(shares), first, -1)
        else:
            judges = value.Judges(s.segment, s.firm, s.satisfaction, s.loyalty, self.benefit_weights[s.segment, 3],
                                  self.perception_noise[s.segment])
            cpv = value.perceived_value(self.beliefs(), judges, self.offer_terms(promised, cost), self.judging(),
                                        rng.standard_normal(s.expectation.shape))
            first = choice.choose_suppliers(np.arange(n), cpv, s.aware, self.outside_value[s.segment], draw,
                                            self.behaviour.choice.sensitivity)
        s.firm[:] = first
        has = first >= 0
        s.aware[np.flatnonzero(has), first[has]] = True
        s.acquired_at[:] = 1
        self.ever_acquired += np.bincount(first[has], minlength=len(self.firm_list))

    def _setup_defection_propensity(self) -> None:
        """Each customer's base defection probability (N): the segment's ``base_defection``,
        or a draw from the segment's Beta(a, b) if ``base_defection_beta`` is given (by the
        inverse CDF, so that with the same seed the draws move smoothly with a and b, which
        keeps calibration objectives smooth)."""
        s = self.state
        self.customer_base_defection = self.base_defection[s.segment]
        for g, segment in enumerate(self.spec.market.segments):
            if segment.base_defection_beta is not None:
                members = np.flatnonzero(s.segment == g)
                a, b = segment.base_defection_beta
                self.customer_base_defection[members] = special.betaincinv(a, b, self.rng.random(members.size))

    def _setup_step_arrays(self) -> None:
        """What every period reuses: segment parameters per customer (segments are fixed
        for a run), the network prepared for counting speakers, and customers x firms
        buffers (stored firm by firm, like the state), so that a period allocates no
        array of that size."""
        s = self.state
        n, f = s.size, len(self.firm_list)
        self._image_weight = self.benefit_weights[s.segment, 3]
        self._perception_noise = self.perception_noise[s.segment]
        self._switching_cost = self.switching_cost[s.segment]
        self._outside_value = self.outside_value[s.segment]
        self._in_market = self.in_market[s.segment]
        self._base_logit = loyalty.logit(self.customer_base_defection)
        self._contacts = word_of_mouth.Contacts(self.adjacency, f) if self.adjacency is not None else None

        def buffer(dtype: type = float) -> np.ndarray:
            return np.zeros((n, f), dtype=dtype, order="F")

        self._judges = value.Judges(s.segment, s.firm, s.satisfaction, s.loyalty, self._image_weight,
                                    self._perception_noise)
        self._cpv = buffer()
        self._top_share = np.zeros(n)
        self.customer_level, self._units = np.zeros(n, dtype=np.int64), np.zeros(n)
        self._image_kept = word_of_mouth.fading(self.behaviour.word_of_mouth.image_half_life)
        self._heard_positive, self._heard_negative = buffer(bool), buffer(bool)
        self._draws = Draws(n, f, self.rng, ahead=n >= DRAW_AHEAD_FROM and rows.second_core())

    def firm_array(self, attribute: str) -> np.ndarray:
        """One attribute of every firm, as an array in firm order."""
        return np.array([getattr(f, attribute) for f in self.firm_list], dtype=float)

    def levels(self) -> np.ndarray:
        """Relationship level index per firm and segment (firms x segments)."""
        return np.array([f.relationship for f in self.firm_list], dtype=np.int64)

    def beliefs(self) -> value.Beliefs:
        """What customers believe of each firm (customer columns for :func:`sim.domain.value.perceived_value`)."""
        s = self.state
        return value.Beliefs(s.expectation, s.familiarity, s.image)

    def offer_terms(self, promised: np.ndarray, cost: np.ndarray) -> value.Offers:
        """Each firm's cost, promise and price gap per segment (:class:`sim.domain.value.Offers`)."""
        return value.Offers(cost, promised, value.price_gap(self.cost_weights, self.firm_array("price")))

    def judging(self) -> value.Judging:
        c = self.behaviour.choice
        return value.Judging(c.satisfied_price_tolerance, c.loyal_price_tolerance, c.broken_promise_cost)

    def offers(self) -> tuple[np.ndarray, np.ndarray]:
        """Delivered benefit and total cost of each firm's offer, per segment (segments x firms)."""
        delivered = value.delivered_benefit(
            self.benefit_weights, self.firm_array("quality"), self.firm_array("service"),
            self.firm_array("personnel"), self.firm_array("image"), self.level_service[self.levels()])
        cost = value.total_cost(self.cost_weights, self.firm_array("price"), self.firm_array("time_cost"),
                                self.firm_array("energy_cost"), self.firm_array("psychic_cost"))
        return delivered, cost

    # --------------------------------------------------------------- step ---

    def draw(self) -> StepDraws:
        """All of one period's random numbers, in a fixed order (:func:`sim.draws.fill`),
        into buffers the model reuses. In a market of ``DRAW_AHEAD_FROM`` customers or
        more they were drawn during the previous period, on a second thread."""
        return self._draws.draw()

    def step(self) -> None:
        """One period, sub-steps 1-8 (see the module docstring)."""
        d = self.draw()
        self.decide()
        self._draws.start_next()  # next period's numbers, on a second core, after this period's decisions
        try:
            self.invest_in_quality()
            delivered, cost = self.offers()
            cpv = self.perceive(d, delivered, cost)
            units, split = self.buy(cpv)
            served, state, score = self.experience(d, delivered, cost)
            heard_pos, heard_neg = self.spread_word(d, served, state)
            self.update_and_switch(d, delivered, cpv, served, state, score, heard_pos, heard_neg)
            self.close_accounts(units, split, state, score, heard_pos, heard_neg)
        finally:
            self._draws.finish_next()
        self.datacollector.collect(self)
        # Mesa's run loops (mesa.batch_run, SolaraViz play) stop at the scenario's horizon: the
        # same number of periods on Mesa 3.3, whose batch_run would run max_steps + 1, and 3.5.
        self.running = self.steps < self.spec.run.steps

    def decide(self) -> None:
        """1. Firms set price, quality investment, relationship levels, promise, acquisition spending.

        ``previous_decisions`` (firm name -> decisions) holds every firm's
        decisions of the last period, so a strategy that watches competitors
        sees the same thing whichever order firms decide in."""
        self.previous_decisions = {firm.name: decisions(firm) for firm in self.firm_list}
        for firm in self.firm_list:
            firm.strategy.decide(firm, self)

    def invest_in_quality(self) -> None:
        """2. Quality builds with investment and decays."""
        new = quality.next_quality(self.firm_array("quality"), self.firm_array("quality_investment"),
                                   self.behaviour.quality)
        for firm, q in zip(self.firm_list, new, strict=True):
            firm.quality = float(q)

    def perceive(self, d: StepDraws, delivered: np.ndarray, cost: np.ndarray) -> np.ndarray:
        """3. Advertising reaches some customers; everyone values the offers (customers x firms)."""
        s, cpv = self.state, self._cpv
        n = max(s.size, 1)
        reach = 1.0 - np.exp(-self.firm_array("acquisition_spending") / (self.behaviour.awareness.cost_per_contact * n))
        for j in range(len(self.firm_list)):
            if reach[j] > 0:
                s.aware[:, j] |= d.advertising[:, j] < reach[j]
        promised = expectations.promised_benefit(self.firm_array("promise"), delivered)
        return value.perceived_value(self.beliefs(), self._judges, self.offer_terms(promised, cost), self.judging(),
                                     d.perception, out=cpv)

    def buy(self, cpv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """4. Customers split their wallet across the firms they know; returns units (N) and split (N x F).

        Also notes each customer's relationship level this period (``customer_level``),
        which sub-steps 5, 7 and 8 use."""
        s, c = self.state, self.behaviour.choice
        purchases.buy(cpv, s.aware, s.firm, s.segment, self.levels(), self._switching_cost, c.loyalty_bonus, s.loyalty,
                      self.level_share_bonus, self.level_uplift, s.wallet, self.behaviour.satisfaction.volume_effect,
                      s.satisfaction, c.sensitivity, s.wallet_split, self.customer_level, self._units, self._top_share)
        return self._units, s.wallet_split

    def experience(self, d: StepDraws, delivered: np.ndarray, cost: np.ndarray) -> tuple[np.ndarray, ...]:
        """5. Served customers experience every firm they bought from (the performance of a purchase
        from firm j is delivered[segment, j] + experience noise x d.experience) and judge their main
        firm against their expectations and the market's value; complaints may be recovered.
        Returns who was served, their satisfaction state and score (N)."""
        s, p = self.state, self.behaviour.satisfaction
        served = s.firm >= 0
        recovery = self.level_recovery[self.customer_level]
        state, score = satisfaction.experience(delivered, cost, satisfaction.market_value(delivered, cost), s.segment,
                                               s.firm, s.expectation, d.experience, recovery, d.recovery, p)
        s.satisfaction_state[:] = state
        s.satisfaction[:] = score
        return served, state, score

    def spread_word(self, d: StepDraws, served: np.ndarray, state: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """6. Word of mouth: who hears each firm praised and warned against (customers x firms)."""
        heard_pos, heard_neg = self._heard_positive, self._heard_negative
        if not self.behaviour.word_of_mouth.enabled or self.state.size == 0:
            heard_pos[:] = False
            heard_neg[:] = False
            return heard_pos, heard_neg
        word_of_mouth.hear(self._contacts, self.contacts, self.state.firm, state,
                           self.behaviour.word_of_mouth, d.hear_positive, d.hear_negative, heard_pos, heard_neg)
        return heard_pos, heard_neg

    def update_and_switch(self, d: StepDraws, delivered: np.ndarray, cpv: np.ndarray, served: np.ndarray,
                          state: np.ndarray, score: np.ndarray, heard_pos: np.ndarray, heard_neg: np.ndarray) -> None:
        """7. Word of mouth and promises move awareness, image and expectations; loyalty updates;
        customers defect or stay; defectors and shopping prospects choose a supplier."""
        s, b = self.state, self.behaviour
        word_of_mouth.take_in(s.aware, s.image, heard_pos, heard_neg, b.word_of_mouth.image_shift, self._image_kept)
        promised = expectations.promised_benefit(self.firm_array("promise"), delivered)
        noise = b.satisfaction.experience_noise
        praise, warning = word_of_mouth.content(s.firm, state, s.segment, delivered, d.experience, noise,
                                                len(self.firm_list))
        expectations.update(s.expectation, s.familiarity, s.aware, promised, s.segment, s.firm, s.wallet_split,
                            self._top_share, delivered, d.experience, noise, heard_pos, heard_neg, praise, warning,
                            b.expectations)
        loyalty.update(s.loyalty, state, b.loyalty)

        self.defection_probability = loyalty.defection_probability(
            cpv, s.aware, s.firm, self._outside_value, self._base_logit, score, s.loyalty, self.customer_level,
            self.level_tie, b.defection)
        defects = served & (d.leave < self.defection_probability)
        shops = ~served & (d.leave < self._in_market)

        self.previous_firm = s.firm.copy()
        self.tenure = self.steps - s.acquired_at  # periods with the firm that served this period
        movers = np.flatnonzero(defects | shops)
        chosen = choice.choose_suppliers(movers, cpv, s.aware, self._outside_value, d.pick, b.choice.sensitivity,
                                         firm=s.firm, leaving=defects[movers],
                                         leavers_may_switch=b.defection.defectors_may_switch)
        s.firm[movers] = chosen
        won = chosen >= 0
        s.loyalty[movers[won]] = b.loyalty.initial
        s.satisfaction[movers[won]] = 0.5  # no experience of the new firm yet
        s.acquired_at[movers[won]] = self.steps + 1  # first purchase is next period
        self.defections = defects

    def close_accounts(self, units: np.ndarray, split: np.ndarray, state: np.ndarray, score: np.ndarray,
                       heard_pos: np.ndarray, heard_neg: np.ndarray) -> None:
        """8. Revenue, costs, profit; retention, lifetime values, customer equity, per firm.

        The per-customer part is one pass of :func:`sim.domain.accounts.tally`."""
        s, t, nf = self.state, self.steps, len(self.firm_list)
        price, unit_cost = self.firm_array("price"), self.firm_array("unit_cost")
        retention = accounts.expected_retention(self.previous_firm, s.segment, self.defection_probability, nf,
                                                len(self.segment_share))
        sums = accounts.tally(self.previous_firm, s.firm, s.segment, nf, units, split, price, unit_cost, self.customer_level,
                              self.level_cost, retention, self.defections, self.tenure, state, score,
                              self.discount, heard_pos, heard_neg, s.aware, s.expectation, s.image)
        firm_units = sums.units  # units each firm sold, to its own and others' customers
        revenue = price * firm_units
        self.realised_value += sums.realised
        acquisitions = sums.acquisitions
        self.ever_acquired += acquisitions
        total_revenue = revenue.sum()
        served_n = sums.served.astype(np.int64)
        defections_n, states, own_spend, wallet_spend = sums.defected, sums.states, sums.own_spend, sums.wallet_spend
        score_sum, clv_sum, level_sum = sums.score, sums.clv, sums.level
        relationship_cost = sums.relationship_cost
        customers = sums.customers
        for i, firm in enumerate(self.firm_list):
            n_served = served_n[i]
            per = 1.0 / n_served if n_served else 0.0
            firm.served = n_served
            firm.customers = float(customers[i])
            firm.acquisitions = float(acquisitions[i])
            firm.defections = float(defections_n[i])
            firm.retention_rate = 1.0 - firm.defections * per if n_served else 0.0
            firm.mean_satisfaction = float(score_sum[i] * per)
            firm.share_dissatisfied = float(states[i, DISSATISFIED] * per)
            firm.share_satisfied = float(states[i, SATISFIED] * per)
            firm.share_delighted = float(states[i, DELIGHTED] * per)
            firm.wom_positive = float(sums.praised[i])
            firm.wom_negative = float(sums.warned[i])
            firm.share_of_customer = (float(min(own_spend[i] / wallet_spend[i], 1.0))  # sums may round 1 ulp apart
                                      if wallet_spend[i] > 0 else 0.0)
            firm.units = float(firm_units[i])
            firm.revenue = float(revenue[i])
            firm.market_share = float(revenue[i] / total_revenue) if total_revenue > 0 else 0.0
            firm.cost_of_goods = float(unit_cost[i] * firm_units[i])
            firm.relationship_cost = float(relationship_cost[i])
            firm.quality_spending = float(firm.quality_investment)
            firm.costs = (firm.cost_of_goods + firm.relationship_cost + firm.quality_spending
                          + firm.acquisition_spending + firm.fixed_cost)
            firm.margin = firm.revenue - firm.cost_of_goods - firm.relationship_cost
            firm.profit = firm.revenue - firm.costs
            firm.discounted_profit += firm.profit / (1.0 + self.discount) ** t
            firm.clv_realised = float(self.realised_value[i] / self.ever_acquired[i]) if self.ever_acquired[i] else 0.0
            firm.clv_expected = float(clv_sum[i] * per)
            newcomers = sums.newcomers[i]
            firm.new_customer_value = float(sums.newcomer_value[i] / newcomers) if newcomers else firm.clv_expected
            firm.customer_equity = float(sums.equity_kept[i] + firm.acquisitions * firm.new_customer_value)
            aware_n = sums.aware[i]
            firm.mean_expectation = float(sums.expectation[i] / aware_n) if aware_n else 0.0
            firm.mean_image = float(sums.image[i] / aware_n) if aware_n else 0.0
            firm.relationship_level = float(level_sum[i] * per)
            firm.awareness = float(aware_n / s.size) if s.size else 0.0
        self.prospects = int(s.size - customers.sum())

    # ------------------------------------------------------------ access ---

    @property
    def firms(self) -> mesa.agent.AgentSet:
        """The firms, as a Mesa AgentSet."""
        return self.agents_by_type[Firm]

    def firm(self, name: str) -> Firm:
        for f in self.firm_list:
            if f.name == name:
                return f
        raise KeyError(f"no firm named {name!r}; firms are {[f.name for f in self.firm_list]}")

    def customer(self, index: int) -> Customer:
        """The customer in row ``index``, as a Mesa agent (created on first access)."""
        if not 0 <= index < self.state.size:
            raise IndexError(f"customer {index} out of range (there are {self.state.size})")
        if index not in self._customers:
            self._customers[index] = Customer(self, index)
        return self._customers[index]

    def run(self, steps: int | None = None) -> pd.DataFrame:
        """Run ``steps`` periods (default the scenario's ``run.steps``); return :meth:`firm_dataframe`."""
        for _ in range(self.spec.run.steps if steps is None else steps):
            self.step()
        return self.firm_dataframe()

    def firm_dataframe(self) -> pd.DataFrame:
        """Per firm and period metrics: columns step (int), firm (name) and every metric."""
        raw = self.datacollector.get_agenttype_vars_dataframe(Firm)
        columns = ["step", "firm", *FIRM_METRICS]
        if raw.empty or raw.index.nlevels < 2:  # before the first collect Mesa gives a NaN placeholder
            return pd.DataFrame(columns=columns)
        raw = raw.reset_index()
        order = {f.unique_id: f.index for f in self.firm_list}
        names = {f.unique_id: f.name for f in self.firm_list}
        raw["step"] = raw["Step"].astype(int)  # Mesa 3.5 records float steps
        raw["order"] = raw["AgentID"].map(order)
        raw["firm"] = raw["AgentID"].map(names)
        raw = raw.sort_values(["step", "order"], kind="stable")
        return raw[columns].reset_index(drop=True)
