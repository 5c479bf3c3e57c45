"""Progress of a batch of runs: a bar of finished/total runs, the time elapsed and
the time left, fed by the batch's :class:`~sim.runs.batch.BatchProgress` reports
(runs reused from the store are not counted as work to do)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from .batch import BatchProgress


def progress_bar(total: int, label: str, console: Console | None = None) -> Progress:
    """A bar of ``total`` items: finished/total, elapsed and estimated time left (on stderr by default)."""
    return Progress(TextColumn(f"{label}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    TextColumn("left"), TimeRemainingColumn(), console=console or Console(stderr=True),
                    transient=False, disable=total < 1)


@contextlib.contextmanager
def batch_progress(total: int, label: str, console: Console | None = None) -> Iterator[Callable[[BatchProgress], None]]:
    """A progress bar while a batch of ``total`` runs works; yields the batch's ``on_progress``."""
    with progress_bar(total, label, console) as bar:
        task = bar.add_task(label, total=total)

        def on_progress(p: BatchProgress) -> None:
            if p.computed == 0:  # the first report: runs found in the store are not counted as to do
                bar.update(task, total=p.total - p.reused)
            bar.update(task, completed=p.computed)

        yield on_progress
