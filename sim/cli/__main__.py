"""``python -m sim.cli`` is the ``marketsim`` command."""

from .main import main

main(prog_name="marketsim")
