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


def test_teaching_doc_prints_the_lessons_the_dashboard_shows():
    from sim.viz.lessons import DOC, DIVIDER, LESSONS_FILE, load_lessons, teaching_doc

    text = DOC.read_text()
    lessons = load_lessons()
    assert text == teaching_doc(text.split(DIVIDER)[0], lessons), "run: python -m sim.viz.lessons"
    stems = sorted(p.stem for p in LESSONS_FILE.parent.glob("*.toml") if not p.stem.startswith("lesson"))
    assert sorted(lesson.name for lesson in lessons) == stems  # one lesson per classroom scenario
