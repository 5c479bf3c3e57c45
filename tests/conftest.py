"""Shared helpers: small scenarios built in Python, and running the CLI as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.scenario import Scenario, validate_document

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))


def small_scenario(**sections) -> Scenario:
    """A validated scenario from plain sections (dicts), with small defaults."""
    doc = {"name": "test", "run": {"steps": 12, "seed": 3, "replications": 2}, "market": {"customers": 400}}
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(doc.get(key), dict):
            doc[key] = {**doc[key], **value}
        else:
            doc[key] = value
    return validate_document(doc, "test")


def marketsim(*args: str, cwd: Path | None = None, timeout: int = 300, columns: int = 200) -> subprocess.CompletedProcess:
    """Run the ``marketsim`` command in a fresh process, as a user would, at a terminal ``columns`` wide."""
    env = {**os.environ, "COLUMNS": str(columns), "PYTHONWARNINGS": "error"}
    return subprocess.run([sys.executable, "-m", "sim.cli", *args], cwd=cwd or ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def everything_on() -> Scenario:
    """Two segments, three firms at different relationship levels, every mechanism active."""
    return small_scenario(
        market={"customers": 600, "segments": [
            {"name": "mass", "share": 0.7, "wallet": 8, "in_market": 0.2},
            {"name": "key", "share": 0.3, "wallet": 60, "wallet_cv": 1.0, "in_market": 0.2},
        ]},
        firms=[
            {"name": "A", "relationship": {"mass": "basic", "key": "partnership"}, "acquisition_spending": 50,
             "quality_investment": 300, "awareness": 0.5},
            {"name": "B", "relationship": {"mass": "reactive", "key": "proactive"}, "promise": 1.3, "price": 0.9},
            {"name": "C", "relationship": "accountable", "initial_share": None, "quality": 1.3, "awareness": 0.3},
        ],
    )
