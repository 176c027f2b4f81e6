"""Maps of ranked grid cells over boundary polygons.

The PNG (matplotlib) goes in a briefing; the HTML (plotly, library embedded) opens in any browser
without internet access, which control rooms and secure networks often lack. Both draw cells in the
projected CRS, in metres, so distances on the map are true.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only: never needs a display
import matplotlib.pyplot as plt
import numpy as np
import plotly.graph_objects as go
import polars as pl
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.collections import PatchCollection
from matplotlib.colors import ListedColormap, LogNorm, Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from numpy.typing import NDArray

from streetlight.geo.boundary import Ring
from streetlight.maps.page import notes_list, ring_trace, write_page

OVERLAY_SCALE = "Greens"  # a hue neither the inferno scale nor the blue rank labels use
OVERLAY_LOW, OVERLAY_HIGH = "#a1d99b", "#00441b"  # the same greens' pale (not white) and dark ends


@dataclass(frozen=True)
class CellOverlay:
    """A second per-cell quantity drawn over the main one as its own layer: outlined cells on
    their own colour scale, with their own legend (e.g. public reports of feeling unsafe beside
    a crime forecast: they measure different things, so they are never added together).

    `x, y` are cell centres (metres, the map's CRS), `values` what to show (cells with 0 are not
    drawn), `cell_ids` name the cells on hover, `label` titles the legend.
    """

    x: NDArray[np.float64]
    y: NDArray[np.float64]
    values: NDArray[np.float64]
    cell_ids: Sequence[str]
    label: str

    def shown(self) -> NDArray[np.int64]:
        """Indexes of the cells drawn (value > 0)."""
        return np.flatnonzero(self.values > 0).astype(np.int64)


def _overlay_png(fig: Figure, ax: Axes, overlay: CellOverlay, cell_size: float) -> None:
    # Hollow squares of a fixed size on the page, not true-size cells: a 150 m cell is a few
    # pixels on a force-wide map, and an outline that small cannot be seen.
    keep = overlay.shown()
    if not len(keep):
        return
    values = overlay.values[keep]
    norm = Normalize(0, float(values.max()))
    # The ramp's palest third left out: near-white outlines would vanish on the white page.
    ramp = ListedColormap(plt.get_cmap(OVERLAY_SCALE)(np.linspace(0.35, 1.0, 256)))
    ax.scatter(
        overlay.x[keep],
        overlay.y[keep],
        s=36,
        marker="s",
        facecolors="none",
        edgecolors=[tuple(c) for c in ramp(norm(values))],
        linewidths=1.3,
        zorder=4,
    )
    fig.colorbar(
        ScalarMappable(norm, ramp),
        ax=ax,
        orientation="horizontal",
        shrink=0.5,
        pad=0.1,
        label=f"{overlay.label} per {cell_size:g} m cell (outlined squares)",
    )


def _overlay_trace(overlay: CellOverlay) -> go.Scattergl:
    keep = overlay.shown()
    values = overlay.values[keep]
    ids = [overlay.cell_ids[k] for k in keep.tolist()]
    return go.Scattergl(
        x=overlay.x[keep].tolist(),
        y=overlay.y[keep].tolist(),
        mode="markers",
        marker={
            "symbol": "square-open",
            "size": 8,
            "line": {"width": 1.5},
            "color": values.tolist(),
            "cmin": 0,
            "cmax": max(float(values.max()), 1.0) if len(values) else 1.0,
            "colorscale": [[0.0, OVERLAY_LOW], [1.0, OVERLAY_HIGH]],
            # below the map, so its title never runs into the forecast's colour bar
            "colorbar": {
                "title": {"text": overlay.label, "side": "top"},
                "orientation": "h",
                "x": 0.5,
                "y": -0.25,
                "len": 0.5,
                "thickness": 14,
            },
        },
        text=[
            f"{v:g} {html.escape(overlay.label)}<br>{cid}"
            for v, cid in zip(values, ids, strict=True)
        ],
        hoverinfo="text",
        name=overlay.label,
    )


def cells_png(
    cells: pl.DataFrame,
    cell_size: float,
    path: Path,
    title: str,
    rings: Sequence[Ring] = (),
    label_top: int = 10,
    value: str = "count",
    value_label: str = "crimes",
    overlay: CellOverlay | None = None,
) -> Path:
    """Cells with `value` > 0 coloured by it (log scale); the top `label_top` ranks numbered;
    `overlay` (when given) outlined on top with its own colour bar.

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
    if overlay is not None:
        _overlay_png(fig, ax, overlay, cell_size)
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
    overlay: CellOverlay | None = None,
) -> Path:
    """An interactive map (zoom, hover for values and place names) and a table of top places;
    `overlay` (when given) as a separate layer of outlined cells with its own colour bar, which
    the legend turns on and off.

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
            name=(
                f"{value_label} ({cell_size:g} m cells)"
                if overlay is not None
                else f"{cell_size:g} m cells"
            ),
        )
    )
    if overlay is not None:
        fig.add_trace(_overlay_trace(overlay))
    fig.update_layout(
        title=title,
        xaxis_title="easting (m)",
        yaxis_title="northing (m)",
        height=720,
        yaxis={"scaleanchor": "x", "scaleratio": 1},
        template="plotly_white",
        showlegend=overlay is not None,
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
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
