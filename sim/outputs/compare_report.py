"""A comparison's report.html: which arm does best for the focus firm, by how much
against the baseline and whether the differences are more than chance, the
tables printed by ``marketsim compare``, and the forest plot."""

from __future__ import annotations

import pandas as pd

from . import units
from .comparison_tables import DIFFERENCE_METRICS, SIGNIFICANCE, level_table, ranked_arms, ranking_table
from .html import Plot, Section, Table, render


def _difference(r: pd.Series, metric: str, currency: str) -> str:
    if units.kind(metric) in ("rate", "share"):
        size = f"{100 * r['diff']:+.2f} percentage points"
    else:
        size = f"{r['diff']:+,.0f} {currency}"
    p = r["p_value"]
    verdict = ("no p-value from one replication" if pd.isna(p) else
               f"significant, p = {p:.3f}" if p < SIGNIFICANCE else f"not significant, p = {p:.3f}")
    return f"{units.name(metric)} {size} ({verdict})"


def comparison_findings(table: pd.DataFrame, baseline: str, firm: str, currency: str) -> list[str]:
    """The best arm for ``firm``'s customer equity, then every arm's differences in words."""
    t = table[table["firm"] == firm].set_index(["arm", "metric"])
    arms = ranked_arms(table, baseline, firm)
    if not arms:
        return [f"Only the baseline '{baseline}' was run: nothing to compare."]
    best = arms[0]
    base_equity = t.loc[(baseline, "customer_equity"), "mean"]
    found = [f"For {firm}, '{best}' gives the highest customer equity of the {units.plural(len(arms), 'arm')} "
             f"compared with the baseline '{baseline}' ({units.number(t.loc[(best, 'customer_equity'), 'mean'], 'money')} "
             f"against {units.number(base_equity, 'money')} {currency})."]
    for arm in arms:
        found.append(f"'{arm}' against '{baseline}': " + "; ".join(
            _difference(t.loc[(arm, m)], m, currency) for m in DIFFERENCE_METRICS) + ".")
    return found


def comparison_html(scenario, seed: int, replications: int, table: pd.DataFrame, baseline: str, firm: str,
                    forest_png: bytes) -> str:
    currency, ppy = scenario.run.currency, scenario.run.periods_per_year
    arms = table["arm"].nunique()
    facts = [units.plural(arms, "arm"), f"{units.plural(replications, 'replication')} each",
             units.plural(scenario.run.steps, units.period_name(ppy)), f"seed {seed}", f"ranked by {firm}"]
    header, rows = level_table(table, baseline, firm, currency, ppy)
    levels = Table(header, rows, f"{firm}'s results per arm: mean and 95 % interval")
    header, rows = ranking_table(table, baseline, firm, currency, ppy)
    ranking = Table(header, rows, f"Arms ranked by {firm}'s customer equity: paired difference against "
                                  f"'{baseline}', 95 % interval, p-value (* below {SIGNIFICANCE})", labels=2)
    sections = [Section(f"{firm} in each arm", tables=[levels, ranking]),
                Section("Every firm, every arm", plots=[Plot(forest_png, "Paired differences against the baseline, "
                                                             "per arm and firm (blue: the interval excludes 0).")])]
    return render(f"{scenario.name}: strategy comparison", scenario.description.strip(), facts,
                  comparison_findings(table, baseline, firm, currency), sections,
                  ["Every arm runs the same replications with common random numbers (replication k of every arm "
                   "has the same seed), so a difference comes from what the arm changes. Differences are paired: "
                   "per replication, arm minus baseline; their mean gets a Student-t 95 % interval and a paired "
                   "t-test p-value. pp = percentage points. " + units.currency_note(currency),
                   "Files: comparison.json, comparison.csv, timeseries.csv (every arm's runs), "
                   "per_replication.csv; every table also as Parquet, listed in results.json; the forest plot also as SVG."])
