"""``report.html``: one self-contained page (no external requests, images embedded),
with key findings that match summary.json, for run, compare and sweep; opened
in Debian's headless chromium, it renders every image and prints to PDF."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from .conftest import ROOT, marketsim

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
ARTIFACTS = ROOT / "test-artifacts"
SMALL = ("-r", "3", "--set", "market.customers=400", "--set", "run.steps=6", "--workers", "2")


@pytest.fixture(scope="module")
def run_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "run"
    result = marketsim("run", str(ROOT / "scenarios" / "quickstart.toml"), "--out", str(out), *SMALL)
    assert result.returncode == 0, result.stderr
    return out


def assert_self_contained(html: str) -> None:
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "no external resource"
    assert "url(" not in html and "@import" not in html
    images = re.findall(r'<img src="([^"]+)"', html)
    assert images and all(src.startswith("data:image/png;base64,") for src in images)


def test_the_run_report_is_self_contained_and_states_who_leads(run_out: Path):
    html = (run_out / "report.html").read_text()
    assert_self_contained(html)
    assert html.count("<img ") == 4
    summary = json.loads((run_out / "summary.json").read_text())
    firms = summary["firms"]
    leader = max(firms, key=lambda f: firms[f]["customer_equity"]["mean"])
    assert f"{leader} leads on customer equity ({firms[leader]['customer_equity']['mean']:,.0f} CU)" in html
    retention = max(firms, key=lambda f: firms[f]["retention_rate"]["mean"])
    assert f"{retention} leads on retention per month" in html
    for segment, lead in summary["segment_leaders"].items():
        assert f"In segment {segment}, {lead['customer_equity']} leads on customer equity" in html
        assert f"{lead['retention_rate']} on retention" in html or f"{lead['retention_rate']} leads on" in html
        assert f"Segment: {segment}" in html
    assert "Three firms compete for two segments" in html, "the scenario's description"
    assert "significant" in html


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium")
@pytest.mark.parametrize(("command", "heading", "images"), [("run", "quickstart: results", 4),
                                                           ("compare", "cmp: strategy comparison", 1),
                                                           ("sweep", "quality_race: parameter sweep", 1)])
def test_chromium_renders_the_report_offline_and_prints_it(request, command, heading, images):
    from playwright.sync_api import sync_playwright

    out = request.getfixturevalue(f"{command}_out")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            requested = []
            page.on("request", lambda request: requested.append(request.url))
            page.goto((out / "report.html").as_uri())
            widths = page.eval_on_selector_all("img", "images => images.map(i => i.complete ? i.naturalWidth : 0)")
            assert widths == [1280] * images, "every plot rendered, at slide size"
            assert page.inner_text("h1") == heading
            assert "Key findings" in page.inner_text("body")
            assert [u for u in requested if not u.startswith(("file:", "data:"))] == []
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"report_{command}.png"), full_page=True)
            pdf = page.pdf(format="A4")
        finally:
            browser.close()
    assert pdf[:5] == b"%PDF-" and len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 2, "printed, on pages"


COMPARE_TOML = """
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
  { name = "B basic", set = { "firms.B.relationship" = "basic" } },
]
"""


@pytest.fixture(scope="module")
def compare_out(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("compare") / "cmp.toml"
    path.write_text(COMPARE_TOML)
    out = path.parent / "out"
    result = marketsim("compare", str(path), "--out", str(out), "--workers", "2")
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def sweep_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sweep") / "out"
    result = marketsim("sweep", str(ROOT / "scenarios" / "quality_race.toml"), "--out", str(out), "-r", "2",
                       "--set", "market.customers=400", "--set", "run.steps=12", "--workers", "2", columns=80)
    assert result.returncode == 0, result.stderr
    return out


def test_the_compare_report_names_the_best_arm_and_each_difference(compare_out: Path):
    out = compare_out
    html = (out / "report.html").read_text()
    assert_self_contained(html)
    results = json.loads((out / "comparison.json").read_text())["results"]
    arms = ["B partnership", "B basic"]
    best = max(arms, key=lambda a: results[a]["B"]["customer_equity"]["mean"])
    assert f"For B, &#39;{best}&#39; gives the highest customer equity of the 2 arms" in html
    for arm in arms:
        diff = results[arm]["B"]["customer_equity"]["diff"]
        verdict = "significant" if diff["p_value"] < 0.05 else "not significant"
        assert f"&#39;{arm}&#39; against &#39;as_is&#39;: customer equity {diff['mean']:+,.0f} CU ({verdict}" in html
    assert (out / "comparison_forest.svg").read_text().startswith("<?xml")


def test_the_sweep_report_and_plots_show_where_profit_peaks(sweep_out: Path):
    out = sweep_out
    html = (out / "report.html").read_text()
    assert_self_contained(html)
    summary = pd.read_csv(out / "sweep_summary.csv")
    profit = summary.query("firm == 'Leader' and metric == 'profit'")
    peak = profit.loc[profit["mean"].idxmax()]
    investment = peak["firms.Leader.quality_investment"]
    assert f"its profit peaks at Leader quality investment = {investment:,.0f} ({peak['mean']:,.0f} CU" in html
    stem = "response_1_firms.Leader.quality_investment"
    assert (out / f"{stem}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and (out / f"{stem}.svg").is_file()
    assert html.count("<img ") == 1


def test_a_lead_is_significant_only_when_the_paired_interval_excludes_zero():
    from sim.outputs.findings import lead, sentence

    rng = np.random.default_rng(3)
    shared = rng.normal(100_000, 20_000, size=5)  # what the firms of one replication share
    clear = pd.DataFrame({"replication": np.tile(range(5), 2), "firm": np.repeat(["A", "B"], 5),
                          "customer_equity": np.concatenate([shared + 5_000 + rng.normal(0, 500, 5), shared])})
    found = lead(clear, "customer_equity")
    assert (found.leader, found.runner_up) == ("A", "B") and found.significant
    assert found.difference == pytest.approx(clear.customer_equity[:5].mean() - clear.customer_equity[5:].mean())
    assert sentence(found).endswith("; a significant lead.")
    noisy = clear.assign(customer_equity=np.concatenate([shared + 500 + rng.normal(0, 20_000, 5), shared]))
    found = lead(noisy, "customer_equity")
    assert not found.significant and found.ci95[0] < 0 < found.ci95[1]
    assert "not significantly ahead" in sentence(found)
