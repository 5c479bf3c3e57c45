"""MkDocs hooks for the documentation site (see mkdocs.yml).

1. The notebooks live in ``notebooks/``, outside ``docs/``; they are added to
   the site as ``notebooks/*.ipynb`` so that mkdocs-jupyter renders them (as
   committed, without running them).
2. The guides in ``docs/`` may link to files of the repository outside
   ``docs/`` (``../scenarios/quickstart.toml``), which is right when they are
   read on a Git host. For the site, each such file that exists is copied to
   ``repo/<its path>`` and the link points there, so it works on the site
   too. A link to a file that does not exist is left alone, and MkDocs'
   link validation reports it (a failure under ``--strict``). A link to a
   Markdown file outside ``docs/`` (it would be a page of its own, whose links
   are relative to somewhere else) is a warning: link to the guide in
   ``docs/`` instead.
"""

from __future__ import annotations

import logging
import posixpath
import re
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

LOG = logging.getLogger("mkdocs.plugins.marketsim")
ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
COPIES = "repo"
# An inline Markdown link or image: ](target) or ](target "title"), target without a scheme.
LINK = re.compile(r"(\]\()(?P<target>[^)\s#:]+)(?P<rest>(?:#[^)\s]*)?(?:\s+\"[^\"]*\")?\))")


def outside_target(page_src: str, target: str, docs_dir: Path) -> Path | None:
    """The repository file a relative link from docs page ``page_src`` names, if it is outside ``docs_dir``."""
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(page_src), target))
    if not joined.startswith("../"):
        return None
    path = (docs_dir / joined).resolve()
    return path if path.is_relative_to(ROOT) else None


def rewrite_links(markdown: str, page_src: str, docs_dir: Path, warn: bool = True) -> tuple[str, list[Path]]:
    """``markdown`` with links to existing files outside ``docs_dir`` pointing at their copies, and those files."""
    copied: list[Path] = []

    def replace(match: re.Match) -> str:
        target = match["target"]
        path = outside_target(page_src, target, docs_dir)
        if path is None or not path.is_file():
            return match[0]  # inside docs/ (MkDocs checks it), or missing (MkDocs reports it)
        if path.suffix in {".md", ".markdown"}:
            if warn:
                LOG.warning("%s links to %s, a Markdown file outside docs/: link to the guide in docs/ instead",
                            page_src, target)
            return match[0]
        copied.append(path)
        copy = posixpath.join(COPIES, path.relative_to(ROOT).as_posix())
        up = "../" * len([part for part in posixpath.dirname(page_src).split("/") if part])  # to the docs root
        return f"{match[1]}{up}{copy}{match['rest']}"

    return LINK.sub(replace, markdown), copied


@event_priority(100)  # before mkdocs-jupyter sees the files
def on_files(files: Files, config) -> Files:
    for notebook in sorted(NOTEBOOKS.glob("*.ipynb")):
        files.append(File(f"notebooks/{notebook.name}", str(ROOT), config["site_dir"], config["use_directory_urls"]))
    docs_dir = Path(config["docs_dir"])
    for page in [f for f in files if f.is_documentation_page() and f.abs_src_path]:
        text = Path(page.abs_src_path).read_text(encoding="utf-8")
        for path in rewrite_links(text, page.src_uri, docs_dir, warn=False)[1]:
            uri = posixpath.join(COPIES, path.relative_to(ROOT).as_posix())
            if files.get_file_from_path(uri) is None:
                files.append(File.generated(config, uri, abs_src_path=str(path)))
    return files


def on_page_markdown(markdown: str, page, config, files) -> str:
    return rewrite_links(markdown, page.file.src_uri, Path(config["docs_dir"]))[0]
