"""Row checks shared by every format: each bad row gets the first reason that applies.

A check is a boolean polars expression that is true for bad rows, with a reason code, the field at
fault and a detail expression quoting the value. `split` applies them in order to a whole batch of
files at once and returns accepted and rejected rows, so no row can be in both or in neither;
`quarantine_rows` then attaches each rejected row's raw values from its own file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from streetlight.geo.crs import Bounds
from streetlight.ingest.csvread import ROW_COLUMN, RawTable
from streetlight.store.schema import INCIDENT_SCHEMA, QUARANTINE_SCHEMA

# Helper columns every format's batch frame carries: which file (index) and which row.
FILE = "_file"
ROW = ROW_COLUMN
SOURCE = "_source"


@dataclass(frozen=True)
class Check:
    """Rows where `bad` is true are quarantined with `reason` (unless an earlier check caught them)."""

    bad: pl.Expr
    reason: str
    field: str | None
    detail: pl.Expr


def quoted(expr: pl.Expr) -> pl.Expr:
    return pl.lit("'") + expr.fill_null("") + pl.lit("'")


def file_columns(index: int, raw: RawTable, label: str) -> list[pl.Expr]:
    """The helper columns that tie a batch row to its file and row."""
    return [
        pl.col(ROW),
        pl.lit(index, dtype=pl.UInt32).alias(FILE),
        pl.lit(label, dtype=pl.String).alias(SOURCE),
    ]


def split(frame: pl.DataFrame, checks: Sequence[Check]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(accepted rows, rejected rows as `_file, _row, _source, reason, field, detail`)."""
    # One cheap pass picks the first failing check per row; details are built for bad rows only.
    which: pl.Expr = pl.lit(None, dtype=pl.Int32)
    for i in reversed(range(len(checks))):
        which = pl.when(checks[i].bad.fill_null(False)).then(pl.lit(i, pl.Int32)).otherwise(which)
    tagged = frame.with_columns(_check=which)
    if tagged["_check"].null_count() == tagged.height:  # the usual case: no copy of the rows
        accepted, rejected = frame, tagged.clear()
    else:
        accepted = tagged.filter(pl.col("_check").is_null()).drop("_check")
        rejected = tagged.filter(pl.col("_check").is_not_null())
    reason: pl.Expr = pl.lit(None, dtype=pl.String)
    field: pl.Expr = pl.lit(None, dtype=pl.String)
    detail: pl.Expr = pl.lit(None, dtype=pl.String)
    for i, check in enumerate(checks):
        hit = pl.col("_check") == i
        reason = pl.when(hit).then(pl.lit(check.reason)).otherwise(reason)
        field = pl.when(hit).then(pl.lit(check.field, dtype=pl.String)).otherwise(field)
        detail = pl.when(hit).then(check.detail).otherwise(detail)
    rejected = rejected.select(
        FILE, ROW, SOURCE, reason.alias("reason"), field.alias("field"), detail.alias("detail")
    )
    return accepted, rejected


def quarantine_rows(rejected: pl.DataFrame, raws: Sequence[RawTable]) -> pl.DataFrame:
    """Rejected rows (from `split`) plus unsplittable lines, with raw values, in quarantine form.

    The raw values are the row as its own file had it: a JSON object of that file's header names
    to text, or the line itself where it could not be split.
    """
    parts = []
    groups = rejected.partition_by(FILE, as_dict=True) if rejected.height else {}
    for key, group in groups.items():
        raw = raws[int(key[0])]
        columns = [c for c in raw.frame.columns if c != ROW]
        # Only the rejected rows' values are encoded, not the whole file's.
        rows = raw.frame.join(group.select(ROW), on=ROW, how="semi")
        with_raw = group.join(
            rows.select(ROW, pl.struct(columns).struct.json_encode().alias("raw")),
            on=ROW,
            how="left",
        )
        parts.append(with_raw)
    for index, raw in enumerate(raws):
        if raw.unsplittable:
            parts.append(_unsplittable(index, raw))
    if not parts:
        return pl.DataFrame(schema={**QUARANTINE_SCHEMA, FILE: pl.UInt32})
    return pl.concat([_to_quarantine(p) for p in parts]).sort(FILE, "row")


def _to_quarantine(part: pl.DataFrame) -> pl.DataFrame:
    return part.select(
        pl.lit("", dtype=pl.String).alias("ingest_id"),
        pl.col(SOURCE).alias("source"),
        pl.col(ROW).cast(pl.Int64).alias("row"),
        pl.col("reason").cast(pl.String),
        pl.col("field").cast(pl.String),
        pl.col("detail").cast(pl.String),
        pl.col("raw").cast(pl.String),
        pl.col(FILE).cast(pl.UInt32),
    )


def _unsplittable(index: int, raw: RawTable) -> pl.DataFrame:
    rows = raw.unsplittable
    return pl.DataFrame(
        {
            FILE: [index] * len(rows),
            ROW: [r for r, _, _ in rows],
            SOURCE: [raw.label] * len(rows),
            "reason": [
                "blank_line" if d == "blank line" else "wrong_field_count" for _, d, _ in rows
            ],
            "field": [None] * len(rows),
            "detail": [d for _, d, _ in rows],
            "raw": [t for _, _, t in rows],
        },
        schema={
            FILE: pl.UInt32,
            ROW: pl.Int64,
            SOURCE: pl.String,
            "reason": pl.String,
            "field": pl.String,
            "detail": pl.String,
            "raw": pl.String,
        },
    )


def coordinate_checks(lon: str, lat: str, area: Bounds, area_name: str, fields: str) -> list[Check]:
    """Checks on parsed WGS84 columns `lon`/`lat` (null where the source has no location).

    Swapped pairs are named as such (rather than fixed) so that a wrongly built export is noticed.
    """
    x, y = pl.col(lon), pl.col(lat)
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


def number_checks(
    columns: dict[str, tuple[str, str]], *, parsed_in_frame: bool = False
) -> tuple[list[pl.Expr], list[Check]]:
    """Parse trimmed text columns as floats: (parsed expressions, checks for non-numbers).

    `columns` maps the output name to (trimmed column, source field name for messages). A missing
    value parses to null, which is fine; text that is present but not a number is a
    `bad_coordinate`. With `parsed_in_frame`, the checks read the parsed columns rather than
    parse again: they must then be in the frame, unchanged, when the checks run.
    """
    exprs, checks = [], []
    for out, (src, field) in columns.items():
        raw = pl.col(src)
        parsed = raw.cast(pl.Float64, strict=False)
        exprs.append(parsed.alias(out))
        checks.append(
            Check(
                raw.is_not_null() & (pl.col(out) if parsed_in_frame else parsed).is_null(),
                "bad_coordinate",
                field,
                pl.format("{} is not a number", quoted(raw)),
            )
        )
    return exprs, checks


def half_missing_check(a: str, b: str, fields: str) -> Check:
    return Check(
        pl.col(a).is_null() != pl.col(b).is_null(),
        "missing_coordinate",
        fields,
        pl.lit("one coordinate is given without the other"),
    )


def row_hashes(frame: pl.DataFrame, columns: Sequence[str], prefix: str) -> pl.Series:
    """Stable ids for rows that have none: a hash of their content and their occurrence number.

    Identical rows (two anti-social behaviour reports at one snap point in one month) are real,
    separate events, so the k-th copy hashes with k. Stable across runs, machines and versions
    (BLAKE2b of the text, not a process-seeded hash): `prefix` + the 128-bit BLAKE2b, in hex, of
    the UTF-8 of the values (null as empty) joined by U+001F, then U+001E and k in decimal.
    """
    key = pl.concat_str([pl.col(c).fill_null("") for c in columns], separator="\x1f")
    keys = frame.select(key.alias("k")).with_row_index("i")
    # k by a stable sort rather than a group-by over the long keys (several times faster): in
    # sorted order each run of equal keys keeps the rows' own order, so k = place in the run.
    by_key = keys.sort("k", maintain_order=True)
    first = by_key["k"].ne_missing(by_key["k"].shift(1)).to_numpy()
    place = np.arange(len(first), dtype=np.int64)
    run_start = np.maximum.accumulate(np.where(first, place, 0)) if len(first) else place
    nth = np.empty(len(first), dtype=np.int64)
    nth[by_key["i"].to_numpy()] = place - run_start + 1
    messages = keys.select(
        pl.concat_str([pl.col("k"), pl.lit("\x1e"), pl.Series(nth).cast(pl.String)])
    ).to_series()
    return digests(messages, prefix)


def digests(messages: pl.Series, prefix: str) -> pl.Series:
    """`prefix` + the 128-bit BLAKE2b, in hex, of each message's UTF-8 (null stays null).

    BLAKE2b of the text, not a process-seeded hash, so an id made from it is the same on every
    run, machine and version.
    """
    blake2b = hashlib.blake2b
    return pl.Series(
        [
            None if m is None else prefix + blake2b(m.encode(), digest_size=16).hexdigest()
            for m in messages.cast(pl.String).to_list()
        ],
        dtype=pl.String,
    )


def as_quarantine(rows: pl.DataFrame, reason: str | pl.Expr, detail: pl.Expr) -> pl.DataFrame:
    """Rows already in the canonical schema moved to quarantine (raw = the parsed row as JSON).

    Used for rules that judge a row only against others (duplicates, reversals, superseded
    records). The `_file` index, when present, is carried along.
    """
    helpers = [c for c in (FILE,) if c in rows.columns]
    return rows.select(
        pl.lit("").alias("ingest_id"),
        pl.col("source").str.replace(r":\d+$", "").alias("source"),
        pl.col("source").str.extract(r":(\d+)$").cast(pl.Int64).alias("row"),
        (pl.lit(reason) if isinstance(reason, str) else reason).alias("reason"),
        pl.lit("incident_id").alias("field"),
        detail.alias("detail"),
        pl.struct(INCIDENT_SCHEMA.names()).struct.json_encode().alias("raw"),
        *helpers,
    )
