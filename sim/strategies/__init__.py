"""Firm strategies and their registry (see ``base`` for how to write one)."""

from . import fixed  # noqa: F401  (registers the built-in strategies)
from .base import Strategy, check_strategy_spec, known_strategies, make_strategy, register_strategy

__all__ = ["Strategy", "check_strategy_spec", "known_strategies", "make_strategy", "register_strategy"]
