"""Word of mouth on the social network (Kotler & Keller; TARP 1986).

Delighted customers recommend their firm, dissatisfied ones warn against it.
Each speaker's word reaches each neighbour with a probability; a warning is
also passed on to neighbours of neighbours, so negative word travels further
than positive. A listener hears a firm praised (or warned against) if at
least one message gets through:

    P(hear positive) = 1 - (1 - q+)^k+
    P(hear negative) = 1 - (1 - q-)^k- (1 - q- q2)^k2

with k+ and k- the speaking neighbours and k2 the two-step paths to warning
speakers (other than the listener). In a fully mixed market each customer
meets ``mean_degree`` random others, so k is replaced by its expectation over
random contacts.

Counting. Every customer speaks about one firm at most (their own), so
counts for several firms can share one float64: a speaker on channel c (praise
of firm j is channel j, a warning about it channel F + j) adds 2^(b c) to each
contact's sum, with b bits enough for any count. Integers below 2^53 are exact
in float64, so one sparse product counts every channel at once and the counts
are read back exactly (:class:`Packing`). A second product, of the warning
counts packed in fields wide enough for two-step counts, gives the two-step
walks. A compiled pass then reads each customer's counts and compares their
draws with the chances, looked up in tables of the powers above.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numba import njit

from ..scenario.schema import WordOfMouth

EXACT_BITS = 53  # float64 represents every integer below 2**53 exactly (IEEE 754 binary64)


@dataclass(frozen=True)
class Packing:
    """Counts on several channels in one float64: ``bits`` per count, ``per_column`` channels per column."""

    bits: int
    per_column: int

    @classmethod
    def for_counts_up_to(cls, largest: int) -> Packing:
        bits = max(int(largest).bit_length(), 1)
        return cls(bits, EXACT_BITS // bits)

    def columns(self, channels: int) -> int:
        return -(-channels // self.per_column)

    def pack(self, channel: np.ndarray, speaking: np.ndarray, channels: int) -> np.ndarray:
        """One unit in the field of each speaker's channel (customers x columns, float64)."""
        packed = np.zeros((channel.size, self.columns(channels)))
        rows = np.flatnonzero(speaking)
        c = channel[rows]
        packed[rows, c // self.per_column] = np.exp2(self.bits * (c % self.per_column))
        return packed


@njit(cache=True)
def _field(packed, i, c, bits, per_column):
    """Channel c's count for customer i in packed int64 sums."""
    return (packed[i, c // per_column] >> (bits * (c % per_column))) & ((1 << bits) - 1)


@njit(cache=True)
def _largest_field(packed, channels, bits, per_column):
    """The largest count on any channel in packed int64 sums."""
    largest = 0
    for i in range(packed.shape[0]):
        for c in range(channels):
            largest = max(largest, _field(packed, i, c, bits, per_column))
    return largest


@njit(cache=True)
def _repack_warnings(heard, firms, bits, per_column, wide_bits, wide_per_column, out):
    """Each customer's warning counts (channels firms..2 firms - 1) into wider fields (float64 columns)."""
    for i in range(heard.shape[0]):
        for j in range(firms):
            k = _field(heard, i, firms + j, bits, per_column)
            if k:
                out[i, j // wide_per_column] += k * 2.0 ** (wide_bits * (j % wide_per_column))


@njit(cache=True)
def _listen(heard, walks, firms, bits, per_column, wide_bits, wide_per_column, chance_positive, miss_negative,
            miss_two_step, draw_positive, draw_negative, heard_positive, heard_negative):
    """Compare each customer's draws with their chances of hearing each firm praised and warned against."""
    for j in range(firms):
        for i in range(heard.shape[0]):
            praised = _field(heard, i, j, bits, per_column)
            warned = _field(heard, i, firms + j, bits, per_column)
            walked = _field(walks, i, j, wide_bits, wide_per_column) if walks.shape[1] else 0
            heard_positive[i, j] = draw_positive[i, j] < chance_positive[praised]
            heard_negative[i, j] = draw_negative[i, j] < 1.0 - miss_negative[warned] * miss_two_step[walked]


class Contacts:
    """The social network prepared for counting speakers (built once per model)."""

    def __init__(self, adjacency: sp.csr_matrix):
        self.adjacency = adjacency
        self.degree = np.diff(adjacency.indptr).astype(float)
        largest = int(self.degree.max(initial=0))
        self.one_step = Packing.for_counts_up_to(largest)
        self.two_step = Packing.for_counts_up_to(largest * largest)

    def neighbour_sums(self, packed: np.ndarray) -> np.ndarray:
        """Sum of the packed values over each customer's neighbours (one sparse product)."""
        if packed.shape[1] == 1:
            return (self.adjacency @ packed[:, 0])[:, None]
        return self.adjacency @ packed


def hear(contacts: Contacts | None, mean_contacts: float, firm: np.ndarray, delighted: np.ndarray,
         dissatisfied: np.ndarray, params: WordOfMouth, draw_positive: np.ndarray, draw_negative: np.ndarray,
         heard_positive: np.ndarray, heard_negative: np.ndarray) -> None:
    """Who hears each firm praised and who hears it warned against (customers x firms, into the heard arrays).

    ``firm`` is each customer's own firm; ``delighted`` and ``dissatisfied`` say who speaks.
    A customer hears when their uniform draw falls below the chance of hearing.
    ``contacts`` is None in a fully mixed market.
    """
    q_pos, q_neg, q_two = params.positive_probability, params.negative_probability, params.negative_second_hop
    n, f = heard_positive.shape
    if contacts is None:
        others = max(n - 1, 1)
        frac_pos = np.bincount(firm[delighted], minlength=f) / others
        frac_neg = np.bincount(firm[dissatisfied], minlength=f) / others
        miss_pos = (1.0 - q_pos * frac_pos) ** mean_contacts
        miss_neg = (1.0 - q_neg * frac_neg) ** mean_contacts * (1.0 - q_neg * q_two * frac_neg) ** (mean_contacts * mean_contacts)
        np.less(draw_positive, 1.0 - miss_pos, out=heard_positive)
        np.less(draw_negative, 1.0 - miss_neg, out=heard_negative)
        return
    speaking = delighted | dissatisfied
    channel = np.where(dissatisfied, f + firm, firm)
    one, two = contacts.one_step, contacts.two_step
    heard = contacts.neighbour_sums(one.pack(channel, speaking, 2 * f)).astype(np.int64)
    walks = np.zeros((n, 0), dtype=np.int64)
    if q_two > 0:  # walks speaker -> neighbour -> listener, less the walks back to the speaker
        warnings = np.zeros((n, two.columns(f)))
        _repack_warnings(heard, f, one.bits, one.per_column, two.bits, two.per_column, warnings)
        walks = (contacts.neighbour_sums(warnings) - contacts.degree[:, None] * two.pack(firm, dissatisfied, f))
        walks = walks.astype(np.int64)
    largest = 1 << one.bits  # every count fits in one.bits bits
    chance_positive = 1.0 - (1.0 - q_pos) ** np.arange(float(largest))
    miss_negative = (1.0 - q_neg) ** np.arange(float(largest))
    walked = _largest_field(walks, f, two.bits, two.per_column) if q_two > 0 else 0
    miss_two_step = (1.0 - q_neg * q_two) ** np.arange(walked + 1.0)
    _listen(heard, walks, f, one.bits, one.per_column, two.bits, two.per_column, chance_positive, miss_negative,
            miss_two_step, draw_positive, draw_negative, heard_positive, heard_negative)


def take_in(aware: np.ndarray, image: np.ndarray, heard_positive: np.ndarray, heard_negative: np.ndarray,
            image_shift: float) -> None:
    """What was heard makes firms known and moves their image (in place, customers x firms):
    image += image_shift x (praised - warned against)."""
    _take_in(aware, image, heard_positive, heard_negative, image_shift)


@njit(cache=True)
def _take_in(aware, image, heard_positive, heard_negative, image_shift):
    n, f = aware.shape
    for j in range(f):
        for i in range(n):
            praised, warned = heard_positive[i, j], heard_negative[i, j]
            if praised or warned:
                aware[i, j] = True
            image[i, j] += image_shift * ((1.0 if praised else 0.0) - (1.0 if warned else 0.0))

