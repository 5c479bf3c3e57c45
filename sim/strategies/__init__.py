"""Firm strategies and their registry (see ``base`` for how to write one)."""

from . import fixed, imitate_best, learning, quality_leader, segment_by_clv  # noqa: F401  (register the built-ins)
from .base import (DECISIONS, Strategy, check_strategy_spec, decisions, known_strategies, make_strategy,
                   register_strategy)

__all__ = ["DECISIONS", "Strategy", "check_strategy_spec", "decisions", "known_strategies", "make_strategy",
           "register_strategy"]
