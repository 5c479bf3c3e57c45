"""'Did you mean ...?' for misspelt keys and names, by edit distance
(Levenshtein 1966, with transpositions counted as one edit)."""

from __future__ import annotations

from collections.abc import Iterable

MAX_WORD = 100
"""Longer words are not typos of a key; comparing them would cost time quadratic in their length."""


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions, transpositions."""
    rows = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        rows[i][0] = i
    for j in range(len(b) + 1):
        rows[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
    return rows[len(a)][len(b)]


def closest(word: str, options: Iterable[str]) -> str | None:
    """The option nearest to ``word``, if it is near enough to be a typo (at most a third of it wrong)."""
    word = str(word)
    if len(word) > MAX_WORD:
        return None
    best = min(options, key=lambda o: (edit_distance(word.lower(), o.lower()), o), default=None)
    if best is None:
        return None
    return best if edit_distance(word.lower(), best.lower()) <= max(1, len(word) // 3) else None
