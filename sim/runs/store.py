"""A directory of finished runs, so that nothing finished is ever lost or recomputed.

Each run (one replication of one scenario variant) is one CSV file,
``<dir>/<key>.csv``, written atomically as soon as the run finishes. Its first
line is a header::

    # marketsim-run v1 fingerprint=<sha256> body=<sha256>

``fingerprint`` identifies what was run (the scenario without its name,
description, compare and sweep sections; the seed; the replication index; and
a digest of the package's source code, so results of older code are not reused);
``body`` is the checksum of the CSV that follows. A file whose checksum does
not match (truncated, edited) or whose fingerprint differs (the scenario or
seed changed) is not used: the run is computed again and the file replaced.
Floats are written with full precision and read back exactly, so a result
read from the store is bitwise the one computed.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
from pathlib import Path

import pandas as pd

from ..outputs.files import atomic_write_bytes
from ..scenario import Scenario

FORMAT = "marketsim-run v1"


@functools.cache
def code_digest() -> str:
    """A digest of every Python source file of the ``sim`` package."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def fingerprint(scenario: Scenario, seed: int, replication: int) -> str:
    """A digest of everything that determines a run's result."""
    what = {"scenario": scenario.model_dump(mode="json", exclude={"compare", "sweep", "name", "description"}),
            "seed": int(seed), "replication": int(replication), "code": code_digest()}
    return hashlib.sha256(json.dumps(what, sort_keys=True).encode()).hexdigest()


class RunStore:
    """Finished runs kept as checksummed CSV files in ``directory``.

    The directory is created by the first save. Opening a store removes
    temporary files left by an interrupted write (``.*.part``): two commands
    must not write into the same directory at once.
    """

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        for leftover in self.directory.glob(".*.part"):
            leftover.unlink(missing_ok=True)

    def path(self, key: str) -> Path:
        return self.directory / f"{key}.csv"

    def load(self, key: str, digest: str) -> pd.DataFrame | None:
        """The stored run ``key`` if it is complete and was made by ``digest``; else None."""
        path = self.path(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        header, _, body = data.partition(b"\n")
        expected = f"# {FORMAT} fingerprint={digest} body={hashlib.sha256(body).hexdigest()}".encode()
        if header != expected:
            return None
        return pd.read_csv(io.BytesIO(body), engine="python")  # parses floats with float(): exact

    def save(self, key: str, digest: str, frame: pd.DataFrame) -> Path:
        """Write run ``key`` atomically with its fingerprint and checksum."""
        body = frame.to_csv(index=False, lineterminator="\n").encode()
        header = f"# {FORMAT} fingerprint={digest} body={hashlib.sha256(body).hexdigest()}\n".encode()
        return atomic_write_bytes(self.path(key), header + body)
