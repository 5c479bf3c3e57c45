"""Firm strategies: a small class with one decision method, and a registry.

Each period, before anything else happens, every firm's strategy sets the
firm's decisions: ``price``, ``quality_investment``, ``relationship`` (a level
index per segment), ``promise`` and ``acquisition_spending``. It may read the
firm's and competitors' last-period metrics (``firm.profit``,
``firm.retention_rate``, ...) and the model's parameters; it must draw any
randomness from ``model.rng``.

A notebook defines its own strategy by subclassing :class:`Strategy` and
either registering it (``@register_strategy("mine")``, then naming it in a
scenario) or passing an instance straight to the model
(``MarketModel(scenario, strategies={"Acme": Mine()})``).
"""

from __future__ import annotations

import inspect
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar

from ..scenario.suggest import closest

if TYPE_CHECKING:
    from ..agents import Firm
    from ..model import MarketModel

_REGISTRY: dict[str, type[Strategy]] = {}

#: The decisions a strategy sets on a firm each period.
DECISIONS = ("price", "quality_investment", "relationship", "promise", "acquisition_spending")


def decisions(firm: Firm) -> dict[str, Any]:
    """A copy of the firm's current decisions (see :data:`DECISIONS`)."""
    return {name: (getattr(firm, name).copy() if name == "relationship" else getattr(firm, name))
            for name in DECISIONS}


class Strategy(ABC):
    """Base class: override :meth:`decide`. Constructor keyword arguments are the
    strategy's parameters, as given under ``strategy.params`` in a scenario."""

    name: ClassVar[str] = ""

    def setup(self, firm: Firm, model: MarketModel) -> None:
        """Called once when the model is built (optional)."""

    @abstractmethod
    def decide(self, firm: Firm, model: MarketModel) -> None:
        """Set this period's decisions on ``firm``."""

    def __repr__(self) -> str:
        """The class and its parameters as kept on the instance, e.g. ``RetentionGuard(target=0.99)``
        (the constructor's arguments that are attributes; state kept besides is not shown)."""
        parameters = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
        given = ", ".join(f"{p}={getattr(self, p)!r}" for p in parameters if p in vars(self))
        return f"{type(self).__name__}({given})"


def register_strategy(name: str):
    """Class decorator: make a strategy available to scenario files by ``name``."""

    def decorate(cls: type[Strategy]) -> type[Strategy]:
        if not (isinstance(cls, type) and issubclass(cls, Strategy)):
            raise TypeError(f"{cls!r} is not a Strategy subclass")
        cls.name = name
        _REGISTRY[name] = cls
        return cls

    return decorate


def registered_class(name: str) -> type[Strategy] | None:
    """The class registered as ``name``, or None."""
    return _REGISTRY.get(name)


def known_strategies() -> list[str]:
    return sorted(_REGISTRY)


def check_strategy_spec(name: str, params: dict[str, Any]) -> str | None:
    """A message describing what is wrong with a strategy name and parameters, or None."""
    if name not in _REGISTRY:
        guess = closest(name, _REGISTRY)
        hint = f" (did you mean '{guess}'?)" if guess else ""
        return f"unknown strategy {name!r}{hint}; known strategies: {', '.join(known_strategies())}"
    signature = inspect.signature(_REGISTRY[name].__init__)
    accepted = [p for p in signature.parameters if p != "self"]
    for key in params:
        if key not in accepted:
            guess = closest(key, accepted)
            hint = f"; did you mean '{guess}'?" if guess else ""
            return (f"params.{key}: unknown parameter of strategy {name!r}{hint} "
                    f"(it takes: {', '.join(accepted) or 'no parameters'})")
    try:
        _REGISTRY[name](**params)
    except (TypeError, ValueError) as err:
        return f"params: {err}"
    return None


def make_strategy(name: str, params: dict[str, Any]) -> Strategy:
    """An instance of the registered strategy ``name``."""
    problem = check_strategy_spec(name, params)
    if problem:
        raise ValueError(problem)
    return _REGISTRY[name](**params)
