"""A command's output directory: named, checked before any work starts, and held
by one command at a time (:mod:`sim.cli.lock`).

The checks refuse, with a message naming ``--out``, what would otherwise fail
only after the first runs were computed: a path that is a file, a dangling
symbolic link or a loop of them; a place inside the kernel's virtual file
systems (``/proc``, ``/sys``); a name longer than the file system
allows; a directory the machine will not let us write into (read-only,
no permission); ``runs`` that is not a directory, or a directory where an
output file (``*.json``, ``*.csv``, ``*.parquet``, ``*.png``, ``*.md``) is to be written.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from .common import UserError, at_command_end, stderr
from .lock import DirectoryBusy, DirectoryLock

VIRTUAL = (Path("/proc"), Path("/sys"))
"""The kernel's virtual file systems: not places for files."""
OUTPUT_SUFFIXES = (".json", ".csv", ".parquet", ".png", ".md")
"""What commands write directly into the output directory."""


def output_directory(out_dir: str | None, scenario_name: str, suffix: str = "") -> Path:
    """--out, or out/<scenario name><suffix> (the scenario's ``name``, not its file name: two files
    of one name in different folders write to different places): checked, created and locked
    for this command until it ends."""
    from ..outputs.files import safe_name

    out = Path(out_dir) if out_dir else Path("out") / f"{safe_name(scenario_name)}{suffix}"
    where = f"--out {out}"
    check_place(out, where)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise UserError(f"{where}: cannot create the directory: {err.strerror}") from None
    lock = DirectoryLock(out)
    try:
        tempfile.TemporaryFile(dir=out).close()  # the machine's own answer: read-only, no permission, full
        stale = lock.acquire()
    except DirectoryBusy as err:
        raise UserError(f"--out {err}") from None
    except OSError as err:
        raise UserError(f"{where}: cannot write into the directory: {err.strerror}") from None
    at_command_end(lock.release)
    if stale:
        stderr.print(f"{where}: took over the lock of a command that ended without releasing it ({stale})",
                     soft_wrap=True)
    check_contents(out, where)
    return out


def check_place(out: Path, where: str) -> None:
    """Refuse a path the machine cannot hold an output directory at."""
    try:
        if not stat.S_ISDIR(os.stat(out).st_mode):
            raise UserError(f"{where}: exists and is not a directory")
    except FileNotFoundError:
        if os.path.islink(out):
            raise UserError(f"{where}: is a symbolic link to {os.readlink(out)}, which does not exist") from None
    except OSError as err:  # a loop of symbolic links, a name too long, a component that is a file
        raise UserError(f"{where}: {err.strerror}") from None
    real = Path(os.path.realpath(out))
    for top in VIRTUAL:
        if real == top or top in real.parents:
            raise UserError(f"{where}: {top} is a virtual file system of the kernel, not a place for output files")


def check_contents(out: Path, where: str) -> None:
    """Refuse entries in the way of what commands write: ``runs`` not a directory, or a directory
    named like an output file."""
    runs = out / "runs"
    if (runs.exists() or runs.is_symlink()) and not runs.is_dir():
        raise UserError(f"{where}: {runs} exists and is not a directory; finished runs are kept there")
    try:
        with os.scandir(out) as entries:
            in_the_way = [e.path for e in entries if e.name.endswith(OUTPUT_SUFFIXES) and e.is_dir()]
    except OSError as err:
        raise UserError(f"{where}: cannot read the directory: {err.strerror}") from None
    if in_the_way:
        raise UserError(f"{where}: {in_the_way[0]} is a directory; an output file of that name is written there")
