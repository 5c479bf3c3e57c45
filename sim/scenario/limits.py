"""Will a scenario fit in memory? An estimate made before any work starts, so
that a run too large for the machine is refused with the figures instead of
being killed by the operating system hours later.

A model holds per-customer arrays (N customers, F firms) and the social
network (about N x mean degree entries); a step adds temporary N x F arrays.
Mesa's DataCollector keeps one record per firm and period. The process that
gathers the results of all replications holds their time series and formats
them as CSV. The constants below are peak bytes measured with ``tracemalloc``
(NumPy reports its arrays to it) on the shipped model, rounded up by about a
quarter; ``tests/test_limits.py`` checks that the estimate stays above the
measured peak.
"""

from __future__ import annotations

import os
from pathlib import Path

from .load import ScenarioError
from .schema import Scenario

BYTES_PER_CUSTOMER = 400
"""Per customer, whatever the number of firms: segment, supplier, wallet, loyalty and step temporaries."""
BYTES_PER_CUSTOMER_FIRM = 120
"""Per customer and firm: awareness, expectation, image, wallet split, the period's draws and temporaries."""
BYTES_PER_CONTACT = 60
"""Per customer and unit of mean degree: the sparse network (12 bytes kept, more while it is built)."""
BYTES_PER_RECORD = 1_500
"""Per firm and period in one model: Mesa's DataCollector record of every firm metric."""
BYTES_PER_RESULT_ROW = 6_000
"""Per replication, period and firm in the gathering process: the time series, its CSV text and summary."""
RESULTS_BASE = 32 * 2**20
"""Working buffers of pandas while the results are concatenated, formatted and summarised (~5 MiB measured)."""
PROCESS_BYTES = 300 * 2**20
"""A worker process of the pool with the package imported (284 MiB resident, measured with getrusage)."""


class TooLarge(ScenarioError):
    """The scenario would need more memory than the machine has available."""


def contacts(scenario: Scenario) -> int:
    """Network entries per customer: the mean degree, or none when the market is fully mixed."""
    network, n = scenario.market.network, scenario.market.customers
    return 0 if network.kind == "fully_mixed" else min(network.mean_degree, max(n - 1, 0))


def model_bytes(scenario: Scenario) -> int:
    """Peak memory of one model running the scenario (bytes)."""
    n, f, steps = scenario.market.customers, len(scenario.firms), scenario.run.steps
    per_customer = BYTES_PER_CUSTOMER + BYTES_PER_CUSTOMER_FIRM * f + BYTES_PER_CONTACT * contacts(scenario)
    return n * per_customer + steps * f * BYTES_PER_RECORD


def results_bytes(scenario: Scenario, replications: int) -> int:
    """Memory to gather and write the time series of ``replications`` runs (bytes)."""
    if not replications:
        return 0
    return RESULTS_BASE + replications * scenario.run.steps * len(scenario.firms) * BYTES_PER_RESULT_ROW


def available_memory() -> int | None:
    """Bytes this process may still use: free memory, or the container's limit if lower; None if unknown."""
    free = _meminfo_available()
    if free is None:
        try:
            free = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError, AttributeError):
            free = None
    room = _cgroup_room()
    known = [b for b in (free, room) if b is not None]
    return min(known) if known else None


def _meminfo_available() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _cgroup_room() -> int | None:
    """Limit minus usage of this process's memory cgroup (v2, then v1), if it has a limit."""
    for limit_file, usage_file in (("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
                                   ("/sys/fs/cgroup/memory/memory.limit_in_bytes",
                                    "/sys/fs/cgroup/memory/memory.usage_in_bytes")):
        try:
            limit = Path(limit_file).read_text().strip()
            usage = int(Path(usage_file).read_text().strip())
        except (OSError, ValueError):
            continue
        if limit.isdigit() and int(limit) < 2**60:  # v1 reports 'no limit' as a huge number
            return max(int(limit) - usage, 0)
    return None


def human(n: float) -> str:
    """Bytes in binary units: '1.5 GiB'."""
    units = ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB")
    i = 0
    while abs(n) >= 1024 and i < len(units) - 1:
        n /= 1024
        i += 1
    return f"{n:,.0f} bytes" if i == 0 else f"{n:,.1f} {units[i]}"


def check_memory(scenario: Scenario, replications: int = 0, workers: int = 1, source: str | None = None,
                 available: int | None = None) -> int:
    """Refuse (:class:`TooLarge`) a run whose estimated peak memory here exceeds what is available.

    ``workers`` models run at once on this machine, each holding one
    replication (0 when they run on a cluster), in worker processes of their
    own when there are several; this process gathers the time series of all
    ``replications`` (0 when it keeps none, as a bare model).
    ``available`` defaults to :func:`available_memory`. Returns the estimate (bytes).
    """
    models = min(workers, max(replications, 1))
    one = model_bytes(scenario) + (PROCESS_BYTES if models > 1 else 0)
    gathered = results_bytes(scenario, replications)
    need = models * one + gathered
    room = available_memory() if available is None else available
    if room is None or need <= room:
        return need
    parts = []
    if models:
        parts.append(f"{models} model(s) at once of {human(one)} each ({scenario.market.customers:,} customers x "
                     f"{len(scenario.firms)} firm(s), network degree {contacts(scenario)})")
    if gathered:
        parts.append(f"{human(gathered)} for the results of {replications} replication(s) x {scenario.run.steps} "
                     f"periods x {len(scenario.firms)} firm(s)")
    raise TooLarge(f"{source or f'scenario {scenario.name!r}'}: needs about {human(need)} of memory but "
                   f"{human(room)} is available: {'; plus '.join(parts)}. Reduce market.customers, the number "
                   "of firms, market.network.mean_degree, --workers, or run.steps x replications.")
