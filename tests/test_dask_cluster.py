"""A real Dask cluster on the loopback interface (a scheduler and two workers,
started as the `dask` command-line tools would be by an operator) runs a sweep
through ``--scheduler`` with the same results as the local process pool, and
finishes a sweep whose worker is killed part-way."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sim.runs import LocalEngine
from sim.runs.sweep import long_rows, run_sweep
from sim.scenario import load_scenario

from .conftest import ROOT, marketsim

pytestmark = pytest.mark.slow  # starts a cluster: a few seconds before any work

DASK = str(Path(sys.executable).parent / "dask")

SWEEP_TOML = """
name = "cluster"
[run]
steps = 10
seed = 17
replications = 2
[market]
customers = 400
[[firms]]
name = "A"
[[firms]]
name = "B"
[sweep]
method = "latin_hypercube"
samples = {samples}
parameters = {{ "firms.A.price" = {{ low = 0.8, high = 1.2 }}, "firms.B.relationship" = ["basic", "partnership"] }}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(log: Path, text: str, count: int, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while log.read_text(errors="replace").count(text) < count:
        assert process.poll() is None, f"{process.args} exited: {log.read_text()}"
        assert time.monotonic() < deadline, f"timed out waiting for {text!r} in {log}: {log.read_text()}"
        time.sleep(0.1)


def start(args: list[str], log: Path) -> subprocess.Popen:
    """A process in its own session (so it and its children can be stopped together), logging to ``log``."""
    with log.open("wb") as handle:
        return subprocess.Popen(args, stdout=handle, stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        os.killpg(process.pid, sig)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[subprocess.Popen], Path]]:
    """``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1, for this module's tests
    (the worker-death test runs last); stopped workers first."""
    tmp_path = tmp_path_factory.mktemp("cluster")
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler_log = tmp_path / "scheduler.log"
    scheduler = start([DASK, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
                      scheduler_log)
    workers: list[subprocess.Popen] = []
    try:
        wait_for(scheduler_log, "Scheduler at:", 1, scheduler)
        for i in range(2):
            workers.append(start([DASK, "worker", address, "--host", "127.0.0.1", "--no-dashboard",
                                  "--nthreads", "1", "--name", f"w{i}"], tmp_path / f"worker{i}.log"))
        wait_for(scheduler_log, "Register worker", 2, scheduler)
        yield address, workers, scheduler_log
    finally:
        for worker in workers:
            stop(worker)
        stop(scheduler)


def test_a_sweep_on_the_cluster_equals_the_local_pool(cluster, tmp_path: Path):
    address, _, _ = cluster
    path = tmp_path / "cluster.toml"
    path.write_text(SWEEP_TOML.format(samples=6))
    on_cluster = marketsim("sweep", str(path), "--out", str(tmp_path / "dask"), "--scheduler", address)
    assert on_cluster.returncode == 0, on_cluster.stderr
    assert f"DaskEngine('{address}')" in on_cluster.stderr
    local = marketsim("sweep", str(path), "--out", str(tmp_path / "pool"), "--workers", "2")
    assert local.returncode == 0, local.stderr
    assert (tmp_path / "dask" / "sweep.csv").read_bytes() == (tmp_path / "pool" / "sweep.csv").read_bytes()
    runs = sorted(p.name for p in (tmp_path / "pool" / "runs").glob("*.csv"))
    assert len(runs) == 12
    for name in runs:  # the results, and their sidecars (fingerprint and checksum)
        for file in (name, name.replace(".csv", ".json")):
            assert (tmp_path / "dask" / "runs" / file).read_bytes() == (tmp_path / "pool" / "runs" / file).read_bytes()


def test_runs_of_a_worker_that_dies_are_done_by_the_other(cluster, tmp_path: Path):
    address, workers, scheduler_log = cluster
    path = tmp_path / "cluster.toml"
    path.write_text(SWEEP_TOML.format(samples=12))
    out = tmp_path / "dask"
    env = {**os.environ, "PYTHONWARNINGS": "error"}
    sweep = subprocess.Popen([sys.executable, "-m", "sim.cli", "sweep", str(path), "--out", str(out),
                              "--scheduler", address], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 240
        while len(list((out / "runs").glob("*.csv"))) < 4 and sweep.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        stop(workers[0], signal.SIGKILL)  # the worker and its nanny, mid-sweep
        _, stderr = sweep.communicate(timeout=300)
    finally:
        if sweep.poll() is None:
            sweep.kill()
            sweep.wait()
    assert sweep.returncode == 0, stderr
    assert len(list((out / "runs").glob("*.csv"))) == 24
    in_process = run_sweep(load_scenario(path), engine=LocalEngine(1))
    assert (out / "sweep.csv").read_text() == long_rows(in_process).to_csv(index=False, lineterminator="\n")
