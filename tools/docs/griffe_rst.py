"""Griffe extension for the API reference: reads marketsim's reStructuredText
habits in docstrings as Markdown.

The docstrings are prose with Sphinx roles (``:class:`~sim.scenario.Scenario```,
``:func:`proportion_ci```, ``:mod:`sim.draws```) and ``::`` before literal
blocks. mkdocstrings renders Markdown, where a role would show as
``:class:`` followed by code. This extension, run once the package is loaded:

- turns each role into a cross-reference: the name is resolved as Python
  would from where the docstring stands (its object, then the enclosing
  scopes and their imports); the link is made if the target has a page in
  the reference, otherwise the name stays code. A role naming nothing that
  exists is a warning (so ``mkdocs build --strict`` fails on it);
- turns ``text::`` before a literal block into ``text:``, as Sphinx shows it;
- puts a blank line before a list that directly follows a paragraph line, so
  Markdown reads it as the list it is meant to be.

Docstrings are changed only in the documentation build, never in the code.
"""

from __future__ import annotations

import builtins
import logging
import re
from typing import Any

import griffe

LOG = logging.getLogger("mkdocs.plugins.griffe_rst")

ROLE = re.compile(r":(?:py:)?(class|func|meth|mod|data|attr|obj|exc)::?`(?P<body>[^`]+)`")
EXPLICIT = re.compile(r"^(?P<title>.+?)\s*<(?P<target>[^>]+)>$")
LIST_ITEM = re.compile(r"^(\s*)(?:[-*+]|\d+\.)\s")


def _exists(collection: Any, path: str) -> bool:
    try:
        collection.get_member(path)
    except (KeyError, ValueError, AttributeError, griffe.AliasResolutionError, griffe.CyclicAliasError):
        return False
    return True


def resolve(obj: griffe.Object, name: str) -> str | None:
    """The full path of ``name`` seen from ``obj``, or None if nothing of that name exists."""
    collection = obj.modules_collection
    if _exists(collection, name):
        return name
    head, _, rest = name.partition(".")
    scope: Any = obj
    while scope is not None:
        try:
            base = scope.resolve(head)
        except (griffe.NameResolutionError, AttributeError):
            scope = scope.parent
            continue
        path = f"{base}.{rest}" if rest else base
        return path if _exists(collection, path) else None
    return None


def _role(obj: griffe.Object, match: re.Match) -> str:
    body = match["body"].strip()
    explicit = EXPLICIT.match(body)
    if explicit:
        title, target = explicit["title"], explicit["target"]
    else:
        target = body.lstrip("~")
        title = target.rsplit(".", 1)[-1] if body.startswith("~") else target
    target = target.lstrip(".")
    path = resolve(obj, target)
    if path is None and hasattr(builtins, target):
        return f"`{title}`"  # a built-in (ConnectionError): no page of ours to link to
    if path is None:
        where = f"{obj.relative_filepath}:{obj.docstring.lineno}" if obj.docstring else obj.path
        LOG.warning("%s: docstring of %s names %r, which does not exist", where, obj.path, match[0])
        return f"`{title}`"
    suffix = "()" if match[1] in {"func", "meth"} and not explicit else ""
    return f'<autoref identifier="{path}" optional><code>{title}{suffix}</code></autoref>'


def _lists_and_literals(text: str) -> str:
    lines, out = text.split("\n"), []
    in_list = False
    for line in lines:
        item = LIST_ITEM.match(line)
        if item and out and out[-1].strip() and not in_list and not line.startswith(" "):
            out.append("")
        if item:
            in_list = True
        elif not line.strip():
            in_list = False
        out.append(line)
    text = "\n".join(out)
    # "text::" then a blank line and an indented block: Sphinx shows "text:".
    return re.sub(r"(\S)::(\n\s*\n[ \t]+\S)", r"\1:\2", text)


def rewrite(obj: griffe.Object, text: str) -> str:
    """The docstring ``text`` of ``obj`` as Markdown."""
    parts = re.split(r"(```.*?```)", text, flags=re.DOTALL)  # leave fenced code alone
    for i in range(0, len(parts), 2):
        parts[i] = ROLE.sub(lambda m: _role(obj, m), _lists_and_literals(parts[i]))
    return "".join(parts)


class RstDocstrings(griffe.Extension):
    """Rewrites every docstring of a loaded package (see the module docstring)."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        self._visit(pkg, set())

    def _visit(self, obj: griffe.Object, seen: set[str]) -> None:
        if obj.path in seen:
            return
        seen.add(obj.path)
        if obj.docstring is not None:
            obj.docstring.value = rewrite(obj, obj.docstring.value)
        for member in obj.members.values():
            if not member.is_alias:
                self._visit(member, seen)
