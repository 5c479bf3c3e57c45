"""Stylized facts from the marketing texts (sim/validation/facts.py): each is a
controlled experiment over seeded replications with common random numbers,
and must show the predicted direction at the one-sided 1 % level (paired
t-test over replications). Two controls show the procedure can say no: a
placebo comparison of identical firms is not declared an effect, and the
relationship rule of one market does not hold in the other.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.validation.facts import FACTS, KEY, MASS, Fact, evaluate, final, market, partnership_gain, run

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("fact", FACTS, ids=[f.key for f in FACTS])
def test_fact_holds(fact):
    result = evaluate(fact)
    assert result.holds, (f"{fact.claim} not shown: {fact.effect_name} = {result.mean:.4g} "
                          f"(95% CI {result.ci95[0]:.4g}..{result.ci95[1]:.4g}), one-sided p = {result.p_value:.3g}")


def firm_a_less_firm_b(seed: int) -> float:
    """Placebo: identical firms, so A's share less B's share has mean zero."""
    frame = run(market(), seed)
    return final(frame, "A", "market_share") - final(frame, "B", "market_share")


def test_placebo_is_not_declared_an_effect():
    result = evaluate(Fact("placebo", "", "", "", firm_a_less_firm_b, replications=8), root_seed=99)
    assert not result.holds
    assert result.ci95[0] < 0 < result.ci95[1], result.ci95


@pytest.mark.parametrize("spec, sign", [(KEY, -1.0), (MASS, 1.0)], ids=["key-accounts", "mass-market"])
def test_relationship_rule_depends_on_the_market(spec, sign):
    """Which level pays depends on customer lifetime value: partnership loses customer equity
    in the mass market and gains it with key accounts, so each market's rule fails in the other."""
    result = evaluate(Fact("swapped", "", "", "", lambda seed: sign * partnership_gain(seed, spec), replications=4))
    assert not result.holds and np.all(result.effects < 0), result.effects
