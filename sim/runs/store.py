"""A directory of finished runs, so that nothing finished is ever lost or recomputed.

Each run (one replication of one scenario variant) is two files, written
atomically as soon as the run finishes: ``<dir>/<key>.csv``, a plain CSV
(its first line the column names, so ``pandas.read_csv`` reads it), then its
sidecar ``<dir>/<key>.json``, which marks the run finished::

    {"format": "marketsim-run v2", "key": ..., "fingerprint": <sha256>, "body_sha256": <sha256>, "rows": n}

``fingerprint`` identifies what was run (the scenario without its name,
description, compare and sweep sections; the seed; the replication index; a
digest of the package's source code, so results of older code are not reused; and
the digest of the researcher's own strategies, :mod:`sim.runs.shipping`);
``body_sha256`` is the checksum of the CSV's bytes. A run whose sidecar is
missing or of another format (a v1 file, which carried its header in the CSV),
whose fingerprint differs (the scenario or seed changed) or whose CSV does not
match the checksum (truncated, edited) is not used: it is computed again and
both files replaced. Floats are written with full precision and read back
exactly, so a result read from the store is bitwise the one computed.

Only regular files are read. An entry named like a stored run's file that is a
directory, a FIFO, a device or a loop of symbolic links is refused with a
:class:`StoreError` (a FIFO is never opened: it would block), and a CSV larger
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

FORMAT = "marketsim-run v2"
MAX_ROW_BYTES = 4096
"""A stored row (a firm in a period) is at most this long: about 35 numbers of at most 25
characters and a firm name; 470 bytes measured with a 64-character name. The memory
estimate counts 6,000 bytes per row (:data:`sim.scenario.limits.BYTES_PER_RESULT_ROW`)."""
MAX_SIDECAR_BYTES = 4096
"""A sidecar is about 250 bytes: a key of at most about 80 characters and two digests."""
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
    """The largest CSV a stored run of ``scenario`` can be: its column names and one row per period and firm."""
    return 1024 + (scenario.run.steps + 1) * len(scenario.firms) * MAX_ROW_BYTES


class RunStore:
    """Finished runs kept as CSV files with checksummed JSON sidecars in ``directory``.

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
        """Run ``key``'s CSV file."""
        return self.directory / f"{key}.csv"

    def sidecar(self, key: str) -> Path:
        """Run ``key``'s sidecar: what was run and the CSV's checksum."""
        return self.directory / f"{key}.json"

    def load(self, key: str, digest: str, max_bytes: int | None = None) -> pd.DataFrame | None:
        """The stored run ``key`` if it is complete and was made by ``digest``; else None (also
        when the CSV is longer than ``max_bytes``: not a run, not read)."""
        self.check(key)
        meta = self._read(self.sidecar(key), MAX_SIDECAR_BYTES)
        try:
            meta = json.loads(meta) if meta is not None else None
        except (UnicodeDecodeError, ValueError):
            return None
        if not isinstance(meta, dict) or meta.get("format") != FORMAT or meta.get("fingerprint") != digest:
            return None
        body = self._read(self.path(key), max_bytes)
        if body is None or hashlib.sha256(body).hexdigest() != meta.get("body_sha256"):
            return None
        return pd.read_csv(io.BytesIO(body), engine="python")  # parses floats with float(): exact

    def check(self, key: str) -> None:
        """Raise :class:`StoreError` if a file of run ``key`` exists and is not a regular file."""
        for path in (self.path(key), self.sidecar(key)):
            try:
                mode = os.stat(path).st_mode
            except FileNotFoundError:
                continue  # none, or a dangling symbolic link that saving replaces
            except OSError as err:  # a loop of symbolic links, no permission
                raise StoreError(f"{path}: {err.strerror}; not a stored run: remove it") from None
            if not stat.S_ISREG(mode):
                kind = KINDS.get(stat.S_IFMT(mode), "special file")
                raise StoreError(f"{path}: is a {kind}, not a stored run; remove it, or give another --out")

    @staticmethod
    def _read(path: Path, max_bytes: int | None) -> bytes | None:
        """The bytes of a regular file; None if there is none or it is longer than ``max_bytes``."""
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
        """Write run ``key``: its CSV, then the sidecar that marks it finished (each atomically;
        the old sidecar goes first, so a sidecar always describes the CSV beside it)."""
        body = frame.to_csv(index=False, lineterminator="\n").encode()
        meta = {"format": FORMAT, "key": key, "fingerprint": digest, "body_sha256": hashlib.sha256(body).hexdigest(),
                "rows": len(frame)}
        self.sidecar(key).unlink(missing_ok=True)
        atomic_write_bytes(self.path(key), body)
        atomic_write_bytes(self.sidecar(key), json.dumps(meta).encode())
        return self.path(key)
