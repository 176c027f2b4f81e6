"""Maps of a patrol plan: each shift's posts over the forecast they were placed to cover.

Like `maps.cells`, both maps draw in the projected CRS, in metres, so a post's coverage circle is
the true foot-patrol radius; the HTML embeds plotly and draws no map tiles, so it opens with no
internet access (control rooms and secure networks often have none). They live with the planner,
not in `maps`: `maps` draws plain cells and pages and knows nothing of plans or forecasts.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only: never needs a display
import matplotlib.pyplot as plt
import numpy as np
import plotly.graph_objects as go
import polars as pl
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.colors import LinearSegmentedColormap, LogNorm
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Patch

from streetlight.deploy.plan import PlanSettings
from streetlight.geo.boundary import Ring
from streetlight.hotspots.forecast import Forecast
from streetlight.maps.page import RING_COLOUR, ring_trace, write_page
from streetlight.shifts import SHIFT_HOURS, SHIFTS

POST_COLOUR = "#1a3d7c"
WOMEN_COLOUR = "#b0106f"
# Pale enough that posts and circles stay the first thing the eye finds.
DEMAND_RAMP = LinearSegmentedColormap.from_list("demand", ["#fff7e0", "#fdd49e", "#f4a261"])
CIRCLE_POINTS = 73  # a 5-degree polygon: smooth at any zoom a briefing needs


def plan_title(forecast: Forecast, settings: PlanSettings, force_name: str | None = None) -> str:
    """What a reader needs to trust the map: whose plan, for when, with how many, how far."""
    officers = sum(settings.officers.values())
    return (
        f"Patrol plan: {force_name or forecast.force}, {forecast.month:%B %Y}: {officers} officers "
        f"a day in units of {settings.unit_size}, {settings.radius:g} m foot-patrol radius"
    )


def shift_hours(shift: str) -> str:
    """Nominal local hours of a shift (custom shifts start at midnight, as schedules do)."""
    start = dict(SHIFTS).get(shift, 0)
    end = (start + int(SHIFT_HOURS)) % 24
    return f"{start:02d}:00-{end:02d}:00"


def _shift_caption(shift: str, posts: pl.DataFrame) -> str:
    mine = posts.filter(pl.col("shift") == shift)
    units, officers = int(mine["units"].sum()), int(mine["officers"].sum())
    return f"{shift} {shift_hours(shift)}: {units} units, {officers} officers"


Extent = tuple[float, float, float, float]  # x0, x1, y0, y1 in metres


def _extent(forecast: Forecast, posts: pl.DataFrame, radius: float) -> Extent:
    """The posts' bounding box with room for circles and labels (the study area when the plan
    is empty), widened to an aspect between 3:4 and 8:5: a force-wide view makes 400 m circles
    specks, and a sliver of a panel wastes the page."""
    if posts.height:
        x, y = posts["x"].to_numpy(), posts["y"].to_numpy()
    else:
        x, y = forecast.area.centres()
    pad = max(2.5 * radius, 0.06 * max(float(np.ptp(x)), float(np.ptp(y))))
    x0, x1 = float(x.min()) - pad, float(x.max()) + pad
    y0, y1 = float(y.min()) - pad, float(y.max()) + pad
    width, height = x1 - x0, y1 - y0
    grow_x = max(0.0, 0.75 * height - width) / 2
    grow_y = max(0.0, width / 1.6 - height) / 2
    return x0 - grow_x, x1 + grow_x, y0 - grow_y, y1 + grow_y


def _raster(forecast: Forecast) -> tuple[np.ma.MaskedArray[Any, Any], list[float]]:
    """The forecast as an image over its grid (cells without harm masked out) and the image's
    extent in metres: one image draws thousands of cells in a blink, at true scale."""
    area, s = forecast.area, forecast.area.cell_size
    i0, j0 = int(area.i.min()), int(area.j.min())
    image = np.zeros((int(area.j.max()) - j0 + 1, int(area.i.max()) - i0 + 1))
    image[area.j - j0, area.i - i0] = forecast.scores
    extent = [i0 * s, (int(area.i.max()) + 1) * s, j0 * s, (int(area.j.max()) + 1) * s]
    return np.ma.masked_less_equal(image, 0), extent


def _draw_posts(ax: Axes, posts: pl.DataFrame, radius: float) -> None:
    for x, y, units, women in posts.select("x", "y", "units", "womens_safety_place").iter_rows():
        colour = WOMEN_COLOUR if women else POST_COLOUR
        ax.add_patch(
            Circle((x, y), radius, facecolor=colour, alpha=0.13, edgecolor="none", zorder=3)
        )
        ax.add_patch(
            Circle((x, y), radius, facecolor="none", edgecolor=colour, linewidth=0.9, zorder=4)
        )
        ax.plot(
            x,
            y,
            marker="D" if women else "o",
            markersize=5,
            color=colour,
            markeredgecolor="white",
            markeredgewidth=0.6,
            zorder=5,
        )
        ax.annotate(
            str(units),
            (x, y),
            xytext=(5, 5),
            textcoords="offset points",
            fontsize=7,
            weight="bold",
            color=colour,
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"},
            zorder=6,
        )


def _legend_handles(radius: float) -> list[Line2D | Patch]:
    def marker(shape: str, colour: str, label: str) -> Line2D:
        return Line2D(
            [], [], marker=shape, linestyle="", color=colour, markeredgecolor="white", label=label
        )

    return [
        marker("o", POST_COLOUR, "post (label: units)"),
        marker("D", WOMEN_COLOUR, "women's-safety post"),
        Patch(
            facecolor=POST_COLOUR, alpha=0.25, edgecolor=POST_COLOUR, label=f"{radius:g} m reach"
        ),
        Line2D([], [], color=RING_COLOUR, linewidth=0.8, label="boundaries"),
    ]


def plan_png(
    forecast: Forecast,
    posts: pl.DataFrame,
    settings: PlanSettings,
    path: Path,
    *,
    rings: Sequence[Ring] = (),
    force_name: str | None = None,
) -> Path:
    """One panel per shift of `posts` (a `posts_table`): posts and their reach over the forecast.

    Every panel shows the same extent and colour scale, so shifts compare at a glance.
    """
    shifts = list(settings.officers)
    image, image_extent = _raster(forecast)
    low = float(image.min()) if image.count() else 1.0
    norm = LogNorm(low, max(2 * low, float(image.max()) if image.count() else 2.0))
    extent = _extent(forecast, posts, settings.radius)
    x0, x1, y0, y1 = extent
    panel = 5.0
    fig, axes = plt.subplots(
        1,
        len(shifts),
        figsize=(panel * len(shifts), panel * (y1 - y0) / (x1 - x0) + 1.6),
        dpi=130,
        squeeze=False,
        layout="constrained",
    )
    shown = None
    for ax, shift in zip(axes[0], shifts, strict=True):
        shown = ax.imshow(
            image,
            extent=image_extent,
            origin="lower",
            cmap=DEMAND_RAMP,
            norm=norm,
            interpolation="nearest",
            zorder=1,
        )
        if rings:
            ax.add_collection(
                LineCollection(
                    [np.column_stack(r) for r in rings],
                    colors=RING_COLOUR,
                    linewidths=0.35,
                    zorder=2,
                )
            )
        _draw_posts(ax, posts.filter(pl.col("shift") == shift), settings.radius)
        _frame(ax, extent)
        ax.set_title(_shift_caption(shift, posts), fontsize=10)
    fig.suptitle(plan_title(forecast, settings, force_name), fontsize=12)
    fig.legend(
        handles=_legend_handles(settings.radius),
        loc="outside lower left",
        ncol=4,
        fontsize=8,
        frameon=False,
    )
    if shown is not None:
        bar = fig.colorbar(
            shown, ax=list(axes[0]), orientation="horizontal", fraction=0.04, aspect=50, shrink=0.5
        )
        bar.set_label(
            f"forecast score per {forecast.area.cell_size:g} m cell, {forecast.month:%B %Y}",
            fontsize=8,
        )
        bar.ax.tick_params(labelsize=7)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def _frame(ax: Axes, extent: Extent) -> None:
    """Equal scale on both axes, no tick labels (metre eastings mean nothing to a reader), and a
    scale bar instead."""
    x0, x1, y0, y1 = extent
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    _scale_bar(ax, extent)


def _scale_bar(ax: Axes, extent: Extent) -> None:
    """A round-number bar at most a fifth of the width, bottom left."""
    x0, x1, y0, y1 = extent
    target = (x1 - x0) / 5
    length = float(10 ** np.floor(np.log10(target)))
    for step in (5.0, 2.0):
        if length * step <= target:
            length *= step
            break
    left, base = x0 + 0.04 * (x1 - x0), y0 + 0.04 * (y1 - y0)
    ax.plot([left, left + length], [base, base], color="#333333", linewidth=2, zorder=7)
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    ax.annotate(
        label, (left, base), xytext=(0, 4), textcoords="offset points", fontsize=7, zorder=7
    )


def _circles(posts: pl.DataFrame, radius: float) -> tuple[list[float | None], list[float | None]]:
    """Every post's reach as one polygon trace, rings split by None (plotly's gap)."""
    angle = np.linspace(0, 2 * np.pi, CIRCLE_POINTS)
    xs: list[float | None] = []
    ys: list[float | None] = []
    for x, y in posts.select("x", "y").iter_rows():
        xs += [*(x + radius * np.cos(angle)).tolist(), None]
        ys += [*(y + radius * np.sin(angle)).tolist(), None]
    return xs, ys


def _hover(posts: pl.DataFrame) -> list[str]:
    return [
        f"<b>{html.escape(cell)}</b><br>{html.escape(place or 'no place name')}"
        f"<br>{units} unit(s), {officers} officers<br>forecast {score:.3g}"
        + ("<br>women's-safety place" if women else "")
        for cell, place, units, officers, score, women in posts.select(
            "cell_id", "place", "units", "officers", "forecast_score", "womens_safety_place"
        ).iter_rows()
    ]


def _shift_traces(posts: pl.DataFrame, shift: str, radius: float) -> list[go.Scatter]:
    """A shift's trace group: reach circles, then ordinary and women's-safety posts."""
    mine = posts.filter(pl.col("shift") == shift)
    cx, cy = _circles(mine, radius)
    traces = [
        go.Scatter(
            x=cx,
            y=cy,
            mode="lines",
            fill="toself",
            fillcolor="rgba(26, 61, 124, 0.10)",
            line={"color": POST_COLOUR, "width": 1},
            hoverinfo="skip",
            name=html.escape(f"{shift}: {radius:g} m reach"),
            legendgroup=shift,
        )
    ]
    for women, colour, symbol, what in (
        (False, POST_COLOUR, "circle", "posts"),
        (True, WOMEN_COLOUR, "diamond", "women's-safety posts"),
    ):
        group = mine.filter(pl.col("womens_safety_place") == women)
        traces.append(
            go.Scatter(
                x=group["x"].to_list(),
                y=group["y"].to_list(),
                mode="markers+text",
                marker={
                    "symbol": symbol,
                    "size": 10,
                    "color": colour,
                    "line": {"color": "white", "width": 1},
                },
                text=[str(u) for u in group["units"].to_list()],
                textposition="top right",
                textfont={"color": colour, "size": 11},
                hovertext=_hover(group),
                hoverinfo="text",
                name=html.escape(f"{shift}: {what}"),
                legendgroup=shift,
            )
        )
    return traces


def _demand_trace(forecast: Forecast) -> go.Heatmap:
    """The forecast as a heatmap at true cell size, on a log colour scale labelled in plain
    numbers. A heatmap draws beneath scatter traces (a WebGL scatter would hide the posts)."""
    image, (x0, _, y0, _) = _raster(forecast)
    logged = np.log10(image.filled(np.nan)) if image.count() else image.filled(np.nan)
    ticks = [10.0**k for k in range(-3, 5)]
    s = forecast.area.cell_size
    return go.Heatmap(
        z=logged,
        x0=x0 + s / 2,
        dx=s,
        y0=y0 + s / 2,
        dy=s,
        colorscale=[[0, "#fff7e0"], [0.5, "#fdd49e"], [1, "#f4a261"]],
        colorbar={
            "title": {"text": f"forecast score per {s:g} m cell"},
            "thickness": 12,
            "tickvals": np.log10(ticks),
            "ticktext": [f"{t:g}" for t in ticks],
        },
        hoverinfo="skip",
        name=f"forecast, {s:g} m cells",
    )


def _base_traces(forecast: Forecast, rings: Sequence[Ring]) -> list[go.Heatmap | go.Scatter]:
    """What every shift shares: the forecast under the posts, and the boundaries."""
    traces: list[go.Heatmap | go.Scatter] = [_demand_trace(forecast)]
    if rings:
        traces.append(ring_trace(rings))
    return traces


def _shift_menu(
    shifts: Sequence[str], owners: Sequence[str | None], posts: pl.DataFrame
) -> dict[str, object]:
    """Buttons that show one shift's trace group at a time; `owners` names each trace's shift
    (None for the traces every shift shares, which stay on)."""
    buttons = []
    for shift in shifts:
        visible = [owner in (None, shift) for owner in owners]
        buttons.append(
            {
                "label": html.escape(f"{shift} {shift_hours(shift)}"),
                "method": "update",
                "args": [
                    {"visible": visible},
                    {"title.text": html.escape(_shift_caption(shift, posts))},
                ],
            }
        )
    return {
        "type": "buttons",
        "direction": "right",
        "buttons": buttons,
        "x": 1,
        "xanchor": "right",
        "y": 1.02,
        "yanchor": "bottom",
        "showactive": True,
    }


def plan_html(
    forecast: Forecast,
    posts: pl.DataFrame,
    settings: PlanSettings,
    path: Path,
    *,
    rings: Sequence[Ring] = (),
    force_name: str | None = None,
) -> Path:
    """An interactive map of `posts` (a `posts_table`) with a shift selector, and a posts table.

    The plotly library is embedded (about 4 MB) so the page needs no network; hover a post for its
    id, place, units, officers and forecast score.
    """
    shifts = list(settings.officers)
    fig = go.Figure()
    base = _base_traces(forecast, rings)
    fig.add_traces(base)
    owners: list[str | None] = [None] * len(base)
    for shift in shifts:
        for trace in _shift_traces(posts, shift, settings.radius):
            trace.visible = shift == shifts[0]
            fig.add_trace(trace)
            owners.append(shift)
    fig.update_layout(
        title={"text": html.escape(_shift_caption(shifts[0], posts)) if shifts else "", "x": 0.02},
        updatemenus=[_shift_menu(shifts, owners, posts)],
        xaxis={"title": "easting (m)", "tickformat": "d"},
        yaxis={"title": "northing (m)", "tickformat": "d", "scaleanchor": "x", "scaleratio": 1},
        height=760,
        template="plotly_white",
        legend={"orientation": "h", "y": -0.1},
        margin={"t": 110},
    )
    x0, x1, y0, y1 = _extent(forecast, posts, settings.radius)
    fig.update_xaxes(range=[x0, x1])
    fig.update_yaxes(range=[y0, y1])
    title = plan_title(forecast, settings, force_name)
    intro = f"""<p>Choose a shift above the map. Circles are each post's foot-patrol reach, to
scale; diamonds are posts at places where women and girls report feeling unsafe; the number beside
a post is its units. Shading is the forecast for {forecast.month:%B %Y}
({html.escape(forecast.model)}).</p>"""
    after = f"<h2>Posts</h2>\n{_posts_table(posts, shifts)}"
    write_page(path, title, fig, intro=intro, after=after)
    return path


def _posts_table(posts: pl.DataFrame, shifts: Sequence[str]) -> str:
    rows = "\n".join(
        f"<tr><td>{html.escape(shift)}</td><td>{html.escape(cell)}</td>"
        f"<td>{html.escape(place or '')}</td><td class=n>{units}</td><td class=n>{officers}</td>"
        f"<td class=n>{score:.3g}</td><td>{'yes' if women else ''}</td></tr>"
        for shift in shifts
        for cell, place, units, officers, score, women in posts.filter(pl.col("shift") == shift)
        .select("cell_id", "place", "units", "officers", "forecast_score", "womens_safety_place")
        .iter_rows()
    )
    return (
        "<table><thead><tr><th>shift</th><th>post</th><th>place</th><th>units</th>"
        "<th>officers</th><th>forecast</th><th>women's safety</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )
