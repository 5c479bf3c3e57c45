"""marketsim optimise: the texts' relationship rule found by search, a known optimum, resumption,
determinism, best response, the [optimise] section and users' mistakes (docs/optimisation.md)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import optuna
import pytest
from click.testing import CliRunner

from sim import optimise
from sim.cli.main import main
from sim.optimise import apply_decisions, best_response
from sim.optimise.evaluate import evaluate
from sim.runs import LocalEngine, RunStore, replication_seeds
from sim.scenario import load_scenario, validate_document

from .test_dask_cluster import cluster  # noqa: F401  (the fixture: a scheduler and two workers on loopback)

LEVELS = "firms.Partner.relationship=basic,reactive,accountable,proactive,partnership"
SMALL = {"market.customers": 400, "run.steps": 24}


def test_many_low_margin_customers_call_for_basic_relationships(tmp_path):
    """Mass market at a margin of 0.1 CU a unit: a relationship costing 0.6 CU a customer-month does not pay."""
    spec = load_scenario("scenarios/mass_market.toml", {**SMALL, "firms.Basic.unit_cost": 0.9,
                                                        "firms.Partner.unit_cost": 0.9})
    result = optimise(spec, "Partner", [LEVELS], replications=2, fresh_replications=4, out=tmp_path)
    assert result.best.values["firms.Partner.relationship"] in ("basic", "reactive")
    assert len(result.trials) == 5  # five choices: every one tried once, none twice
    partnership = next(c for c in result.candidates if c.values["firms.Partner.relationship"] == "partnership")
    assert partnership.baseline and partnership.distinguishable  # the scenario's own level, clearly worse


def test_few_high_margin_accounts_call_for_partnership(tmp_path):
    spec = load_scenario("scenarios/key_accounts.toml", {"market.customers": 150, "run.steps": 24})
    result = optimise(spec, "Partner", [LEVELS], replications=2, fresh_replications=4, out=tmp_path)
    assert result.best.values["firms.Partner.relationship"] in ("proactive", "partnership")
    basic = next(c for c in result.candidates if c.values["firms.Partner.relationship"] == "basic")
    assert basic.distinguishable and basic.difference["mean"] > 0


MONOPOLY = {"name": "monopoly", "run": {"steps": 12, "seed": 5, "replications": 2},
            "market": {"customers": 300, "segments": [{"name": "all", "share": 1.0, "outside_value": 1.0}]},
            "firms": [{"name": "Solo", "price": 1.0, "unit_cost": 0.6}]}


@pytest.mark.slow
def test_price_optimum_of_a_monopoly_matches_a_fine_sweep(tmp_path):
    """TPE over a continuous price finds, within 3 % of profit and 0.2 CU of price, the best of a sweep
    in steps of 0.1 CU on the same seeds (profit peaks near 1.9 CU: customers leave for the outside option)."""
    spec = validate_document(MONOPOLY)
    result = optimise(spec, "Solo", ["firms.Solo.price=0.7:3.1"], objective="profit", trials=24, out=tmp_path / "o")
    prices = np.round(np.linspace(0.7, 3.1, 25), 3)
    sweep = evaluate(spec, "Solo", [{"firms.Solo.price": float(p)} for p in prices],
                     replication_seeds(5, 2), None, RunStore(tmp_path / "sweep"), "sweep")
    profits = np.array([frame["profit"].mean() for frame in sweep.values()])
    best_price, best_profit = prices[profits.argmax()], profits.max()
    assert 1.0 < best_price < 3.0  # an interior optimum: the sweep's range brackets it
    found = result.trials["profit"].max()
    assert found >= best_profit - 0.03 * abs(best_profit)
    assert abs(result.best.values["firms.Solo.price"] - best_price) <= 0.2


class StopAfter(LocalEngine):
    """An engine that is interrupted (as by Ctrl-C) once it has finished ``runs`` runs."""

    def __init__(self, runs: int):
        super().__init__(workers=1)
        self.left = runs

    def run(self, fn, tasks, on_result=None):
        def counted(i, result):
            on_result(i, result)
            self.left -= 1
            if self.left == 0:
                raise KeyboardInterrupt

        return super().run(fn, tasks, counted)


def test_interrupted_optimisation_resumes_with_no_repeated_trial(tmp_path):
    spec = validate_document(MONOPOLY)
    args = dict(decisions=["firms.Solo.price=0.7:3.1"], objective="profit", trials=8, replications=2)
    with pytest.raises(KeyboardInterrupt):
        optimise(spec, "Solo", out=tmp_path / "cut", engine=StopAfter(11), **args)  # in the second batch of 4 trials
    study = optuna.load_study(study_name="optimise", storage=f"sqlite:///{tmp_path / 'cut' / 'study.db'}")
    states = [t.state.name for t in study.trials]
    assert states.count("COMPLETE") == 4 and states.count("RUNNING") == 4
    kept = len(list((tmp_path / "cut" / "runs").glob("search-*.csv")))
    assert kept == 11
    resumed = optimise(spec, "Solo", out=tmp_path / "cut", **args)
    whole = optimise(spec, "Solo", out=tmp_path / "whole", **args)
    assert list(resumed.trials["number"]) == list(range(8))
    assert (resumed.trials["state"] == "COMPLETE").all()
    # the interrupted trial was finished, not repeated, and the study is the one an uninterrupted run makes
    assert resumed.trials.drop(columns="state").equals(whole.trials.drop(columns="state"))
    assert len(list((tmp_path / "cut" / "runs").glob("search-*.csv"))) == 16


def test_same_seed_same_study_other_seed_other_study(tmp_path):
    spec = validate_document(MONOPOLY)
    args = dict(decisions=["firms.Solo.price=0.7:2.1", "firms.Solo.quality_investment=0:500"],
                objective="profit", trials=6, replications=1, fresh_replications=2, top=2)
    a = optimise(spec, "Solo", out=tmp_path / "a", seed=3, **args)
    b = optimise(spec, "Solo", out=tmp_path / "b", seed=3, engine=LocalEngine(workers=2), **args)
    c = optimise(spec, "Solo", out=tmp_path / "c", seed=4, **args)
    assert a.trials.equals(b.trials)
    assert a.best.values == b.best.values and a.best.fresh == b.best.fresh
    assert not np.allclose(a.trials["firms.Solo.price"], c.trials["firms.Solo.price"])


SYMMETRIC = {"name": "symmetric", "run": {"steps": 24, "seed": 3, "replications": 3},
             "market": {"customers": 400, "segments": [{"name": "all", "share": 1.0, "outside_value": -1.0}]},
             "firms": [{"name": "A", "price": 1.0}, {"name": "B", "price": 1.0}]}


@pytest.mark.slow
def test_best_response_between_symmetric_firms_settles_at_symmetric_prices(tmp_path):
    response = best_response(validate_document(SYMMETRIC), ["A", "B"], ["firms.*.price=0.8,0.9,1.0,1.1,1.2"],
                             objective="profit", out=tmp_path, tolerance=0.01, fresh_replications=6)
    assert response.outcome == "settled"
    assert response.final["firms.A.price"] == response.final["firms.B.price"]
    last = [t for t in response.turns if t.round == response.turns[-1].round]
    assert [t.moved for t in last] == [False, False]  # neither can gain by changing alone
    a, b = (response.worth[f]["final"]["mean"] for f in "AB")
    assert abs(a - b) <= 0.1 * max(abs(a), abs(b))  # symmetric firms earn alike at the settled prices


def test_command_uses_the_scenario_section_and_writes_outputs(tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["optimise", "scenarios/mass_market.toml", "--set", "market.customers=300",
                                       "--set", "run.steps=12", "-r", "2", "--fresh-replications", "3",
                                       "--top", "3", "--out", str(out), "-w", "1"])
    assert result.exit_code == 0, result.output
    document = json.loads((out / "optimisation.json").read_text())
    assert set(document["best"]) == {"firms.Partner.relationship"}
    assert document["firm"] == "Partner" and document["trials"] == 5
    low, high = document["best_objective"]["ci95"]
    assert low <= document["best_objective"]["mean"] <= high
    assert len(document["candidates"]) == 4  # the top 3 and the scenario's own level
    lines = (out / "trials.csv").read_text().splitlines()
    assert lines[0] == "number,firms.Partner.relationship,customer_equity,feasible,state" and len(lines) == 6
    pd.testing.assert_frame_equal(pd.read_parquet(out / "trials.parquet"), pd.read_csv(out / "trials.csv"),
                                  check_dtype=False)
    for name in ("convergence.png", "decisions.png", "report.md", "study.db"):
        assert (out / name).stat().st_size > 0
    assert all(len(line) <= 80 for line in result.stdout.splitlines())


@pytest.mark.parametrize("args, message", [
    (["--decision", "firms.Partner.pric=1:2"], "firms[1].pric: unknown key; did you mean 'price'?"),
    (["--decision", "firms.Partner.price=2:1"], "expected LOW < HIGH"),
    (["--decision", "firms.Partner.price=0:2"], "firms[1].price: expected a number > 0"),
    (["--decision", "firms.Partner.relationship=basic,friendly"], "unknown relationship level 'friendly'"),
    (["--decision", "market.customers=10.5:20"], "market.customers is a whole number"),
    (["--objective", "profits"], "unknown metric; did you mean 'profit'?"),
    (["--constraint", "retention>0.9"], "expected METRIC>=NUMBER or METRIC<=NUMBER"),
    (["--firm", "Partnr"], "--firm 'Partnr': no such firm"),
])
def test_mistakes_give_one_line_and_exit_code_2(args, message, tmp_path):
    result = CliRunner().invoke(main, ["optimise", "scenarios/mass_market.toml", "--out", str(tmp_path), *args])
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1


def test_optimise_section_is_validated():
    with pytest.raises(Exception, match="optimise.trials: expected a number >= 1"):
        validate_document({"optimise": {"firm": "A", "decisions": {"firms.A.price": "1:2"}, "trials": 0}})


def test_per_segment_level_keeps_the_other_segments_level(tmp_path):
    """firms.NAME.relationship.SEGMENT on a firm with one level for all: the other segments keep it."""
    spec = load_scenario("scenarios/quickstart.toml", {"market.customers": 300, "run.steps": 6})
    firm = spec.firms[0].name
    segments = [s.name for s in spec.market.segments]
    changed = apply_decisions(spec, {f"firms.{firm}.relationship.{segments[0]}": "partnership"})
    level = spec.firms[0].relationship
    assert isinstance(level, str)
    assert changed.firms[0].relationship == {segments[0]: "partnership", **{s: level for s in segments[1:]}}
    result = optimise(spec, firm, {f"firms.{firm}.relationship.{segments[0]}": "basic,partnership"},
                      replications=1, fresh_replications=2, out=tmp_path)
    assert len(result.trials) == 2 and set(result.trials[f"firms.{firm}.relationship.{segments[0]}"]) == {
        "basic", "partnership"}


def test_constraints_mark_feasible_trials_and_bind_the_best(tmp_path):
    spec = validate_document(MONOPOLY)
    result = optimise(spec, "Solo", ["firms.Solo.price=0.7:3.1"], objective="profit",
                      constraints=["retention_rate>=0.985"], trials=12, replications=1, fresh_replications=3,
                      out=tmp_path)
    trials = result.trials
    assert list(trials.columns) == ["number", "firms.Solo.price", "profit", "retention_rate", "feasible", "state"]
    assert (trials["feasible"] == (trials["retention_rate"] >= 0.985)).all()
    assert trials["feasible"].any() and not trials["feasible"].all()  # the bound cuts through the range
    if result.best.feasible:
        assert result.best.metrics["retention_rate"] >= 0.985


def test_respond_command_writes_the_play(tmp_path):
    scenario = tmp_path / "two.toml"
    scenario.write_text('name = "two"\n[run]\nsteps = 12\nseed = 2\nreplications = 2\n[market]\ncustomers = 300\n'
                        '[[firms]]\nname = "A"\n[[firms]]\nname = "B"\n')
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["optimise", str(scenario), "--respond", "A,B", "--decision",
                                       "firms.*.price=0.9,1.0", "--objective", "profit", "--rounds", "2",
                                       "--fresh-replications", "3", "--out", str(out), "-w", "1"])
    assert result.exit_code == 0, result.output
    play = json.loads((out / "respond.json").read_text())
    assert play["outcome"] in ("settled", "cycled", "ran out of rounds")
    assert set(play["final"]) == {"firms.A.price", "firms.B.price"} and set(play["worth"]) == {"A", "B"}
    assert [t["firm"] for t in play["turns"]][:2] == ["A", "B"]
    assert (out / "round1-A" / "study.db").is_file()  # each turn's study
    bad = CliRunner().invoke(main, ["optimise", str(scenario), "--respond", "A,C", "--decision", "firms.*.price=1:2"])
    assert bad.exit_code == 2 and "--respond 'A,C': expected two or more of the firms A, B" in bad.stderr


@pytest.mark.slow
def test_optimisation_on_a_dask_cluster_equals_the_local_pool(cluster, tmp_path):
    """The same study and the same re-evaluation whether the runs go to Dask or to local processes."""
    from sim.runs.dask_engine import DaskEngine

    spec = validate_document(MONOPOLY)
    args = dict(decisions=["firms.Solo.price=0.7:3.1"], objective="profit", trials=4, replications=2,
                fresh_replications=2, top=2)
    on_cluster = optimise(spec, "Solo", out=tmp_path / "dask", engine=DaskEngine(cluster[0]), **args)
    local = optimise(spec, "Solo", out=tmp_path / "pool", engine=LocalEngine(workers=2), **args)
    assert on_cluster.trials.equals(local.trials)
    assert on_cluster.best.values == local.best.values and on_cluster.best.fresh == local.best.fresh
