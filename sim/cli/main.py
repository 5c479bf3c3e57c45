"""Entry point: ``marketsim COMMAND``."""

from __future__ import annotations

import click

from .calibrate import calibrate
from .compare import compare
from .dashboard import dashboard
from .interrupts import stop_on_signals
from .optimise import optimise
from .run import run
from .sweep import sweep
from .validate import validate


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="marketsim")
def main():
    """marketsim: compare customer strategies on retention, share of customer and customer equity."""
    stop_on_signals()


main.add_command(run)
main.add_command(validate)
main.add_command(compare)
main.add_command(sweep)
main.add_command(dashboard)
main.add_command(calibrate)
main.add_command(optimise)
