"""Options several commands share, declared once so their names and help never drift apart."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

from streetlight.errors import ConfigError, UnknownTimeZoneError

if TYPE_CHECKING:
    from streetlight.cluster.run import ClusterSpec
    from streetlight.deploy.plan import PlanSettings
    from streetlight.store.location import Location

# Text, not a Path: a Path would collapse s3://bucket/store to s3:/bucket/store (see `store_at`).
StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="Store folder, or s3://BUCKET/PREFIX to read one in a bucket (docs/cluster.md) "
        "[default: $STREETLIGHT_STORE or ./streetlight-data].",
    ),
]
ForceOption = Annotated[
    str | None, typer.Option("--force", help="Force (needed when the store has several).")
]
# `backtest`, `hotspots` and `plan-backtest` also run every force at once.
ForcesOption = Annotated[
    str | None,
    typer.Option(
        "--force",
        help="Force (needed when the store has several); all: every force, one task each on a "
        "Dask cluster (docs/cluster.md).",
    ),
]
ALL_FORCES = "all"  # the --force value that runs every force of the store on a cluster
# With --force all: where the forces run.
WorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=1,
        help="With --force all: worker processes of the local Dask cluster [default: one per core].",
        show_default=False,
    ),
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="With --force all: a running Dask scheduler (tcp://host:8786) instead of a local "
        "cluster; its workers must read the store and outputs at the same paths.",
        show_default=False,
    ),
]
CellOption = Annotated[float, typer.Option("--cell", min=10.0, help="Cell size, metres.")]
BoundaryOption = Annotated[
    Path | None,
    typer.Option("--boundary", help="GeoJSON polygons: the study area and the map's outlines."),
]
HarmOption = Annotated[
    Path | None,
    typer.Option(
        "--harm",
        help="Harm-weight table (TOML; see data/harm/template.toml), or cchi for the Cambridge "
        "Crime Harm Index default.",
    ),
]
CategoryOption = Annotated[list[str], typer.Option("--category", help="Crime type(s) to forecast.")]

# `hotspots`
ForecastMonthOption = Annotated[str, typer.Option("--month", help="Month to forecast, YYYY-MM.")]
ForecastOutOption = Annotated[
    list[Path],
    typer.Option("--out", help="Output file(s): .csv, .geojson, .parquet, .png or .html."),
]
HotspotModelOption = Annotated[
    str | None,
    typer.Option(
        "--model", help="Model name (e.g. ew-6, rolling-12, kde, gbm) [default: recommended]."
    ),
]
BacktestFileOption = Annotated[
    Path | None,
    typer.Option("--backtest", help="A `backtest --json` file whose recommended model to use."),
]
ReportsLayerOption = Annotated[
    bool,
    typer.Option(
        "--reports",
        help="Also draw accepted public reports of feeling unsafe on the .png and .html maps, "
        "as their own layer (read from --database).",
    ),
]

# `backtest`
StartMonthOption = Annotated[str, typer.Option("--start", help="First forecast month, YYYY-MM.")]
EndMonthOption = Annotated[str, typer.Option("--end", help="Last forecast month, YYYY-MM.")]
ModelsOption = Annotated[
    str | None,
    typer.Option("--models", help="Comma-separated model names [default: the standard set]."),
]
CoverageOption = Annotated[str, typer.Option("--coverage", help="Coverages, per cent of the area.")]
JsonFileOption = Annotated[
    Path | None, typer.Option("--json", help="Write the results as JSON here.")
]
ReportFolderOption = Annotated[
    Path | None, typer.Option("--report", help="Write a Markdown report and plots here.")
]
ByOption = Annotated[
    str, typer.Option("--by", help="month, or shift / day for sources with date-times.")
]
TimezoneOption = Annotated[
    str | None,
    typer.Option("--timezone", help="Local time zone for shifts and days [default: the force's]."),
]

# `dosage`
PingsArgument = Annotated[
    Path,
    typer.Argument(help="GPS pings CSV with columns unit_id,timestamp,lat,lon (others ignored)."),
]
PlanScheduleOption = Annotated[
    Path,
    typer.Option(
        "--schedule", help="The plan's visits (written by `streetlight plan --schedule`)."
    ),
]
PlanUnitsOption = Annotated[
    Path,
    typer.Option("--units", help="The plan's units (written by `streetlight plan --units`)."),
]
DosageOutOption = Annotated[
    Path,
    typer.Option("--out", help="Folder for stops, units, shifts and quarantine CSVs and the maps."),
]
PostRadiusOption = Annotated[
    float,
    typer.Option("--radius", min=1.0, help="Patrol area around a unit's post, metres."),
]
StopRadiusOption = Annotated[
    float,
    typer.Option("--stop-radius", min=1.0, help="A unit this near a stop is at it, metres."),
]
MaxGapOption = Annotated[
    float,
    typer.Option(
        "--max-gap",
        min=0.1,
        help="Longest time one ping stands for, minutes; the rest of a longer gap is no signal.",
    ),
]
ZoneOption = Annotated[
    str | None,
    typer.Option(
        "--timezone",
        help="Zone of times without a UTC offset, e.g. Europe/London or +01:00; "
        "by default the schedule's UTC offset.",
    ),
]

# The offender unit's commands: its dates begin and end at the force's midnight.
ForceZoneOption = Annotated[
    str,
    typer.Option(
        "--timezone",
        envvar="STREETLIGHT_TIMEZONE",
        help="The force's time zone (IANA name): its dates begin and end at its midnight.",
    ),
]


def force_zone(name: str) -> ZoneInfo:
    """`name` (a `--timezone`) as a time zone, or an error that names the option."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownTimeZoneError(
            f"--timezone: unknown time zone {name!r} (use a name like Europe/London)"
        ) from None


# Patrol plans (`plan`, `plan-backtest`); their defaults are `deploy.defaults`.
OfficersOption = Annotated[
    int, typer.Option("--officers", min=1, help="Officers per day, all shifts.")
]
ShiftsOption = Annotated[str, typer.Option("--shifts", help="Share of officers per shift.")]
UnitSizeOption = Annotated[
    int, typer.Option("--unit-size", min=1, max=2, help="Officers per unit.")
]
RadiusOption = Annotated[
    float, typer.Option("--radius", min=50.0, help="Foot-patrol radius, metres.")
]
MaxPerPostOption = Annotated[
    int, typer.Option("--max-per-post", min=1, help="Most units at one post.")
]
WomenShareOption = Annotated[
    float,
    typer.Option(
        "--women-share", min=0.0, max=1.0, help="Least share of units at women's-safety places."
    ),
]
TimeLimitOption = Annotated[
    float, typer.Option("--time-limit", min=1.0, help="Solver seconds per shift.")
]
GapOption = Annotated[
    float,
    typer.Option(
        "--gap",
        min=0.0,
        max=1.0,
        help="Stop once a shift's plan is proven within this share of the best possible.",
    ),
]
ModelOption = Annotated[
    str | None, typer.Option("--model", help="Forecast model [default: recommended].")
]
PlacesOption = Annotated[
    Path | None,
    typer.Option(
        "--places", help="GeoJSON of busy places (properties: name, kind, weight, womens_safety)."
    ),
]
BusyWeightOption = Annotated[
    float,
    typer.Option(
        "--busy-weight",
        min=0.0,
        help="Extra demand at cells whose snap point is a busy place, in hot-cell equivalents.",
    ),
]
PlanHarmOption = Annotated[
    str,
    typer.Option(
        "--harm",
        metavar="TABLE",
        help="What each crime weighs in the forecast, the shift shares and (plan-backtest) the "
        "scoring: cchi, the Cambridge Crime Harm Index that ships; the force's own table (TOML, "
        "see data/harm/template.toml); or none, every crime 1.",
    ),
]

# `linkage evaluate`, `linkage score`
LinkageCrimesOption = Annotated[
    Path, typer.Option("--crimes", help="Crime table (CSV), read with --mapping.")
]
LinkageOffendersOption = Annotated[
    Path,
    typer.Option(
        "--offenders", help="Offender file (CSV): which offenders each solved crime is for."
    ),
]
LinkageMappingOption = Annotated[
    Path | None,
    typer.Option(
        "--mapping",
        help="TOML mapping of the two files' columns (see mappings/linkage-crimelinkage.toml) "
        "[default: the crimelinkage example data's layout].",
    ),
]

QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]

# `plan-backtest` only
FromMonthOption = Annotated[str, typer.Option("--from", help="First held-out month, YYYY-MM.")]
ToMonthOption = Annotated[str, typer.Option("--to", help="Last held-out month, YYYY-MM.")]
JsonOutOption = Annotated[Path, typer.Option("--out", help="Write the results as JSON here.")]
BaselineOption = Annotated[
    str | None,
    typer.Option(
        "--baseline",
        help="Model ranking cells for the top-cells plan [default: the --model].",
    ),
]
ReportFileOption = Annotated[
    Path | None,
    typer.Option("--report", help="Write a Markdown report (and its PNG plot beside it) here."),
]

# `plan` only
PlanMonthOption = Annotated[str, typer.Option("--month", help="Month to plan, YYYY-MM.")]
PlanOutOption = Annotated[
    list[Path], typer.Option("--out", help="Output: .csv, .geojson, .json, .png or .html (maps).")
]
ProfileOption = Annotated[
    str | None,
    typer.Option(
        "--profile",
        help="Share of harm per shift [default: learned from date-times, else equal].",
    ),
]
ScheduleOutOption = Annotated[
    Path | None,
    typer.Option("--schedule", help="Write every unit's visits (10-16 minute stops) as CSV here."),
]
UnitsOutOption = Annotated[
    Path | None,
    typer.Option("--units", help="Write every unit with its shift and post as CSV here."),
]
BriefingsOption = Annotated[
    Path | None,
    typer.Option(
        "--briefings",
        help="Write a printable briefing per unit (HTML) and an index.html into this folder.",
    ),
]
StreetsOption = Annotated[
    Path | None,
    typer.Option(
        "--streets",
        help="GeoJSON street network (LineStrings): walking times along it, not straight lines.",
    ),
]
SeedOption = Annotated[
    int, typer.Option("--seed", help="Seed for the visit order (same seed, same plan).")
]
ReportsDemandOption = Annotated[
    bool,
    typer.Option(
        "--reports",
        help="Make cells with accepted public reports of feeling unsafe women's-safety demand "
        "(read from --database).",
    ),
]
ReportsWeightOption = Annotated[
    float,
    typer.Option(
        "--reports-weight",
        min=0.0,
        help="Hot-cell equivalents of a cell as reported as the top 1% of reported cells "
        "(others in proportion, at most twice this).",
    ),
]

# The operational database: `--store` and `--database` mean the same in every command.
DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        envvar="STREETLIGHT_DATABASE_URL",
        help="sqlite:///FILE or postgresql+psycopg://USER@HOST/NAME "
        "[default: $STREETLIGHT_DATABASE_URL, else streetlight.db in the store folder].",
        show_default=False,
    ),
]
DataOption = Annotated[
    Path | None,
    typer.Option(
        "--store", help="Data folder [default: $STREETLIGHT_STORE or ./streetlight-data]."
    ),
]
ForwardedAllowIpsOption = Annotated[
    str | None,
    typer.Option(
        "--forwarded-allow-ips",
        envvar="STREETLIGHT_FORWARDED_ALLOW_IPS",
        help="Addresses or networks of the proxies (load balancers) in front, comma-separated "
        "(10.0.0.5,10.1.0.0/16; * for any), whose X-Forwarded-For names the client "
        "[default: none: the connection's own address counts].",
        show_default=False,
    ),
]


class OptionError(ConfigError):
    """A command-line value the command cannot use; the message names the flag."""


def cluster_spec(force: str | None, scheduler: str | None, workers: int | None) -> ClusterSpec:
    """Where `--force all` runs; --scheduler and --workers without it are an error, not ignored."""
    from streetlight.cluster.run import ClusterSpec

    if force != ALL_FORCES and (scheduler or workers):
        flag = "--scheduler" if scheduler else "--workers"
        raise OptionError(f"{flag} runs every force on a cluster: use it with --force all")
    return ClusterSpec(scheduler=scheduler, workers=workers)


def store_at(store: str | None) -> Location:
    """Where `--store` (or `$STREETLIGHT_STORE`, or the default) says the store is: a folder or
    a bucket's URL."""
    from streetlight.store.location import default_store_location, store_location

    return store_location(store) if store else default_store_location()


def database_url(store: Location | str | None, database: str | None) -> str:
    """`--database`, else the SQLite file in the store's folder; a store in a bucket has no
    folder for it, so there it must be named."""
    from streetlight.db.engine import sqlite_url
    from streetlight.store.location import store_location
    from streetlight.store.store import default_store_path

    if database:
        return database
    folder = store_location(store) if store is not None else default_store_path()
    if not isinstance(folder, Path):
        raise OptionError(
            f"--database: the store {folder} is in a bucket, which holds no database; name one "
            "with --database or $STREETLIGHT_DATABASE_URL"
        )
    return sqlite_url(folder)


def parse_shares(text: str, what: str) -> dict[str, float]:
    """`name:value,name:value` (e.g. --shifts, --profile) as a dict; `what` names the flag."""
    try:
        pairs = [part.split(":") for part in text.split(",") if part.strip()]
        return {name.strip(): float(value) for name, value in pairs}
    except ValueError as exc:
        raise OptionError(f"{what}: use name:value,name:value ({text!r})") from exc


def month_flag(text: str, flag: str) -> date:
    """`YYYY-MM` given to `flag` as the month's first day; an error naming the flag otherwise."""
    from streetlight.store.months import parse_month

    try:
        return parse_month(text)
    except ValueError as exc:
        raise OptionError(f"{flag}: {exc}") from exc


def month_range(start: str, end: str, flags: tuple[str, str], what: str) -> tuple[date, date]:
    """The first and last months given to `flags` (errors name `what`, the flags as the user
    reads them); an error when the last is before the first."""
    first, last = month_flag(start, what), month_flag(end, what)
    if last < first:
        raise OptionError(f"{flags[1]} {end} is before {flags[0]} {start}")
    return first, last


def plan_settings(
    *,
    officers: int,
    shifts: str,
    unit_size: int,
    radius: float,
    max_per_post: int,
    women_share: float,
    time_limit: float,
    busy_weight: float,
    gap: float,
) -> PlanSettings:
    """The flags `plan` and `plan-backtest` share, as the plan's settings: --officers a day
    split by the --shifts shares, and the rest as they are (units: officers, metres, seconds)."""
    from streetlight.deploy.plan import PlanSettings, officers_per_shift

    return PlanSettings(
        officers=officers_per_shift(officers, parse_shares(shifts, "--shifts")),
        unit_size=unit_size,
        radius=radius,
        max_per_post=max_per_post,
        women_share=women_share,
        time_limit=time_limit,
        busy_weight=busy_weight,
        gap=gap,
    )
