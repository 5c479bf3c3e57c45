"""Small tables as HTML, for the dashboard's text panels (solara's Markdown
would fetch KaTeX from a CDN, which an offline classroom cannot reach)."""

from __future__ import annotations

from html import escape

import pandas as pd

STYLE = ("<style>.marketsim-table{border-collapse:collapse;font-size:13px;margin:2px 0 10px 0}"
         ".marketsim-table td,.marketsim-table th{padding:1px 8px;white-space:nowrap;text-align:right}"
         ".marketsim-table tbody th{text-align:left}</style>")


def html_table(frame: pd.DataFrame, digits: int = 2) -> str:
    """``frame`` as an HTML table, index first, numbers rounded, NaN blank."""
    return frame.to_html(na_rep="", float_format=lambda v: f"{v:,.{digits}f}", border=0,
                         classes="marketsim-table")


def html_panel(title: str, *parts: str) -> str:
    """A titled panel: ``parts`` are HTML snippets (tables) or plain text (escaped)."""
    body = "".join(p if p.lstrip().startswith("<") else f"<p style='margin:4px 0'>{escape(p)}</p>" for p in parts)
    return f'{STYLE}<div style="padding:4px 8px;overflow:auto"><h3 style="margin:4px 0">{escape(title)}</h3>{body}</div>'
