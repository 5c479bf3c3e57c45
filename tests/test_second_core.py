"""Large markets use the second core (the next period's draws on a thread, compiled
loops and neighbour sums in two halves of the customers); the results are exactly
those of one thread, even when a strategy draws from the model's generator during
the period."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import sim.model
from sim import MarketModel, Strategy
from sim.domain import rows, word_of_mouth
from sim.domain.satisfaction import DELIGHTED, DISSATISFIED
from sim.draws import StepDraws, fill

from .conftest import small_scenario


def ours_alive() -> list[threading.Thread]:
    """The model's threads still running (other tests may leave threads of their own)."""
    return [t for t in threading.enumerate() if t.name.startswith("marketsim-")]


class RandomPrice(Strategy):
    """Draws its price from ``model.rng`` every period: the draws ahead must not change its numbers."""

    def decide(self, firm, model) -> None:
        firm.price = 0.8 + 0.4 * float(model.rng.random())


def trajectory(everything_on, second_core: bool, monkeypatch) -> tuple[dict, list]:
    """A market large enough (thresholds lowered) to draw ahead and split its loops and sums in two
    halves, run with the second core or kept on one thread, as MARKETSIM_THREADS=1 does."""
    monkeypatch.setattr(sim.model, "DRAW_AHEAD_FROM", 1)
    monkeypatch.setattr(rows, "SPLIT_FROM", 1)
    monkeypatch.setattr(rows, "_second_core", second_core)
    model = MarketModel(everything_on, rng=11, strategies={everything_on.firms[0].name: RandomPrice()})
    assert model._draws.ahead is second_core
    prices = []
    for _ in range(6):
        model.step()
        prices.append(model.firm_list[0].price)
        assert not ours_alive()  # no thread outlives a period
    state = {name: getattr(model.state, name).copy() for name in ("firm", "expectation", "image", "loyalty", "aware")}
    return state, [prices, model.firm_dataframe().to_numpy().tolist()]


def test_second_core_gives_the_same_trajectory_as_one_thread(everything_on, monkeypatch):
    one_state, one = trajectory(everything_on, False, monkeypatch)
    two_state, two = trajectory(everything_on, True, monkeypatch)
    assert one == two
    for name in one_state:
        np.testing.assert_array_equal(one_state[name], two_state[name], err_msg=name)


def test_an_error_in_the_drawing_thread_reaches_the_caller(everything_on, monkeypatch):
    monkeypatch.setattr(sim.model, "DRAW_AHEAD_FROM", 1)
    model = MarketModel(everything_on, rng=1)

    def broken(*args, **kwargs):
        raise FloatingPointError("generator failed")

    model.step()
    monkeypatch.setattr("sim.draws.fill", broken)
    with pytest.raises(FloatingPointError, match="generator failed"):
        model.step()
    assert not ours_alive()


def test_neighbour_sums_in_two_halves_equal_the_sparse_product(monkeypatch):
    """The compiled sum over each customer's contacts, whole or in two halves on two threads,
    is the adjacency matrix times the packed values, exactly."""
    scenario = small_scenario(market={"customers": 301, "network": {"kind": "scale_free", "mean_degree": 6}})
    adjacency = MarketModel(scenario, rng=5).adjacency
    contacts = word_of_mouth.Contacts(adjacency, 3)
    packed = np.asfortranarray(np.random.default_rng(0).integers(0, 2**40, size=(301, 2)))
    expected = (adjacency.astype(np.int64) @ packed)
    for split_from in (1, 10**12):
        monkeypatch.setattr(rows, "SPLIT_FROM", split_from)
        np.testing.assert_array_equal(contacts.neighbour_sums(packed, np.empty_like(packed)), expected)


def test_one_thread_when_asked(everything_on, monkeypatch):
    """MARKETSIM_THREADS=1 (use_second_core(False)), as in the process pool's workers."""
    monkeypatch.setattr(sim.model, "DRAW_AHEAD_FROM", 1)
    monkeypatch.setattr(rows, "SPLIT_FROM", 1)
    monkeypatch.setattr(rows, "_second_core", True)
    rows.use_second_core(False)
    assert not rows.second_core()
    model = MarketModel(everything_on, rng=2)
    assert not model._draws.ahead
    started = []
    monkeypatch.setattr(rows.threading, "Thread", lambda *a, **k: started.append(k) or pytest.fail("thread started"))
    model.step()
    assert started == []


def test_speaker_counts_are_the_neighbour_sums_of_the_speakers(monkeypatch):
    """Summing the speakers' packed units over each customer's contacts (whole, or in two halves) gives,
    field by field, the number of praising and warning contacts per firm."""
    firms = 3
    scenario = small_scenario(market={"customers": 401, "network": {"kind": "scale_free", "mean_degree": 6}})
    adjacency = MarketModel(scenario, rng=8).adjacency
    gen = np.random.default_rng(1)
    firm = gen.integers(-1, firms, size=401)
    state = np.where(firm >= 0, gen.integers(0, 3, size=401), -1).astype(np.int8)
    expected = {}
    for j in range(firms):
        expected[j] = adjacency @ ((firm == j) & (state == DELIGHTED)).astype(float)
        expected[firms + j] = adjacency @ ((firm == j) & (state == DISSATISFIED)).astype(float)
    for split_from in (1, 10**12):
        monkeypatch.setattr(rows, "SPLIT_FROM", split_from)
        contacts = word_of_mouth.Contacts(adjacency, firms)
        counts = contacts.count_speakers(firm, state, firms)
        column, shift, mask = contacts.one_layout
        for c, want in expected.items():
            np.testing.assert_array_equal((counts[:, column[c]] >> shift[c]) & mask, want.astype(np.int64))


def test_a_period_draws_numpys_numbers_in_the_documented_order():
    """The compiled drawing yields exactly what NumPy's generator methods give, field by
    field in :func:`sim.draws.fill`'s order, and leaves the generator where they would."""
    n, f = 1_000, 3
    ours, numpy_s = np.random.default_rng(5), np.random.default_rng(5)
    d = fill(StepDraws.buffers(n, f), ours)
    expected = {"advertising": numpy_s.random((f, n)).T, "perception": numpy_s.standard_normal((f, n)).T,
                "experience": numpy_s.standard_normal(n), "recovery": numpy_s.random(n),
                "hear_positive": numpy_s.random((f, n)).T, "hear_negative": numpy_s.random((f, n)).T,
                "leave": numpy_s.random(n), "pick": numpy_s.random(n)}
    for field, values in expected.items():
        np.testing.assert_array_equal(getattr(d, field), values, err_msg=field)
    assert ours.bit_generator.state == numpy_s.bit_generator.state
