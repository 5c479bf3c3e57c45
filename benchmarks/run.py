"""Time the market model at 10,000, 100,000 and 1,000,000 customers.

Usage (from the repository root)::

    python -m benchmarks            # full: 120 periods at every size (a few minutes)
    python -m benchmarks --quick    # 3 periods per size, reference at 2,000 customers: under a minute
    python -m benchmarks --cli      # also time `marketsim run` at 1,000,000 x 120 as a whole process
    python -m benchmarks --scaling  # only: cost per period against firms and network degree
    python -m benchmarks --profile  # only: CPU time of each sub-step of a period, on one thread
    python -m benchmarks --calibration  # only: sim.calibrate on one and on two workers

The market is ``benchmarks/market.toml`` (5 firms, small-world network of mean
degree 10, word of mouth, every relationship level in use). Every size runs in
a fresh child process, so each peak memory figure is that size's own. One line
is printed per measurement, ``key=value`` pairs, for example::

    customers=1000000 steps=120 setup_s=… step_s=… total_s=… customer_steps_per_s=… peak_rss_mib=… step_cpu_s=…
    reference_speedup=… customers=10000 vectorised_step_s=… reference_step_s=…
    dashboard customers=5000 steps_per_s=…
    growth_1m_over_100k=…

The model uses a second thread from 50,000 customers (``sim/domain/rows.py``);
the line marked ``threads=1`` is the 1,000,000-customer run kept on one
(``MARKETSIM_THREADS=1``), and the profile runs on one thread so that each
sub-step's CPU time is its own.

Timings are wall clock. On a shared machine other work on the same cores makes
them noisy: the load average is printed first and last, and ``step_cpu_s`` (the
process's CPU time per step) shows how much of a step was spent waiting.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

SIZES = (10_000, 100_000, 1_000_000)
DASHBOARD_CUSTOMERS = 5_000
REFERENCE_CUSTOMERS = 10_000
CALIBRATION_CUSTOMERS = 20_000  # as docs/validation.md's fit
QUICK_REFERENCE_CUSTOMERS = 2_000  # the per-customer reference takes seconds per period even at this size


def measure(kind: str, customers: int, steps: int, *more: int, threads: int = 2) -> dict:
    """Run one measurement in a child process and return its figures (``threads=1``: one core)."""
    env = {**os.environ, "MARKETSIM_THREADS": str(threads)}
    done = subprocess.run([sys.executable, "-m", "benchmarks.measure", kind, str(customers), str(steps),
                           *(str(x) for x in more)], check=True, capture_output=True, text=True, env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


def model_line(r: dict, threads: str = "") -> str:
    step = r["steps_s"] / max(r["steps"], 1)
    rate = r["customers"] * r["steps"] / r["steps_s"] if r["steps_s"] > 0 else float("nan")
    return (f"customers={r['customers']} {threads}steps={r['steps']} setup_s={r['setup_s']:.3f} step_s={step:.4f} "
            f"total_s={r['setup_s'] + r['steps_s']:.2f} customer_steps_per_s={rate:.3e} "
            f"peak_rss_mib={r['peak_rss_mib']:.0f} step_cpu_s={r['steps_cpu_s'] / max(r['steps'], 1):.4f}")


def scaling(steps: int) -> None:
    """How the cost of a period grows with firms and with network degree (CPU time after a warm-up
    period, 100,000 customers)."""
    for firms, degree in ((2, 10), (5, 10), (10, 10), (20, 10), (5, 4), (5, 20), (5, 40)):
        r = measure("profile", 100_000, steps, firms, degree, threads=1)
        parts = r["sub_steps_cpu_s"]
        print(f"scaling customers=100000 firms={firms} degree={degree} step_cpu_s={r['step_cpu_s']:.4f} "
              f"draw_s={parts['draw']:.4f} spread_word_s={parts['spread_word']:.4f}", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer periods: under a minute")
    parser.add_argument("--steps", type=int, default=None, help="periods per size (default 120; --quick: 3)")
    parser.add_argument("--cli", action="store_true", help="also time `marketsim run` at 1,000,000 customers")
    parser.add_argument("--profile", action="store_true",
                        help="only: CPU time per period of each sub-step at 100,000 and 1,000,000 customers, "
                             "on one thread")
    parser.add_argument("--calibration", action="store_true",
                        help="only: wall time of sim.calibrate at 20,000 customers on 1 and 2 workers")
    parser.add_argument("--scaling", action="store_true",
                        help="only: CPU time per period at 100,000 customers against firms and network degree")
    args = parser.parse_args(argv)
    steps = args.steps or (3 if args.quick else 120)
    print("load_average_1min={:.2f} cpus={}".format(os.getloadavg()[0], os.cpu_count()), flush=True)
    if args.scaling:
        scaling(args.steps or 10)
        return
    if args.calibration:
        for workers in (1, 2):
            r = measure("calibration", CALIBRATION_CUSTOMERS, workers)
            for method in ("nelder-mead", "differential-evolution"):
                print(f"calibration customers={r['customers']} workers={workers} method={method} "
                      f"wall_s={r[method]['wall_s']:.1f} evaluations={r[method]['evaluations']}", flush=True)
        return
    if args.profile:
        for customers in (100_000, 1_000_000):
            r = measure("profile", customers, args.steps or 5, threads=1)
            parts = " ".join(f"{name.split(' ')[0]}={cpu * 1e3:.1f}" for name, cpu in r["sub_steps_cpu_s"].items())
            print(f"profile customers={customers} step_cpu_ms={r['step_cpu_s'] * 1e3:.1f} {parts}", flush=True)
        return

    totals = {}
    for customers in SIZES:
        r = measure("model", customers, steps)
        totals[customers] = r["setup_s"] + r["steps_s"]
        print(model_line(r), flush=True)
    print(f"growth_1m_over_100k={totals[1_000_000] / totals[100_000]:.2f}", flush=True)
    print(model_line(measure("model", 1_000_000, steps, threads=1), threads="threads=1 "), flush=True)

    r = measure("reference", QUICK_REFERENCE_CUSTOMERS if args.quick else REFERENCE_CUSTOMERS, 1 if args.quick else 3)
    print(f"reference_speedup={r['speedup']:.0f} customers={r['customers']} "
          f"vectorised_step_s={r['vectorised_step_s']:.4f} reference_step_s={r['reference_step_s']:.3f} "
          f"speedup_in_cpu_time={r['speedup_cpu']:.0f}", flush=True)

    r = measure("model", DASHBOARD_CUSTOMERS, 60 if args.quick else 300)
    print(f"dashboard customers={r['customers']} steps_per_s={r['steps'] / r['steps_s']:.0f}", flush=True)

    if args.cli:
        r = measure("cli", 1_000_000, 120)
        print(f"cli customers={r['customers']} steps={r['steps']} wall_s={r['wall_s']:.1f} "
              f"peak_rss_mib={r['peak_rss_mib']:.0f}", flush=True)
    print("load_average_1min={:.2f}".format(os.getloadavg()[0]), flush=True)


if __name__ == "__main__":
    main()
