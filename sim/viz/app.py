"""The teaching dashboard, a Mesa SolaraViz app.

Start it with ``marketsim dashboard [SCENARIO]``, which serves this module with
``solara run``; the scenario file comes in the ``MARKETSIM_SCENARIO``
environment variable (without it, the built-in default scenario) and any
``--set`` overrides in ``MARKETSIM_SET``.

Mesa's SolaraViz gives the sidebar: Reset, play and Step, and the controls
(:mod:`sim.viz.controls`; move them, then press Reset). The main area is laid
out here, top to bottom: a scenario picker (the six classroom scenarios), the
month and a "run finished" note with the data download and a print button, the
scenario's lesson (:mod:`sim.viz.lessons`), the scoreboard, the charts (drawn in
the browser by Vega-Lite), the network view and the customer value analysis
table. Every browser session gets its own model.
"""

from __future__ import annotations

import os
from typing import Any

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter
from solara.widgets import VegaLite

from ..compiled import prepare
from ..scenario import Scenario, load_scenario, parse_assignment
from .charts import firm_metric_chart, firm_satisfaction_chart, satisfaction_mix_chart
from .controls import initial_values, model_params
from .customer_value import customer_value_table
from .dashboard_model import DashboardModel
from .html import html_panel, html_table
from .lessons import SECTIONS, inline_html, lesson_for, load_lessons
from .network_view import network_chart
from .scoreboard import market_line, offer_table, results_table

prepare()  # the kernels load (from the cache ``marketsim dashboard`` filled) before the first page, not at its first Step

SCENARIO_VARIABLE = "MARKETSIM_SCENARIO"
OVERRIDES_VARIABLE = "MARKETSIM_SET"  # PATH=VALUE assignments, one a line (marketsim dashboard --set)
LAUNCHED = os.environ.get(SCENARIO_VARIABLE, "")  # "" is the built-in default scenario
#: Picker entries: scenario path -> label; the launched scenario first, then the classroom's.
CHOICES = {LAUNCHED: "the scenario it was started with"} if lesson_for(LAUNCHED or None) is None else {}
CHOICES |= {str(lesson.scenario): f"{i}. {lesson.title}" for i, lesson in enumerate(load_lessons(), 1)}

#: Page-wide style: Mesa's controls card first, without its developer controls (render interval,
#: threads); Mesa's own parameter and Information cards hidden (the controls are ours, the month is
#: shown in the main area); charts side by side; printing leaves out the sidebar and the buttons.
CSS = """
.v-navigation-drawer__content > div { display: flex; flex-direction: column; }
.v-navigation-drawer__content > div > .d-flex:has(.v-btn) { order: -1; }
.v-navigation-drawer .v-card:has(.v-btn) .v-input:nth-child(2),
.v-navigation-drawer .v-card:has(.v-btn) .v-input--checkbox,
.v-navigation-drawer__content .v-card:not(:has(.v-btn)):not(.marketsim-controls) { display: none !important; }
.marketsim-changed { background: #fff3cd; border: 2px solid #e0a800; padding: 6px 10px; border-radius: 6px;
  font-size: 16px; margin-bottom: 30px; }
.marketsim-controls .v-input--slider { margin-top: 26px; }
.v-slider__thumb-label-container { display: block !important; }
.v-slider__thumb-label { transform: translateY(-20%) translateY(-12px) translateX(-50%) rotate(45deg) !important; }
.v-slider__thumb-label > * { font-size: 13px; }
.v-navigation-drawer .v-card__title { margin-bottom: 22px; }
.v-label { font-size: 16px !important; }
.marketsim-row { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; width: 100%; }
.marketsim-row > * { flex: 1 1 600px; min-width: 0; }
.marketsim-lesson strong { font-weight: 700; }
.marketsim-lesson { column-width: 34em; column-gap: 2em; }
.marketsim-lesson p { break-inside: avoid; }
.marketsim-charts { display: flex; flex-wrap: wrap; gap: 18px; }
.marketsim-status { font-size: 22px; }
.marketsim-finished { background: #fff3cd; border: 2px solid #e0a800; padding: 8px 14px; border-radius: 6px; }
@media print {
  .v-navigation-drawer, .v-app-bar, .marketsim-noprint { display: none !important; }
  .v-main { padding: 0 !important; }
  html, body, div { height: auto !important; max-height: none !important; overflow: visible !important; }
  .vega-embed, .marketsim-panel, .marketsim-table { break-inside: avoid; }
}
"""


#: Firm charts: metric, title, axis format (d3).
CHARTS = (("market_share", "Market share (of revenue)", ".0%"),
          ("customers", "Customers", ",.0f"),
          ("retention_rate", "Retention rate (a month)", ".0%"),
          ("discounted_profit", "Cumulative profit, discounted (CU)", ",.0f"),
          ("clv_expected", "Lifetime value of a customer (CU)", ",.0f"),
          ("customer_equity", "Customer equity (CU)", ",.0f"),
          ("quality", "Quality", ".2f"))


def _scenario(path: str) -> Scenario:
    """The scenario at ``path`` (the launched one with its --set overrides), "" the built-in one."""
    if not path:
        return Scenario()
    assignments = os.environ.get(OVERRIDES_VARIABLE, "").splitlines() if path == LAUNCHED else []
    return load_scenario(path, dict(map(parse_assignment, assignments)))


def _firm_names(model: DashboardModel) -> list[str]:
    return [f.name for f in model.firm_list]


def _horizon(model: DashboardModel) -> int:
    """Months the charts' time axis spans: the scenario's run length, or more once run past it."""
    return max(model.spec.run.steps, model.steps)


@solara.component
def Status(model: DashboardModel):
    """The month, and once the run is over a note saying so, with the data download and printing."""
    update_counter.get()
    months = model.spec.run.steps
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        if model.running:
            solara.HTML(tag="div", unsafe_innerHTML=f"Month {model.steps} of {months}",
                        classes=["marketsim-status"])
        else:
            solara.HTML(tag="div", classes=["marketsim-status", "marketsim-finished"], unsafe_innerHTML=(
                f"Run finished: month {model.steps} of {months}. Press Reset to run it again."))
        with solara.Div(classes=["marketsim-noprint"]):
            solara.FileDownload(lambda: model.firm_dataframe().to_csv(index=False),
                                filename=f"{model.spec.name}_month_{model.steps}.csv", label="Download data (CSV)",
                                mime_type="text/csv")
        solara.HTML(tag="div", classes=["marketsim-noprint"], unsafe_innerHTML=(
            '<button onclick="window.print()" style="font-size:16px;padding:4px 12px;border:1px solid #888;'
            'border-radius:4px">Print this page</button>'))


@solara.component
def Lesson(path: str, spec: Scenario):
    """The scenario's lesson in NetLogo's info-tab sections; for other scenarios, their description."""
    lesson = lesson_for(path or None)
    if lesson is None:
        body = f"<p>{inline_html(' '.join(spec.description.split()))}</p>"
        title = spec.name
    else:
        body = "".join(f"<p style='margin:6px 0'><strong>{heading}.</strong> {inline_html(lesson.sections[key])}</p>"
                       for key, heading in SECTIONS.items())
        title = f"Lesson: {lesson.title}"
    solara.HTML(tag="div", unsafe_innerHTML=html_panel(title, f"<div class='marketsim-lesson'>{body}</div>"))


@solara.component
def Scoreboard(model: DashboardModel):
    update_counter.get()
    solara.HTML(tag="div", unsafe_innerHTML=html_panel(
        f"Scoreboard, month {model.steps}", html_table(results_table(model)), "What each firm offers now",
        html_table(offer_table(model)), market_line(model)))


@solara.component
def Charts(model: DashboardModel):
    update_counter.get()
    frame, firms, horizon = model.firm_dataframe(), _firm_names(model), _horizon(model)
    with solara.Div(classes=["marketsim-charts"]):
        for metric, title, number_format in CHARTS:
            VegaLite.element(spec=firm_metric_chart(frame, metric, title, firms, horizon, number_format))
        VegaLite.element(spec=satisfaction_mix_chart(frame, horizon))
        VegaLite.element(spec=firm_satisfaction_chart(frame, firms))


@solara.component
def NetworkView(model: DashboardModel):
    update_counter.get()
    VegaLite.element(spec=network_chart(model))


@solara.component
def CustomerValue(model: DashboardModel):
    update_counter.get()
    table = customer_value_table(model)
    parts = ["Importance: % of the segment's weights. Firms: performance in value units (for costs, lower is better)."]
    for segment in table.index.unique("segment"):
        parts += [f"Segment: {segment}", html_table(table.loc[segment])]
    solara.HTML(tag="div", unsafe_innerHTML=html_panel("Customer value analysis", *parts))


@solara.component
def ControlPanel(params: dict[str, Any], controls: dict[str, Any], model: DashboardModel):
    """The scenario's controls, each showing its value, and a note while they differ from the run's."""
    changed, set_changed = solara.use_state(False)

    def on_value(key: str, value: Any) -> None:
        controls[key] = value  # read by the next Reset
        set_changed(controls != model.controls)

    with solara.Card("Model parameters", classes=["marketsim-controls"]):
        if changed and controls != model.controls:
            solara.HTML(tag="div", classes=["marketsim-changed"],
                        unsafe_innerHTML="Changed: press Reset to run with these values.")
        for key, control in params.items():
            if isinstance(control, dict) and "type" in control:
                Control(key, control, controls[key], on_value)


@solara.component
def Control(key: str, control: dict[str, Any], value: Any, on_value) -> None:
    """One slider or selector, labelled with its value."""
    def set_value(new):
        on_value(key, new)

    if control["type"] == "Select":
        solara.Select(control["label"], value=value, values=control["values"], on_value=set_value)
        return
    slider = solara.SliderInt if control["type"] == "SliderInt" else solara.SliderFloat
    slider(control["label"], value=value, min=control["min"], max=control["max"], step=control["step"],
           on_value=set_value, thumb_label="always")


@solara.component
def Page():
    """One dashboard per browser session, each with its own model; picking a scenario starts it afresh."""
    path, set_path = solara.use_state(LAUNCHED)
    spec = solara.use_memo(lambda: _scenario(path), dependencies=[path])
    params = solara.use_memo(lambda: model_params(spec), dependencies=[spec])
    # This session's control values: the sliders change them, Reset (Mesa's) builds the model from them.
    fixed = solara.use_memo(lambda: {"spec": spec, "controls": {k: v for k, v in initial_values(params).items()
                                                                if k != "spec"}}, dependencies=[params])
    model = solara.use_memo(lambda: solara.reactive(DashboardModel(**fixed)), dependencies=[fixed])
    solara.Style(CSS)
    # Keyed by scenario: a new scenario gets a new controller.
    SolaraViz(model, components=[], model_params=fixed, name=f"marketsim: {spec.name}").key(path)
    with solara.Sidebar():
        ControlPanel(params, fixed["controls"], model.value).key(path)
    with solara.Column(style={"padding": "0 12px", "max-width": "1800px"}):
        with solara.Div(classes=["marketsim-noprint"], style={"max-width": "640px"}):
            solara.Select("Classroom scenario", value=CHOICES[path], values=list(CHOICES.values()),
                          on_value=lambda label: set_path(next(p for p, t in CHOICES.items() if t == label)))
        Status(model.value)
        with solara.Div(classes=["marketsim-row"]):
            Lesson(path, spec)
            Scoreboard(model.value)
        Charts(model.value)
        with solara.Div(classes=["marketsim-row"]):
            NetworkView(model.value)
            CustomerValue(model.value)
