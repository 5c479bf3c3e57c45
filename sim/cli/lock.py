"""One command at a time per output directory.

A command holds an exclusive ``flock`` on ``OUT/.marketsim.lock`` while it
runs and writes into that file who holds it (pid, command line, start time).
A second command on the same directory is refused, naming the holder. The
kernel releases a ``flock`` when its holder ends, however it ends (SIGKILL and
the out-of-memory killer included), so a lock left by a dead process is never
in the way: the next command takes it and says whose it was. The file itself
stays, emptied, when its holder finishes; it is never deleted, since a process
that opened it just before would then lock a file nobody else sees.
"""

from __future__ import annotations

import fcntl
import json
import os
import shlex
import sys
import time
from pathlib import Path

LOCK_NAME = ".marketsim.lock"


class DirectoryBusy(Exception):
    """Another live command holds the output directory."""


class DirectoryLock:
    """The lock of ``directory`` (which must exist); :meth:`acquire` takes it, :meth:`release` frees it."""

    def __init__(self, directory: str | Path):
        self.path = Path(directory) / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> str | None:
        """Take the lock, or raise :class:`DirectoryBusy` naming its holder. Returns the holder
        of a lock whose process died holding it (taken over), else None."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _describe(_read(fd))
            os.close(fd)
            raise DirectoryBusy(f"{self.path.parent} is in use by another marketsim command ({holder}); "
                                "wait until it ends, or give another --out") from None
        stale = _read(fd)
        holder = {"pid": os.getpid(), "command": shlex.join(["marketsim", *sys.argv[1:]]),
                  "started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder).encode() + b"\n", 0)
        self._fd = fd
        return _describe(stale) if stale else None

    def release(self) -> None:
        """Empty the file (nobody holds it) and free the lock."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)
        finally:
            os.close(fd)  # closing the last descriptor frees the flock


def _read(fd: int) -> dict | None:
    """The holder written in the lock file, if any (a holder just starting may not have written yet)."""
    data = os.pread(fd, 4096, 0)
    try:
        holder = json.loads(data)
    except ValueError:
        return None
    return holder if isinstance(holder, dict) else None


def _describe(holder: dict | None) -> str:
    if not holder:
        return "starting up"
    return f"pid {holder.get('pid')}: {holder.get('command')}, started {holder.get('started')}"
