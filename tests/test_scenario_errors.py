"""A user's mistake in a scenario file exits non-zero with a message that names
the file and the field and says what was expected, and never a traceback."""

from __future__ import annotations

import pytest

from .conftest import ROOT, marketsim

GOOD = (ROOT / "scenarios" / "quickstart.toml").read_text()

BROKEN = {
    "wrong_type": (GOOD.replace("customers = 3000", 'customers = "many"'), ["market.customers", "whole number"]),
    "missing_field": (GOOD.replace('name = "Budget"\n', ""), ["firms[0].name", "required"]),
    "unknown_key": (GOOD.replace("price = 0.8", "prise = 0.8"), ["firms[0].prise", "unknown key", "did you mean 'price'"]),
    "negative_customers": (GOOD.replace("customers = 3000", "customers = -5"), ["market.customers", ">= 0"]),
    "shares_not_summing": (GOOD.replace("share = 0.4", "share = 0.5"), ["market.segments", "sum to 1"]),
    "bad_level": (GOOD.replace('relationship = "reactive"', 'relationship = "friendly"'), ["firms[1].relationship", "partnership"]),
    "not_toml": ("this is = = not toml", ["not valid TOML"]),
    "unknown_strategy": (GOOD.replace('name = "Middle"', 'name = "Middle"\nstrategy = { name = "fixd" }'),
                         ["firms[1].strategy", "unknown strategy 'fixd'", "did you mean 'fixed'", "known strategies"]),
}


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_scenarios_fail_clearly(tmp_path, case, command):
    text, expected = BROKEN[case]
    path = tmp_path / f"{case}.toml"
    path.write_text(text)
    out = tmp_path / "out"
    args = [command, str(path)] + (["--out", str(out)] if command == "run" else [])
    result = marketsim(*args)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert str(path) in result.stderr
    for fragment in expected:
        assert fragment in result.stderr, (fragment, result.stderr)
    assert not out.exists(), "nothing written for an invalid scenario"


def test_bad_override_names_the_path(tmp_path):
    result = marketsim("validate", str(ROOT / "scenarios" / "quickstart.toml"), "--set", "market.custmers=10")
    assert result.returncode == 2
    assert "market.custmers" in result.stderr and "did you mean 'customers'" in result.stderr
    result = marketsim("validate", str(ROOT / "scenarios" / "quickstart.toml"), "--set", "firms.Nobody.price=2")
    assert result.returncode == 2 and "no entry named 'Nobody'" in result.stderr


def test_missing_file(tmp_path):
    result = marketsim("validate", str(tmp_path / "nope.toml"))
    assert result.returncode == 2 and "no such scenario file" in result.stderr and "Traceback" not in result.stderr
