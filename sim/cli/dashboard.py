"""``marketsim dashboard``: serve the teaching dashboard (a Mesa SolaraViz app) on this machine."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import click

from .common import UserError, load, set_option, stderr, stdout, user_errors

HOST = "127.0.0.1"  # this machine only: a classroom projector needs no open port
DEFAULT_PORT = 8765  # solara's default
#: What the dashboard imports beyond the core install (the ``dashboard`` extra).
NEEDS = ("solara", "ipyvuetify", "ipyvue", "solara_assets", "altair", "networkx")
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
    """Serve the teaching dashboard for SCENARIO (default: the built-in scenario) at http://127.0.0.1:PORT/."""
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
    command = [sys.executable, "-m", "solara", "run", "sim.viz.app", "--host", HOST, "--port", str(port),
               "--production", "--no-open", "--no-check-version"]
    stdout.print(f"dashboard: http://{HOST}:{port}/ (starting; Ctrl-C stops it)" if port else
                 "dashboard: starting on a free port (solara prints the address; Ctrl-C stops it)")
    sys.stdout.flush()
    os.execve(sys.executable, command, env)  # become the server: signals reach it directly
