"""Social networks for word of mouth, built as sparse adjacency matrices with
vectorised NumPy so that a million customers take seconds.

Kinds: small world (Watts & Strogatz 1998: a ring lattice with rewired
edges), scale free (a Chung-Lu graph with power-law expected degrees, the
static equivalent of preferential attachment; Chung & Lu 2002), random
(Erdos-Renyi with a fixed number of edges), and fully mixed (no matrix: every
customer meets random others; handled by the word-of-mouth module).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..scenario.schema import Network


def build(params: Network, n: int, rng: np.random.Generator) -> sp.csr_matrix | None:
    """Symmetric 0/1 adjacency (CSR, float64, no self-loops), or None if fully mixed."""
    if params.kind == "fully_mixed":
        return None
    k = min(params.mean_degree, max(n - 1, 0))
    if n < 2 or k == 0:
        return sp.csr_matrix((n, n))
    if params.kind == "small_world":
        src, dst = _small_world(n, k, params.rewiring, rng)
    elif params.kind == "random":
        m = n * k // 2
        src, dst = rng.integers(0, n, m), rng.integers(0, n, m)
    else:
        src, dst = _chung_lu(n, k, params.exponent, rng)
    return _symmetric(src, dst, n)


def _small_world(n: int, k: int, rewiring: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    half = max(k // 2, 1)
    src = np.repeat(np.arange(n), half)
    dst = (src + np.tile(np.arange(1, half + 1), n)) % n
    rewire = rng.random(src.size) < rewiring
    dst = np.where(rewire, rng.integers(0, n, src.size), dst)
    return src, dst


def _chung_lu(n: int, k: int, exponent: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    # Pareto weights with tail exponent gamma - 1, so degrees follow P(d) ~ d^-gamma.
    weights = (1.0 - rng.random(n)) ** (-1.0 / (exponent - 1.0))
    weights = np.minimum(weights, np.sqrt(n * weights.mean()))  # structural cut-off
    cumulative = np.cumsum(weights / weights.sum())
    m = n * k // 2
    src = np.searchsorted(cumulative, rng.random(m), side="right")
    dst = np.searchsorted(cumulative, rng.random(m), side="right")
    return np.minimum(src, n - 1), np.minimum(dst, n - 1)


def _symmetric(src: np.ndarray, dst: np.ndarray, n: int) -> sp.csr_matrix:
    """Both directions of every edge, self-loops dropped and duplicates kept once,
    in canonical CSR form (SciPy's conversion from coordinates: a counting sort by
    row, then each row's few columns sorted and merged; twice as fast as one sort
    of all the edges)."""
    keep = src != dst
    index = np.int32 if n < 2**31 else np.int64
    rows = np.concatenate([src[keep], dst[keep]]).astype(index)
    cols = np.concatenate([dst[keep], src[keep]]).astype(index)
    adjacency = sp.coo_matrix((np.ones(rows.size), (rows, cols)), shape=(n, n)).tocsr()  # sums duplicates
    adjacency.data[:] = 1.0  # an edge drawn twice counts once
    return adjacency


def mean_degree(adjacency: sp.csr_matrix | None, params: Network) -> float:
    """Average number of neighbours (the contacts per period when fully mixed)."""
    if adjacency is None:
        return float(params.mean_degree)
    n = adjacency.shape[0]
    return adjacency.nnz / n if n else 0.0
