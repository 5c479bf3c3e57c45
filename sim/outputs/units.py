"""What each summary figure is measured in, and how it is written for people.

Every metric has a kind:

- ``share``: a fraction of a whole (market share, share of customer, shares of
  satisfied customers), written as a percentage;
- ``rate``: a fraction per period (retention), written as a percentage per
  period; its annualised form is r ** periods_per_year;
- ``money``: currency units (``run.currency``, "CU" unless the scenario names one);
- ``score``: the satisfaction score, in (0, 1), 0.5 where expectations are just met;
- ``count``: customers, acquisitions, defections;
- ``value``: value units of perceived benefit (quality, expectations).

A metric this module does not list gets its kind from its description in
:data:`sim.metrics.FIRM_METRICS` ("(CU)" is money, "share" a share), so metrics
added to the model are labelled without a change here.
"""

from __future__ import annotations

import math

from ..metrics import FIRM_METRICS

KINDS: dict[str, str] = {
    "retention_rate": "rate", "retention_rate_annual": "rate",
    "market_share": "share", "share_of_customer": "share", "awareness": "share",
    "share_dissatisfied": "share", "share_satisfied": "share", "share_delighted": "share",
    "mean_satisfaction": "score",
    "customers": "count", "served": "count", "acquisitions": "count", "defections": "count",
    "units": "count", "wom_positive": "count", "wom_negative": "count",
    "quality": "value", "mean_expectation": "value", "mean_image": "value", "promise": "value",
    "relationship_level": "value",
}

#: Short names people read in tables and reports.
NAMES: dict[str, str] = {
    "retention_rate": "retention", "retention_rate_annual": "retention",
    "customer_equity": "customer equity", "market_share": "market share",
    "share_of_customer": "share of customer", "mean_satisfaction": "satisfaction",
    "profit": "profit", "discounted_profit": "discounted profit", "clv_expected": "expected CLV",
    "clv_realised": "realised CLV", "share_dissatisfied": "dissatisfied", "share_satisfied": "satisfied",
    "share_delighted": "delighted", "revenue": "revenue", "new_customer_value": "value of a new customer",
    "margin": "margin",
}

#: Units that say more than the kind does.
UNITS: dict[str, str] = {"market_share": "% of revenue", "share_of_customer": "% of wallet",
                         "mean_satisfaction": "0-1, 0.5 = met", "share_dissatisfied": "% of served",
                         "share_satisfied": "% of served", "share_delighted": "% of served"}

PERIOD_NAMES = {1: "year", 2: "half-year", 4: "quarter", 12: "month", 52: "week", 365: "day"}

#: The default currency unit, explained wherever it appears.
DEFAULT_CURRENCY = "CU"


def kind(metric: str) -> str:
    """The metric's kind (see the module docstring)."""
    if metric in KINDS:
        return KINDS[metric]
    description = FIRM_METRICS.get(metric, "")
    if "(CU)" in description:
        return "money"
    if metric.startswith("share") or description.startswith("share"):
        return "share"
    return "money" if metric in ("profit", "revenue", "costs") else "value"


def period_name(periods_per_year: int) -> str:
    """'month' for 12 periods a year, 'quarter' for 4, else 'period'."""
    return PERIOD_NAMES.get(periods_per_year, "period")


def currency_note(currency: str) -> str:
    """One sentence explaining the currency unit."""
    if currency == DEFAULT_CURRENCY:
        return "CU: currency units (a scenario names its currency with run.currency)."
    return f"Money is in {currency} (the scenario's run.currency)."


def name(metric: str) -> str:
    """The metric's short name: 'retention', 'market share'."""
    return NAMES.get(metric, metric.replace("_", " "))


def unit(metric: str, currency: str = DEFAULT_CURRENCY, periods_per_year: int = 12) -> str:
    """The metric's unit as people read it: '% per month', '% of revenue', 'CU'."""
    if metric in UNITS:
        return UNITS[metric]
    period = "year" if metric.endswith("_annual") else period_name(periods_per_year)
    return {"rate": f"% per {period}", "share": "%", "money": currency, "score": "0-1, 0.5 = as expected",
            "count": "units" if metric == "units" else "customers", "value": "value units"}[kind(metric)]


def label(metric: str, currency: str = DEFAULT_CURRENCY, periods_per_year: int = 12) -> str:
    """The metric's name with its unit: 'retention, % per month', 'customer equity, CU'."""
    return f"{name(metric)}, {unit(metric, currency, periods_per_year)}"


def unit_text(metric: str, currency: str = DEFAULT_CURRENCY, periods_per_year: int = 12) -> str:
    """The unit alone, for files: 'fraction per month', 'CU', 'fraction (0-1)'."""
    period = period_name(periods_per_year)
    return {"rate": f"fraction per {'year' if metric.endswith('_annual') else period}", "share": "fraction (0-1)",
            "money": currency, "score": "score in (0, 1); 0.5 = expectations met", "count": "count",
            "value": "value units"}[kind(metric)]


def number(x: float | None, metric: str) -> str:
    """A value as people read it: '97.3 %', '161,234', '0.623'."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    k = kind(metric)
    if k in ("rate", "share"):
        return f"{100 * x:.1f} %"
    if k == "score":
        return f"{x:.3f}"
    if k == "value":
        return f"{x:,.2f}" if abs(x) < 1000 else f"{x:,.0f}"
    return f"{x:,.0f}"


def compact(x: float, reference: float | None = None) -> str:
    """A number in about six characters, on the scale of ``reference`` (default ``x``):
    1,234 -> '1,234', 161,234 -> '161k', 2.5e6 -> '2.50M', 51,000 -> '51.0k'; 9,084 beside 20,100 -> '9.08k'."""
    if math.isnan(x):
        return "n/a"
    size = abs(x if reference is None else reference)
    for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if size >= 10 * scale or (suffix != "k" and size >= scale):
            v = x / scale
            return f"{v:.{2 if abs(v) < 10 else 1 if abs(v) < 100 else 0}f}{suffix}"
    return f"{x:,.0f}" if size >= 10 else f"{x:.3g}"


def interval(lo: float | None, hi: float | None, metric: str) -> str:
    """A 95 % interval, short: '96.9-99.1 %', '158k-164k', '-2.1k to 3.5k', '0.61-0.64'."""
    if lo is None or hi is None or math.isnan(lo) or math.isnan(hi):
        return "n/a"
    k = kind(metric)
    if k in ("rate", "share"):
        return f"{100 * lo:.1f}-{100 * hi:.1f} %"
    if k == "score":
        return f"{lo:.2f}-{hi:.2f}"
    scale = max(abs(lo), abs(hi))
    return f"{compact(lo, scale)}{' to ' if lo < 0 or hi < 0 else '-'}{compact(hi, scale)}"


def plural(count: int, noun: str) -> str:
    """'1 segment', '2 segments', '1,000 customers'."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"
