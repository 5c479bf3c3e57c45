"""Optimisation: a firm's best decisions (``optimise``) and where competitors'
best responses settle (``best_response``), searched with Optuna on common
random numbers and confirmed on fresh seeds. See docs/optimisation.md."""

from .api import Optimisation, optimise, optimisation_document
from .decisions import Decision, apply_decisions, parse_decision
from .objective import Constraint, parse_constraint
from .respond import Response, best_response

__all__ = ["Constraint", "Response", "best_response", "Decision", "Optimisation", "apply_decisions", "optimisation_document", "optimise",
           "parse_constraint", "parse_decision"]
