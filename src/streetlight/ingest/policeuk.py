"""data.police.uk street-level crime files (the standard 12 columns).

Rules: the month must be `YYYY-MM`; the crime type must be present; a row may have no location
(both coordinates empty) but not half of one; coordinates must lie in Great Britain. Anti-social
behaviour has no Crime ID, so those rows get a stable content hash as their id.
"""

from __future__ import annotations

import re

import polars as pl

from streetlight.errors import UnknownLayoutError
from streetlight.geo.crs import BRITISH_NATIONAL_GRID, area_of_use
from streetlight.ingest.adapter import Keep
from streetlight.ingest.checks import (
    Check,
    blank_row_check,
    coordinate_checks,
    half_missing_check,
    number_checks,
    quoted,
    row_hashes,
    split,
    text,
    unsplittable_rows,
)
from streetlight.ingest.csvread import ROW_COLUMN, RawTable
from streetlight.ingest.formats import FileResult, normalise_header, slugify
from streetlight.store.schema import INCIDENT_SCHEMA

FORMAT = "police-uk"
COLUMNS = (
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
)
REQUIRED = ("Crime ID", "Month", "Longitude", "Latitude", "Location", "Crime type")
_BY_KEY = {normalise_header(c): c for c in COLUMNS}
_FILE_NAME = re.compile(r"^\d{4}-\d{2}-(?P<force>[a-z0-9-]+)-street\.csv$", re.IGNORECASE)
_MONTH = r"^\d{4}-(0[1-9]|1[0-2])$"


def header_map(header: list[str]) -> dict[str, str]:
    """Standard column name -> the file's spelling of it, for the standard columns present."""
    found: dict[str, str] = {}
    for name in header:
        std = _BY_KEY.get(normalise_header(name))
        if std is not None and std not in found:
            found[std] = name
    return found


def looks_like(header: list[str]) -> bool:
    """True when the header has enough data.police.uk columns to be that format."""
    return len(header_map(header)) >= 4


def parse(raw: RawTable, basename: str) -> FileResult:
    """Apply data.police.uk rules to one file's rows."""
    found = header_map(raw.header)
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise UnknownLayoutError(
            raw.source,
            "not a data.police.uk street file: missing column(s) "
            + ", ".join(repr(c) for c in missing)
            + f" (header: {', '.join(raw.header)})",
        )
    notes = list(raw.notes)
    extra = [h for h in raw.header if h not in found.values()]
    if extra:
        notes.append(f"extra column(s) ignored: {', '.join(extra)}")
    raw_columns = [c for c in raw.frame.columns if c != ROW_COLUMN]
    frame = raw.frame
    # Optional standard columns that are absent behave as empty.
    for std in COLUMNS:
        if std not in found:
            frame = frame.with_columns(pl.lit("").alias(f"__{std}"))
            found[std] = f"__{std}"

    def col(std: str) -> pl.Expr:
        return text(found[std])

    file_match = _FILE_NAME.match(basename)
    force_expr = (
        pl.lit(file_match["force"].lower())
        if file_match
        else slugify(pl.coalesce(col("Falls within"), col("Reported by")))
    )
    parsed, number_problems = number_checks({"lon": found["Longitude"], "lat": found["Latitude"]})
    frame = frame.with_columns(
        *parsed,
        _month=col("Month"),
        _category=col("Crime type"),
        _force=force_expr,
    )
    checks: list[Check] = [
        blank_row_check(raw_columns),
        Check(
            ~pl.col("_month").fill_null("").str.contains(_MONTH),
            "bad_month",
            found["Month"],
            pl.format("{} is not a month in YYYY-MM form", quoted(pl.col("_month"))),
        ),
        Check(
            pl.col("_category").is_null(),
            "missing_category",
            found["Crime type"],
            pl.lit("no crime type"),
        ),
        Check(
            pl.col("_force").fill_null("") == "",
            "unknown_force",
            found["Falls within"],
            pl.lit("no force named in the file name or the 'Falls within' column"),
        ),
        *number_problems,
        half_missing_check("lon", "lat", found["Longitude"], found["Latitude"]),
        *coordinate_checks(
            "lon",
            "lat",
            area_of_use(BRITISH_NATIONAL_GRID),
            "Great Britain",
            found["Longitude"],
            found["Latitude"],
        ),
    ]
    accepted, quarantine = split(frame, checks, raw_columns, raw.source)
    quarantine = pl.concat([quarantine, unsplittable_rows(raw)]).sort("row")

    crime_id = text(found["Crime ID"])
    hashed_cols = [
        found[c]
        for c in (
            "Month",
            "Longitude",
            "Latitude",
            "Location",
            "LSOA code",
            "Crime type",
            "Last outcome category",
            "Context",
        )
    ]
    no_id = accepted.select(crime_id.is_null()).to_series()
    ids = accepted.select(crime_id.alias("id")).to_series()
    if no_id.any():
        rows = accepted.filter(no_id)
        hashes = row_hashes(rows.with_columns(pl.col("_force")), ["_force", *hashed_cols], "h:")
        ids = ids.scatter(no_id.arg_true(), hashes)
    result = accepted.select(
        pl.Series("incident_id", ids),
        pl.col("_force").alias("force"),
        (pl.col("_month") + "-01").str.to_date("%Y-%m-%d").alias("month"),
        pl.lit(None, dtype=INCIDENT_SCHEMA["occurred_at"]).alias("occurred_at"),
        pl.col("lon"),
        pl.col("lat"),
        pl.lit(None, dtype=pl.Float64).alias("x"),
        pl.lit(None, dtype=pl.Float64).alias("y"),
        pl.col("_category").alias("category"),
        pl.lit(None, dtype=pl.String).alias("subcategory"),
        col("Location").alias("location"),
        col("LSOA code").alias("lsoa_code"),
        col("Last outcome category").alias("outcome"),
        pl.format("{}:{}", pl.lit(raw.source), pl.col(ROW_COLUMN)).alias("source"),
    )
    names = (
        accepted.select(
            pl.col("_force"), pl.coalesce(col("Falls within"), col("Reported by")).alias("n")
        )
        .drop_nulls()
        .unique(subset="_force", keep="first", maintain_order=True)
    )
    force_names = {str(f): str(n) for f, n in names.iter_rows()}
    return FileResult(raw.source, raw.rows_read, result, quarantine, notes, force_names)


class PoliceUK:
    """The data.police.uk street-level format as a pipeline `Format`."""

    name = FORMAT
    patterns: tuple[str, ...] = ("*.csv",)
    keep: Keep = "first"
    store_crs: str | None = BRITISH_NATIONAL_GRID

    def parse(self, raw: RawTable, basename: str) -> FileResult:
        return parse(raw, basename)

    def resolve(self, results: list[FileResult]) -> list[FileResult]:
        return results
