"""A run's figures as text: a table of metrics by firm, and a short Markdown report."""

from __future__ import annotations

from . import units
from .segments import LEAD_METRICS, leaders
from .summary import SUMMARY_METRICS

REPORT_METRICS = ("customer_equity", "retention_rate", "retention_rate_annual", "market_share", "share_of_customer",
                  "mean_satisfaction", "profit")

#: Which value of a run each figure takes.
WHEN = {**SUMMARY_METRICS, "retention_rate_annual": "whole run, compounded"}
#: The same, short, for table rows.
SHORT_WHEN = {"final period": "at end", "whole run, pooled": "whole run", "whole run, total": "run total",
              "whole run, cumulative": "at end", "whole run, compounded": "whole run"}


def metric_table(summary: dict, currency: str = units.DEFAULT_CURRENCY, periods_per_year: int = 12,
                 metrics=REPORT_METRICS, separator: str = "\n") -> tuple[list[str], list[list[str]]]:
    """Header (metric, then the firms) and one row per metric: its name with unit and
    when it is taken, then per firm the mean and, after ``separator``, its 95 % interval."""
    header = ["metric", *summary]
    rows = []
    for m in metrics:
        cells = [f"{units.name(m)}{separator}{units.unit(m, currency, periods_per_year)}, {SHORT_WHEN[WHEN[m]]}"]
        for values in summary.values():
            v = values[m]
            cells.append(f"{units.number(v['mean'], m)}{separator}{units.interval(*v['ci95'], m)}")
        rows.append(cells)
    return header, rows


def leader_table(segments: dict, currency: str = units.DEFAULT_CURRENCY, periods_per_year: int = 12,
                 separator: str = "\n") -> tuple[list[str], list[list[str]]]:
    """One row per segment: per :data:`LEAD_METRICS` figure, the leading firm and its mean."""
    header = ["segment", *(units.label(m, currency, periods_per_year) for m in LEAD_METRICS)]
    rows = []
    for segment, lead in leaders(segments).items():
        rows.append([segment, *(f"{lead[m]}{separator}{units.number(segments[segment][lead[m]][m]['mean'], m)}"
                                for m in LEAD_METRICS)])
    return header, rows


def reading_notes(replications: int, currency: str, periods_per_year: int) -> list[str]:
    """How to read the table: what a cell holds, the interval method, the units."""
    period = units.period_name(periods_per_year)
    return [f"Each cell: the mean over {replications} replication(s) and its 95 % interval (Student t; "
            "for rates and shares t on the logit scale, inside 0-100 %).",
            f"A period is a {period}; retention per year = (retention per {period})^{periods_per_year}. "
            "Market share: of all firms' revenue; share of customer: of its customers' category "
            "spending. " + units.currency_note(currency)]


def run_report(name: str, description: str, seed: int, replications: int, steps: int,
               summary: dict, plots: list[str], currency: str = units.DEFAULT_CURRENCY,
               periods_per_year: int = 12) -> str:
    lines = [f"# {name}", ""]
    if description:
        lines += [description.strip(), ""]
    lines += [f"{replications} replication(s) of {steps} periods, root seed {seed}.", ""]
    header, rows = metric_table(summary, currency, periods_per_year, separator=" ")
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|---|" + "---:|" * (len(header) - 1))
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    lines += [""] + [note + "\n" for note in reading_notes(replications, currency, periods_per_year)]
    lines += [f"![{p.removesuffix('.png')}]({p})" for p in plots]
    lines += ["", "Files: `summary.json` (every summary metric), `timeseries.csv` (per replication, period and firm)."]
    return "\n".join(lines) + "\n"
