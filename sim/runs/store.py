"""A directory of finished runs, so that nothing finished is ever lost or recomputed.

Each run (one replication of one scenario variant) is one CSV file,
``<dir>/<key>.csv``, written atomically as soon as the run finishes. Its first
line is a header::

    # marketsim-run v1 fingerprint=<sha256> body=<sha256>

``fingerprint`` identifies what was run (the scenario without its name,
description, compare and sweep sections; the seed; the replication index; a
digest of the package's source code, so results of older code are not reused; and
the digest of the researcher's own strategies, :mod:`sim.runs.shipping`);
``body`` is the checksum of the CSV that follows. A file whose checksum does
not match (truncated, edited) or whose fingerprint differs (the scenario or
seed changed) is not used: the run is computed again and the file replaced.
Floats are written with full precision and read back exactly, so a result
read from the store is bitwise the one computed.

Only regular files are read. An entry named like a stored run that is a
directory, a FIFO, a device or a loop of symbolic links is refused with a
:class:`StoreError` (a FIFO is never opened: it would block), and a file larger
than a run of its scenario can be (:func:`max_run_bytes`) is not read but
recomputed, so reading the store stays inside the memory estimate.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import stat
from pathlib import Path

import pandas as pd

from ..outputs.files import atomic_write_bytes
from ..scenario import Scenario
from .shipping import ShippedStrategies

FORMAT = "marketsim-run v1"
MAX_ROW_BYTES = 4096
"""A stored row (a firm in a period) is at most this long: about 35 numbers of at most 25
characters and a firm name; 470 bytes measured with a 64-character name. The memory
estimate counts 6,000 bytes per row (:data:`sim.scenario.limits.BYTES_PER_RESULT_ROW`)."""
KINDS = {stat.S_IFDIR: "directory", stat.S_IFIFO: "FIFO (named pipe)", stat.S_IFCHR: "character device",
         stat.S_IFBLK: "block device", stat.S_IFSOCK: "socket"}


class StoreError(Exception):
    """An entry of the store is in the way: not a regular file, or not readable."""


@functools.cache
def code_digest() -> str:
    """A digest of every Python source file of the ``sim`` package."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def fingerprint(scenario: Scenario, seed: int, replication: int, strategies: ShippedStrategies | None = None) -> str:
    """A digest of everything that determines a run's result, the researcher's own strategies included."""
    what = {"scenario": scenario.model_dump(mode="json", exclude={"compare", "sweep", "name", "description"}),
            "seed": int(seed), "replication": int(replication), "code": code_digest()}
    if strategies is not None:
        what["strategies"] = strategies.digest
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()


def max_run_bytes(scenario: Scenario) -> int:
    """The largest file a stored run of ``scenario`` can be: its header and one row per period and firm."""
    return 1024 + (scenario.run.steps + 1) * len(scenario.firms) * MAX_ROW_BYTES


class RunStore:
    """Finished runs kept as checksummed CSV files in ``directory``.

    The directory is created by the first save. Opening a store removes
    temporary files left by an interrupted write (``.*.part``), so two
    processes must not use one store at once: every command locks its output
    directory (:mod:`sim.cli.lock`) before it opens the store inside.
    """

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        for leftover in self.directory.glob(".*.part"):
            leftover.unlink(missing_ok=True)

    def path(self, key: str) -> Path:
        return self.directory / f"{key}.csv"

    def load(self, key: str, digest: str, max_bytes: int | None = None) -> pd.DataFrame | None:
        """The stored run ``key`` if it is complete and was made by ``digest``; else None (also
        when the file is longer than ``max_bytes``: not a run, not read)."""
        data = self._read(key, max_bytes)
        if data is None:
            return None
        header, _, body = data.partition(b"\n")
        expected = f"# {FORMAT} fingerprint={digest} body={hashlib.sha256(body).hexdigest()}".encode()
        if header != expected:
            return None
        return pd.read_csv(io.BytesIO(body), engine="python")  # parses floats with float(): exact

    def check(self, key: str) -> None:
        """Raise :class:`StoreError` if the entry of run ``key`` exists and is not a regular file."""
        path = self.path(key)
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            return  # none, or a dangling symbolic link that saving replaces
        except OSError as err:  # a loop of symbolic links, no permission
            raise StoreError(f"{path}: {err.strerror}; not a stored run: remove it") from None
        if not stat.S_ISREG(mode):
            kind = KINDS.get(stat.S_IFMT(mode), "special file")
            raise StoreError(f"{path}: is a {kind}, not a stored run; remove it, or give another --out")

    def _read(self, key: str, max_bytes: int | None) -> bytes | None:
        """The bytes of run ``key``'s file; None if there is none or it is longer than ``max_bytes``."""
        self.check(key)
        path = self.path(key)
        try:  # O_NONBLOCK: should the entry become a FIFO after check(), opening it does not wait
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        except FileNotFoundError:
            return None
        with os.fdopen(fd, "rb") as handle:
            opened = os.fstat(fd)
            if not stat.S_ISREG(opened.st_mode):
                raise StoreError(f"{path}: changed into a special file while being read; remove it")
            if max_bytes is not None and opened.st_size > max_bytes:
                return None
            data = handle.read(-1 if max_bytes is None else max_bytes + 1)
        return None if max_bytes is not None and len(data) > max_bytes else data

    def save(self, key: str, digest: str, frame: pd.DataFrame) -> Path:
        """Write run ``key`` atomically with its fingerprint and checksum."""
        body = frame.to_csv(index=False, lineterminator="\n").encode()
        header = f"# {FORMAT} fingerprint={digest} body={hashlib.sha256(body).hexdigest()}\n".encode()
        return atomic_write_bytes(self.path(key), header + body)
