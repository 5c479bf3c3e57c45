"""The researcher's API: ``sim.run_replications``, ``sim.compare``, ``sim.sweep`` and
``sim.calibrate`` take a path or a Scenario, overrides, strategies as objects,
replications, seed and workers, and return DataFrames; a researcher's own strategy
runs on the process pool from a plain script, and its code is part of a stored
run's fingerprint."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

import sim
from sim import Arm, Strategy
from sim.metrics import FIRM_METRICS
from sim.outputs.summary import SUMMARY_METRICS
from sim.runs.batch import RunTask, run_tasks
from sim.runs.shipping import ship
from sim.runs.store import RunStore
from sim.scenario import ScenarioError

from .conftest import ROOT

QUICKSTART = ROOT / "scenarios" / "quickstart.toml"
SMALL = {"market__customers": 300, "run__steps": 6}


class HoldPrice(Strategy):
    """Sets one price from the third period on; counts its decisions (state that must not leak)."""

    def __init__(self, price: float = 0.7):
        self.price = price
        self.decided = 0

    def decide(self, firm, model):
        self.decided += 1
        if self.decided >= 3:
            firm.price = self.price


def test_run_replications_takes_a_path_overrides_and_strategies():
    results = sim.run_replications(QUICKSTART, replications=3, seed=5, workers=1,
                                   strategies={"Budget": HoldPrice(0.6)}, **SMALL)
    frame = results.timeseries
    assert list(frame.columns) == ["replication", "step", "firm", *FIRM_METRICS]
    assert sorted(frame["replication"].unique()) == [0, 1, 2] and frame["step"].max() == 6
    budget = frame[frame["firm"] == "Budget"].groupby("replication")["price"].apply(list)
    for prices in budget:  # every replication starts the strategy afresh: no state carried over
        assert prices[:2] == [0.8, 0.8] and prices[2:] == [0.6] * 4
    assert list(results.summary.columns) == ["firm", "metric", "mean", "ci_low", "ci_high"]
    assert set(results.summary["metric"]) == {*SUMMARY_METRICS, "retention_rate_annual"}
    assert len(results.per_replication) == 3 * 3
    assert results.strategies == {"Budget": "HoldPrice(price=0.6)"}


def test_the_same_seed_gives_the_same_results_in_one_process_or_two():
    one = sim.run_replications(QUICKSTART, replications=2, seed=8, workers=1,
                               strategies={"Middle": HoldPrice(0.9)}, **SMALL)
    two = sim.run_replications(QUICKSTART, replications=2, seed=8, workers=2,
                               strategies={"Middle": HoldPrice(0.9)}, **SMALL)
    pd.testing.assert_frame_equal(one.timeseries, two.timeseries)
    other = sim.run_replications(QUICKSTART, replications=2, seed=9, workers=1, **SMALL)
    assert not one.timeseries["profit"].equals(other.timeseries["profit"])


def test_a_scenario_object_and_its_defaults():
    spec = sim.load_scenario(QUICKSTART, {"market.customers": 200, "run.steps": 3, "run.replications": 2})
    results = sim.run_replications(spec, workers=1)
    assert results.replications == 2 and results.seed == spec.run.seed
    assert results.timeseries["replication"].nunique() == 2


def test_a_script_run_as_main_ships_its_strategy_to_two_workers(tmp_path):
    """A plain script, with no ``if __name__ == "__main__"`` guard, defines a strategy and runs it
    on two worker processes; the results equal those computed in the script's own process."""
    script = tmp_path / "study.py"
    script.write_text(textwrap.dedent(f"""
        import json
        import sim

        class Undercut(sim.Strategy):
            def __init__(self, below=0.05):
                self.below = below

            def decide(self, firm, model):
                rivals = [f.price for f in model.firm_list if f is not firm]
                firm.price = min(rivals) - self.below

        kwargs = dict(replications=4, seed=3, strategies={{"Middle": Undercut(0.1)}},
                      market__customers=300, run__steps=5)
        pool = sim.run_replications({str(QUICKSTART)!r}, workers=2, **kwargs)
        here = sim.run_replications({str(QUICKSTART)!r}, workers=1, **kwargs)
        prices = pool.timeseries.query("firm == 'Middle'")["price"].round(6).unique().tolist()
        print(json.dumps({{"same": pool.timeseries.equals(here.timeseries), "prices": prices}}))
    """))
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "PYTHONWARNINGS": "error"})
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer == {"same": True, "prices": [0.7]}  # Budget's 0.8 less 0.1: the strategy ran in the workers


def test_compare_takes_a_path_and_arms_as_objects():
    results = sim.compare(QUICKSTART, {"as is": {}, "cheaper": {"firms.Budget.price": 0.7},
                                       "held": Arm(strategies={"Budget": HoldPrice(0.7)})},
                          replications=3, seed=2, workers=1, **SMALL)
    assert results.baseline == "as is"
    assert results.arms["cheaper"] == {"firms.Budget.price": 0.7}
    assert results.arms["held"] == {"firms.Budget.strategy": "HoldPrice(price=0.7)"}
    assert list(results.timeseries["arm"].unique()) == ["as is", "cheaper", "held"]
    assert list(results.timeseries.columns[:4]) == ["arm", "replication", "step", "firm"]
    assert len(results.per_replication) == 3 * 3 * 3
    differences = results.differences("market_share")
    assert set(differences["arm"]) == {"cheaper", "held"}
    cheaper = differences.set_index(["arm", "firm"]).loc[("cheaper", "Budget")]
    assert cheaper["diff"] > 0  # a lower price wins share, on common random numbers
    held = results.timeseries.query("arm == 'held' and firm == 'Budget'")
    assert set(held.loc[held["step"] >= 3, "price"]) == {0.7}


def test_compare_without_arms_uses_the_scenario_compare_section():
    results = sim.compare(ROOT / "scenarios" / "key_accounts.toml", replications=2, workers=1,
                          market__customers=200, run__steps=4)
    spec = sim.load_scenario(ROOT / "scenarios" / "key_accounts.toml")
    assert list(results.arms) == [arm.name for arm in spec.compare.arms]
    assert results.plot().axes  # a Figure


def test_mistakes_name_what_is_wrong():
    with pytest.raises(ScenarioError, match=r"arms\['bad'\].*firms\.Nobody"):
        sim.compare(QUICKSTART, {"base": {}, "bad": {"firms.Nobody.price": 1.0}}, **SMALL)
    with pytest.raises(ValueError, match="unknown firms.*'Nobody'"):
        sim.run_replications(QUICKSTART, strategies={"Nobody": HoldPrice()}, **SMALL)
    with pytest.raises(TypeError, match=r"strategies\['Budget'\].*Strategy instance"):
        sim.run_replications(QUICKSTART, strategies={"Budget": "fixed"}, **SMALL)
    with pytest.raises(ScenarioError, match="no sweep section"):
        sim.sweep(QUICKSTART, **SMALL)
    with pytest.raises(ScenarioError, match="market.customrs"):
        sim.run_replications(QUICKSTART, market__customrs=10)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: sim.run_replications(QUICKSTART, worker=2), r"run_replications\(\) .* 'worker': did you mean workers="),
    (lambda: sim.compare(QUICKSTART, steps=12), r"compare\(\) .* 'steps': .* run__steps="),
    (lambda: sim.calibrate(QUICKSTART, [100, 90, 80], {}, customers=9), r"calibrate\(\) .* market__customers="),
    (lambda: sim.MarketModel(QUICKSTART, seeds=3), r"MarketModel\(\) .* 'seeds': did you mean seed="),
    (lambda: sim.sweep(QUICKSTART, strategy={}), r"sweep\(\) .* 'strategy': the arguments are scenario, .*strategies"),
])
def test_a_mistyped_argument_is_refused_as_an_argument_not_read_as_a_scenario_value(call, message):
    """A keyword of one word that is no top-level key of a scenario is a mistyped argument (or a
    value without its section): a TypeError, as Python gives, saying what was probably meant."""
    with pytest.raises(TypeError, match=message):
        call()


def test_sweep_takes_a_path_and_parameters_and_gives_long_rows():
    results = sim.sweep(QUICKSTART, {"firms.Budget.price": [0.7, 0.9]}, replications=2, seed=4, workers=1, **SMALL)
    rows = results.rows
    assert list(rows.columns[:5]) == ["sample", "replication", "seed", "firms.Budget.price", "firm"]
    assert len(rows) == 2 * 2 * 3  # samples x replications x firms
    means = results.means("market_share")
    assert list(means.columns) == ["sample", "firms.Budget.price", "Budget", "Middle", "Premium"]
    assert means.loc[0, "Budget"] > means.loc[1, "Budget"]  # cheaper wins share
    assert results.plot().axes


def test_sweep_crossed_with_arms_runs_every_arm_on_the_same_design():
    results = sim.sweep(QUICKSTART, {"firms.Budget.price": (0.7, 0.9)}, samples=2,
                        arms={"plain": {}, "held": Arm(strategies={"Middle": HoldPrice(0.8)})},
                        replications=2, workers=1, **SMALL)
    assert list(results.rows["arm"].unique()) == ["plain", "held"]
    assert len(results.rows) == 2 * 2 * 2 * 3
    plain, held = results.for_arm("plain"), results.for_arm("held")
    assert plain.rows["seed"].tolist() == held.rows["seed"].tolist()  # common random numbers
    assert plain.rows["firms.Budget.price"].tolist() == held.rows["firms.Budget.price"].tolist()
    assert list(results.means().columns[:2]) == ["arm", "sample"]


def test_calibrate_takes_a_path_and_gives_its_curves():
    observed = [1000, 900, 820, 760, 715]
    fit = sim.calibrate(QUICKSTART, observed, {"market.segments[0].base_defection": (0.01, 0.3)},
                        replications=1, max_evaluations=12, market__customers=400)
    curves = fit.curves
    assert list(curves.columns) == ["t", "observed", "simulated", "sbg"]
    assert curves["observed"].iloc[0] == 1.0 and len(curves) == len(observed)
    assert 0.01 <= fit.parameters["market.segments[0].base_defection"] <= 0.3


@pytest.mark.parametrize("method", ["nelder-mead", "differential-evolution"])
def test_calibrate_gives_the_same_fit_on_two_workers_as_in_this_process(method):
    """Each evaluation's runs (a generation's, for differential evolution) go to the workers,
    kept for the whole search; the fit, its curve and a projection do not depend on where."""
    observed, bounds = [1000, 900, 820, 760], {"market.segments[0].base_defection": (0.01, 0.3)}
    options = dict(replications=2, max_evaluations=10, method=method, market__customers=300,
                   strategies={"Budget": HoldPrice(0.75)})
    here = sim.calibrate(QUICKSTART, observed, bounds, workers=1, **options)
    there = sim.calibrate(QUICKSTART, observed, bounds, workers=2, **options)
    assert there.parameters == here.parameters and there.evaluations == here.evaluations
    np.testing.assert_array_equal(there.simulated, here.simulated)
    pd.testing.assert_frame_equal(there.project(4, cohort=100, replications=3),
                                  here.project(4, cohort=100, replications=3))


# ------------------------------------------------- the fingerprint ---


def _made(source: str, name: str = "Mine") -> type:
    """A strategy class made from source text, as a notebook cell would make it."""
    namespace = {"Strategy": Strategy, "__name__": "__main__"}
    exec(compile(textwrap.dedent(source), "<cell>", "exec"), namespace)
    return namespace[name]


FIRST = """
class Mine(Strategy):
    def __init__(self, level=0.9):
        self.level = level
    def decide(self, firm, model):
        firm.price = self.level
"""


def test_a_changed_strategy_is_never_taken_from_the_store(tmp_path):
    spec = sim.load_scenario(QUICKSTART, {"market.customers": 200, "run.steps": 3})
    store = RunStore(tmp_path)

    def computed(strategy) -> int:
        task = RunTask("r0", spec, 11, 0, ship(spec, {"Budget": strategy}))
        return run_tasks([task], store=store)[1].computed

    assert computed(_made(FIRST)()) == 1
    assert computed(_made(FIRST)()) == 0  # the same code and parameters: reused
    assert computed(_made(FIRST)(level=0.8)) == 1  # other parameters
    changed = FIRST.replace("firm.price = self.level", "firm.price = self.level * 0.5")
    assert computed(_made(changed)(level=0.8)) == 1  # other code under the same name
    assert computed(_made(changed)(level=0.8)) == 0


def test_the_strategy_digest_is_the_same_in_another_process():
    digest = ship(sim.load_scenario(QUICKSTART), {"Budget": _made(FIRST)(level=0.75)}).digest
    code = ("import textwrap, sim\nfrom sim.runs.shipping import ship\n"
            f"ns = {{'Strategy': sim.Strategy, '__name__': '__main__'}}\nexec(compile(textwrap.dedent({FIRST!r}), '<other>', 'exec'), ns)\n"
            f"print(ship(sim.load_scenario({str(QUICKSTART)!r}), {{'Budget': ns['Mine'](level=0.75)}}).digest)")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert other.returncode == 0, other.stderr
    assert other.stdout.strip() == digest


def test_registered_strategies_from_outside_the_package_are_shipped_too():
    cls = _made(FIRST, "Mine")
    sim.register_strategy("test_shipped_mine")(cls)
    spec = sim.load_scenario(QUICKSTART, {"firms.Budget.strategy": {"name": "test_shipped_mine",
                                                                    "params": {"level": 0.65}}})
    shipped = ship(spec)
    assert shipped.firms == ["Budget"] and shipped.fresh()["Budget"].level == 0.65
    assert ship(sim.load_scenario(QUICKSTART)) is None  # the package's own strategies need no shipping
    assert shipped.fresh()["Budget"] is not shipped.fresh()["Budget"]  # a new copy for each run


def test_progress_shows_finished_runs_on_stderr(capfd):
    sim.run_replications(QUICKSTART, replications=2, workers=1, progress=True, **SMALL)
    shown = capfd.readouterr().err
    assert "replications" in shown and "2/2" in shown
    sim.run_replications(QUICKSTART, replications=2, workers=1, **SMALL)
    assert capfd.readouterr().err == ""  # quiet unless asked


def test_intervals_of_a_figure_of_your_own():
    results = sim.run_replications(QUICKSTART, replications=3, workers=1, **SMALL)
    halfway = results.timeseries.query("step == 3")
    table = sim.intervals(halfway, "firm", ["market_share", "profit"])
    assert list(table.columns) == ["firm", "metric", "mean", "ci_low", "ci_high", "n"]
    share = table.query("firm == 'Budget' and metric == 'market_share'").iloc[0]
    values = halfway.query("firm == 'Budget'")["market_share"]
    assert share["mean"] == pytest.approx(values.mean()) and share["n"] == 3
    assert 0 < share["ci_low"] < share["mean"] < share["ci_high"] < 1  # logit-t: inside (0, 1)
    with pytest.raises(ValueError, match="no column 'retention'"):
        sim.intervals(halfway, "firm", "retention")


def test_a_calibration_written_with_out_is_the_commands_directory(tmp_path):
    fit = sim.calibrate(QUICKSTART, [1000, 900, 820, 760], {"market.segments[0].base_defection": (0.01, 0.3)},
                        replications=1, max_evaluations=8, workers=1, out=tmp_path / "fit", market__customers=300,
                        run__steps=9)
    report = json.loads((tmp_path / "fit" / "calibration.json").read_text())
    assert report["fit"]["parameters"] == fit.parameters and report["fit"]["survival"] == fit.simulated.tolist()
    assert report["projection"]["t"] == list(range(10)) and report["projection"]["cohort"] == 1000
    curves = pd.read_parquet(tmp_path / "fit" / "curves.parquet")
    pd.testing.assert_frame_equal(curves, pd.read_csv(tmp_path / "fit" / "curves.csv"), check_exact=True)
    assert json.loads((tmp_path / "fit" / "results.json").read_text())["kind"] == "calibrate"


def test_a_calibration_projects_its_fit_as_a_table():
    fit = sim.calibrate(QUICKSTART, [1000, 900, 820, 760], {"market.segments[0].base_defection": (0.01, 0.3)},
                        replications=1, max_evaluations=8, market__customers=300)
    projection = fit.project(6, cohort=200, replications=4)
    assert list(projection.columns) == ["t", "mean", "low", "high", "sbg"] and len(projection) == 7
    assert (projection["low"] <= projection["mean"]).all() and (projection["mean"] <= projection["high"]).all()
    assert projection["mean"].iloc[0] == 1.0 and projection["mean"].is_monotonic_decreasing


def test_a_crossed_sweep_written_to_a_directory_reads_back_whole(tmp_path):
    results = sim.sweep(QUICKSTART, {"firms.Budget.price": [0.7, 0.9]}, arms={"plain": {}, "dear": {"firms.Premium.price": 1.6}},
                        replications=2, workers=1, out=tmp_path / "crossed", **SMALL)
    assert sorted(p.name for p in (tmp_path / "crossed").iterdir() if p.is_dir()) == ["dear", "plain"]
    again = sim.load_results(tmp_path / "crossed")
    pd.testing.assert_frame_equal(again.rows, results.rows)
    pd.testing.assert_frame_equal(again.summary, results.summary)
    assert again.for_arm("dear").rows["firms.Budget.price"].tolist() == results.for_arm("dear").rows[
        "firms.Budget.price"].tolist()
