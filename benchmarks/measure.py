"""One measurement, run in its own process so that its peak memory is its own.

``python -m benchmarks.measure KIND CUSTOMERS STEPS [FIRMS DEGREE]`` prints one JSON object:

- ``model``: set-up and step times of the vectorised :class:`~sim.model.MarketModel`
  (wall clock, and the process's CPU time for the steps; the first period includes
  loading the compiled kernels from Numba's cache, or compiling them once);
- ``reference``: the vectorised step and the per-customer reference step
  (:class:`~sim.reference.ReferenceMarketModel`) on the same market and seed in
  this one process;
- ``cli``: the whole ``marketsim run`` command (start-up, run, CSV, plots, report);
- ``profile``: CPU time per period of each sub-step (run it with ``MARKETSIM_THREADS=1``:
  the process's CPU time then belongs to the sub-step that spent it);
- ``calibration``: ``sim.calibrate`` of the validation cohort (Fader & Hardie's high-end
  segment, two parameters) by Nelder-Mead and by differential evolution, on WORKERS
  (the STEPS argument) local processes: wall time and simulated curves of each.

Peak memory is the process's maximum resident set size (``getrusage``, KiB on Linux).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCENARIO = Path(__file__).with_name("market.toml")


def peak_rss_mib(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024.0


def benchmark_market(firms: int | None = None, degree: int | None = None):
    """The benchmark scenario, optionally with ``firms`` firms (the five cycled, renamed) and mean ``degree``."""
    from sim.scenario import load_scenario

    scenario = load_scenario(SCENARIO)
    if firms is not None:
        base = scenario.firms
        scenario = scenario.model_copy(update={"firms": [base[k % len(base)].model_copy(update={"name": f"Firm{k}"})
                                                         for k in range(firms)]})
    if degree is not None:
        network = scenario.market.network.model_copy(update={"mean_degree": degree})
        scenario = scenario.model_copy(update={"market": scenario.market.model_copy(update={"network": network})})
    return scenario


def time_model(customers: int, steps: int, firms: int | None = None, degree: int | None = None) -> dict:
    from sim import MarketModel

    scenario = benchmark_market(firms, degree)
    start = time.perf_counter()
    model = MarketModel(scenario, market__customers=customers)
    setup = time.perf_counter() - start
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(steps):
        model.step()
    stepping, stepping_cpu = time.perf_counter() - start, time.process_time() - cpu
    return {"customers": customers, "steps": steps, "setup_s": setup, "steps_s": stepping, "steps_cpu_s": stepping_cpu,
            "peak_rss_mib": peak_rss_mib()}


def time_reference(customers: int, steps: int) -> dict:
    from sim import MarketModel
    from sim.reference import ReferenceMarketModel
    from sim.scenario import load_scenario

    scenario = load_scenario(SCENARIO)
    times, cpu = {}, {}
    for name, kind in (("vectorised", MarketModel), ("reference", ReferenceMarketModel)):
        model = kind(scenario, market__customers=customers)
        if kind is MarketModel:
            model.step()  # warm-up: buffers are allocated and compiled kernels loaded in the first period
        start, start_cpu = time.perf_counter(), time.process_time()
        for _ in range(steps):
            model.step()
        times[name] = (time.perf_counter() - start) / steps
        cpu[name] = (time.process_time() - start_cpu) / steps
    return {"customers": customers, "steps": steps, "vectorised_step_s": times["vectorised"],
            "reference_step_s": times["reference"], "speedup": times["reference"] / times["vectorised"],
            "speedup_cpu": cpu["reference"] / cpu["vectorised"]}


def time_cli(customers: int, steps: int) -> dict:
    with tempfile.TemporaryDirectory() as out:
        command = [sys.executable, "-m", "sim.cli", "run", str(SCENARIO), "--out", out, "--replications", "1",
                   "--set", f"market.customers={customers}", "--set", f"run.steps={steps}"]
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        wall = time.perf_counter() - start
    return {"customers": customers, "steps": steps, "wall_s": wall, "peak_rss_mib": peak_rss_mib(resource.RUSAGE_CHILDREN)}


SUB_STEPS = ("draw", "decide", "invest_in_quality", "offers", "perceive", "buy", "experience", "spread_word",
             "update_and_switch", "close_accounts")


def time_sub_steps(customers: int, steps: int, firms: int | None = None, degree: int | None = None) -> dict:
    """CPU time per period of each sub-step (the methods :meth:`MarketModel.step` calls), after one warm-up period."""
    from collections import defaultdict

    from sim import MarketModel

    model = MarketModel(benchmark_market(firms, degree), market__customers=customers)
    model.step()
    spent: dict[str, float] = defaultdict(float)
    for name in SUB_STEPS:
        def timed(*args, _method=getattr(model, name), _name=name, **kwargs):
            start = time.process_time()
            result = _method(*args, **kwargs)
            spent[_name] += time.process_time() - start
            return result
        setattr(model, name, timed)
    start = time.process_time()
    for _ in range(steps):
        model.step()
    total = time.process_time() - start
    spent["rest (data collection, Mesa)"] = total - sum(spent.values())
    return {"customers": customers, "steps": steps, "step_cpu_s": total / steps,
            "sub_steps_cpu_s": {k: v / steps for k, v in spent.items()}}


COHORT = Path(__file__).parents[1] / "docs" / "validation" / "cohort.toml"
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491]  # Fader & Hardie (2007), customers alive at years 0-7


def time_calibration(customers: int, workers: int) -> dict:
    """Wall time of a calibration of the two Beta parameters, by each search method, on ``workers`` processes."""
    import sim

    beta = "market.segments[0].base_defection_beta"
    bounds = {f"{beta}[0]": (0.05, 20.0), f"{beta}[1]": (0.05, 50.0)}
    figures = {"customers": customers, "workers": workers}
    for method, budget in (("nelder-mead", 60), ("differential-evolution", 100)):
        start = time.perf_counter()
        fit = sim.calibrate(COHORT, HIGH_END, bounds, replications=2, method=method, max_evaluations=budget,
                            workers=workers, market__customers=customers)
        figures[method] = {"wall_s": time.perf_counter() - start, "evaluations": fit.evaluations}
    return figures


KINDS = {"model": time_model, "reference": time_reference, "cli": time_cli, "profile": time_sub_steps,
         "calibration": time_calibration}

if __name__ == "__main__":
    kind, customers, steps, *more = sys.argv[1:]
    print(json.dumps(KINDS[kind](int(customers), int(steps), *(int(x) for x in more))))
