"""``marketsim dashboard``: serve the teaching dashboard (a Mesa SolaraViz app) on this machine."""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import click

from .common import UserError, load, prepare_kernels, set_option, stderr, stdout, user_errors

HOST = "127.0.0.1"  # this machine only: a classroom projector needs no open port
DEFAULT_PORT = 8765  # solara's default
#: What the dashboard imports beyond the core install (the ``dashboard`` extra).
NEEDS = ("solara", "ipyvuetify", "ipyvue", "solara_assets", "altair")
STARTUP_TIMEOUT_S = 120  # the server imports solara and the app: 5-15 s here, more on a loaded machine
INSTALL_HINT = "install it with: pip install 'marketsim[dashboard]' (or pip install -e '.[dashboard]' in a checkout)"


def missing_modules() -> list[str]:
    """The dashboard's modules that are not installed."""
    return [name for name in NEEDS if importlib.util.find_spec(name) is None]


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False), required=False)
@click.option("--port", "-p", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True,
              help="Port to serve on (0: any free port).")
@set_option
@user_errors
def dashboard(scenario, port, assignments):
    """Serve the teaching dashboard for SCENARIO (default: the built-in scenario) at http://127.0.0.1:PORT/.

    The address is printed once the server answers; the model's compiled kernels are
    prepared before, so the first Step on the page is as quick as the others."""
    missing = missing_modules()
    if missing:
        raise UserError(f"the dashboard needs {', '.join(missing)}; {INSTALL_HINT}")
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
           # Mesa 3.3's own SolaraViz trips solara's hook check, which would print a warning at start-up.
           "SOLARA_CHECK_HOOKS": "off"}
    if scenario or assignments:
        if not scenario:
            raise UserError("--set needs a SCENARIO file to apply to")
        spec = load(scenario, assignments)  # errors here name the file and field, before any server starts
        env["MARKETSIM_SCENARIO"] = str(Path(scenario).resolve())
        if assignments:
            env["MARKETSIM_SET"] = "\n".join(assignments)
        stderr.print(f"{spec.name}: {spec.market.customers} customers, {len(spec.firms)} firms")
    prepare_kernels()  # compiled here once, so the server loads them from the cache
    port = port or free_port()
    command = [sys.executable, "-m", "solara", "run", "sim.viz.app", "--host", HOST, "--port", str(port),
               "--production", "--no-open", "--no-check-version"]
    url = f"http://{HOST}:{port}/"
    stderr.print("dashboard: starting the server ...")
    server = subprocess.Popen(command, env=env)
    try:
        if not answers(url, server, STARTUP_TIMEOUT_S):
            code = server.poll()
            raise UserError(f"the dashboard server did not start (exit code {code}); see its messages above"
                            if code is not None else
                            f"the dashboard server did not answer on {url} within {STARTUP_TIMEOUT_S} s")
        stdout.print(f"dashboard: {url} (open it in a browser; Ctrl-C stops it)")
        sys.stdout.flush()
        server.wait()
    except KeyboardInterrupt:  # Ctrl-C reaches the server too; SIGTERM is passed on below
        stderr.print("dashboard stopped")
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


def free_port() -> int:
    """A port no one listens on now, on this machine."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def answers(url: str, server: subprocess.Popen, timeout: float) -> bool:
    """Wait until ``url`` answers an HTTP request (True), the server exits or ``timeout`` s pass (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return False
        try:
            urllib.request.urlopen(url, timeout=5).close()
            return True
        except OSError:
            time.sleep(0.25)
    return False
