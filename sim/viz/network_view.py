"""The network view: a few hundred customers on the word-of-mouth network,
coloured by their firm and marked by their satisfaction.

The customers drawn are a connected neighbourhood (breadth-first from customer
0), so the network's structure shows: a ring lattice with shortcuts (small
world), hubs (scale free) or a tangle (random). A fully mixed market has no
fixed network; its first customers are drawn on a circle without edges. The
layout is computed once per model, with a fixed layout seed, so the picture
only changes when customers do. The browser draws it (Vega-Lite), as it does the charts.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import altair as alt
import matplotlib.colors
import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order

from ..domain.satisfaction import DELIGHTED, DISSATISFIED, NO_STATE, SATISFIED
from .charts import EMBED, LABEL_SIZE, TITLE_SIZE
from .colours import PROSPECT_COLOUR, firm_hex

if TYPE_CHECKING:
    from ..model import MarketModel

#: Customers drawn: enough to see structure, few enough to read (and to draw in ~50 ms).
SAMPLE_SIZE = 300
#: Seed of the drawing's layout only; the simulation never sees it.
LAYOUT_SEED = 0


@dataclass(frozen=True)
class NetworkSample:
    """Customers drawn (row indices), edges among them (pairs of positions in
    ``customers``) and their 2-D layout."""

    customers: np.ndarray
    edges: np.ndarray
    positions: np.ndarray


def sample_network(adjacency: sp.csr_matrix | None, customers: int, size: int = SAMPLE_SIZE) -> NetworkSample:
    """Up to ``size`` customers forming a connected neighbourhood, and a layout for them."""
    size = min(size, customers)
    if adjacency is None or size == 0:
        angle = 2 * np.pi * np.arange(size) / max(size, 1)
        return NetworkSample(np.arange(size), np.empty((0, 2), dtype=np.int64),
                             np.column_stack([np.cos(angle), np.sin(angle)]))
    order = breadth_first_order(adjacency, 0, directed=False, return_predecessors=False)
    if order.size < size:  # customer 0's component is small: fill up with the lowest other rows
        rest = np.setdiff1d(np.arange(customers), order)[: size - order.size]
        order = np.concatenate([order, rest])
    chosen = np.sort(order[:size])
    sub = sp.triu(adjacency[chosen][:, chosen], k=1).tocoo()
    edges = np.column_stack([sub.row, sub.col])
    graph = nx.Graph()
    graph.add_nodes_from(range(size))
    graph.add_edges_from(edges.tolist())
    layout = nx.spring_layout(graph, seed=LAYOUT_SEED)
    return NetworkSample(chosen, edges, np.array([layout[i] for i in range(size)]))


_samples: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def model_sample(model: MarketModel) -> NetworkSample:
    """The sample drawn for ``model``, computed on first use."""
    if model not in _samples:
        _samples[model] = sample_network(model.adjacency, model.state.size)
    return _samples[model]


#: Satisfaction state -> (label, Vega shape, size in square pixels); a star for the delighted.
STAR = "M0,-1L0.22,-0.31L0.95,-0.31L0.36,0.12L0.59,0.81L0,0.38L-0.59,0.81L-0.36,0.12L-0.95,-0.31L-0.22,-0.31Z"
SHAPES = {NO_STATE: ("no purchase", "circle", 40), DISSATISFIED: ("dissatisfied", "triangle-down", 90),
          SATISFIED: ("satisfied", "circle", 60), DELIGHTED: ("delighted", STAR, 160)}
NO_SUPPLIER = "no supplier"


def network_chart(model: MarketModel) -> dict[str, Any]:
    """The network view of ``model`` now, as a Vega-Lite specification the browser draws:
    colour = firm (grey = no supplier), shape = satisfaction."""
    sample = model_sample(model)
    firm = model.state.firm[sample.customers]
    state = model.state.satisfaction_state[sample.customers]
    names = [f.name for f in model.firm_list]
    pos = sample.positions
    pos = pos.round(3)  # plenty for a 520-pixel picture, and a third of the bytes a Step sends
    points = [{"x": float(x), "y": float(y), "firm": names[f] if f >= 0 else NO_SUPPLIER,
               "state": SHAPES[int(s)][0]}
              for (x, y), f, s in zip(pos, firm.tolist(), state.tolist(), strict=True)]
    edges = [{"x": float(pos[a, 0]), "y": float(pos[a, 1]), "x2": float(pos[b, 0]), "y2": float(pos[b, 1])}
             for a, b in sample.edges.tolist()]
    kind = model.spec.market.network.kind.replace("_", " ")
    title = f"{sample.customers.size} of {model.state.size:,} customers, {kind} network"
    return {**_network_template(tuple(names), title), "datasets": {"table": points, "edges": edges}}


@lru_cache(maxsize=64)
def _network_template(firms: tuple[str, ...], title: str) -> dict[str, Any]:
    hidden = alt.Axis(title=None, labels=False, ticks=False, domain=False, grid=False)
    x, y = alt.X("x:Q", axis=hidden, scale=alt.Scale(zero=False)), alt.Y("y:Q", axis=hidden, scale=alt.Scale(zero=False))
    edges = alt.Chart(alt.NamedData("edges")).mark_rule(color="#bfbfbf", strokeWidth=0.6).encode(
        x=x, y=y, x2="x2:Q", y2="y2:Q")
    colours = [firm_hex(i) for i in range(len(firms))] + [matplotlib.colors.to_hex(PROSPECT_COLOUR)]
    shapes = list(SHAPES.values())
    points = alt.Chart(alt.NamedData("table")).mark_point(filled=True, stroke="#333333", strokeWidth=0.4,
                                                          opacity=1).encode(
        x=x, y=y,
        color=alt.Color("firm:N", scale=alt.Scale(domain=[*firms, NO_SUPPLIER], range=colours),
                        legend=alt.Legend(title=None, orient="right")),
        shape=alt.Shape("state:N", scale=alt.Scale(domain=[s[0] for s in shapes], range=[s[1] for s in shapes]),
                        legend=alt.Legend(title=None, orient="right")),
        size=alt.Size("state:N", scale=alt.Scale(domain=[s[0] for s in shapes], range=[s[2] for s in shapes]),
                      legend=None),
    )
    chart = alt.layer(edges, points).properties(width=520, height=420, title=title, usermeta=EMBED)
    return chart.configure_view(stroke=None).configure_title(fontSize=TITLE_SIZE, anchor="start") \
        .configure_legend(labelFontSize=LABEL_SIZE, symbolSize=200).to_dict()
