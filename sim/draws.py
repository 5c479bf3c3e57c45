"""One period's random numbers, drawn in bulk from the model's seeded generator.

Every random number a period uses is drawn together, in a fixed order
(:func:`fill`), so that the per-customer reference step can consume the very
same numbers as the vectorised one.

In a large market the model draws the next period's numbers on a second
thread while the current period computes (:class:`Draws`): NumPy's generator
releases the GIL while it fills an array, and so do the compiled sub-steps,
so the drawing takes the machine's second core. The generator yields the same
numbers in the same order either way: the next period's numbers are drawn after
this period's firm decisions (where a strategy may draw from ``model.rng``) and
finished before the period ends, which is exactly where they come in the
sequence when drawn at the start of the next period.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from .domain.rows import Beside

DRAW_AHEAD_FROM = 50_000
"""Customers from which the next period is drawn on a second thread. In smaller
markets starting and joining a thread (0.1-2 ms measured) costs about as much
as the drawing it would hide (0.6 ms at 5,000 customers, 9 ms at 50,000)."""


@dataclass
class StepDraws:
    """Every random number one period uses (see :func:`fill` for the order).

    The arrays are buffers the model reuses: they are refilled during a later
    period, so copy what you want to keep beyond the period.
    """

    advertising: np.ndarray  # U(0,1), customers x firms: reached by advertising
    perception: np.ndarray  # N(0,1), customers x firms: perception error
    experience: np.ndarray  # N(0,1), customers: experienced performance error, shared by the period's purchases
    recovery: np.ndarray  # U(0,1), customers: complaint caught
    hear_positive: np.ndarray  # U(0,1), customers x firms
    hear_negative: np.ndarray  # U(0,1), customers x firms
    leave: np.ndarray  # U(0,1), customers: defect (customers) or shop (prospects)
    pick: np.ndarray  # U(0,1), customers: which supplier a chooser picks

    @classmethod
    def buffers(cls, customers: int, firms: int) -> StepDraws:
        """Zeroed buffers; customers x firms fields are stored firm by firm (Fortran order), like the state."""
        def by_firm() -> np.ndarray:
            return np.zeros((customers, firms), order="F")

        return cls(advertising=by_firm(), perception=by_firm(), experience=np.zeros(customers),
                   recovery=np.zeros(customers), hear_positive=by_firm(), hear_negative=by_firm(),
                   leave=np.zeros(customers), pick=np.zeros(customers))


ORDER = (("advertising", False), ("perception", True), ("experience", True), ("recovery", False),
         ("hear_positive", False), ("hear_negative", False), ("leave", False), ("pick", False))
"""The fields of :class:`StepDraws` in the order they are drawn, each with whether it is normal (else uniform)."""


def fill(d: StepDraws, rng: np.random.Generator) -> StepDraws:
    """Draw one period's numbers into ``d``, field by field in :data:`ORDER`.

    Customers x firms fields are filled firm by firm: the k-th number drawn
    for such a field goes to customer k mod N, firm k div N.

    A compiled loop draws them from ``rng`` itself (Numba implements
    ``Generator.random`` and ``Generator.standard_normal`` with NumPy's
    algorithms on the same bit generator), so the numbers are exactly those of
    ``rng.random(out=...)`` and ``rng.standard_normal(out=...)`` in this order,
    at 10-20 % less CPU time. The generator's lock is held meanwhile, as
    NumPy does.
    """
    # firm by firm is the memory order of the firm-major buffers: flat views, filled in place
    fields = tuple(getattr(d, name).reshape(-1, order="F") for name, _ in ORDER)
    with rng.bit_generator.lock:
        _fill(rng, fields, tuple(normal for _, normal in ORDER))
    return d


@njit(cache=True, nogil=True)
def _fill(rng, fields, normals):
    """One compiled call for all fields (a call that takes the generator costs about 10 microseconds)."""
    for f in range(len(fields)):
        out = fields[f]
        if normals[f]:
            for k in range(out.size):
                out[k] = rng.standard_normal()
        else:
            for k in range(out.size):
                out[k] = rng.random()


class Draws:
    """The model's draws: one set of buffers, or two when the next period is drawn ahead.

    With two sets, the period computes on one while a second thread fills the
    other; :meth:`finish_next` joins that thread before the period ends, so no
    thread outlives a period (a process that forks between periods stays safe).
    """

    def __init__(self, customers: int, firms: int, rng: np.random.Generator, ahead: bool):
        self._rng = rng
        self._sets = [StepDraws.buffers(customers, firms) for _ in range(2 if ahead else 1)]
        self._current = 0
        self._next_ready = False
        self._drawing: Beside | None = None

    @property
    def ahead(self) -> bool:
        """Whether the next period's numbers are drawn on a second thread."""
        return len(self._sets) == 2

    def draw(self) -> StepDraws:
        """This period's numbers: those drawn ahead during the last period, or drawn now."""
        if self._next_ready:
            self._next_ready = False
            self._current = 1 - self._current
            return self._sets[self._current]
        return fill(self._sets[self._current], self._rng)

    def start_next(self) -> None:
        """Begin drawing the next period's numbers on a second thread (when drawing ahead)."""
        if not self.ahead or self._drawing is not None:
            return
        target, rng = self._sets[1 - self._current], self._rng
        self._drawing = Beside(lambda: fill(target, rng), "draw-ahead")

    def finish_next(self) -> None:
        """Wait until the next period's numbers are drawn; re-raise the drawing thread's error."""
        if self._drawing is None:
            return
        drawing, self._drawing = self._drawing, None
        drawing.result()
        self._next_ready = True
