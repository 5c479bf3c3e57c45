"""The teaching dashboard: a Mesa SolaraViz app (:mod:`sim.viz.app`) and its parts.

The app and the network view need the ``dashboard`` extra (solara, Mesa's
visualisation, networkx); the dashboard model, controls, charts, scoreboard
and customer value table need only the core install, so notebooks and tests
can use them directly.
"""
