"""The teaching dashboard, a Mesa SolaraViz app.

Start it with ``marketsim dashboard [SCENARIO]``, which serves this module with
``solara run``; the scenario file comes in the ``MARKETSIM_SCENARIO``
environment variable (without it, the built-in default scenario) and any
``--set`` overrides in ``MARKETSIM_SET``. The page
shows the controls (:mod:`sim.viz.controls`; move them, then press Reset), a
scoreboard, charts of market share, retention, customer equity and the
satisfaction mix, the network view and the customer value analysis table.
Every browser session gets its own model.
"""

from __future__ import annotations

import os

import solara
from mesa.visualization import SolaraViz

from ..compiled import prepare
from ..scenario import Scenario, load_scenario, parse_assignment
from .charts import firm_metric_figure, satisfaction_mix_figure
from .controls import initial_values, model_params
from .customer_value import customer_value_table
from .dashboard_model import DashboardModel
from .html import html_panel, html_table
from .network_view import network_figure
from .scoreboard import market_line, offer_table, results_table

prepare()  # the kernels load (from the cache ``marketsim dashboard`` filled) before the first page, not at its first Step

SCENARIO_VARIABLE = "MARKETSIM_SCENARIO"
OVERRIDES_VARIABLE = "MARKETSIM_SET"  # PATH=VALUE assignments, one a line (marketsim dashboard --set)


def _firm_names(model: DashboardModel) -> list[str]:
    return [f.name for f in model.firm_list]


def _horizon(model: DashboardModel) -> int:
    """Periods the charts' time axis spans: the scenario's run length, or more once run past it."""
    return max(model.spec.run.steps, model.steps)


def Scoreboard(model: DashboardModel):
    results = results_table(model.firm_dataframe(), _firm_names(model))
    return solara.HTML(unsafe_innerHTML=html_panel(
        f"{model.spec.name}, period {model.steps}", html_table(results), html_table(offer_table(model)),
        market_line(model)))


def firm_chart(metric: str, title: str, percent: bool = False):
    """A chart component of one firm metric over time."""

    def FirmChart(model: DashboardModel):
        fig = firm_metric_figure(model.firm_dataframe(), metric, title, _firm_names(model), _horizon(model), percent)
        return solara.FigureMatplotlib(fig, format="png")

    return FirmChart


def SatisfactionMix(model: DashboardModel):
    return solara.FigureMatplotlib(satisfaction_mix_figure(model.firm_dataframe(), _horizon(model)), format="png")


def NetworkView(model: DashboardModel):
    return solara.FigureMatplotlib(network_figure(model), format="png")


def CustomerValue(model: DashboardModel):
    table = customer_value_table(model)
    parts = ["Importance: % of the segment's weights. Firms: performance in value units (for costs, lower is better)."]
    for segment in table.index.unique("segment"):
        parts += [f"Segment: {segment}", html_table(table.loc[segment])]
    return solara.HTML(unsafe_innerHTML=html_panel("Customer value analysis", *parts))


def _scenario() -> Scenario:
    path = os.environ.get(SCENARIO_VARIABLE)
    assignments = os.environ.get(OVERRIDES_VARIABLE, "").splitlines()
    return load_scenario(path, dict(map(parse_assignment, assignments))) if path else Scenario()


SPEC = _scenario()
PARAMS = model_params(SPEC)
COMPONENTS = [
    Scoreboard,
    firm_chart("market_share", "Market share (of revenue)", percent=True),
    firm_chart("retention_rate", "Retention rate (per period)", percent=True),
    firm_chart("customer_equity", "Customer equity (CU)"),
    SatisfactionMix,
    NetworkView,
    CustomerValue,
]


@solara.component
def Page():
    """One dashboard per browser session, each with its own model."""
    model = solara.use_memo(lambda: DashboardModel(**initial_values(PARAMS)), dependencies=[])
    SolaraViz(model, components=COMPONENTS, model_params=PARAMS, name=f"marketsim: {SPEC.name}")
