"""The teaching dashboard: its parts in process, then the whole in a real
browser, clicked through as a teacher would.

``marketsim dashboard`` serves the app on 127.0.0.1 and a free port, at the
classroom's 3,000 customers; Playwright drives Debian's headless chromium (never
a downloaded browser) at projector size. The page must show the lesson, every
figure a lesson cites and the controls' values, without Mesa's developer
controls; a Step must show within 300 ms (median); Reset must repeat a run
exactly (the seed is a control) and a moved slider change it; the end of the
run must say so and its data download; the picker must open every classroom
scenario with its lesson; two tabs run apart, a reload starts afresh, and the
server log stays free of solara's cookie warning. Screenshots are left in
``test-artifacts/``.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from solara.server.settings import assets

from sim import MarketModel, load_scenario
from sim.cli.dashboard import VEGA_ASSETS, addresses, network_note, offline_chart_assets
from sim.cli.main import main
from sim.viz.charts import firm_metric_chart, firm_satisfaction_chart, satisfaction_mix_chart
from sim.viz.controls import initial_values, model_params
from sim.viz.customer_value import customer_value_table
from sim.viz.dashboard_model import KEEP, DashboardModel
from sim.viz.lessons import SECTIONS, inline_html, lesson_for, load_lessons
from sim.viz.network_view import NO_SUPPLIER, SAMPLE_SIZE, SHAPES, model_sample, network_chart
from sim.viz.scoreboard import results_table, segment_customers

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
SCENARIO = ROOT / "scenarios" / "quickstart.toml"
CUSTOMERS = 3000  # the classroom's market size, at which a Step must show within STEP_LATENCY_S
MONTHS = 8  # the browser tests' run length, so that they reach its end
STEP_LATENCY_S = 0.3  # median, click to the page showing the new month
CHARTS = 10  # seven firm metrics over time, the market's satisfaction mix and each firm's, the network view
LOAD_TIMEOUT_S = 180  # server start-up plus first render on two busy cores
ACTION_TIMEOUT_MS = 90_000

browser = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium "
                                                           "(.ci/run installs it: apt-get install chromium)")


# ------------------------------------------------------------ in process ---


def test_controls_start_at_the_scenario_so_reset_rebuilds_the_same_run():
    spec = load_scenario(SCENARIO, {"market.customers": 300})
    dashboard = DashboardModel(**initial_values(model_params(spec)))
    plain = MarketModel(spec, rng=spec.run.seed)
    assert dashboard.run(5).equals(plain.run(5))
    assert KEEP == initial_values(model_params(spec))["firms[2]__relationship"]  # Premium's levels differ by segment
    assert dashboard.firm("Premium").relationship_names() == {"value_seekers": "basic", "premium": "accountable"}


def test_a_moved_control_is_a_scenario_override():
    spec = load_scenario(SCENARIO, {"market.customers": 300})
    values = {**initial_values(model_params(spec)), "firms[0]__price": 1.15, "firms[1]__relationship": "partnership",
              "market__network__kind": "scale_free", "rng": 5}
    model = DashboardModel(**values, scenario=object())  # Mesa 3.5's Reset also passes its own scenario object
    assert model.firm("Budget").price == 1.15
    assert model.firm("Middle").relationship_names() == {"value_seekers": "partnership", "premium": "partnership"}
    assert model.spec.market.network.kind == "scale_free"
    assert model.run(3).equals(MarketModel(spec, rng=5, **{k: v for k, v in values.items()
                                                            if k not in ("spec", "rng") and v != KEEP}).run(3))


def test_reset_builds_from_the_live_control_values():
    spec = load_scenario(SCENARIO, {"market.customers": 300})
    controls = {k: v for k, v in initial_values(model_params(spec)).items() if k != "spec"}
    first = DashboardModel(spec=spec, controls=controls)
    assert first.controls == controls and first.run_seed == spec.run.seed
    controls["firms[0]__price"] = 1.3  # a slider moves: the page's mapping changes, the model does not
    controls["rng"] = 9
    assert first.firm("Budget").price != 1.3 and first.controls != controls
    again = DashboardModel(spec=spec, controls=controls)  # what Reset builds
    assert again.firm("Budget").price == 1.3 and again.run_seed == 9 and again.controls == controls


def test_customer_value_table_weighs_each_attribute_and_adds_up_to_perceived_value():
    model = MarketModel(SCENARIO, rng=1, market__customers=200)
    table = customer_value_table(model)
    delivered, cost = model.offers()
    for g, segment in enumerate(s.name for s in model.spec.market.segments):
        rows = table.loc[segment]
        assert rows["importance %"].sum() == pytest.approx(100.0)
        for i, firm in enumerate(model.firm_list):
            assert rows.loc["total benefit", firm.name] == pytest.approx(delivered[g, i])
            assert rows.loc["perceived value", firm.name] == pytest.approx(delivered[g, i] - cost[g, i])
            assert rows.loc["price", firm.name] == firm.price
    # value seekers weigh price 1.6, premium customers 0.7 (scenarios/quickstart.toml)
    assert table.loc[("value_seekers", "price"), "importance %"] > 2 * table.loc[("premium", "price"), "importance %"]


@pytest.mark.parametrize("kind", ["small_world", "scale_free", "random", "fully_mixed"])
def test_network_view_draws_a_neighbourhood_of_real_edges(kind):
    model = MarketModel(SCENARIO, rng=2, market__customers=1500, market__network__kind=kind)
    sample = model_sample(model)
    assert sample.customers.size == SAMPLE_SIZE == len(set(sample.customers.tolist()))
    assert sample.positions.shape == (SAMPLE_SIZE, 2) and np.isfinite(sample.positions).all()
    if kind == "fully_mixed":
        assert sample.edges.size == 0
        return
    a, b = sample.customers[sample.edges[:, 0]], sample.customers[sample.edges[:, 1]]
    assert len(a) > SAMPLE_SIZE and np.all(np.asarray(model.adjacency[a, b]).ravel() == 1)
    assert model_sample(model) is sample  # laid out once per model


def test_network_view_shows_each_drawn_customer_s_firm_and_satisfaction():
    model = MarketModel(SCENARIO, rng=2, market__customers=1500)
    model.run(2)
    spec = network_chart(model)
    sample = model_sample(model)
    points, edges = spec["datasets"]["table"], spec["datasets"]["edges"]
    assert len(points) == SAMPLE_SIZE and len(edges) == len(sample.edges)
    names = [f.name for f in model.firm_list]
    for point, row in zip(points, sample.customers, strict=True):
        firm = model.state.firm[row]
        assert point["firm"] == (names[firm] if firm >= 0 else NO_SUPPLIER)
        assert point["state"] == SHAPES[model.state.satisfaction_state[row]][0]
    assert "1,500 customers" in spec["title"]


def test_dashboard_command_rejects_a_bad_scenario_before_serving(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[market]\ncustomerz = 10\n')
    result = CliRunner().invoke(main, ["dashboard", str(bad), "--port", "0"])
    assert result.exit_code == 2
    assert "bad.toml" in result.output and "customerz" in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(main, ["dashboard", "--set", "market.customers=10"])
    assert result.exit_code == 2 and "SCENARIO" in result.output


def test_scoreboard_shows_every_figure_a_lesson_cites_formatted_for_reading_aloud():
    model = MarketModel(SCENARIO, rng=3, market__customers=1200)
    model.run(4)
    table = results_table(model)
    firms = ["Budget", "Middle", "Premium"]
    last = model.firm_dataframe().query("step == 4").set_index("firm")
    for firm in firms:
        assert table.loc["customers", firm] == f"{last.loc[firm, 'customers']:,.0f}"
        assert table.loc["retention (a month)", firm] == f"{100 * last.loc[firm, 'retention_rate']:.0f} %"
        assert table.loc["cumulative profit (discounted)", firm] == f"{last.loc[firm, 'discounted_profit']:,.0f} CU"
        assert table.loc["lifetime value of a customer", firm] == f"{last.loc[firm, 'clv_expected']:,.0f} CU"
        assert table.loc["value of a new customer", firm] == f"{last.loc[firm, 'new_customer_value']:,.0f} CU"
        assert table.loc["won this month", firm] == f"{last.loc[firm, 'acquisitions']:,.0f}"
        assert table.loc["delighted", firm] == f"{100 * last.loc[firm, 'share_delighted']:.0f} %"
    per_segment = segment_customers(model)
    assert sorted(per_segment) == ["premium", "value_seekers"]
    assert sum(per_segment.values()).tolist() == last.loc[firms, "customers"].tolist()
    assert table.loc["customers: premium", "Budget"] == f"{per_segment['premium'][0]:,}"
    assert not any("e+" in cell or "nan" in cell for cell in table.to_numpy().ravel())  # no 1e6, no NaN


def test_charts_are_browser_drawn_specs_of_the_collected_figures():
    model = MarketModel(SCENARIO, rng=3, market__customers=600)
    model.run(3)
    frame, firms = model.firm_dataframe(), ["Budget", "Middle", "Premium"]
    spec = firm_metric_chart(frame, "clv_expected", "CLV", firms, 24)
    assert spec["data"] == {"name": "table"}
    values = spec["datasets"]["table"]
    assert [(v["month"], v["firm"]) for v in values] == list(zip(frame["step"], frame["firm"], strict=True))
    assert [v["value"] for v in values] == pytest.approx(frame["clv_expected"].tolist())
    assert spec["config"]["title"]["fontSize"] >= 16 and spec["config"]["legend"]["labelFontSize"] >= 14
    mix = satisfaction_mix_chart(frame, 24)["datasets"]["table"]
    for month in (1, 2, 3):
        assert sum(v["share"] for v in mix if v["month"] == month) == pytest.approx(1.0)
    per_firm = firm_satisfaction_chart(frame, firms)["datasets"]["table"]
    last = frame.query("step == 3").set_index("firm")
    shares = {(v["firm"], v["state"]): v["share"] for v in per_firm}
    assert shares[("Budget", "delighted")] == pytest.approx(last.loc["Budget", "share_delighted"])


def test_every_classroom_scenario_has_a_lesson_with_every_section():
    lessons = load_lessons()
    assert [lesson.name for lesson in lessons] == ["perceived_value", "over_promising", "delight_word_of_mouth",
                                                   "relationship_levels", "quality_competition", "lifetime_value"]
    for lesson in lessons:
        assert lesson.scenario.is_file() and lesson_for(lesson.scenario) == lesson
        assert list(lesson.sections) == list(SECTIONS) and all(len(t) > 40 for t in lesson.sections.values())
    assert lesson_for(SCENARIO) is None  # not a classroom scenario: the page shows its description
    assert inline_html("a *b* & **c**") == "a <em>b</em> &amp; <strong>c</strong>"


def test_offline_chart_assets_are_the_shipped_vega_files():
    offline_chart_assets()
    for wanted, shipped in VEGA_ASSETS.items():
        assert (assets.proxy_cache_dir / wanted).read_bytes() == (assets.proxy_cache_dir / shipped).read_bytes()


def test_dashboard_serves_this_machine_only_unless_given_a_host():
    help_text = " ".join(CliRunner().invoke(main, ["dashboard", "--help"]).output.split())
    assert "--host TEXT" in help_text and "[default: 127.0.0.1]" in help_text
    note = network_note("0.0.0.0", 8765)
    assert "anyone who can reach it over the network" in note and "no password" in note
    assert all(f"http://{a}:8765/" in note for a in addresses()) and "127.0.0.1" not in note
    assert "http://10.1.2.3:9000/" in network_note("10.1.2.3", 9000)



# --------------------------------------------------------- in a browser ---


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server_log():
    """The server's output lines, read as they come."""
    return []


@pytest.fixture(scope="module")
def dashboard_url(server_log):
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "dashboard", str(SCENARIO), "--port", str(port),
         "--set", f"market.customers={CUSTOMERS}", "--set", f"run.steps={MONTHS}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    reader = threading.Thread(target=lambda: server_log.extend(iter(server.stdout.readline, "")), daemon=True)
    try:
        url = f"http://127.0.0.1:{port}/"
        reader.start()
        deadline = time.monotonic() + LOAD_TIMEOUT_S
        while not any(line.startswith(f"dashboard: {url}") for line in server_log):  # the address, once it answers
            if server.poll() is not None or time.monotonic() > deadline:
                raise AssertionError("dashboard server did not come up:\n" + "".join(server_log))
            time.sleep(0.1)
        urllib.request.urlopen(url, timeout=LOAD_TIMEOUT_S).close()  # it answers when its address is printed
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        reader.join(timeout=10)
        server.stdout.close()


@pytest.fixture(scope="module")
def browser_instance(dashboard_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


def open_page(browser, url, width=1920, height=1080):
    """A new tab on the dashboard (projector-sized by default), once its charts are drawn."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(ACTION_TIMEOUT_MS)
    page.goto(url)
    page.get_by_role("button", name="Step").wait_for(timeout=LOAD_TIMEOUT_S * 1000)
    page.locator(".vega-embed").nth(CHARTS - 1).wait_for(timeout=LOAD_TIMEOUT_S * 1000)
    return page


@pytest.fixture(scope="module")
def page(browser_instance, dashboard_url):
    page = open_page(browser_instance, dashboard_url)
    yield page
    page.close()


#: True once the page shows month n ("Month n of M", or "Run finished: month n of M").
SHOWS_MONTH = "n => new RegExp('onth ' + n + ' of').test(document.querySelector('.marketsim-status')?.innerText || '')"
STEP_ENABLED = ("() => [...document.querySelectorAll('button')].some("
                "b => b.innerText.trim().toUpperCase() === 'STEP' && !b.disabled)")


def month(page) -> int:
    return int(re.search(r"onth (\d+) of", page.locator(".marketsim-status").inner_text()).group(1))


def scoreboard(page) -> str:
    return page.locator("table.marketsim-table").first.inner_text()


def step(page) -> None:
    n = month(page)
    page.get_by_role("button", name="Step").click()
    page.wait_for_function(SHOWS_MONTH, arg=n + 1)


def reset(page) -> None:
    page.get_by_role("button", name="Reset").click()
    page.wait_for_function(SHOWS_MONTH, arg=0)
    page.wait_for_function(STEP_ENABLED)


def run_two_months(page) -> str:
    """Reset, step twice; the scoreboard afterwards."""
    reset(page)
    step(page)
    step(page)
    page.get_by_text(re.compile(r"Scoreboard, month 2$")).wait_for()  # the scoreboard has redrawn too
    return scoreboard(page)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    assert path.stat().st_size > 10_000
    return path


@browser
@pytest.mark.slow
def test_page_shows_controls_with_values_charts_and_tables_without_developer_controls(page):
    for label in ("Seed", "Customers", "Budget: price (CU)", "Premium: relationship"):
        assert page.get_by_text(label, exact=True).count() >= 1, label
    for hidden in ("Render Interval (steps)", "Use Threads"):
        assert not page.get_by_text(hidden).is_visible(), hidden
    assert page.get_by_text("Page 0").count() == 0
    assert page.locator(".v-slider__thumb-label").first.is_visible()  # a slider's value, without dragging it
    assert page.locator(".vega-embed").count() == CHARTS and page.locator("img.widget-image").count() == 0
    for title in ("Lifetime value of a customer (CU)", "Quality", "Satisfaction mix per firm, this month"):
        assert page.locator(".vega-embed").filter(has_text=title).count() == 1, title
    for row in ("customers: premium", "lifetime value of a customer", "cumulative profit (discounted)",
                "won this month", "lost this month", "delighted"):
        assert page.locator("table.marketsim-table").first.get_by_text(row, exact=True).count() == 1, row
    assert page.get_by_text("Customer value analysis").count() == 1
    screenshot(page, "dashboard")


@browser
@pytest.mark.slow
def test_a_step_shows_within_300_ms_at_3000_customers(page):
    reset(page)
    latencies = []
    for n in range(1, MONTHS - 1):
        latencies.append(page.evaluate("""async n => {
            const start = performance.now();
            [...document.querySelectorAll('button')].find(b => b.innerText.trim().toUpperCase() === 'STEP').click();
            while (!new RegExp('onth ' + n + ' of').test(document.querySelector('.marketsim-status').innerText))
                await new Promise(r => requestAnimationFrame(r));
            return (performance.now() - start) / 1000;
        }""", n))
        page.wait_for_function(STEP_ENABLED)
    print("Step latencies (s):", np.round(latencies, 3))
    assert np.median(latencies) < STEP_LATENCY_S, f"Step latencies (s): {np.round(latencies, 3)}"


@browser
@pytest.mark.slow
def test_reset_repeats_and_a_slider_changes_the_run(page):
    first = run_two_months(page)
    assert run_two_months(page) == first  # the seed is a control: Reset repeats the run exactly

    price = page.locator(".v-input").filter(has=page.get_by_text("Budget: price (CU)", exact=True)) \
        .locator("[role=slider]")
    old = float(price.get_attribute("aria-valuenow"))
    price.focus()
    page.keyboard.press("ArrowRight")  # one step of 0.05: one value change, sent before Reset is
    page.wait_for_function("([el, old]) => parseFloat(el.getAttribute('aria-valuenow')) > old + 0.01",
                           arg=[price.element_handle(), old])
    page.get_by_text("Changed: press Reset to run with these values.").wait_for()

    changed = run_two_months(page)
    assert page.get_by_text("Changed: press Reset").count() == 0  # the run now has the new values
    offer = page.locator("table.marketsim-table").nth(1).inner_text()
    assert offer.split("price")[1].split()[0] == f"{old + 0.05:.2f}"  # Budget's new price is in force
    assert changed != first


@browser
@pytest.mark.slow
def test_the_end_of_the_run_says_so_and_its_data_downloads(page):
    reset(page)
    for _ in range(MONTHS):
        step(page)
    page.get_by_text(f"Run finished: month {MONTHS} of {MONTHS}. Press Reset to run it again.").wait_for()
    assert page.get_by_role("button", name="Step").is_disabled()
    screenshot(page, "dashboard_finished")
    with page.expect_download() as download:
        page.get_by_text("Download data (CSV)").click()
    rows = Path(download.value.path()).read_text().splitlines()
    assert rows[0].startswith("step,firm,customers,")
    assert len(rows) == 1 + 3 * MONTHS
    assert page.get_by_role("button", name="Print this page").count() == 1
    page.emulate_media(media="print")  # as printed: no sidebar, and the whole page, not its visible part
    try:
        assert not page.get_by_role("button", name="Reset").is_visible()
        assert page.evaluate("document.documentElement.scrollHeight") > 3 * page.viewport_size["height"]
    finally:
        page.emulate_media(media="screen")


@browser
@pytest.mark.slow
def test_the_picker_opens_each_classroom_scenario_with_its_lesson(browser_instance, dashboard_url):
    page = open_page(browser_instance, dashboard_url, 1280, 800)
    for i, lesson in enumerate(load_lessons(), 1):
        page.locator(".v-select").filter(has_text="Classroom scenario").click()
        page.get_by_role("option", name=f"{i}. {lesson.title}").click()
        page.get_by_text(f"Lesson: {lesson.title}").wait_for()
        for heading in SECTIONS.values():
            assert page.locator(".marketsim-lesson").get_by_text(f"{heading}.", exact=True).count() == 1, heading
        spec = load_scenario(lesson.scenario)
        page.get_by_text(f"marketsim: {spec.name}").wait_for()
        page.get_by_text(f"Month 0 of {spec.run.steps}").wait_for()
        step(page)
        page.get_by_text("Scoreboard, month 1").wait_for()
        screenshot(page, f"lesson_{lesson.name}")
    page.close()


@browser
@pytest.mark.slow
def test_two_tabs_have_their_own_runs_and_the_log_stays_quiet(browser_instance, dashboard_url, server_log, page):
    other = open_page(browser_instance, dashboard_url)
    reset(page)
    step(page)
    assert month(other) == 0 and month(page) == 1
    other.reload()
    other.get_by_role("button", name="Step").wait_for()
    other.wait_for_function(SHOWS_MONTH, arg=0)
    assert month(page) == 1
    other.close()
    assert not [line for line in server_log if "samesite" in line.lower() or "Traceback" in line]


@browser
@pytest.mark.slow
def test_play_runs_until_paused(page):
    # Last of the browser tests: a step already under way when pause is pressed may still finish.
    reset(page)
    page.get_by_role("button", name="▶").click()
    page.wait_for_function("() => /onth [3-9] of/.test(document.querySelector('.marketsim-status').innerText)")
    page.get_by_role("button", name="❚❚").click()
    page.get_by_role("button", name="▶").wait_for()
    assert month(page) >= 3
