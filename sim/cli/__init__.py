"""The ``marketsim`` command line."""
