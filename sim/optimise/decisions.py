"""Decisions: the scenario values an optimiser may change.

A decision is a dotted scenario path with a search space, written
``PATH=LOW:HIGH`` (a range; whole numbers where the field holds one) or
``PATH=a,b,c`` (a list of choices). A per-segment relationship level,
``firms.NAME.relationship.SEGMENT``, is allowed where the firm gives one level
for all segments: the other segments keep that level.
"""

from __future__ import annotations

import copy
import math
import tomllib
from dataclasses import dataclass
from typing import Any

from ..scenario import Scenario, ScenarioError, validate_document
from ..scenario.load import apply_overrides


@dataclass(frozen=True)
class Decision:
    """One decision: a ``range`` (``low``..``high``, ``integer`` or not) or ``choices``."""

    path: str
    low: float | None = None
    high: float | None = None
    integer: bool = False
    choices: tuple[Any, ...] | None = None

    @property
    def spec(self) -> str:
        """The decision as written on the command line."""
        if self.choices is not None:
            return f"{self.path}={','.join(str(c) for c in self.choices)}"
        return f"{self.path}={self.low:g}:{self.high:g}"

    def distribution(self):
        """The decision's search space as an Optuna distribution (the path is the parameter name)."""
        from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

        if self.choices is not None:
            return CategoricalDistribution(list(self.choices))
        if self.integer:
            return IntDistribution(int(self.low), int(self.high))
        return FloatDistribution(self.low, self.high)

    def contains(self, value: Any) -> bool:
        """Whether ``value`` lies in the search space."""
        if self.choices is not None:
            return value in self.choices
        return isinstance(value, int | float) and not isinstance(value, bool) and self.low <= value <= self.high

    def grid(self) -> list[Any] | None:
        """Every value, if there are finitely many; else None."""
        if self.choices is not None:
            return list(self.choices)
        return list(range(int(self.low), int(self.high) + 1)) if self.integer else None


def _value(text: str) -> Any:
    """A choice as a TOML value (``1.2`` a number, ``true`` a boolean), else the text itself."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def _document(scenario: Scenario) -> dict[str, Any]:
    return scenario.model_dump(mode="python", exclude_none=True)


def _expand_levels(data: dict[str, Any], path: str) -> None:
    """Turn a firm's one-for-all relationship level into a level per segment, if ``path`` names a segment."""
    parts = path.split(".")
    if len(parts) != 4 or parts[0] != "firms" or parts[2] != "relationship":
        return
    for firm in data.get("firms", []):
        if firm.get("name") == parts[1] and isinstance(firm.get("relationship"), str):
            level = firm["relationship"]
            firm["relationship"] = {s["name"]: level for s in data["market"]["segments"]}


def apply_decisions(scenario: Scenario, values: dict[str, Any], source: str = "<scenario>") -> Scenario:
    """A validated copy of ``scenario`` with each decision path set to its value."""
    data = copy.deepcopy(_document(scenario))
    for path in values:
        _expand_levels(data, path)
    return validate_document(apply_overrides(data, values, source), source)


def current_value(scenario: Scenario, path: str) -> Any:
    """The scenario's value at a decision path (a per-segment level read through a one-for-all level)."""
    data = _document(scenario)
    _expand_levels(data, path)
    node: Any = data
    for part in path.split("."):
        if isinstance(node, list):
            node = next((item for item in node if isinstance(item, dict) and item.get("name") == part), None)
        elif isinstance(node, dict):
            node = node.get(part)
        if node is None:
            return None
    return node


def parse_decision(text: str, scenario: Scenario, source: str = "--decision") -> Decision:
    """``PATH=LOW:HIGH`` or ``PATH=a,b,c``, checked against the scenario: every end of a
    range and every choice must be a valid value at that path."""
    path, sep, space = text.partition("=")
    path, space = path.strip(), space.strip()
    where = f"{source} {text!r}"
    if not (sep and path and space):
        raise ScenarioError(f"{where}: expected PATH=LOW:HIGH or PATH=a,b,c, "
                            "for example firms.Partner.price=0.8:1.6")
    if ":" in space and "," not in space:
        low_text, _, high_text = space.partition(":")
        try:
            low, high = float(low_text), float(high_text)
        except ValueError:
            raise ScenarioError(f"{where}: LOW:HIGH must be two numbers (got {space!r})") from None
        if not (math.isfinite(low) and math.isfinite(high) and low < high):
            raise ScenarioError(f"{where}: expected LOW < HIGH, both finite (got {space!r})")
        current = current_value(scenario, path)
        integer = isinstance(current, int) and not isinstance(current, bool)
        if integer and not (low.is_integer() and high.is_integer()):
            raise ScenarioError(f"{where}: {path} is a whole number; give whole-number bounds")
        decision = Decision(path, low, high, integer)
        tried = [int(low), int(high)] if integer else [low, high]
    else:
        choices = tuple(dict.fromkeys(_value(c.strip()) for c in space.split(",") if c.strip()))
        if not choices:
            raise ScenarioError(f"{where}: expected at least one choice")
        decision = Decision(path, choices=choices)
        tried = list(choices)
    for value in tried:
        try:
            apply_decisions(scenario, {path: value}, source=where)
        except ScenarioError as err:
            raise ScenarioError(str(err).split("\n")[0]) from None
    return decision


def parse_decisions(texts, scenario: Scenario, source: str = "--decision") -> list[Decision]:
    """Every decision, each path at most once."""
    decisions = [parse_decision(t, scenario, source) for t in texts]
    paths = [d.path for d in decisions]
    repeated = sorted({p for p in paths if paths.count(p) > 1})
    if repeated:
        raise ScenarioError(f"{source}: {', '.join(repeated)} is given more than once")
    if not decisions:
        raise ScenarioError(f"{source}: give at least one decision, for example "
                            "--decision firms.Partner.relationship=basic,reactive,accountable,proactive,partnership")
    return decisions
