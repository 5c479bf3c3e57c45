"""The network view: a few hundred customers on the word-of-mouth network,
coloured by their firm and marked by their satisfaction.

The customers drawn are a connected neighbourhood (breadth-first from customer
0), so the network's structure shows: a ring lattice with shortcuts (small
world), hubs (scale free) or a tangle (random). A fully mixed market has no
fixed network; its first customers are drawn on a circle without edges. The
layout is computed once per model, with a fixed layout seed, so the picture
only changes when customers do.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx
import numpy as np
import scipy.sparse as sp
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from scipy.sparse.csgraph import breadth_first_order

from ..domain.satisfaction import DELIGHTED, DISSATISFIED, NO_STATE, SATISFIED
from .colours import PROSPECT_COLOUR, firm_colour

if TYPE_CHECKING:
    from ..model import MarketModel

#: Customers drawn: enough to see structure, few enough to read (and to draw in ~50 ms).
SAMPLE_SIZE = 300
#: Seed of the drawing's layout only; the simulation never sees it.
LAYOUT_SEED = 0
#: Marker and size (points^2) per satisfaction state.
MARKERS = {NO_STATE: ("o", 14), DISSATISFIED: ("v", 26), SATISFIED: ("o", 16), DELIGHTED: ("*", 60)}


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


def network_figure(model: MarketModel) -> Figure:
    """The network view of ``model`` now: colour = firm (grey = no supplier), marker = satisfaction."""
    sample = model_sample(model)
    firm = model.state.firm[sample.customers]
    state = model.state.satisfaction_state[sample.customers]
    colours = np.array([firm_colour(f) if f >= 0 else PROSPECT_COLOUR for f in firm]).reshape(-1, 4)
    fig = Figure(figsize=(5.5, 4.2))
    ax = fig.subplots()
    pos = sample.positions
    ax.add_collection(LineCollection(pos[sample.edges], colors="0.75", linewidths=0.4, zorder=1))
    for code, (marker, area) in MARKERS.items():
        mine = state == code
        if mine.any():
            ax.scatter(pos[mine, 0], pos[mine, 1], c=colours[mine], marker=marker, s=area,
                       edgecolors="0.2", linewidths=0.3, zorder=2)
    kind = model.spec.market.network.kind.replace("_", " ")
    ax.set_title(f"{sample.customers.size} of {model.state.size} customers, {kind} network", fontsize=10)
    ax.set_axis_off()
    ax.autoscale_view()
    handles = [Line2D([], [], marker="s", ls="", color=firm_colour(i), label=f.name)
               for i, f in enumerate(model.firm_list)]
    handles.append(Line2D([], [], marker="s", ls="", color=PROSPECT_COLOUR, label="no supplier"))
    handles += [Line2D([], [], marker=MARKERS[code][0], ls="", color="0.3", label=label)
                for code, label in ((DISSATISFIED, "dissatisfied"), (SATISFIED, "satisfied"), (DELIGHTED, "delighted"))]
    ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=8, frameon=False)
    fig.subplots_adjust(left=0.01, right=0.76, bottom=0.01, top=0.93)  # room for the legend on the right
    return fig
