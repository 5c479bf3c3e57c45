"""What the machine refuses ends in one clean line: ``error: ...``, exit code 2, no
traceback, and nothing computed before the refusal when it can be seen up front.
Output places the machine will not hold, a full disk (simulated by a failing
writer, and a real full tmpfs where the machine lets us mount one), odd entries in
the run store, and addresses that are not Dask schedulers."""

from __future__ import annotations

import errno
import json
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from sim.cli.lock import DirectoryLock
from sim.cli.main import main
from sim.runs.dask_engine import GRACE, DaskEngine
from sim.runs.store import FORMAT, RunStore, max_run_bytes

from .conftest import ROOT, small_scenario

SCENARIO = """
name = "refused"
[run]
steps = 3
replications = 2
[market]
customers = 60
[[firms]]
name = "A"
[[firms]]
name = "B"
"""


@pytest.fixture
def scenario(tmp_path) -> Path:
    path = tmp_path / "refused.toml"
    path.write_text(SCENARIO)
    return path


def run(*args: str) -> tuple[int, str]:
    """``marketsim ARGS`` in this process: exit code and everything printed."""
    result = CliRunner().invoke(main, list(args))
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def assert_refused(code: int, output: str, *fragments: str) -> None:
    assert code == 2, output
    assert "Traceback" not in output, output
    assert "error:" in output, output
    for fragment in fragments:
        assert fragment in " ".join(output.split()), (fragment, output)


def bad_place(tmp_path: Path, kind: str) -> tuple[str, str]:
    """An --out the machine cannot hold, and a fragment of the message expected."""
    if kind == "file":
        (tmp_path / "afile").write_text("x")
        return str(tmp_path / "afile"), "is a file"
    if kind == "under_a_file":
        (tmp_path / "afile").write_text("x")
        return str(tmp_path / "afile" / "out"), "Not a directory"
    if kind == "dangling_symlink":
        (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
        return str(tmp_path / "dangling"), "which does not exist"
    if kind == "symlink_loop":
        (tmp_path / "loop").symlink_to(tmp_path / "loop")
        return str(tmp_path / "loop"), "Too many levels of symbolic links"
    if kind == "long_name":
        return str(tmp_path / ("x" * 300)), "File name too long"
    if kind == "runs_is_a_file":
        (tmp_path / "out").mkdir()
        (tmp_path / "out" / "runs").write_text("x")
        return str(tmp_path / "out"), "runs exists and is not a directory"
    if kind == "summary_is_a_directory":
        (tmp_path / "out" / "summary.json").mkdir(parents=True)
        return str(tmp_path / "out"), "summary.json is a directory"
    return {"proc": ("/proc/marketsim-out", "/proc is a virtual file system"),
            "sys": ("/sys/marketsim-out", "/sys is a virtual file system")}[kind]


@pytest.mark.parametrize("kind", ["file", "under_a_file", "dangling_symlink", "symlink_loop", "long_name", "proc", "sys",
                                  "runs_is_a_file", "summary_is_a_directory"])
def test_output_places_the_machine_refuses_are_refused_before_any_work(tmp_path, scenario, kind):
    out, expected = bad_place(tmp_path, kind)
    code, output = run("run", str(scenario), "--out", out)
    if kind == "file":  # click itself checks --out for a file
        assert code == 2 and "is a file" in output and "Traceback" not in output
        return
    assert_refused(code, output, f"--out {out}"[:40], expected)
    assert "replications" not in output, "refused before the first run"
    assert not list(tmp_path.rglob("*.csv")), "nothing computed"


def test_a_failing_writer_ends_cleanly_keeps_the_runs_and_the_command_resumes(tmp_path, scenario, monkeypatch):
    out = tmp_path / "out"
    real_fsync = os.fsync

    def disk_full_for_plots(fd: int) -> None:
        if ".png." in os.readlink(f"/proc/self/fd/{fd}"):  # the temporary file of a plot
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", disk_full_for_plots)
    code, output = run("run", str(scenario), "--out", str(out), "--workers", "1")
    assert_refused(code, output, "No space left on device", "finished runs are kept: 2 in", "run the same command again")
    assert not [p for p in out.rglob("*") if p.name.endswith(".part")], "no partial file"
    assert len(list((out / "runs").glob("*.csv"))) == 2

    monkeypatch.setattr(os, "fsync", real_fsync)  # room again
    code, output = run("run", str(scenario), "--out", str(out), "--workers", "1")
    assert code == 0, output
    assert "reused 2 finished run(s)" in output
    assert (out / "market_share.png").stat().st_size > 0 and (out / "report.md").is_file()


def in_own_mount_namespace(script: str) -> subprocess.CompletedProcess:
    """``sh -c script`` in a private mount namespace (mounts vanish with it); skip where not allowed."""
    if shutil.which("unshare") is None or subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode:
        pytest.skip("cannot make a private mount namespace here (needs unshare and CAP_SYS_ADMIN)")
    env = {**os.environ, "COLUMNS": "200", "PYTHONWARNINGS": "error"}
    return subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=300)


def marketsim_line(*args: str) -> str:
    return " ".join([str(Path(os.sys.executable)), "-m", "sim.cli", *args])


def test_a_read_only_file_system_is_refused_up_front(tmp_path, scenario):
    ro = tmp_path / "ro"
    ro.mkdir()
    result = in_own_mount_namespace(f"mount -t tmpfs -o ro,size=1m tmpfs {ro} || exit 99; "
                                    f"{marketsim_line('run', str(scenario), '--out', str(ro))}; echo rc=$?; "
                                    f"{marketsim_line('run', str(scenario), '--out', str(ro / 'sub'))}; echo rc=$?")
    if "rc=" not in result.stdout:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr}")
    assert result.stdout.count("rc=2") == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert f"--out {ro}: cannot write into the directory: Read-only file system" in result.stderr
    assert f"--out {ro / 'sub'}: cannot create the directory: Read-only file system" in result.stderr
    assert "replications" not in result.stderr


def test_a_full_file_system_ends_cleanly_with_every_file_whole(tmp_path, scenario):
    full = tmp_path / "full"
    full.mkdir()
    result = in_own_mount_namespace(f"mount -t tmpfs -o size=48k tmpfs {full} || exit 99; "
                                    f"{marketsim_line('run', str(scenario), '--out', str(full / 'out'))}; echo rc=$?; "
                                    f"find {full} -name '*.part' | wc -l; "
                                    f"cat {full}/out/runs/r0.csv | head -c 40")
    if "rc=" not in result.stdout:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr}")
    assert "rc=2" in result.stdout, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "error: No space left on device" in result.stderr
    lines = result.stdout.split("rc=2", 1)[1].split()
    assert lines[0] == "0", "no partial file left"


@pytest.mark.parametrize(("entry", "name"), [("directory", "r0.csv"), ("self_symlink", "r0.csv"), ("fifo", "r0.csv"),
                                           ("fifo", "r0.json")])
def test_odd_entries_in_the_run_store_are_refused_and_a_fifo_is_never_opened(tmp_path, scenario, entry, name):
    out = tmp_path / "out"
    target = out / "runs" / name
    target.parent.mkdir(parents=True)
    {"directory": lambda: target.mkdir(), "self_symlink": lambda: target.symlink_to(target),
     "fifo": lambda: os.mkfifo(target)}[entry]()
    expected = {"directory": "is a directory, not a stored run", "self_symlink": "Too many levels of symbolic links",
                "fifo": "is a FIFO (named pipe), not a stored run"}[entry]
    for fresh in ([], ["--fresh"]):
        started = time.monotonic()
        code, output = run("run", str(scenario), "--out", str(out), "--workers", "1", *fresh)
        assert time.monotonic() - started < 60, "no hang"
        assert_refused(code, output, str(target), expected)
        assert not (out / "summary.json").exists()


def test_a_stored_file_longer_than_a_run_is_not_read_but_recomputed(tmp_path, scenario):
    spec = small_scenario(market={"customers": 60}, run={"steps": 3, "replications": 1})
    store = RunStore(tmp_path / "runs")
    path = store.path("r0")
    path.parent.mkdir()
    store.sidecar("r0").write_text(json.dumps({"format": FORMAT, "key": "r0", "fingerprint": "digest",
                                               "body_sha256": "0" * 64, "rows": 1}))  # so load reaches the CSV
    with path.open("wb") as handle:
        handle.truncate(3 * 2**30)  # 3 GiB, sparse: takes no disk
    started = time.monotonic()
    assert store.load("r0", "digest", max_run_bytes(spec)) is None
    assert time.monotonic() - started < 1, "not read"
    assert max_run_bytes(spec) < 2**20

    out = tmp_path / "out"
    (out / "runs").mkdir(parents=True)
    os.replace(path, out / "runs" / "r0.csv")
    code, output = run("run", str(scenario), "--out", str(out), "--workers", "1")
    assert code == 0, output
    assert (out / "runs" / "r0.csv").stat().st_size < 2**20, "replaced by the run"


def test_a_second_command_on_the_same_directory_is_refused_naming_the_holder(tmp_path, scenario):
    out = tmp_path / "out"
    (out / "runs").mkdir(parents=True)
    in_progress = out / "runs" / ".r0.csv.abcd.part"
    in_progress.write_bytes(b"being written")
    holder = DirectoryLock(out)
    assert holder.acquire() is None
    try:
        code, output = run("run", str(scenario), "--out", str(out))
        assert_refused(code, output, f"--out {out} is in use by another marketsim command", f"pid {os.getpid()}",
                       "wait until it ends, or give another --out")
        assert in_progress.exists(), "another command's file in progress is left alone"
    finally:
        holder.release()
    code, output = run("run", str(scenario), "--out", str(out), "--workers", "1")
    assert code == 0, output
    assert "took over" not in output, "a released lock is not stale"
    assert not in_progress.exists(), "a leftover of no live command is removed"


@pytest.mark.parametrize("address", ["tcp://", "inproc://x", "127.0.0.1:8786", "tcp://127.0.0.1"])
def test_a_scheduler_address_without_host_and_port_is_refused_at_once(scenario, tmp_path, address):
    code, output = run("run", str(scenario), "--out", str(tmp_path / "out"), "--scheduler", address)
    assert_refused(code, output, f"--scheduler {address!r}", "tcp://127.0.0.1:8786")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("server", ["silent", "http"])
def test_connecting_to_what_is_not_a_scheduler_ends_in_bounded_time(server):
    """A listener that never answers, and one that answers HTTP, hold nobody for longer than the timeout."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    port = listener.getsockname()[1]
    http = None
    if server == "http":
        listener.close()
        http = subprocess.Popen([os.sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(1.0)
    try:
        engine = DaskEngine(f"tcp://127.0.0.1:{port}", connect_timeout=2.0)
        started = time.monotonic()
        with pytest.raises(ConnectionError, match=f"tcp://127.0.0.1:{port}"):
            engine.connect()
        assert time.monotonic() - started < 2.0 + GRACE + 1.0
    finally:
        listener.close()
        if http:
            http.terminate()
            http.wait()


def test_the_lock_of_a_killed_command_is_taken_over_naming_it(tmp_path, scenario):
    out = tmp_path / "out"
    out.mkdir()
    holder = subprocess.Popen([os.sys.executable, "-c", "import sys, time\nfrom sim.cli.lock import DirectoryLock\n"
                               "DirectoryLock(sys.argv[1]).acquire()\nprint('held', flush=True)\ntime.sleep(600)",
                               str(out)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        code, output = run("run", str(scenario), "--out", str(out))
        assert_refused(code, output, f"pid {holder.pid}:", "is in use by another marketsim command")
    finally:
        holder.kill()  # SIGKILL: no clean-up of its own
        holder.communicate()
    code, output = run("run", str(scenario), "--out", str(out), "--workers", "1")
    assert code == 0, output
    assert "took over the lock of a command that ended without releasing it" in output
    assert f"pid {holder.pid}:" in output
    assert (out / ".marketsim.lock").read_bytes() == b"", "released when the command ended"


@pytest.mark.parametrize("failure", ["memory", "path"])
def test_memory_and_file_errors_anywhere_in_a_command_are_one_line(tmp_path, scenario, monkeypatch, failure):
    """The boundary holds beyond the up-front checks: an error of the machine at any point of the work."""
    out = tmp_path / "out"
    real_replace = os.replace

    def refuse(source, target, *args, **kwargs):
        if str(target).endswith("summary.json"):
            if failure == "memory":
                raise MemoryError()
            raise OSError(errno.EACCES, os.strerror(errno.EACCES), str(source), None, str(target))
        return real_replace(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", refuse)
    code, output = run("run", str(scenario), "--out", str(out), "--workers", "1")
    if failure == "memory":
        assert_refused(code, output, "out of memory", "reduce market.customers")
    else:
        assert_refused(code, output, f"-> {out / 'summary.json'}: Permission denied")
    assert "finished runs are kept: 2 in" in " ".join(output.split())
    assert output.count("error:") == 1
