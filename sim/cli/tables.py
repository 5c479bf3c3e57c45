"""Terminal tables that fit the terminal without cutting a cell.

A table is given as a header and rows of text cells; a cell may hold two
lines (a mean over its interval). Every column is as wide as its widest cell
line, so no cell wraps or is cut; when the columns do not fit the terminal,
the table is split into several, each repeating the first ``keep`` columns
(the row labels). Long headings wrap at spaces; a title is printed above
its table and wraps to the terminal.
"""

from __future__ import annotations

from rich import box
from rich.console import Console
from rich.table import Table

_PADDING = 2  # one space either side of a cell
_EDGE = 1


def _width(text: str) -> int:
    return max((len(line) for line in text.splitlines()), default=0)


def column_widths(header: list[str], rows: list[list[str]], heading: int = 24) -> list[int]:
    """Each column's width: its widest cell line, or its heading up to ``heading`` characters
    (a longer heading wraps at spaces)."""
    return [max([_width(r[i]) for r in rows] + [min(len(h), max(heading, *map(len, h.split())))])
            for i, h in enumerate(header)]


def column_groups(widths: list[int], keep: int, width: int) -> list[list[int]]:
    """Indices of the columns of each table, every group starting with the first ``keep``
    columns, as many further columns in each as fit ``width`` characters."""
    fixed = list(range(keep))
    used = sum(widths[i] + _PADDING for i in fixed) + _EDGE
    groups, current, size = [], [], used
    for i in range(keep, len(widths)):
        need = widths[i] + _PADDING
        if current and size + need > width:
            groups.append(fixed + current)
            current, size = [], used
        current.append(i)
        size += need
    groups.append(fixed + current)
    return groups


def fitted_tables(header: list[str], rows: list[list[str]], width: int, keep: int = 1, title: str = "",
                  right: set[int] | None = None, heading: int = 24) -> list[tuple[str, Table]]:
    """The table as one or more (title, rich Table) pairs, each table at most ``width``
    characters wide. Columns in ``right`` (default: all but the first ``keep``) are right-aligned."""
    widths = column_widths(header, rows, heading)
    right = set(range(keep, len(header))) if right is None else right
    groups = column_groups(widths, keep, width)
    tables = []
    for n, group in enumerate(groups):
        part = f" ({n + 1} of {len(groups)})" if len(groups) > 1 else ""
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, padding=(0, 1))
        for i in group:
            table.add_column(header[i], justify="right" if i in right else "left", width=widths[i],
                             overflow="fold")
        for r, row in enumerate(rows):
            table.add_row(*[row[i] for i in group], end_section=any("\n" in c for c in row) and r < len(rows) - 1)
        tables.append((f"{title}{part}", table))
    return tables


def print_tables(console: Console, tables: list[tuple[str, Table]], notes: list[str] = ()) -> None:
    """Print each title and its table, then the notes (each a paragraph that wraps to the terminal)."""
    for title, table in tables:
        if title:
            console.print(title, style="bold")
        console.print(table)
    for note in notes:
        console.print(note)
