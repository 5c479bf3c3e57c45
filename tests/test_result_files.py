"""Every output directory reads as data: each table as CSV and as Parquet, equal in content;
the stored runs as plain CSV files with checksummed sidecars; a manifest, results.json, that
lists the tables."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import sim
from sim.cli.main import main
from sim.outputs.manifest import FORMAT
from sim.runs.store import FORMAT as RUN_FORMAT

SCENARIO = """
name = "files"
[run]
steps = 4
seed = 11
replications = 2
[market]
customers = 150
[[firms]]
name = "A"
[[firms]]
name = "B"
[compare]
arms = [{ name = "as_is" }, { name = "B partnership", set = { "firms.B.relationship" = "partnership" } }]
[sweep]
method = "grid"
parameters = { "firms.A.price" = [0.9, 1.1], "firms.B.relationship" = ["basic", "partnership"] }
"""
FIRMS = ["A", "B"]


def marketsim(*args: str) -> str:
    """``marketsim ARGS`` in this process; what it printed."""
    result = CliRunner().invoke(main, [*args, "--workers", "1"])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def directories(tmp_path_factory) -> dict[str, Path]:
    """One output directory per command, from the same scenario."""
    root = tmp_path_factory.mktemp("results")
    scenario = root / "files.toml"
    scenario.write_text(SCENARIO)
    out = {kind: root / kind for kind in ("run", "compare", "sweep")}
    for kind, directory in out.items():
        marketsim(kind, str(scenario), "--out", str(directory))
    return out


def manifest(directory: Path) -> dict:
    return json.loads((directory / "results.json").read_text())


@pytest.mark.parametrize("kind", ["run", "compare", "sweep"])
def test_every_table_is_listed_and_its_parquet_equals_its_csv(directories, kind):
    out = directories[kind]
    document = manifest(out)
    assert document["format"] == FORMAT and document["kind"] == kind
    assert document["scenario"]["name"] == "files" and document["scenario"]["market"]["customers"] == 150
    assert (document["seed"], document["replications"]) == (11, 2)
    assert set(document["tables"]) == {p.stem for p in out.glob("*.csv")}, "every table written is listed"
    for stem, parquet in document["tables"].items():
        assert parquet == f"{stem}.parquet"
        pd.testing.assert_frame_equal(pd.read_parquet(out / parquet), pd.read_csv(out / f"{stem}.csv"),
                                      check_exact=True)


def test_a_run_directory_holds_its_tables(directories):
    tables = manifest(directories["run"])["tables"]
    assert list(tables) == ["timeseries", "per_replication", "summary", "segments", "customer_value"]
    per_replication = pd.read_parquet(directories["run"] / "per_replication.parquet")
    assert list(per_replication.columns[:3]) == ["replication", "firm", "retention_rate"]
    assert len(per_replication) == 2 * len(FIRMS)
    summary = pd.read_parquet(directories["run"] / "summary.parquet")
    assert list(summary.columns) == ["firm", "metric", "mean", "ci_low", "ci_high"]
    document = json.loads((directories["run"] / "summary.json").read_text())
    equity = summary.query("firm == 'B' and metric == 'customer_equity'").iloc[0]
    assert [equity["mean"], equity["ci_low"], equity["ci_high"]] == [
        document["firms"]["B"]["customer_equity"]["mean"], *document["firms"]["B"]["customer_equity"]["ci95"]]


def test_stored_runs_are_plain_csv_equal_to_the_timeseries(directories):
    out = directories["run"]
    series = pd.read_csv(out / "timeseries.csv")
    for k in range(2):
        path = out / "runs" / f"r{k}.csv"
        run = pd.read_csv(path)
        pd.testing.assert_frame_equal(run, series[series["replication"] == k].reset_index(drop=True), check_exact=True)
        sidecar = json.loads(path.with_suffix(".json").read_text())
        assert sidecar == {"format": RUN_FORMAT, "key": f"r{k}", "fingerprint": sidecar["fingerprint"],
                           "body_sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "rows": len(run)}
        segments = out / "runs" / "segments" / f"r{k}.csv"
        assert pd.read_csv(segments)["step"].max() == 4 and segments.with_suffix(".json").is_file()


def test_a_checksum_mismatch_or_an_old_format_run_is_recomputed(directories, tmp_path):
    out = tmp_path / "run"
    shutil.copytree(directories["run"], out)
    before = (out / "timeseries.csv").read_bytes()
    sidecar = out / "runs" / "r0.json"
    sidecar.write_text(sidecar.read_text().replace(json.loads(sidecar.read_text())["body_sha256"], "0" * 64))
    old = out / "runs" / "r1.csv"
    body = old.read_bytes()
    old.write_bytes(f"# marketsim-run v1 fingerprint={'0' * 64} body={hashlib.sha256(body).hexdigest()}\n".encode()
                    + body)
    old.with_suffix(".json").unlink()
    scenario = str(directories["run"].parent / "files.toml")
    printed = marketsim("run", scenario, "--out", str(out))
    assert "reused" not in printed, "both runs computed again"
    assert old.read_bytes() == body and json.loads(sidecar.read_text())["body_sha256"] == hashlib.sha256(
        (out / "runs" / "r0.csv").read_bytes()).hexdigest(), "and their files replaced"
    assert (out / "timeseries.csv").read_bytes() == before
    assert "reused 2 finished run(s)" in marketsim("run", scenario, "--out", str(out))


def test_a_comparison_has_one_long_time_series_with_every_arm(directories):
    out = directories["compare"]
    document = manifest(out)
    assert document["baseline"] == "as_is"
    assert document["arms"] == {"as_is": {}, "B partnership": {"firms.B.relationship": "partnership"}}
    series = pd.read_parquet(out / "timeseries.parquet")
    assert list(series.columns[:4]) == ["arm", "replication", "step", "firm"]
    assert list(dict.fromkeys(series["arm"])) == ["as_is", "B partnership"]
    for arm, stored in (("as_is", "as_is"), ("B partnership", "B_partnership")):
        runs = pd.concat([pd.read_csv(out / "runs" / f"{stored}-r{k}.csv") for k in range(2)], ignore_index=True)
        mine = series[series["arm"] == arm].drop(columns="arm").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, runs, check_exact=True)
    per_replication = pd.read_parquet(out / "per_replication.parquet")
    assert list(per_replication.columns[:3]) == ["arm", "replication", "firm"]
    assert len(per_replication) == 2 * 2 * len(FIRMS)


def test_a_sweep_has_one_row_per_sample_replication_and_firm(directories):
    out = directories["sweep"]
    rows = pd.read_csv(out / "sweep.csv")
    parameters = ["firms.A.price", "firms.B.relationship"]
    assert list(rows.columns[:6]) == ["sample", "replication", "seed", *parameters, "firm"]
    assert len(rows) == 4 * 2 * len(FIRMS)
    assert not rows.duplicated(["sample", "replication", "firm"]).any()
    design = manifest(out)["design"]
    assert design["method"] == "grid" and design["parameters"] == parameters and len(design["points"]) == 4


def test_a_directory_whose_writing_is_cut_off_has_no_manifest(directories, tmp_path, monkeypatch):
    out = tmp_path / "run"
    shutil.copytree(directories["run"], out)
    scenario = str(directories["run"].parent / "files.toml")
    real_replace = os.replace

    def disk_full_at_the_report(source, target, *args, **kwargs):
        if str(target).endswith("report.html"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_replace(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", disk_full_at_the_report)
    result = CliRunner().invoke(main, ["run", scenario, "--out", str(out), "--workers", "1"])
    assert result.exit_code == 2 and "No space left on device" in result.output, result.output
    assert not (out / "results.json").exists(), "the earlier manifest went when writing started"
    monkeypatch.setattr(os, "replace", real_replace)
    marketsim("run", scenario, "--out", str(out))
    assert manifest(out)["tables"] == manifest(directories["run"])["tables"]


@pytest.mark.parametrize("kind", ["run", "compare", "sweep"])
def test_the_python_api_writes_the_same_directory_and_load_results_reads_it(directories, tmp_path, kind):
    call = {"run": sim.run_replications, "compare": sim.compare, "sweep": sim.sweep}[kind]
    scenario = directories[kind].parent / "files.toml"
    out = tmp_path / kind
    call(scenario, workers=1, out=out, **({"segments": True} if kind == "run" else {}))
    tables = manifest(out)["tables"]
    assert tables == manifest(directories[kind])["tables"]
    for parquet in tables.values():
        pd.testing.assert_frame_equal(pd.read_parquet(out / parquet), pd.read_parquet(directories[kind] / parquet),
                                      check_exact=True)
    loaded = sim.load_results(out)
    pd.testing.assert_frame_equal(loaded.timeseries if kind != "sweep" else loaded.rows,
                                  pd.read_parquet(out / tables["timeseries" if kind != "sweep" else "sweep"]))


class Steady(sim.Strategy):
    """A researcher's own strategy: keeps every decision as it is."""

    def decide(self, firm, model):
        pass


def test_a_researchers_strategies_are_named_in_the_manifest(directories, tmp_path):
    done = sim.run_replications(directories["run"].parent / "files.toml", strategies={"A": Steady()}, workers=1,
                                out=tmp_path)
    assert manifest(tmp_path)["strategies"] == done.strategies and list(done.strategies) == ["A"]
    assert sim.load_results(tmp_path).strategies == done.strategies
