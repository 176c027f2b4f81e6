"""Row checks shared by every format: each bad row gets the first reason that applies.

A check is a boolean polars expression that is true for bad rows, with a reason code, the field at
fault and a detail expression quoting the value. `split` applies them in order and returns accepted
rows and quarantine rows (with the raw values as JSON), so no row can be in both or in neither.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from streetlight.geo.crs import Bounds
from streetlight.ingest.csvread import ROW_COLUMN, RawTable
from streetlight.store.schema import INCIDENT_SCHEMA, QUARANTINE_SCHEMA


@dataclass(frozen=True)
class Check:
    """Rows where `bad` is true are quarantined with `reason` (unless an earlier check caught them)."""

    bad: pl.Expr
    reason: str
    field: str | None
    detail: pl.Expr


def text(name: str) -> pl.Expr:
    """A text column trimmed, with empty strings as null."""
    col = pl.col(name).str.strip_chars()
    return pl.when(col == "").then(None).otherwise(col)


def quoted(expr: pl.Expr) -> pl.Expr:
    return pl.lit("'") + expr.fill_null("") + pl.lit("'")


def split(
    frame: pl.DataFrame, checks: Sequence[Check], raw_columns: Sequence[str], source: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(accepted rows without the helper columns, quarantine rows in QUARANTINE_SCHEMA order)."""
    # One cheap pass picks the first failing check per row; details are built for bad rows only.
    which: pl.Expr = pl.lit(None, dtype=pl.Int32)
    for i in reversed(range(len(checks))):
        which = pl.when(checks[i].bad.fill_null(False)).then(pl.lit(i, pl.Int32)).otherwise(which)
    tagged = frame.with_columns(_check=which)
    accepted = tagged.filter(pl.col("_check").is_null()).drop("_check")
    rejected = tagged.filter(pl.col("_check").is_not_null())
    reason: pl.Expr = pl.lit(None, dtype=pl.String)
    field: pl.Expr = pl.lit(None, dtype=pl.String)
    detail: pl.Expr = pl.lit(None, dtype=pl.String)
    if rejected.height:
        for i, check in enumerate(checks):
            hit = pl.col("_check") == i
            reason = pl.when(hit).then(pl.lit(check.reason)).otherwise(reason)
            field = pl.when(hit).then(pl.lit(check.field, dtype=pl.String)).otherwise(field)
            detail = pl.when(hit).then(check.detail).otherwise(detail)
    rejected = rejected.with_columns(_reason=reason, _field=field, _detail=detail)
    quarantine = rejected.select(
        pl.lit("", dtype=pl.String).alias("ingest_id"),
        pl.lit(source).alias("source"),
        pl.col(ROW_COLUMN).alias("row"),
        pl.col("_reason").alias("reason"),
        pl.col("_field").alias("field"),
        pl.col("_detail").alias("detail"),
        raw_json(raw_columns).alias("raw"),
    )
    return accepted, quarantine


def raw_json(columns: Sequence[str]) -> pl.Expr:
    """The row's original values as a JSON object (header -> text)."""
    return pl.struct([pl.col(c) for c in columns]).struct.json_encode()


def unsplittable_rows(raw: RawTable) -> pl.DataFrame:
    """Quarantine rows for lines that could not be split into the header's fields."""
    rows = raw.unsplittable
    return pl.DataFrame(
        {
            "ingest_id": [""] * len(rows),
            "source": [raw.source] * len(rows),
            "row": [r for r, _, _ in rows],
            "reason": [
                "blank_line" if d == "blank line" else "wrong_field_count" for _, d, _ in rows
            ],
            "field": [None] * len(rows),
            "detail": [d for _, d, _ in rows],
            "raw": [t for _, _, t in rows],
        },
        schema=QUARANTINE_SCHEMA,
    )


def blank_row_check(columns: Sequence[str]) -> Check:
    return Check(
        pl.all_horizontal([pl.col(c).str.strip_chars() == "" for c in columns]),
        "blank_row",
        None,
        pl.lit("every field is empty"),
    )


def coordinate_checks(
    lon: str, lat: str, area: Bounds, area_name: str, lon_field: str, lat_field: str
) -> list[Check]:
    """Checks on parsed WGS84 columns `lon`/`lat` (null where the source has no location).

    Swapped pairs are named as such (rather than fixed) so that a wrongly built export is noticed.
    """
    x, y = pl.col(lon), pl.col(lat)
    fields = f"{lon_field}/{lat_field}"
    pair = pl.format("({}, {})", x, y)
    in_area = (x >= area.west) & (x <= area.east) & (y >= area.south) & (y <= area.north)
    swapped_in_area = (y >= area.west) & (y <= area.east) & (x >= area.south) & (x <= area.north)
    out_of_range = (y.abs() > 90) | (x.abs() > 180)
    return [
        Check(
            (x.is_nan() | y.is_nan() | x.is_infinite() | y.is_infinite()),
            "bad_coordinate",
            fields,
            pl.format("not a finite number: {}", pair),
        ),
        Check(
            ~in_area & swapped_in_area,
            "coordinates_swapped",
            fields,
            pl.format(
                "{} lies in {} only with longitude and latitude swapped", pair, pl.lit(area_name)
            ),
        ),
        Check(
            out_of_range,
            "coordinates_out_of_range",
            fields,
            pl.format("{} is not a valid lon/lat", pair),
        ),
        Check(
            ~in_area,
            "outside_crs_area",
            fields,
            pl.format("{} is outside {}", pair, pl.lit(area_name)),
        ),
    ]


def number_checks(columns: dict[str, str]) -> tuple[list[pl.Expr], list[Check]]:
    """Parse text columns as floats: (parsed expressions, checks for text that is not a number).

    `columns` maps the output name to the source column. A missing value parses to null, which is
    fine; text that is present but not a number is a `bad_coordinate`.
    """
    exprs, checks = [], []
    for out, src in columns.items():
        raw = text(src)
        parsed = raw.cast(pl.Float64, strict=False)
        exprs.append(parsed.alias(out))
        checks.append(
            Check(
                raw.is_not_null() & parsed.is_null(),
                "bad_coordinate",
                src,
                pl.format("{} is not a number", quoted(raw)),
            )
        )
    return exprs, checks


def half_missing_check(a: str, b: str, a_field: str, b_field: str) -> Check:
    return Check(
        pl.col(a).is_null() != pl.col(b).is_null(),
        "missing_coordinate",
        f"{a_field}/{b_field}",
        pl.lit("one coordinate is given without the other"),
    )


def row_hashes(frame: pl.DataFrame, columns: Sequence[str], prefix: str) -> pl.Series:
    """Stable ids for rows that have none: a hash of their content and their occurrence number.

    Identical rows (two anti-social behaviour reports at one snap point in one month) are real,
    separate events, so the k-th copy hashes with k. Stable across runs, machines and versions
    (BLAKE2b of the text, not a process-seeded hash).
    """
    key = pl.concat_str([pl.col(c).fill_null("") for c in columns], separator="\x1f")
    keyed = frame.select(key.alias("k")).with_columns(
        n=pl.col("k").cum_count().over("k").cast(pl.String)
    )
    values = [
        prefix + hashlib.blake2b(f"{k}\x1e{n}".encode(), digest_size=16).hexdigest()
        for k, n in keyed.iter_rows()
    ]
    return pl.Series(values, dtype=pl.String)


def as_quarantine(rows: pl.DataFrame, reason: str, detail: pl.Expr) -> pl.DataFrame:
    """Rows already in the canonical schema moved to quarantine (raw = the parsed row as JSON).

    Used for rules that judge a row only against others (duplicates, reversals, superseded
    records). The `_file` index, when present, is carried along.
    """
    helpers = [c for c in ("_file",) if c in rows.columns]
    return rows.select(
        pl.lit("").alias("ingest_id"),
        pl.col("source").str.replace(r":\d+$", "").alias("source"),
        pl.col("source").str.extract(r":(\d+)$").cast(pl.Int64).alias("row"),
        pl.lit(reason).alias("reason"),
        pl.lit("incident_id").alias("field"),
        detail.alias("detail"),
        pl.struct(INCIDENT_SCHEMA.names()).struct.json_encode().alias("raw"),
        *helpers,
    )
