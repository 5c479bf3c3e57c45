"""A researcher's own strategy, defined in a script run as ``__main__``, runs on a real
Dask cluster (whose workers cannot import that script) with the same results as in the
script's own process: replications, and a calibration's runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from .conftest import ROOT
from .test_dask_cluster import cluster  # noqa: F401  (the fixture: a scheduler and two workers)

pytestmark = pytest.mark.slow  # starts a cluster: a few seconds before any work


def test_a_strategy_from_main_runs_on_the_cluster(cluster, tmp_path):  # noqa: F811
    address, _, _ = cluster
    script = tmp_path / "study.py"
    script.write_text(textwrap.dedent(f"""
        import json
        import sim

        class Follow(sim.Strategy):
            '''Match the cheapest rival from the second period on.'''
            def decide(self, firm, model):
                if model.steps >= 1:
                    firm.price = min(f.price for f in model.firm_list if f is not firm)

        kwargs = dict(replications=3, seed=21, strategies={{"Premium": Follow()}},
                      market__customers=300, run__steps=5)
        on_cluster = sim.run_replications({str(ROOT / "scenarios" / "quickstart.toml")!r},
                                          scheduler={address!r}, **kwargs)
        here = sim.run_replications({str(ROOT / "scenarios" / "quickstart.toml")!r}, workers=1, **kwargs)
        premium = on_cluster.timeseries.query("firm == 'Premium'")
        fit = dict(observed=[1000, 900, 820, 760], parameters={{"market.segments[0].base_defection": (0.01, 0.3)}},
                   replications=2, max_evaluations=8, strategies={{"Premium": Follow()}}, market__customers=300)
        fit_there = sim.calibrate({str(ROOT / "scenarios" / "quickstart.toml")!r}, scheduler={address!r}, **fit)
        fit_here = sim.calibrate({str(ROOT / "scenarios" / "quickstart.toml")!r}, workers=1, **fit)
        print(json.dumps({{"same": on_cluster.timeseries.equals(here.timeseries),
                          "prices": sorted(premium["price"].round(6).unique().tolist()),
                          "same_fit": fit_there.parameters == fit_here.parameters
                                      and fit_there.simulated.tolist() == fit_here.simulated.tolist()}}))
    """))
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONWARNINGS": "error"})
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert answer["same"]
    assert answer["prices"][0] == 0.8  # Budget's price: Follow ran on the workers
    assert answer["same_fit"]  # a calibration's runs on the cluster, through one connection for the search
