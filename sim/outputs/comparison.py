"""Writing a comparison's output directory: comparison.json; the tables comparison,
timeseries (every arm's runs, long, with an ``arm`` column) and per_replication, each as CSV
and Parquet; the forest plot, report.html; and last the manifest results.json."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

from ..analysis.forest import forest_figure
from ..runs.comparison import Comparison, stack_arms
from ..scenario import Scenario
from .compare_report import comparison_html
from .files import atomic_write_bytes, atomic_write_text, write_table
from .manifest import clear_manifest, write_manifest
from .plots import slide_files
from .write import timeseries_table


def _number(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def comparison_document(comparison: Comparison, scenario: str, seed: int, replications: int, steps: int) -> dict:
    """comparison.json: per arm, firm and metric the mean, 95 % CI and the paired difference."""
    results: dict = {}
    for r in comparison.table.itertuples(index=False):
        results.setdefault(r.arm, {}).setdefault(r.firm, {})[r.metric] = {
            "mean": _number(r.mean), "ci95": [_number(r.ci_low), _number(r.ci_high)],
            "diff": {"mean": _number(r.diff), "ci95": [_number(r.diff_ci_low), _number(r.diff_ci_high)],
                     "p_value": _number(r.p_value)},
        }
    return {"scenario": scenario, "seed": seed, "replications": replications, "steps": steps,
            "baseline": comparison.baseline,
            "arms": [{"name": name, "set": settings} for name, settings in comparison.settings.items()],
            "results": results}


def focus_firm(comparison: Comparison, firms: list[str], chosen: str | None) -> str:
    """``chosen``, else the one firm every arm's settings name (firms.NAME...), else the first firm.
    Raises ValueError if ``chosen`` is not one of ``firms``."""
    if chosen is not None:
        if chosen not in firms:
            raise ValueError(f"--firm {chosen!r}: no such firm; firms are {', '.join(firms)}")
        return chosen
    named = set()
    for settings in comparison.settings.values():
        for path in settings:
            by_name = re.match(r"firms\.([^.\[]+)", path)
            by_index = re.match(r"firms\[(\d+)\]", path)
            if by_name:
                named.add(by_name.group(1))
            elif by_index and int(by_index.group(1)) < len(firms):
                named.add(firms[int(by_index.group(1))])
    return named.pop() if len(named) == 1 else firms[0]


def write_comparison_outputs(out_dir: str | Path, scenario: Scenario, seed: int, replications: int,
                             comparison: Comparison, firm: str | None = None) -> dict:
    """Write every output of a comparison; returns comparison.json's document. ``firm`` is the
    focus firm of report.html (default: :func:`focus_firm`'s choice)."""
    out_dir = Path(out_dir)
    clear_manifest(out_dir)
    focus = focus_firm(comparison, [f.name for f in scenario.firms], firm)
    tables = {"comparison": write_table(out_dir, "comparison", comparison.table),
              "timeseries": write_table(out_dir, "timeseries", timeseries_table(comparison.timeseries)),
              "per_replication": write_table(out_dir, "per_replication", stack_arms(comparison.per_replication))}
    document = comparison_document(comparison, scenario.name, seed, replications, scenario.run.steps)
    atomic_write_text(out_dir / "comparison.json", json.dumps(document, indent=2) + "\n")
    plots = slide_files(forest_figure(comparison.table, comparison.baseline), "comparison_forest")
    for name, data in plots.items():
        atomic_write_bytes(out_dir / name, data)
    atomic_write_text(out_dir / "report.html", comparison_html(scenario, seed, replications, comparison.table,
                                                               comparison.baseline, focus,
                                                               plots["comparison_forest.png"]))
    write_manifest(out_dir, "compare", scenario, seed, replications, tables, baseline=comparison.baseline,
                   arms=comparison.settings)
    return document
