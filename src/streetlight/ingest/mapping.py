"""A force's own export, described by a small TOML mapping file (see `mappings/st-louis.toml`).

The mapping says which column holds each canonical field, how to read date-times and coordinates,
which value marks a reversal row and whether the first or the last record of an id wins. Rules that
span files (reversals, re-issued records) run once over every file of the ingest, ordered by the
mapping's `order` column and then by file and row.

Exports as forces really publish them need three more spellings of a field (see
`mappings/example-no-id.toml`): an id hashed from chosen columns when the export has none
(`{ from = [...] }`), a constant for an export of one crime type (`{ value = "..." }`), and a
date-time composed from a date column and an hour column (`{ date = "...", hour = "..." }`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping as MappingType
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from streetlight.errors import MappingError, UnknownLayoutError
from streetlight.geo.crs import WGS84, area_of_use, transform_columns
from streetlight.ingest.adapter import Keep
from streetlight.ingest.checks import (
    FILE,
    ROW,
    SOURCE,
    Check,
    as_quarantine,
    coordinate_checks,
    digests,
    file_columns,
    half_missing_check,
    number_checks,
    quarantine_rows,
    quoted,
    split,
)
from streetlight.ingest.csvread import RawTable
from streetlight.ingest.formats import Parsed, normalise_header
from streetlight.store.schema import INCIDENT_SCHEMA, NET
from streetlight.tomlfile import read_toml

# What the cross-file rules (`MappedFormat.resolve`) read of a record: a few tens of bytes, where
# the whole record is hundreds.
RESOLUTION_COLUMNS = ("force", "incident_id", "_count", "_order", FILE, ROW)
# Columns `MappedFormat.resolve` carries to its outcome when given: a streaming ingest's month,
# by which it writes each partition's rows once, and coordinates, for a new force's CRS.
_CARRIED = ("month", "lon", "lat")

_REQUIRED = ("incident_id", "occurred_at")
_KNOWN = {
    "incident_id",
    "occurred_at",
    "category",
    "category_code",
    "subcategory",
    "location",
    "lsoa_code",
    "outcome",
    "x",
    "y",
    "lon",
    "lat",
    "count",
    "order",
}
# Fields that may be a constant: text that describes every row alike (not ids, times or places).
_CONSTANT_OK = {"category", "subcategory", "location", "lsoa_code", "outcome"}
# The prefix of an id hashed from columns (`{ from = [...] }`), so it never passes for a force's own.
DERIVED_ID_PREFIX = "d:"
_ZONED = re.compile(r"%[#:]?z")


@dataclass(frozen=True)
class ColumnSpec:
    """Where a field comes from: one source column, or several joined with `sep`; or, for exports
    that lack the field as such, a hash of several (`hashed`), a constant (`value`), or a date
    column and an hour column (`hour`: `columns` is then the date column and the hour column)."""

    columns: tuple[str, ...]
    sep: str = " "
    hashed: bool = False
    value: str | None = None
    hour: bool = False

    @property
    def field(self) -> str:
        """The source column(s) named in quarantine reasons."""
        return "+".join(self.columns) if self.hashed else (self.columns or ("",))[0]


@dataclass(frozen=True)
class Mapping:
    """A parsed, validated mapping file."""

    path: str
    name: str
    force: str
    files: tuple[str, ...]
    columns: dict[str, ColumnSpec]
    datetime_formats: tuple[str, ...]
    timezone: str
    coordinate_crs: str
    missing_xy: tuple[float, float] | None
    reversal_value: int | None
    keep: Keep
    code_divisor: int | None
    category_names: dict[int, str] = field(default_factory=dict)


def _need(table: MappingType[str, Any], key: str, where: str | None, path: str) -> Any:
    """`table[key]`, or an error naming the file, the table and the key."""
    if key not in table:
        if where is None:
            raise MappingError(f"{path}: needs a [{key}] table")
        raise MappingError(f"{path}: [{where}] needs '{key}'")
    return table[key]


def load_mapping(path: str | Path) -> Mapping:
    """Read and check a mapping file; every problem names the file and the key."""
    p = Path(path)
    data = read_toml(p, "mapping file", MappingError)
    where = str(p)
    source = _need(data, "source", None, where)
    name = str(_need(source, "name", "source", where))
    force = str(_need(source, "force", "source", where))
    cols_raw = _need(data, "columns", None, where)
    columns: dict[str, ColumnSpec] = {}
    for key, value in cols_raw.items():
        if key not in _KNOWN:
            raise MappingError(
                f"{p}: [columns] '{key}' is not a field Streetlight knows "
                f"({', '.join(sorted(_KNOWN))})"
            )
        columns[key] = _column_spec(key, value, where)
    for key in _REQUIRED:
        if key not in columns:
            raise MappingError(f"{p}: [columns] needs '{key}'")
    has_xy, has_lonlat = "x" in columns and "y" in columns, "lon" in columns and "lat" in columns
    coords = data.get("coordinates", {})
    if has_xy and "crs" not in coords:
        raise MappingError(f"{p}: [coordinates] needs 'crs' for x/y columns")
    if not (has_xy or has_lonlat):
        raise MappingError(f"{p}: [columns] needs x and y, or lon and lat")
    dt = data.get("datetime", {})
    rules = data.get("rules", {})
    keep = rules.get("keep", "first")
    if keep not in ("first", "last"):
        raise MappingError(f'{p}: [rules] keep must be "first" or "last", not {keep!r}')
    cats = data.get("categories", {})
    if "category" not in columns and "category_code" not in columns:
        raise MappingError(f"{p}: [columns] needs 'category' or 'category_code'")
    missing = coords.get("missing")
    return Mapping(
        path=where,
        name=name,
        force=force,
        files=tuple(source.get("files", ["*.csv"])),
        columns=columns,
        datetime_formats=tuple(dt.get("formats", ["%Y-%m-%d %H:%M:%S"])),
        timezone=str(dt.get("timezone", "UTC")),
        coordinate_crs=str(coords.get("crs", WGS84)),
        missing_xy=(float(missing[0]), float(missing[1])) if missing else None,
        reversal_value=rules.get("reversal_value"),
        keep=keep,
        code_divisor=cats.get("code_divisor"),
        category_names={int(k): str(v) for k, v in cats.get("names", {}).items()},
    )


def _column_spec(key: str, value: Any, where: str) -> ColumnSpec:
    """One `[columns]` entry: a column name, or a table saying how the field is made."""
    if isinstance(value, str):
        return ColumnSpec((value,))
    table = value if isinstance(value, dict) else {}
    names = table.get("join", table.get("from"))
    if isinstance(names, list) and names and all(isinstance(n, str) for n in names):
        if "from" in table and key != "incident_id":
            raise MappingError(
                f"{where}: [columns] '{key}': only incident_id can be {{from = [...]}}"
            )
        return ColumnSpec(tuple(names), str(table.get("sep", " ")), hashed="from" in table)
    for form in ("from", "join"):
        if form in table:
            raise MappingError(
                f"{where}: [columns] '{key}': {{{form} = [...]}} needs a non-empty list of "
                f"column names, not {table[form]!r}"
            )
    if isinstance(table.get("value"), str):
        if key not in _CONSTANT_OK:
            raise MappingError(
                f"{where}: [columns] '{key}' cannot be a constant {{value = ...}} "
                f"(only {', '.join(sorted(_CONSTANT_OK))})"
            )
        return ColumnSpec((), value=table["value"])
    if isinstance(table.get("date"), str) and isinstance(table.get("hour"), str):
        if key != "occurred_at":
            raise MappingError(
                f"{where}: [columns] '{key}': only occurred_at can be {{date = ..., hour = ...}}"
            )
        return ColumnSpec((table["date"], table["hour"]), hour=True)
    if key == "occurred_at" and isinstance(value, dict) and "date" in value:
        raise MappingError(f"{where}: [columns] 'occurred_at' needs both 'date' and 'hour'")
    raise MappingError(
        f"{where}: [columns] '{key}' must be a column name, {{join = [...]}}, "
        "{from = [...]} (incident_id), {value = ...} (a constant) or {date = ..., hour = ...} "
        "(occurred_at)"
    )


def _local_times(text: pl.Expr, formats: Sequence[str], timezone: str) -> pl.Expr:
    """Date-times in the first of `formats` that fits, as naive local wall-clock times.

    A format with an offset (`%z`, `%#z`, `%:z`) reads an instant, which is moved to `timezone`,
    so the rest of the mapping reads one kind of time whichever format matched.
    """
    parsed = []
    for fmt in formats:
        stamp = text.str.strptime(pl.Datetime("us"), fmt, strict=False)
        if _ZONED.search(fmt):
            stamp = stamp.dt.convert_time_zone(timezone).dt.replace_time_zone(None)
        parsed.append(stamp)
    return pl.coalesce(parsed)


class MappedFormat:
    """A force export read through a `Mapping`, as a pipeline `Format`."""

    def __init__(self, mapping: Mapping) -> None:
        self.mapping = mapping
        self.name = f"mapping:{Path(mapping.path).name}"
        self.patterns = mapping.files
        self.keep: Keep = mapping.keep
        self.store_crs: str | None = None
        self.timezone = mapping.timezone
        self.forces: Sequence[str] | None = (mapping.force,)

    def _file_frame(self, index: int, raw: RawTable, label: str) -> pl.LazyFrame:
        """The mapped fields of one file under fixed names (`_f:<field>`), trimmed."""
        m = self.mapping
        by_key = {normalise_header(h): h for h in raw.frame.columns if h != ROW}
        missing: list[str] = []
        exprs = []
        for field_name, spec in m.columns.items():
            names = [by_key.get(normalise_header(col)) for col in spec.columns]
            missing += [
                f"{col!r} (for {field_name})"
                for col, n in zip(spec.columns, names, strict=True)
                if n is None
            ]
            present = [n for n in names if n is not None]
            if spec.value is not None:
                expr = pl.lit(spec.value, dtype=pl.String)
            elif spec.hour and len(present) == 2:
                expr = raw.text(present[0])
                exprs.append(raw.text(present[1]).alias("_f:_hour"))
            elif spec.hashed and present:
                # The hash's message (hashed in `parse`): the values, trimmed, null as empty,
                # joined by U+001F; null when every one is empty (no id).
                values = [raw.text(n) for n in present]
                key = pl.concat_str([v.fill_null("") for v in values], separator="\x1f")
                expr = pl.when(pl.all_horizontal(v.is_null() for v in values)).then(None)
                expr = expr.otherwise(key)
            elif len(present) == 1:
                expr = raw.text(present[0])
            elif present:
                joined = pl.concat_str(
                    [raw.text(n).fill_null("") for n in present], separator=spec.sep
                ).str.strip_chars()
                joined = joined.str.replace_all(r"\s+", " ")
                expr = pl.when(joined == "").then(None).otherwise(joined)
            else:
                expr = pl.lit(None, dtype=pl.String)
            exprs.append(expr.alias(f"_f:{field_name}"))
        if missing:
            raise UnknownLayoutError(
                raw.source,
                f"no column {', '.join(missing)} as {m.path} expects "
                f"(header: {', '.join(raw.header)})",
            )
        raw_columns = [col for col in raw.frame.columns if col != ROW]
        blank = pl.all_horizontal(raw.text(col).is_null() for col in raw_columns)
        return raw.frame.lazy().select(
            *exprs, blank.alias("_blank"), *file_columns(index, raw, label)
        )

    def parse(
        self, raws: Sequence[RawTable], labels: Sequence[str], stored: pl.DataFrame | None = None
    ) -> Parsed:
        """The row rules (`check`), then the cross-file rules over every file at once
        (`resolve`): the whole-input path, where all rows are held together."""
        checked = self.check(raws, labels)
        rows = checked.accepted
        resolution = self.resolve(rows.select(RESOLUTION_COLUMNS), stored, dict(enumerate(labels)))
        kept, moved = resolution.apply(rows)
        return Parsed(
            kept,
            pl.concat([checked.quarantine, moved]).sort(FILE, "row"),
            [],
            checked.force_names,
            withdrawn=resolution.withdrawn,
            renet=resolution.renet,
        )

    def check(
        self, raws: Sequence[RawTable], labels: Sequence[str], stored: pl.DataFrame | None = None
    ) -> Parsed:
        """The rules that judge each row alone: `accepted` holds every record that passes them,
        reversal rows and re-issues included, with `_count`, `_order` and the row number that
        `resolve` reads; `quarantine`, the rows that fail. A streaming ingest runs this batch by
        batch and `resolve` once over the small columns of all batches. (`stored` is unused:
        the row rules never need the store.)"""
        m = self.mapping
        frame = pl.concat(
            [
                self._file_frame(i, raw, label)
                for i, (raw, label) in enumerate(zip(raws, labels, strict=True))
            ],
            how="vertical",
        ).collect()
        if m.columns["incident_id"].hashed:
            ids = digests(frame["_f:incident_id"], DERIVED_ID_PREFIX)
            frame = frame.with_columns(ids.alias("_f:incident_id"))

        def f(name: str) -> pl.Expr:
            return pl.col(f"_f:{name}") if name in m.columns else pl.lit(None, dtype=pl.String)

        stamp = m.columns["occurred_at"]
        day = _local_times(f("occurred_at"), m.datetime_formats, m.timezone)
        if stamp.hour:
            # The date column names a day by an instant at its start: the local midnight (often
            # written in UTC, "2014/03/02 05:00:00+00" in New York) or the UTC midnight of the
            # local day. Either way the day is the one whose local midnight is nearest.
            # (An hour that is missing or not 0 to 23 is quarantined first; see `_hour_checks`.)
            hour = pl.col("_f:_hour").cast(pl.Int64, strict=False)
            local = (day + pl.duration(hours=12)).dt.truncate("1d") + pl.duration(hours=hour)
            stamp_text = pl.format("{} hour {}", quoted(f("occurred_at")), pl.col("_f:_hour"))
        else:
            local = day
            stamp_text = quoted(f("occurred_at"))
        xy = ("x", "y") if "x" in m.columns else ("lon", "lat")
        parsed, number_problems = number_checks(
            {
                "_sx": (f"_f:{xy[0]}", m.columns[xy[0]].columns[0]),
                "_sy": (f"_f:{xy[1]}", m.columns[xy[1]].columns[0]),
            }
        )
        count = f("count").cast(pl.Int64, strict=False) if "count" in m.columns else pl.lit(1)
        frame = frame.with_columns(
            *parsed, day.alias("_day"), local.alias("_local"), count.alias("_count")
        ).with_columns(
            _utc=pl.col("_local")
            .dt.replace_time_zone(m.timezone, ambiguous="earliest", non_existent="null")
            .dt.convert_time_zone("UTC")
        )
        if m.missing_xy is not None:
            nx, ny = m.missing_xy
            none = (pl.col("_sx") == nx) & (pl.col("_sy") == ny)
            frame = frame.with_columns(
                _sx=pl.when(none).then(None).otherwise(pl.col("_sx")),
                _sy=pl.when(none).then(None).otherwise(pl.col("_sy")),
            )
        if m.coordinate_crs == WGS84:
            frame = frame.with_columns(lon=pl.col("_sx"), lat=pl.col("_sy"))
        else:
            frame = transform_columns(
                frame, ("_sx", "_sy"), ("lon", "lat"), m.coordinate_crs, WGS84
            )
        frame, code_checks = self._categories(frame)
        fields = f"{m.columns[xy[0]].columns[0]}/{m.columns[xy[1]].columns[0]}"
        stamp_field = stamp.columns[0]
        checks: list[Check] = [
            Check(pl.col("_blank"), "blank_row", None, pl.lit("every field is empty")),
            Check(
                f("incident_id").is_null(),
                "missing_incident_id",
                m.columns["incident_id"].field,
                pl.lit("no incident id"),
            ),
            Check(
                f("occurred_at").is_null(), "missing_datetime", stamp_field, pl.lit("no date-time")
            ),
            Check(
                pl.col("_day").is_null(),
                "bad_datetime",
                stamp_field,
                pl.format(
                    "{} matches none of the formats {}",
                    quoted(f("occurred_at")),
                    pl.lit(", ".join(m.datetime_formats)),
                ),
            ),
            *(self._hour_checks() if stamp.hour else []),
            Check(
                pl.col("_utc").is_null(),
                "bad_datetime",
                stamp_field,
                pl.format(
                    "{} does not exist in {} (clocks went forward)",
                    stamp_text,
                    pl.lit(m.timezone),
                ),
            ),
            *code_checks,
            Check(
                pl.col("_category").is_null(), "missing_category", "category", pl.lit("no category")
            ),
            *(
                [
                    Check(
                        pl.col("_count").is_null(),
                        "bad_count",
                        m.columns["count"].columns[0],
                        pl.lit("count is not a whole number"),
                    )
                ]
                if "count" in m.columns
                else []
            ),
            *number_problems,
            Check(
                pl.col("_sx").is_nan()
                | pl.col("_sy").is_nan()
                | pl.col("_sx").is_infinite()
                | pl.col("_sy").is_infinite(),
                "bad_coordinate",
                fields,
                pl.format("not a finite number: ({}, {})", pl.col("_sx"), pl.col("_sy")),
            ),
            half_missing_check("_sx", "_sy", fields),
            *coordinate_checks(
                "lon",
                "lat",
                area_of_use(m.coordinate_crs),
                f"the area of {m.coordinate_crs}",
                fields,
            ),
        ]
        accepted, rejected = split(frame, checks)
        local_month = pl.col("_utc").dt.convert_time_zone(m.timezone).dt.truncate("1mo").dt.date()
        rows = accepted.select(
            f("incident_id").alias("incident_id"),
            pl.lit(m.force).alias("force"),
            local_month.alias("month"),
            pl.col("_utc").cast(INCIDENT_SCHEMA["occurred_at"]).alias("occurred_at"),
            pl.col("lon"),
            pl.col("lat"),
            pl.lit(None, dtype=pl.Float64).alias("x"),
            pl.lit(None, dtype=pl.Float64).alias("y"),
            pl.col("_category").alias("category"),
            f("subcategory").alias("subcategory"),
            f("location").alias("location"),
            f("lsoa_code").alias("lsoa_code"),
            f("outcome").alias("outcome"),
            pl.format("{}:{}", pl.col(SOURCE), pl.col(ROW)).alias("source"),
            pl.col("_count"),
            f("order").alias("_order"),
            pl.col(ROW),
            pl.col(FILE),
        )
        return Parsed(rows, quarantine_rows(rejected, raws), [], {m.force: m.name})

    def _hour_checks(self) -> list[Check]:
        """A date-and-hour stamp's hour: given, and a whole number from 0 to 23."""
        field_name = self.mapping.columns["occurred_at"].columns[1]
        hour = pl.col("_f:_hour")
        whole = hour.cast(pl.Int64, strict=False)
        return [
            Check(hour.is_null(), "missing_datetime", field_name, pl.lit("no hour")),
            Check(
                ~whole.is_between(0, 23).fill_null(False),
                "bad_datetime",
                field_name,
                pl.format("{} is not an hour from 0 to 23", quoted(hour)),
            ),
        ]

    def _categories(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, list[Check]]:
        """The category: a name looked up from a numeric code, or the category column as is."""
        m = self.mapping
        if "category_code" not in m.columns or not m.code_divisor:
            source = "category" if "category" in m.columns else "category_code"
            return frame.with_columns(_category=pl.col(f"_f:{source}")), []
        code = pl.col("_f:category_code")
        frame = frame.with_columns(_codeint=code.cast(pl.Int64, strict=False))
        group = pl.col("_codeint") // m.code_divisor
        names = pl.DataFrame(
            {"_g": list(m.category_names), "_name": list(m.category_names.values())},
            schema={"_g": pl.Int64, "_name": pl.String},
        )
        frame = frame.with_columns(_g=group).join(names, on="_g", how="left", maintain_order="left")
        frame = frame.with_columns(
            _category=pl.coalesce(pl.col("_name"), pl.format("UCR group {}", group))
        ).drop("_name", "_g")
        check = Check(
            code.is_not_null() & pl.col("_codeint").is_null(),
            "bad_category_code",
            m.columns["category_code"].columns[0],
            pl.format("{} is not a numeric offence code", quoted(code)),
        )
        return frame, [check]

    def resolve(
        self, rows: pl.DataFrame, stored: pl.DataFrame | None, labels: MappingType[int, str]
    ) -> Resolution:
        """Reversals and re-issued records, across all files of the ingest and the store.

        Records are taken in order: the mapping's `order` column, then file and row. Each record
        adds its count to the incident's net count, starting from the stored net (see
        `schema.NET`; 0 when not stored), and a reversal can only take back what came before
        it: the net never goes below zero, so a reversal of a record older than the data
        cancels nothing. Because the running net is all a later month needs, ingesting months
        one at a time ends as one ingest of them all. Reversal rows are not incidents; an
        incident whose net ends at zero was withdrawn, in this batch or from the store;
        otherwise the last (or first) record of its id is the one kept, with the new net.

        Only `RESOLUTION_COLUMNS` are read (tens of bytes a row, not the whole record), so a
        streaming ingest can hold them for its whole input; the outcome names rows by file and
        row (`_file` numbers the files in input order; `labels` gives each one's label, for the
        details that point at the record kept), with the `month` of each when `rows` has it.
        """
        m = self.mapping
        carry = [c for c in rows.columns if c in _CARRIED]
        key = ["force", "incident_id"]
        # Each incident's records together, in order: then every rule below is a running sum
        # or minimum along the rows, reset where an incident starts, vectorised over all rows
        # at once (a window per incident, `over`, took twenty times as long at a million rows).
        rows = rows.select(*RESOLUTION_COLUMNS, *carry).sort(
            [*key, "_order", FILE, ROW], nulls_last=False
        )
        held = (
            stored.select(*key, pl.col(NET).alias("_held"))
            if stored is not None
            else pl.DataFrame(
                schema={"force": pl.String, "incident_id": pl.String, "_held": pl.Int32}
            )
        )
        first = pl.any_horizontal(pl.col(k) != pl.col(k).shift(1) for k in key).fill_null(True)
        rows = rows.with_columns(
            _first=first,
            _last=first.shift(-1, fill_value=True),
            _rev=(
                pl.col("_count") == m.reversal_value
                if m.reversal_value is not None
                else pl.lit(False)
            ),
        ).join(held, on=key, how="left", maintain_order="left")
        rows = running_nets(rows.with_columns(pl.col("_held").fill_null(0).alias("_from")))
        # A reversal that found nothing to take back (its record is older than the data) leaves
        # the running net where it was.
        before = pl.when(pl.col("_first")).then(pl.col("_from")).otherwise(pl.col("_now").shift(1))
        rows = rows.with_columns(_unmatched=pl.col("_rev") & (pl.col("_now") == before)).select(
            *key, "_count", FILE, ROW, *carry, "_rev", "_held", "_net", "_id", "_unmatched"
        )  # only what the rules below read: the frames they filter are copies
        # One chunk: on the May 2017 St. Louis file, polars 2.1 panicked (a string-view index
        # assertion) building the detail below from these rows while `_unmatched` had two.
        reversals = rows.filter(pl.col("_rev")).rechunk()
        records = rows.filter(~pl.col("_rev"))
        pick = (
            pl.col("_id").is_last_distinct()
            if m.keep == "last"
            else pl.col("_id").is_first_distinct()
        )
        records = records.with_columns(_pick=pick)
        winners = records.filter(pl.col("_pick") & (pl.col("_net") > 0))
        names = pl.DataFrame(
            {FILE: list(labels), "_label": list(labels.values())},
            schema={FILE: pl.UInt32, "_label": pl.String},
        )
        winner_at = winners.join(names, on=FILE, how="left").select(
            *key, pl.format("{}:{}", pl.col("_label"), pl.col(ROW)).alias("_winner")
        )
        moved = pl.concat(
            [
                _moved(
                    reversals,
                    "reversal_row",
                    pl.format(
                        "count {} reverses an earlier record of {}{}",
                        pl.col("_count"),
                        pl.col("incident_id"),
                        pl.when(pl.col("_unmatched"))
                        .then(pl.lit(" that is not in the data"))
                        .otherwise(pl.lit("")),
                    ),
                ),
                _moved(
                    records.filter(pl.col("_net") <= 0),
                    "reversed",
                    pl.format(
                        "the records of {} net to {} after reversals",
                        pl.col("incident_id"),
                        pl.col("_net"),
                    ),
                ),
                _moved(
                    records.filter(~pl.col("_pick") & (pl.col("_net") > 0)).join(winner_at, on=key),
                    "superseded" if m.keep == "last" else "duplicate_incident_id",
                    pl.format(
                        "replaced by the later record at {}"
                        if m.keep == "last"
                        else "incident id first seen at {}",
                        pl.col("_winner"),
                    ),
                ),
            ]
        )
        kept = winners.select(*key, FILE, ROW, *carry, pl.col("_net").cast(pl.Int32).alias(NET))
        # Stored incidents this batch touches: withdrawn at a net of zero; else, where the stored
        # record stays the one kept (no record here, or the first wins), a new net count.
        touched = rows.filter(pl.col("_held").is_not_null()).unique(key, keep="last")
        withdrawn = touched.filter(pl.col("_net") <= 0).select(
            *key,
            pl.format(
                "a later reversal nets the records of {} to {}",
                pl.col("incident_id"),
                pl.col("_net"),
            ).alias("detail"),
        )
        stays = touched.filter((pl.col("_net") > 0) & (pl.col("_net") != pl.col("_held")))
        if m.keep == "last":
            stays = stays.join(records.select(key).unique(), on=key, how="anti")
        renet = stays.select(*key, pl.col("_net").cast(pl.Int32).alias(NET))
        return Resolution(kept, moved, withdrawn, renet)


def running_nets(rows: pl.DataFrame) -> pl.DataFrame:
    """The running net count of each incident's records, and where it ends.

    `rows` are sorted by incident (`_first`, `_last` mark where each starts and ends), each with
    its `_count` and the net it starts `_from`. The running net floored at zero is the running
    sum less its lowest point below zero (the Lindley recursion, vectorised): s_i = S_i -
    min(0, min_{j<=i} S_j). S is the running sum of the whole column less its value before the
    incident's first row; the minimum resets at each incident because every incident's sums are
    moved below all earlier ones' (by its number `_id` times `span`, more than twice any sum's
    size): a running minimum of the whole column then never reaches back past an incident's
    start. Adds `_id`, `_sum`, `_now` (the running net) and `_net` (the incident's last).
    """
    bound = rows.select(pl.col("_count").abs().sum() + pl.col("_from").abs().max().fill_null(0))
    span = 2 * (int(bound.item() or 0) + 1)
    total = pl.col("_count").cum_sum()
    before = pl.when(pl.col("_first")).then(total - pl.col("_count")).forward_fill()
    shift = pl.col("_id") * span
    return (
        rows.with_columns(_id=pl.col("_first").cast(pl.Int64).cum_sum())
        .with_columns(_sum=total - before + pl.col("_from"))
        .with_columns(_low=pl.min_horizontal((pl.col("_sum") - shift).cum_min() + shift, 0))
        .with_columns(_now=pl.col("_sum") - pl.col("_low"))
        .with_columns(_net=pl.when(pl.col("_last")).then(pl.col("_now")).backward_fill())
    )


def _moved(rows: pl.DataFrame, reason: str, detail: pl.Expr) -> pl.DataFrame:
    """Which rows go to the quarantine and why, by file and row (`Resolution.moved`)."""
    carry = [c for c in rows.columns if c in _CARRIED]
    return rows.select(
        FILE,
        ROW,
        "force",
        *carry,
        pl.lit(reason, dtype=pl.String).alias("_reason"),
        detail.alias("_detail"),
    )


@dataclass(frozen=True)
class Resolution:
    """`MappedFormat.resolve`'s outcome, rows named by `_file` and `_row` (see `Parsed` for
    `withdrawn` and `renet`)."""

    # The records kept: force, incident_id, _file, _row (month) and the incident's net count.
    kept: pl.DataFrame
    # The records moved to the quarantine: _file, _row, force, (month), _reason, _detail.
    moved: pl.DataFrame
    withdrawn: pl.DataFrame
    renet: pl.DataFrame

    def apply(self, rows: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """`rows` (`check`'s accepted rows, all or some of them) as the resolution decides:
        the records kept, with their net count, in file and row order; and the records moved,
        in quarantine form. Rows it does not name are in neither (a streaming ingest applies it
        batch by batch)."""
        at = [FILE, ROW]
        kept = (
            rows.join(self.kept.select(*at, NET), on=at, how="inner", maintain_order="left")
            .sort(at)
            .select(*INCIDENT_SCHEMA.names(), NET, FILE)
        )
        moved = as_quarantine(
            rows.join(
                self.moved.select(*at, "_reason", "_detail"),
                on=at,
                how="inner",
                maintain_order="left",
            ),
            pl.col("_reason"),
            pl.col("_detail"),
        )
        return kept, moved
