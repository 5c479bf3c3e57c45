"""Keyword overrides: a scenario value given to a function as a keyword, ``__`` for each dot
(``market__customers=500`` sets ``market.customers``), as Mesa's ``batch_run`` passes parameters.

A keyword of one word that is not a top-level key of the scenario is most likely a mistyped
argument of the function (``worker=2``) or a value without its section (``steps=12``): it is
refused as Python refuses an unexpected keyword, with what was probably meant.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any, get_origin

from pydantic import BaseModel

from .schema import Scenario
from .suggest import closest


def dotted(overrides: Mapping[str, Any], function: Callable[..., Any]) -> dict[str, Any]:
    """``overrides`` as dotted paths; a TypeError for a keyword that is neither a path into the
    scenario nor close to one of the named arguments of ``function`` (a function or a class)."""
    for key in overrides:
        if "__" not in key and key not in Scenario.model_fields:
            arguments = [name for name, p in inspect.signature(function).parameters.items()
                         if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
            raise TypeError(f"{function.__name__}() got an unexpected keyword argument {key!r}: "
                            f"{_meant(key, arguments)}")
    return {key.replace("__", "."): value for key, value in overrides.items()}


def _meant(key: str, arguments: list[str]) -> str:
    """What ``key`` probably meant: a near argument, the value of that name in a section, or what there is."""
    argument = closest(key, arguments)
    if argument:
        return f"did you mean {argument}=...?"
    inside = [f"{section}__{key}" for section, field in Scenario.model_fields.items()
              if _is_section(field.annotation) and key in field.annotation.model_fields]
    if inside:
        return f"a scenario value is named with its section: {' or '.join(inside)}=..."
    return (f"the arguments are {', '.join(arguments)}; scenario values are given as SECTION__KEY=... "
            f"(market__customers=500, firms__NAME__price=0.9) under the top-level keys {', '.join(Scenario.model_fields)}")


def _is_section(annotation: Any) -> bool:
    """Whether a top-level key holds one table of keys (``run``, ``market``, ``behaviour``)."""
    return get_origin(annotation) is None and isinstance(annotation, type) and issubclass(annotation, BaseModel)
