"""What every command shares: scenario loading with --set overrides, clean
errors for users' mistakes (message, non-zero exit, no traceback), progress
and the summary table."""

from __future__ import annotations

import functools
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from ..outputs.report import leader_table, metric_table, reading_notes
from ..outputs.units import plural  # noqa: F401  (the commands count in words with it)
from ..scenario import Scenario, ScenarioError, load_scenario, parse_assignment

# Users' names ('[/]', ':smile:') print as written: no markup, no emoji codes, no highlighting.
stdout = Console(highlight=False, markup=False, emoji=False)
stderr = Console(stderr=True, highlight=False, markup=False, emoji=False)

EXIT_USER_ERROR = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C
EXIT_TERMINATED = 143  # 128 + SIGTERM


class UserError(Exception):
    """A mistake in what the user asked for; printed without a traceback."""


class Terminated(KeyboardInterrupt):
    """SIGTERM (``kill``, a batch system's time limit), raised like Ctrl-C so the same clean-up runs."""


def stop_on_sigterm() -> None:
    """Make SIGTERM stop a command the way Ctrl-C does (only the main thread may set handlers)."""
    def terminate(signum, frame):
        raise Terminated()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, terminate)


_kept_runs: list[Path] = []
"""Directories of finished runs the running command keeps, named when it is interrupted."""


def keeps_runs_in(directory: Path) -> None:
    """Tell the interruption message where this command keeps its finished runs."""
    _kept_runs.append(Path(directory))


def interrupted_message() -> str:
    """What an interruption kept and how to resume."""
    kept = [(d, len(list(d.glob("*.csv")))) for d in dict.fromkeys(_kept_runs) if d.is_dir()]
    if not any(n for _, n in kept):
        return "interrupted: nothing was lost but the runs in progress; every file written is complete"
    where = ", ".join(f"{n} in {d}/" for d, n in kept)
    return (f"interrupted: finished runs are kept ({where}); run the same command again to resume "
            "(--fresh starts over). Every file written is complete; the runs in progress were dropped.")


def user_errors(command: Callable) -> Callable:
    """Turn users' mistakes and interruptions into a message and an exit code."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        _kept_runs.clear()  # a new command (tests may run several in one process)
        try:
            return command(*args, **kwargs)
        except (ScenarioError, UserError) as err:
            stderr.print(f"[bold red]error:[/] {escape(str(err))}", markup=True, soft_wrap=True)
            sys.exit(EXIT_USER_ERROR)
        except KeyboardInterrupt as err:
            stderr.print(interrupted_message(), soft_wrap=True)
            sys.exit(EXIT_TERMINATED if isinstance(err, Terminated) else EXIT_INTERRUPTED)

    return wrapper


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

    prepare(notice=stderr.print)


def progress(total: int, label: str) -> Progress:
    """A progress bar on stderr: finished/total, elapsed and estimated time left."""
    return Progress(TextColumn(f"{label}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    TextColumn("left"), TimeRemainingColumn(), console=stderr, transient=False,
                    disable=total < 1)


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
