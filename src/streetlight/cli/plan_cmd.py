"""`streetlight plan`: units per post for each shift, from next month's hotspot forecast."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from streetlight.cli.options import (
    DEFAULT_SHIFTS,
    BoundaryOption,
    BusyWeightOption,
    CategoryOption,
    CellOption,
    DatabaseOption,
    ForceOption,
    MaxPerPostOption,
    ModelOption,
    PlacesOption,
    RadiusOption,
    ShiftsOption,
    StoreOption,
    TimeLimitOption,
    UnitSizeOption,
    WomenShareOption,
    database_url,
    parse_shares,
)
from streetlight.cli.printing import layer_line
from streetlight.cli.terminal import cli_errors, out
from streetlight.deploy.plan import VIOLENCE
from streetlight.errors import StreetlightError
from streetlight.store.months import parse_month
from streetlight.store.store import Store, default_store_path


def plan_command(
    month: str = typer.Option(..., "--month", help="Month to plan, YYYY-MM."),
    officers: int = typer.Option(..., "--officers", min=1, help="Officers per day, all shifts."),
    out_files: list[Path] = typer.Option(
        ..., "--out", help="Output: .csv, .geojson, .json, .png or .html (maps)."
    ),
    category: CategoryOption = [VIOLENCE],  # noqa: B006 - Typer reads the default, never mutates it
    shifts: ShiftsOption = DEFAULT_SHIFTS,
    profile: str | None = typer.Option(
        None,
        "--profile",
        help="Share of harm per shift [default: learned from date-times, else equal].",
    ),
    unit_size: UnitSizeOption = 2,
    radius: RadiusOption = 400.0,
    max_per_post: MaxPerPostOption = 2,
    women_share: WomenShareOption = 0.2,
    time_limit: TimeLimitOption = 30.0,
    model: ModelOption = None,
    store: StoreOption = None,
    force: ForceOption = None,
    cell: CellOption = 150.0,
    boundary: BoundaryOption = None,
    schedule: Path | None = typer.Option(
        None, "--schedule", help="Write every unit's visits (10-16 minute stops) as CSV here."
    ),
    units_out: Path | None = typer.Option(
        None, "--units", help="Write every unit with its shift and post as CSV here."
    ),
    briefings: Path | None = typer.Option(
        None,
        "--briefings",
        help="Write a printable briefing per unit (HTML) and an index.html into this folder.",
    ),
    places_file: PlacesOption = None,
    busy_weight: BusyWeightOption = 0.25,
    streets: Path | None = typer.Option(
        None,
        "--streets",
        help="GeoJSON street network (LineStrings): walking times along it, not straight lines.",
    ),
    seed: int = typer.Option(0, "--seed", help="Seed for the visit order (same seed, same plan)."),
    reports: bool = typer.Option(
        False,
        "--reports",
        help="Make cells with accepted public reports of feeling unsafe women's-safety demand "
        "(read from --database).",
    ),
    reports_weight: float = typer.Option(
        0.5,
        "--reports-weight",
        min=0.0,
        help="Hot-cell equivalents of a cell as reported as the top 1% of reported cells "
        "(others in proportion, at most twice this).",
    ),
    database: DatabaseOption = None,
) -> None:
    """Place patrol units on posts for each shift to cover the most forecast harm.

    With --reports, every study-area cell holding accepted public reports of feeling unsafe
    becomes women's-safety demand: it counts towards --women-share, and adds W x (its reports /
    the mean reports of the top 1% of cells by reports) hot-cell equivalents, at most 2 W
    (W = --reports-weight). Recorded crime misses most of what makes a place feel unsafe, and
    these reports are the people the promise is about saying where; scaling to the top 1% makes
    W mean the same however many reports the force receives, and the cap stops one much-reported
    place (or a campaign) from outweighing the forecast.
    """
    from streetlight.deploy.briefing import INDEX, briefing_pages, write_briefings
    from streetlight.deploy.maps import plan_html, plan_png
    from streetlight.deploy.places import Place, hot_cell_demand, read_places, report_places
    from streetlight.deploy.plan import (
        PlanSettings,
        make_plan,
        officers_per_shift,
        posts_table,
        schedules_table,
        shift_profile,
        units_table,
    )
    from streetlight.deploy.streets import StreetNetwork
    from streetlight.geo.boundary import read_rings
    from streetlight.hotspots.forecast import make_forecast
    from streetlight.hotspots.registry import RECOMMENDED

    with cli_errors():
        try:
            when = parse_month(month)
        except ValueError as exc:
            raise StreetlightError(f"--month: {exc}") from exc
        per_shift = officers_per_shift(officers, parse_shares(shifts, "--shifts"))
        target = Store.open(store or default_store_path())
        forecast = make_forecast(
            target,
            category,
            when,
            model or RECOMMENDED,
            force=force,
            cell_size=cell,
            boundary=boundary,
        )
        harm = (
            parse_shares(profile, "--profile")
            if profile
            else shift_profile(target, forecast.force, category, when)
        )
        places, outside = read_places(places_file, forecast.area) if places_file else ([], [])
        reported: list[Place] = []
        report_summary: dict[str, object] | None = None
        if reports:
            from streetlight.reports.dataset import accepted_layer

            layer, accepted = accepted_layer(forecast.area, database_url(store, database))
            reported = report_places(layer.reports, reports_weight)
            top_mean = hot_cell_demand(layer.reports.astype(float))
            report_summary = {
                "weight": reports_weight,
                "top_1pct_mean_reports": top_mean,
                "accepted": accepted,
                "used": layer.placed,
                "unplaced": layer.unplaced,
                "cells": int((layer.reports > 0).sum()),
            }
        settings = PlanSettings(
            per_shift,
            unit_size,
            radius,
            max_per_post,
            0.5,
            women_share,
            time_limit,
            busy_weight,
            (*places, *reported),
        )
        plans = make_plan(forecast, harm, settings)
        table = posts_table(forecast, plans, unit_size, settings.places)
        out.print(
            f"{forecast.force} {month}: {officers} officers, units of {unit_size}, "
            f"{radius:g} m radius, {forecast.area.n_cells:,} candidate cells"
        )
        out.print(
            f"busy places: snap-point cells weigh {busy_weight:g} hot-cell equivalents"
            + "".join(f"; {p.name} {p.weight:g}" for p in places)
        )
        if outside:
            out.print(f"outside the study area, not used: {', '.join(outside)}")
        if report_summary is not None:
            out.print(layer_line(layer, accepted), soft_wrap=True)
            out.print(
                f"  women's-safety weight W {reports_weight:g} hot-cell equivalents at "
                f"{top_mean:.3g} reports a cell (top 1% mean), at most {2 * reports_weight:g}",
                soft_wrap=True,
            )
            out.print(
                "  reports in a cell: weight (cells) "
                + ", ".join(
                    f"{layer.reports[p.cells[0]]}: {p.weight:.3g} ({len(p.cells):,})"
                    for p in reported
                ),
                soft_wrap=True,
            )
        out.print(
            f"{'shift':<7}{'officers':>9}{'units':>6}{'harm':>6}{'covered':>9}"
            f"{'gap':>7}{'s':>6}{'greedy':>9}{'gain':>7}"
        )
        for p in plans:
            gain = p.milp.objective / p.greedy.objective - 1 if p.greedy.objective else 0.0
            out.print(
                f"{p.shift:<7}{per_shift[p.shift]:>9}{int(p.milp.units.sum()):>6}"
                f"{p.demand_share:>6.2f}{p.milp.objective:>9.1f}{p.milp.gap:>7.2%}"
                f"{p.milp.seconds:>6.1f}{p.greedy.objective:>9.1f}{gain:>7.1%}"
            )
        if units_out:
            units_out.parent.mkdir(parents=True, exist_ok=True)
            units_table(forecast, plans, unit_size).write_csv(units_out)
            out.print(f"wrote {units_out}")
        zone = target.forces[forecast.force].timezone or "UTC"
        force_name = target.forces[forecast.force].name
        visits = (
            schedules_table(
                forecast,
                plans,
                settings,
                when,
                zone,
                seed,
                StreetNetwork.from_geojson(streets, forecast.area.crs) if streets else None,
            )
            if schedule or briefings
            else None
        )
        if schedule and visits is not None:
            schedule.parent.mkdir(parents=True, exist_ok=True)
            visits.write_csv(schedule)
            out.print(f"wrote {schedule}")
        if briefings and visits is not None:
            pages = briefing_pages(
                forecast,
                units_table(forecast, plans, unit_size),
                visits,
                force_name=force_name,
                timezone=zone,
                radius=radius,
            )
            write_briefings(pages, briefings)
            out.print(f"wrote {len(pages) - 1} briefings and {briefings / INDEX}")
        rings = read_rings(boundary, forecast.area.crs) if boundary else []
        for path in out_files:
            path.parent.mkdir(parents=True, exist_ok=True)
            suffix = path.suffix.lower()
            if suffix == ".csv":
                table.write_csv(path)
            elif suffix == ".geojson":
                features = [
                    {
                        "type": "Feature",
                        "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
                        "properties": {k: v for k, v in r.items() if k not in ("lon", "lat")},
                    }
                    for r in table.iter_rows(named=True)
                ]
                path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
            elif suffix == ".json":
                summary = {
                    "month": month,
                    "force": forecast.force,
                    "model": forecast.model,
                    "settings": {
                        "officers": per_shift,
                        "unit_size": unit_size,
                        "radius_m": radius,
                        "max_per_post": max_per_post,
                        "women_share": women_share,
                        "harm_share": harm,
                        "busy_weight": busy_weight,
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
                        "places_outside": outside,
                        "reports": report_summary,
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
                        for p in plans
                    },
                }
                path.write_text(json.dumps(summary, indent=1))
            elif suffix in (".png", ".html"):
                draw = plan_png if suffix == ".png" else plan_html
                draw(forecast, table, settings, path, rings=rings, force_name=force_name)
            else:
                raise StreetlightError(
                    f"{path}: unknown output type (use .csv, .geojson, .json, .png or .html)"
                )
            out.print(f"wrote {path}")
