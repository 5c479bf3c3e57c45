"""marketsim: an agent-based market simulation on Mesa of how customers weigh
competing offers by perceived value, form satisfaction against expectations,
talk to each other, and stay loyal or defect, while firms choose relationship
levels and quality investments.

Quick start::

    from sim import MarketModel
    model = MarketModel("scenarios/mass_market.toml", rng=7)
    frame = model.run()          # per firm and period, a pandas DataFrame

Many runs (:mod:`sim.experiments`; results as DataFrames, :mod:`sim.results`)::

    import sim
    runs = sim.run_replications("scenarios/quickstart.toml", replications=20, market__customers=2000)
    arms = sim.compare("scenarios/key_accounts.toml", replications=20)
    grid = sim.sweep("scenarios/quickstart.toml", {"firms.Budget.price": [0.7, 0.8, 0.9]})
    again = sim.load_results("out/quickstart")   # a finished output directory
"""

from .agents import Customer, Firm
from .experiments import Arm, calibrate, compare, run_replications, sweep
from .model import MarketModel
from .optimise import optimise
from .outputs.summary import intervals
from .results import ComparisonResults, RunResults, SweepResults, load_results
from .scenario import Scenario, ScenarioError, load_scenario
from .strategies import Strategy, known_strategies, register_strategy

__all__ = [
    "Arm",
    "ComparisonResults",
    "Customer",
    "Firm",
    "MarketModel",
    "RunResults",
    "SweepResults",
    "calibrate",
    "compare",
    "intervals",
    "load_results",
    "run_replications",
    "sweep",
    "Scenario",
    "ScenarioError",
    "Strategy",
    "known_strategies",
    "load_scenario",
    "optimise",
    "register_strategy",
]
