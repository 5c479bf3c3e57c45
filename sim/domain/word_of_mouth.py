"""Word of mouth on the social network (Kotler & Keller; TARP 1986; Anderson 1998).

Delighted customers recommend their firm, dissatisfied ones warn against it, and
what they say is what they experienced: a listener's expectation of the firm moves
towards the performance its praising (or warning) customers met this period
(:func:`content`, used in :mod:`.expectations`), and its image moves up for praise
and down for a warning. Image shifts fade with a half-life (hearsay is forgotten).
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
counts for several firms can share one number: a speaker on channel c (praise
of firm j is channel j, a warning about it channel F + j) is worth 2^(b c),
with b bits enough for any count (:class:`Packing`), and each customer sums
the worth of their contacts: one compiled pass over the network's adjacency
counts every channel at once, exactly (int64). The same sum over the contacts'
warning counts, repacked in fields wide enough for two-step counts, gives the
two-step walks. A compiled pass then reads each customer's counts and
compares their draws with the chances, looked up in tables of the powers
above. Every pass computes each customer's row from the network and the
previous pass alone, so each runs in two halves of the customers on two
cores in a large market.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numba import njit

from ..scenario.schema import WordOfMouth
from .rows import over_rows, summed_over_rows
from .satisfaction import DELIGHTED, DISSATISFIED

COLUMN_BITS = 63  # bits of a packed int64 column: each field stays below 2**bits, so a column's sum stays below 2**63
ONE = np.uint64(1)  # row index arithmetic stays unsigned (see sim.domain.rows.over_rows)


@dataclass(frozen=True)
class Packing:
    """Counts on several channels in one int64: ``bits`` per count, ``per_column`` channels per column."""

    bits: int
    per_column: int

    @classmethod
    def for_counts_up_to(cls, largest: int) -> Packing:
        bits = max(int(largest).bit_length(), 1)
        return cls(bits, COLUMN_BITS // bits)

    def columns(self, channels: int) -> int:
        return -(-channels // self.per_column)

    def units(self, channels: int) -> np.ndarray:
        """The value one count adds on each channel: 2^(bits x position in its column) (int64)."""
        return np.left_shift(np.int64(1), self.shifts(channels))

    def column_of(self, channels: int) -> np.ndarray:
        """Each channel's column (int64)."""
        return np.arange(channels, dtype=np.int64) // self.per_column

    def shifts(self, channels: int) -> np.ndarray:
        """Each channel's bit offset in its column (int64)."""
        return self.bits * (np.arange(channels, dtype=np.int64) % self.per_column)

    @property
    def mask(self) -> int:
        return (1 << self.bits) - 1


@njit(cache=True, nogil=True)
def _field(packed, i, c, column, shift, mask):
    """Channel c's count for customer i in packed int64 sums (column and shift per channel: no division)."""
    return (packed[i, column[c]] >> shift[c]) & mask


@njit(cache=True, nogil=True)
def _speak(lo, hi, firm, state, firms, column, unit, out):
    """Each customer's worth on the channel they speak on (praise of firm j: channel j; a warning:
    channel firms + j), packed (int64); zero for customers who say nothing."""
    for i in range(lo, hi):
        for col in range(out.shape[1]):
            out[i, col] = 0
        if state[i] == DELIGHTED:
            c = firm[i]
        elif state[i] == DISSATISFIED:
            c = firms + firm[i]
        else:
            continue
        out[i, column[c]] = unit[c]


@njit(cache=True, nogil=True)
def _neighbour_sums(lo, hi, indptr, indices, packed, out):
    """Each customer's sum of one column of packed values over their contacts (int64, exact); the
    network's CSR arrays are unsigned, so no index needs a negative-index check."""
    for i in range(lo, hi):
        total = 0
        for k in range(indptr[i], indptr[i + ONE]):
            total += packed[indices[k]]
        out[i] = total


@njit(cache=True, nogil=True)
def _repack_warnings(lo, hi, heard, firms, column, shift, mask, wide_column, wide_unit, out):
    """Each customer's warning counts (channels firms..2 firms - 1) into wider fields (int64 columns)."""
    for i in range(lo, hi):
        for col in range(out.shape[1]):
            out[i, col] = 0
        for j in range(firms):
            k = _field(heard, i, firms + j, column, shift, mask)
            if k:
                out[i, wide_column[j]] += k * wide_unit[j]


@njit(cache=True, nogil=True)
def _two_step_walks(lo, hi, walks, degree, firm, state, firms, column, shift, mask, unit):
    """From walks speaker -> neighbour -> listener (in place), take away the walks back to the
    speaker (a dissatisfied customer's warning returns to them once through each neighbour);
    returns the largest count."""
    largest = 0
    for i in range(lo, hi):
        if state[i] == DISSATISFIED:
            walks[i, column[firm[i]]] -= degree[i] * unit[firm[i]]
        for j in range(firms):
            largest = max(largest, _field(walks, i, j, column, shift, mask))
    return largest


@njit(cache=True, nogil=True)
def _listen(lo, hi, heard, walks, firms, column, shift, mask, wide_column, wide_shift, wide_mask, chance_positive,
            miss_negative, miss_two_step, draw_positive, draw_negative, heard_positive, heard_negative):
    """Compare each customer's draws with their chances of hearing each firm praised and warned against."""
    for j in range(firms):
        for i in range(lo, hi):
            praised = _field(heard, i, j, column, shift, mask)
            warned = _field(heard, i, firms + j, column, shift, mask)
            walked = _field(walks, i, j, wide_column, wide_shift, wide_mask) if walks.shape[1] else 0
            heard_positive[i, j] = draw_positive[i, j] < chance_positive[praised]
            heard_negative[i, j] = draw_negative[i, j] < 1.0 - miss_negative[warned] * miss_two_step[walked]


class Contacts:
    """The social network prepared for counting speakers (built once per model): its CSR arrays
    viewed as unsigned integers, the packings, and the count buffers the periods reuse."""

    def __init__(self, adjacency: sp.csr_matrix, firms: int):
        n = adjacency.shape[0]
        self.indptr, self.indices = _unsigned(adjacency.indptr), _unsigned(adjacency.indices)
        self.degree = np.diff(adjacency.indptr).astype(np.int64)
        largest = int(self.degree.max(initial=0))
        self.one_step = Packing.for_counts_up_to(largest)
        self.two_step = Packing.for_counts_up_to(largest * largest)
        one, two = self.one_step, self.two_step
        self.one_layout = one.column_of(2 * firms), one.shifts(2 * firms), one.mask
        self.two_layout = two.column_of(firms), two.shifts(firms), two.mask
        self.one_unit, self.two_unit = one.units(2 * firms), two.units(firms)
        self.spoken = np.zeros((n, one.columns(2 * firms)), dtype=np.int64, order="F")
        self.heard = np.zeros_like(self.spoken)
        self.warnings = np.zeros((n, two.columns(firms)), dtype=np.int64, order="F")
        self.walks = np.zeros_like(self.warnings)

    def count_speakers(self, firm: np.ndarray, state: np.ndarray, firms: int) -> np.ndarray:
        """Each customer's packed counts of praising and warning contacts (int64, customers x columns)."""
        over_rows(_speak, firm.size, firm, state, firms, self.one_layout[0], self.one_unit, self.spoken)
        return self.neighbour_sums(self.spoken, self.heard)

    def neighbour_sums(self, packed: np.ndarray, out: np.ndarray) -> np.ndarray:
        """Sum of the packed values (int64, customers x columns) over each customer's contacts, into ``out``;
        column by column (the buffers are stored by column, so each is contiguous)."""
        for col in range(packed.shape[1]):
            over_rows(_neighbour_sums, packed.shape[0], self.indptr, self.indices, packed[:, col], out[:, col])
        return out


def _unsigned(index: np.ndarray) -> np.ndarray:
    """An integer index array viewed (not copied) as unsigned integers of the same width."""
    return index.view(np.dtype(f"u{index.itemsize}"))


def hear(contacts: Contacts | None, mean_contacts: float, firm: np.ndarray, state: np.ndarray, params: WordOfMouth,
         draw_positive: np.ndarray, draw_negative: np.ndarray, heard_positive: np.ndarray,
         heard_negative: np.ndarray) -> None:
    """Who hears each firm praised and who hears it warned against (customers x firms, into the heard arrays).

    ``firm`` is each customer's own firm; their satisfaction ``state`` says who
    speaks (delighted praise, dissatisfied warn). A customer hears when their
    uniform draw falls below the chance of hearing. ``contacts`` is None in a
    fully mixed market.
    """
    q_pos, q_neg, q_two = params.positive_probability, params.negative_probability, params.negative_second_hop
    n, f = heard_positive.shape
    if contacts is None:
        others = max(n - 1, 1)
        frac_pos = np.bincount(firm[state == DELIGHTED], minlength=f) / others
        frac_neg = np.bincount(firm[state == DISSATISFIED], minlength=f) / others
        miss_pos = (1.0 - q_pos * frac_pos) ** mean_contacts
        miss_neg = (1.0 - q_neg * frac_neg) ** mean_contacts * (1.0 - q_neg * q_two * frac_neg) ** (mean_contacts * mean_contacts)
        np.less(draw_positive, 1.0 - miss_pos, out=heard_positive)
        np.less(draw_negative, 1.0 - miss_neg, out=heard_negative)
        return
    one = contacts.one_step
    narrow, wide = contacts.one_layout, contacts.two_layout
    heard = contacts.count_speakers(firm, state, f)
    walks, walked = contacts.walks[:, :0], 0
    if q_two > 0:  # walks speaker -> neighbour -> listener, less the walks back to the speaker
        over_rows(_repack_warnings, n, heard, f, *narrow, wide[0], contacts.two_unit, contacts.warnings)
        walks = contacts.neighbour_sums(contacts.warnings, contacts.walks)
        walked = max(over_rows(_two_step_walks, n, walks, contacts.degree, firm, state, f, *wide, contacts.two_unit))
    largest = 1 << one.bits  # every count fits in one.bits bits
    chance_positive = 1.0 - (1.0 - q_pos) ** np.arange(float(largest))
    miss_negative = (1.0 - q_neg) ** np.arange(float(largest))
    miss_two_step = (1.0 - q_neg * q_two) ** np.arange(walked + 1.0)
    over_rows(_listen, n, heard, walks, f, *narrow, *wide, chance_positive, miss_negative, miss_two_step,
              draw_positive, draw_negative, heard_positive, heard_negative)


def content(firm: np.ndarray, state: np.ndarray, segment: np.ndarray, delivered: np.ndarray, noise: np.ndarray,
            experience_noise: float, firms: int) -> tuple[np.ndarray, np.ndarray]:
    """What praise and warnings about each firm say (per firm): the mean performance its
    delighted, and its dissatisfied, customers experienced there this period (0 where
    nobody speaks, and so nobody hears); a customer's performance is delivered[segment,
    firm] + experience_noise x noise (:mod:`.satisfaction`). One compiled pass adds them up."""
    sums = summed_over_rows(_said, firm.size, (firms, 4), firm, state, segment, delivered, noise, experience_noise)
    count = sums[:, 2:]
    said = np.divide(sums[:, :2], count, out=np.zeros((firms, 2)), where=count > 0)
    return said[:, 0], said[:, 1]


@njit(cache=True, nogil=True)
def _said(lo, hi, firm, state, segment, delivered, noise, experience_noise, sums):
    """Per firm: the performance its praising (column 0) and warning (1) customers met, and how many (2, 3)."""
    for i in range(lo, hi):
        f = firm[i]
        if f < 0:
            continue
        if state[i] == DELIGHTED:
            sums[f, 0] += delivered[segment[i], f] + experience_noise * noise[i]
            sums[f, 2] += 1.0
        elif state[i] == DISSATISFIED:
            sums[f, 1] += delivered[segment[i], f] + experience_noise * noise[i]
            sums[f, 3] += 1.0


def fading(half_life: float) -> float:
    """The share of an image shift kept from one period to the next: 2^(-1 / half-life)."""
    return 0.5 ** (1.0 / half_life)


def take_in(aware: np.ndarray, image: np.ndarray, heard_positive: np.ndarray, heard_negative: np.ndarray,
            image_shift: float, kept: float) -> None:
    """What was heard makes firms known and moves their image (in place, customers x firms):
    image <- kept x image + image_shift x (praised - warned against), ``kept`` from :func:`fading`."""
    over_rows(_take_in, aware.shape[0], aware, image, heard_positive, heard_negative, image_shift, kept)


@njit(cache=True, nogil=True)
def _take_in(lo, hi, aware, image, heard_positive, heard_negative, image_shift, kept):
    for j in range(aware.shape[1]):
        for i in range(lo, hi):
            praised, warned = heard_positive[i, j], heard_negative[i, j]
            if praised or warned:
                aware[i, j] = True
            image[i, j] = kept * image[i, j] + image_shift * ((1.0 if praised else 0.0) - (1.0 if warned else 0.0))

