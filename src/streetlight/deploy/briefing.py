"""Printable briefings: one page per patrol unit, and an index of every unit by shift.

A briefing is what an officer carries: when and where the unit works, the visit list in order,
a small map of the beat, why the beat was chosen, and the force's advice for lone plain-clothes
officers whom the public may doubt. Pages are plain HTML that prints to A4 (and to PDF) from any
browser and reads on a phone.

Safety of the output: place names are arbitrary text from police data, so the templates escape
everything (Jinja autoescape). Each page is self-contained (no scripts, fonts, images or links
outside the folder) and carries a Content-Security-Policy that allows nothing but its own style
block, by hash: were escaping ever to fail, a browser would still run no script.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import polars as pl
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from streetlight.deploy.errors import BriefingError
from streetlight.errors import UnknownTimeZoneError
from streetlight.hotspots.forecast import Forecast
from streetlight.shifts import SHIFT_HOURS, SHIFTS

INDEX = "index.html"
_UNSAFE_FILE_CHARS = re.compile(r"[^A-Za-z0-9_-]+")


@dataclass(frozen=True)
class PlanContext:
    """What every page of one plan shares (radius and cell size in metres)."""

    force_name: str
    month: str  # "December 2025"
    day: date
    timezone: str
    radius: float
    cell_size: float
    model: str
    categories: str
    total_harm: float  # the force's forecast, summed over every study-area cell
    n_cells: int

    @property
    def day_label(self) -> str:
        return f"{self.day:%A} {self.day.day} {self.day:%B %Y}"


@dataclass(frozen=True)
class Stop:
    """A beat cell on the map, in SVG user units (metres from the map's top-left corner)."""

    label: str
    cell_id: str
    place: str
    x: float
    y: float
    opacity: float  # the cell's share of the beat's hottest forecast, for its shading


@dataclass(frozen=True)
class BeatMap:
    """A beat drawn at true scale: SVG user units are metres."""

    width: float
    height: float
    cell_size: float
    radius: float
    post_x: float
    post_y: float
    stops: tuple[Stop, ...]
    route: str  # SVG polyline points: the first round, in visit order
    scale_metres: float
    scale_label: str
    font: float


@dataclass(frozen=True)
class VisitRow:
    """One row of the visit table, formatted for print (local HH:MM, whole minutes)."""

    order: int
    arrive: str
    leave: str
    dwell: str
    stop: str
    place: str
    walk: str


@dataclass(frozen=True)
class Briefing:
    """Everything one unit's page shows, ready for the template."""

    file: str
    unit: str
    shift: str
    hours: str
    officers: int
    post_place: str
    post_cell: str
    lat: str
    lon: str
    visits: tuple[VisitRow, ...]
    beat: BeatMap
    why: str


@dataclass(frozen=True)
class ShiftGroup:
    """A shift's section of the index."""

    shift: str
    hours: str
    briefings: tuple[Briefing, ...]


def briefing_pages(
    forecast: Forecast,
    units: pl.DataFrame,
    schedules: pl.DataFrame,
    *,
    force_name: str,
    timezone: str,
    radius: float,
) -> dict[str, str]:
    """Every unit's briefing and the index, as file name -> HTML.

    `units` is a `units_table`, `schedules` a `schedules_table` of one day (its `arrive` and
    `leave` are ISO 8601 with offsets); `radius` is the foot-patrol radius in metres.
    """
    plan = _plan(forecast, schedules, force_name, timezone, radius)
    scores = dict(zip(forecast.area.cell_ids(), forecast.scores.tolist(), strict=True))
    env = _environment()
    css = _stylesheet()
    page = {"plan": plan, "css": Markup(css), "csp": _csp(css)}  # our own stylesheet: trusted
    names: set[str] = set()
    briefings = []
    for row in units.iter_rows(named=True):
        visits = schedules.filter(pl.col("unit") == row["unit"]).sort("order")
        briefings.append(_briefing(row, visits, scores, plan, _file_name(row["unit"], names)))
    pages = {
        b.file: env.get_template("briefing.html").render(page, b=b, index=INDEX) for b in briefings
    }
    by_shift = _by_shift(briefings)
    pages[INDEX] = env.get_template("index.html").render(page, shifts=by_shift)
    return pages


def write_briefings(pages: Mapping[str, str], folder: Path) -> list[Path]:
    """Write `pages` (from `briefing_pages`) into `folder`, creating it."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in pages.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("streetlight.deploy"),
        autoescape=select_autoescape(),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _stylesheet() -> str:
    return (resources.files("streetlight.deploy") / "templates" / "briefing.css").read_text(
        encoding="utf-8"
    )


def _csp(css: str) -> str:
    """A policy allowing only this exact style block: no scripts, no fetches, no forms."""
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")
    return f"default-src 'none'; style-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"


def _plan(
    forecast: Forecast, schedules: pl.DataFrame, force_name: str, timezone: str, radius: float
) -> PlanContext:
    days = schedules["date"].unique().to_list()
    if len(days) > 1:
        raise BriefingError(f"briefings are for one day's schedule, not {len(days)} days")
    try:
        ZoneInfo(timezone)
    except (ValueError, KeyError) as exc:
        raise UnknownTimeZoneError(f"unknown time zone {timezone!r}") from exc
    return PlanContext(
        force_name=force_name,
        month=f"{forecast.month:%B %Y}",
        day=date.fromisoformat(days[0]) if days else forecast.month,
        timezone=timezone,
        radius=radius,
        cell_size=forecast.area.cell_size,
        model=forecast.model,
        categories=", ".join(forecast.categories),
        total_harm=float(np.clip(forecast.scores, 0, None).sum()),
        n_cells=forecast.area.n_cells,
    )


def _file_name(unit: str, taken: set[str]) -> str:
    """A file name safe on any file system and in a link, unique among `taken` (then added).
    Unit names come from shift names a planner typed, so they may hold anything."""
    stem = _UNSAFE_FILE_CHARS.sub("_", unit).strip("_") or "unit"
    name, n = f"{stem}.html", 1
    while name in taken or name == INDEX:
        n += 1
        name = f"{stem}-{n}.html"
    taken.add(name)
    return name


def _day_label(moment: datetime) -> str:
    return f"{moment:%a} {moment.day} {moment:%b %Y}"


def shift_window(day: date, shift: str, timezone: str) -> tuple[datetime, datetime]:
    """Local start and end of a shift on `day`, as `schedules_table` times it: from the shift's
    wall-clock hour for `SHIFT_HOURS` of elapsed time (so a night over a clock change ends at
    the right local hour)."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(day, time(dict(SHIFTS).get(shift, 0)), tzinfo=zone)
    end = (start.astimezone(UTC) + timedelta(hours=SHIFT_HOURS)).astimezone(zone)
    return start, end


def _hours(day: date, shift: str, timezone: str) -> str:
    start, end = shift_window(day, shift, timezone)
    last = f"{end:%H:%M %Z}" if end.date() == start.date() else f"{end:%H:%M %Z} {_day_label(end)}"
    return f"{_day_label(start)}, {start:%H:%M %Z} to {last}"


def _minutes(value: float) -> str:
    return "<1" if 0 < value < 0.5 else f"{value:.0f}"


def _stop_labels(cells: Sequence[str]) -> dict[str, str]:
    """A letter per beat cell in order of first visit (A, B, ... Z, A2, ...): the table and the
    map name stops the same way."""
    labels: dict[str, str] = {}
    for cell in cells:
        if cell not in labels:
            k = len(labels)
            labels[cell] = chr(65 + k % 26) + (str(k // 26 + 1) if k >= 26 else "")
    return labels


def _visit_rows(visits: pl.DataFrame, labels: Mapping[str, str], zone: ZoneInfo) -> list[VisitRow]:
    def local(stamp: str) -> str:
        return f"{datetime.fromisoformat(stamp).astimezone(zone):%H:%M}"

    return [
        VisitRow(
            order=r["order"],
            arrive=local(r["arrive"]),
            leave=local(r["leave"]),
            dwell=_minutes(r["dwell_minutes"]),
            stop=labels[r["cell_id"]],
            place=r["place"] or r["cell_id"],
            walk="start" if r["order"] == 1 else _minutes(r["walk_minutes"]),
        )
        for r in visits.iter_rows(named=True)
    ]


def _briefing(
    unit: Mapping[str, Any],
    visits: pl.DataFrame,
    scores: Mapping[str, float],
    plan: PlanContext,
    file: str,
) -> Briefing:
    cells = visits["cell_id"].to_list()
    labels = _stop_labels(cells)
    shift = str(unit["shift"])
    return Briefing(
        file=file,
        unit=str(unit["unit"]),
        shift=shift,
        hours=_hours(plan.day, shift, plan.timezone),
        officers=int(unit["officers"]),
        post_place=str(unit["place"] or "no place name"),
        post_cell=str(unit["post"]),
        lat=f"{unit['lat']:.5f}",
        lon=f"{unit['lon']:.5f}",
        visits=tuple(_visit_rows(visits, labels, ZoneInfo(plan.timezone))),
        beat=_beat_map(unit, visits, labels, scores, plan),
        why=_why_here(visits, scores, plan),
    )


def _why_here(visits: pl.DataFrame, scores: Mapping[str, float], plan: PlanContext) -> str:
    """The beat's share of the force's forecast harm against its share of the area: the
    concentration that justifies sending a unit here rather than anywhere else."""
    cells = visits["cell_id"].unique().to_list()
    if not cells:
        return "no cell within reach of this post has forecast harm."
    harm = sum(max(scores.get(c, 0.0), 0.0) for c in cells)
    total = plan.total_harm
    share, area = (harm / total if total > 0 else 0.0), len(cells) / plan.n_cells
    return (
        f"this beat's {len(cells)} stops hold {share:.1%} of the force's forecast harm for "
        f"{plan.month} on {area:.2%} of its {plan.cell_size:g} m cells: {share / area:.0f} times "
        f"the average cell ({plan.categories}; forecast score {harm:,.0f} of {total:,.0f}, "
        f"model {plan.model})."
    )


def _scale(width: float) -> tuple[float, str]:
    """A round length at most a quarter of the map's width."""
    for metres in (1000.0, 500.0, 250.0, 200.0, 100.0, 50.0, 20.0, 10.0):
        if metres <= width / 4:
            return metres, f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"
    return 10.0, "10 m"


def _beat_map(
    unit: Mapping[str, Any],
    visits: pl.DataFrame,
    labels: Mapping[str, str],
    scores: Mapping[str, float],
    plan: PlanContext,
) -> BeatMap:
    """The post's reach and the beat's stops in metres, flipped so north is up (SVG's y runs
    down). Bounds: the reach circle and every stop's cell, with a margin for labels."""
    px, py = float(unit["x"]), float(unit["y"])
    first = visits.unique("cell_id", keep="first", maintain_order=True)
    xs = [px - plan.radius, px + plan.radius, *first["x"].to_list()]
    ys = [py - plan.radius, py + plan.radius, *first["y"].to_list()]
    margin = 0.08 * (max(xs) - min(xs)) + plan.cell_size
    x0, y1 = min(xs) - margin, max(ys) + margin
    width, height = max(xs) + margin - x0, y1 - (min(ys) - margin)
    hottest = max((scores.get(c, 0.0) for c in labels), default=0.0)
    stops = tuple(
        Stop(
            label=labels[r["cell_id"]],
            cell_id=r["cell_id"],
            place=r["place"] or r["cell_id"],
            x=r["x"] - x0,
            y=y1 - r["y"],
            opacity=0.2 + 0.7 * max(scores.get(r["cell_id"], 0.0), 0.0) / hottest
            if hottest > 0
            else 0.2,
        )
        for r in first.iter_rows(named=True)
    )
    scale, label = _scale(width)
    return BeatMap(
        width=width,
        height=height,
        cell_size=plan.cell_size,
        radius=plan.radius,
        post_x=px - x0,
        post_y=y1 - py,
        stops=stops,
        route=" ".join(f"{s.x:.1f},{s.y:.1f}" for s in stops),
        scale_metres=scale,
        scale_label=label,
        font=width / 24,
    )


def _by_shift(briefings: Sequence[Briefing]) -> list[ShiftGroup]:
    """Briefings grouped by shift, in roster order (the order the plan's shifts were given)."""
    order = list(dict.fromkeys(b.shift for b in briefings))
    return [
        ShiftGroup(
            shift,
            next(b.hours for b in briefings if b.shift == shift),
            tuple(b for b in briefings if b.shift == shift),
        )
        for shift in order
    ]
