"""A sweep's report.html: where each firm's customer equity and profit peak,
the table per sample, the response plots and, for a Sobol design, the indices."""

from __future__ import annotations

import pandas as pd

from . import units
from .html import Plot, Section, Table, render
from .sweep_tables import SWEEP_METRICS, parameter_heading, sample_table, value_text


def point_text(row: pd.Series, parameters: list[str]) -> str:
    return ", ".join(f"{parameter_heading(p)} = {value_text(row[p])}" for p in parameters)


def sweep_findings(summary: pd.DataFrame, parameters: list[str], firms: list[str], currency: str) -> list[str]:
    """Per firm: the sample where its mean customer equity and profit peak, and where its profit
    is negative."""
    found = []
    for firm in firms:
        mine = summary[summary["firm"] == firm]
        parts = []
        for metric in SWEEP_METRICS:
            rows = mine[mine["metric"] == metric]
            best = rows.loc[rows["mean"].idxmax()]
            parts.append(f"its {units.name(metric)} peaks at {point_text(best, parameters)} "
                         f"({units.number(best['mean'], metric)} {currency}, 95 % interval "
                         f"{units.interval(best['ci_low'], best['ci_high'], metric)})")
        losses = mine[(mine["metric"] == "profit") & (mine["ci_high"] < 0)]
        text = f"{firm}: " + "; ".join(parts)
        if not losses.empty:
            text += "; it makes a loss (the whole interval below 0) at " + "; ".join(
                point_text(r, parameters) for _, r in losses.iterrows())
        found.append(text + ".")
    return found


def sweep_html(scenario, seed: int, replications: int, summary: pd.DataFrame, parameters: list[str],
               plots: dict[str, bytes], sensitivity: pd.DataFrame | None, warning: str | None) -> str:
    firms = [f.name for f in scenario.firms]
    currency = scenario.run.currency
    samples = summary["sample"].nunique()
    facts = [f"{scenario.sweep.method} sweep of {units.plural(len(parameters), 'parameter')}",
             units.plural(samples, "sample"), f"{units.plural(replications, 'replication')} each",
             units.plural(scenario.run.steps, units.period_name(scenario.run.periods_per_year)), f"seed {seed}"]
    header, rows = sample_table(summary, parameters, firms, currency)
    sections = [Section("Customer equity and profit per sample",
                        paragraphs=[f"Swept: {', '.join(parameters)}."],
                        tables=[Table(header, rows, "Mean and 95 % interval over replications", labels=0)]),
                Section("Responses", plots=[Plot(data, name.removesuffix(".png").replace("_", " "))
                                            for name, data in plots.items()
                                            if name.endswith(".png") and name.startswith("response_")])]
    if sensitivity is not None:
        table = Table(["firm", "output", "parameter", "S1 (first order)", "ST (total)"],
                      [[r.firm, units.name(r.metric), r.parameter, f"{r.S1:.3f} ± {r.S1_conf:.3f}",
                        f"{r.ST:.3f} ± {r.ST_conf:.3f}"] for r in sensitivity.itertuples(index=False)],
                      "Sobol indices with 95 % intervals", labels=3)
        sections.append(Section("Sensitivity", paragraphs=[warning] if warning else [], tables=[table],
                                plots=[Plot(plots["sobol_indices.png"], "Sobol indices")] if "sobol_indices.png" in plots else []))
    return render(f"{scenario.name}: parameter sweep", scenario.description.strip(), facts,
                  sweep_findings(summary, parameters, firms, currency), sections,
                  ["Customer equity is taken at the end of the run, profit summed over it. " + units.currency_note(currency),
                   "Files: sweep.csv (per sample, replication and firm), sweep_summary.csv (per sample, firm and "
                   "figure), design.json; every table also as Parquet, listed in results.json; every plot also as SVG."])
