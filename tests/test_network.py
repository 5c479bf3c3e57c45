"""The social networks: every kind is a simple undirected graph (symmetric 0/1
adjacency, no self-loops, each edge once) in canonical CSR form, with the edges
drawn and the mean degree asked for."""

from __future__ import annotations

import numpy as np
import pytest

from sim.domain import network
from sim.scenario.schema import Network


@pytest.mark.parametrize("kind", ["small_world", "scale_free", "random"])
def test_each_kind_is_a_simple_undirected_graph_of_the_drawn_edges(kind):
    n = 2_000
    params = Network(kind=kind, mean_degree=8)
    adjacency = network.build(params, n, np.random.default_rng(3))
    assert adjacency.has_canonical_format and adjacency.shape == (n, n)
    assert np.all(adjacency.data == 1.0)
    assert adjacency.diagonal().sum() == 0
    assert (adjacency != adjacency.T).nnz == 0
    # the same edges as a plain set built from the same draws
    src, dst = {"small_world": lambda r: network._small_world(n, 8, params.rewiring, r),
                "scale_free": lambda r: network._chung_lu(n, 8, params.exponent, r),
                "random": lambda r: (r.integers(0, n, n * 4), r.integers(0, n, n * 4))}[kind](np.random.default_rng(3))
    edges = {(int(a), int(b)) for a, b in zip(src, dst, strict=True) if a != b}
    edges |= {(b, a) for a, b in edges}
    rows, cols = adjacency.nonzero()
    assert set(zip(rows.tolist(), cols.tolist(), strict=True)) == edges
    if kind != "scale_free":  # Chung-Lu draws with replacement from heavy-tailed weights: more duplicates
        assert network.mean_degree(adjacency, params) == pytest.approx(8, rel=0.02)


def test_fully_mixed_has_no_matrix_and_meets_mean_degree_others():
    params = Network(kind="fully_mixed", mean_degree=6)
    assert network.build(params, 100, np.random.default_rng(0)) is None
    assert network.mean_degree(None, params) == 6
