"""Ingest: sources -> rows checked by their format's rules -> one atomic commit to the store.

Every row read ends in exactly one place: the store, or the quarantine with a reason. Files whose
bytes were ingested before are skipped by hash, so running the same ingest twice adds nothing.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TypeVar

import numpy as np
import polars as pl

from streetlight.errors import SourceError
from streetlight.geo.crs import WGS84, choose_crs, transform
from streetlight.ingest.adapter import Format
from streetlight.ingest.checks import as_quarantine
from streetlight.ingest.csvread import read_delimited
from streetlight.ingest.formats import FileResult
from streetlight.ingest.policeuk import PoliceUK
from streetlight.ingest.sources import Skipped, SourceFile, expand_sources
from streetlight.store.manifest import ForceInfo, SourceRecord
from streetlight.store.schema import INCIDENT_SCHEMA, QUARANTINE_SCHEMA
from streetlight.store.store import Changeset, Store, new_ingest_id

T = TypeVar("T")
_WORKERS = 2


class Progress(Protocol):
    """Wraps the iteration over files; the CLI passes a progress bar, the library never imports one."""

    def __call__(self, items: Iterable[T], total: int) -> Iterable[T]: ...


def no_progress(items: Iterable[T], total: int) -> Iterable[T]:
    return items


@dataclass(frozen=True)
class FileSummary:
    """What happened to one source file."""

    name: str
    status: str  # "ingested", "already in store", "same bytes as <file>", "empty"
    rows_read: int = 0
    accepted: int = 0
    quarantined: int = 0


@dataclass
class IngestReport:
    """The outcome of one ingest, for the CLI summary and for callers."""

    store: Path
    ingest_id: str
    format: str
    files: list[FileSummary] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)
    reasons: Counter[str] = field(default_factory=Counter)

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    @property
    def accepted(self) -> int:
        return sum(f.accepted for f in self.files)

    @property
    def quarantined(self) -> int:
        return sum(f.quarantined for f in self.files)


@dataclass
class _Loaded:
    file: SourceFile
    sha256: str
    size: int
    result: FileResult | None  # None when skipped


def _load(file: SourceFile, fmt: Format, known: set[str]) -> _Loaded:
    data = file.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest in known:
        return _Loaded(file, digest, len(data), None)
    raw = read_delimited(data, file.name)
    if not raw.header:
        empty = FileResult(
            file.name,
            0,
            pl.DataFrame(schema=INCIDENT_SCHEMA),
            pl.DataFrame(schema=QUARANTINE_SCHEMA),
            raw.notes,
        )
        return _Loaded(file, digest, len(data), empty)
    return _Loaded(file, digest, len(data), fmt.parse(raw, file.basename))


def _ordered_map(
    func: Callable[[SourceFile], _Loaded], files: Sequence[SourceFile]
) -> Iterator[_Loaded]:
    # Decompression, hashing, CSV parsing and polars all release the GIL: two threads use both cores.
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        yield from pool.map(func, files)


def ingest(
    sources: Sequence[str | Path],
    store: Store,
    fmt: Format | None = None,
    progress: Progress = no_progress,
) -> IngestReport:
    """Read `sources` with `fmt` (data.police.uk by default) and commit them to `store`.

    Raises a `SourceError` naming the file when a source cannot be read at all; then nothing is
    written.
    """
    if fmt is None:
        fmt = PoliceUK()
    files, skipped = expand_sources(sources, fmt.patterns)
    if not files:
        where = ", ".join(str(s) for s in sources)
        raise SourceError(where, f"no data files found (looked for {', '.join(fmt.patterns)})")
    ingest_id = new_ingest_id()
    report = IngestReport(store.root, ingest_id, fmt.name, skipped=skipped)
    with store.writer() as writer:
        known = store.manifest.source_hashes()
        loaded: list[_Loaded] = []
        first_by_hash: dict[str, str] = {}
        for item in progress(_ordered_map(lambda f: _load(f, fmt, known), files), len(files)):
            if item.result is None:
                report.files.append(FileSummary(item.file.name, "already in store"))
            elif item.sha256 in first_by_hash:
                report.files.append(
                    FileSummary(item.file.name, f"same bytes as {first_by_hash[item.sha256]}")
                )
            else:
                first_by_hash[item.sha256] = item.file.name
                loaded.append(item)
        results = fmt.resolve([item.result for item in loaded if item.result is not None])
        change = _changeset(ingest_id, store, fmt, loaded, results, report)
        if change is not None:
            writer.commit(change)
    return report


def _changeset(
    ingest_id: str,
    store: Store,
    fmt: Format,
    loaded: list[_Loaded],
    results: list[FileResult],
    report: IngestReport,
) -> Changeset | None:
    if not results:
        return None
    accepted = pl.concat(
        [r.accepted.with_columns(_file=pl.lit(i, pl.UInt32)) for i, r in enumerate(results)]
    )
    quarantine = pl.concat(
        [r.quarantine.with_columns(_file=pl.lit(i, pl.UInt32)) for i, r in enumerate(results)]
    )
    accepted, dupes = _dedupe_batch(accepted, fmt)
    existing = store.keys(accepted["force"].unique().to_list())
    remove = existing.clear().select("force", "incident_id")
    if existing.height:
        clash = accepted.join(existing, on=["force", "incident_id"], how="semi")
        if fmt.keep == "first":
            stored_at = existing.select("force", "incident_id", pl.col("source").alias("_first"))
            dupes.append(
                as_quarantine(
                    clash.join(stored_at, on=["force", "incident_id"]),
                    "duplicate_incident_id",
                    pl.format("incident id already in the store from {}", pl.col("_first")),
                )
            )
            accepted = accepted.join(existing, on=["force", "incident_id"], how="anti")
        elif clash.height:
            remove = clash.select("force", "incident_id")
            old = store.incidents(force=remove["force"].unique().to_list()).join(
                remove, on=["force", "incident_id"], how="semi"
            )
            dupes.append(
                as_quarantine(
                    old.with_columns(_file=pl.lit(None, pl.UInt32)),
                    "superseded",
                    pl.lit(f"replaced by a later record of the same incident ({ingest_id})"),
                )
            )
    quarantine = pl.concat([quarantine, *dupes], how="vertical_relaxed").with_columns(
        ingest_id=pl.lit(ingest_id)
    )
    forces = _force_infos(store, accepted, results, fmt)
    accepted = _project(accepted, forces)

    per_file_ok = Counter(accepted["_file"].to_list())
    per_file_bad = Counter(quarantine["_file"].drop_nulls().to_list())
    records = []
    for i, (item, result) in enumerate(zip(loaded, results, strict=True)):
        ok, bad = per_file_ok.get(i, 0), per_file_bad.get(i, 0)
        records.append(
            SourceRecord(
                item.sha256,
                item.file.name,
                item.size,
                fmt.name,
                result.rows_read,
                ok,
                bad,
                ingest_id,
            )
        )
        status = "ingested" if result.rows_read else "empty"
        report.files.append(FileSummary(item.file.name, status, result.rows_read, ok, bad))
        report.notes += [(item.file.name, n) for n in result.notes]
    report.reasons.update(quarantine["reason"].to_list())
    return Changeset(
        ingest_id=ingest_id,
        add=accepted.select(INCIDENT_SCHEMA.names()),
        remove=remove,
        quarantine=quarantine.select(QUARANTINE_SCHEMA.names()),
        sources=tuple(records),
        forces=tuple(forces.values()),
    )


def _dedupe_batch(accepted: pl.DataFrame, fmt: Format) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """Keep one row per (force, incident_id) within the batch: the first or the last, per format."""
    key = ["force", "incident_id"]
    keep_mask = (
        pl.struct(key).is_first_distinct()
        if fmt.keep == "first"
        else pl.struct(key).is_last_distinct()
    )
    flagged = accepted.with_columns(_keep=keep_mask)
    if flagged["_keep"].all():
        return accepted, []
    kept = flagged.filter(pl.col("_keep")).drop("_keep")
    winner = kept.select(*key, pl.col("source").alias("_winner"))
    losers = flagged.filter(~pl.col("_keep")).drop("_keep").join(winner, on=key)
    reason = "duplicate_incident_id" if fmt.keep == "first" else "superseded"
    verb = "first seen at" if fmt.keep == "first" else "replaced by the later record at"
    detail = pl.format("incident id {} {}", pl.lit(verb), pl.col("_winner"))
    return kept, [as_quarantine(losers, reason, detail)]


def _force_infos(
    store: Store, accepted: pl.DataFrame, results: list[FileResult], fmt: Format
) -> dict[str, ForceInfo]:
    """Each force's CRS: as already stored, else the format's, else chosen from the data."""
    names: dict[str, str] = {}
    for result in results:
        for slug, name in result.force_names.items():
            names.setdefault(slug, name)
    infos: dict[str, ForceInfo] = {}
    for slug in accepted["force"].unique().sort().to_list():
        if slug in store.manifest.forces:
            infos[slug] = store.manifest.forces[slug]
            continue
        crs = fmt.store_crs
        if crs is None:
            pts = accepted.filter(pl.col("force") == slug).drop_nulls(["lon", "lat"])
            crs = choose_crs(pts["lon"].to_numpy(), pts["lat"].to_numpy()) if pts.height else WGS84
        infos[slug] = ForceInfo(slug, names.get(slug, slug), crs)
    return infos


def _project(accepted: pl.DataFrame, forces: dict[str, ForceInfo]) -> pl.DataFrame:
    """Fill x/y (metres in each force's CRS) from lon/lat, one vectorised call per force."""
    x = np.full(accepted.height, np.nan)
    y = np.full(accepted.height, np.nan)
    force = accepted["force"].to_numpy()
    lon = accepted["lon"].to_numpy(allow_copy=True).astype(np.float64)
    lat = accepted["lat"].to_numpy(allow_copy=True).astype(np.float64)
    for slug, info in forces.items():
        mask = (force == slug) & np.isfinite(lon) & np.isfinite(lat)
        if mask.any() and info.crs != WGS84:
            x[mask], y[mask] = transform(WGS84, info.crs, lon[mask], lat[mask])
    return accepted.with_columns(pl.Series("x", x).fill_nan(None), pl.Series("y", y).fill_nan(None))
