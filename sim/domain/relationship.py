"""The five relationship levels (Kotler & Keller, after Kotler 1992): basic,
reactive, accountable, proactive, partnership. Each costs more per customer
than the one before and does more: catches and recovers complaints, adds
service value, grows share of customer and wallet, and builds ties.

Firms choose a level per segment; each effect is a table indexed by level.
"""

from __future__ import annotations

import numpy as np

from ..scenario.schema import RELATIONSHIP_LEVELS, RelationshipLevels

LEVELS = RELATIONSHIP_LEVELS


def level_table(params: RelationshipLevels, effect: str) -> np.ndarray:
    """One effect (``cost``, ``recovery``, ...) as an array indexed by level."""
    return np.asarray(getattr(params, effect), dtype=float)
