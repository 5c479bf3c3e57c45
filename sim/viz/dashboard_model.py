"""The market model as the dashboard builds it: a scenario plus the controls' values."""

from __future__ import annotations

from collections.abc import Mapping
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
        controls: the dashboard's live control values (the same names as
            ``kwargs``), read when the model is built: the page's sliders change
            this mapping, and Reset builds from it.
        kwargs: the controls' values as ``__``-dotted scenario overrides
            (``market__customers=3000``, ``firms[0]__price=1.2``); a value equal
            to :data:`KEEP` leaves the scenario's setting.

    Attributes:
        controls: the control values this model was built with (seed under ``rng``),
            so that the page can tell when a control has moved since.
    """

    def __init__(self, spec: Scenario | None = None, *, rng: Any = None, scenario: Any = None,
                 controls: Mapping[str, Any] | None = None, **kwargs: Any):
        values = {"rng": rng, **kwargs, **(controls or {})}
        self.controls = dict(values)
        rng = values.pop("rng")
        overrides = {key: value for key, value in values.items() if value != KEEP}
        super().__init__(spec, rng=rng, **overrides)
        self.run_seed = rng if rng is not None else self.spec.run.seed
