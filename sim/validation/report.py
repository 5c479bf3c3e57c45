"""Generate ``docs/validation.md``: docking, analytic cases, stylized facts and
calibration, with figures, from seeded runs (so anyone can regenerate it).

    python -m sim.validation.report            # writes docs/validation.md and docs/validation/*
    python -m sim.validation.report --quick    # fewer replications, for a look while editing

Everything is computed from fixed seeds; the same code and library versions
give the same document.
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from scipy import stats  # noqa: E402

from ..calibration import calibrate, holdout, sbg_survival, summary  # noqa: E402
from ..metrics import FIRM_METRICS  # noqa: E402
from ..model import MarketModel  # noqa: E402
from ..outputs.files import atomic_write_bytes, atomic_write_text  # noqa: E402
from ..reference import ReferenceMarketModel  # noqa: E402
from ..runs import replication_seeds  # noqa: E402
from ..scenario import load_scenario, scenario_with, validate_document  # noqa: E402
from .analytic import bass_curve, bass_scenario, cohort_scenario, diffusion_scenario  # noqa: E402
from .facts import ALPHA, FACTS, evaluate, run  # noqa: E402
from . import whole_market  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]

#: Fader & Hardie (2007), "How to project customer retention", J. Interactive Marketing 21(1):
#: customers of a 1000-customer cohort still active at years 0-7.
RETENTION_DATA = {
    "regular": [1000, 631, 468, 382, 326, 289, 262, 241],
    "high_end": [1000, 869, 743, 653, 593, 551, 517, 491],
}
BETA_PARAMETERS = {"market.segments[0].base_defection_beta[0]": (0.05, 20.0),
                   "market.segments[0].base_defection_beta[1]": (0.05, 50.0)}
#: Sets of parameters to calibrate, each tried by fitting years 0-4 and predicting years 5-7: the
#: set that predicts the unseen years best is fitted to years 0-7 and projects years 8-12.
CANDIDATES = {
    "customers differ (Beta a, b)": BETA_PARAMETERS,
    "... and satisfaction builds loyalty at a fitted rate": {
        **BETA_PARAMETERS, "behaviour.loyalty.satisfied_gain": (0.001, 0.9)},
    "... and loyalty holds customers with a fitted strength": {
        **BETA_PARAMETERS, "behaviour.defection.loyalty_effect": (0.01, 6.0)},
}
FIT_UNTIL = 4
PROJECT_TO = 12


def save_figure(fig: plt.Figure, path: Path) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    atomic_write_bytes(path, buffer.getvalue())
    return f"validation/{path.name}"


# --------------------------------------------------------------- docking ---


def docking_market(kind: str) -> dict:
    return {
        "name": f"docking_{kind}", "run": {"steps": 12, "seed": 5},
        "market": {"customers": 150, "network": {"kind": kind, "mean_degree": 6}, "segments": [
            {"name": "mass", "share": 0.6, "wallet": 8, "in_market": 0.3},
            {"name": "key", "share": 0.4, "wallet": 60, "wallet_cv": 1.0, "in_market": 0.3,
             "base_defection_beta": [0.5, 6.0]}]},
        "firms": [
            {"name": "A", "relationship": {"mass": "basic", "key": "partnership"}, "acquisition_spending": 50,
             "quality_investment": 300, "awareness": 0.5},
            {"name": "B", "relationship": {"mass": "reactive", "key": "proactive"}, "promise": 1.3, "price": 0.9},
            {"name": "C", "relationship": "accountable", "quality": 1.3, "awareness": 0.3}],
    }


def docking_section() -> str:
    rows = []
    for kind in ("small_world", "scale_free", "random", "fully_mixed"):
        scenario = validate_document(docking_market(kind), "docking")
        fast, slow = MarketModel(scenario, rng=5), ReferenceMarketModel(scenario, rng=5)
        worst_metric, worst_state, differing_choices, events = 0.0, 0.0, 0, 0
        fast_time = slow_time = 0.0
        for _ in range(scenario.run.steps):
            t0 = time.perf_counter()
            fast.step()
            t1 = time.perf_counter()
            slow.step()
            slow_time += time.perf_counter() - t1
            fast_time += t1 - t0
            for a, b in zip(fast.firm_list, slow.firm_list, strict=True):
                for m in FIRM_METRICS:
                    x, y = getattr(a, m), getattr(b, m)
                    worst_metric = max(worst_metric, abs(x - y) / max(1.0, abs(x)))
            for name in ("expectation", "image", "loyalty", "satisfaction", "wallet_split"):
                worst_state = max(worst_state, float(np.abs(getattr(fast.state, name) - getattr(slow.state, name)).max()))
            differing_choices += int((fast.state.firm != slow.state.firm).sum())
            events += int(fast.defections.sum() + (fast.previous_firm < 0).sum())
        rows.append(f"| {kind} | {scenario.run.steps} | {events} | {differing_choices} | {worst_state:.1e} | "
                    f"{worst_metric:.1e} | {slow_time / max(fast_time, 1e-9):.0f}x |")
    return "\n".join([
        "## 1. Verification by docking",
        "",
        "`sim/reference.py` (`ReferenceMarketModel`) is a second implementation of sub-steps 3-8 of the "
        "period, written one customer at a time with plain loops, reading like the model description. It "
        "consumes the very same random numbers as the vectorised `MarketModel` (drawn in bulk by "
        "`MarketModel.draw()`), so from the same seed the two must produce the same trajectories "
        "(docking, Axtell et al. 1996; Rand & Rust 2011). Below: 150 customers, two segments (one with "
        "Beta-distributed defection propensities), three firms covering all five relationship levels, "
        "advertising, promises above and below delivery, every mechanism on; 12 periods.",
        "",
        "| network | periods | defections + shopping prospects | customers on a different supplier | "
        "largest state difference | largest relative metric difference | reference time / vectorised time |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        *rows,
        "",
        "`tests/test_docking.py` asserts this after every period for each network kind, six behaviour "
        "variants (word of mouth off, one-hop warnings, lapsing defectors, sharp choice, wide tolerance, "
        "every complaint recovered), no defection with given initial shares, and every shipped scenario; "
        "and it checks that the comparison catches a reference with one mechanism (complaint recovery) "
        "switched off.",
        "",
    ])


# -------------------------------------------------------------- analytic ---


def sbg_section(out: Path, n: int = 20_000, steps: int = 12) -> str:
    fig, ax = plt.subplots(figsize=(6, 3.6))
    rows = []
    t = np.arange(steps + 1)
    for a, b, seed in ((0.7, 2.0, 41), (3.0, 8.0, 43)):
        alive = MarketModel(cohort_scenario(n, steps, a, b), rng=seed).run()["customers"].to_numpy() / n
        simulated = np.concatenate([[1.0], alive])
        expected = sbg_survival(a, b, t)
        se = np.sqrt(expected * (1 - expected) / n)
        z = np.abs(simulated[1:] - expected[1:]) / se[1:]
        geometric = (1 - a / (a + b)) ** t
        ax.plot(t, expected, "-", color="0.3", lw=1)
        ax.plot(t, simulated, "o", ms=4, label=f"model, Beta({a}, {b})")
        ax.plot(t, geometric, ":", lw=1, label=f"constant p = {a / (a + b):.3f}")
        rows.append(f"| Beta({a}, {b}) | {n} | {simulated[-1]:.4f} | {expected[-1]:.4f} | {z.max():.2f} |")
    ax.set_xlabel("period")
    ax.set_ylabel("share of cohort alive")
    ax.set_title("Heterogeneous defection: model (dots) vs sBG (line)")
    ax.legend(fontsize=7)
    figure = save_figure(fig, out / "sbg.png")
    return "\n".join([
        "### 2.2 Heterogeneous defection: the shifted-beta-geometric curve",
        "",
        "Each customer gets their own base defection probability from Beta(a, b) (segment field "
        "`base_defection_beta`); every other effect is off and defectors lapse. A cohort then survives as "
        "S(t) = B(a, b+t)/B(a, b) (Fader & Hardie 2007). Each count is binomial with that mean, so the "
        "test (`tests/test_analytic.py`) allows 4 standard errors sqrt(S(1-S)/N) at every period.",
        "",
        "| propensities | cohort | simulated S(12) | sBG S(12) | largest abs. z over t = 1..12 |",
        "| --- | ---: | ---: | ---: | ---: |",
        *rows,
        "",
        f"![sBG]({figure})",
        "",
        "Dotted: a homogeneous cohort with the same mean defection probability, which keeps losing the same "
        "share each period; heterogeneity makes retention rise with tenure as the likely leavers go first.",
        "",
    ])


def bass_section(out: Path, quick: bool) -> str:
    p, q, n, steps = 0.01, 0.4, 5000, 30
    reps = 6 if quick else 12
    runs = np.array([MarketModel(bass_scenario(p, q, n, steps), rng=s).run()["customers"].to_numpy()
                     for s in replication_seeds(2027, reps)])
    before = np.hstack([np.zeros((reps, 1)), runs[:, :-1]])
    hazard = p + q * before / n
    var = (n - before) * hazard * (1 - hazard)
    keep = var > 5
    z = ((runs - before) - (n - before) * hazard)[keep] / np.sqrt(var[keep])
    chi2 = float((z**2).sum())
    chi2_p = float(stats.chi2.sf(chi2, keep.sum()))
    share = runs / n
    expected = bass_curve(p, q, steps)
    t = np.arange(steps + 1)
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
    axes[0].plot(t, expected, "-", color="0.3", label="discrete Bass recursion")
    axes[0].plot(t[1:], share.mean(axis=0), "o", ms=4, label=f"model, mean of {reps}")
    axes[0].set_title(f"Fully mixed, p = {p}, q = {q}, N = {n}")
    axes[0].set_xlabel("period")
    axes[0].set_ylabel("share adopted")
    axes[0].legend(fontsize=8)
    gap = float(np.abs(share.mean(axis=0) - expected[1:]).max())

    n_net, steps_net, reps_net = 3000, 20, 4 if quick else 6
    seeds = replication_seeds(77, reps_net)
    curves = {}
    for kind in ("fully_mixed", "small_world"):
        curves[kind] = np.array([MarketModel(diffusion_scenario(p, 0.04, n_net, steps_net, kind, 10), rng=s)
                                 .run()["customers"].to_numpy() / n_net for s in seeds])
        axes[1].plot(np.arange(1, steps_net + 1), curves[kind].mean(axis=0), "o-", ms=3, label=kind.replace("_", " "))
    at10 = {k: v[:, 9] for k, v in curves.items()}
    welch = stats.ttest_ind(at10["fully_mixed"], at10["small_world"], equal_var=False, alternative="greater")
    axes[1].set_title("Same contacts (10) and word of mouth (q+ = 0.04)")
    axes[1].set_xlabel("period")
    axes[1].legend(fontsize=8)
    figure = save_figure(fig, out / "bass.png")
    return "\n".join([
        "### 2.3 Word of mouth only: Bass diffusion",
        "",
        "A new firm advertises (reach p per period) in a fully mixed market of prospects; each adopter is "
        "delighted and recommends it; nobody defects. With one random contact per period the hazard of "
        "adoption is 1 - (1 - p)(1 - q+ A/(N - 1)) = p + q F, so adoption follows the discrete Bass (1969) "
        "recursion F_t = F_{t-1} + (p + q F_{t-1})(1 - F_{t-1}) with p = advertising reach and "
        "q = q+ (1 - p) N/(N - 1) (derivation in `sim/validation/analytic.py`; with k > 1 contacts the "
        "word-of-mouth hazard is 1 - (1 - q+ F)^k, about k q+ F while small).",
        "",
        f"- Period by period, adoptions given the adopters so far are Binomial(N - A, p + q A/N): over "
        f"{int(keep.sum())} period-replications the sum of squared standardised residuals is {chi2:.1f} "
        f"(chi-square upper tail p = {chi2_p:.2f}; the test requires it between the 0.1 % and 99.9 % points).",
        f"- The mean of {reps} replications stays within {gap:.4f} of the recursion (test: 4 standard errors at "
        "every period).",
        f"- On a small world (Watts-Strogatz, 10 neighbours, rewiring 0.1) adoption is slower than fully mixed "
        f"with the same 10 contacts: at period 10, {at10['small_world'].mean():.3f} against "
        f"{at10['fully_mixed'].mean():.3f} adopted (one-sided Welch t-test p = {welch.pvalue:.1e}, {reps_net} "
        "replications each): clustered neighbours hear the same few adopters.",
        "",
        f"![Bass]({figure})",
        "",
    ])


def analytic_section(out: Path, quick: bool) -> str:
    return "\n".join([
        "## 2. Verification by analytic cases",
        "",
        "### 2.1 Constant defection: geometric retention and the CLV closed form",
        "",
        "With every behavioural effect off and a constant defection probability p, a cohort survives as "
        "(1 - p)^t and the realised lifetime value matches m/(1 + d - r) (a customer buys, then may defect), "
        "truncated at the horizon; both within 4 standard errors of the exact sampling distribution, and a "
        "single firm's customer equity is its customers times m/(1 + d - r) (`tests/test_closed_forms.py`).",
        "",
        sbg_section(out),
        bass_section(out, quick),
    ])


# --------------------------------------------------------- stylized facts ---


def facts_section(out: Path, quick: bool) -> str:
    rows, results = [], []
    for fact in FACTS:
        result = evaluate(fact, replications=4 if quick else None)
        results.append(result)
        verdict = "holds" if result.holds else "**not shown**"
        rows.append(f"| {fact.claim} | {fact.source} | {fact.effect_name} | {result.mean:.4g} "
                    f"[{result.ci95[0]:.4g}, {result.ci95[1]:.4g}] | {result.p_value:.1e} | {result.effects.size} | "
                    f"{verdict} |")
    fig, ax = plt.subplots(figsize=(7, 4.2))
    t_values = [r.mean / (r.effects.std(ddof=1) / np.sqrt(r.effects.size)) for r in results]
    ax.barh([r.fact.key.replace("_", " ") for r in results], t_values, color="tab:blue")
    critical = stats.t.ppf(1 - ALPHA, results[0].effects.size - 1)
    ax.axvline(critical, color="tab:red", lw=1, label=f"one-sided {ALPHA:.0%} critical value")
    ax.set_xscale("symlog", linthresh=10)
    ax.invert_yaxis()
    ax.set_xlabel("paired t statistic of the effect (mean / standard error)")
    ax.legend(fontsize=8)
    figure = save_figure(fig, out / "facts.png")
    return "\n".join([
        "## 3. Validation against stylized facts",
        "",
        "Each fact is a controlled experiment in a small market (`sim/validation/facts.py`): the arms differ "
        "only by the change under study and replication k of every arm uses the same seed (common random "
        "numbers). Each replication yields one paired effect, oriented so that the texts predict it positive; "
        f"a fact holds if the mean effect is positive by a one-sided paired t-test at the {ALPHA:.0%} level. "
        "`tests/test_stylized_facts.py` runs the same experiments, plus two controls that show the procedure "
        "can say no: identical firms are not declared different, and each market's relationship rule fails "
        "in the other market. The last five facts go beyond the list in the verification issue: further "
        "sentences of the design brief. The last, that word of mouth amplifies a quality problem, was an open "
        "question of this report until the model's word of mouth carried what speakers experienced and its "
        "zone of tolerance became symmetric (see section 4).",
        "",
        "| fact | source | effect measured (per replication) | mean effect [95 % CI] | one-sided p | "
        "replications | verdict |",
        "| --- | --- | --- | --- | ---: | ---: | --- |",
        *rows,
        "",
        f"![facts]({figure})",
        "",
    ])


def _fact_rows(pairs: list, quick: bool) -> tuple[list[str], list]:
    rows, results = [], []
    for fact, market_name in pairs:
        result = evaluate(fact, replications=3 if quick else None)
        results.append((fact, market_name, result))
        rows.append(f"| {fact.claim} | {market_name} | {fact.effect_name} | {result.mean:.4g} "
                    f"[{result.ci95[0]:.4g}, {result.ci95[1]:.4g}] | {result.p_value:.1e} | {result.effects.size} | "
                    f"{'holds' if result.holds else '**not shown**'} |")
    return rows, results


def _mean_path(scenario, firm: str, metric: str, seeds: list[int], **changes) -> np.ndarray:
    paths = [run(scenario, seed, **changes) for seed in seeds]
    return np.mean([f.loc[f["firm"] == firm, metric].to_numpy() for f in paths], axis=0)


def whole_market_figure(out: Path, quick: bool) -> str:
    """Four panels: over-promising's early win and later loss; word of mouth after a quality
    shortfall; a market settling over 240 periods."""
    seeds = replication_seeds(2026, 2 if quick else 4)
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5))
    promise = whole_market.PROMISE_MARKETS["two firms, small world"](120)
    for firm, colour in (("Honest", "tab:blue"), ("Hype", "tab:red")):
        steps = np.arange(1, 121)
        axes[0, 0].plot(steps, _mean_path(promise, firm, "customers", seeds), color=colour, label=firm)
        axes[0, 1].plot(steps, _mean_path(promise, firm, "discounted_profit", seeds) / 1000, color=colour, label=firm)
    axes[0, 0].set(title="Over-promising (x1.4): customers", xlabel="period (month)", ylabel="customers")
    axes[0, 1].set(title="... and discounted profit to date", xlabel="period (month)", ylabel="thousand CU")
    word = whole_market.WORD_MARKETS["two firms, small world"]
    scenario = word.build()
    steps = np.arange(1, scenario.run.steps + 1)
    for wom, style in ((True, "-"), (False, "--")):
        for quality, colour in ((1.0, "tab:blue"), (0.75, "tab:red")):
            share = _mean_path(scenario, "A", "market_share", seeds,
                               **{"behaviour.word_of_mouth.enabled": wom, "firms.A.quality": quality})
            axes[1, 0].plot(steps, share, style, color=colour,
                            label=f"quality {quality:g}, word of mouth {'on' if wom else 'off'}")
    axes[1, 0].set(title="A quality shortfall, with and without word of mouth", xlabel="period (month)",
                   ylabel="A's market share")
    settle = whole_market.SETTLING_MARKETS["four firms, two segments, scale free"]()
    steps = np.arange(1, settle.run.steps + 1)
    for firm in [f.name for f in settle.firms]:
        axes[1, 1].plot(steps, _mean_path(settle, firm, "served", seeds), label=firm)
    axes[1, 1].axvspan(120, 240, color="0.92", zorder=0)
    axes[1, 1].set(title="Constant strategies: the market settles", xlabel="period (month)",
                   ylabel="customers served")
    for ax in axes.flat:
        ax.legend(fontsize=7)
    fig.tight_layout()
    return save_figure(fig, out / "whole_market.png")


def whole_market_section(out: Path, quick: bool) -> str:
    rows, _ = _fact_rows(whole_market.WHOLE_MARKET_FACTS, quick)
    settle_rows = []
    for market_name, build in whole_market.SETTLING_MARKETS.items():
        for s in whole_market.settling(build(), replications=3 if quick else 8):
            if s.metric in ("served", "mean_expectation", "mean_image"):
                settle_rows.append(f"| {market_name} | {s.firm} | {s.metric.replace('_', ' ')} | {s.scale:.4g} | "
                                   f"{s.change.mean():+.3g} [{s.ci95[0]:+.3g}, {s.ci95[1]:+.3g}] |")
    equity_rows = []
    for market_name, build in whole_market.EQUITY_MARKETS.items():
        table = whole_market.equity_against_closed_form(build(), replications=2 if quick else 4)
        for firm, g in table.groupby("firm", sort=False):
            equity_rows.append(f"| {market_name} | {firm} | {g['share_of_customer'].mean():.2f} | "
                               f"{g['ratio'].mean():.3f} [{g['ratio'].min():.3f}, {g['ratio'].max():.3f}] |")
    first = next(iter(whole_market.SETTLING_MARKETS.values()))()
    unforgetting = scenario_with(first, {"behaviour.word_of_mouth.image_half_life": 1e12}, "no forgetting")
    drift = max(abs(s.change.mean()) for s in whole_market.settling(unforgetting, replications=2)
                if s.metric == "mean_image")
    figure = whole_market_figure(out, quick)
    return "\n".join([
        "## 4. The whole market over years",
        "",
        "A mechanism can pass its own test while the whole market, run for years, teaches the opposite: in "
        "an earlier version of the model over-promising was the most profitable policy, praise hurt the firm "
        "praised, customer equity left out the purchases of other firms' customers, and image drifted without "
        "bound. These checks run the whole market for 60-240 periods in markets of our own design (two to four "
        "firms, one or two segments, small-world, scale-free, random and fully mixed networks) and in shipped "
        "scenarios (`sim/validation/whole_market.py`, `tests/test_whole_market.py`), each as a one-sided paired "
        f"test at the {ALPHA:.0%} level over seeded replications with common random numbers.",
        "",
        "What makes them hold (docs/model.md, section 7): customers learn every firm from every purchase, and "
        "promises and hearsay move only what they have not found out by buying; a promise that buying has shown "
        "untrue costs the firm credibility; word of mouth carries the performance the speakers met and its "
        "image effect fades with a six-month half-life; satisfaction has a direct effect of the value a firm "
        "delivers beside disconfirmation, in a symmetric zone of tolerance; satisfied and loyal customers "
        "weigh their firm's price less; lifetime values count every purchase at m/(1 + d - r).",
        "",
        "| fact | market | effect measured (per replication) | mean effect [95 % CI] | one-sided p | "
        "replications | verdict |",
        "| --- | --- | --- | --- | ---: | ---: | --- |",
        *rows,
        "",
        f"![whole market]({figure})",
        "",
        "**The market settles.** Under constant strategies each firm's customers served, mean expectation "
        "and mean image barely move from periods 121-180 to 181-240 (change of the mean, with its 95 % "
        "interval over replications; the test allows 6 % of customers served, 1 % of the expectation, 0.03 "
        f"value units of image). Without forgetting, a firm's mean image in the first market moves by {drift:.2f} "
        "value units between the same windows. A firm that promises far too little is discovered slowly "
        "(in the shipped `over_promising`, Modest at x0.7 grows until about period 240).",
        "",
        "| market | firm | metric | size of the level, periods 121-240 | change [95 % CI] |",
        "| --- | --- | --- | ---: | ---: |",
        *settle_rows,
        "",
        "**Customer equity is the value of every purchase.** With every firm's retention constant and wallets "
        "split across firms, customer equity over periods 61-120 against margin/(1 + d - r) (r the firm's "
        "retention over those periods; ratio per firm, mean and range over replications). With retention "
        "that varies between firms the ratio departs from 1 as it should: a firm that sells on the side to "
        "the loyal customers of others has more equity than its own retention suggests.",
        "",
        "| market | firm | share of customer | equity / (margin / (1 + d - r)) |",
        "| --- | --- | ---: | ---: |",
        *equity_rows,
        "",
    ])


# ------------------------------------------------------------ calibration ---


def choose_candidate(scenario, quick: bool) -> tuple[str, list[str]]:
    """The candidate parameter set that predicts years 5-7 best from years 0-4 (summed RMSE over
    both cohorts), and the table rows of the comparison."""
    rows, total = [], {}
    for name, parameters in CANDIDATES.items():
        scores = {cohort: holdout(scenario, data, parameters, FIT_UNTIL, replications=scenario.run.replications,
                                  seed=scenario.run.seed, max_evaluations=60 if quick else 250)
                  for cohort, data in RETENTION_DATA.items()}
        total[name] = sum(h.rmse for h in scores.values())
        rows.append(f"| {name} | {len(parameters)} | " + " | ".join(
            f"{h.rmse:.4f} (sBG {h.sbg_rmse:.4f})" for h in scores.values()) + f" | {total[name]:.4f} |")
    return min(total, key=total.get), rows


def calibration_section(out: Path, quick: bool) -> str:
    scenario = load_scenario(ROOT / "docs/validation/cohort.toml")
    if quick:
        scenario = scenario.model_copy(update={"market": scenario.market.model_copy(update={"customers": 4000})})
    chosen, choice_rows = choose_candidate(scenario, quick)
    parameters = CANDIDATES[chosen]
    results = {"chosen_parameters": chosen}
    lines = []
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
    for ax, (name, data) in zip(axes, RETENTION_DATA.items(), strict=True):
        fitted = calibrate(scenario, data, parameters, replications=scenario.run.replications,
                           seed=scenario.run.seed, max_evaluations=60 if quick else 300)
        report = summary(fitted, PROJECT_TO, cohort=int(data[0]), replications=50 if quick else 400,
                         seed=scenario.run.seed + 1)
        results[name] = {"data": data, **report}
        proj, t = report["projection"], np.arange(PROJECT_TO + 1)
        sim = {k: np.array(v) for k, v in proj["simulation"].items()}
        ax.fill_between(t, sim["low"], sim["high"], alpha=0.25, label="simulation, 95 % interval (1000-customer cohort)")
        ax.plot(t, sim["mean"], "-", label="fitted simulation (mean)")
        ax.plot(t, proj["sbg"], "--", label="sBG fitted to years 0-7")
        ax.plot(np.arange(len(data)), np.array(data) / data[0], "ko", ms=4, label="observed (fit)")
        ax.axvline(len(data) - 1, color="0.6", lw=0.8)
        ax.set_title(name.replace("_", " "))
        ax.set_xlabel("year")
        a, b = report["sbg"]["a"], report["sbg"]["b"]
        fit = report["fit"]
        values = ", ".join(f"{path.rsplit('.', 1)[-1]} = {value:.3f}" for path, value in fit["parameters"].items())
        lines += [
            f"**{name.replace('_', ' ')}**: fitted {values} (log-likelihood {fit['log_likelihood']:.2f}, RMSE of "
            f"survival over years 1-7 {fit['rmse']:.4f}, {fit['evaluations']} evaluations); sBG a = {a:.3f}, "
            f"b = {b:.3f} (log-likelihood {report['sbg']['log_likelihood']:.2f}).",
            "",
            "| year | observed | fitted simulation | simulation projection [95 % interval] | sBG |",
            "| ---: | ---: | ---: | ---: | ---: |",
        ]
        for year in range(PROJECT_TO + 1):
            observed = f"{data[year] / data[0]:.3f}" if year < len(data) else ""
            fitted_value = f"{fit['survival'][year]:.3f}" if year < len(data) else ""
            projected = (f"{sim['mean'][year]:.3f} [{sim['low'][year]:.3f}, {sim['high'][year]:.3f}]"
                         if year >= len(data) else "")
            lines.append(f"| {year} | {observed} | {fitted_value} | {projected} | {proj['sbg'][year]:.3f} |")
        lines.append("")
    axes[0].set_ylabel("share of cohort still a customer")
    axes[0].legend(fontsize=7)
    figure = save_figure(fig, out / "calibration.png")
    atomic_write_text(out / "calibration.json", json.dumps(results, indent=2) + "\n")
    return "\n".join([
        "## 5. Calibration to observed retention",
        "",
        "Fader & Hardie (2007), \"How to project customer retention\", *Journal of Interactive Marketing* 21(1), "
        "publish the number of a 1000-customer cohort still active at years 0-7 for two segments. The "
        "simulation of `docs/validation/cohort.toml` (one firm and its starting customers, one period a year, "
        "every behavioural mechanism at its default, Beta-distributed defection propensities) is fitted by "
        "`sim.calibration.calibrate` (maximum likelihood of the observed defections under the simulated "
        "survival curve; bounded Nelder-Mead on the logarithms; "
        f"{scenario.market.customers} simulated customers x {scenario.run.replications} seeded runs, the same "
        "seeds every evaluation).",
        "",
        "**What to fit.** Which parameters to calibrate is chosen by prediction, not by fit: each candidate "
        f"set is fitted to years 0-{FIT_UNTIL} only and judged by the root mean square error of its predicted "
        f"survival in years {FIT_UNTIL + 1}-7 (`sim.calibration.holdout`), beside the sBG model fitted to the "
        "same years. The set with the smallest error summed over both cohorts is then fitted to years 0-7:",
        "",
        f"| parameters fitted | count | regular: RMSE years {FIT_UNTIL + 1}-7 | high end: RMSE years "
        f"{FIT_UNTIL + 1}-7 | sum |",
        "| --- | ---: | ---: | ---: | ---: |",
        *choice_rows,
        "",
        f"Chosen: **{chosen}**. Years 8-12 are then projected **by the fitted simulation**, as the mean and "
        "2.5-97.5 % range of replications of a 1000-customer cohort, beside the shifted-beta-geometric "
        "model fitted to the same years (its estimates reproduce the published ones: regular a = 0.704, "
        "b = 1.182; high end a = 0.668, b = 3.806). The published counts of years 8-12 are not used. The "
        "Beta parameters alone can be fitted from the command line:",
        "",
        "```",
        "marketsim calibrate docs/validation/cohort.toml --observed 1000,631,468,382,326,289,262,241 \\",
        "    --param 'market.segments[0].base_defection_beta[0]=0.05:20' \\",
        "    --param 'market.segments[0].base_defection_beta[1]=0.05:50' --out out/regular",
        "```",
        "",
        *lines,
        f"![calibration]({figure})",
        "",
        "Machine-readable: [`validation/calibration.json`](validation/calibration.json). Caveats: the interval "
        "is the spread of cohorts of 1000 from the fitted simulation; it does not include the uncertainty of "
        "the fitted parameters. The simulation's Beta parameters differ from the sBG's because in the "
        "simulation loyalty also builds with tenure (satisfied customers become more loyal), a second "
        "reason for retention to rise.",
        "",
    ])


# ------------------------------------------------------------------ main ---


def build(out_dir: Path, quick: bool = False) -> str:
    figures = out_dir / "validation"
    started = time.perf_counter()
    sections = [docking_section(), analytic_section(figures, quick), facts_section(figures, quick),
                whole_market_section(figures, quick), calibration_section(figures, quick)]
    import mesa  # noqa: PLC0415  (versions for the record)

    header = "\n".join([
        "# Validation",
        "",
        "Evidence that marketsim computes what its description says (verification) and behaves like the "
        "markets it models (validation), following Rand & Rust (2011), \"Agent-based modeling in marketing: "
        "guidelines for rigor\": docking against a second implementation, analytic cases, stylized facts, "
        "and calibration to empirical data.",
        "",
        "Generated by `python -m sim.validation.report` (seeded; "
        f"Python {platform.python_version()}, Mesa {mesa.__version__}, NumPy {np.__version__}"
        f"{', quick mode' if quick else ''}; {time.perf_counter() - started:.0f} s). Do not edit by hand.",
        "",
        "",
    ])
    text = header + "\n".join(sections)
    atomic_write_text(out_dir / "validation.md", text)
    return text


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="directory for validation.md (default: docs/)")
    parser.add_argument("--quick", action="store_true", help="fewer replications and a smaller calibration")
    args = parser.parse_args(argv)
    build(args.out, args.quick)
    print(f"written {args.out / 'validation.md'}")


if __name__ == "__main__":
    main()
