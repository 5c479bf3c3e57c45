"""Sweep designs: which parameter values each sample of a sweep runs.

A sweep names scenario parameters by dotted path, each with a list of values
or a range ``{low, high, integer}``:

- ``grid``: every combination; a range contributes ``samples`` evenly spaced
  values (whole numbers, without repeats, if ``integer``).
- ``latin_hypercube``: ``samples`` points of a Latin hypercube
  (``scipy.stats.qmc.LatinHypercube``, seeded with the run seed).
- ``sobol``: Saltelli's scheme for first-order and total indices
  (``SALib.sample.sobol``, seeded; ``samples`` = N must be a power of two;
  N x (D + 2) points for D parameters).

In the sampled designs each parameter gets a number u in [0, 1): a range
maps it to low + u (high - low), an integer range to one of low..high with
equal chance, and a list to one of its values with equal chance.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..scenario.schema import Sweep, SweepRange


@dataclass
class Design:
    """The points of a sweep: ``points[i]`` maps each dotted path to sample i's value."""

    method: str
    parameters: list[str]
    points: list[dict[str, Any]]
    unit: np.ndarray | None = None  # samples x parameters in [0, 1) for sampled designs
    base_samples: int = 0  # Sobol N
    notes: list[str] = field(default_factory=list)


def _from_unit(spec: list[Any] | SweepRange, u: float) -> Any:
    """The value a number u in [0, 1) stands for."""
    if isinstance(spec, SweepRange):
        if spec.integer:
            count = int(np.floor(spec.high) - np.ceil(spec.low)) + 1
            return int(np.ceil(spec.low)) + min(int(u * count), count - 1)
        return float(spec.low + u * (spec.high - spec.low))
    return spec[min(int(u * len(spec)), len(spec) - 1)]


def _grid_values(spec: list[Any] | SweepRange, samples: int) -> list[Any]:
    if not isinstance(spec, SweepRange):
        return list(spec)
    values = np.linspace(spec.low, spec.high, samples)
    if spec.integer:
        return list(dict.fromkeys(int(round(v)) for v in values))
    return [float(v) for v in values]


def is_power_of_two(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


def sweep_design(sweep: Sweep, seed: int) -> Design:
    """The sample points of ``sweep``; sampled designs are seeded with ``seed``."""
    names = list(sweep.parameters)
    specs = [sweep.parameters[n] for n in names]
    for name, spec in zip(names, specs, strict=True):
        if isinstance(spec, SweepRange) and spec.high < spec.low:
            raise ValueError(f"sweep.parameters.{name}: high ({spec.high}) is below low ({spec.low})")
        if isinstance(spec, list) and not spec:
            raise ValueError(f"sweep.parameters.{name}: expected at least one value")
    if not names:
        raise ValueError("sweep.parameters: name at least one parameter")
    if sweep.method == "grid":
        combos = itertools.product(*[_grid_values(s, sweep.samples) for s in specs])
        return Design("grid", names, [dict(zip(names, c, strict=True)) for c in combos])
    if sweep.method == "latin_hypercube":
        from scipy.stats import qmc

        unit = qmc.LatinHypercube(d=len(names), rng=np.random.default_rng(seed)).random(sweep.samples)
    else:
        if not is_power_of_two(sweep.samples):
            raise ValueError(f"sweep.samples: Sobol sampling needs a power of two (got {sweep.samples}; "
                             f"try {1 << max(sweep.samples - 1, 1).bit_length()})")
        from SALib.sample import sobol

        problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
        unit = sobol.sample(problem, sweep.samples, calc_second_order=False, seed=seed)
        unit = np.minimum(unit, np.nextafter(1.0, 0.0))
    points = [{n: _from_unit(s, u) for n, s, u in zip(names, specs, row, strict=True)} for row in unit]
    return Design(sweep.method, names, points, unit=unit, base_samples=sweep.samples)
