"""Reading GPS pings and a plan's CSVs: text becomes typed data, bad ping rows become quarantine.

Pings come as CSV `unit_id,timestamp,lat,lon`, the least that vehicle and radio location exports
can all produce. Header names are matched without regard to case or surrounding spaces, other
columns are ignored, and the file is read like an ingest source (`csvread.read_delimited`: BOM,
Windows-1252, stray delimiters), so a row that cannot be used is quarantined with a reason instead
of failing the file. Every row read ends up either accepted or quarantined, never both or neither.

Rows are numbered as a spreadsheet shows them: the header is row 1, so the first ping is row 2
(ingest's convention).

Times are ISO 8601 (`2025-12-01T07:00:30+00:00`, `...Z`, a space for the `T`, seconds and
fractions optional). A time without a UTC offset is read in `zone`: by default the one UTC offset
the schedule's times carry (the plan's own clock). When the schedule carries two (a night across a
clock change, a month of schedules across one), a naive time could be either, so reading stops and
asks for `--timezone` rather than guessing; with a named zone, a naive time that a clock change
skips or repeats is quarantined as a bad timestamp.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from streetlight.deploy.dosage import UTC_US, Plan, build_plan, locate
from streetlight.deploy.errors import DosageInputError
from streetlight.errors import (
    SourceError,
    SourceNotFoundError,
    UnknownTimeZoneError,
)
from streetlight.ingest.checks import (
    ROW,
    Check,
    file_columns,
    number_checks,
    quarantine_rows,
    quoted,
    split,
)
from streetlight.ingest.csvread import RawTable, read_delimited

PING_COLUMNS = ("unit_id", "timestamp", "lon", "lat")
UNIT_COLUMNS = ("shift", "unit", "post", "lon", "lat")
SCHEDULE_COLUMNS = (
    "date",
    "shift",
    "unit",
    "order",
    "cell_id",
    "lon",
    "lat",
    "arrive",
    "leave",
    "dwell_minutes",
)
QUARANTINE_COLUMNS = ("source", "row", "reason", "field", "detail", "raw")

_ISO = (
    r"^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2})(:\d{2}(?:[.,]\d+)?)?\s*"
    r"([Zz]|[+-]\d{2}(?::?\d{2})?)?$"
)
_OFFSET = r"^([+-])(\d{2}):?(\d{2})?$"
_MAX_OFFSET_MINUTES = 14 * 60  # the widest real offsets are -12:00 and +14:00


@dataclass(frozen=True)
class PingFile:
    """A pings CSV as read: its rows as text and which header holds each required column."""

    raw: RawTable
    columns: Mapping[str, str]


@dataclass(frozen=True)
class Pings:
    """Checked pings. `accepted`: row, unit, time (UTC), lon, lat. `quarantine`: source, row,
    reason, field, detail, raw (as ingest's quarantine)."""

    accepted: pl.DataFrame
    quarantine: pl.DataFrame
    rows_read: int


def parse_zone(text: str) -> tzinfo:
    """A `--timezone` value: a zone name (`Europe/London`), `UTC`/`Z`, or an offset (`+01:00`)."""
    value = text.strip()
    if value.upper() in ("UTC", "Z"):
        return UTC
    offset = re.fullmatch(_OFFSET, value)
    if offset:
        sign, hours, minutes = offset.groups()
        total = int(hours) * 60 + int(minutes or 0)
        if total <= _MAX_OFFSET_MINUTES and int(minutes or 0) < 60:
            return timezone(timedelta(minutes=total if sign == "+" else -total))
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownTimeZoneError(
            f"--timezone: unknown time zone {text!r} (use a name like Europe/London "
            "or an offset like +01:00)"
        ) from None


def plan_zone(plan: Plan) -> tzinfo | None:
    """The zone naive ping times are read in by default: the schedule's one UTC offset, if one."""
    if len(plan.offsets) != 1:
        return None
    return timezone(timedelta(minutes=plan.offsets[0]))


def zone_name(zone: tzinfo) -> str:
    if isinstance(zone, ZoneInfo):
        return zone.key
    return str(zone.tzname(None))


def local_text(expr: pl.Expr, zone: tzinfo) -> pl.Expr:
    """UTC instants as local ISO 8601 text with the offset, as the schedule writes them."""
    if isinstance(zone, ZoneInfo):
        return expr.dt.convert_time_zone(zone.key).dt.strftime("%Y-%m-%dT%H:%M:%S%:z")
    offset = zone.utcoffset(None) or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    suffix = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return (expr + offset).dt.strftime("%Y-%m-%dT%H:%M:%S") + pl.lit(suffix)


def parse_times(frame: pl.DataFrame, column: str, zone: tzinfo | None, prefix: str) -> pl.DataFrame:
    """`frame` with the ISO 8601 text in `column` parsed, as `<prefix>` columns:

    `_naive` (the wall-clock time, null when not ISO 8601), `_offset` (minutes east of UTC given
    in the text, null when none or invalid), `_given` (the text has an offset), `_at` (UTC
    instant: the text's offset, else `zone`; null when either fails).
    """
    # Each regex runs once into a struct column (fields read from an expression would re-run it).
    parts, sign_hm = pl.col(f"{prefix}_parts"), pl.col(f"{prefix}_sign_hm")
    frame = frame.with_columns(pl.col(column).str.extract_groups(_ISO).alias(f"{prefix}_parts"))
    tz = parts.struct.field("4")
    frame = frame.with_columns(tz.str.extract_groups(_OFFSET).alias(f"{prefix}_sign_hm"))
    seconds = parts.struct.field("3").str.replace(",", ".").fill_null(":00")
    naive = (
        pl.concat_str(parts.struct.field("1"), pl.lit(" "), parts.struct.field("2"), seconds)
        .str.to_datetime("%Y-%m-%d %H:%M:%S%.f", strict=False, time_unit="us")
        .alias(f"{prefix}_naive")
    )
    hours = sign_hm.struct.field("2").cast(pl.Int64)
    mins = sign_hm.struct.field("3").cast(pl.Int64).fill_null(0)
    signed = (hours * 60 + mins) * pl.when(sign_hm.struct.field("1") == "-").then(-1).otherwise(1)
    valid = (hours * 60 + mins <= _MAX_OFFSET_MINUTES) & (mins < 60)
    offset = (
        pl.when(tz.str.to_uppercase() == "Z")
        .then(pl.lit(0, pl.Int64))
        .when(valid)
        .then(signed)
        .alias(f"{prefix}_offset")
    )
    frame = frame.with_columns(naive, offset, tz.is_not_null().alias(f"{prefix}_given")).drop(
        f"{prefix}_parts", f"{prefix}_sign_hm"
    )
    local = pl.col(f"{prefix}_naive")
    given = (local - pl.duration(minutes=pl.col(f"{prefix}_offset"))).dt.replace_time_zone("UTC")
    at = pl.when(pl.col(f"{prefix}_given")).then(given).otherwise(_in_zone(local, zone))
    return frame.with_columns(at.cast(UTC_US).alias(f"{prefix}_at"))


def _in_zone(naive: pl.Expr, zone: tzinfo | None) -> pl.Expr:
    if zone is None:
        return pl.lit(None, dtype=UTC_US)
    if isinstance(zone, ZoneInfo):
        return naive.dt.replace_time_zone(
            zone.key, ambiguous="null", non_existent="null"
        ).dt.convert_time_zone("UTC")
    offset = zone.utcoffset(None) or timedelta(0)
    return (naive - offset).dt.replace_time_zone("UTC")


# Reading files ---------------------------------------------------------------------------------


def _read(path: Path) -> RawTable:
    if path.is_dir():
        raise SourceError(str(path), "a folder, not a CSV file")
    if not path.is_file():
        raise SourceNotFoundError(str(path), "no such file or folder")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(str(path), f"cannot read: {exc.strerror}") from exc
    return read_delimited(data, str(path), label=path.name)


def _columns(raw: RawTable, wanted: Sequence[str]) -> dict[str, str]:
    """Which of the file's columns holds each wanted name (case and spaces ignored)."""
    by_name: dict[str, str] = {}
    for column in raw.frame.columns:
        name = column.strip().lower()
        if column != ROW and name in wanted and name not in by_name:
            by_name[name] = column
    for name in wanted:
        if name not in by_name:
            found = ", ".join(c for c in raw.header) or "none"
            raise SourceError(raw.source, f"no {name!r} column (columns: {found})")
    return by_name


def read_pings(path: Path) -> PingFile:
    """Read a pings CSV; an unreadable file or a missing column is an error naming the file."""
    return ping_file(_read(path))


def ping_file(raw: RawTable) -> PingFile:
    """Rows already read (from a file, a zip member, a test) as pings; a missing column raises."""
    return PingFile(raw, _columns(raw, PING_COLUMNS))


def read_plan(units: Path, schedule: Path) -> Plan:
    """The `--units` and `--schedule` CSVs of `streetlight plan`, as a `Plan`."""
    return plan_from_tables(_whole(_read(units)), _whole(_read(schedule)))


def _whole(raw: RawTable) -> RawTable:
    # A plan file is written by `streetlight plan`: a broken row means the wrong file, not noise.
    if raw.unsplittable:
        row, detail, _ = raw.unsplittable[0]
        raise SourceError(raw.source, f"row {row}: {detail}")
    return raw


# The plan ---------------------------------------------------------------------------------------


def plan_from_tables(units: RawTable, schedule: RawTable) -> Plan:
    """Type and check the plan's two tables; any bad value is an error naming file, row, field."""
    number = pl.Float64()
    u = _typed(units, UNIT_COLUMNS, {"lon": number, "lat": number})
    s = _typed(
        schedule,
        SCHEDULE_COLUMNS,
        {"order": pl.Int64(), "lon": number, "lat": number, "dwell_minutes": number},
        optional=("place",),
    )
    s = s.with_columns(_date(s, schedule.source).alias("date"))
    for which in ("arrive", "leave"):
        s = parse_times(s, which, None, f"_{which}")
        _no_nulls(s, f"_{which}_at", which, schedule.source, "an ISO 8601 time with UTC offset")
    _check_units(u, s, units.source, schedule.source)
    stops = s.select(
        "date",
        "unit",
        "order",
        "cell_id",
        "place",
        "lon",
        "lat",
        "arrive",
        "leave",
        pl.col("_arrive_at").alias("arrive_at"),
        pl.col("_leave_at").alias("leave_at"),
        pl.col("_arrive_offset").alias("offset_minutes"),
        "dwell_minutes",
    )
    return build_plan(u.select(UNIT_COLUMNS), stops)


def _typed(
    raw: RawTable,
    wanted: Sequence[str],
    types: Mapping[str, pl.DataType],
    optional: Sequence[str] = (),
) -> pl.DataFrame:
    """The wanted columns, trimmed and typed; the optional ones as text, null when absent."""
    columns = _columns(raw, wanted)
    spare = {c.strip().lower(): c for c in reversed(raw.frame.columns)}
    frame = raw.frame.select(
        pl.col(ROW),
        *(raw.text(columns[n]).alias(n) for n in wanted),
        *(
            (raw.text(spare[n]) if n in spare else pl.lit(None, pl.String)).alias(n)
            for n in optional
        ),
    )
    for name in wanted:
        _no_nulls(frame, name, name, raw.source, "given")
    for name, dtype in types.items():
        frame = frame.with_columns(pl.col(name).cast(dtype, strict=False).alias(f"_{name}"))
        _no_nulls(frame, f"_{name}", name, raw.source, "a number")
        frame = frame.with_columns(pl.col(f"_{name}").alias(name)).drop(f"_{name}")
    return frame


def _date(frame: pl.DataFrame, source: str) -> pl.Expr:
    parsed = pl.col("date").str.to_date("%Y-%m-%d", strict=False)
    _no_nulls(frame.with_columns(parsed.alias("_d")), "_d", "date", source, "a YYYY-MM-DD date")
    return parsed


def _no_nulls(frame: pl.DataFrame, column: str, field: str, source: str, what: str) -> None:
    bad = frame.filter(pl.col(column).is_null())
    if bad.height:
        row = bad.row(0, named=True)
        value = row.get(field)
        problem = f"{field} {value!r} is not {what}" if value is not None else f"no {field}"
        raise DosageInputError(f"{source} row {row[ROW]}: {problem}")


def _check_units(units: pl.DataFrame, stops: pl.DataFrame, usrc: str, ssrc: str) -> None:
    twice = units.filter(pl.col("unit").is_duplicated())
    if twice.height:
        raise DosageInputError(f"{usrc} row {twice[ROW][1]}: unit {twice['unit'][0]!r} twice")
    joined = stops.join(units.select("unit", pl.col("shift").alias("_u")), on="unit", how="left")
    unknown = joined.filter(pl.col("_u").is_null())
    if unknown.height:
        row = unknown.row(0, named=True)
        raise DosageInputError(f"{ssrc} row {row[ROW]}: unit {row['unit']!r} is not in {usrc}")
    moved = joined.filter(pl.col("_u") != pl.col("shift"))
    if moved.height:
        row = moved.row(0, named=True)
        raise DosageInputError(
            f"{ssrc} row {row[ROW]}: unit {row['unit']!r} works the {row['_u']} shift in "
            f"{usrc}, not {row['shift']}"
        )


# Pings -----------------------------------------------------------------------------------------


def check_pings(pings: PingFile, plan: Plan, zone: tzinfo | None) -> Pings:
    """Accepted pings and quarantined rows (each with the first reason that applies).

    Reasons: `missing_value`, `bad_timestamp`, `bad_coordinate` (not a number, not finite, off
    the globe, or 0/0, a receiver's "no fix"), `unknown_unit` (not in the plan),
    `duplicate_ping` (same unit and instant as an earlier row), `outside_shift` (in no shift of
    its unit), and ingest's `wrong_field_count` and `blank_line` for rows that cannot be split.
    """
    raw, cols = pings.raw, pings.columns
    frame = raw.frame.select(
        *file_columns(0, raw, raw.label),
        raw.text(cols["unit_id"]).alias("unit"),
        raw.text(cols["timestamp"]).alias("_ts"),
        raw.text(cols["lon"]).alias("_lon"),
        raw.text(cols["lat"]).alias("_lat"),
    )
    frame = parse_times(frame, "_ts", zone, "_t")
    naive = frame.filter(pl.col("_t_naive").is_not_null() & ~pl.col("_t_given")).height
    if naive and zone is None:
        offsets = ", ".join(_offset_text(m) for m in plan.offsets)
        raise SourceError(
            raw.source,
            f"{naive} time(s) have no UTC offset and the schedule's times carry several "
            f"({offsets}): give --timezone, e.g. Europe/London",
        )
    numbers, number_bad = number_checks(
        {"lon": ("_lon", cols["lon"]), "lat": ("_lat", cols["lat"])}
    )
    frame = frame.with_columns(numbers)
    first = [*_missing_checks(cols), *_time_checks(cols["timestamp"], zone)]
    first += [*number_bad, *_coordinate_checks(f"{cols['lon']}, {cols['lat']}")]
    kept, rejected = split(frame, first)
    same = ["unit", "_t_at"]
    kept = kept.with_columns(pl.col(ROW).min().over(same).alias("_first_row"))
    kept = kept.with_columns(locate(plan, kept["unit"], kept["_t_at"]).alias("_key"))
    accepted, rejected_late = split(kept, _plan_checks(plan, cols))
    quarantine = quarantine_rows(pl.concat([rejected, rejected_late]), [raw])
    return Pings(
        accepted.select(
            pl.col(ROW).alias("row"), "unit", pl.col("_t_at").alias("time"), "lon", "lat"
        ),
        quarantine.select(QUARANTINE_COLUMNS),
        raw.rows_read,
    )


def _offset_text(minutes: int) -> str:
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _missing_checks(cols: Mapping[str, str]) -> list[Check]:
    fields = {"unit": "unit_id", "_ts": "timestamp", "_lon": "lon", "_lat": "lat"}
    return [
        Check(pl.col(c).is_null(), "missing_value", cols[name], pl.lit("no value"))
        for c, name in fields.items()
    ]


def _time_checks(field: str, zone: tzinfo | None) -> list[Check]:
    where = zone_name(zone) if zone is not None else "the plan's zone"
    return [
        Check(
            pl.col("_t_naive").is_null() | (pl.col("_t_given") & pl.col("_t_offset").is_null()),
            "bad_timestamp",
            field,
            pl.format("{} is not an ISO 8601 date-time", quoted(pl.col("_ts"))),
        ),
        Check(
            pl.col("_t_at").is_null(),
            "bad_timestamp",
            field,
            pl.format(
                "{} is skipped or repeated by a clock change in {}: give its UTC offset",
                quoted(pl.col("_ts")),
                pl.lit(where),
            ),
        ),
    ]


def _coordinate_checks(fields: str) -> list[Check]:
    x, y = pl.col("lon"), pl.col("lat")
    pair = pl.format("({}, {})", x, y)
    return [
        Check(
            ~(x.is_finite() & y.is_finite()),
            "bad_coordinate",
            fields,
            pl.format("not a finite number: {}", pair),
        ),
        Check(
            (x.abs() > 180) | (y.abs() > 90),
            "bad_coordinate",
            fields,
            pl.format("{} is not a valid lon/lat", pair),
        ),
        Check(
            (x == 0) & (y == 0),
            "bad_coordinate",
            fields,
            pl.lit("(0, 0): the receiver had no fix"),
        ),
    ]


def _plan_checks(plan: Plan, cols: Mapping[str, str]) -> list[Check]:
    return [
        Check(
            ~pl.col("unit").is_in(plan.units),
            "unknown_unit",
            cols["unit_id"],
            pl.format("{} is not a unit of the plan", quoted(pl.col("unit"))),
        ),
        Check(
            pl.col(ROW) != pl.col("_first_row"),
            "duplicate_ping",
            cols["timestamp"],
            pl.format("same unit and time as row {}", pl.col("_first_row")),
        ),
        Check(
            pl.col("_key").is_null(),
            "outside_shift",
            cols["timestamp"],
            pl.format(
                "{} is outside every shift of {} in the plan",
                quoted(pl.col("_ts")),
                pl.col("unit"),
            ),
        ),
    ]
