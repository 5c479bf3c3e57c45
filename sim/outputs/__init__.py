"""Outputs of a run: summary statistics, files written atomically, plots, report."""

from .files import atomic_write_bytes, atomic_write_text, safe_name
from .summary import SUMMARY_METRICS, summarize
from .write import write_run_outputs

__all__ = ["SUMMARY_METRICS", "atomic_write_bytes", "atomic_write_text", "safe_name", "summarize", "write_run_outputs"]
