"""A force's own export, described by a small TOML mapping file (see `mappings/st-louis.toml`).

The mapping says which column holds each canonical field, how to read date-times and coordinates,
which value marks a reversal row and whether the first or the last record of an id wins. Rules that
span files (reversals, re-issued records) run once over every file of the ingest, ordered by the
mapping's `order` column and then by file and row.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping as MappingType
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from streetlight.errors import MappingError, UnknownLayoutError
from streetlight.geo.crs import WGS84, area_of_use, transform
from streetlight.ingest.adapter import Keep
from streetlight.ingest.checks import (
    Check,
    as_quarantine,
    blank_row_check,
    coordinate_checks,
    half_missing_check,
    number_checks,
    quoted,
    split,
    text,
    unsplittable_rows,
)
from streetlight.ingest.csvread import ROW_COLUMN, RawTable
from streetlight.ingest.formats import FileResult, normalise_header
from streetlight.store.schema import INCIDENT_SCHEMA

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


@dataclass(frozen=True)
class ColumnSpec:
    """One source column, or several joined with `sep`."""

    columns: tuple[str, ...]
    sep: str = " "


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
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise MappingError(f"{p}: mapping file not found") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MappingError(f"{p}: not valid TOML ({exc})") from exc
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
        if isinstance(value, str):
            columns[key] = ColumnSpec((value,))
        elif isinstance(value, dict) and isinstance(value.get("join"), list):
            columns[key] = ColumnSpec(tuple(value["join"]), str(value.get("sep", " ")))
        else:
            raise MappingError(f"{p}: [columns] '{key}' must be a column name or {{join = [...]}}")
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


class MappedFormat:
    """A force export read through a `Mapping`, as a pipeline `Format`."""

    def __init__(self, mapping: Mapping) -> None:
        self.mapping = mapping
        self.name = f"mapping:{Path(mapping.path).name}"
        self.patterns = mapping.files
        self.keep: Keep = mapping.keep
        self.store_crs: str | None = None

    def _resolve_columns(self, raw: RawTable) -> dict[str, list[str]]:
        by_key = {normalise_header(h): h for h in raw.frame.columns if h != ROW_COLUMN}
        found: dict[str, list[str]] = {}
        missing: list[str] = []
        for field_name, spec in self.mapping.columns.items():
            names = [by_key.get(normalise_header(col)) for col in spec.columns]
            missing += [
                f"{col!r} (for {field_name})"
                for col, n in zip(spec.columns, names, strict=True)
                if n is None
            ]
            found[field_name] = [n for n in names if n is not None]
        if missing:
            raise UnknownLayoutError(
                raw.source,
                f"no column {', '.join(missing)} as {self.mapping.path} expects "
                f"(header: {', '.join(raw.header)})",
            )
        return found

    def parse(self, raw: RawTable, basename: str) -> FileResult:
        m = self.mapping
        cols = self._resolve_columns(raw)
        raw_columns = [c for c in raw.frame.columns if c != ROW_COLUMN]

        def field_expr(name: str) -> pl.Expr:
            if name not in cols:
                return pl.lit(None, dtype=pl.String)
            parts = [text(c) for c in cols[name]]
            if len(parts) == 1:
                return parts[0]
            joined = pl.concat_str([p.fill_null("") for p in parts], separator=m.columns[name].sep)
            joined = joined.str.strip_chars().str.replace_all(r"\s+", " ")
            return pl.when(joined == "").then(None).otherwise(joined)

        frame = raw.frame
        stamp = field_expr("occurred_at")
        local = pl.coalesce(
            [stamp.str.strptime(pl.Datetime("us"), f, strict=False) for f in m.datetime_formats]
        )
        frame = frame.with_columns(
            _id=field_expr("incident_id"),
            _stamp=stamp,
            _local=local,
            _count=field_expr("count").cast(pl.Int64, strict=False)
            if "count" in cols
            else pl.lit(1),
            _order=field_expr("order"),
            _code=field_expr("category_code"),
        )
        frame = frame.with_columns(
            _utc=pl.col("_local")
            .dt.replace_time_zone(m.timezone, ambiguous="earliest", non_existent="null")
            .dt.convert_time_zone("UTC")
        )
        xy_fields = ("x", "y") if "x" in cols else ("lon", "lat")
        parsed, number_problems = number_checks(
            {"_sx": cols[xy_fields[0]][0], "_sy": cols[xy_fields[1]][0]}
        )
        frame = frame.with_columns(*parsed)
        if m.missing_xy is not None:
            nx, ny = m.missing_xy
            none = (pl.col("_sx") == nx) & (pl.col("_sy") == ny)
            frame = frame.with_columns(
                _sx=pl.when(none).then(None).otherwise(pl.col("_sx")),
                _sy=pl.when(none).then(None).otherwise(pl.col("_sy")),
            )
        sx = frame["_sx"].to_numpy(allow_copy=True).astype(np.float64)
        sy = frame["_sy"].to_numpy(allow_copy=True).astype(np.float64)
        if m.coordinate_crs == WGS84:
            lon, lat = sx, sy
        else:
            lon, lat = transform(m.coordinate_crs, WGS84, sx, sy)
        frame = frame.with_columns(
            pl.Series("lon", lon).fill_nan(None), pl.Series("lat", lat).fill_nan(None)
        )
        code_checks: list[Check] = []
        if "category_code" in cols and m.code_divisor:
            frame = frame.with_columns(_codeint=pl.col("_code").cast(pl.Int64, strict=False))
            group = pl.col("_codeint") // m.code_divisor
            names = pl.DataFrame(
                {"_g": list(m.category_names), "_name": list(m.category_names.values())},
                schema={"_g": pl.Int64, "_name": pl.String},
            )
            frame = frame.with_columns(_g=group).join(names, on="_g", how="left").drop("_g")
            frame = frame.with_columns(
                _category=pl.coalesce(pl.col("_name"), pl.format("UCR group {}", group))
            ).drop("_name")
            code_checks.append(
                Check(
                    pl.col("_code").is_not_null() & pl.col("_codeint").is_null(),
                    "bad_category_code",
                    cols["category_code"][0],
                    pl.format("{} is not a numeric offence code", quoted(pl.col("_code"))),
                )
            )
        else:
            frame = frame.with_columns(
                _category=field_expr("category") if "category" in cols else pl.col("_code")
            )
        xf, yf = cols[xy_fields[0]][0], cols[xy_fields[1]][0]
        checks: list[Check] = [
            blank_row_check(raw_columns),
            Check(
                pl.col("_id").is_null(),
                "missing_incident_id",
                cols["incident_id"][0],
                pl.lit("no incident id"),
            ),
            Check(
                pl.col("_stamp").is_null(),
                "missing_datetime",
                cols["occurred_at"][0],
                pl.lit("no date-time"),
            ),
            Check(
                pl.col("_local").is_null(),
                "bad_datetime",
                cols["occurred_at"][0],
                pl.format(
                    "{} matches none of the formats {}",
                    quoted(pl.col("_stamp")),
                    pl.lit(", ".join(m.datetime_formats)),
                ),
            ),
            Check(
                pl.col("_utc").is_null(),
                "bad_datetime",
                cols["occurred_at"][0],
                pl.format(
                    "{} does not exist in {} (clocks went forward)",
                    quoted(pl.col("_stamp")),
                    pl.lit(m.timezone),
                ),
            ),
            *code_checks,
            Check(
                pl.col("_category").is_null(),
                "missing_category",
                (cols.get("category") or cols.get("category_code") or ["category"])[0],
                pl.lit("no category"),
            ),
            *(
                [
                    Check(
                        pl.col("_count").is_null(),
                        "bad_count",
                        cols["count"][0],
                        pl.lit("count is not a whole number"),
                    )
                ]
                if "count" in cols
                else []
            ),
            *number_problems,
            half_missing_check("_sx", "_sy", xf, yf),
            *coordinate_checks(
                "lon",
                "lat",
                area_of_use(m.coordinate_crs),
                f"the area of {m.coordinate_crs}",
                xf,
                yf,
            ),
        ]
        accepted, quarantine = split(frame, checks, raw_columns, raw.source)
        quarantine = pl.concat([quarantine, unsplittable_rows(raw)]).sort("row")
        local_month = pl.col("_utc").dt.convert_time_zone(m.timezone).dt.truncate("1mo").dt.date()
        result = accepted.select(
            pl.col("_id").alias("incident_id"),
            pl.lit(m.force).alias("force"),
            local_month.alias("month"),
            pl.col("_utc").cast(INCIDENT_SCHEMA["occurred_at"]).alias("occurred_at"),
            pl.col("lon"),
            pl.col("lat"),
            pl.lit(None, dtype=pl.Float64).alias("x"),
            pl.lit(None, dtype=pl.Float64).alias("y"),
            pl.col("_category").alias("category"),
            field_expr("subcategory").alias("subcategory"),
            field_expr("location").alias("location"),
            field_expr("lsoa_code").alias("lsoa_code"),
            field_expr("outcome").alias("outcome"),
            pl.format("{}:{}", pl.lit(raw.source), pl.col(ROW_COLUMN)).alias("source"),
            pl.col("_count"),
            pl.col("_order"),
            pl.col(ROW_COLUMN).alias("_row"),
        )
        return FileResult(
            raw.source, raw.rows_read, result, quarantine, list(raw.notes), {m.force: m.name}
        )

    def resolve(self, results: list[FileResult]) -> list[FileResult]:
        """Apply reversals and keep one record per incident id across all files of the ingest."""
        if not results:
            return results
        m = self.mapping
        rows = pl.concat(
            [r.accepted.with_columns(_file=pl.lit(i, pl.UInt32)) for i, r in enumerate(results)]
        ).sort(["_order", "_file", "_row"], nulls_last=False, maintain_order=True)
        key = ["force", "incident_id"]
        is_reversal = (
            pl.col("_count") == m.reversal_value if m.reversal_value is not None else pl.lit(False)
        )
        rows = rows.with_columns(
            _rev=is_reversal,
            _net=pl.col("_count").sum().over(key),
        )
        records = rows.filter(~pl.col("_rev"))
        last = (
            records.with_columns(_last=pl.struct(key).is_last_distinct())
            if m.keep == "last"
            else records.with_columns(_last=pl.struct(key).is_first_distinct())
        )
        keep_mask = pl.col("_last") & (pl.col("_net") > 0)
        winners = last.filter(keep_mask)
        winner_at = winners.select(*key, pl.col("source").alias("_winner"))
        moved = [
            as_quarantine(
                rows.filter(pl.col("_rev")),
                "reversal_row",
                pl.format(
                    "count {} reverses an earlier record of {}",
                    pl.col("_count"),
                    pl.col("incident_id"),
                ),
            ),
            as_quarantine(
                last.filter(pl.col("_net") <= 0),
                "reversed",
                pl.format(
                    "the records of {} net to {} after reversals",
                    pl.col("incident_id"),
                    pl.col("_net"),
                ),
            ),
            as_quarantine(
                last.filter(~pl.col("_last") & (pl.col("_net") > 0)).join(winner_at, on=key),
                "superseded",
                pl.format("replaced by the later record at {}", pl.col("_winner")),
            ),
        ]
        moved_all = pl.concat(moved)
        out = []
        for i, r in enumerate(results):
            acc = winners.filter(pl.col("_file") == i).sort("_row").select(INCIDENT_SCHEMA.names())
            q = pl.concat([r.quarantine, moved_all.filter(pl.col("_file") == i).drop("_file")])
            out.append(
                FileResult(r.source, r.rows_read, acc, q.sort("row"), r.notes, r.force_names)
            )
        return out
