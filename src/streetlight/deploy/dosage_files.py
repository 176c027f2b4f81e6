"""Patrol dosage from files: the library behind `streetlight dosage`.

`measure_dosage` reads a plan's units and schedule (as `streetlight plan` writes them) and a GPS
pings CSV, quarantines the pings that cannot count (`deploy.pings`) and measures the minutes
delivered (`deploy.dosage`); `write_dosage` writes the stops, units, shifts and quarantine CSVs
and the two maps into one folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, tzinfo
from pathlib import Path

import polars as pl

from streetlight.deploy.dosage import Dosage, DosageSettings, dosage
from streetlight.deploy.pings import (
    Pings,
    check_pings,
    local_text,
    parse_zone,
    plan_zone,
    read_pings,
    read_plan,
)
from streetlight.maps.dosage import dosage_html, dosage_png

OUTPUTS = ("stops.csv", "units.csv", "shifts.csv", "quarantine.csv", "dosage.png", "dosage.html")


@dataclass(frozen=True)
class DosageRun:
    """The checked pings, the minutes measured, and the zone of times without an offset
    (None: every time carried one)."""

    pings: Pings
    result: Dosage
    zone: tzinfo | None


def measure_dosage(
    pings: Path,
    units: Path,
    schedule: Path,
    settings: DosageSettings,
    timezone: str | None = None,
) -> DosageRun:
    """Minutes each unit spent at its scheduled stops and post. `timezone` (e.g. Europe/London
    or +01:00) is the zone of ping times without a UTC offset; by default the schedule's."""
    given = parse_zone(timezone) if timezone else None
    plan = read_plan(units, schedule)
    file = read_pings(pings)
    zone = given or plan_zone(plan)
    checked = check_pings(file, plan, zone)
    return DosageRun(checked, dosage(plan, checked.accepted, settings), zone)


def write_dosage(run: DosageRun, folder: Path) -> list[Path]:
    """`OUTPUTS` in `folder`: instants in the run's zone (UTC without one), and maps titled by
    the plan's dates."""
    result, settings = run.result, run.result.settings
    display = run.zone or UTC
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / name for name in OUTPUTS]
    stops, units, shifts, quarantine, png, html = paths
    dosage_csv(result.stops.drop("key"), stops, display)
    dosage_csv(result.units, units, display)
    dosage_csv(result.shifts, shifts, display)
    run.pings.quarantine.write_csv(quarantine)
    title = f"Patrol dosage: {', '.join(sorted({str(d) for d in result.shifts['date']}))}"
    dosage_png(result.stops, result.tracks, png, title)
    summary = [
        f"{run.pings.rows_read:,} ping rows read, {run.pings.quarantine.height:,} quarantined",
        f"at a stop: within {settings.stop_radius:g} m of its cell centre in the scheduled "
        f"window; one ping stands for at most {settings.max_gap:g} minutes",
    ]
    dosage_html(result.stops, result.tracks, html, title, summary)
    return paths


def dosage_csv(frame: pl.DataFrame, path: Path, zone: tzinfo) -> None:
    """Minutes to 0.01, shares to 0.001, instants as local ISO text, name lists joined by '; '."""
    minutes = [c for c in frame.columns if c.endswith("_minutes")]
    lists = [c for c, t in frame.schema.items() if isinstance(t, pl.List)]
    instants = [c for c, t in frame.schema.items() if isinstance(t, pl.Datetime)]
    frame.with_columns(
        *(pl.col(c).round(2) for c in minutes),
        *(pl.col(c).round(3) for c in frame.columns if c.endswith("_share")),
        *(pl.col(c).list.join("; ") for c in lists),
        *(local_text(pl.col(c), zone).alias(c) for c in instants),
    ).write_csv(path)
