"""An output directory's manifest, ``results.json``: what the directory holds (a run, a
comparison, a sweep, ...), the validated scenario, the seed and replications, and every table
written (its stem and Parquet file). Writers remove it when they start and write it last, so
a directory with a manifest holds one complete set of results."""

from __future__ import annotations

import json
from pathlib import Path

from ..scenario import Scenario
from .files import atomic_write_text

FORMAT = "marketsim-results v1"
MANIFEST = "results.json"


def clear_manifest(out_dir: str | Path) -> None:
    """Remove the manifest of an earlier command: the directory's results are about to change."""
    (Path(out_dir) / MANIFEST).unlink(missing_ok=True)


def write_manifest(out_dir: str | Path, kind: str, scenario: Scenario, seed: int, replications: int,
                   tables: dict[str, str], **extra: object) -> dict:
    """Write ``results.json`` (``tables``: stem -> Parquet file name; ``extra``: what the kind adds);
    returns its document."""
    document = {"format": FORMAT, "kind": kind, "scenario": scenario.model_dump(mode="json"), "seed": seed,
                "replications": replications, "tables": tables, **extra}
    atomic_write_text(Path(out_dir) / MANIFEST, json.dumps(document, indent=2) + "\n")
    return document
