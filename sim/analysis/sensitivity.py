"""Sobol sensitivity indices (Saltelli 2002; Saltelli et al. 2010) with SALib.

The first-order index S1 of a parameter is the share of the output's variance
it explains alone; the total index ST adds its interactions. Their 95 %
confidence intervals come from SALib's bootstrap, seeded so they are the same
on every run. The output of one sample is the mean over its replications (all
samples share the replication seeds: common random numbers).
"""

from __future__ import annotations

import numpy as np

from .design import Design


def sobol_indices(design: Design, outputs: np.ndarray, seed: int, resamples: int = 1000) -> dict[str, dict[str, float]]:
    """``{parameter: {S1, S1_conf, ST, ST_conf}}`` (conf = half-width of the 95 % CI).

    An output that does not vary at all has no variance to apportion: NaN indices.
    """
    outputs = np.asarray(outputs, dtype=float)
    if design.method != "sobol":
        raise ValueError("Sobol indices need a sweep with method = 'sobol'")
    if outputs.shape != (len(design.points),):
        raise ValueError(f"expected {len(design.points)} outputs, one per sample; got {outputs.shape}")
    if not np.all(np.isfinite(outputs)) or np.ptp(outputs) == 0:
        nan = float("nan")
        return {p: {"S1": nan, "S1_conf": nan, "ST": nan, "ST_conf": nan} for p in design.parameters}
    from SALib.analyze import sobol

    problem = {"num_vars": len(design.parameters), "names": design.parameters,
               "bounds": [[0.0, 1.0]] * len(design.parameters)}
    result = sobol.analyze(problem, outputs, calc_second_order=False, num_resamples=resamples,
                           conf_level=0.95, seed=seed)
    return {p: {key: float(result[key][i]) for key in ("S1", "S1_conf", "ST", "ST_conf")}
            for i, p in enumerate(design.parameters)}
