"""Competitive response: iterated best response between firms.

The named firms take turns; each optimises its own decisions (``sim.optimise``)
against the others' current decisions, and adopts its best answer if that beats
its current decisions, on fresh seeds, by more than ``tolerance`` (relative to
the current objective's magnitude). Play **settled** when a whole round passes
with no firm moving: no firm can gain more than the tolerance by changing alone
(an approximate Nash equilibrium of the game between these firms, over the
searched decisions). It **cycled** when a round ends at decisions seen at the
end of an earlier round, and **ran out of rounds** otherwise. Every sub-study
lives in its own directory (``round<r>-<firm>/``), so the play resumes too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..analysis.paired import paired_difference
from ..outputs.files import safe_name
from ..outputs.summary import mean_ci
from ..runs import Engine, RunStore
from ..scenario import Scenario, ScenarioError, load_scenario
from .api import check_question, optimise
from .decisions import apply_decisions, current_value
from .evaluate import candidate_key, evaluate, fresh_seeds


@dataclass
class Turn:
    """One firm's turn: its best answer, the gain over its current decisions (relative), and whether it moved."""

    round: int
    firm: str
    answer: dict[str, Any]
    objective: dict[str, Any]
    gain: float
    moved: bool


@dataclass
class Response:
    """The play: every turn, the outcome, the starting and final decisions, and per firm its
    objective at both (fresh seeds) with the paired difference final minus start (``worth``)."""

    firms: list[str]
    objective: str
    tolerance: float
    turns: list[Turn]
    outcome: str
    start: dict[str, Any]
    final: dict[str, Any]
    worth: dict[str, dict[str, Any]] = field(default_factory=dict)


def firm_decisions(texts: list[str], firms: list[str]) -> dict[str, list[str]]:
    """Each firm's decision texts: ``firms.*.PATH`` expands to every firm; others must name one of them."""
    out: dict[str, list[str]] = {f: [] for f in firms}
    for text in texts:
        if text.startswith("firms.*."):
            for f in firms:
                out[f].append(f"firms.{f}." + text.removeprefix("firms.*."))
            continue
        owner = next((f for f in firms if text.startswith(f"firms.{f}.")), None)
        if owner is None:
            raise ScenarioError(f"--decision {text!r}: with --respond, a decision is firms.*.PATH or "
                                f"firms.NAME.PATH for one of {', '.join(firms)}")
        out[owner].append(text)
    missing = [f for f, d in out.items() if not d]
    if missing:
        raise ScenarioError(f"--respond: no decision for {', '.join(missing)}; give firms.*.PATH=SPEC")
    return out


def check_play(spec: Scenario, firms: list[str], decisions: list[str], objective: str,
               constraints: list[str]) -> dict[str, list[str]]:
    """Each firm's decision texts, every part of the question checked; ScenarioError naming the first mistake."""
    names = [f.name for f in spec.firms]
    if len(firms) < 2 or any(f not in names for f in firms):
        raise ScenarioError(f"--respond {','.join(firms)!r}: expected two or more of the firms {', '.join(names)}")
    own = firm_decisions(list(decisions), firms)
    for f in firms:
        check_question(spec, f, own[f], objective, constraints)
    return own


def best_response(scenario: Scenario | str | Path, firms: list[str], decisions: list[str],
                  objective: str = "customer_equity", constraints: list[str] = (), trials: int = 20, replications: int | None = None,
                  seed: int | None = None, out: str | Path = "out/respond", engine: Engine | None = None,
                  tolerance: float = 0.01, rounds: int = 5, fresh_replications: int | None = None,
                  on_trial: Callable[[int, int], None] | None = None) -> Response:
    """Iterated best response of ``firms`` over their ``decisions`` (see the module text)."""
    spec = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
    spec = spec.model_copy(update={"optimise": None})
    own = check_play(spec, firms, decisions, objective, constraints)
    paths = {f: [t.partition("=")[0].strip() for t in own[f]] for f in firms}
    profile = {p: current_value(spec, p) for f in firms for p in paths[f]}
    start, seen, turns, outcome = dict(profile), [dict(profile)], [], "ran out of rounds"
    out = Path(out)
    for r in range(1, rounds + 1):
        moved = False
        for f in firms:
            others = {p: v for p, v in profile.items() if p not in paths[f]}
            mine = {p: profile[p] for p in paths[f]}
            result = optimise(apply_decisions(spec, {**others, **mine}), f, own[f], objective, constraints, trials=trials,
                              replications=replications, seed=seed, out=out / f"round{r}-{safe_name(f)}",
                              engine=engine, fresh_replications=fresh_replications, on_trial=on_trial)
            base = result.baseline
            gain = float("inf") if base is None else (
                0.0 if base is result.best else base.difference["mean"] / max(abs(base.fresh["mean"]), 1e-12))
            move = gain > tolerance
            if move:
                profile.update(result.best.values)
                moved = True
            turns.append(Turn(r, f, dict(result.best.values), result.best.fresh, gain, move))
        if not moved:
            outcome = "settled"
            break
        if profile in seen:
            outcome = "cycled"
            break
        seen.append(dict(profile))
    replications = replications or spec.run.replications
    seeds = fresh_seeds(spec.run.seed if seed is None else seed, fresh_replications or max(10, 2 * replications))
    store = RunStore(out / "runs")
    worth = {}
    for f in firms:
        results = evaluate(spec, f, [start, profile], seeds, engine, store, "worth")
        a, b = (results[candidate_key(v)][objective].to_numpy(dtype=float) for v in (start, profile))
        worth[f] = {"start": mean_ci(a), "final": mean_ci(b), "difference": paired_difference(b, a)}
    return Response(firms, objective, tolerance, turns, outcome, start, dict(profile), worth)
