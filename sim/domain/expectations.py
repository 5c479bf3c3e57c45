"""Expectations (Kotler & Keller): shaped by past buying experience, friends' and
associates' advice, and marketers' and competitors' promises.

Each customer holds an expectation E of the benefit each firm delivers, and a
familiarity k in [0, 1]: the share of that expectation resting on their own
purchases of the firm. Each period, for every firm j:

1. experience, weighted by what was bought: with w = ((share of the wallet j got) /
   (the largest share any firm got))^b, E += a_x w (P - E) and k += a_x w (1 - k), so the
   firm bought from most teaches at the full rate a_x and a firm bought from a little
   teaches less (b, the learning exponent, 0.25 by default);
2. the promise, if j is known: E += a_p (1 - k) (promised - E);
3. word of mouth heard about j: E += a_w (1 - k) (X - E) for praise and for a warning,
   X the mean performance the firm's praising (or warning) customers experienced.

Promises and hearsay thus move what a customer has not yet experienced: an
over-promise lures the inexperienced, and fails with the customers who buy
(Boulding et al. 1993: expectations are updated by experience and by the firm's
communications; experience dominates once there is some).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..scenario.schema import Expectations
from .rows import over_rows


def promised_benefit(promise: np.ndarray, delivered: np.ndarray) -> np.ndarray:
    """Benefit each firm promises each segment (segments x firms): a multiple of what it delivers."""
    return promise[None, :] * delivered


def update(expectation: np.ndarray, familiarity: np.ndarray, aware: np.ndarray, promised: np.ndarray,
           segment: np.ndarray, firm: np.ndarray, split: np.ndarray, top_share: np.ndarray, delivered: np.ndarray,
           noise: np.ndarray, experience_noise: float, heard_positive: np.ndarray, heard_negative: np.ndarray,
           praise: np.ndarray, warning: np.ndarray, params: Expectations) -> None:
    """Move expectations and familiarity in place (customers x firms; see the module docstring).

    ``promised`` and ``delivered`` are per segment and firm (:func:`promised_benefit`);
    ``split`` and ``top_share`` are this period's purchases (:mod:`.purchases`); a purchase
    from firm j performed delivered[s, j] + experience_noise x noise[i]
    (:mod:`.satisfaction`); ``firm`` is -1 for a prospect, who bought nothing. ``praise``
    and ``warning`` are per firm: what its praising and its warning customers experienced
    (:func:`sim.domain.word_of_mouth.content`).
    """
    over_rows(_update, firm.size, expectation, familiarity, aware, promised, segment, firm, split, top_share,
              delivered, noise, experience_noise, heard_positive, heard_negative, praise, warning,
              params.experience_weight, params.learning_exponent, params.promise_weight, params.word_of_mouth_weight)


@njit(cache=True, nogil=True)
def _taught(relative, exponent):
    """relative^exponent, with the common exponents as square roots and products: a general
    power costs about ten times as much, once per customer and firm every period."""
    if exponent == 0.25:
        return np.sqrt(np.sqrt(relative))
    if exponent == 0.5:
        return np.sqrt(relative)
    if exponent == 1.0:
        return relative
    return relative ** exponent


@njit(cache=True, nogil=True)
def _update(lo, hi, expectation, familiarity, aware, promised, segment, firm, split, top_share, delivered, noise,
            experience_noise, heard_positive, heard_negative, praise, warning, experience_weight, learning_exponent,
            promise_weight, word_of_mouth_weight):
    """Compiled loop over firms and customers (firm-major, as the arrays are stored)."""
    for j in range(expectation.shape[1]):
        for i in range(lo, hi):
            e, k = expectation[i, j], familiarity[i, j]
            if firm[i] >= 0 and split[i, j] > 0.0:
                learned = experience_weight * _taught(split[i, j] / top_share[i], learning_exponent)
                e += learned * (delivered[segment[i], j] + experience_noise * noise[i] - e)
                k += learned * (1.0 - k)
            hearsay = 1.0 - k
            if aware[i, j]:
                e += promise_weight * hearsay * (promised[segment[i], j] - e)
            if heard_positive[i, j]:
                e += word_of_mouth_weight * hearsay * (praise[j] - e)
            if heard_negative[i, j]:
                e += word_of_mouth_weight * hearsay * (warning[j] - e)
            expectation[i, j], familiarity[i, j] = e, k
