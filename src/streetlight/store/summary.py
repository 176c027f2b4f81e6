"""What a store holds, per force: months (with gaps), categories, counts, quarantine totals.

Counted from the manifest, which keeps each file's counts; polars is imported only to count
files from stores written before it did (see `access.py` for why imports matter here).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from streetlight.store.access import read_manifest
from streetlight.store.bucket import scan_options
from streetlight.store.location import Location
from streetlight.store.manifest import Manifest, PartitionFile, QuarantineFile
from streetlight.store.months import month_key, month_range, parse_month

if TYPE_CHECKING:
    from streetlight.store.store import Store

_FILE = "_file"


@dataclass(frozen=True)
class ForceSummary:
    slug: str
    name: str
    crs: str
    incidents: int
    without_location: int
    first_month: str
    last_month: str
    months_with_data: int
    # Runs of months with no data between the first and last, as (first, last) pairs.
    gaps: tuple[tuple[str, str], ...]
    categories: tuple[tuple[str, int], ...]  # (category, count), most first


@dataclass(frozen=True)
class StoreSummary:
    path: str
    version: int
    ingests: int
    sources: int
    forces: tuple[ForceSummary, ...]
    quarantined: int
    quarantine_reasons: tuple[tuple[str, int], ...]


def _gaps(months: list[date]) -> tuple[tuple[str, str], ...]:
    have = set(months)
    runs: list[tuple[str, str]] = []
    start: date | None = None
    prev: date | None = None
    for m in month_range(min(months), max(months)):
        if m not in have:
            start = start or m
            prev = m
        elif start is not None and prev is not None:
            runs.append((month_key(start), month_key(prev)))
            start = None
    return tuple(runs)


def summarise(store: Store) -> StoreSummary:
    """What an open store holds (see `summarise_manifest`)."""
    return summarise_manifest(store.location, store.manifest)


def summarise_at(root: Location) -> StoreSummary:
    """What the store at `root` (a folder or a bucket's URL) holds: the fast path of
    `streetlight info`, no polars needed."""
    return summarise_manifest(root, read_manifest(root))


def summarise_manifest(root: Location, manifest: Manifest) -> StoreSummary:
    """The store's contents from its manifest's counts.

    Reads no partition file written since the manifest kept counts (so `streetlight info` takes
    the same time on a national store as on one force); files from older stores are counted
    from their own rows, and only those.
    """
    by_force: dict[str, list[PartitionFile]] = {}
    for part in manifest.partitions:
        by_force.setdefault(part.force, []).append(part)
    uncounted = [
        p for p in manifest.partitions if p.categories is None or p.without_location is None
    ]
    read = _read_counts(root, uncounted)
    forces = []
    for slug, info in sorted(manifest.forces.items()):
        parts = by_force.get(slug, [])
        if not parts:
            continue
        months = sorted(parse_month(p.month) for p in parts)
        cats: Counter[str] = Counter()
        without_location = 0
        for part in parts:
            categories, nulls = read.get(part.path) or (part.categories, part.without_location)
            cats.update(categories or {})
            without_location += nulls or 0
        forces.append(
            ForceSummary(
                slug=slug,
                name=info.name,
                crs=info.crs,
                incidents=sum(p.rows for p in parts),
                without_location=without_location,
                first_month=month_key(months[0]),
                last_month=month_key(months[-1]),
                months_with_data=len(months),
                gaps=_gaps(months),
                categories=_most_first(cats),
            )
        )
    reasons = _quarantine_reasons(root, [q for q in manifest.quarantine if q.reasons is None])
    for q in manifest.quarantine:
        reasons.update(q.reasons or {})
    return StoreSummary(
        path=str(root),
        version=manifest.version,
        ingests=len(manifest.ingests),
        sources=len(manifest.sources),
        forces=tuple(forces),
        quarantined=sum(q.rows for q in manifest.quarantine),
        quarantine_reasons=_most_first(reasons),
    )


def _read_counts(
    root: Location, parts: list[PartitionFile]
) -> dict[str, tuple[dict[str, int], int]]:
    """Counts of partition files whose manifest entries lack them (stores from before the
    manifest kept counts, or a null category), read from those files in one scan."""
    if not parts:
        return {}
    # Imported here: the manifest's counts, the usual case, need no polars (see access.py).
    import polars as pl

    from streetlight.store.schema import INCIDENT_SCHEMA

    paths = {str(root / p.path): p.path for p in parts}
    table = (
        pl.scan_parquet(
            list(paths),
            schema=INCIDENT_SCHEMA,
            extra_columns="ignore",
            include_file_paths=_FILE,
            storage_options=scan_options(root),
        )
        .group_by(_FILE, "category")
        .agg(pl.len().alias("n"), pl.col("x").null_count().alias("nulls"))
        .collect()
    )
    counts: dict[str, tuple[dict[str, int], int]] = {p.path: ({}, 0) for p in parts}
    for file, category, n, nulls in table.iter_rows():
        cats, without = counts[paths[file]]
        # str(): a null category is counted as "None", as the full reads before always did.
        cats[str(category)] = cats.get(str(category), 0) + int(n)
        counts[paths[file]] = (cats, without + int(nulls))
    return counts


def _quarantine_reasons(root: Location, files: list[QuarantineFile]) -> Counter[str]:
    """Rows per reason in quarantine files whose manifest entries lack the counts."""
    if not files:
        return Counter()
    import polars as pl  # only for stores from before the counts: see `_read_counts`

    from streetlight.store.schema import QUARANTINE_SCHEMA

    paths = [str(root / q.path) for q in files]
    scan = pl.scan_parquet(paths, schema=QUARANTINE_SCHEMA, storage_options=scan_options(root))
    table = scan.group_by("reason").len().collect()
    return Counter({str(r): int(n) for r, n in table.iter_rows()})


def _most_first(counts: Counter[str]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


__all__ = [
    "ForceSummary",
    "StoreSummary",
    "summarise",
    "summarise_at",
    "summarise_manifest",
]
