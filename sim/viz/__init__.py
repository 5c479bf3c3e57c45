"""The teaching dashboard: a Mesa SolaraViz app (:mod:`sim.viz.app`) and its parts.

The app needs the ``dashboard`` extra (solara, Mesa's visualisation), and the
charts and network view need Altair from it (they are Vega-Lite specifications
the browser draws); the dashboard model, controls, lessons, scoreboard and
customer value table need only the core install, so notebooks and tests can
use them directly.
"""
