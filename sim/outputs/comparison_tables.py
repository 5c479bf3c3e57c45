"""A comparison's figures as text tables: each arm's level of one firm's results,
and the ranking of the arms other than the baseline by that firm's customer
equity, with paired differences against the baseline.

Both return a header and rows of text cells (cells hold lines separated by
``separator``), for the terminal (:mod:`sim.cli.tables`) and the reports alike.
"""

from __future__ import annotations

import math

import pandas as pd

from . import units

LEVEL_METRICS = ("customer_equity", "retention_rate", "profit")
DIFFERENCE_METRICS = ("customer_equity", "retention_rate", "profit")
SIGNIFICANCE = 0.05


def _rows_of(table: pd.DataFrame, firm: str) -> pd.DataFrame:
    return table[table["firm"] == firm].set_index(["arm", "metric"])


def ranked_arms(table: pd.DataFrame, baseline: str, firm: str) -> list[str]:
    """The arms other than ``baseline``, best first by ``firm``'s mean customer equity."""
    t = _rows_of(table, firm)
    arms = [a for a in dict.fromkeys(table["arm"]) if a != baseline]
    return sorted(arms, key=lambda a: -t.loc[(a, "customer_equity"), "mean"])


def p_text(p: float) -> str:
    """'p 0.004', 'p < 0.001', 'p n/a'; a star where p is below :data:`SIGNIFICANCE`."""
    if p is None or math.isnan(p):
        return "p n/a"
    star = " *" if p < SIGNIFICANCE else ""
    return f"p < 0.001{star}" if p < 0.001 else f"p {p:.3f}{star}"


def difference_text(mean: float, lo: float, hi: float, metric: str) -> list[str]:
    """A paired difference: signed mean, interval (percentage points for rates and shares)."""
    if units.kind(metric) in ("rate", "share"):
        return [f"{100 * mean:+.2f} pp", f"{100 * lo:.2f} to {100 * hi:.2f}"]
    return [f"{mean:+,.0f}", units.interval(lo, hi, metric)]


def difference_heading(metric: str, currency: str, periods_per_year: int) -> str:
    unit = units.unit(metric, currency, periods_per_year)
    if units.kind(metric) in ("rate", "share"):
        unit = unit.replace("%", "pp")
    return f"Δ {units.name(metric)}, {unit}"


def level_table(table: pd.DataFrame, baseline: str, firm: str, currency: str = units.DEFAULT_CURRENCY,
                periods_per_year: int = 12, separator: str = "\n") -> tuple[list[str], list[list[str]]]:
    """Per arm (baseline first, then ranked), ``firm``'s mean and 95 % interval of each level metric."""
    t = _rows_of(table, firm)
    header = ["arm", *(units.label(m, currency, periods_per_year) for m in LEVEL_METRICS)]
    rows = []
    for arm in [baseline, *ranked_arms(table, baseline, firm)]:
        cells = [f"{arm}{separator}(baseline)" if arm == baseline else arm]
        for m in LEVEL_METRICS:
            r = t.loc[(arm, m)]
            cells.append(f"{units.number(r['mean'], m)}{separator}{units.interval(r['ci_low'], r['ci_high'], m)}")
        rows.append(cells)
    return header, rows


def ranking_table(table: pd.DataFrame, baseline: str, firm: str, currency: str = units.DEFAULT_CURRENCY,
                  periods_per_year: int = 12, separator: str = "\n") -> tuple[list[str], list[list[str]]]:
    """Rank, arm, then per metric the paired difference against the baseline: mean,
    95 % interval and p-value, one per line."""
    t = _rows_of(table, firm)
    header = ["rank", "arm", *(difference_heading(m, currency, periods_per_year) for m in DIFFERENCE_METRICS)]
    rows = []
    for rank, arm in enumerate(ranked_arms(table, baseline, firm), 1):
        cells = [str(rank), arm]
        for m in DIFFERENCE_METRICS:
            r = t.loc[(arm, m)]
            cells.append(separator.join([*difference_text(r["diff"], r["diff_ci_low"], r["diff_ci_high"], m),
                                         p_text(r["p_value"])]))
        rows.append(cells)
    return header, rows
