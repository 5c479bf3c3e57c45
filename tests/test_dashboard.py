"""The teaching dashboard: its parts in process, then the whole in a real
browser, clicked through as a teacher would.

``marketsim dashboard`` serves the app on 127.0.0.1 and a free port; Playwright
drives Debian's headless chromium (never a downloaded browser). The page must
load, Step and play must advance the model and redraw the charts, Reset must
repeat a run exactly (the seed is a control), and moving a slider then pressing
Reset must change the run. A screenshot is left in ``test-artifacts/``.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from sim import MarketModel, load_scenario
from sim.cli.main import main
from sim.viz.controls import initial_values, model_params
from sim.viz.customer_value import customer_value_table
from sim.viz.dashboard_model import KEEP, DashboardModel
from sim.viz.network_view import SAMPLE_SIZE, model_sample

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
SCENARIO = ROOT / "scenarios" / "quickstart.toml"
CUSTOMERS = 800  # small, so each step is quick on a loaded CI machine
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


def test_dashboard_command_rejects_a_bad_scenario_before_serving(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[market]\ncustomerz = 10\n')
    result = CliRunner().invoke(main, ["dashboard", str(bad), "--port", "0"])
    assert result.exit_code == 2
    assert "bad.toml" in result.output and "customerz" in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(main, ["dashboard", "--set", "market.customers=10"])
    assert result.exit_code == 2 and "SCENARIO" in result.output


# --------------------------------------------------------- in a browser ---


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def dashboard_url():
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "dashboard", str(SCENARIO), "--port", str(port),
         "--set", f"market.customers={CUSTOMERS}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}/"
        printed = []
        while not any(line.startswith(f"dashboard: {url}") for line in printed):  # the address, once it answers
            line = server.stdout.readline()
            if not line or len(printed) > 20:
                raise AssertionError("dashboard server did not come up:\n" + "".join(printed) + server.stdout.read())
            printed.append(line)
        urllib.request.urlopen(url, timeout=LOAD_TIMEOUT_S).close()  # it answers when its address is printed
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        server.stdout.close()


@pytest.fixture(scope="module")
def page(dashboard_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1500, "height": 1300})
        page.set_default_timeout(ACTION_TIMEOUT_MS)
        page.goto(dashboard_url)
        page.get_by_role("button", name="Step").wait_for(timeout=LOAD_TIMEOUT_S * 1000)
        page.locator("img.widget-image").nth(4).wait_for(timeout=LOAD_TIMEOUT_S * 1000)  # charts drawn
        yield page
        browser.close()


def period(page) -> int:
    """The model's step from the Information card: 'Step: N' (Mesa 3.3) or 'Time: N.0' (Mesa 3.5)."""
    text = page.get_by_text(re.compile(r"^(Step|Time): \d")).inner_text()
    return int(float(text.split(":")[1]))


def wait_for_period(page, n: int) -> None:
    page.get_by_text(re.compile(rf"^(Step: {n}|Time: {n}\.0)$")).wait_for()


def market_share_chart(page) -> str:
    """The market-share chart's PNG (its bytes, as base64: the src is a new blob URL on every redraw)."""
    return page.locator("img.widget-image").first.evaluate("""async img => {
        const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
        let text = ""; for (const b of bytes) text += String.fromCharCode(b);
        return btoa(text);
    }""")


def scoreboard(page) -> str:
    return page.locator("table.marketsim-table").first.inner_text()


def step(page) -> None:
    n = period(page)
    page.get_by_role("button", name="Step").click()
    wait_for_period(page, n + 1)


def reset(page) -> None:
    page.get_by_role("button", name="Reset").click()
    wait_for_period(page, 0)


def run_two_periods(page) -> tuple[str, str]:
    """Reset, step twice; the scoreboard and the market-share chart afterwards."""
    reset(page)
    step(page)
    step(page)
    page.get_by_text(re.compile(r"period 2$")).wait_for()  # the scoreboard has redrawn too
    return scoreboard(page), market_share_chart(page)


@browser
@pytest.mark.slow
def test_page_loads_with_controls_charts_and_tables(page):
    for label in ("Seed", "Customers", "Budget: price (CU)", "Premium: relationship"):
        assert page.get_by_text(label, exact=True).count() >= 1, label
    assert page.locator("img.widget-image").count() >= 5  # four charts and the network view
    assert page.get_by_text("Customer value analysis").count() == 1
    assert page.get_by_text("product quality").count() >= 1


@browser
@pytest.mark.slow
def test_step_advances_the_model_and_redraws_a_chart(page):
    reset(page)
    before_src = page.locator("img.widget-image").first.get_attribute("src")
    before = market_share_chart(page)
    step(page)
    assert period(page) == 1
    page.wait_for_function("([s]) => document.querySelector('img.widget-image').src !== s", arg=[before_src])
    assert market_share_chart(page) != before


@browser
@pytest.mark.slow
def test_reset_repeats_and_a_slider_changes_the_run(page):
    first_table, first_chart = run_two_periods(page)
    again_table, again_chart = run_two_periods(page)
    assert again_table == first_table  # the seed is a control: Reset repeats the run exactly
    assert again_chart == first_chart

    price = page.locator(".v-input").filter(has=page.get_by_text("Budget: price (CU)", exact=True)) \
        .locator("[role=slider]")
    old = float(price.get_attribute("aria-valuenow"))
    price.focus()
    page.keyboard.press("ArrowRight")  # one step of 0.05: one value change, sent before Reset is
    page.wait_for_function("([el, old]) => parseFloat(el.getAttribute('aria-valuenow')) > old + 0.01",
                           arg=[price.element_handle(), old])

    changed_table, changed_chart = run_two_periods(page)
    offer = page.locator("table.marketsim-table").nth(1).inner_text()
    assert offer.split("price (CU)")[1].split()[0] == f"{old + 0.05:.2f}"  # Budget's new price is in force
    assert changed_table != first_table
    assert changed_chart != first_chart
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
    assert (ARTIFACTS / "dashboard.png").stat().st_size > 10_000


@browser
@pytest.mark.slow
def test_play_runs_until_paused(page):
    # Last of the browser tests: a step already under way when pause is pressed may still finish.
    reset(page)
    page.get_by_role("button", name="▶").click()
    page.wait_for_function("() => /(Step: ([3-9]|\\d\\d+)|Time: ([3-9]|\\d\\d+)\\.0)/.test(document.body.innerText)")
    assert page.get_by_role("button", name="Step").is_disabled()  # no manual steps while playing
    page.get_by_role("button", name="❚❚").click()
    page.get_by_role("button", name="▶").wait_for()
    page.wait_for_function("() => [...document.querySelectorAll('button')].some("
                           "b => b.innerText.trim().toUpperCase() === 'STEP' && !b.disabled)")
    assert period(page) >= 3
