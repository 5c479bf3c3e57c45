"""``marketsim dashboard``: serve the teaching dashboard (a Mesa SolaraViz app) on this machine."""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import click

from .common import UserError, load, prepare_kernels, set_option, stderr, stdout, user_errors

HOST = "127.0.0.1"  # this machine only by default: a classroom projector needs no open port
#: solara warns on every new browser session served on a plain-http address other than "localhost"
#: that its session cookie falls back to SameSite=Lax: true, and harmless for a page not embedded elsewhere.
COOKIE_WARNING_FILTER = "ignore:Cookies with samesite=none require https"
DEFAULT_PORT = 8765  # solara's default
#: What the dashboard imports beyond the core install (the ``dashboard`` extra).
NEEDS = ("solara", "ipyvuetify", "ipyvue", "solara_assets", "altair")
STARTUP_TIMEOUT_S = 120  # the server imports solara and the app: 5-15 s here, more on a loaded machine
#: Chart scripts solara's Vega-Lite widget loads -> the files solara-assets ships (in solara's asset cache).
VEGA_ASSETS = {
    "vega@5/build/vega.min.js": "vega@5.21.0/build/vega.min.js",
    "vega-lite@5/build/vega-lite.min.js": "vega-lite@5.2.0/build/vega-lite.min.js",
    "vega-embed@6/build/vega-embed.min.js": "vega-embed@6.20.2/build/vega-embed.min.js",
}
INSTALL_HINT = "install it with: pip install 'marketsim[dashboard]' (or pip install -e '.[dashboard]' in a checkout)"


def missing_modules() -> list[str]:
    """The dashboard's modules that are not installed."""
    return [name for name in NEEDS if importlib.util.find_spec(name) is None]


@click.command()
@click.argument("scenario", type=click.Path(dir_okay=False), required=False)
@click.option("--port", "-p", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True,
              help="Port to serve on (0: any free port).")
@click.option("--host", default=HOST, show_default=True,
              help="Address to serve on; 0.0.0.0 serves every network this machine is on (a classroom's), "
                   "so that students can open the page on their own laptops.")
@set_option
@user_errors
def dashboard(scenario, port, host, assignments):
    """Serve the teaching dashboard for SCENARIO (default: the built-in scenario) at http://127.0.0.1:PORT/.

    The address is printed once the server answers; the model's compiled kernels are
    prepared before, so the first Step on the page is as quick as the others."""
    missing = missing_modules()
    if missing:
        raise UserError(f"the dashboard needs {', '.join(missing)}; {INSTALL_HINT}")
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
           # Mesa 3.3's own SolaraViz trips solara's hook check, which would print a warning at start-up.
           "SOLARA_CHECK_HOOKS": "off",
           "PYTHONWARNINGS": ",".join(filter(None, [os.environ.get("PYTHONWARNINGS"), COOKIE_WARNING_FILTER]))}
    if scenario or assignments:
        if not scenario:
            raise UserError("--set needs a SCENARIO file to apply to")
        spec = load(scenario, assignments)  # errors here name the file and field, before any server starts
        env["MARKETSIM_SCENARIO"] = str(Path(scenario).resolve())
        if assignments:
            env["MARKETSIM_SET"] = "\n".join(assignments)
        stderr.print(f"{spec.name}: {spec.market.customers} customers, {len(spec.firms)} firms")
    offline_chart_assets()
    prepare_kernels()  # compiled here once, so the server loads them from the cache
    port = port or free_port(host)
    command = [sys.executable, "-m", "solara", "run", "sim.viz.app", "--host", host, "--port", str(port),
               "--production", "--no-open", "--no-check-version"]
    local = HOST if host in ("0.0.0.0", "::") else host
    url = f"http://{local}:{port}/"
    stderr.print("dashboard: starting the server ...")
    server = subprocess.Popen(command, env=env)
    try:
        if not answers(url, server, STARTUP_TIMEOUT_S):
            code = server.poll()
            raise UserError(f"the dashboard server did not start (exit code {code}); see its messages above"
                            if code is not None else
                            f"the dashboard server did not answer on {url} within {STARTUP_TIMEOUT_S} s")
        stdout.print(f"dashboard: {url} (open it in a browser; Ctrl-C stops it)")
        if host != HOST:
            stderr.print(network_note(host, port))
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


def offline_chart_assets() -> None:
    """Give solara's asset cache the Vega files its chart widget asks for by major version
    (``vega@5``, ``vega-lite@5``, ``vega-embed@6``), copied from the exact versions the
    ``solara-assets`` package ships; without them the page would fetch them from a CDN,
    which an offline classroom cannot reach, and draw no chart."""
    from solara.server.settings import assets

    for wanted, shipped in VEGA_ASSETS.items():
        target = assets.proxy_cache_dir / wanted
        source = assets.proxy_cache_dir / shipped
        if not target.exists():
            if not source.exists():
                raise UserError(f"the dashboard's chart library is missing ({source}); {INSTALL_HINT}")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)


def free_port(host: str = HOST) -> int:
    """A port no one listens on now, on ``host``."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def network_note(host: str, port: int) -> str:
    """What serving on ``host`` (not this machine only) means, and the addresses students can type."""
    where = ", ".join(f"http://{a}:{port}/" for a in addresses()) if host in ("0.0.0.0", "::") else \
        f"http://{host}:{port}/"
    return (f"note: served on {host}, not only on this machine: anyone who can reach it over the network "
            f"(students' laptops on the classroom network, and everyone else on that network) can open the "
            f"page at {where} and run models on this machine, with no password. Stop it (Ctrl-C) after class.")


def addresses() -> list[str]:
    """This machine's IPv4 addresses other than loopback, as a student would type them: the
    host name's addresses, and the one a route to the outside leaves from (no packet is sent)."""
    found = {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: connecting a UDP socket only picks a route
            found.add(probe.getsockname()[0])
        except OSError:  # no route at all: a machine on no network
            pass
    return sorted(a for a in found if not a.startswith("127.")) or ["THIS-MACHINE'S-ADDRESS"]


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
