"""What a store holds, per force: months (with gaps), categories, counts, quarantine totals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from streetlight.store.months import month_key, month_range, parse_month
from streetlight.store.store import Store


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
    forces = []
    for slug, info in sorted(store.manifest.forces.items()):
        frame = store.incidents(force=slug, columns=["category", "x"])
        months = sorted(parse_month(p.month) for p in store.manifest.partitions if p.force == slug)
        if not months:
            continue
        cats = frame.group_by("category").len().sort(["len", "category"], descending=[True, False])
        forces.append(
            ForceSummary(
                slug=slug,
                name=info.name,
                crs=info.crs,
                incidents=frame.height,
                without_location=frame["x"].null_count(),
                first_month=month_key(months[0]),
                last_month=month_key(months[-1]),
                months_with_data=len(months),
                gaps=_gaps(months),
                categories=tuple((str(c), int(n)) for c, n in cats.iter_rows()),
            )
        )
    quarantine = store.quarantine()
    reasons = quarantine.group_by("reason").len().sort(["len", "reason"], descending=[True, False])
    return StoreSummary(
        path=str(store.root),
        version=store.manifest.version,
        ingests=len(store.manifest.ingests),
        sources=len(store.manifest.sources),
        forces=tuple(forces),
        quarantined=quarantine.height,
        quarantine_reasons=tuple((str(r), int(n)) for r, n in reasons.iter_rows()),
    )


__all__ = ["ForceSummary", "StoreSummary", "summarise"]
