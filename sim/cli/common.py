"""What every command shares: scenario loading with --set overrides; one
boundary that turns users' mistakes, whatever the machine refuses (files,
memory, network) and interruptions into a one-line message and an exit code,
never a traceback; progress and the summary table."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import Progress
from ..outputs.report import leader_table, metric_table, reading_notes
from ..outputs.units import plural  # noqa: F401  (the commands count in words with it)
from ..runs.progress import progress_bar
from ..runs.store import StoreError
from ..scenario import Scenario, ScenarioError, load_scenario, parse_assignment
from .interrupts import EXIT_INTERRUPTED, EXIT_TERMINATED, Terminated, compiling

# Users' names ('[/]', ':smile:') print as written: no markup, no emoji codes, no highlighting.
stdout = Console(highlight=False, markup=False, emoji=False)
stderr = Console(stderr=True, highlight=False, markup=False, emoji=False)

EXIT_USER_ERROR = 2
"""A mistake in what was asked, or something the user's machine refuses (a file, memory, a network address)."""


class UserError(Exception):
    """A mistake in what the user asked for; printed without a traceback."""


_kept_runs: list[Path] = []
"""Directories of finished runs the running command keeps, named when it is interrupted."""


def keeps_runs_in(directory: Path) -> None:
    """Tell the interruption message where this command keeps its finished runs."""
    _kept_runs.append(Path(directory))


def interrupted_message() -> str:
    """What an interruption kept and how to resume."""
    kept = _kept()
    if not kept:
        return "interrupted: nothing was lost but the runs in progress; every file written is complete"
    return (f"interrupted: finished runs are kept ({kept}); run the same command again to resume "
            "(--fresh starts over). Every file written is complete; the runs in progress were dropped.")


def _kept() -> str:
    """'3 in out/x/runs/' for the finished runs this command keeps, or '' if none."""
    kept = [(d, len(list(d.glob("*.json")))) for d in dict.fromkeys(_kept_runs) if d.is_dir()]  # a sidecar: finished
    return ", ".join(f"{n} in {d}/" for d, n in kept if n)


def refusal(err: OSError) -> str:
    """An operating-system error as ``PATH: reason`` (the reason alone if it names no path)."""
    reason = err.strerror or str(err) or type(err).__name__
    paths = [os.fsdecode(p) for p in (err.filename, err.filename2) if isinstance(p, str | bytes)]
    return f"{' -> '.join(paths)}: {reason}" if paths else reason


OUT_OF_MEMORY = ("out of memory: the machine refused this command more memory; reduce market.customers, "
                 "the number of firms, --workers, or run.steps x replications")

_at_end: list[Callable[[], None]] = []
"""What to undo when the running command ends, however it ends (the output directory's lock)."""


def at_command_end(undo: Callable[[], None]) -> None:
    """Call ``undo()`` when the running command ends."""
    _at_end.append(undo)


def user_errors(command: Callable) -> Callable:
    """Turn users' mistakes, the machine's refusals and interruptions into a message and an exit code."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        _kept_runs.clear()  # a new command (tests may run several in one process)
        try:
            return command(*args, **kwargs)
        except (ScenarioError, UserError, StoreError) as err:
            fail(str(err))
        except MemoryError:
            fail(OUT_OF_MEMORY, kept_note=True)
        except OSError as err:  # a file, a directory or a network address the machine refuses
            fail(refusal(err), kept_note=True)
        except KeyboardInterrupt as err:
            stderr.print(interrupted_message(), soft_wrap=True)
            sys.exit(EXIT_TERMINATED if isinstance(err, Terminated) else EXIT_INTERRUPTED)
        finally:
            _end_command()

    return wrapper


def _end_command() -> None:
    while _at_end:
        _at_end.pop()()


def _exit_now(code: int) -> None:
    """End the process at once with ``code``, after the interruption message and the command's clean-up,
    skipping the interpreter's tear-down (see :mod:`sim.cli.interrupts`)."""
    stderr.print(interrupted_message(), soft_wrap=True)
    _end_command()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def fail(message: str, kept_note: bool = False) -> None:
    """Print ``error: message`` (and where finished runs are kept) and exit with code 2."""
    kept = _kept() if kept_note else ""
    if kept:
        message += f" (finished runs are kept: {kept}; run the same command again to resume)"
    stderr.print(f"[bold red]error:[/] {escape(message)}", markup=True, soft_wrap=True)
    sys.exit(EXIT_USER_ERROR)


set_option = click.option(
    "--set", "assignments", multiple=True, metavar="PATH=VALUE",
    help="Override a scenario value, e.g. --set market.customers=100000 --set firms.Acme.price=1.2 (repeatable).")


def load(path: str, assignments: tuple[str, ...]) -> Scenario:
    """The scenario at ``path`` with the --set overrides applied, validated."""
    overrides = dict(parse_assignment(a) for a in assignments)
    return load_scenario(Path(path), overrides)


def prepare_kernels() -> None:
    """Compile the model's kernels before the work (and its progress bar) starts, saying so
    on the first run, when it takes a while (:mod:`sim.compiled`)."""
    from ..compiled import prepare

    with compiling(_exit_now):
        prepare(notice=stderr.print)


def progress(total: int, label: str) -> Progress:
    """A progress bar on stderr: finished/total, elapsed and estimated time left."""
    return progress_bar(total, label, stderr)


def print_summary(summary: dict, title: str, replications: int, currency: str, periods_per_year: int) -> None:
    """The run's figures, one row per metric and one column per firm, fitted to the terminal."""
    from .tables import fitted_tables, print_tables

    header, rows = metric_table(summary, currency, periods_per_year)
    print_tables(stdout, fitted_tables(header, rows, stdout.width, title=title),
                 reading_notes(replications, currency, periods_per_year))


def print_segment_leaders(segments: dict, currency: str, periods_per_year: int) -> None:
    """Which firm leads each segment on customer equity, market share and retention."""
    from .tables import fitted_tables, print_tables

    header, rows = leader_table(segments, currency, periods_per_year)
    print_tables(stdout, fitted_tables(header, rows, stdout.width, right=set(), heading=16,
                                       title="Who leads each segment (the firm with the highest mean)"),
                 ["Per segment, firm and figure with intervals: summary.json (\"segments\") and segments.csv."])
