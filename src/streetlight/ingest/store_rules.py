"""The rules that set an ingest's incidents against the stored ones, for both ingest paths:
ids already stored, stored records superseded or withdrawn, new net counts, and the CRS of a
force new to the store. They read keys (and the few stored rows that move), never a whole
input, so a streaming ingest calls them with the keys of all its batches."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from streetlight.geo.crs import WGS84, crs_at
from streetlight.ingest.adapter import Format, Keep
from streetlight.ingest.checks import FILE, as_quarantine
from streetlight.store.manifest import ForceInfo
from streetlight.store.schema import NET
from streetlight.store.store import KEY_SCHEMA, Store

# The detail of a new row whose incident id is stored (`StoreEffects.duplicates`'s `_first`).
DUPLICATE_OF_STORED = pl.format("incident id already in the store from {}", pl.col("_first"))


@dataclass(frozen=True)
class StoreEffects:
    """What an ingest's accepted incidents do to the ones already stored (`against_store`)."""

    # Keys of accepted incidents already stored where the first record wins (force,
    # incident_id, `_first`: the stored record's source): their new rows go to the quarantine.
    duplicates: pl.DataFrame
    # Stored rows moved to the quarantine, in quarantine form: superseded or withdrawn.
    moved: list[pl.DataFrame]
    # Stored incidents to drop, and to keep with a new net count (`Changeset`).
    remove: pl.DataFrame
    renet: pl.DataFrame


def against_store(
    ingest_id: str,
    store: Store,
    keep: Keep,
    keys: pl.DataFrame,
    existing: pl.DataFrame,
    withdrawn: pl.DataFrame,
    renet: pl.DataFrame,
) -> StoreEffects:
    """The accepted incidents' `keys` (force, incident_id, once each) against the stored ones
    (`existing`: `Store.keys`), with the stored incidents a format's reversals withdraw or
    re-count (`Parsed.withdrawn`, `Parsed.renet`). Only keys and the stored rows that move are
    read, so a streaming ingest calls it with the keys of its whole input."""
    key = ["force", "incident_id"]
    moved: list[pl.DataFrame] = []
    remove = pl.DataFrame(schema=KEY_SCHEMA)
    duplicates = pl.DataFrame(
        schema={"force": pl.String, "incident_id": pl.String, "_first": pl.String}
    )
    if existing.height:
        clash = keys.join(existing, on=key, how="semi")
        if keep == "first":
            duplicates = clash.join(existing.select(*key, pl.col("source").alias("_first")), on=key)
        elif clash.height:
            remove = existing.join(clash, on=key, how="semi").select(KEY_SCHEMA.names())
            moved.append(
                as_quarantine(
                    store.rows(remove).with_columns(pl.lit(None, pl.UInt32).alias(FILE)),
                    "superseded",
                    pl.lit(f"replaced by a later record of the same incident ({ingest_id})"),
                )
            )
    where = existing.select(KEY_SCHEMA.names())
    gone = where.join(withdrawn, on=key)  # stored incidents a reversal withdraws
    if gone.height:
        moved.append(
            as_quarantine(
                store.rows(gone)
                .join(gone.select(*key, "detail"), on=key)
                .with_columns(pl.lit(None, pl.UInt32).alias(FILE)),
                "reversed",
                pl.format("{} ({})", pl.col("detail"), pl.lit(ingest_id)),
            )
        )
        remove = pl.concat([remove, gone.select(KEY_SCHEMA.names())])
    return StoreEffects(duplicates, moved, remove, where.join(renet.select(*key, NET), on=key))


def force_infos(
    store: Store,
    slugs: Sequence[str],
    names: dict[str, str],
    fmt: Format,
    centre: Callable[[str], tuple[float, float] | None],
) -> dict[str, ForceInfo]:
    """Each force's CRS: as already stored, else the format's, else chosen from the data
    (`centre(slug)`: the median lon and lat of the force's accepted rows with both, as
    `choose_crs` takes them, or None without any; asked only when needed)."""
    infos: dict[str, ForceInfo] = {}
    for slug in sorted(slugs):
        if slug in store.manifest.forces:
            infos[slug] = store.manifest.forces[slug]
            continue
        crs = fmt.store_crs
        if crs is None:
            middle = centre(slug)
            crs = crs_at(*middle) if middle is not None else WGS84
        infos[slug] = ForceInfo(slug, names.get(slug, slug), crs, fmt.timezone)
    return infos


def centre_of(points: pl.DataFrame) -> tuple[float, float] | None:
    """The median lon and lat (degrees) of the `points` with both, as `choose_crs` takes them;
    None without any."""
    both = points.filter(pl.col("lon").is_finite() & pl.col("lat").is_finite())
    if both.height == 0:
        return None
    lon = float(np.median(both.get_column("lon").to_numpy()))
    return lon, float(np.median(both.get_column("lat").to_numpy()))
