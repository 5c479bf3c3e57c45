"""Calibration: fit chosen model parameters to an observed retention curve.

An observed curve is the number (or share) of a cohort's customers still
active at t = 0, 1, ..., T periods. The simulated curve is the same thing
measured on the model: the share of a firm's customers at the start who have
stayed with it continuously (:func:`cohort_survival`). Parameters are named by
dotted scenario paths (``market.segments[0].base_defection``; an element of a
pair as ``market.segments[0].base_defection_beta[1]``) and searched within
bounds with SciPy's optimisers. The fit maximises the likelihood of the
observed defections under the simulated curve, the criterion of the
shifted-beta-geometric (sBG) model (Fader & Hardie 2007), which is fitted to
the same data for comparison (:func:`fit_sbg`). Every evaluation uses the same
seeds (common random numbers), so the objective is a deterministic function of
the parameters.

Projections come from the fitted simulation: replications of a cohort of the
observed size give a mean curve and a 95 % interval.

The search itself is sequential, but the runs behind each simulated curve are
independent: an :class:`~sim.runs.engine.Engine` runs them side by side (each
evaluation's replications, and a differential-evolution generation's whole
population at once). The engine never changes a result.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize
from scipy import special
from scipy.special import betaln

from .model import MarketModel
from .runs import replication_seeds
from .runs.engine import Engine, LocalEngine
from .runs.shipping import ShippedStrategies
from .scenario import Scenario, ScenarioError, scenario_with

_ELEMENT = re.compile(r"^(?P<path>.+)\[(?P<index>\d+)\]$")
METHODS = ("nelder-mead", "differential-evolution")
"""SciPy's searches: a local simplex from the middle of the box, and a seeded global one."""
GENERATION = 10
"""Differential evolution's population, per parameter searched (SciPy's ``popsize``)."""
PROJECTIONS = 200
"""Cohorts simulated for a written projection's mean and 95 % interval."""


def runs_at_once(method: str, parameters: int, replications: int) -> int:
    """How many runs one step of the search asks for together: an evaluation's replications, or a
    differential-evolution generation's (as many workers as that can be busy)."""
    return replications * (GENERATION * parameters if method == "differential-evolution" else 1)


# ------------------------------------------------------------ the data ---


def observed_survival(observed: Sequence[float]) -> tuple[np.ndarray, float]:
    """Survival shares S(0..T) and cohort size from counts (or shares) alive at t = 0..T."""
    alive = np.asarray(observed, dtype=float)
    if alive.ndim != 1 or alive.size < 3:
        raise ValueError("an observed retention curve needs at least 3 values (t = 0, 1, 2, ...)")
    if not np.all(np.isfinite(alive)) or alive[0] <= 0 or np.any(alive < 0):
        raise ValueError("observed values must be finite, non-negative, with a positive first value")
    if np.any(np.diff(alive) > 0):
        raise ValueError("observed values must not increase: a cohort only loses customers")
    return alive / alive[0], float(alive[0])


def log_likelihood(survival: np.ndarray, observed_share: np.ndarray, cohort: float) -> float:
    """Log-likelihood of the observed cohort's defection times under survival curve ``survival``
    (both from t = 0): defections in period t have probability S(t-1) - S(t); survivors at T, S(T)."""
    t_max = observed_share.size - 1
    died = cohort * -np.diff(observed_share)
    chance = -np.diff(survival[: t_max + 1])
    floor = 1e-12  # a simulated curve may show no defection in a period; keep the log finite
    return float(died @ np.log(np.maximum(chance, floor))
                 + cohort * observed_share[-1] * np.log(max(survival[t_max], floor)))


# ---------------------------------------------------------------- sBG ---


def sbg_survival(a: float, b: float, t: np.ndarray | int) -> np.ndarray:
    """Shifted-beta-geometric survival S(t) = B(a, b + t) / B(a, b)."""
    return np.exp(betaln(a, b + np.asarray(t, dtype=float)) - betaln(a, b))


def fit_sbg(observed: Sequence[float]) -> tuple[float, float]:
    """Maximum-likelihood (a, b) of the sBG model for counts alive at t = 0..T."""
    share, cohort = observed_survival(observed)
    t = np.arange(share.size)

    def negative(log_ab: np.ndarray) -> float:
        a, b = np.exp(log_ab)
        return -log_likelihood(sbg_survival(a, b, t), share, cohort)

    best = optimize.minimize(negative, x0=np.zeros(2), method="Nelder-Mead",
                             options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 4000})
    a, b = np.exp(best.x)
    return float(a), float(b)


# --------------------------------------------------------- simulation ---


def cohort_survival(scenario: Scenario, seed: int, steps: int, firm: str | None = None,
                    strategies: ShippedStrategies | None = None) -> np.ndarray:
    """Share of ``firm``'s customers at the start still with it, without a break, after
    t = 0..steps periods (the first firm if none is named); ``strategies`` are fresh copies of the
    researcher's own (:mod:`sim.runs.shipping`)."""
    model = MarketModel(scenario, rng=seed, strategies=strategies.fresh() if strategies else None)
    j = model.firm(firm).index if firm else 0
    alive = model.state.firm == j
    start = alive.sum()
    if start == 0:
        raise ValueError(f"firm {model.firm_list[j].name!r} has no customers at the start; nothing to follow")
    curve = [1.0]
    for _ in range(steps):
        model.step()
        alive &= model.state.firm == j
        curve.append(alive.sum() / start)
    return np.array(curve)


def with_parameters(scenario: Scenario, names: Sequence[str], values: Sequence[float]) -> Scenario:
    """``scenario`` with each dotted path set to its value; ``path[k]`` sets element k of a list field."""
    doc = scenario.model_dump(mode="python")
    overrides: dict[str, Any] = {}
    for name, value in zip(names, values, strict=True):
        element = _ELEMENT.match(name)
        if element and _is_unset(doc, element["path"]):
            raise ScenarioError(f"{name}: {element['path']} is not set in the scenario; give it a starting "
                                "value (for example [1.0, 1.0]) so its elements can be calibrated")
        if element and _is_list_field(doc, element["path"]):
            path, index = element["path"], int(element["index"])
            current = list(overrides.get(path) or _lookup(doc, path))
            if index >= len(current):
                raise ScenarioError(f"{name}: {path} has {len(current)} elements")
            current[index] = float(value)
            overrides[path] = current
        else:
            overrides[name] = float(value)
    return scenario_with(scenario, overrides, "calibration")


def _lookup(doc: Any, path: str) -> Any:
    node = doc
    for part in re.findall(r"[^.\[\]]+", path):
        if isinstance(node, list | tuple):
            names = [item.get("name") if isinstance(item, dict) else None for item in node]
            node = node[int(part)] if part.isdigit() else node[names.index(part)]
        else:
            node = node[part]
    return node


def _is_unset(doc: Any, path: str) -> bool:
    try:
        return _lookup(doc, path) is None
    except (KeyError, IndexError, ValueError, TypeError):
        return False


def _is_list_field(doc: Any, path: str) -> bool:
    try:
        return isinstance(_lookup(doc, path), list | tuple)
    except (KeyError, IndexError, ValueError, TypeError):
        return False


@dataclass
class Calibration:
    """A fitted simulation and how well it fits."""

    parameters: dict[str, float]
    log_likelihood: float
    fitted: Scenario
    observed: np.ndarray  # survival shares, t = 0..T
    cohort: float  # customers observed at t = 0
    simulated: np.ndarray  # the fitted simulation's curve on the fitting seeds, t = 0..T
    evaluations: int
    converged: bool
    message: str
    sbg: tuple[float, float] = field(default=(np.nan, np.nan))
    strategies: ShippedStrategies | None = None
    """The researcher's own strategies the fit ran with (projections run with them too)."""
    firm: str | None = None
    """The firm whose customers' retention was fitted (None: the first)."""
    engine: Engine | None = field(default=None, repr=False)
    """Where the fit's runs were computed (projections run there too; None: in this process)."""

    @property
    def rmse(self) -> float:
        """Root mean square difference of survival shares over t = 1..T."""
        return float(np.sqrt(np.mean((self.simulated[1:] - self.observed[1:]) ** 2)))

    def project(self, steps: int, cohort: int, replications: int = 200, seed: int = 7) -> pd.DataFrame:
        """Survival t = 0..steps of cohorts of ``cohort`` customers from the fitted scenario, beside
        the sBG model's: t, mean, low and high (2.5 and 97.5 percentiles: the range 95 % of such
        cohorts fall in, over ``replications``), sbg. The runs use the fit's engine."""
        projected = project(self.fitted, steps, cohort, replications, seed, self.firm, self.strategies, self.engine)
        t = np.arange(steps + 1)
        return pd.DataFrame({"t": t, **projected, "sbg": sbg_survival(*self.sbg, t)})

    @property
    def curves(self) -> pd.DataFrame:
        """Per period t = 0..T: the observed, the fitted simulation's and the sBG model's survival."""
        t = np.arange(self.observed.size)
        return pd.DataFrame({"t": t, "observed": self.observed, "simulated": self.simulated,
                             "sbg": sbg_survival(*self.sbg, t)})


def calibrate(scenario: Scenario, observed: Sequence[float], parameters: dict[str, tuple[float, float]],
              firm: str | None = None, replications: int = 2, seed: int = 1, method: str = "nelder-mead",
              log_scale: bool = True, max_evaluations: int = 300,
              strategies: ShippedStrategies | None = None, engine: Engine | None = None) -> Calibration:
    """Fit ``parameters`` (path -> (low, high)) so the simulated cohort curve explains ``observed``.

    ``replications`` runs, pooled, on seeds spawned from ``seed`` (the same every evaluation) make
    one simulated curve. ``method`` is ``nelder-mead`` (local, from the middle of the box) or
    ``differential-evolution`` (global, seeded; each generation is evaluated at once). With
    ``log_scale`` the search runs on the logarithm of positive parameters. The scenario should make
    its periods match the observation's (for yearly data, one period a year). ``strategies`` are
    the researcher's own, given as objects; ``engine`` computes the runs (default: this process),
    its workers kept for the whole search.
    """
    share, cohort = observed_survival(observed)
    steps = share.size - 1
    names = list(parameters)
    if not names:
        raise ValueError("name at least one parameter to calibrate")
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; use {' or '.join(METHODS)}")
    low = np.array([parameters[n][0] for n in names], dtype=float)
    high = np.array([parameters[n][1] for n in names], dtype=float)
    if np.any(low >= high):
        raise ValueError("each parameter needs low < high")
    logged = log_scale and bool(np.all(low > 0))
    lo, hi = (np.log(low), np.log(high)) if logged else (low, high)  # the search box
    seeds = replication_seeds(seed, replications)
    with_parameters(scenario, names, low)  # a wrong path fails here, before any search
    engine = engine or LocalEngine(1)

    def model_values(z: np.ndarray) -> np.ndarray:
        return np.exp(z) if logged else z

    def curves(candidates: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Each candidate's simulated curve (the mean over the seeds), all runs at once on the engine."""
        fitted = [with_parameters(scenario, names, values) for values in candidates]
        runs = engine.run(cohort_survival, [(f, s, steps, firm, strategies) for f in fitted for s in seeds])
        return [np.mean(runs[k * len(seeds):(k + 1) * len(seeds)], axis=0) for k in range(len(fitted))]

    evaluated = 0  # simulated curves (SciPy counts a vectorised generation as one evaluation)

    def objectives(z: np.ndarray) -> np.ndarray:
        """Negative log-likelihood of each column of ``z`` (search coordinates: parameters x candidates)."""
        nonlocal evaluated
        candidates = [model_values(np.clip(column, lo, hi)) for column in z.T]
        evaluated += len(candidates)
        return np.array([-log_likelihood(c, share, cohort) for c in curves(candidates)])

    def inside(y: np.ndarray) -> np.ndarray:
        """Unbounded search coordinates -> the box (a logistic map), so a simplex cannot
        collapse onto a bound as it can when points are clipped."""
        return lo + (hi - lo) * special.expit(y)

    with engine:  # its workers (or connection) last for the whole search
        if method == "nelder-mead":
            simplex = np.vstack([np.zeros(len(names)), np.eye(len(names))])  # from the middle of the box
            result = optimize.minimize(lambda y: objectives(inside(y)[:, None])[0], x0=simplex[0],
                                       method="Nelder-Mead",
                                       options={"maxfev": max_evaluations, "xatol": 1e-3, "fatol": 1e-3,
                                                "initial_simplex": simplex})
            best = inside(result.x)
        else:  # a generation's candidates are the columns of one call
            result = optimize.differential_evolution(objectives, list(zip(lo, hi, strict=True)), seed=seed,
                                                     maxiter=max(1, max_evaluations // 30), popsize=GENERATION,
                                                     polish=False, tol=1e-6, vectorized=True, updating="deferred")
            best = np.clip(result.x, lo, hi)
        values = model_values(best)
        simulated = curves([values])[0]
    return Calibration(parameters=dict(zip(names, map(float, values), strict=True)),
                       log_likelihood=-float(result.fun), fitted=with_parameters(scenario, names, values),
                       observed=share, cohort=cohort, simulated=simulated, evaluations=evaluated,
                       converged=bool(result.success), message=str(result.message), sbg=fit_sbg(observed),
                       strategies=strategies, firm=firm, engine=engine)


@dataclass
class Holdout:
    """How well a set of parameters, fitted to the first years of a curve, predicts the rest."""

    parameters: dict[str, float]  # fitted to t = 0..fit_until
    predicted: np.ndarray  # the fitted simulation's survival, t = 0..T
    sbg_predicted: np.ndarray  # the sBG model fitted to the same years, t = 0..T
    observed: np.ndarray  # survival shares, t = 0..T
    fit_until: int

    @property
    def rmse(self) -> float:
        """Root mean square error of the predicted survival over the held-out t > fit_until."""
        held = slice(self.fit_until + 1, None)
        return float(np.sqrt(np.mean((self.predicted[held] - self.observed[held]) ** 2)))

    @property
    def sbg_rmse(self) -> float:
        held = slice(self.fit_until + 1, None)
        return float(np.sqrt(np.mean((self.sbg_predicted[held] - self.observed[held]) ** 2)))


def holdout(scenario: Scenario, observed: Sequence[float], parameters: dict[str, tuple[float, float]],
            fit_until: int, firm: str | None = None, replications: int = 2, seed: int = 1,
            max_evaluations: int = 300) -> Holdout:
    """Fit ``parameters`` to the observed curve up to t = ``fit_until`` only, and predict the rest:
    the test of which parameters to calibrate (those that predict unseen years best)."""
    share, _ = observed_survival(observed)
    if not 2 <= fit_until < share.size - 1:
        raise ValueError(f"fit_until must leave at least 3 points to fit and 1 to predict, got {fit_until}")
    fit = calibrate(scenario, list(observed)[: fit_until + 1], parameters, firm=firm, replications=replications,
                    seed=seed, max_evaluations=max_evaluations)
    steps = share.size - 1
    predicted = np.mean([cohort_survival(fit.fitted, s, steps, firm) for s in replication_seeds(seed, replications)],
                        axis=0)
    a, b = fit.sbg
    return Holdout(fit.parameters, predicted, sbg_survival(a, b, np.arange(steps + 1)), share, fit_until)


def project(scenario: Scenario, steps: int, cohort: int, replications: int = 200, seed: int = 7,
            firm: str | None = None, strategies: ShippedStrategies | None = None,
            engine: Engine | None = None) -> dict[str, np.ndarray]:
    """Survival t = 0..steps of cohorts of ``cohort`` customers from ``scenario``: the mean over
    replications and the 2.5 and 97.5 percentiles (what a cohort of that size would show), the
    runs computed on ``engine`` (default: this process)."""
    cohort_scenario = scenario_with(scenario, {"market.customers": int(cohort)}, "projection")
    tasks = [(cohort_scenario, s, steps, firm, strategies) for s in replication_seeds(seed, replications)]
    curves = np.array((engine or LocalEngine(1)).run(cohort_survival, tasks))
    return {"mean": curves.mean(axis=0), "low": np.percentile(curves, 2.5, axis=0),
            "high": np.percentile(curves, 97.5, axis=0)}


def summary(calibration: Calibration, steps: int, cohort: int, replications: int = 200, seed: int = 7,
            firm: str | None = None) -> dict[str, Any]:
    """A JSON-ready account of a calibration: the fit, the sBG fit to the same data, and both
    models' survival from t = 0 to ``steps`` (the simulation's with a 95 % interval for a cohort
    of ``cohort`` customers over ``replications`` replications)."""
    t = np.arange(steps + 1)
    a, b = calibration.sbg
    projected = project(calibration.fitted, steps, cohort, replications, seed, firm, calibration.strategies,
                        calibration.engine)
    return {
        "observed": {"t": list(range(calibration.observed.size)), "cohort": calibration.cohort,
                     "survival": calibration.observed.tolist()},
        "fit": {"parameters": calibration.parameters, "log_likelihood": calibration.log_likelihood,
                "rmse": calibration.rmse, "evaluations": calibration.evaluations,
                "converged": calibration.converged, "message": calibration.message,
                "survival": calibration.simulated.tolist()},
        "sbg": {"a": a, "b": b,
                "log_likelihood": log_likelihood(sbg_survival(a, b, t), calibration.observed, calibration.cohort)},
        "projection": {"t": t.tolist(), "cohort": cohort, "replications": replications,
                       "simulation": {k: v.tolist() for k, v in projected.items()},
                       "sbg": sbg_survival(a, b, t).tolist()},
    }


def document(calibration: Calibration, scenario: Scenario, method: str, seed: int, steps: int,
             projections: int = PROJECTIONS) -> dict[str, Any]:
    """calibration.json's document: the scenario's name, the method and seed, and the :func:`summary`
    with a projection to ``steps`` for cohorts of the observed size (of the scenario's customers
    when shares were observed) on seed + 1, where the fit's seeds do not repeat."""
    counted = calibration.cohort
    cohort = max(1, round(counted)) if counted > 1 else scenario.market.customers
    return {"scenario": scenario.name, "method": method, "seed": seed,
            **summary(calibration, steps, cohort, projections, seed + 1, calibration.firm)}
