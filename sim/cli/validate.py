"""``marketsim validate``: check scenario files without running them."""

from __future__ import annotations

import click
from rich.markup import escape

from ..scenario import ScenarioError
from .common import EXIT_USER_ERROR, load, plural, set_option, stderr, stdout


@click.command()
@click.argument("scenarios", nargs=-1, required=True)  # each file is checked by the loader, in turn
@set_option
def validate(scenarios, assignments):
    """Check each SCENARIO file; print what is wrong, field by field."""
    failed = 0
    for path in scenarios:
        try:
            spec = load(path, assignments)
        except ScenarioError as err:
            failed += 1
            stderr.print(f"[bold red]invalid:[/] {escape(str(err))}", markup=True, soft_wrap=True)
            continue
        counts = ", ".join(plural(n, noun) for n, noun in ((spec.market.customers, "customer"),
                                                          (len(spec.firms), "firm"),
                                                          (len(spec.market.segments), "segment"),
                                                          (spec.run.steps, "period")))
        stdout.print(f"ok: {path} ({spec.name}: {counts})")
    if failed:
        raise SystemExit(EXIT_USER_ERROR)
