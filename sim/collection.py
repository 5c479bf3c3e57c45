"""Data collection: Mesa's ``DataCollector``, with every firm's metrics also as model variables.

The model collects the firms' metrics as agent-type records (one row per firm and
period, :data:`sim.metrics.FIRM_METRICS`). ``mesa.batch_run`` returns model
variables and agent reporters, not agent-type records (Mesa 3.3), so a batch run
would return no firm metric. :class:`MarketDataCollector` therefore also offers
each firm's metrics as model variables named ``FIRM:metric`` (``"A:customers"``,
``"Partner:customer_equity"``), read from the firm records when asked for: a
period costs nothing more, and Mesa 3.3 and 3.5 return the same columns.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import mesa

from .metrics import FIRM_METRICS


class FirmVariables(dict):
    """The collector's model variables (a dict of lists, one entry per collection), with the
    firms' series ``FIRM:metric`` added when the variables are read."""

    def __init__(self, stored: dict[str, list], collector: MarketDataCollector):
        super().__init__(stored)
        self._collector = collector

    def _firm_series(self) -> dict[str, list]:
        collector = self._collector
        per_collection = [{row[1]: row[2:] for row in records.get(collector.firm_type, [])}
                          for records in collector._agenttype_records.values()]
        out = {}
        for unique_id, name in collector.firms:
            for k, metric in enumerate(FIRM_METRICS):
                out[f"{name}:{metric}"] = [values[unique_id][k] for values in per_collection]
        return out

    def _all(self) -> dict[str, list]:
        return {**dict(super().items()), **self._firm_series()}

    def items(self):  # noqa: D102 (dict's)
        return self._all().items()

    def keys(self):  # noqa: D102
        return self._all().keys()

    def values(self):  # noqa: D102
        return self._all().values()

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or key in self._firm_series()

    def __getitem__(self, key: str) -> list:
        return dict.__getitem__(self, key) if dict.__contains__(self, key) else self._firm_series()[key]


class MarketDataCollector(mesa.DataCollector):
    """Mesa's DataCollector for a market: the firms' metrics as agent-type records of
    ``firm_type`` agents, and also as model variables ``FIRM:metric`` (see the module docstring).
    ``firms`` lists each firm's Mesa ``unique_id`` and name."""

    def __init__(self, firm_type: type, firms: list[tuple[int, str]], model_reporters: dict[str, Any]):
        super().__init__(model_reporters=model_reporters,
                         agenttype_reporters={firm_type: {m: m for m in FIRM_METRICS}})
        self.firm_type, self.firms = firm_type, firms
        self.model_vars = FirmVariables(self.model_vars, self)
