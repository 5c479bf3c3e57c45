"""The market model: one Mesa ``Model`` whose period runs in a fixed order.

1. Firms decide (their strategies): price, quality investment, relationship
   level per segment, promise, acquisition spending.
2. Quality builds from investment and decays.
3. Customers perceive the offers they know of (advertising raises awareness),
   with perception noise, and compute perceived value.
4. Customers buy: their category wallet is split across known firms by logit
   on perceived value, the current firm favoured by switching costs, loyalty
   and the relationship level (share of customer).
5. Customers experience their firm's performance against their expectations
   and are dissatisfied, satisfied or delighted; the relationship level
   decides how many complaints are caught and recovered.
6. Word of mouth travels on the social network: delighted customers
   recommend, dissatisfied ones warn; warnings travel further.
7. Expectations and loyalty update; customers defect or stay; defectors and
   shopping prospects choose a new supplier (acquisition).
8. Firm accounts close: revenue, costs, profit, retention, lifetime values,
   customer equity.

All randomness of a period is drawn in bulk at its start from the model's
seeded generator (:meth:`MarketModel.draw`), in a fixed order, so a
per-customer reference version of the step can consume the very same draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd
from scipy import special

from .agents import Customer, Firm
from .domain import choice, expectations, lifetime_value, loyalty, network, quality, relationship, satisfaction, value, word_of_mouth
from .domain.satisfaction import DELIGHTED, DISSATISFIED, SATISFIED
from .metrics import FIRM_METRICS
from .scenario import Scenario, load_scenario, scenario_with
from .state import CustomerState
from .strategies import Strategy, decisions, make_strategy


@dataclass
class StepDraws:
    """Every random number one period uses, drawn together (see :meth:`MarketModel.draw`)."""

    advertising: np.ndarray  # U(0,1), customers x firms: reached by advertising
    perception: np.ndarray  # N(0,1), customers x firms: perception error
    experience: np.ndarray  # N(0,1), customers: experienced performance error
    recovery: np.ndarray  # U(0,1), customers: complaint caught
    hear_positive: np.ndarray  # U(0,1), customers x firms
    hear_negative: np.ndarray  # U(0,1), customers x firms
    leave: np.ndarray  # U(0,1), customers: defect (customers) or shop (prospects)
    pick: np.ndarray  # U(0,1), customers: which supplier a chooser picks


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
            scenario = scenario_with(scenario, {k.replace("__", "."): v for k, v in overrides.items()}, "overrides")
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
        self._customers: dict[int, Customer] = {}
        self.prospects = int((self.state.firm < 0).sum())
        self.datacollector = mesa.DataCollector(
            model_reporters={"prospects": "prospects"},
            agenttype_reporters={Firm: {m: m for m in FIRM_METRICS}},
        )

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
        s.loyalty[:] = self.behaviour.loyalty.initial
        draw = rng.random(n)
        shares = [f.initial_share for f in self.spec.firms]
        if shares[0] is not None:
            first = np.searchsorted(np.cumsum(shares), draw, side="right")
            first = np.where(first < len(shares), first, -1)
        else:
            cpv = value.perceived_value(s.expectation, s.image, self.benefit_weights[s.segment, 3],
                                        cost[s.segment], self.perception_noise[s.segment],
                                        rng.standard_normal(s.expectation.shape))
            first = self._choose(cpv, s.aware, self.outside_value[s.segment], draw)
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

    def firm_array(self, attribute: str) -> np.ndarray:
        """One attribute of every firm, as an array in firm order."""
        return np.array([getattr(f, attribute) for f in self.firm_list], dtype=float)

    def levels(self) -> np.ndarray:
        """Relationship level index per firm and segment (firms x segments)."""
        return np.array([f.relationship for f in self.firm_list], dtype=np.int64)

    def offers(self) -> tuple[np.ndarray, np.ndarray]:
        """Delivered benefit and total cost of each firm's offer, per segment (segments x firms)."""
        delivered = value.delivered_benefit(
            self.benefit_weights, self.firm_array("quality"), self.firm_array("service"),
            self.firm_array("personnel"), self.firm_array("image"), self.level_service[self.levels()])
        cost = value.total_cost(self.cost_weights, self.firm_array("price"), self.firm_array("time_cost"),
                                self.firm_array("energy_cost"), self.firm_array("psychic_cost"))
        return delivered, cost

    def _choose(self, cpv: np.ndarray, aware: np.ndarray, outside: np.ndarray, uniform: np.ndarray) -> np.ndarray:
        """A supplier for each row by logit over known firms and the outside option (-1)."""
        f = cpv.shape[1]
        utility = np.hstack([cpv, outside[:, None]]) * self.behaviour.choice.sensitivity
        available = np.hstack([aware, np.ones((cpv.shape[0], 1), dtype=bool)])
        picked = choice.pick(choice.logit_shares(utility, available), uniform)
        return np.where(picked < f, picked, -1)

    # --------------------------------------------------------------- step ---

    def draw(self) -> StepDraws:
        """All of one period's random numbers, in a fixed order."""
        n, f, rng = self.state.size, len(self.firm_list), self.rng
        return StepDraws(
            advertising=rng.random((n, f)),
            perception=rng.standard_normal((n, f)),
            experience=rng.standard_normal(n),
            recovery=rng.random(n),
            hear_positive=rng.random((n, f)),
            hear_negative=rng.random((n, f)),
            leave=rng.random(n),
            pick=rng.random(n),
        )

    def step(self) -> None:
        """One period, sub-steps 1-8 (see the module docstring)."""
        d = self.draw()
        self.decide()
        self.invest_in_quality()
        delivered, cost = self.offers()
        cpv = self.perceive(d, cost)
        units, split = self.buy(cpv)
        served, performance, state, score = self.experience(d, delivered)
        heard_pos, heard_neg = self.spread_word(d, served, state)
        self.update_and_switch(d, delivered, cpv, served, performance, state, score, heard_pos, heard_neg)
        self.close_accounts(units, split, served, state, score, heard_pos, heard_neg)
        self.datacollector.collect(self)

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

    def perceive(self, d: StepDraws, cost: np.ndarray) -> np.ndarray:
        """3. Advertising reaches some customers; everyone values the offers (customers x firms)."""
        s = self.state
        n = max(s.size, 1)
        reach = 1.0 - np.exp(-self.firm_array("acquisition_spending") / (self.behaviour.awareness.cost_per_contact * n))
        s.aware |= d.advertising < reach[None, :]
        return value.perceived_value(s.expectation, s.image, self.benefit_weights[s.segment, 3], cost[s.segment],
                                     self.perception_noise[s.segment], d.perception)

    def buy(self, cpv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """4. Customers split their wallet across the firms they know; returns units (N) and split (N x F)."""
        s = self.state
        customer = np.flatnonzero(s.firm >= 0)
        main = s.firm[customer]
        seg = s.segment[customer]
        level = self.levels()[main, seg]
        bonus = self.switching_cost[seg] + self.behaviour.choice.loyalty_bonus * s.loyalty[customer] + self.level_share_bonus[level]
        utility = cpv[customer].copy()
        utility[np.arange(customer.size), main] += bonus
        s.wallet_split[:] = 0.0
        s.wallet_split[customer] = choice.logit_shares(self.behaviour.choice.sensitivity * utility, s.aware[customer])
        units = np.zeros(s.size)
        units[customer] = s.wallet[customer] * (1.0 + self.level_uplift[level])
        return units, s.wallet_split

    def experience(self, d: StepDraws, delivered: np.ndarray) -> tuple[np.ndarray, ...]:
        """5. Served customers compare performance with expectations; complaints may be recovered."""
        s, p = self.state, self.behaviour.satisfaction
        served = s.firm >= 0
        rows = np.flatnonzero(served)
        main = s.firm[rows]
        performance = np.zeros(s.size)
        performance[rows] = delivered[s.segment[rows], main] + p.experience_noise * d.experience[rows]
        disconfirmation = np.zeros(s.size)
        disconfirmation[rows] = performance[rows] - s.expectation[rows, main]
        state = np.full(s.size, satisfaction.NO_STATE, dtype=np.int8)
        state[rows] = satisfaction.classify(disconfirmation[rows], p.tolerance, p.delight_threshold)
        recovery = relationship.customer_effect(self.level_recovery, self.levels(), s.firm, s.segment)
        satisfaction.recover(state, disconfirmation, recovery, d.recovery)
        score = np.where(served, satisfaction.score(disconfirmation, p.scale), 0.5)
        s.satisfaction_state[:] = state
        s.satisfaction[:] = score
        return served, performance, state, score

    def spread_word(self, d: StepDraws, served: np.ndarray, state: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """6. Word of mouth: who hears each firm praised and warned against (customers x firms)."""
        s, f = self.state, len(self.firm_list)
        if not self.behaviour.word_of_mouth.enabled or s.size == 0:
            none = np.zeros((s.size, f), dtype=bool)
            return none, none
        speaker_firm = np.where(served, s.firm, 0)
        positive = np.zeros((s.size, f))
        negative = np.zeros((s.size, f))
        rows = np.arange(s.size)
        positive[rows, speaker_firm] = state == DELIGHTED
        negative[rows, speaker_firm] = state == DISSATISFIED
        p_pos, p_neg = word_of_mouth.hearing_probabilities(self.adjacency, self.contacts, positive, negative,
                                                           self.behaviour.word_of_mouth)
        return d.hear_positive < p_pos, d.hear_negative < p_neg

    def update_and_switch(self, d: StepDraws, delivered: np.ndarray, cpv: np.ndarray, served: np.ndarray,
                          performance: np.ndarray, state: np.ndarray, score: np.ndarray,
                          heard_pos: np.ndarray, heard_neg: np.ndarray) -> None:
        """7. Word of mouth and promises move awareness, image and expectations; loyalty updates;
        customers defect or stay; defectors and shopping prospects choose a supplier."""
        s, b = self.state, self.behaviour
        s.aware |= heard_pos | heard_neg
        s.image += b.word_of_mouth.image_shift * (heard_pos.astype(float) - heard_neg)
        promised = expectations.promised_benefit(self.firm_array("promise"), delivered)[s.segment]
        expectations.update(s.expectation, s.aware, promised, served, s.firm, performance, heard_pos, heard_neg,
                            b.expectations)
        s.loyalty[served] = loyalty.next_loyalty(s.loyalty[served], state[served], b.loyalty)

        rows = np.flatnonzero(served)
        main = s.firm[rows]
        own = cpv[rows, main]
        others = np.where(s.aware[rows], cpv[rows], -np.inf)
        others[np.arange(rows.size), main] = -np.inf
        best_alternative = np.maximum(others.max(axis=1, initial=-np.inf), self.outside_value[s.segment[rows]])
        tie = self.level_tie[self.levels()[main, s.segment[rows]]]
        self.defection_probability = np.zeros(s.size)
        self.defection_probability[rows] = loyalty.defection_probability(
            self.customer_base_defection[rows], score[rows], s.loyalty[rows], tie, best_alternative - own, b.defection)
        defects = served & (d.leave < self.defection_probability)
        shops = ~served & (d.leave < self.in_market[s.segment])

        self.previous_firm = s.firm.copy()
        self.tenure = self.steps - s.acquired_at  # periods with the firm that served this period
        movers = np.flatnonzero(defects | shops)
        known = s.aware[movers].copy()
        leaving = defects[movers]
        known[leaving, s.firm[movers[leaving]]] = False  # a defector leaves its firm
        if not b.defection.defectors_may_switch:
            known[leaving] = False
        chosen = self._choose(cpv[movers], known, self.outside_value[s.segment[movers]], d.pick[movers])
        s.firm[movers] = chosen
        won = chosen >= 0
        s.loyalty[movers[won]] = b.loyalty.initial
        s.acquired_at[movers[won]] = self.steps + 1  # first purchase is next period
        self.defections = defects

    def close_accounts(self, units: np.ndarray, split: np.ndarray, served: np.ndarray, state: np.ndarray,
                       score: np.ndarray, heard_pos: np.ndarray, heard_neg: np.ndarray) -> None:
        """8. Revenue, costs, profit; retention, lifetime values, customer equity, per firm."""
        s, t, nf = self.state, self.steps, len(self.firm_list)
        price, unit_cost = self.firm_array("price"), self.firm_array("unit_cost")
        bought = units[:, None] * split  # units from each firm (N x F)
        firm_units = bought.sum(axis=0)
        revenue = price * firm_units
        rows = np.flatnonzero(served)
        main = self.previous_firm[rows]
        level = self.levels()[main, s.segment[rows]]
        cost_per_customer = self.level_cost[level]
        margin = bought[rows, main] * (price[main] - unit_cost[main]) - cost_per_customer
        retention = 1.0 - self.defection_probability[rows]
        clv = lifetime_value.expected_clv(margin, retention, self.discount)
        tenure = self.tenure[rows]
        after_acquisition = tenure > 0
        self.realised_value += np.bincount(main[after_acquisition], minlength=nf,
                                           weights=margin[after_acquisition] / (1.0 + self.discount) ** tenure[after_acquisition])
        moved = s.firm != self.previous_firm
        acquisitions = np.bincount(s.firm[moved & (s.firm >= 0)], minlength=nf)
        self.ever_acquired += acquisitions
        spend = bought * price[None, :]
        total_revenue = revenue.sum()
        served_n = np.bincount(main, minlength=nf)
        stayed = ~self.defections[rows]
        for i, firm in enumerate(self.firm_list):
            mine = main == i
            n_served = served_n[i]
            per = 1.0 / n_served if n_served else 0.0
            firm.served = n_served
            firm.customers = float((s.firm == i).sum())
            firm.acquisitions = float(acquisitions[i])
            firm.defections = float(n_served - stayed[mine].sum())
            firm.retention_rate = 1.0 - firm.defections * per if n_served else 0.0
            firm.mean_satisfaction = float(score[rows][mine].sum() * per)
            firm.share_dissatisfied = float((state[rows][mine] == DISSATISFIED).sum() * per)
            firm.share_satisfied = float((state[rows][mine] == SATISFIED).sum() * per)
            firm.share_delighted = float((state[rows][mine] == DELIGHTED).sum() * per)
            firm.wom_positive = float(heard_pos[:, i].sum())
            firm.wom_negative = float(heard_neg[:, i].sum())
            own_spend = spend[rows[mine]]
            wallet_spend = own_spend.sum()
            firm.share_of_customer = (float(min(own_spend[:, i].sum() / wallet_spend, 1.0))  # sums may round 1 ulp apart
                                      if wallet_spend > 0 else 0.0)
            firm.units = float(firm_units[i])
            firm.revenue = float(revenue[i])
            firm.market_share = float(revenue[i] / total_revenue) if total_revenue > 0 else 0.0
            firm.cost_of_goods = float(unit_cost[i] * firm_units[i])
            firm.relationship_cost = float(cost_per_customer[mine].sum())
            firm.quality_spending = float(firm.quality_investment)
            firm.costs = (firm.cost_of_goods + firm.relationship_cost + firm.quality_spending
                          + firm.acquisition_spending + firm.fixed_cost)
            firm.profit = firm.revenue - firm.costs
            firm.discounted_profit += firm.profit / (1.0 + self.discount) ** t
            firm.clv_realised = float(self.realised_value[i] / self.ever_acquired[i]) if self.ever_acquired[i] else 0.0
            firm.clv_expected = float(clv[mine].sum() * per)
            firm.customer_equity = float(clv[mine & stayed].sum() + firm.acquisitions * firm.clv_expected)
            aware = s.aware[:, i]
            firm.mean_expectation = float(s.expectation[aware, i].mean()) if aware.any() else 0.0
            firm.relationship_level = float(level[mine].sum() * per)
            firm.awareness = float(aware.mean()) if s.size else 0.0
        self.prospects = int((s.firm < 0).sum())

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
