"""The compiled kernels are prepared before the work, and a slow first preparation is announced."""

from __future__ import annotations

import os
import subprocess
import sys

from .conftest import ROOT

PREPARE = """
import sim.compiled as compiled
compiled.NOTICE_AFTER = 0.0  # announce even a fast compilation
heard = []
took = compiled.prepare(heard.append)
assert took > 0 and compiled.prepare(heard.append) == 0.0, "once per process"
print("|".join(heard))
"""


def test_first_preparation_says_what_it_is_doing(tmp_path):
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache"), "PYTHONWARNINGS": "error"}
    result = subprocess.run([sys.executable, "-c", PREPARE], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr
    first, ready = result.stdout.strip().split("|")
    assert first.startswith("preparing the model's compiled kernels (first run only")
    assert ready.startswith("compiled kernels ready (")
    assert any((tmp_path / "cache").rglob("*.nbi")), "the compiled kernels are cached on disk"
