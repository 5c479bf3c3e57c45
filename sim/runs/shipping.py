"""Strategies shipped with a run: a researcher's own strategy classes, from a
notebook, a script run as ``__main__`` or a module beside them, travel with
each task *by value* (serialised with cloudpickle), so they run in this
process, on a local process pool and on a Dask cluster alike, none of which
can import the researcher's ``__main__``.

Every task unpacks a fresh copy, so a strategy that keeps state (a learning
rule, say) starts each replication as it was given, whichever engine runs it.

:attr:`ShippedStrategies.digest` identifies what the strategies *do*: the code
of every method of every class outside this package (its bytecode, constants
and names, and the simple values of the globals it reads) and each instance's
parameters. It is part of a stored run's fingerprint
(:func:`sim.runs.store.fingerprint`), so a changed strategy under the same name
is never taken from the store; the package's own strategies are covered by
the digest of the package's source.
"""

from __future__ import annotations

import abc
import hashlib
import inspect
import pickle
import sys
import sysconfig
import types
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cloudpickle

from ..scenario import Scenario
from ..strategies import Strategy
from ..strategies.base import registered_class

PACKAGE = __name__.split(".")[0]
SIMPLE = (bool, int, float, complex, str, bytes, type(None), tuple, frozenset)


@dataclass(frozen=True)
class ShippedStrategies:
    """Firm name -> strategy, serialised by value; :meth:`fresh` gives new instances."""

    payload: bytes
    digest: str
    described: tuple[tuple[str, str], ...]
    """(firm, the strategy's repr), for reports."""

    def fresh(self) -> dict[str, Strategy]:
        """A fresh copy of every strategy (unpickling needs cloudpickle installed, not the class's module)."""
        return pickle.loads(self.payload)

    @property
    def firms(self) -> list[str]:
        return [firm for firm, _ in self.described]


def ship(scenario: Scenario, strategies: Mapping[str, Strategy] | None = None) -> ShippedStrategies | None:
    """The strategies a run of ``scenario`` needs shipped: those given (firm -> instance) and, for
    every other firm, a strategy the scenario names whose class was registered outside this package
    (``@register_strategy`` in a notebook). None when every strategy is the package's own."""
    given = dict(strategies or {})
    firms = {f.name for f in scenario.firms}
    unknown = sorted(set(given) - firms)
    if unknown:
        raise ValueError(f"strategies given for unknown firms {unknown}; the firms are {sorted(firms)}")
    for firm, strategy in given.items():
        if not isinstance(strategy, Strategy):
            raise TypeError(f"strategies[{firm!r}]: expected a Strategy instance, got {type(strategy).__name__}")
    for spec in scenario.firms:
        cls = registered_class(spec.strategy.name)
        if spec.name not in given and cls is not None and not _ours(cls):
            given[spec.name] = cls(**spec.strategy.params)
    if not given:
        return None
    ordered = {spec.name: given[spec.name] for spec in scenario.firms if spec.name in given}
    return ShippedStrategies(_by_value(ordered), strategy_digest(ordered),
                             tuple((firm, repr(s)) for firm, s in ordered.items()))


def strategy_digest(strategies: Mapping[str, Strategy]) -> str:
    """A digest of what the strategies do: their classes' code outside this package and their parameters."""
    digest = hashlib.sha256()
    for firm, strategy in strategies.items():
        digest.update(firm.encode() + b"\0")
        for cls in type(strategy).__mro__:
            if cls in (object, abc.ABC) or _ours(cls):
                continue
            digest.update(f"{cls.__module__}.{cls.__qualname__}\0".encode())
            for name, member in sorted(vars(cls).items()):
                part = _member_digest(member, set())
                if part is not None:
                    digest.update(name.encode() + b"=" + part.encode() + b"\0")
        digest.update(_state_digest(strategy).encode())
    return digest.hexdigest()


# ------------------------------------------------------------ details ---


def _ours(cls: type) -> bool:
    return cls.__module__ == PACKAGE or cls.__module__.startswith(PACKAGE + ".")


def _installed(module: types.ModuleType) -> bool:
    """Whether a module comes from the standard library or an installed package (then workers have it)."""
    file = getattr(module, "__file__", None)
    if not file:
        return True  # built in, or a namespace: nothing to send
    path = Path(file).resolve()
    roots = {sysconfig.get_paths()[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    return any(path.is_relative_to(Path(root).resolve()) for root in roots)


def _by_value(strategies: dict[str, Strategy]) -> bytes:
    """cloudpickle the strategies, with every module of their classes that a worker may lack
    (``__main__`` always; a researcher's own module beside the notebook) pickled by value."""
    modules = {sys.modules[cls.__module__] for s in strategies.values() for cls in type(s).__mro__
               if cls.__module__ != "__main__" and not _ours(cls) and cls.__module__ in sys.modules
               and not _installed(sys.modules[cls.__module__])}
    registered = [m for m in modules if m.__name__ not in cloudpickle.list_registry_pickle_by_value()]
    for module in registered:
        cloudpickle.register_pickle_by_value(module)
    try:
        return cloudpickle.dumps(strategies, protocol=pickle.DEFAULT_PROTOCOL)
    finally:
        for module in registered:
            cloudpickle.unregister_pickle_by_value(module)


def _member_digest(member: Any, seen: set[int]) -> str | None:
    """A digest of a class member: a function's code (and what it reads) or a simple value;
    None for the class machinery (``__dict__``, ABC caches), which does not decide anything."""
    if isinstance(member, staticmethod | classmethod):
        member = member.__func__
    if isinstance(member, property):
        return "|".join(_function_digest(f, seen) for f in (member.fget, member.fset, member.fdel) if f)
    if inspect.isfunction(member):
        return _function_digest(member, seen)
    return _value_digest(member) if isinstance(member, SIMPLE) else None


def _function_digest(function: types.FunctionType, seen: set[int]) -> str:
    if id(function) in seen:
        return "recursive"
    seen.add(id(function))
    parts = [_code_digest(function.__code__), repr(function.__defaults__), repr(function.__kwdefaults__)]
    for name in _names(function.__code__):  # the globals the code reads: a constant's value, a helper's code
        if name in function.__globals__:
            value = function.__globals__[name]
            if inspect.isfunction(value) and not value.__module__.startswith(PACKAGE):
                parts.append(f"{name}:{_function_digest(value, seen)}")
            elif isinstance(value, SIMPLE):
                parts.append(f"{name}={value!r}")
    for cell in function.__closure__ or ():
        try:
            parts.append(_value_digest(cell.cell_contents))
        except ValueError:  # an empty cell
            parts.append("empty")
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _code_digest(code: types.CodeType) -> str:
    """The code's instructions, constants (nested code included) and names; not its file or lines."""
    consts = [_code_digest(c) if isinstance(c, types.CodeType) else repr(c) for c in code.co_consts]
    parts = [code.co_code.hex(), *consts, *code.co_names, *code.co_varnames, str(code.co_argcount),
             str(code.co_kwonlyargcount)]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names(const)
    return names


def _value_digest(value: Any) -> str:
    if isinstance(value, set | frozenset):  # iteration order changes with each process's string hashing
        return "{" + ",".join(sorted(_value_digest(v) for v in value)) + "}"
    try:
        return hashlib.sha256(pickle.dumps(value, protocol=4)).hexdigest()
    except Exception:  # noqa: BLE001  (a value plain pickle cannot take: its repr identifies it well enough)
        return repr(value)


def _state_digest(strategy: Strategy) -> str:
    """The instance's parameters: its attributes as given."""
    state = getattr(strategy, "__dict__", {})
    return "\0".join(f"{k}={_value_digest(v)}" for k, v in sorted(state.items()))
