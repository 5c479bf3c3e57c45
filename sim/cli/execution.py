"""What ``run``, ``compare`` and ``sweep`` share about execution: the engine
options (``--workers``, ``--scheduler``, ``--fresh``; ``calibrate`` takes the
first two), the store of finished
runs in ``<out>/runs/``, and a progress bar of finished/total runs with the
time left."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path

import click

from ..runs import BatchProgress, Engine, RunStore, make_engine
from ..runs.engine import default_workers
from ..runs.progress import batch_progress
from .common import UserError, keeps_runs_in, prepare_kernels, stderr

SCHEDULER_ADDRESS = re.compile(r"(tcp|tls|ucx|ws|wss)://[^\s/]+:\d+/?")
"""A Dask scheduler's address from another process: a protocol, a host and a port."""


def where_options(command: Callable) -> Callable:
    """Add --workers and --scheduler (where the runs are computed) to a command."""
    options = [
        click.option("--workers", "-w", type=click.IntRange(min=1), default=None,
                     help="Local processes to use (default: the number of cores)."),
        click.option("--scheduler", default=None, metavar="tcp://HOST:PORT",
                     help="Run on an existing Dask distributed cluster instead of local processes."),
    ]
    return functools.reduce(lambda cmd, option: option(cmd), reversed(options), command)


def engine_options(command: Callable) -> Callable:
    """Add --workers, --scheduler and --fresh to a command."""
    fresh = click.option("--fresh", is_flag=True, default=False,
                         help="Recompute every run, replacing finished runs kept in OUT/runs/ "
                              "(by default they are reused: an interrupted command resumes).")
    return where_options(fresh(command))


def choose_engine(workers: int | None, scheduler: str | None, runs: int) -> Engine:
    """The Dask cluster if --scheduler is given, else a pool of at most ``runs`` local processes."""
    if scheduler is not None and not SCHEDULER_ADDRESS.fullmatch(scheduler):
        raise UserError(f"--scheduler {scheduler!r}: expected a scheduler's address with a host and a port, "
                        "such as tcp://127.0.0.1:8786 (tls://, ucx://, ws:// and wss:// work too)")
    return make_engine(max(1, min(workers or default_workers(), runs)), scheduler)


def check_runnable(spec, source: str, runs: int, engine: Engine, scheduler: str | None) -> None:
    """Refuse up front work with no periods, or whose models cannot fit in this machine's memory."""
    from ..scenario.limits import check_memory

    if spec.run.steps == 0:
        raise UserError(f"{source}: run.steps is 0: there is nothing to simulate; set run.steps to 1 or more")
    check_memory(spec, runs, workers=0 if scheduler else engine.workers, source=source)


def execute(label: str, total: int, work: Callable[[Callable[[BatchProgress], None]], object]):
    """Call ``work(on_progress)`` under a progress bar; report reused runs; turn an
    unreachable cluster into a user error."""
    prepare_kernels()
    with batch_progress(total, label, stderr) as on_progress:
        try:
            result = work(on_progress)
        except ConnectionError as err:
            raise UserError(str(err)) from None
    return result


def store_for(out: Path) -> RunStore:
    """The store of finished runs inside an output directory."""
    keeps_runs_in(out / "runs")  # named if the command is interrupted
    return RunStore(out / "runs")


def report_reuse(p: BatchProgress, out: Path) -> None:
    if p.reused:
        stderr.print(f"reused {p.reused} finished run(s) from {out / 'runs'}; computed {p.computed}")
