"""Statistics over many runs: paired comparisons of arms (common random
numbers), sweep designs, and Sobol sensitivity indices."""

from .design import Design, sweep_design
from .paired import comparison_table, paired_difference
from .sensitivity import sobol_indices

__all__ = ["Design", "comparison_table", "paired_difference", "sobol_indices", "sweep_design"]
