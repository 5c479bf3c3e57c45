"""``marketsim compare``: common random numbers, paired statistics, output files,
resuming from the store of finished runs, and users' mistakes."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.analysis.paired import paired_difference
from sim.outputs.comparison_tables import level_table, ranking_table
from sim.runs import LocalEngine, RunStore
from sim.runs.comparison import arm_scenarios, run_comparison
from sim.scenario import ScenarioError, load_scenario

from .conftest import marketsim, small_scenario

ARMS = {"arms": [
    {"name": "baseline"},
    {"name": "same_again", "set": {"firms.A.price": 1.0}},  # the default price: an identical arm
    {"name": "B_partnership", "set": {"firms.B.relationship": "partnership"}},
]}

SCENARIO_TOML = """
name = "cmp"
[run]
steps = 8
seed = 21
replications = 3
[market]
customers = 300
[[firms]]
name = "A"
[[firms]]
name = "B"
price = 1.1
[compare]
arms = [
  { name = "as_is" },
  { name = "B partnership", set = { "firms.B.relationship" = "partnership" } },
]
"""


def test_identical_arms_differ_by_exactly_zero():
    comparison = run_comparison(small_scenario(compare=ARMS), engine=LocalEngine(1))
    same = comparison.table[comparison.table["arm"] == "same_again"]
    assert len(same) == 2 * len(same["metric"].unique())
    assert (same["diff"] == 0.0).all()
    assert (same["diff_ci_low"] == 0.0).all() and (same["diff_ci_high"] == 0.0).all()
    assert (same["p_value"] == 1.0).all()
    other = comparison.table[comparison.table["arm"] == "B_partnership"]
    assert (other.loc[other["metric"] == "customer_equity", "diff"] != 0.0).all()


def test_the_paired_difference_is_the_difference_of_the_arm_means():
    comparison = run_comparison(small_scenario(compare=ARMS), engine=LocalEngine(1))
    t = comparison.table.set_index(["arm", "firm", "metric"])
    for firm in ("A", "B"):
        for metric in ("customer_equity", "retention_rate", "profit"):
            expected = t.loc[("B_partnership", firm, metric), "mean"] - t.loc[("baseline", firm, metric), "mean"]
            assert t.loc[("B_partnership", firm, metric), "diff"] == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_paired_difference_matches_the_textbook_formulas():
    base = np.array([10.0, 12.0, 9.0, 11.0])
    arm = base + np.array([1.0, 2.0, 3.0, 2.0])  # differences: mean 2, sd sqrt(2/3)
    result = paired_difference(arm, base)
    half = stats.t.ppf(0.975, 3) * math.sqrt(2 / 3) / 2
    assert result["mean"] == pytest.approx(2.0)
    assert result["ci95"] == pytest.approx([2.0 - half, 2.0 + half])
    t_statistic = 2.0 / (math.sqrt(2 / 3) / 2)
    assert result["p_value"] == pytest.approx(2 * stats.t.sf(t_statistic, 3))
    assert paired_difference(base + 1.5, base) == {"mean": 1.5, "ci95": [1.5, 1.5], "p_value": 0.0}
    assert paired_difference(base[:1] + 1.0, base[:1])["p_value"] is None  # one replication: no test


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "cmp.toml"
    path.write_text(SCENARIO_TOML)
    return path


def test_compare_writes_its_files_prints_a_ranking_and_resumes(scenario_file: Path, tmp_path: Path):
    out = tmp_path / "out"
    first = marketsim("compare", str(scenario_file), "--out", str(out), "--workers", "2", columns=80)
    assert first.returncode == 0, first.stderr
    assert "Arms ranked by B's customer equity against the baseline 'as_is'" in first.stdout  # the firm the arms change
    assert "as_is" in first.stdout and "B partnership" in first.stdout
    assert "…" not in first.stdout and max(map(len, first.stdout.splitlines())) <= 80
    ranked = [line.split() for line in first.stdout.splitlines() if line.lstrip()[:2] == "1 "]
    assert [words[1:3] for words in ranked] == [["B", "partnership"]], "only the arm other than the baseline is ranked"

    document = json.loads((out / "comparison.json").read_text())
    assert document["baseline"] == "as_is" and document["replications"] == 3
    assert [a["name"] for a in document["arms"]] == ["as_is", "B partnership"]
    cell = document["results"]["B partnership"]["B"]["retention_rate"]
    lo, hi = cell["ci95"]
    assert lo <= cell["mean"] <= hi
    assert cell["diff"]["ci95"][0] <= cell["diff"]["mean"] <= cell["diff"]["ci95"][1]
    assert 0.0 <= cell["diff"]["p_value"] <= 1.0
    table = pd.read_csv(out / "comparison.csv")
    assert list(table.columns[:3]) == ["arm", "firm", "metric"]
    assert set(table["arm"]) == {"as_is", "B partnership"} and set(table["firm"]) == {"A", "B"}
    assert (out / "comparison_forest.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    runs = sorted(p.name for p in (out / "runs").glob("*.csv"))
    assert runs == [f"{arm}-r{k}.csv" for arm in ("B_partnership", "as_is") for k in range(3)]
    assert not list(out.rglob("*.part"))

    # a truncated run file and a missing one are computed again; the rest are reused
    truncated = out / "runs" / "as_is-r1.csv"
    whole = truncated.read_bytes()
    truncated.write_bytes(whole[: len(whole) // 2])
    (out / "runs" / "B_partnership-r2.csv").unlink()
    before = (out / "comparison.csv").read_bytes()
    second = marketsim("compare", str(scenario_file), "--out", str(out), "--workers", "1")
    assert second.returncode == 0, second.stderr
    assert "reused 4 finished run(s)" in second.stderr and "computed 2" in second.stderr
    assert truncated.read_bytes() == whole
    assert (out / "comparison.csv").read_bytes() == before

    in_process = run_comparison(load_scenario(scenario_file), engine=LocalEngine(1)).table  # no pool, no store
    assert before.decode() == in_process.to_csv(index=False, lineterminator="\n")


def test_runs_are_reused_unless_fresh_and_never_from_another_scenario(tmp_path: Path):
    scenario = small_scenario(compare=ARMS, run={"replications": 2, "steps": 4})
    store = RunStore(tmp_path / "runs")
    run_comparison(scenario, engine=LocalEngine(1), store=store)
    again = run_comparison(scenario, engine=LocalEngine(1), store=store)
    assert (again.progress.reused, again.progress.computed) == (6, 0)
    fresh = run_comparison(scenario, engine=LocalEngine(1), store=store, reuse=False)  # what --fresh does
    assert (fresh.progress.reused, fresh.progress.computed) == (0, 6)
    pd.testing.assert_frame_equal(fresh.table, again.table, check_exact=True)
    changed = small_scenario(compare=ARMS, run={"replications": 2, "steps": 4}, market={"customers": 350})
    redone = run_comparison(changed, engine=LocalEngine(1), store=store)
    assert (redone.progress.reused, redone.progress.computed) == (0, 6)


@pytest.mark.parametrize("edit, expected", [
    (lambda text: text.split("[compare]")[0], "compare: the scenario has no compare section"),
    (lambda text: text.replace('"firms.B.relationship"', '"firms.C.relationship"'),
     "compare.arms[1] (B partnership): override firms.C.relationship: no entry named 'C'"),
    (lambda text: text.replace('= "partnership"', '= "friendship"'), "unknown relationship level 'friendship'"),
    (lambda text: text.replace('name = "B partnership"', 'name = "as_is"'), "arm name 'as_is' is used twice"),
])
def test_mistakes_in_the_compare_section_name_the_file_and_the_arm(scenario_file: Path, edit, expected):
    scenario_file.write_text(edit(SCENARIO_TOML))
    with pytest.raises(ScenarioError) as err:
        arm_scenarios(load_scenario(scenario_file), str(scenario_file))
    assert str(err.value).startswith(f"{scenario_file}: ") and expected in str(err.value)


def test_a_mistake_stops_the_command_before_any_run_without_a_traceback(scenario_file: Path, tmp_path: Path):
    scenario_file.write_text(SCENARIO_TOML.replace('= "partnership"', '= "friendship"'))
    result = marketsim("compare", str(scenario_file), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "compare.arms[1] (B partnership)" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_the_ranking_leaves_out_the_baseline_and_headings_are_unique():
    comparison = run_comparison(small_scenario(compare=ARMS, run={"replications": 3, "steps": 4}), engine=LocalEngine(1))
    table = comparison.table
    levels_header, levels = level_table(table, "baseline", "B", "EUR", 4)
    ranking_header, ranking = ranking_table(table, "baseline", "B", "EUR", 4)
    for header in (levels_header, ranking_header):
        assert len(set(header)) == len(header)
    assert "Δ retention, pp per quarter" in ranking_header and "Δ customer equity, EUR" in ranking_header
    assert [row[1] for row in ranking] == sorted(
        ["same_again", "B_partnership"],
        key=lambda arm: -table.query("arm == @arm and firm == 'B' and metric == 'customer_equity'")["mean"].item())
    assert [row[0].split("\n")[0] for row in levels][0] == "baseline" and len(levels) == 3
    same = next(row for row in ranking if row[1] == "same_again")
    assert same[2].split("\n")[:2] == ["+0", "0-0"], "an identical arm differs by exactly zero"
