"""The Mesa agents: firms, and customers as views onto the model's arrays.

Customer state lives in NumPy arrays on the model (one row per customer) so
the step is vectorised; :class:`Customer` agents are created on demand by
``model.customer(i)`` and read and write those arrays, so a single customer
can still be inspected (and followed through a period) like any Mesa agent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from .domain.satisfaction import NO_STATE, STATE_NAMES
from .metrics import FIRM_METRICS
from .scenario.schema import RELATIONSHIP_LEVELS

if TYPE_CHECKING:
    from .model import MarketModel
    from .scenario.schema import Firm as FirmSpec
    from .strategies import Strategy


class Firm(mesa.Agent):
    """A competing firm.

    Decisions (``price``, ``quality_investment``, ``relationship``, ``promise``,
    ``acquisition_spending``) are set by its strategy each period; its offer is
    ``quality`` (which moves with investment), ``service``, ``personnel``,
    ``image``, ``time_cost``, ``energy_cost``, ``psychic_cost`` and ``unit_cost``;
    its metrics are every name in :data:`sim.metrics.FIRM_METRICS`, for the last period.

    Attributes:
        name (str): The firm's name in the scenario.
        index (int): Its column in the customer arrays.
        strategy (Strategy): The :class:`~sim.strategies.Strategy` that sets its decisions.
        price (float): Decision: CU per unit.
        quality_investment (float): Decision: CU per period.
        relationship (numpy.ndarray): Decision: the relationship level index, one per segment.
        promise (float): Decision: promised benefit, as a multiple of the delivered benefit.
        acquisition_spending (float): Decision: CU per period.
    """

    def __init__(self, model: MarketModel, spec: FirmSpec, index: int, levels: list[int], strategy: Strategy):
        super().__init__(model)
        for metric in FIRM_METRICS:
            setattr(self, metric, 0.0)
        self.name = spec.name
        self.index = index
        self.strategy = strategy
        self.price = spec.price
        self.unit_cost = spec.unit_cost
        self.quality = spec.quality
        self.quality_investment = spec.quality_investment
        self.service = spec.service
        self.personnel = spec.personnel
        self.image = spec.image
        self.time_cost = spec.time_cost
        self.energy_cost = spec.energy_cost
        self.psychic_cost = spec.psychic_cost
        self.promise = spec.promise
        self.relationship = np.asarray(levels, dtype=np.int64)
        self.acquisition_spending = spec.acquisition_spending
        self.fixed_cost = spec.fixed_cost

    def relationship_names(self) -> dict[str, str]:
        """The firm's relationship level by segment name."""
        return {s.name: RELATIONSHIP_LEVELS[int(level)]
                for s, level in zip(self.model.spec.market.segments, self.relationship, strict=True)}

    def __repr__(self) -> str:
        return f"Firm({self.name!r}, customers={int(self.customers)})"


class Customer(mesa.Agent):
    """One customer, a view onto row ``index`` of the model's customer arrays.

    Attributes (read from the arrays): ``segment`` (name), ``firm`` (name of the
    main supplier or None for a prospect), ``wallet`` (units/period),
    ``expectation`` (firm -> expected benefit), ``aware_of`` (firm names),
    ``satisfaction`` (score in (0, 1)), ``satisfaction_state``, ``loyalty``
    (0..1), ``wallet_split`` (firm -> share of this period's purchases).
    """

    def __init__(self, model: MarketModel, index: int):
        super().__init__(model)
        self.index = index

    def _firm_name(self, column: int) -> str:
        return self.model.firm_list[column].name

    @property
    def segment(self) -> str:
        return self.model.spec.market.segments[int(self.model.state.segment[self.index])].name

    @property
    def firm(self) -> str | None:
        f = int(self.model.state.firm[self.index])
        return None if f < 0 else self._firm_name(f)

    @property
    def wallet(self) -> float:
        return float(self.model.state.wallet[self.index])

    @property
    def expectation(self) -> dict[str, float]:
        row = self.model.state.expectation[self.index]
        return {self._firm_name(f): float(v) for f, v in enumerate(row)}

    @property
    def aware_of(self) -> list[str]:
        return [self._firm_name(f) for f in np.flatnonzero(self.model.state.aware[self.index])]

    @property
    def satisfaction(self) -> float:
        return float(self.model.state.satisfaction[self.index])

    @property
    def satisfaction_state(self) -> str | None:
        s = int(self.model.state.satisfaction_state[self.index])
        return None if s == NO_STATE else STATE_NAMES[s]

    @property
    def loyalty(self) -> float:
        return float(self.model.state.loyalty[self.index])

    @property
    def wallet_split(self) -> dict[str, float]:
        row = self.model.state.wallet_split[self.index]
        return {self._firm_name(f): float(v) for f, v in enumerate(row) if v > 0}

    def __repr__(self) -> str:
        return f"Customer({self.index}, segment={self.segment!r}, firm={self.firm!r})"
