"""The dashboard's sliders and selectors, as Mesa ``model_params``.

Each control's key is a ``__``-dotted scenario path that
:class:`~sim.viz.dashboard_model.DashboardModel` applies as an override
(firms by index: ``firms[0]__price``), so moving a control and pressing Reset
rebuilds the model exactly as ``marketsim run --set`` would. The controls start
at the scenario's values; ranges cover the classroom experiments and always
include the scenario's own value.
"""

from __future__ import annotations

from typing import Any

from ..scenario import Scenario
from ..scenario.schema import RELATIONSHIP_LEVELS
from .dashboard_model import KEEP

NETWORK_KINDS = ["small_world", "scale_free", "random", "fully_mixed"]
#: Classroom market sizes: big enough for smooth shares, small enough to step in milliseconds.
CUSTOMERS = (200, 10_000, 100)


def _slider(label: str, value: float, low: float, high: float, step: float) -> dict[str, Any]:
    kind = "SliderInt" if all(isinstance(v, int) for v in (value, low, high, step)) else "SliderFloat"
    return {"type": kind, "label": label, "value": value, "min": min(low, value), "max": max(high, value),
            "step": step}


def model_params(spec: Scenario) -> dict[str, Any]:
    """SolaraViz ``model_params`` for ``spec``: the scenario itself (fixed), the seed and the controls."""
    wom = spec.behaviour.word_of_mouth
    params: dict[str, Any] = {
        "spec": spec,
        "rng": _slider("Seed", spec.run.seed, 0, 999, 1),
        "market__customers": _slider("Customers", spec.market.customers, *CUSTOMERS),
        "market__network__kind": {"type": "Select", "label": "Network", "value": spec.market.network.kind,
                                  "values": NETWORK_KINDS},
        "behaviour__word_of_mouth__positive_probability": _slider(
            "Praise spreads (prob.)", wom.positive_probability, 0.0, 1.0, 0.01),
        "behaviour__word_of_mouth__negative_probability": _slider(
            "Warnings spread (prob.)", wom.negative_probability, 0.0, 1.0, 0.01),
    }
    for i, firm in enumerate(spec.firms):
        key = f"firms[{i}]__"
        level = firm.relationship if isinstance(firm.relationship, str) else KEEP
        params[key + "relationship"] = {"type": "Select", "label": f"{firm.name}: relationship",
                                        "value": level, "values": [*RELATIONSHIP_LEVELS, KEEP]}
        params[key + "quality_investment"] = _slider(f"{firm.name}: quality investment (CU a month)",
                                                     float(firm.quality_investment), 0.0, 3000.0, 50.0)
        params[key + "promise"] = _slider(f"{firm.name}: promise (× delivered)", firm.promise, 0.5, 2.0, 0.05)
        params[key + "price"] = _slider(f"{firm.name}: price (CU)", firm.price, 0.5, 2.0, 0.05)
    return params


def initial_values(params: dict[str, Any]) -> dict[str, Any]:
    """The keyword arguments the controls start at (what Reset builds before anything is moved)."""
    return {key: p["value"] if isinstance(p, dict) and "type" in p else p for key, p in params.items()}
