"""Mesa users can call ``mesa.batch_run`` on ``MarketModel`` with keyword
parameters, on Mesa 3.3 (Python 3.11) and 3.5 (Python 3.12+) alike: each run is
the model built from those keywords and seed, run for the scenario's
``run.steps`` periods whatever ``max_steps`` (at least that) is given.

The two Mesa versions seed differently: 3.3 takes the seeds as an ``rng``
parameter, 3.5 as ``batch_run(rng=[...])``; this is Mesa's API, not ours.
"""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import mesa
import pandas as pd
import pytest

from sim import MarketModel

MESA_3_4_OR_LATER = tuple(int(x) for x in version("mesa").split(".")[:2]) >= (3, 4)

SCENARIO = """
name = "batch"
[run]
steps = 30
[market]
customers = 300
[[market.segments]]
name = "all"
share = 1.0
in_market = 0.1
[[firms]]
name = "A"
initial_share = 0.3
[[firms]]
name = "B"
price = 1.1
initial_share = 0.3
"""


def batch_run(parameters: dict, seeds: list[int], max_steps: int) -> pd.DataFrame:
    """``mesa.batch_run`` called the way the installed Mesa version expects."""
    options = dict(max_steps=max_steps, number_processes=1, data_collection_period=-1, display_progress=False)
    if MESA_3_4_OR_LATER:
        return pd.DataFrame(mesa.batch_run(MarketModel, parameters=parameters, rng=seeds, **options))
    return pd.DataFrame(mesa.batch_run(MarketModel, parameters={**parameters, "rng": seeds}, **options))


@pytest.fixture
def scenario_file(tmp_path: Path) -> str:
    path = tmp_path / "batch.toml"
    path.write_text(SCENARIO)
    return str(path)


def test_batch_run_runs_each_combination_and_seed_for_the_scenarios_periods(scenario_file: str):
    steps = [3, 5]
    results = batch_run({"scenario": scenario_file, "run__steps": steps, "firms__B__price": 1.05},
                        seeds=[11, 12], max_steps=50)
    runs = results.drop_duplicates("RunId")
    assert len(runs) == 4
    seed_column = "seed" if MESA_3_4_OR_LATER else "rng"  # the keyword each Mesa passes the seed by
    one_period_more = []
    for run in runs.itertuples(index=False):
        run = run._asdict()
        model = MarketModel(scenario_file, rng=run[seed_column], run__steps=run["run__steps"], firms__B__price=1.05)
        model.run()
        assert run["prospects"] == model.prospects
        model.step()
        one_period_more.append(run["prospects"] != model.prospects)
    assert any(one_period_more)  # so a run of max_steps + 1 periods (Mesa 3.3's own rule) would fail
    by_steps = {n: runs.loc[runs["run__steps"] == n, "prospects"].tolist() for n in steps}
    assert by_steps[3] != by_steps[5]


def test_batch_run_returns_every_firms_metrics_as_columns(scenario_file: str):
    """Every firm's metrics come back as model variables named FIRM:metric, on Mesa 3.3 and 3.5."""
    results = batch_run({"scenario": scenario_file, "run__steps": 4}, seeds=[21], max_steps=10)
    frame = MarketModel(scenario_file, rng=21, run__steps=4).run()
    last = frame[frame["step"] == 4].set_index("firm")
    row = results.iloc[0]
    for firm in ("A", "B"):
        for column in ("customers", "profit", "customer_equity", "retention_rate", "new_customer_value", "margin"):
            assert row[f"{firm}:{column}"] == last.loc[firm, column], (firm, column)


def test_firm_variables_are_series_over_the_collections(scenario_file: str):
    model = MarketModel(scenario_file, rng=3, run__steps=5)
    frame = model.run()
    variables = model.datacollector.get_model_vars_dataframe()
    assert len(variables) == 5 and {"prospects", "A:profit", "B:customers"} <= set(variables.columns)
    assert variables["B:customers"].tolist() == frame.loc[frame["firm"] == "B", "customers"].tolist()


@pytest.mark.skipif(not MESA_3_4_OR_LATER, reason="Mesa 3.3's batch_run does not collect agent-type reporters")
def test_batch_run_reports_every_firm_metric_on_mesa_3_5(scenario_file: str):
    results = batch_run({"scenario": scenario_file, "run__steps": 4}, seeds=[21], max_steps=10)
    frame = MarketModel(scenario_file, rng=21, run__steps=4).run()
    last = frame[frame["step"] == 4].reset_index(drop=True)
    assert len(results) == 2  # one row per firm
    for column in ("customers", "profit", "customer_equity", "retention_rate"):
        assert results[column].tolist() == last[column].tolist()
    assert set(results["Step"]) == {4}
