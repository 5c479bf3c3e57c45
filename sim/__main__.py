"""``python -m sim`` is the ``marketsim`` command."""

from .cli.main import main

main()
