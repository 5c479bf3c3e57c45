"""Word of mouth on the social network (Kotler & Keller; TARP 1986).

Delighted customers recommend their firm, dissatisfied ones warn against it.
Each speaker's word reaches each neighbour with a probability; a warning is
also passed on to neighbours of neighbours, so negative word travels further
than positive. A listener hears a firm praised (or warned against) if at
least one message gets through:

    P(hear positive) = 1 - (1 - q+)^k+
    P(hear negative) = 1 - (1 - q-)^k- (1 - q- q2)^k2

with k+ and k- the speaking neighbours and k2 the two-step paths to warning
speakers (other than the listener). One sparse product per step gives every count for every firm.
In a fully mixed market each customer meets ``mean_degree`` random others,
so k is replaced by its expectation over random contacts.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ..scenario.schema import WordOfMouth


def hearing_probabilities(adjacency: sp.csr_matrix | None, contacts: float, positive: np.ndarray,
                          negative: np.ndarray, params: WordOfMouth) -> tuple[np.ndarray, np.ndarray]:
    """Chance each customer hears each firm praised and warned against (customers x firms).

    ``positive`` and ``negative`` are 0/1 speaker matrices (customers x firms).
    """
    q_pos, q_neg, q_two = params.positive_probability, params.negative_probability, params.negative_second_hop
    n, f = positive.shape
    if adjacency is None:
        others = max(n - 1, 1)
        frac_pos = positive.sum(axis=0) / others
        frac_neg = negative.sum(axis=0) / others
        miss_pos = (1.0 - q_pos * frac_pos) ** contacts
        miss_neg = (1.0 - q_neg * frac_neg) ** contacts * (1.0 - q_neg * q_two * frac_neg) ** (contacts * contacts)
        return (np.broadcast_to(1.0 - miss_pos, (n, f)), np.broadcast_to(1.0 - miss_neg, (n, f)))
    counts = adjacency @ np.hstack([positive, negative])
    k_pos, k_neg = counts[:, :f], counts[:, f:]
    k_two = 0.0
    if q_two > 0:  # walks speaker -> neighbour -> listener, less the walks back to the speaker
        degree = np.diff(adjacency.indptr)[:, None]
        k_two = adjacency @ k_neg - degree * negative
    hear_pos = 1.0 - (1.0 - q_pos) ** k_pos
    hear_neg = 1.0 - (1.0 - q_neg) ** k_neg * (1.0 - q_neg * q_two) ** k_two
    return hear_pos, hear_neg
