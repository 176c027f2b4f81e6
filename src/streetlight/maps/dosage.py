"""Maps of patrol dosage: scheduled stops coloured by the share of planned minutes delivered, over
the units' GPS tracks.

A supervisor reads it in one look: green stops got their minutes, red ones did not, and the thin
track lines show where the units were instead. As with the cell maps, the PNG goes in a briefing
and the HTML (plotly, library embedded) opens without internet access; both draw in the projected
CRS, in metres. Stops are merged per shift and cell (a beat cell is visited several times a
shift), so the colour is the cell's delivered over planned minutes in that shift; shifts are drawn
apart (PNG panels, HTML legend groups) because the early, late and night units often share posts,
and merging them would let one shift's patrols hide another's missed ones.
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
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PathCollection

from streetlight.maps.page import notes_list, write_page

# More track points than this are thinned (every k-th ping of each shift): a month of 30-second
# pings is millions of points, which neither a PNG nor a browser needs to show a route.
MAX_TRACK_POINTS = 200_000
NO_PLAN_COLOUR = "#9aa0a6"


def stops_by_cell(stops: pl.DataFrame) -> pl.DataFrame:
    """Scheduled stops merged per shift and cell: visits, units, planned and delivered minutes,
    share (least delivered first).

    `stops` has `shift, cell_id, x, y, place, unit, planned_minutes, delivered_minutes`.
    """
    return (
        stops.group_by("shift", "cell_id", maintain_order=True)
        .agg(
            pl.col("x", "y", "place").first(),
            pl.len().alias("visits"),
            pl.col("unit").unique(maintain_order=True).str.join(", ").alias("units"),
            pl.col("planned_minutes").sum(),
            pl.col("delivered_minutes").sum(),
        )
        .with_columns(
            pl.when(pl.col("planned_minutes") > 0)
            .then(pl.col("delivered_minutes") / pl.col("planned_minutes"))
            .alias("delivered_share")
        )
        .sort("delivered_share", nulls_last=True)
    )


def thin_tracks(tracks: pl.DataFrame, limit: int = MAX_TRACK_POINTS) -> pl.DataFrame:
    """Every k-th ping of each shift, so that at most about `limit` points are drawn."""
    stride = max(1, -(-tracks.height // limit))
    if stride == 1:
        return tracks
    index = pl.int_range(pl.len()).over("key")
    return tracks.filter((index % stride == 0) | (index == pl.len().over("key") - 1))


def _track_lines(tracks: pl.DataFrame) -> list[np.ndarray]:
    return [
        part.select("x", "y").to_numpy()
        for part in tracks.partition_by("key", maintain_order=True)
        if part.height > 1
    ]


def dosage_png(stops: pl.DataFrame, tracks: pl.DataFrame, path: Path, title: str) -> Path:
    """One panel per shift: tracks as thin lines (a colour per unit), stops as dots coloured by
    the share of planned minutes delivered.

    `stops` as for `stops_by_cell`; `tracks` has `shift, key, unit, x, y` in time order per `key`.
    """
    cells = stops_by_cell(stops)
    shifts = sorted(set(cells["shift"]) | set(tracks["shift"]), key=_shift_order)
    n = max(len(shifts), 1)
    fig, axes = plt.subplots(
        1, n, figsize=(4.5 * n + 1.5, 6.5), dpi=120, sharex=True, sharey=True, squeeze=False
    )
    thin = thin_tracks(tracks)
    dots = None
    for ax, shift in zip(axes[0], shifts, strict=False):
        dots = _panel(ax, cells.filter(pl.col("shift") == shift), thin, shift) or dots
    for ax in axes[0]:
        ax.set_aspect("equal")
        ax.autoscale_view()
        ax.set_xlabel("easting (m)")
        ax.ticklabel_format(style="plain", useOffset=False)
        ax.tick_params(axis="x", labelrotation=45)
    axes[0][0].set_ylabel("northing (m)")
    if dots is not None:
        fig.colorbar(
            dots, ax=axes[0].tolist(), shrink=0.7, label="share of planned minutes delivered"
        )
    fig.suptitle(title)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, bbox_inches="tight")
    plt.close(fig)
    return path


def _shift_order(shift: str) -> tuple[int, str]:
    known = ("early", "late", "night")
    return (known.index(shift) if shift in known else len(known), shift)


def _panel(
    ax: Axes, cells: pl.DataFrame, tracks: pl.DataFrame, shift: str
) -> PathCollection | None:
    """One shift's tracks and stops; returns the coloured dots (for the colour bar), if any."""
    lines = _track_lines(tracks.filter(pl.col("shift") == shift))
    if lines:
        palette = plt.get_cmap("tab20")
        ax.add_collection(
            LineCollection(
                lines,
                colors=[palette(i % 20) for i in range(len(lines))],
                linewidths=0.5,
                alpha=0.7,
                zorder=1,
            )
        )
    ax.set_title(shift)
    unplanned = cells.filter(pl.col("delivered_share").is_null())
    if unplanned.height:
        ax.scatter(unplanned["x"], unplanned["y"], c=NO_PLAN_COLOUR, s=16, zorder=2)
    planned = cells.filter(pl.col("delivered_share").is_not_null())
    if not planned.height:
        return None
    dots: PathCollection = ax.scatter(
        planned["x"].to_numpy(),
        planned["y"].to_numpy(),
        c=np.clip(planned["delivered_share"].to_numpy(), 0, 1),
        cmap="RdYlGn",
        vmin=0.0,
        vmax=1.0,
        s=30,
        edgecolors="#202124",
        linewidths=0.4,
        zorder=3,
    )
    return dots


def _track_traces(tracks: pl.DataFrame) -> list[go.Scattergl]:
    """One line trace per unit (its shifts on several dates separated by gaps), grouped in the
    legend with its shift; hover gives unit and UTC time."""
    traces = []
    for (shift, unit), part in (
        thin_tracks(tracks).partition_by("shift", "unit", as_dict=True, maintain_order=True).items()
    ):
        xs: list[float | None] = []
        ys: list[float | None] = []
        text: list[str | None] = []
        for one in part.partition_by("key", maintain_order=True):
            xs += [*one["x"].to_list(), None]
            ys += [*one["y"].to_list(), None]
            text += [*(f"{unit}<br>{t} UTC" for t in one["time"].dt.strftime("%H:%M:%S")), None]
        traces.append(
            go.Scattergl(
                x=xs,
                y=ys,
                mode="lines",
                line={"width": 1},
                opacity=0.7,
                text=text,
                hoverinfo="text",
                name=str(unit),
                legendgroup=str(shift),
                legendgrouptitle={"text": f"{shift} shift"},
            )
        )
    return traces


def _stop_trace(cells: pl.DataFrame, shift: str, colourbar: bool) -> go.Scattergl:
    share = cells["delivered_share"].fill_null(np.nan).to_numpy()
    hover = [
        f"{shift}: {html.escape(place or 'no place name')}<br>{cid}<br>{units}<br>"
        f"planned {p:.1f} min, delivered {d:.1f} min"
        for cid, place, units, p, d in cells.select(
            "cell_id", "place", "units", "planned_minutes", "delivered_minutes"
        ).iter_rows()
    ]
    marker = {
        "size": 11,
        "color": np.nan_to_num(share, nan=0.0),
        "colorscale": "RdYlGn",
        "cmin": 0.0,
        "cmax": 1.0,
        "line": {"color": "#202124", "width": 1},
    }
    if colourbar:
        marker["colorbar"] = {"title": "share delivered"}
    return go.Scattergl(
        x=cells["x"].to_list(),
        y=cells["y"].to_list(),
        mode="markers",
        marker=marker,
        text=hover,
        hoverinfo="text",
        name=f"{shift} stops",
        legendgroup=shift,
    )


def dosage_html(
    stops: pl.DataFrame,
    tracks: pl.DataFrame,
    path: Path,
    title: str,
    summary: Sequence[str] = (),
    worst: int = 20,
) -> Path:
    """An interactive map (zoom; hover a stop for its minutes, a track for unit and UTC time)
    and a table of the `worst` cells by share delivered."""
    cells = stops_by_cell(stops)
    fig = go.Figure(_track_traces(tracks))
    shifts = sorted(set(cells["shift"]), key=_shift_order)
    for i, shift in enumerate(shifts):
        fig.add_trace(_stop_trace(cells.filter(pl.col("shift") == shift), shift, i == 0))
    fig.update_layout(
        title=title,
        xaxis_title="easting (m)",
        yaxis_title="northing (m)",
        height=720,
        yaxis={"scaleanchor": "x", "scaleratio": 1},
        template="plotly_white",
        legend={"itemsizing": "constant", "groupclick": "toggleitem"},
    )
    rows = "\n".join(
        f"<tr><td>{html.escape(shift)}</td><td>{html.escape(place or '')}</td><td>{cid}</td>"
        f"<td>{html.escape(units)}</td><td>{p:.1f}</td><td>{d:.1f}</td>"
        f"<td>{'' if s is None else f'{s:.0%}'}</td></tr>"
        for shift, cid, place, units, p, d, s in cells.head(worst)
        .select(
            "shift",
            "cell_id",
            "place",
            "units",
            "planned_minutes",
            "delivered_minutes",
            "delivered_share",
        )
        .iter_rows()
    )
    table = f"""<h2>Least delivered stops</h2>
<table><thead><tr><th>shift</th><th>place</th><th>cell</th><th>units</th><th>planned min</th>
<th>delivered min</th><th>share</th></tr></thead>
<tbody>{rows}</tbody></table>"""
    write_page(path, title, fig, intro=notes_list(summary), after=table, licence=False)
    return path
