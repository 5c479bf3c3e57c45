"""The classroom lessons: one text per teaching scenario, shown on the dashboard
and printed in ``docs/teaching.md``.

The lessons live in ``scenarios/teaching/lessons.toml``, one table per scenario
file (its stem), each with a title and the sections of NetLogo's info tab
(:data:`SECTIONS`). The texts use a little Markdown: ``*emphasis*`` and
``**strong**``. ``python -m sim.viz.lessons`` rewrites the lessons part of
``docs/teaching.md`` from them (everything after its ``---`` line), and
``tests/test_docs.py`` checks that the file is current.
"""

from __future__ import annotations

import re
import sys
import textwrap
import tomllib
from dataclasses import dataclass
from html import escape
from pathlib import Path

TEACHING = Path(__file__).resolve().parents[2] / "scenarios" / "teaching"
LESSONS_FILE = TEACHING / "lessons.toml"
DOC = Path(__file__).resolve().parents[2] / "docs" / "teaching.md"
#: Section key -> heading, in the order a lesson is read.
SECTIONS = {
    "what_it_is": "What it is",
    "how_it_works": "How it works",
    "what_to_show": "What to show",
    "ask_the_class": "Ask the class",
    "what_the_class_should_see": "What the class should see",
    "things_to_try": "Things to try",
}
#: The line that ends the hand-written introduction of ``docs/teaching.md``.
DIVIDER = "\n---\n"
#: Line length of the generated Markdown.
WIDTH = 100


@dataclass(frozen=True)
class Lesson:
    """One classroom scenario's lesson: ``name`` is the scenario file's stem."""

    name: str
    title: str
    sections: dict[str, str]

    @property
    def scenario(self) -> Path:
        return TEACHING / f"{self.name}.toml"


def load_lessons(path: Path = LESSONS_FILE) -> list[Lesson]:
    """The lessons in file order; every one must have a title and every section, and nothing else."""
    with open(path, "rb") as f:
        tables = tomllib.load(f)
    lessons = []
    for name, table in tables.items():
        expected = {"title", *SECTIONS}
        if set(table) != expected:
            raise ValueError(f"{path}: lesson {name!r} needs exactly {sorted(expected)}, has {sorted(table)}")
        lessons.append(Lesson(name, table["title"], {key: " ".join(table[key].split()) for key in SECTIONS}))
    return lessons


def lesson_for(scenario: str | Path | None) -> Lesson | None:
    """The lesson of the teaching scenario at ``scenario``, or None for any other file."""
    if scenario is None or Path(scenario).resolve().parent != TEACHING:
        return None
    return next((lesson for lesson in load_lessons() if lesson.name == Path(scenario).stem), None)


def lesson_markdown(number: int, lesson: Lesson) -> str:
    """A lesson as a section of ``docs/teaching.md``: a heading, then one paragraph per section."""
    paragraphs = [textwrap.fill(f"**{SECTIONS[key]}.** {text}", WIDTH, break_long_words=False, break_on_hyphens=False)
                  for key, text in lesson.sections.items()]
    heading = f"## {number}. {lesson.title} — `scenarios/teaching/{lesson.name}.toml`"
    return "\n\n".join([heading, *paragraphs]) + "\n"


def teaching_doc(introduction: str, lessons: list[Lesson]) -> str:
    """``docs/teaching.md``: the introduction, the divider, then every lesson."""
    body = "\n".join(lesson_markdown(i, lesson) for i, lesson in enumerate(lessons, 1))
    return f"{introduction.rstrip()}\n{DIVIDER}\n{body}"


def inline_html(text: str) -> str:
    """The lessons' Markdown (``**strong**``, ``*emphasis*``, ```code```) as escaped HTML."""
    html = escape(text)
    html = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", html)
    html = re.sub(r"\*(.+?)\*", r"<em>\1</em>", html)
    return re.sub(r"`(.+?)`", r"<code>\1</code>", html)


def write_doc(path: Path = DOC) -> None:
    introduction = path.read_text().split(DIVIDER)[0]
    path.write_text(teaching_doc(introduction, load_lessons()))


if __name__ == "__main__":
    write_doc(Path(sys.argv[1]) if len(sys.argv) > 1 else DOC)
