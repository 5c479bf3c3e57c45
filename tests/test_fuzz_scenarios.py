"""Property-based tests (Hypothesis) of the scenario loader and the model.

Hostile scenario documents -- the shipped scenarios, mutated: wrong types,
missing and extra keys, NaN, inf, negative and huge numbers, empty lists,
duplicated entries, unicode names, deeply nested junk -- either load or fail
with :class:`ScenarioError` whose every line names the source and a field;
never any other exception. Every document that loads runs a few periods at a
small size with the invariants of ``test_invariants`` holding.

Example counts are modest and the search is derandomized, so the file runs in
about a minute and gives the same examples on every machine.
"""

from __future__ import annotations

import copy
import json
import math
import os
import tomllib
import types
import typing
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from click.testing import CliRunner
from pydantic import BaseModel

from sim import MarketModel
from sim.cli.main import main
from sim.scenario import Scenario, ScenarioError, apply_overrides, load_scenario, parse_assignment, validate_document
from sim.strategies import known_strategies

from .conftest import SCENARIOS
from .test_invariants import check_period

FUZZ = settings(derandomize=True, database=None, deadline=None, max_examples=300,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
SHIPPED = {path.stem: tomllib.loads(path.read_text()) for path in SCENARIOS}
SECTIONS = set(Scenario.model_fields)
STRATEGY_PARAMS = ["epsilon", "levels", "share_of_revenue", "review_every", "metric", "copy", "x"]

# ------------------------------------------------------------ strategies ---

EXTREMES = [math.nan, math.inf, -math.inf, -1, -1e-300, 0, 0.0, 5e-324, 1e-300, 1e300, 2**63, -(2**63), 10**400,
            -(10**400), 1e308, True, "", "1.0", [], {}]
leaves = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
          | st.sampled_from(EXTREMES) | st.dates() | st.datetimes())
junk = st.recursive(leaves, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)
names = st.text(min_size=0, max_size=80) | st.sampled_from(["../../etc/passwd", "[/]", "[bold]x", "$\\frac{", "Café ☕",
                                                            "a/b", "..", "\x00\x1b[31m", "名前" * 40])


def paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a node inside a document (dict keys and list indices), down to depth 8."""
    out = [prefix]
    if len(prefix) >= 8:
        return out
    if isinstance(node, dict):
        for key, value in node.items():
            out += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += paths(value, (*prefix, i))
    return out


def get(doc: Any, path: tuple) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def deep(depth: int) -> Any:
    """A list nested ``depth`` deep: past any recursion limit when large."""
    out: Any = 1
    for _ in range(depth):
        out = [out]
    return out


@st.composite
def mutate(draw, doc: dict, count: st.SearchStrategy[int] = st.integers(1, 4)) -> tuple[Any, list[tuple]]:
    """A copy of ``doc`` with a few hostile changes; also the paths changed."""
    doc = copy.deepcopy(doc)
    changed = []
    for _ in range(draw(count)):
        where = draw(st.sampled_from(paths(doc)))
        kind = draw(st.sampled_from(["replace", "extreme", "delete", "extra", "duplicate", "empty", "name", "deep",
                                     "strategy"]))
        parent, key = (get(doc, where[:-1]), where[-1]) if where else (None, None)
        target = get(doc, where)
        if kind == "replace" and parent is not None:
            parent[key] = draw(junk)
        elif kind == "extreme" and parent is not None:
            parent[key] = draw(st.sampled_from(EXTREMES))
        elif kind == "delete" and parent is not None:
            del parent[key]
        elif kind == "extra" and isinstance(target, dict):
            target[draw(st.text(max_size=12) | st.sampled_from(["prise", "customer", "Name", "steps "]))] = draw(junk)
        elif kind == "duplicate" and isinstance(target, list) and target:
            target.append(target[draw(st.integers(0, len(target) - 1))])
        elif kind == "empty" and isinstance(target, list | dict):
            target.clear()
        elif kind == "name" and isinstance(target, dict) and "name" in target:
            target["name"] = draw(names)
        elif kind == "strategy" and isinstance(target, dict) and len(where) == 2 and where[0] == "firms":
            target["strategy"] = {"name": draw(st.sampled_from(known_strategies()) | st.text(max_size=8)),
                                  "params": draw(st.dictionaries(st.sampled_from(STRATEGY_PARAMS), junk, max_size=3))}
        elif kind == "deep" and parent is not None:
            parent[key] = deep(draw(st.sampled_from([50, 5000, 100_000])))
        else:
            continue
        changed.append(where)
    return doc, changed


shipped_docs = st.sampled_from(sorted(SHIPPED)).map(SHIPPED.__getitem__)
hostile_docs = shipped_docs.flatmap(mutate)


def assert_names_a_field(message: str, source: str, doc: Any) -> None:
    """Every line reads 'SOURCE: FIELD...: what was expected'."""
    assert message.strip(), "an empty message"
    keys = set(map(str, doc)) if isinstance(doc, dict) else set()
    fields = SECTIONS | keys | {json.dumps(k)[:20] for k in keys} | {"(top level)"}  # odd keys are quoted
    for line in message.splitlines():
        if line.startswith("... and "):
            continue
        assert line.startswith(f"{source}: "), line
        rest = line[len(source) + 2:]
        assert any(rest.startswith(f) for f in fields) or rest.startswith("expected a table"), line


# ---------------------------------------------------------------- tests ---


@FUZZ
@given(hostile_docs)
def test_hostile_documents_load_or_fail_naming_a_field(mutated):
    doc, _ = mutated
    try:
        scenario = validate_document(doc, source="fuzz.toml")
    except ScenarioError as err:
        assert_names_a_field(str(err), "fuzz.toml", doc)
    else:
        assert isinstance(scenario, Scenario)


@FUZZ
@given(junk)
def test_any_document_at_all_loads_or_fails_cleanly(doc):
    try:
        validate_document(doc, source="junk.toml")
    except ScenarioError as err:
        assert_names_a_field(str(err), "junk.toml", doc)


HOSTILE_TOML = ["nan", "inf", "-inf", "-1", "0", "1e400", "9223372036854775807", "-9223372036854775808", '""',
                '"../../x"', "[]", "{}", "[1, [2, [3]]]", "1979-05-27T07:32:00Z", "true", '"\\u00e9\\u2603"',
                "[" * 3000 + "]" * 3000, "{a = " * 2000 + "1" + "}" * 2000]


@st.composite
def hostile_files(draw) -> bytes:
    """A shipped scenario file's bytes, edited line by line as a careless hand would."""
    lines = draw(st.sampled_from(SCENARIOS)).read_text().splitlines()
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["value", "delete", "duplicate", "insert", "truncate"]))
        if kind == "value" and "=" in lines[i]:
            key = lines[i].split("=", 1)[0]
            lines[i] = f"{key}= {draw(st.sampled_from(HOSTILE_TOML) | st.text(max_size=10))}"
        elif kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "insert":
            lines.insert(i, draw(st.text(max_size=30)))
        elif kind == "truncate":
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
        if not lines:
            break
    data = "\n".join(lines).encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + draw(st.binary(max_size=4)) + data[cut:]
    return data


@FUZZ
@given(hostile_files())
def test_hostile_files_load_or_fail_naming_the_file(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "hand edited.toml"
    path.write_bytes(data)
    try:
        load_scenario(path)
    except ScenarioError as err:
        assert str(err).startswith(f"{path}: "), str(err)


override_paths = st.one_of(
    st.text(max_size=30),
    st.lists(st.sampled_from(["run", "market", "firms", "segments", "network", "behaviour", "relationship", "cost",
                              "price", "name", "params", "strategy", "compare", "arms", "set", "Budget", "[0]",
                              "[7]", "[99999999999999999999]", "[-1]", "[x]", "", "__class__", "model_config"]),
             min_size=1, max_size=6).map(lambda parts: ".".join(parts).replace(".[", "[")),
)


@FUZZ
@given(st.text(max_size=40))
def test_set_assignments_parse_or_fail_cleanly(text):
    try:
        key, _ = parse_assignment(text)
    except ScenarioError as err:
        assert "--set" in str(err)
    else:
        assert key and "=" in text


@FUZZ
@given(shipped_docs, st.dictionaries(override_paths, junk, min_size=1, max_size=3))
def test_overrides_apply_or_fail_cleanly(doc, overrides):
    try:
        changed = apply_overrides(doc, overrides, source="base.toml")
    except ScenarioError as err:
        assert str(err).startswith("base.toml: override "), str(err)
        return
    try:
        validate_document(changed, source="base.toml")
    except ScenarioError as err:
        assert_names_a_field(str(err), "base.toml", changed)


# ------------------------------------------------------ documents that run ---

NUMERIC_EXTREMES = st.sampled_from([0, 0.0, 5e-324, 1e-300, 1e-9, 0.5, 1, 1.0, 2, 4.99, 5, 10, 365, 1000,
                                    100_000, 1e6, 1e9, 1e12, 1e300, -1e-9, -1e300])


@st.composite
def extreme_but_valid(draw) -> Scenario:
    """A shipped scenario with some numbers pushed to their extremes, that still validates."""
    doc = copy.deepcopy(draw(shipped_docs))
    numeric = [p for p in paths(doc) if p and isinstance(get(doc, p), int | float) and not isinstance(get(doc, p), bool)]
    extra = [("behaviour", "satisfaction", "scale"), ("behaviour", "choice", "sensitivity"), ("run", "discount_rate"),
             ("behaviour", "quality", "investment_scale"), ("behaviour", "awareness", "cost_per_contact")]
    for firm in doc["firms"]:
        firm["strategy"] = {"name": draw(st.sampled_from(known_strategies()))}
    for _ in range(draw(st.integers(1, 6))):
        where = draw(st.sampled_from(numeric + extra))
        node = doc
        for part in where[:-1]:
            node = node.setdefault(part, {}) if isinstance(node, dict) else node[part]
        node[where[-1]] = draw(NUMERIC_EXTREMES)
    try:
        scenario = validate_document(doc, source="extreme.toml")
    except ScenarioError:
        assume(False)
    return scenario


@settings(FUZZ, max_examples=250)
@given(extreme_but_valid(), st.sampled_from(["small_world", "scale_free", "random", "fully_mixed"]))
def test_every_scenario_that_loads_runs_with_invariants(scenario, kind):
    small = {"market.customers": min(scenario.market.customers, 40), "run.steps": 3,
             "market.network.kind": kind, "market.network.mean_degree": min(scenario.market.network.mean_degree, 8)}
    model = MarketModel(scenario, rng=scenario.run.seed, **{k.replace(".", "__"): v for k, v in small.items()})
    for _ in range(3):
        model.step()
        check_period(model)


@pytest.mark.parametrize("depth", [10, 100_000])
def test_deeply_nested_junk_fails_cleanly(tmp_path, depth):
    doc = {"name": "deep", "market": {"segments": deep(depth)}}
    with pytest.raises(ScenarioError, match="deep.toml: market"):
        validate_document(doc, source="deep.toml")
    path = tmp_path / "deep.toml"
    path.write_text("x = " + "[" * depth + "]" * depth)
    with pytest.raises(ScenarioError, match=str(path)):
        load_scenario(path)


# ------------------------------------------------------------ strict types ---

BASE = {"market": {"segments": [{"name": "a", "share": 1.0}]}, "firms": [{"name": "A"}]}


def _scalar(annotation: Any) -> type | None:
    """int, float or bool behind Annotated[...] and X | None; else None."""
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _scalar(members[0]) if len(members) == 1 else None
    return annotation if annotation in (int, float, bool) else None


def scalar_fields(model: type[BaseModel] = Scenario, prefix: str = "") -> list[tuple[str, type]]:
    """Every number and boolean field of the format, as a --set path (lists of tables at index 0)."""
    out = []
    for name, field in model.model_fields.items():
        path, annotation = f"{prefix}{name}", field.annotation
        if typing.get_origin(annotation) is list:
            (annotation,) = typing.get_args(annotation)
            path += "[0]"
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            out += scalar_fields(annotation, f"{path}.")
        elif _scalar(annotation):
            out.append((path, _scalar(annotation)))
    return out


SCALARS = scalar_fields()


def test_every_number_and_boolean_field_is_found():
    assert len([p for p, kind in SCALARS if kind is not bool]) >= 70
    assert ("behaviour.word_of_mouth.enabled", bool) in SCALARS and ("firms[0].price", float) in SCALARS
    assert ("behaviour.relationship.cost[0]", float) in SCALARS and ("market.customers", int) in SCALARS


def test_a_pair_of_numbers_holds_numbers():
    doc = apply_overrides(BASE, {"market.segments[0].base_defection_beta": ["1", True]}, "pair.toml")
    with pytest.raises(ScenarioError) as err:
        validate_document(doc, "pair.toml")
    assert "pair.toml: market.segments[0].base_defection_beta[0]: expected a number (got '1')" in str(err.value)
    assert "base_defection_beta[1]: expected a number (got True)" in str(err.value)
    beta = apply_overrides(BASE, {"market.segments[0].base_defection_beta": [1, 9.0]}, "pair.toml")
    assert validate_document(beta).market.segments[0].base_defection_beta == (1.0, 9.0)


@pytest.mark.parametrize(("path", "kind"), SCALARS, ids=[p for p, _ in SCALARS])
def test_a_number_is_a_number_and_a_boolean_a_boolean(path, kind):
    wrong = ["yes", "true", 1, 0.0] if kind is bool else ["1", True, False, "0.5"]
    expected = {bool: "expected true or false", int: "expected a whole number", float: "expected a number"}[kind]
    for value in wrong:
        with pytest.raises(ScenarioError) as err:
            validate_document(apply_overrides(BASE, {path: value}, "typed.toml"), "typed.toml")
        assert f"typed.toml: {path}: {expected}" in str(err.value), (value, str(err.value))


def test_a_whole_number_stands_for_a_float_but_not_the_other_way_round():
    spec = load_toml("price = 2\nwallet = 10\n")
    assert spec.firms[0].price == 2.0 and isinstance(spec.firms[0].price, float)
    with pytest.raises(ScenarioError, match="market.customers: expected a whole number"):
        validate_document({**BASE, "market": {**BASE["market"], "customers": 100.0}}, "x.toml")


def load_toml(firm_lines: str) -> Scenario:
    return validate_document(tomllib.loads(f'[[firms]]\nname = "A"\n{firm_lines.splitlines()[0]}\n'
                                           f'[[market.segments]]\nname = "a"\nshare = 1\n{firm_lines.splitlines()[1]}\n'),
                             "x.toml")


@pytest.mark.parametrize(("assignment", "expected"), [
    ('market.customers="100"', "market.customers: expected a whole number (got '100')"),
    ("market.customers=true", "market.customers: expected a whole number (got True)"),
    ("behaviour.word_of_mouth.enabled=yes", "behaviour.word_of_mouth.enabled: expected true or false (got 'yes')"),
    ("market..customers=1", "override market..customers: a name is empty"),
    (f"run.seed={'7' * 5000}", "a whole number has more than 4,300 digits"),
])
def test_set_is_as_strict_as_the_file(assignment, expected):
    path = SCENARIOS[0]
    with pytest.raises(ScenarioError) as err:
        load_scenario(path, dict([parse_assignment(assignment)]))
    assert expected in str(err.value)
    assert str(err.value).startswith((f"{path}: ", "--set ")), str(err.value)


# ------------------------------------------------- what the file system gives ---

@pytest.mark.parametrize(("text", "expected"), [
    ("", "the file is empty"), ("# only a comment\n\n   \n# another\n", "the file is empty"),
    (f"[run]\nseed = {'9' * 5000}\n", "a whole number has more than 4,300 digits"),
    (f"[market]\ncustomers = -{'1' * 4301}\n", "a whole number has more than 4,300 digits"),
])
def test_empty_files_and_huge_integers_fail_in_the_loaders_format(tmp_path, text, expected):
    path = tmp_path / "odd.toml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert str(err.value).startswith(f"{path}: ") and expected in str(err.value)
    if "empty" in expected:
        assert "a scenario needs at least one [[firms]] table" in str(err.value)


def odd_scenario_path(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / f"{kind}.toml"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    elif kind == "symlink_loop":
        path.symlink_to(path)
    elif kind == "dangling_symlink":
        path.symlink_to(tmp_path / "gone.toml")
    else:
        return Path("/dev/zero")
    return path


@pytest.mark.parametrize(("kind", "expected"), [
    ("fifo", "is not a regular file"), ("device", "is not a regular file"), ("directory", "is a directory"),
    ("symlink_loop", "Too many levels of symbolic links"), ("dangling_symlink", "no such scenario file")])
def test_what_is_not_a_scenario_file_says_what_it_is_and_is_never_opened(tmp_path, kind, expected):
    path = odd_scenario_path(tmp_path, kind)
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)  # a FIFO opened would block here for ever
    assert str(err.value).startswith(f"{path}: ") and expected in str(err.value)


def test_validate_reports_each_path_in_turn(tmp_path):
    odd = odd_scenario_path(tmp_path, "directory")
    result = CliRunner().invoke(main, ["validate", str(odd), str(SCENARIOS[0])])
    assert result.exit_code == 2
    assert f"invalid: {odd}: is a directory" in result.output and f"ok: {SCENARIOS[0]}" in result.output
