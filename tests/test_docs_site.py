"""The documentation site builds with warnings as errors, and its API pages document the API."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

pytest.importorskip("mkdocs", reason="the docs extra: pip install -e '.[docs]'")

API_PAGES = {
    "model": ["MarketModel", "Firm", "Customer", "run"],
    "experiments": ["run_replications", "compare", "sweep", "calibrate", "Arm"],
    "results": ["RunResults", "ComparisonResults", "SweepResults", "load_results"],
    "strategies": ["Strategy", "register_strategy", "known_strategies", "decide", "Fixed", "SegmentByCLV",
                   "EpsilonGreedy", "QualityLeader", "ImitateBest"],
    "scenarios": ["load_scenario", "Scenario", "ScenarioError", "scenario_with"],
    "runs": ["run_replication", "LocalEngine", "DaskEngine", "RunStore"],
    "calibration": ["calibrate", "fit_sbg", "Calibration"],
    "optimise": ["optimise", "best_response", "Decision", "Constraint"],
    "statistics": ["paired_difference", "sweep_design", "sobol_indices", "proportion_ci", "mean_ci"],
}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("site")
    # NO_MKDOCS_2_WARNING: Material's banner about its end of life, printed on every build (not a build warning).
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONWARNINGS": "default"}
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return out, done.stdout + done.stderr


def test_the_site_builds_strictly_and_prints_no_warning(site):
    _, log = site
    warnings = [line for line in log.splitlines() if "warning" in line.lower() or line.startswith(("ERROR", "WARN"))]
    assert not warnings, "\n".join(warnings)


@pytest.mark.parametrize("page", sorted(API_PAGES))
def test_each_api_page_documents_its_names(site, page):
    html = (site[0] / "reference" / page / "index.html").read_text()
    missing = [name for name in API_PAGES[page] if not re.search(rf'id="(?:\w+\.)*{name}"', html)]  # its anchor
    assert not missing, f"reference/{page}: {missing}"
    for role in (":class:`", ":func:`", ":meth:`", ":mod:`", ":data:`"):  # Sphinx roles became links or code
        assert role not in html, f"reference/{page} shows {role}"


def test_the_guides_and_the_notebooks_are_pages(site):
    out = site[0]
    for guide in ("model", "scenarios", "strategies", "comparison", "optimisation", "validation", "teaching",
                  "performance", "reliability"):
        assert (out / guide / "index.html").is_file(), guide
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert "highlight-ipynb" in (out / "notebooks" / notebook.stem / "index.html").read_text(), notebook.name
    home = (out / "index.html").read_text()
    assert "fonts.googleapis" not in home, "no fonts fetched at view time"
    assert 'href="repo/scenarios/quickstart.toml"' in home  # docs/index.md links ../scenarios/quickstart.toml
    assert (out / "repo" / "scenarios" / "quickstart.toml").read_bytes() == (ROOT / "scenarios" / "quickstart.toml").read_bytes()


def _hooks():
    spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "tools" / "docs" / "hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_links_to_repository_files_outside_docs_point_at_copies_on_the_site():
    hooks = _hooks()
    docs = ROOT / "docs"
    text = ("[quickstart](../scenarios/quickstart.toml), [model](model.md#1-purpose-and-patterns), "
            "[gone](../scenarios/no_such.toml), [web](https://mesa.readthedocs.io)")
    rewritten, copied = hooks.rewrite_links(text, "comparison.md", docs)
    assert copied == [ROOT / "scenarios" / "quickstart.toml"]
    assert "[quickstart](repo/scenarios/quickstart.toml)" in rewritten
    assert "[model](model.md#1-purpose-and-patterns)" in rewritten  # inside docs/: MkDocs checks it
    assert "[gone](../scenarios/no_such.toml)" in rewritten  # missing: left for MkDocs to report
    nested, _ = hooks.rewrite_links("![cohort](../../scenarios/quickstart.toml)", "validation/notes.md", docs)
    assert nested == "![cohort](../repo/scenarios/quickstart.toml)"
