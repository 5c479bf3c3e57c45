"""Files appear whole or not at all: write to a temporary file beside the
target, flush it to disk, then rename it into place (atomic on POSIX).
Tables are written twice, as CSV and as Parquet, equal in content."""

from __future__ import annotations

import io
import os
import re
import tempfile
from pathlib import Path

import pandas as pd


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o666 & ~_umask())  # as open() would make it; mkstemp gives 0600
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | Path, text: str) -> Path:
    return atomic_write_bytes(path, text.encode("utf-8"))


def write_table(directory: str | Path, stem: str, frame: pd.DataFrame) -> str:
    """Write ``frame`` as ``<stem>.csv`` and ``<stem>.parquet``, each atomically; returns the Parquet
    file's name. The Parquet file holds the table ``pandas.read_csv`` makes of the CSV (read back
    from its text), so the two read back equal even where CSV loses a type (a name that looks like
    a number, the columns of an empty table)."""
    directory = Path(directory)
    text = frame.to_csv(index=False, lineterminator="\n")
    atomic_write_text(directory / f"{stem}.csv", text)
    parquet = f"{stem}.parquet"
    atomic_write_bytes(directory / parquet, pd.read_csv(io.StringIO(text)).to_parquet(index=False))
    return parquet


def remove_table(directory: str | Path, stem: str) -> None:
    """Remove ``<stem>.csv`` and ``<stem>.parquet``, as an earlier command into the directory left them."""
    for suffix in (".csv", ".parquet"):
        (Path(directory) / f"{stem}{suffix}").unlink(missing_ok=True)


def safe_name(text: str, fallback: str = "scenario") -> str:
    """A file-name-safe version of a user-given name (no separators, no '..')."""
    cleaned = re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("._")
    return cleaned[:64] or fallback
