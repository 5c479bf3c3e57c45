"""Small tables and text as HTML, for the dashboard's text panels (solara's Markdown
would fetch KaTeX from a CDN, which an offline classroom cannot reach)."""

from __future__ import annotations

from html import escape

import pandas as pd

#: Projector-sized type: 18 px text, 22 px headings; wide tables scroll inside their panel.
STYLE = ("<style>.marketsim-table{border-collapse:collapse;font-size:18px;margin:2px 0 12px 0}"
         ".marketsim-table td,.marketsim-table th{padding:2px 10px;white-space:nowrap;text-align:right}"
         ".marketsim-table tbody tr:nth-child(odd){background:rgba(0,0,0,0.04)}"
         ".marketsim-table tbody th{text-align:left;font-weight:normal}"
         ".marketsim-panel{padding:4px 8px;overflow-x:auto;font-size:18px;max-width:100%}"
         ".marketsim-panel h3{margin:4px 0;font-size:22px}</style>")


def html_table(frame: pd.DataFrame, digits: int = 2) -> str:
    """``frame`` as an HTML table, index first, numbers rounded with thousands separators, NaN blank."""
    return frame.to_html(na_rep="", float_format=lambda v: f"{v:,.{digits}f}", border=0,
                         classes="marketsim-table")


def html_panel(title: str, *parts: str) -> str:
    """A titled panel: ``parts`` are HTML snippets (tables) or plain text (escaped)."""
    body = "".join(p if p.lstrip().startswith("<") else f"<p style='margin:4px 0'>{escape(p)}</p>" for p in parts)
    return f'{STYLE}<div class="marketsim-panel"><h3>{escape(title)}</h3>{body}</div>'
