"""A run's figures as text: a table of metrics by firm, who leads each segment,
a short Markdown report and the HTML report (:mod:`sim.outputs.html`)."""

from __future__ import annotations

import pandas as pd

from . import units
from .findings import leaders_sentence, run_findings, segment_findings
from .html import Plot, Section, Table, render
from .segments import LEAD_METRICS, leaders
from .summary import SUMMARY_METRICS

REPORT_METRICS = ("customer_equity", "retention_rate", "retention_rate_annual", "market_share", "share_of_customer",
                  "mean_satisfaction", "profit")
SEGMENT_REPORT_METRICS = ("customer_equity", "retention_rate", "market_share", "share_of_customer",
                          "share_dissatisfied", "share_delighted")

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
        when = SHORT_WHEN[WHEN.get(m, "final period")]
        cells = [f"{units.name(m)}{separator}{units.unit(m, currency, periods_per_year)}, {when}"]
        for values in summary.values():
            v = values[m]
            cells.append(f"{units.number(v['mean'], m)}{separator}{units.interval(*v['ci95'], m)}")
        rows.append(cells)
    return header, rows


def leader_table(segments: dict, currency: str = units.DEFAULT_CURRENCY, periods_per_year: int = 12,
                 separator: str = "\n") -> tuple[list[str], list[list[str]]]:
    """One row per segment: per :data:`LEAD_METRICS` figure, the leading firm and its mean."""
    def heading(m: str) -> str:
        return units.name(m) + (f" per {units.period_name(periods_per_year)}" if units.kind(m) == "rate" else "")

    def value(m: str, x: float) -> str:
        return units.number(x, m) + (f" {currency}" if units.kind(m) == "money" else "")

    header = ["segment", *map(heading, LEAD_METRICS)]
    rows = []
    for segment, lead in leaders(segments).items():
        rows.append([segment, *(f"{lead[m]}{separator}{value(m, segments[segment][lead[m]][m]['mean'])}"
                                for m in LEAD_METRICS)])
    return header, rows


def reading_notes(replications: int, currency: str, periods_per_year: int) -> list[str]:
    """How to read the table: what a cell holds, the interval method, the units."""
    period = units.period_name(periods_per_year)
    return [f"Each cell: the mean over {units.plural(replications, 'replication')} and its 95 % interval (Student t; "
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
    lines += ["", "Files: `summary.json` (every summary metric), `timeseries.csv` (per replication, period and firm), "
                  "`per_replication.csv`, `summary.csv`; every table also as Parquet, listed in `results.json`."]
    return "\n".join(lines) + "\n"


PLOT_CAPTIONS = {
    "market_share": "Market share over time: mean over replications, shaded 95 % interval.",
    "retention_rate": "Retention per period over time: mean over replications, shaded 95 % interval.",
    "customer_equity": "Customer equity over time: mean over replications, shaded 95 % interval.",
    "satisfaction_mix": "Dissatisfied, satisfied and delighted shares of each firm's served customers.",
}


def run_html(scenario, seed: int, replications: int, document: dict, per_replication: pd.DataFrame,
             segments_per_replication: pd.DataFrame | None, plots: dict[str, bytes],
             value_analysis: dict[str, pd.DataFrame] | None = None) -> str:
    """report.html of a run: facts, key findings, the table by firm, plots, each segment, and the
    customer value analysis of the final period (:func:`sim.outputs.customer_value.final_table`)."""
    run = scenario.run
    currency, ppy = run.currency, run.periods_per_year
    facts = [f"{units.plural(replications, 'replication')} of {units.plural(run.steps, units.period_name(ppy))}",
             units.plural(scenario.market.customers, "customer"), units.plural(len(scenario.firms), "firm"),
             units.plural(len(scenario.market.segments), "segment"), f"seed {seed}", f"money in {currency}"]
    findings = run_findings(per_replication, currency, ppy)
    header, rows = metric_table(document["firms"], currency, ppy)
    sections = [Section("Results by firm", tables=[Table(header, rows, "Mean and 95 % interval over replications")]),
                Section("Over time", plots=[Plot(plots[f"{stem}.png"], caption) for stem, caption in PLOT_CAPTIONS.items()
                                            if f"{stem}.png" in plots])]
    if segments_per_replication is not None:
        words = segment_findings(segments_per_replication, currency, ppy)
        lead = leaders(document["segments"])
        findings += [leaders_sentence(segment, lead[segment]) for segment in document["segments"]]
        for segment, firms in document["segments"].items():
            header, rows = metric_table(firms, currency, ppy, SEGMENT_REPORT_METRICS)
            sections.append(Section(f"Segment: {segment}", findings=words[segment],
                                    tables=[Table(header, rows, f"{segment}: mean and 95 % interval over replications")]))
    if value_analysis:
        firms = [f.name for f in scenario.firms]
        tables = []
        for segment, table in value_analysis.items():
            rows = [[row["attribute"], "" if pd.isna(row["importance_pct"]) else f"{row['importance_pct']:.0f} %",
                     *(f"{row[f'{f} perceived']:.2f}\n({row[f'{f} delivered']:.2f})"
                       if not pd.isna(row[f"{f} perceived"]) else f"-\n({row[f'{f} delivered']:.2f})" for f in firms)]
                    for row in table.to_dict("records")]
            tables.append(Table(["attribute", "importance", *firms], rows,
                                f"{segment}: perceived by the segment's customers who know the firm (delivered)"))
        sections.append(Section("Customer value analysis", paragraphs=[
            "How important each attribute is to each segment (% of its weights) and how its customers perceive each "
            "firm on it in the final period, mean over replications, with what the firm delivers in brackets (value "
            "units; price in currency units; for costs lower is better). Expectations, word of mouth and broken "
            "promises make the two differ; every period is in customer_value.csv."], tables=tables))
    return render(f"{scenario.name}: results", scenario.description.strip(), facts, findings, sections,
                  reading_notes(replications, currency, ppy) + [
                      "A lead is significant when the 95 % interval of the paired difference between the leader and "
                      "the runner-up (over replications, which share their customers and draws) excludes zero.",
                      "Files: summary.json, timeseries.csv, per_replication.csv, summary.csv, segments.csv, "
                      "customer_value.csv; every table also as Parquet, listed in results.json; every plot also as "
                      "SVG for slides."])
