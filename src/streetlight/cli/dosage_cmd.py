"""`streetlight dosage`: did the patrols go where the plan said? GPS pings against the schedule."""

from __future__ import annotations

from datetime import UTC, tzinfo
from pathlib import Path

import polars as pl
import typer
from rich import box
from rich.table import Table

from streetlight.cli.terminal import cli_errors, out

OUTPUTS = ("stops.csv", "units.csv", "shifts.csv", "quarantine.csv", "dosage.png", "dosage.html")


def dosage_command(
    pings: Path = typer.Argument(
        ..., help="GPS pings CSV with columns unit_id,timestamp,lat,lon (others ignored)."
    ),
    schedule: Path = typer.Option(
        ..., "--schedule", help="The plan's visits (written by `streetlight plan --schedule`)."
    ),
    units: Path = typer.Option(
        ..., "--units", help="The plan's units (written by `streetlight plan --units`)."
    ),
    out_dir: Path = typer.Option(
        ..., "--out", help="Folder for stops, units, shifts and quarantine CSVs and the maps."
    ),
    radius: float = typer.Option(
        400.0, "--radius", min=1.0, help="Patrol area around a unit's post, metres."
    ),
    stop_radius: float = typer.Option(
        100.0, "--stop-radius", min=1.0, help="A unit this near a stop is at it, metres."
    ),
    max_gap: float = typer.Option(
        5.0,
        "--max-gap",
        min=0.1,
        help="Longest time one ping stands for, minutes; the rest of a longer gap is no signal.",
    ),
    timezone: str | None = typer.Option(
        None,
        "--timezone",
        help="Zone of times without a UTC offset, e.g. Europe/London or +01:00; "
        "by default the schedule's UTC offset.",
    ),
) -> None:
    """Minutes each unit spent at its scheduled stops and post, per unit and shift, with a map."""
    from streetlight.deploy.dosage import DosageSettings, dosage
    from streetlight.deploy.pings import (
        check_pings,
        parse_zone,
        plan_zone,
        read_pings,
        read_plan,
    )
    from streetlight.maps.dosage import dosage_html, dosage_png

    with cli_errors():
        settings = DosageSettings(radius, stop_radius, max_gap)
        given = parse_zone(timezone) if timezone else None
        plan = read_plan(units, schedule)
        file = read_pings(pings)
        zone = given or plan_zone(plan)
        checked = check_pings(file, plan, zone)
        result = dosage(plan, checked.accepted, settings)
        reasons = _reasons(checked.quarantine)
        out.print(
            f"{pings.name}: {checked.rows_read:,} rows read: {checked.accepted.height:,} accepted, "
            f"{checked.quarantine.height:,} quarantined{reasons}",
            soft_wrap=True,
        )
        out.print(_table(result.shifts, settings.radius))
        for row in result.shifts.filter(pl.col("silent_units") > 0).iter_rows(named=True):
            names = ", ".join(row["silent"])
            out.print(f"no pings from {row['date']} {row['shift']}: {names}", soft_wrap=True)
        display = zone or UTC
        out_dir.mkdir(parents=True, exist_ok=True)
        _csv(result.stops.drop("key"), out_dir / "stops.csv", display)
        _csv(result.units, out_dir / "units.csv", display)
        _csv(result.shifts, out_dir / "shifts.csv", display)
        checked.quarantine.write_csv(out_dir / "quarantine.csv")
        title = f"Patrol dosage: {', '.join(sorted({str(d) for d in result.shifts['date']}))}"
        dosage_png(result.stops, result.tracks, out_dir / "dosage.png", title)
        summary = [
            f"{checked.rows_read:,} ping rows read, {checked.quarantine.height:,} quarantined",
            f"at a stop: within {stop_radius:g} m of its cell centre in the scheduled window; "
            f"one ping stands for at most {max_gap:g} minutes",
        ]
        dosage_html(result.stops, result.tracks, out_dir / "dosage.html", title, summary)
        out.print(f"wrote {', '.join(OUTPUTS)} in {out_dir}", soft_wrap=True)


def _reasons(quarantine: pl.DataFrame) -> str:
    if quarantine.height == 0:
        return ""
    counts = quarantine.group_by("reason").len().sort("len", "reason", descending=[True, False])
    return " (" + ", ".join(f"{r} {n:,}" for r, n in counts.iter_rows()) + ")"


def _table(shifts: pl.DataFrame, radius: float) -> Table:
    """One row per shift; the date goes in the title when there is one (80 columns suffice)."""
    dates = sorted({str(d) for d in shifts["date"]})
    one_day = len(dates) == 1
    title = f"Patrol dosage{' ' + dates[0] if one_day else ''}, minutes per shift"
    table = Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    names = ["shift", "units", "silent", "planned", "delivered", "share"]
    for name in ([] if one_day else ["date"]) + names + [f"in\n{radius:g} m", "no\nsignal"]:
        # Rich squeezes the widest column first: keep dates (10 characters) and headers whole.
        width = 10 if name == "date" else max(map(len, name.splitlines()))
        table.add_column(
            name, justify="left" if name in ("date", "shift") else "right", min_width=width
        )
    for r in shifts.iter_rows(named=True):
        share = "-" if r["delivered_share"] is None else f"{r['delivered_share']:.0%}"
        cells = [
            r["shift"],
            str(r["units"]),
            str(r["silent_units"]),
            f"{r['planned_minutes']:,.0f}",
            f"{r['delivered_minutes']:,.0f}",
            share,
            f"{r['post_area_minutes']:,.0f}",
            f"{r['no_signal_minutes']:,.0f}",
        ]
        table.add_row(*([] if one_day else [str(r["date"])]), *cells)
    return table


def _csv(frame: pl.DataFrame, path: Path, zone: tzinfo) -> None:
    """Minutes to 0.01, shares to 0.001, instants as local ISO text, name lists joined by '; '."""
    from streetlight.deploy.pings import local_text

    minutes = [c for c in frame.columns if c.endswith("_minutes")]
    lists = [c for c, t in frame.schema.items() if isinstance(t, pl.List)]
    instants = [c for c, t in frame.schema.items() if isinstance(t, pl.Datetime)]
    frame.with_columns(
        *(pl.col(c).round(2) for c in minutes),
        *(pl.col(c).round(3) for c in frame.columns if c.endswith("_share")),
        *(pl.col(c).list.join("; ") for c in lists),
        *(local_text(pl.col(c), zone).alias(c) for c in instants),
    ).write_csv(path)
