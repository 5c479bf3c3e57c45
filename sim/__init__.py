"""marketsim: an agent-based market simulation on Mesa of how customers weigh
competing offers by perceived value, form satisfaction against expectations,
talk to each other, and stay loyal or defect, while firms choose relationship
levels and quality investments.

Quick start::

    from sim import MarketModel
    model = MarketModel("scenarios/mass_market.toml", rng=7)
    frame = model.run()          # per firm and period, a pandas DataFrame
"""

from .agents import Customer, Firm
from .model import MarketModel
from .optimise import optimise
from .scenario import Scenario, ScenarioError, load_scenario
from .strategies import Strategy, known_strategies, register_strategy

__all__ = [
    "Customer",
    "Firm",
    "MarketModel",
    "Scenario",
    "ScenarioError",
    "Strategy",
    "known_strategies",
    "load_scenario",
    "optimise",
    "register_strategy",
]
