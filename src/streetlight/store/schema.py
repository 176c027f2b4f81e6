"""The canonical incident and quarantine schemas, defined once for the whole package.

Every reader and writer goes through these, so a column can never drift between ingest, the store
and the estimators that read it.
"""

from __future__ import annotations

import polars as pl

INCIDENT_SCHEMA: pl.Schema = pl.Schema(
    {
        # data.police.uk Crime ID, the force's own reference, or a stable hash of the source row.
        "incident_id": pl.String(),
        # Force slug, e.g. "cleveland", "city-of-london", "st-louis".
        "force": pl.String(),
        # First day of the month the incident is counted in.
        "month": pl.Date(),
        # Exact time of occurrence (UTC); null when the source gives only a month.
        "occurred_at": pl.Datetime("us", "UTC"),
        # WGS84 degrees; null when the source has no location for the row.
        "lon": pl.Float64(),
        "lat": pl.Float64(),
        # Metres in the force's projected CRS (see the store metadata).
        "x": pl.Float64(),
        "y": pl.Float64(),
        # The source's crime type (data.police.uk "Crime type"; a force's offence group).
        "category": pl.String(),
        # The source's finer offence description where it has one (null for data.police.uk).
        "subcategory": pl.String(),
        # Where, as the source says it ("On or near Nightclub", a street address).
        "location": pl.String(),
        "lsoa_code": pl.String(),
        "outcome": pl.String(),
        # Source file and row number ("file.zip!2024-01/2024-01-cleveland-street.csv:17").
        "source": pl.String(),
    }
)

# Kept in the store's files beside the canonical columns, not returned by `incidents()`: how many
# live records of the incident its source has counted (records less reversals; null means 1).
# A force export's later reversal or re-issue is resolved against it, so ingesting months one
# at a time ends as one ingest of them all would.
NET = "_net"
STORED_SCHEMA: pl.Schema = pl.Schema({**INCIDENT_SCHEMA, NET: pl.Int32()})

QUARANTINE_SCHEMA: pl.Schema = pl.Schema(
    {
        "ingest_id": pl.String(),
        # Source file (and zip member) the row came from.
        "source": pl.String(),
        # CSV record number, the header being row 1 (the line number when no field spans lines).
        "row": pl.Int64(),
        # Machine-readable reason code, e.g. "bad_month", "coordinates_swapped".
        "reason": pl.String(),
        # The field at fault, when one field is.
        "field": pl.String(),
        # Human-readable explanation naming the value.
        "detail": pl.String(),
        # The row as read: a JSON object of header -> value, or the raw line when it could not be split.
        "raw": pl.String(),
    }
)


def empty_incidents() -> pl.DataFrame:
    """A zero-row frame in the canonical schema."""
    return pl.DataFrame(schema=INCIDENT_SCHEMA)


def empty_quarantine() -> pl.DataFrame:
    """A zero-row frame in the quarantine schema."""
    return pl.DataFrame(schema=QUARANTINE_SCHEMA)
