"""data.police.uk street-level crime files (the standard 12 columns).

Rules: the month must be `YYYY-MM`; the crime type must be present; a row may have no location
(both coordinates empty) but not half of one; coordinates must lie in Great Britain. Anti-social
behaviour has no Crime ID, so those rows get a stable content hash as their id.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import PurePosixPath

import numpy as np
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
    half_missing_check,
    number_checks,
    quarantine_rows,
    quoted,
    row_hashes,
    split,
)
from streetlight.ingest.csvread import RawTable, text
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


@dataclass(frozen=True)
class _FileColumns:
    """One file's standard columns (`_c:<name>`) and `_row`, as read, and what is known of them."""

    frame: pl.DataFrame
    # Standard columns whose values need no trimming, and with no empty value (see `RawTable`).
    trimmed: frozenset[str]
    filled: frozenset[str]
    # The force slug from the file name; None when the rows must name the force.
    force: str | None
    notes: list[str]


def _file_columns(raw: RawTable, label: str) -> _FileColumns:
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
    # The columns themselves, renamed, not a query: no values are copied, and a query per file
    # would cost more than the whole batch's trimming.
    rows = raw.frame.height
    frame = pl.DataFrame(
        [
            (
                raw.frame.get_column(found[std])
                if std in found
                else pl.repeat(None, rows, dtype=pl.String, eager=True)
            ).alias(f"_c:{std}")
            for std in COLUMNS
        ]
        + [raw.frame.get_column(ROW)]
    )
    trimmed = frozenset(std for std in COLUMNS if std not in found or found[std] in raw.trimmed)
    filled = frozenset(std for std in COLUMNS if std in found and found[std] in raw.filled)
    return _FileColumns(frame, trimmed, filled, match["force"].lower() if match else None, notes)


def _batch_frame(
    raws: Sequence[RawTable], labels: Sequence[str]
) -> tuple[pl.DataFrame, list[tuple[int, str]]]:
    """Every file's rows in one frame: the standard columns trimmed, the force and file helpers."""
    files = [_file_columns(raw, label) for raw, label in zip(raws, labels, strict=True)]
    notes = [(index, n) for index, f in enumerate(files) for n in f.notes]
    index = pl.Series(
        FILE,
        np.repeat(np.arange(len(files), dtype=np.uint32), [f.frame.height for f in files]),
        dtype=pl.UInt32,
    )
    # A column is trimmed unless every file proved it needs none; the same for empty values.
    trimmed = frozenset(COLUMNS).intersection(*(f.trimmed for f in files))
    filled = frozenset(COLUMNS).intersection(*(f.filled for f in files))
    frame = pl.concat([f.frame for f in files], how="vertical").with_columns(
        *(text(c(std), trim=std not in trimmed, empty=std not in filled) for std in COLUMNS),
        index,
        pl.Series(list(labels), dtype=pl.String).gather(index).alias(SOURCE),
        pl.Series([f.force for f in files], dtype=pl.String).gather(index).alias("_force"),
    )
    if any(f.force is None for f in files):  # else made from the force's name in each row
        frame = frame.with_columns(
            pl.coalesce(pl.col("_force"), slugify(pl.coalesce(c("Falls within"), c("Reported by"))))
        )
    return frame, notes


def parse(raws: Sequence[RawTable], labels: Sequence[str]) -> Parsed:
    """Apply data.police.uk rules to a batch of files."""
    frame, notes = _batch_frame(raws, labels)
    parsed, number_problems = number_checks(
        {"lon": ("_c:Longitude", "Longitude"), "lat": ("_c:Latitude", "Latitude")},
        parsed_in_frame=True,
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
    with ThreadPoolExecutor(max_workers=1) as pool:
        # Hashing is Python-bound; the rest of the result is built meanwhile (polars, no GIL).
        hashed = ["_force", *(f"_c:{h}" for h in _HASHED)]
        hashing = (
            pool.submit(row_hashes, accepted.select(hashed).filter(no_id), hashed, "h:")
            if no_id.any()
            else None
        )
        result, force_names, quarantine = _result(accepted, rejected, raws)
        if hashing is not None:
            ids = ids.scatter(no_id.arg_true(), hashing.result())
    return Parsed(result.insert_column(0, ids.alias("incident_id")), quarantine, notes, force_names)


def _result(
    accepted: pl.DataFrame, rejected: pl.DataFrame, raws: Sequence[RawTable]
) -> tuple[pl.DataFrame, dict[str, str], pl.DataFrame]:
    """Accepted rows in the canonical schema but for `incident_id`; force names; quarantine."""
    result = accepted.select(
        pl.col("_force").alias("force"),
        c("Month").str.to_date("%Y-%m").alias("month"),  # the 1st; checked to be YYYY-MM
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
    return result, force_names, quarantine_rows(rejected, raws)


class PoliceUK:
    """The data.police.uk street-level format as a pipeline `Format`."""

    name = FORMAT
    patterns: tuple[str, ...] = ("*.csv",)
    keep: Keep = "first"
    store_crs: str | None = BRITISH_NATIONAL_GRID
    timezone = "Europe/London"
    forces: Sequence[str] | None = None  # named by each file

    def parse(
        self, raws: Sequence[RawTable], labels: Sequence[str], stored: pl.DataFrame | None = None
    ) -> Parsed:
        return parse(raws, labels)
