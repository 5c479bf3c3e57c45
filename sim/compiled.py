"""The model's compiled kernels, prepared before the real work.

The per-customer loops of a period are compiled by Numba the first time they
run, and the machine code is kept in Numba's on-disk cache (``cache=True``
beside each module). On a fresh install that first compilation took 3 s on an
idle 2-core machine here and 30-45 s on a busy one; afterwards loading the
cache takes 0.2 s.

:func:`prepare` runs a tiny market for two periods, which calls every kernel
with the argument types of a real run, so that the work after it (and the
process pool's workers, which load the cache it wrote) starts at full speed.
If the kernels are not ready within ``NOTICE_AFTER`` seconds, ``notice`` is
called once with a line for the user: on a first run, a long silent wait would
look like a hung program.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

NOTICE_AFTER = 1.0
"""Seconds after which preparing is reported (loading a warm cache takes 0.2 s)."""

FIRST_RUN_MESSAGE = "preparing the model's compiled kernels (first run only; usually well under a minute)..."

_prepared = False


def prepare(notice: Callable[[str], None] | None = None) -> float:
    """Compile (or load from the cache) every kernel of the period, once per process.

    Returns the seconds it took (0 if this process had prepared them already).
    ``notice`` receives :data:`FIRST_RUN_MESSAGE` if it takes longer than
    :data:`NOTICE_AFTER`, and then a line saying how long it took.
    """
    global _prepared
    if _prepared:
        return 0.0
    started = time.perf_counter()
    done = threading.Event()
    noticed = threading.Event()

    def announce() -> None:
        if not done.wait(NOTICE_AFTER) and notice is not None:
            noticed.set()
            notice(FIRST_RUN_MESSAGE)

    announcer = threading.Thread(target=announce, name="marketsim-notice", daemon=True)
    announcer.start()
    try:
        _run_tiny_market()
    finally:
        done.set()
        announcer.join()
    took = time.perf_counter() - started
    if noticed.is_set() and notice is not None:
        notice(f"compiled kernels ready ({took:.0f} s)")
    _prepared = True
    return took


def _run_tiny_market() -> None:
    """Two periods of a small market that reaches every kernel: a social network with
    two-step warnings, prospects who shop, two segments (one with Beta-distributed
    defection propensities), complaint recovery and switching."""
    from .model import MarketModel
    from .scenario import validate_document

    scenario = validate_document({
        "name": "compiled-kernels",
        "run": {"steps": 2, "replications": 1},
        "market": {"customers": 60, "network": {"kind": "small_world", "mean_degree": 4},
                   "segments": [{"name": "a", "share": 0.5, "in_market": 0.5},
                                {"name": "b", "share": 0.5, "base_defection_beta": [1.0, 9.0]}]},
        "firms": [{"name": "A", "initial_share": 0.4, "relationship": "reactive"},
                  {"name": "B", "initial_share": 0.4, "acquisition_spending": 10.0}],
    }, "compiled kernels")
    MarketModel(scenario, rng=0).run()
