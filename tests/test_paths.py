"""Scenarios are data: a scenario's strings (its name, firm, segment and arm
names) never become paths outside the output directory, never run as code or
as terminal markup, and the program never evaluates or unpickles anything."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from sim.outputs.files import safe_name

from .conftest import ROOT, marketsim

HOSTILE = ["../../escaped", "/tmp/marketsim-absolute", "[/]", "[bold red]x", "$\\frac{$", "Café ☕ 名前", ":smile:",
           "a/b\\c", "..", "<script>alert(1)</script>", "| pipe |"]


@settings(derandomize=True, database=None, max_examples=500)
@given(st.text())
def test_safe_name_is_one_plain_path_component(text):
    name = safe_name(text)
    assert 0 < len(name) <= 64
    assert name not in (".", "..") and not name.startswith(".")
    assert all(c.isascii() and (c.isalnum() or c in "_.-") for c in name)
    out = Path("/srv/out")
    assert (out / name).resolve().parent == out


def hostile_scenario(tmp_path: Path) -> Path:
    firms = [{"name": n} for n in HOSTILE[:6]]
    lines = [f"name = {json.dumps(HOSTILE[0])}", f"description = {json.dumps(HOSTILE[9] + ' ' + HOSTILE[1])}",
             "[run]", "steps = 3", "replications = 2", "[market]", "customers = 120",
             "[[market.segments]]", f"name = {json.dumps(HOSTILE[3])}", "share = 0.5",
             "[[market.segments]]", f"name = {json.dumps(HOSTILE[8])}", "share = 0.5"]
    for firm in firms:
        lines += ["[[firms]]", f"name = {json.dumps(firm['name'])}"]
    lines += ["[compare]", "arms = [" + ", ".join(f"{{ name = {json.dumps(n)} }}" for n in HOSTILE[6:9]) + "]"]
    path = tmp_path / "hostile.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def files_under(directory: Path) -> set[Path]:
    return {p for p in directory.rglob("*") if p.is_file()}


def test_hostile_names_stay_inside_the_output_directory(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    path = hostile_scenario(work)
    before = files_under(tmp_path)
    outside = Path(HOSTILE[1])
    for command in (["validate", str(path)],
                    ["run", str(path), "--workers", "1"],
                    ["compare", str(path), "--workers", "1"]):
        result = marketsim(*command, cwd=work)
        assert result.returncode == 0, (command, result.stderr)
        assert "Traceback" not in result.stderr + result.stdout
    created = files_under(tmp_path) - before
    assert created, "the commands wrote their outputs"
    assert all(p.is_relative_to(work / "out") for p in created), sorted(map(str, created))
    assert not outside.exists() and not (tmp_path / "escaped").exists()
    summary = json.loads((work / "out" / safe_name(HOSTILE[0]) / "summary.json").read_text(encoding="utf-8"))
    assert list(summary["firms"]) == HOSTILE[:6], "names are kept exactly in the outputs"


def test_hostile_names_print_as_text_not_markup(tmp_path):
    path = hostile_scenario(tmp_path)
    result = marketsim("validate", str(path))
    assert result.returncode == 0, result.stderr
    assert f"({HOSTILE[0]}:" in result.stdout, "the name is printed as written"
    result = marketsim("run", str(path), "--out", str(tmp_path / "o"), "--workers", "1")
    assert result.returncode == 0, result.stderr
    for name in ("[/]", "[bold red]x", "$\\frac{$"):
        assert name in result.stdout, f"{name!r} printed literally in the summary table"
    result = marketsim("compare", str(path), "--out", str(tmp_path / "c"), "--workers", "1")
    assert result.returncode == 0, result.stderr
    assert ":smile:" in result.stdout, "an arm named ':smile:' printed literally, not as an emoji"


def test_errors_quoting_user_text_print_it_literally(tmp_path):
    path = tmp_path / "bad.toml"
    path.write_text('[market]\n"[bold]cust[/]" = 1\n')
    result = marketsim("validate", str(path))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert '"[bold]cust[/]": unknown key' in result.stderr
    result = marketsim("run", str(path), "--out", str(tmp_path / "o"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert '"[bold]cust[/]": unknown key' in result.stderr


FORBIDDEN_BUILTINS = {"eval", "exec", "compile", "__import__", "breakpoint"}
FORBIDDEN_MODULES = {"pickle", "cPickle", "dill", "cloudpickle", "marshal", "shelve", "yaml", "jsonpickle"}


SHIPPING = ROOT / "sim" / "runs" / "shipping.py"
"""The one module that pickles: it sends strategy objects the researcher gave in this process to
the workers, as bytes in memory (a task's argument), never read from a file."""


def test_the_package_never_evaluates_or_unpickles():
    """Reading a scenario or a result can never run code: no eval/exec and no
    deserialiser that can build arbitrary objects (TOML via tomllib, results as CSV).
    The strategies' shipping unpickles only what it pickled, in memory: it opens no file."""
    shipping = SHIPPING.read_text(encoding="utf-8")
    assert not any(reading in shipping for reading in ("open(", "read_bytes", "read_text", "load(")), \
        "shipping must never read what it unpickles from a file"
    problems = []
    for source in sorted((ROOT / "sim").rglob("*.py")):
        if source == SHIPPING:
            continue
        tree = ast.parse(source.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                builtin = node.func.id if isinstance(node.func, ast.Name) else ""
                method = node.func.attr if isinstance(node.func, ast.Attribute) else ""
                if builtin in FORBIDDEN_BUILTINS or method == "import_module":
                    problems.append(f"{source.relative_to(ROOT)}:{node.lineno}: {builtin or method}()")
                if any(k.arg == "shell" and getattr(k.value, "value", False) for k in node.keywords):
                    problems.append(f"{source.relative_to(ROOT)}:{node.lineno}: shell=True")
            elif isinstance(node, ast.Import | ast.ImportFrom):
                modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                problems += [f"{source.relative_to(ROOT)}:{node.lineno}: import {m}" for m in modules
                             if m.split(".")[0] in FORBIDDEN_MODULES]
    assert not problems, problems
    loader = (ROOT / "sim" / "scenario" / "load.py").read_text()
    assert "tomllib.loads" in loader


def test_atomic_files_get_the_usual_permissions(tmp_path):
    """A file written atomically has the mode open() would give it (0666 less the umask), not mkstemp's 0600."""
    import os
    import stat

    from sim.outputs.files import atomic_write_text

    old = os.umask(0o022)
    try:
        path = atomic_write_text(tmp_path / "shared.txt", "for everyone to read")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["shared.txt"], "no temporary file left"
