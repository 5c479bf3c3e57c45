"""The documentation a user reads matches the code."""

from __future__ import annotations

from sim.scenario.reference import reference, rows

from .conftest import ROOT


def test_scenario_field_reference_is_current_and_complete():
    text = (ROOT / "docs" / "scenarios.md").read_text()
    assert reference() in text, "run: python -m sim.scenario.reference docs/scenarios.md"
    undocumented = [r.split("|")[1] for r in rows() if r.rstrip().endswith("|  |")]
    assert not undocumented, f"fields without a description: {undocumented}"


def test_readme_opens_with_the_two_commands():
    lines = [line for line in (ROOT / "README.md").read_text().splitlines() if line.startswith("python3 -m venv")]
    assert lines[0].endswith("marketsim run scenarios/quickstart.toml")
    assert lines[1].endswith(".venv/bin/pytest")
    assert lines[1] in (ROOT / ".ci" / "run").read_text(), ".ci/run runs the README's test command exactly"
    assert (ROOT / "scenarios" / "quickstart.toml").is_file()


def test_every_test_named_in_the_reliability_guarantees_exists():
    import re

    text = (ROOT / "docs" / "reliability.md").read_text()
    cited, module = [], None
    for match in re.finditer(r"`(test_\w+\.py)?(?:::)?(test_\w+)?`", text):
        module = match.group(1) or module
        if match.group(2):
            cited.append((module, match.group(2)))
    assert len(cited) > 30
    missing = [f"{m}::{t}" for m, t in cited if f"def {t}(" not in (ROOT / "tests" / m).read_text()]
    assert not missing, missing
