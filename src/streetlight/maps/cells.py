"""Maps of ranked grid cells over boundary polygons.

The PNG (matplotlib) goes in a briefing; the HTML (plotly, library embedded) opens in any browser
without internet access, which control rooms and secure networks often lack. Both draw cells in the
projected CRS, in metres, so distances on the map are true.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: never needs a display
import matplotlib.pyplot as plt
import numpy as np
import plotly.graph_objects as go
import polars as pl
from matplotlib.collections import PatchCollection
from matplotlib.colors import LogNorm
from matplotlib.patches import Rectangle

from streetlight.geo.boundary import Ring
from streetlight.maps.page import notes_list, ring_trace, write_page


def cells_png(
    cells: pl.DataFrame,
    cell_size: float,
    path: Path,
    title: str,
    rings: Sequence[Ring] = (),
    label_top: int = 10,
    value: str = "count",
    value_label: str = "crimes",
) -> Path:
    """Cells with `value` > 0 coloured by it (log scale); the top `label_top` ranks numbered.

    `cells` has `x, y` (cell centres, metres), `rank` and the `value` column.
    """
    shown = cells.filter(pl.col(value) > 0).sort("rank")
    fig, ax = plt.subplots(figsize=(10, 8), dpi=120)
    for rx, ry in rings:
        ax.plot(rx, ry, color="#9aa0a6", linewidth=0.4, zorder=1)
    if shown.height:
        half = cell_size / 2
        patches = [
            Rectangle((x - half, y - half), cell_size, cell_size)
            for x, y in shown.select("x", "y").iter_rows()
        ]
        counts = shown[value].to_numpy().astype(float)
        low = float(counts.min())
        coll = PatchCollection(
            patches,
            cmap="inferno_r",
            norm=LogNorm(low, max(low * 2, float(counts.max()))),
            zorder=2,
            linewidth=0,
        )
        coll.set_array(counts)
        ax.add_collection(coll)
        fig.colorbar(coll, ax=ax, shrink=0.7, label=f"{value_label} per {cell_size:g} m cell")
        for rank, x, y in shown.head(label_top).select("rank", "x", "y").iter_rows():
            ax.annotate(
                str(rank),
                (x, y),
                xytext=(4, 4),
                textcoords="offset points",
                fontsize=8,
                color="#1a73e8",
                weight="bold",
                zorder=3,
            )
    ax.set_aspect("equal")
    ax.autoscale_view()
    ax.set_title(title)
    ax.set_xlabel("easting (m)")
    ax.set_ylabel("northing (m)")
    ax.ticklabel_format(style="plain", useOffset=False)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def cells_html(
    cells: pl.DataFrame,
    cell_size: float,
    path: Path,
    title: str,
    rings: Sequence[Ring] = (),
    summary: Sequence[str] = (),
    top: int = 20,
    value: str = "count",
    value_label: str = "crimes",
    place: str = "top_location",
) -> Path:
    """An interactive map (zoom, hover for values and place names) and a table of top places.

    `cells` has `cell_id, x, y, rank`, the `value` column and the `place` column.
    """
    fig = go.Figure()
    if rings:
        fig.add_trace(ring_trace(rings, webgl=True))
    shown = cells.filter(pl.col(value) > 0).sort("rank")
    counts = shown[value].to_numpy().astype(float)
    hover = [
        f"rank {r}<br>{c:.3g} {value_label}<br>{html.escape(loc or 'no place name')}<br>{cid}"
        for r, c, loc, cid in shown.select("rank", value, place, "cell_id").iter_rows()
    ]
    fig.add_trace(
        go.Scattergl(
            x=shown["x"].to_list(),
            y=shown["y"].to_list(),
            mode="markers",
            marker={
                "symbol": "square",
                "size": 6,
                "color": np.log10(counts / counts.min()) if len(counts) else [],
                "colorscale": "Inferno",
                "reversescale": True,
                "colorbar": {"title": f"log10({value_label} / lowest shown)"},
            },
            text=hover,
            hoverinfo="text",
            name=f"{cell_size:g} m cells",
        )
    )
    fig.update_layout(
        title=title,
        xaxis_title="easting (m)",
        yaxis_title="northing (m)",
        height=720,
        yaxis={"scaleanchor": "x", "scaleratio": 1},
        template="plotly_white",
        showlegend=False,
    )
    rows = "\n".join(
        f"<tr><td>{r}</td><td>{c:.3g}</td><td>{html.escape(loc or '')}</td><td>{cid}</td></tr>"
        for r, c, loc, cid in shown.head(top).select("rank", value, place, "cell_id").iter_rows()
    )
    table = f"""<h2>Top {top} places</h2>
<table><thead><tr><th>rank</th><th>{html.escape(value_label)}</th><th>most common place</th><th>cell</th></tr></thead>
<tbody>{rows}</tbody></table>"""
    write_page(path, title, fig, intro=notes_list(summary), after=table)
    return path
