"""The five relationship levels (Kotler & Keller, after Kotler 1992): basic,
reactive, accountable, proactive, partnership. Each costs more per customer
than the one before and does more: catches and recovers complaints, adds
service value, grows share of customer and wallet, and builds ties.

Firms choose a level per segment; these helpers look up each customer's
level-dependent effect from the (firm, segment) level table.
"""

from __future__ import annotations

import numpy as np

from ..scenario.schema import RELATIONSHIP_LEVELS, RelationshipLevels

LEVELS = RELATIONSHIP_LEVELS


def level_table(params: RelationshipLevels, effect: str) -> np.ndarray:
    """One effect (``cost``, ``recovery``, ...) as an array indexed by level."""
    return np.asarray(getattr(params, effect), dtype=float)


def customer_effect(table: np.ndarray, levels: np.ndarray, firm: np.ndarray, segment: np.ndarray) -> np.ndarray:
    """Effect for each customer of their main firm's level in their segment
    (0 for customers with no main firm)."""
    has = firm >= 0
    out = np.zeros(firm.shape, dtype=float)
    out[has] = table[levels[firm[has], segment[has]]]
    return out
