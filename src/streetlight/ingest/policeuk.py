"""data.police.uk street-level crime files (the standard 12 columns).

Rules: the month must be `YYYY-MM`; the crime type must be present; a row may have no location
(both coordinates empty) but not half of one; coordinates must lie in Great Britain. Anti-social
behaviour has no Crime ID, so those rows get a stable content hash as their id.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePosixPath

import polars as pl

from streetlight.errors import UnknownLayoutError
from streetlight.geo.crs import BRITISH_NATIONAL_GRID, area_of_use
from streetlight.ingest.adapter import Keep
from streetlight.ingest.checks import (
    FILE,
    ROW,
    SOURCE,
    Check,
    coordinate_checks,
    file_columns,
    half_missing_check,
    number_checks,
    quarantine_rows,
    quoted,
    row_hashes,
    split,
)
from streetlight.ingest.csvread import RawTable
from streetlight.ingest.formats import Parsed, normalise_header, slugify
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
# Content that identifies a row without a Crime ID (with the force and its occurrence number).
_HASHED = (
    "Month",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "Crime type",
    "Last outcome category",
    "Context",
)


def header_map(header: list[str]) -> dict[str, str]:
    """Standard column name -> the file's spelling of it, for the standard columns present."""
    found: dict[str, str] = {}
    for name in header:
        std = _BY_KEY.get(normalise_header(name))
        if std is not None and std not in found:
            found[std] = name
    return found


def c(std: str) -> pl.Expr:
    """A standard column, trimmed, in the batch frame."""
    return pl.col(f"_c:{std}")


def _file_frame(index: int, raw: RawTable, label: str) -> tuple[pl.LazyFrame, list[str]]:
    found = header_map(raw.header)
    missing = [col for col in REQUIRED if col not in found]
    if missing:
        raise UnknownLayoutError(
            raw.source,
            "not a data.police.uk street file: missing column(s) "
            + ", ".join(repr(col) for col in missing)
            + f" (header: {', '.join(raw.header)})",
        )
    notes = []
    extra = [h for h in raw.header if h not in found.values()]
    if extra:
        notes.append(f"extra column(s) ignored: {', '.join(extra)}")
    match = _FILE_NAME.match(PurePosixPath(label).name)
    lazy = raw.frame.lazy().select(
        *(
            (raw.text(found[std]) if std in found else pl.lit(None, dtype=pl.String)).alias(
                f"_c:{std}"
            )
            for std in COLUMNS
        ),
        # The file name's force slug, else one made from the force's name in each row.
        (
            pl.lit(match["force"].lower(), dtype=pl.String)
            if match
            else slugify(
                pl.coalesce(
                    [raw.text(found[n]) for n in ("Falls within", "Reported by") if n in found]
                )
            )
            if ("Falls within" in found or "Reported by" in found)
            else pl.lit(None, dtype=pl.String)
        ).alias("_force"),
        *file_columns(index, raw, label),
    )
    return lazy, notes


def parse(raws: Sequence[RawTable], labels: Sequence[str]) -> Parsed:
    """Apply data.police.uk rules to a batch of files."""
    lazies, notes = [], []
    for index, (raw, label) in enumerate(zip(raws, labels, strict=True)):
        lazy, file_notes = _file_frame(index, raw, label)
        lazies.append(lazy)
        notes += [(index, n) for n in file_notes]
    # One pass over the whole batch: polars plans and parallelises it as one query.
    frame = pl.concat(lazies).collect()
    parsed, number_problems = number_checks(
        {"lon": ("_c:Longitude", "Longitude"), "lat": ("_c:Latitude", "Latitude")}
    )
    frame = frame.with_columns(*parsed)
    checks: list[Check] = [
        Check(
            pl.all_horizontal(c(std).is_null() for std in COLUMNS),
            "blank_row",
            None,
            pl.lit("every field is empty"),
        ),
        Check(
            ~c("Month").fill_null("").str.contains(_MONTH),
            "bad_month",
            "Month",
            pl.format("{} is not a month in YYYY-MM form", quoted(c("Month"))),
        ),
        Check(c("Crime type").is_null(), "missing_category", "Crime type", pl.lit("no crime type")),
        Check(
            pl.col("_force").fill_null("") == "",
            "unknown_force",
            "Falls within",
            pl.lit("no force named in the file name or the 'Falls within' column"),
        ),
        *number_problems,
        half_missing_check("lon", "lat", "Longitude/Latitude"),
        *coordinate_checks(
            "lon", "lat", area_of_use(BRITISH_NATIONAL_GRID), "Great Britain", "Longitude/Latitude"
        ),
    ]
    accepted, rejected = split(frame, checks)
    ids = accepted["_c:Crime ID"]
    no_id = ids.is_null()
    if no_id.any():
        hashes = row_hashes(accepted.filter(no_id), ["_force", *(f"_c:{h}" for h in _HASHED)], "h:")
        ids = ids.scatter(no_id.arg_true(), hashes)
    result = accepted.select(
        ids.alias("incident_id"),
        pl.col("_force").alias("force"),
        (c("Month") + "-01").str.to_date("%Y-%m-%d").alias("month"),
        pl.lit(None, dtype=INCIDENT_SCHEMA["occurred_at"]).alias("occurred_at"),
        pl.col("lon"),
        pl.col("lat"),
        pl.lit(None, dtype=pl.Float64).alias("x"),
        pl.lit(None, dtype=pl.Float64).alias("y"),
        c("Crime type").alias("category"),
        pl.lit(None, dtype=pl.String).alias("subcategory"),
        c("Location").alias("location"),
        c("LSOA code").alias("lsoa_code"),
        c("Last outcome category").alias("outcome"),
        pl.format("{}:{}", pl.col(SOURCE), pl.col(ROW)).alias("source"),
        pl.col(FILE),
    )
    names = (
        accepted.select("_force", pl.coalesce(c("Falls within"), c("Reported by")).alias("n"))
        .drop_nulls()
        .unique(subset="_force", keep="first", maintain_order=True)
    )
    force_names = {str(f): str(n) for f, n in names.iter_rows()}
    return Parsed(result, quarantine_rows(rejected, raws), notes, force_names)


class PoliceUK:
    """The data.police.uk street-level format as a pipeline `Format`."""

    name = FORMAT
    patterns: tuple[str, ...] = ("*.csv",)
    keep: Keep = "first"
    store_crs: str | None = BRITISH_NATIONAL_GRID
    timezone = "Europe/London"

    def parse(self, raws: Sequence[RawTable], labels: Sequence[str]) -> Parsed:
        return parse(raws, labels)
