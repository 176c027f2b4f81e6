"""Writing a month's patrol plan (`deploy.month.MonthPlan`) in every form its users take.

- posts (`.csv`; `.geojson` points for GIS tools; `.json` the settings, the harm table and each
  shift's solver result, for audit), and maps for people (`.png`, `.html`, `deploy.maps`);
- the units (`units`: one CSV row per unit, its shift and post), every unit's visits
  (`schedule`: CSV of 10-16 minute stops) and a printable briefing per unit (`briefings`: HTML
  pages and an index.html in a folder): the names of units agree across the three.

Files are written in that order (units, schedule, briefings, then `files` in the order given)
and each is reported as it is written, so a caller can say what exists when a later one fails.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from streetlight.deploy.briefing import INDEX, briefing_pages, write_briefings
from streetlight.deploy.maps import plan_html, plan_png
from streetlight.deploy.month import MonthPlan
from streetlight.deploy.plan import schedules_table, units_table
from streetlight.deploy.streets import StreetNetwork
from streetlight.errors import UnknownOutputError
from streetlight.store.months import month_key

PLAN_SUFFIXES = (".csv", ".geojson", ".json", ".png", ".html")


@dataclass(frozen=True, kw_only=True)
class PlanOutputs:
    """Where to write a plan, by keyword only; None (or no files) writes nothing of that kind.

    Attributes:
        files: posts and maps, each in the format its suffix names (`PLAN_SUFFIXES`).
        units: CSV of every unit with its shift and post.
        schedule: CSV of every unit's visits on the plan's first day.
        briefings: folder for a briefing page per unit and an index.html.
        streets: GeoJSON street network (LineStrings): the visits' walking times along it,
            not straight lines.
        seed: seed of the visit order (same seed, same schedule).
    """

    files: tuple[Path, ...] = ()
    units: Path | None = None
    schedule: Path | None = None
    briefings: Path | None = None
    streets: Path | None = None
    seed: int = 0


@dataclass(frozen=True)
class Written:
    """One output written: its path, and for the briefings (whose path is the index page) how
    many unit briefings the folder holds."""

    path: Path
    briefings: int | None = None


def write_plan(plan: MonthPlan, outputs: PlanOutputs) -> Iterator[Written]:
    """Write every output `outputs` names, yielding each as it is written (see the module
    docstring for the order). An unknown file suffix fails when its turn comes."""
    if outputs.units:
        _parent(outputs.units)
        _units(plan).write_csv(outputs.units)
        yield Written(outputs.units)
    if outputs.schedule or outputs.briefings:
        visits = _visits(plan, outputs)
        if outputs.schedule:
            _parent(outputs.schedule)
            visits.write_csv(outputs.schedule)
            yield Written(outputs.schedule)
        if outputs.briefings:
            pages = briefing_pages(
                plan.forecast,
                _units(plan),
                visits,
                force_name=plan.force_name,
                timezone=plan.timezone,
                radius=plan.settings.radius,
            )
            write_briefings(pages, outputs.briefings)
            yield Written(outputs.briefings / INDEX, briefings=len(pages) - 1)
    for path in outputs.files:
        _parent(path)
        write_plan_file(plan, path)
        yield Written(path)


def write_plan_file(plan: MonthPlan, path: Path) -> Path:
    """Write the posts or a map of `plan` to `path`, in the format its suffix names."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        plan.posts.write_csv(path)
    elif suffix == ".geojson":
        path.write_text(json.dumps(posts_geojson(plan.posts)))
    elif suffix == ".json":
        path.write_text(json.dumps(plan_summary(plan), indent=1))
    elif suffix in (".png", ".html"):
        draw = plan_png if suffix == ".png" else plan_html
        draw(
            plan.forecast,
            plan.posts,
            plan.settings,
            path,
            rings=plan.rings,
            force_name=plan.force_name,
        )
    else:
        raise UnknownOutputError(
            f"{path}: unknown output type (use .csv, .geojson, .json, .png or .html)"
        )
    return path


def posts_geojson(posts: pl.DataFrame) -> dict[str, object]:
    """The posts as a GeoJSON FeatureCollection of WGS84 points, every other column a property."""
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
            "properties": {k: v for k, v in r.items() if k not in ("lon", "lat")},
        }
        for r in posts.iter_rows(named=True)
    ]
    return {"type": "FeatureCollection", "features": features}


def plan_summary(plan: MonthPlan) -> dict[str, object]:
    """The plan's settings, the harm table it weighed crimes by, and each shift's solver result
    (objective, bound, gap, seconds, status, and the greedy baseline's objective), as the `.json`
    output holds them."""
    settings = plan.settings
    return {
        "month": month_key(plan.forecast.month),
        "force": plan.forecast.force,
        "model": plan.forecast.model,
        # What the forecast, the harm shares and the objective weigh crimes by: "cchi", the
        # force's table as given, or null (every crime counts 1).
        "harm_table": plan.harm.source,
        "settings": {
            "officers": dict(settings.officers),
            "unit_size": settings.unit_size,
            "radius_m": settings.radius,
            "max_per_post": settings.max_per_post,
            "women_share": settings.women_share,
            "harm_share": dict(plan.harm_share),
            "busy_weight": settings.busy_weight,
            "places": [
                {
                    "name": p.name,
                    "kind": p.kind,
                    "weight": p.weight,
                    "womens_safety": p.womens_safety,
                    "cells": len(p.cells),
                }
                for p in settings.places
            ],
            "places_outside": list(plan.outside),
            "reports": plan.reports.to_json() if plan.reports is not None else None,
        },
        "shifts": {
            p.shift: {
                "objective": p.milp.objective,
                "bound": p.milp.bound,
                "gap": p.milp.gap,
                "seconds": p.milp.seconds,
                "status": p.milp.status,
                "greedy": p.greedy.objective,
            }
            for p in plan.plans
        },
    }


def _units(plan: MonthPlan) -> pl.DataFrame:
    return units_table(plan.forecast, plan.plans, plan.settings.unit_size)


def _visits(plan: MonthPlan, outputs: PlanOutputs) -> pl.DataFrame:
    """Every unit's visits on the first day of the planned month, in local time."""
    streets = (
        StreetNetwork.from_geojson(outputs.streets, plan.forecast.area.crs)
        if outputs.streets
        else None
    )
    return schedules_table(
        plan.forecast,
        plan.plans,
        plan.settings,
        plan.forecast.month,
        plan.timezone,
        outputs.seed,
        streets,
    )


def _parent(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
