"""`streetlight dosage`: did the patrols go where the plan said? GPS pings against the schedule."""

from __future__ import annotations

import polars as pl
from rich import box
from rich.table import Table

from streetlight.cli.options import (
    DosageOutOption,
    MaxGapOption,
    PingsArgument,
    PlanScheduleOption,
    PlanUnitsOption,
    PostRadiusOption,
    StopRadiusOption,
    ZoneOption,
)
from streetlight.cli.terminal import cli_errors, out


def dosage_command(
    pings: PingsArgument,
    schedule: PlanScheduleOption,
    units: PlanUnitsOption,
    out_dir: DosageOutOption,
    radius: PostRadiusOption = 400.0,
    stop_radius: StopRadiusOption = 100.0,
    max_gap: MaxGapOption = 5.0,
    timezone: ZoneOption = None,
) -> None:
    """Minutes each unit spent at its scheduled stops and post, per unit and shift, with a map."""
    from streetlight.deploy.dosage import DosageSettings
    from streetlight.deploy.dosage_files import OUTPUTS, measure_dosage, write_dosage

    with cli_errors():
        settings = DosageSettings(radius=radius, stop_radius=stop_radius, max_gap=max_gap)
        run = measure_dosage(pings, units, schedule, settings, timezone)
        checked, result = run.pings, run.result
        out.print(
            f"{pings.name}: {checked.rows_read:,} rows read: {checked.accepted.height:,} accepted, "
            f"{checked.quarantine.height:,} quarantined{_reasons(checked.quarantine)}",
            soft_wrap=True,
        )
        out.print(_table(result.shifts, settings.radius))
        for row in result.shifts.filter(pl.col("silent_units") > 0).iter_rows(named=True):
            names = ", ".join(row["silent"])
            out.print(f"no pings from {row['date']} {row['shift']}: {names}", soft_wrap=True)
        write_dosage(run, out_dir)
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
