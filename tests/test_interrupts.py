"""Interrupted work: Ctrl-C (SIGINT to the terminal's process group) or SIGTERM
(to the command alone) during ``run``, ``compare`` or ``sweep`` stops at once
with exit code 130 or 143 and no traceback, leaves no worker process and no
partial file, keeps every finished run and says how to resume; resuming gives
the very files an uninterrupted command gives (if the package's code did not
change in between: a stored run's fingerprint includes it). A truncated, edited or garbage
result file in an output directory is detected and recomputed, not trusted.

Each command runs in a fresh process group with a bounded timeout.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pandas.testing import assert_frame_equal

from sim.runs.replications import run_replication
from sim.runs.store import RunStore, fingerprint
from sim.scenario import scenario_with

from .conftest import ROOT, small_scenario

SCENARIO = """
name = "interrupt_me"
[run]
steps = 12
seed = 9
replications = 6
[market]
customers = 200
[[firms]]
name = "A"
[[firms]]
name = "B"
price = 1.1
quality = 1.2
[compare]
arms = [{ name = "as_is" }, { name = "cheaper_b", set = { "firms.B.price" = 0.95 } }]
[sweep]
method = "grid"
parameters = { "firms.A.price" = [0.9, 1.0, 1.1] }
"""
WAIT = 240  # seconds, at most, for anything to happen (the machine may be busy)


@pytest.fixture
def scenario(tmp_path) -> Path:
    path = tmp_path / "interrupt_me.toml"
    path.write_text(SCENARIO)
    return path


def as_under_a_terminal() -> None:
    """Ctrl-C's default action, as a terminal gives a command: a shell without job control
    starts background jobs (a CI script run with ``&``) with SIGINT ignored, and children inherit that."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start(*args: str) -> subprocess.Popen:
    """``marketsim ARGS`` in a new session, so it and its workers form one process group as under a terminal."""
    env = {**os.environ, "COLUMNS": "200", "PYTHONWARNINGS": "error"}
    return subprocess.Popen([sys.executable, "-m", "sim.cli", *args], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                            preexec_fn=as_under_a_terminal)


def finish(process: subprocess.Popen) -> tuple[int, str, str]:
    try:
        out, err = process.communicate(timeout=WAIT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail("the command did not stop")
    return process.returncode, out, err


def run_files(out: Path) -> set[Path]:
    return set((out / "runs").glob("*.csv"))


def interrupt_after_first_run(process: subprocess.Popen, out: Path, how: str) -> tuple[int, str, set[Path]]:
    """Wait for a finished run, then signal: 'ctrl-c' to the group, 'sigterm' to the command only."""
    deadline = time.monotonic() + WAIT
    while not run_files(out):
        assert process.poll() is None, process.communicate()[1]
        assert time.monotonic() < deadline, "no run finished in time"
        time.sleep(0.05)
    if how == "ctrl-c":
        os.killpg(process.pid, signal.SIGINT)
    else:
        process.send_signal(signal.SIGTERM)
    code, _, err = finish(process)
    deadline = time.monotonic() + 30
    while group_alive(process.pid):  # workers and the fork server go with the command
        assert time.monotonic() < deadline, "worker processes outlived the command"
        time.sleep(0.1)
    return code, err, run_files(out)


def group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def assert_stopped_cleanly(code: int, err: str, how: str, out: Path, kept: set[Path]) -> None:
    assert code == (130 if how == "ctrl-c" else 143), err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert "finished runs are kept" in err and "run the same command again to resume" in err, err
    assert str(out / "runs") in err.replace("\n", "")
    assert kept, "finished runs kept"
    assert not [p for p in out.rglob("*") if p.name.endswith(".part")], "no partial file"


def outputs(out: Path, names: tuple[str, ...]) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in names}


def test_interrupted_run_resumes_to_identical_outputs_and_tampered_runs_are_recomputed(tmp_path, scenario):
    out, whole = tmp_path / "out", tmp_path / "whole"
    command = ("run", str(scenario), "--out", str(out), "--workers", "2")
    code, err, kept = interrupt_after_first_run(start(*command), out, "ctrl-c")
    assert_stopped_cleanly(code, err, "ctrl-c", out, kept)
    assert not (out / "summary.json").exists(), "no summary of an unfinished run"
    assert len(kept) < 6

    code, _, err = finish(start(*command))
    assert code == 0, err
    assert f"reused {len(kept)} finished run(s)" in err, err
    uninterrupted = ("run", str(scenario), "--out", str(whole), "--workers", "1")
    code, _, err = finish(start(*uninterrupted))
    assert code == 0, err
    files = ("summary.json", "timeseries.csv", "segments.csv")
    before = outputs(whole, files)
    assert outputs(out, files) == before, "resumed = uninterrupted, byte for byte"

    runs = sorted(run_files(whole))
    assert len(runs) == 6
    truncated, edited, garbage = runs[0], runs[1], runs[2]
    truncated.write_bytes(truncated.read_bytes()[: truncated.stat().st_size // 2])
    text = edited.read_bytes()
    cut = len(text) // 2 + text[len(text) // 2:].index(b",") + 1  # a digit after a comma in the body
    edited.write_bytes(text[:cut] + (b"9" if text[cut:cut + 1] != b"9" else b"8") + text[cut + 1:])
    garbage.write_bytes(os.urandom(300))
    (whole / "runs" / ".r3.csv.leftover.part").write_bytes(b"half a fi")
    (whole / "summary.json").write_bytes(before["summary.json"][:40])
    code, _, err = finish(start(*uninterrupted))
    assert code == 0, err
    assert "reused 3 finished run(s)" in err and "computed 3" in err, err
    assert outputs(whole, files) == before, "recomputed runs give the same outputs"
    assert not list((whole / "runs").glob("*.part")), "an interrupted write's leftover is removed"


@pytest.mark.parametrize(("command", "how", "result"), [("compare", "sigterm", "comparison.json"),
                                                         ("sweep", "ctrl-c", "sweep.csv")])
def test_interrupted_compare_and_sweep_resume(tmp_path, scenario, command, how, result):
    out = tmp_path / command
    args = (command, str(scenario), "--out", str(out), "--workers", "2", "--replications", "2")
    code, err, kept = interrupt_after_first_run(start(*args), out, how)
    assert_stopped_cleanly(code, err, how, out, kept)
    assert not (out / result).exists()
    code, _, err = finish(start(*args))
    assert code == 0, err
    assert f"reused {len(kept)} finished run(s)" in err, err
    assert (out / result).is_file()


def test_a_stored_run_is_reused_only_for_the_same_scenario_seed_and_replication(tmp_path):
    spec = small_scenario(market={"customers": 50})
    frame = run_replication(spec, 5, 0, steps=2)
    store = RunStore(tmp_path)
    store.save("r0", fingerprint(spec, 5, 0), frame)
    assert_frame_equal(store.load("r0", fingerprint(spec, 5, 0)), frame, check_exact=True)
    assert store.load("r0", fingerprint(scenario_with(spec, {"firms.A.price": 1.2}), 5, 0)) is None
    assert store.load("r0", fingerprint(spec, 6, 0)) is None
    assert store.load("r0", fingerprint(spec, 5, 1)) is None
