"""Analytic cases: with all but one mechanism switched off, the model must
reproduce a known closed form (the constant-hazard case is in
test_closed_forms.py). Tolerances come from the exact sampling distribution
(binomial counts) or from the spread over seeded replications, at z = 4
(two-sided p ~ 6e-5 per check) unless stated.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim import MarketModel
from sim.runs import replication_seeds
from sim.validation.analytic import bass_curve, bass_scenario, cohort_scenario, diffusion_scenario, sbg_survival

Z = 4.0


# ----------------------------------------------- heterogeneous defection: sBG


@pytest.mark.parametrize("a, b", [(0.7, 2.0), (3.0, 8.0)])
def test_beta_heterogeneous_cohort_survives_as_shifted_beta_geometric(a, b):
    n, steps = 20_000, 12
    frame = MarketModel(cohort_scenario(n, steps, a, b), rng=41).run()
    alive = frame["customers"].to_numpy()
    expected = sbg_survival(a, b, np.arange(1, steps + 1))
    se = np.sqrt(expected * (1 - expected) / n)  # each customer survives independently with prob S(t)
    assert np.all(np.abs(alive / n - expected) < Z * se), np.c_[alive / n, expected]


def test_heterogeneity_makes_retention_rise_with_tenure():
    """Retention S(t)/S(t-1) = (b + t - 1)/(a + b + t - 1) rises as the likely leavers go
    first; a constant-probability cohort with the same mean would keep it flat."""
    a, b, n, steps = 0.7, 2.0, 20_000, 8
    frame = MarketModel(cohort_scenario(n, steps, a, b), rng=42).run()
    served, defections = frame["served"].to_numpy(), frame["defections"].to_numpy()
    first, late = 1 - defections[0] / served[0], 1 - defections[-1] / served[-1]
    se = np.hypot(np.sqrt(first * (1 - first) / served[0]), np.sqrt(late * (1 - late) / served[-1]))
    assert late - first > Z * se
    assert first == pytest.approx(b / (a + b), abs=Z * np.sqrt(first * (1 - first) / served[0]))


# --------------------------------------------------------- Bass diffusion

P, Q, N, T = 0.01, 0.4, 5000, 30


@pytest.fixture(scope="module")
def bass_runs():
    seeds = replication_seeds(2027, 12)
    return np.array([MarketModel(bass_scenario(P, Q, N, T), rng=s).run()["customers"].to_numpy() for s in seeds])


def test_each_period_adoption_is_the_bass_hazard(bass_runs):
    """Given A_{t-1} adopters, the period's adoptions are Binomial(N - A_{t-1}, p + q A_{t-1}/N): the
    standardised residuals over all periods and replications are a chi-square with that many degrees
    of freedom (tested at the 0.1 % level), and their mean is zero."""
    before = np.hstack([np.zeros((len(bass_runs), 1)), bass_runs[:, :-1]])
    hazard = P + Q * before / N
    at_risk = N - before
    var = at_risk * hazard * (1 - hazard)
    keep = var > 5  # where the normal approximation holds
    z = ((bass_runs - before) - at_risk * hazard)[keep] / np.sqrt(var[keep])
    assert keep.sum() > 100
    assert (z**2).sum() < stats.chi2.ppf(0.999, keep.sum())
    assert (z**2).sum() > stats.chi2.ppf(0.001, keep.sum())
    assert abs(z.mean()) < Z / np.sqrt(keep.sum())


def test_mean_adoption_follows_the_discrete_bass_curve(bass_runs):
    """The mean over replications tracks the recursion within its standard error (never taken
    below the binomial one). The chain's mean differs from the recursion only by O(1/N)
    (the map is concave), under 1e-3 here, a fraction of the standard error."""
    share = bass_runs / N
    expected = bass_curve(P, Q, T)[1:]
    reps = len(share)
    se = np.maximum(share.std(axis=0, ddof=1), np.sqrt(expected * (1 - expected) / N)) / np.sqrt(reps)
    assert np.all(np.abs(share.mean(axis=0) - expected) < Z * se), np.c_[share.mean(0), expected]


def test_word_of_mouth_spreads_slower_on_a_small_world_than_fully_mixed():
    """Same advertising, contacts and word-of-mouth probability; clustered neighbours
    hear from the same few adopters, so the small world adopts later (Goldenberg et al. 2001).
    One-sided Welch t-test on the adoption share at period 10, at the 0.1 % level."""
    n, steps, reps = 3000, 10, 6
    seeds = replication_seeds(77, reps)
    at_end = {kind: np.array([MarketModel(diffusion_scenario(P, 0.04, n, steps, kind, mean_degree=10), rng=s)
                              .run()["customers"].iloc[-1] / n for s in seeds])
              for kind in ("small_world", "fully_mixed")}
    test = stats.ttest_ind(at_end["fully_mixed"], at_end["small_world"], equal_var=False, alternative="greater")
    assert test.pvalue < 0.001, at_end


def test_bass_mapping_rejects_an_impossible_imitation_rate():
    with pytest.raises(ValueError, match="outside"):
        bass_scenario(0.5, 0.9, 100, 5)
