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


def test_the_readme_api_example_runs_and_its_strategy_has_an_effect(capsys):
    text = (ROOT / "README.md").read_text()
    code = text.split("## For researchers: the Python API")[1].split("```python\n")[1].split("```")[0]
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    as_is, cut = namespace["as_is"], namespace["cut"]

    def last(run, metric):
        return run[(run.step == 36) & (run.firm == "Middle")][metric].item()

    assert last(cut, "price") < last(as_is, "price") == 1.0, "the strategy cut the price"
    assert (cut[cut.firm == "Middle"]["price"].diff() < 0).sum() >= 3, "more than once"
    assert last(cut, "market_share") > last(as_is, "market_share")
    assert last(cut, "customers") > last(as_is, "customers")
    assert "market_share" in capsys.readouterr().out


def test_the_readme_many_runs_example_runs(tmp_path, monkeypatch):
    """The README's second example (replications, a comparison, a sweep, a calibration and reading
    the results back) runs as written, from a checkout, with the first example's strategy."""
    text = (ROOT / "README.md").read_text().split("## For researchers: the Python API")[1]
    first, second = (block.split("```")[0] for block in text.split("```python\n")[1:3])
    (tmp_path / "scenarios").symlink_to(ROOT / "scenarios")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(first.split("as_is =")[0] + second, "README.md", "exec"), namespace)  # noqa: S102 - our own README
    runs, again = namespace["runs"], namespace["again"]
    assert again.timeseries.equals(runs.timeseries) and again.strategies == {"Middle": "PriceCut()"}
    assert set(namespace["arms"].differences()["arm"]) == {"cut"}
    assert namespace["grid"].rows["sample"].nunique() == 3


def test_teaching_doc_prints_the_lessons_the_dashboard_shows():
    from sim.viz.lessons import DOC, DIVIDER, LESSONS_FILE, load_lessons, teaching_doc

    text = DOC.read_text()
    lessons = load_lessons()
    assert text == teaching_doc(text.split(DIVIDER)[0], lessons), "run: python -m sim.viz.lessons"
    stems = sorted(p.stem for p in LESSONS_FILE.parent.glob("*.toml") if not p.stem.startswith("lesson"))
    assert sorted(lesson.name for lesson in lessons) == stems  # one lesson per classroom scenario
