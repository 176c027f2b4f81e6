"""What every offline HTML map shares: the page around the figure, and boundary outlines.

One page shape for all maps, so they read alike and all embed plotly (no network needed).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

import plotly.graph_objects as go

from streetlight.geo.boundary import Ring

RING_COLOUR = "#9aa0a6"
OGL = "Contains public sector information licensed under the Open Government Licence v3.0."
_STYLE = (
    "body{font-family:system-ui,sans-serif;margin:1.5rem;max-width:1200px}"
    "table{border-collapse:collapse}"
    "td,th{padding:.2rem .6rem;border-bottom:1px solid #ddd;text-align:left}"
    "td.n{text-align:right}"
)


def ring_trace(rings: Sequence[Ring], *, webgl: bool = False) -> go.Scatter | go.Scattergl:
    """All boundary rings as one line trace (None between rings), drawn under the data."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    for rx, ry in rings:
        xs += [*rx.tolist(), None]
        ys += [*ry.tolist(), None]
    kind = go.Scattergl if webgl else go.Scatter
    return kind(
        x=xs,
        y=ys,
        mode="lines",
        line={"color": RING_COLOUR, "width": 0.6},
        hoverinfo="skip",
        name="boundaries",
    )


def write_page(
    path: Path,
    title: str,
    figure: go.Figure,
    *,
    intro: str = "",
    after: str = "",
    licence: bool = True,
) -> Path:
    """An HTML page: title, `intro` (HTML), the figure with plotly embedded, `after` (HTML)."""
    foot = f"<p><small>{OGL}</small></p>" if licence else ""
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{_STYLE}</style>
</head><body>
<h1>{html.escape(title)}</h1>
{intro}
{figure.to_html(full_html=False, include_plotlyjs=True)}
{after}
{foot}
</body></html>
"""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def notes_list(lines: Sequence[str]) -> str:
    """Plain-text notes as an HTML list."""
    return "<ul>" + "\n".join(f"<li>{html.escape(s)}</li>" for s in lines) + "</ul>"
