"""Reading scenario files safely, applying dotted-path overrides, and turning
validation failures into messages a strategist can act on.

Scenario files are TOML, parsed with the standard library's ``tomllib`` (no
code is ever evaluated). Every error names the file, the field path
(``market.segments[1].share``) and what was expected.
"""

from __future__ import annotations

import copy
import json
import re
import stat
import sys
import tomllib
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ValidationError

from .schema import Scenario
from .suggest import closest

MAX_FILE_BYTES = 1_000_000


class ScenarioError(Exception):
    """A user's scenario (or override) is wrong; the message says where and why."""


class TooManyDigits(ScenarioError):
    """A whole number too long for Python to read (more digits than ``sys.get_int_max_str_digits()``)."""


def load_scenario(path: str | Path, overrides: dict[str, Any] | None = None) -> Scenario:
    """Read, override and validate a scenario file."""
    path = Path(path)
    data = read_document(path)
    if not data:
        raise ScenarioError(f"{path}: the file is empty (nothing but blank lines or comments); a scenario needs "
                            "at least one [[firms]] table with a name, and usually [run] and [market] sections "
                            "(see docs/scenarios.md)")
    if overrides:
        data = apply_overrides(data, overrides, source=str(path))
    return validate_document(data, source=str(path))


def read_document(path: Path) -> dict[str, Any]:
    """The raw TOML document of a scenario file: a regular file of UTF-8 text, of at most
    ``MAX_FILE_BYTES``, never opened if it is anything else (a FIFO would block)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such scenario file") from None
    except OSError as err:  # a loop of symbolic links, no permission, a name too long
        raise ScenarioError(f"{path}: cannot read the scenario file: {err.strerror}") from None
    if stat.S_ISDIR(info.st_mode):
        raise ScenarioError(f"{path}: is a directory, not a scenario file")
    if not stat.S_ISREG(info.st_mode):
        raise ScenarioError(f"{path}: is not a regular file (a FIFO, a device or a socket); a scenario is a TOML file")
    if info.st_size > MAX_FILE_BYTES:
        raise ScenarioError(f"{path}: file is larger than {MAX_FILE_BYTES} bytes; not a scenario")
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ScenarioError(f"{path}: cannot read the scenario file: {err.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ScenarioError(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from None
    return parse_toml(text, str(path))


def parse_toml(text: str, source: str) -> dict[str, Any]:
    """A TOML document, or a :class:`ScenarioError` saying why ``text`` is not one."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(f"{source}: not valid TOML: {err}") from None
    except ValueError:  # int() refuses literals longer than Python's limit (sys.get_int_max_str_digits)
        raise TooManyDigits(f"{source}: a whole number has more than {sys.get_int_max_str_digits():,} digits, "
                            "too many to read; not a scenario value") from None
    except RecursionError:
        raise ScenarioError(f"{source}: not a scenario: arrays or tables nested too deeply") from None


def validate_document(data: dict[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate a plain document against the scenario format."""
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(format_validation_error(err, data, source)) from None
    except RecursionError:
        raise ScenarioError(f"{source}: document is nested too deeply") from None
    from ..strategies import check_strategy_spec  # late import: strategies need the schema

    for i, firm in enumerate(scenario.firms):
        problem = check_strategy_spec(firm.strategy.name, firm.strategy.params)
        if problem:
            raise ScenarioError(f"{source}: firms[{i}].strategy: {problem}")
    return scenario


# ----------------------------------------------------------------- errors ---


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
MAX_SHOWN = 60
"""Characters of a user's key or value quoted in a message, at most."""


def _shown(text: str) -> str:
    return text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "..."


def _path_text(loc: tuple[Any, ...]) -> str:
    """A field path as written in TOML: ``firms[0].price``; odd keys quoted (``run."a b"``), on one line."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            key = str(part) if _BARE_KEY.fullmatch(str(part)) else json.dumps(str(part))
            out += ("." if out else "") + _shown(key)
    return out or "(top level)"


def _document_loc(loc: tuple[Any, ...], data: Any, missing: bool) -> tuple[Any, ...]:
    """The part of a pydantic error location that is a path in the document.

    pydantic puts the members of a union (``str``, ``dict[str,str]``,
    ``function-after[...]``) into locations; they are dropped by following the
    path through the document itself. The last part of a missing field is kept.
    """
    out: list[Any] = []
    node = data
    for i, part in enumerate(loc):
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        elif not (missing and i == len(loc) - 1):
            continue
        out.append(part)
    return tuple(out)


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model class that the field path ``loc`` points into."""
    model: Any = Scenario
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        model = _unwrap(field.annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _unwrap(annotation: Any) -> Any:
    """The model class inside list[...], X | None and Annotated[...] wrappers."""
    for arg in getattr(annotation, "__args__", ()) or ():
        inner = _unwrap(arg)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return inner
    if hasattr(annotation, "__metadata__"):
        return _unwrap(annotation.__origin__)
    return annotation


def _expected(err: dict[str, Any]) -> str:
    kind = err["type"]
    ctx = err.get("ctx", {})
    plain = {
        "missing": "this field is required",
        "int_type": "expected a whole number",
        "int_parsing": "expected a whole number",
        "int_from_float": "expected a whole number",
        "float_type": "expected a number",
        "float_parsing": "expected a number",
        "finite_number": "expected a finite number (not nan or inf)",
        "bool_type": "expected true or false",
        "bool_parsing": "expected true or false",
        "string_type": "expected a text string",
        "list_type": "expected a list [...]",
        "dict_type": "expected a table {...}",
        "model_type": "expected a table {...}",
        "model_attributes_type": "expected a table {...}",
    }
    if kind in plain:
        return plain[kind]
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        sign = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=", "less_than": "<"}[kind]
        bound = next(iter(ctx.values()), "")
        return f"expected a number {sign} {bound:g}" if isinstance(bound, float) else f"expected a number {sign} {bound}"
    if kind == "literal_error":
        return f"expected one of {ctx.get('expected', '')}"
    if kind == "too_long" and "max_length" in ctx:
        return f"expected at most {ctx['max_length']} entries, got {ctx.get('actual_length', 'more')}"
    if kind in ("too_short", "too_long"):
        return err["msg"].replace("List", "expected a list").replace("String", "expected a text")
    if kind == "string_too_short":
        return "expected a non-empty text"
    msg = err["msg"]
    return msg.removeprefix("Value error, ")


def format_validation_error(err: ValidationError, data: Any, source: str) -> str:
    """One line per problem: ``FILE: FIELD: what was expected (got X)``."""
    lines = []
    seen = set()
    for e in err.errors(include_url=False):
        loc = _document_loc(e["loc"], data, missing=e["type"] == "missing")
        key = (loc, e["type"])
        if key in seen:
            continue
        seen.add(key)
        where = _path_text(loc)
        if e["type"] == "extra_forbidden":
            model = _model_at(loc[:-1])
            known = sorted(model.model_fields) if model else []
            guess = closest(str(loc[-1]), known) if loc else None
            hint = f"; did you mean '{guess}'?" if guess else (f"; known keys: {', '.join(known)}" if known else "")
            lines.append(f"{source}: {where}: unknown key{hint}")
            continue
        text = _expected(e)
        if e["type"] != "missing" and "input" in e and not isinstance(e["input"], dict | list):
            text += f" (got {_shown(repr(e['input']))})"
        lines.append(f"{source}: {where}: {text}" if loc else f"{source}: {text}")
    return "\n".join(lines[:20]) + (f"\n... and {len(lines) - 20} more problems" if len(lines) > 20 else "")


# -------------------------------------------------------------- overrides ---


def parse_assignment(text: str) -> tuple[str, Any]:
    """``'market.customers=1000'`` -> ``('market.customers', 1000)``; values are TOML values,
    and anything that is not valid TOML is taken as a string."""
    if "=" not in text:
        raise ScenarioError(f"--set {text!r}: expected PATH=VALUE, for example market.customers=1000")
    key, raw = text.split("=", 1)
    key = key.strip()
    if not key:
        raise ScenarioError(f"--set {text!r}: the path before '=' is empty")
    try:
        parsed = parse_toml(f"v = {raw}", f"--set {_shown(text)!r}")
    except TooManyDigits:
        raise
    except ScenarioError:
        parsed = {}
    value = parsed["v"] if list(parsed) == ["v"] else raw.strip()  # 'v = 1\nw = 2' is text, not two keys
    return key, value


def _split_path(path: str) -> list[str | int]:
    parts: list[str | int] = []
    for chunk in path.split("."):
        if not chunk:
            raise ValueError("a name is empty (two dots in a row, or a dot at an end)")
        while "[" in chunk and chunk.endswith("]"):
            head, _, index = chunk.partition("[")
            if head:
                parts.append(head)
            inner, _, rest = index.partition("]")
            if not inner.isdigit():
                raise ValueError(f"index [{inner}] is not a whole number")
            parts.append(int(inner))
            chunk = rest.removeprefix("]") if rest else ""
            if rest and not rest.startswith("["):
                raise ValueError(f"unexpected text {rest!r}")
        if chunk:
            parts.append(chunk)
    return parts


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set ``value`` at a dotted path in a document, in place.

    Lists of named tables (firms, segments) may be addressed by name:
    ``firms.Acme.price`` is the same as ``firms[0].price`` when Acme is first.
    Missing tables on the way are created, so defaults can be overridden.
    """
    try:
        parts = _split_path(path)
    except ValueError as err:
        raise ScenarioError(f"{path}: {err}") from None
    if not parts:
        raise ScenarioError(f"{path!r}: empty path")
    node: Any = data
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if isinstance(node, list):
            if isinstance(part, str):
                names = [item.get("name") for item in node if isinstance(item, dict)]
                if part not in names:
                    guess = closest(part, [n for n in names if isinstance(n, str)])
                    hint = f"; did you mean '{guess}'?" if guess else f"; names are {names}"
                    raise ScenarioError(f"{path}: no entry named {part!r}{hint}")
                part = names.index(part)
            if not 0 <= part < len(node):
                raise ScenarioError(f"{path}: index {part} is out of range (there are {len(node)} entries)")
        elif isinstance(node, dict):
            if isinstance(part, int):
                raise ScenarioError(f"{path}: {_path_text(tuple(parts[:i]))} is a table, not a list")
        else:
            raise ScenarioError(f"{path}: {_path_text(tuple(parts[:i]))} is a value, not a table")
        if last:
            node[part] = value
        else:
            if isinstance(node, dict) and part not in node:
                node[part] = _default_container(parts[: i + 1])
            node = node[part]


def _default_container(parts: list[str | int]) -> Any:
    """The default value of a section, as a plain document, so overrides can reach into it."""
    node: Any = Scenario()
    for part in parts:
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
        else:
            node = getattr(node, str(part), None) if isinstance(node, BaseModel) and str(part) in type(node).model_fields else None
        if node is None:
            return {}
    if isinstance(node, BaseModel):
        return node.model_dump(mode="python")
    if isinstance(node, list):
        return [n.model_dump(mode="python") if isinstance(n, BaseModel) else n for n in node]
    return {}


def apply_overrides(data: dict[str, Any], overrides: dict[str, Any], source: str = "<scenario>") -> dict[str, Any]:
    """A copy of ``data`` with every ``path: value`` override applied."""
    out = copy.deepcopy(data)
    for path, value in overrides.items():
        try:
            set_path(out, path, value)
        except ScenarioError as err:
            raise ScenarioError(f"{source}: override {err}") from None
    return out


def scenario_with(scenario: Scenario, overrides: dict[str, Any], source: str = "<scenario>") -> Scenario:
    """A validated copy of a scenario with dotted-path overrides applied. Types are as strict as
    in a file, but a NumPy number (``np.int64(500)`` from ``np.arange``) counts as the number it holds."""
    data = scenario.model_dump(mode="python", exclude_none=True)
    plain = {path: value.item() if isinstance(value, np.generic) else value for path, value in overrides.items()}
    return validate_document(apply_overrides(data, plain, source), source)
