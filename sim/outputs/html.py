"""``report.html``: one self-contained page for a meeting, rendered with Jinja2.

A report is a title, a description, a few facts about the run, key findings in
words, and sections of text, tables and plots. Plots are embedded as base64
PNG, the style sheet is inline, and nothing is fetched from anywhere: the file
opens in any browser, offline, and prints to PDF page by page (tables and
plots are not split across pages).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

import jinja2


@dataclass
class Table:
    """A header and rows of text cells; a cell's lines (``\\n``) print one under the other."""

    header: list[str]
    rows: list[list[str]]
    caption: str = ""
    labels: int = 1  # leading columns of labels, aligned left (the rest are numbers, aligned right)


@dataclass
class Plot:
    """A PNG image, embedded, with its caption."""

    png: bytes
    caption: str

    @property
    def source(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass
class Section:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    plots: list[Plot] = field(default_factory=list)


_environment = jinja2.Environment(loader=jinja2.PackageLoader("sim.outputs", "templates"),
                                  autoescape=jinja2.select_autoescape(["html", "j2"]), undefined=jinja2.StrictUndefined,
                                  trim_blocks=True, lstrip_blocks=True)


def render(title: str, description: str, facts: list[str], findings: list[str], sections: list[Section],
           notes: list[str] = ()) -> str:
    """The report page as HTML text."""
    return _environment.get_template("report.html.j2").render(
        title=title, description=description, facts=facts, findings=findings, sections=sections, notes=list(notes))
