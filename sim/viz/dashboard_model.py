"""The market model as the dashboard builds it: a scenario plus the controls' values."""

from __future__ import annotations

from typing import Any

from ..model import MarketModel
from ..scenario import Scenario

#: A selector value meaning "leave the scenario's setting" (e.g. per-segment relationship levels).
KEEP = "as in scenario"


class DashboardModel(MarketModel):
    """A :class:`~sim.model.MarketModel` built from keyword arguments only, as
    Mesa's SolaraViz rebuilds it on Reset.

    Args:
        spec: the scenario the controls start from (a fixed model parameter).
        rng: the seed (a control, so Reset repeats a run exactly).
        scenario: ignored. Mesa 3.5's Reset passes its own experiment
            ``Scenario`` object under this name; the market's scenario is ``spec``.
        kwargs: the controls' values as ``__``-dotted scenario overrides
            (``market__customers=3000``, ``firms[0]__price=1.2``); a value equal
            to :data:`KEEP` leaves the scenario's setting.
    """

    def __init__(self, spec: Scenario | None = None, *, rng: Any = None, scenario: Any = None, **kwargs: Any):
        overrides = {key: value for key, value in kwargs.items() if value != KEEP}
        super().__init__(spec, rng=rng, **overrides)
        self.run_seed = rng if rng is not None else self.spec.run.seed
