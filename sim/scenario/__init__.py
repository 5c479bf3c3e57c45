"""Scenario files: the format (``schema``) and loading with clear errors (``load``)."""

from .load import ScenarioError, apply_overrides, load_scenario, parse_assignment, scenario_with, validate_document
from .schema import RELATIONSHIP_LEVELS, Scenario

__all__ = [
    "RELATIONSHIP_LEVELS",
    "Scenario",
    "ScenarioError",
    "apply_overrides",
    "load_scenario",
    "parse_assignment",
    "scenario_with",
    "validate_document",
]
