"""Ingest: sources -> rows checked by their format's rules -> one atomic commit to the store.

Every row read ends in exactly one place: the store, or the quarantine with a reason. Files whose
bytes were ingested before are skipped by hash, so running the same ingest twice adds nothing.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import numpy as np
import polars as pl
from numpy.typing import NDArray

from streetlight.errors import SourceError
from streetlight.geo.crs import WGS84, area_of_use, choose_crs, transform, transform_columns
from streetlight.ingest.adapter import Format
from streetlight.ingest.checks import FILE, as_quarantine
from streetlight.ingest.csvread import RawTable, Sniffed, read_sniffed, sniff
from streetlight.ingest.formats import Parsed
from streetlight.ingest.policeuk import PoliceUK
from streetlight.ingest.sources import Skipped, SourceFile, expand_sources
from streetlight.progress import Progress, no_progress
from streetlight.store.manifest import ForceInfo, SourceRecord
from streetlight.store.schema import (
    INCIDENT_SCHEMA,
    NET,
    QUARANTINE_SCHEMA,
    STORED_SCHEMA,
)
from streetlight.store.store import KEY_SCHEMA, Changeset, Store, new_ingest_id

T = TypeVar("T")
_WORKERS = 2
# Up to this many rows are cut out of a batch by slicing around them rather than by a filter.
_MAX_CUTS = 256


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
    sniffed: Sniffed | None  # None when the bytes are already in the store
    raw: RawTable | None = None  # once parsed


def _load(file: SourceFile, known: set[str]) -> _Loaded:
    data = file.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest in known:
        return _Loaded(file, digest, len(data), None)
    return _Loaded(file, digest, len(data), sniff(data, file.name, file.label))


def _ordered_map(
    func: Callable[[SourceFile], _Loaded],
    files: Sequence[SourceFile],
    meanwhile: Callable[[], None] | None = None,
) -> Iterator[_Loaded]:
    """`func` over `files` on worker threads, results in order; `meanwhile` runs on this thread
    once the work is queued."""
    # Decompression, hashing and the byte checks of `sniff` release the GIL: two threads use both
    # cores.
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        futures = [pool.submit(func, f) for f in files]
        try:
            if meanwhile is not None:
                meanwhile()
            for future in futures:
                yield future.result()
        finally:
            for future in futures:
                future.cancel()


def _warm_up(crs: str | None) -> None:
    """Pay one-time set-up costs now, on this thread, while worker threads read the files.

    PROJ sets up an operation (~0.1 s) once per process and thread, on the first point it
    transforms; the transformer is cached (`geo.crs`) and this is the thread that projects, so
    the projection reuses it. Polars imports `numpy.ma` (~0.03 s, more without bytecode caches)
    on its first conversion from numpy.
    """
    pl.Series(np.zeros(1))
    if crs is None or crs == WGS84:
        return
    try:
        area = area_of_use(crs)
        lon, lat = (area.west + area.east) / 2, (area.south + area.north) / 2
        transform(WGS84, crs, np.array([lon]), np.array([lat]))
    except Exception:  # the projection step itself reports any problem
        return


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
        store_crs = fmt.store_crs
        reading = _ordered_map(
            lambda f: _load(f, known), files, meanwhile=lambda: _warm_up(store_crs)
        )
        for item in progress(reading, len(files)):
            if item.sniffed is None:
                report.files.append(FileSummary(item.file.name, "already in store"))
            elif item.sha256 in first_by_hash:
                report.files.append(
                    FileSummary(item.file.name, f"same bytes as {first_by_hash[item.sha256]}")
                )
            else:
                first_by_hash[item.sha256] = item.file.name
                loaded.append(item)
        # The files of one layout parse in one call: far cheaper than a call per file.
        raws = read_sniffed([item.sniffed for item in loaded if item.sniffed is not None])
        for item, raw in zip(loaded, raws, strict=True):
            item.raw = raw
        change = _changeset(ingest_id, store, fmt, loaded, report)
        if change is not None:
            writer.commit(change)
    return report


def _changeset(
    ingest_id: str, store: Store, fmt: Format, loaded: list[_Loaded], report: IngestReport
) -> Changeset | None:
    if not loaded:
        return None
    raws = [item.raw for item in loaded if item.raw is not None]
    # Files with no header (empty) have no rows to parse; the rest go through as one batch.
    with_rows = [i for i, raw in enumerate(raws) if raw.header]
    stored = None  # the format's forces' stored keys, when it asks for them
    if with_rows:
        stored = store.keys(fmt.forces) if fmt.forces is not None else None
        parsed = fmt.parse([raws[i] for i in with_rows], [raws[i].label for i in with_rows], stored)
        accepted, quarantine = parsed.accepted, parsed.quarantine
        if len(with_rows) < len(raws):  # batch index -> index in `loaded`
            back = pl.Series(with_rows, dtype=pl.UInt32)
            batch = pl.int_range(len(with_rows), dtype=pl.UInt32, eager=True)
            accepted = accepted.with_columns(pl.col(FILE).replace_strict(batch, back))
            quarantine = quarantine.with_columns(pl.col(FILE).replace_strict(batch, back))
        notes = [(with_rows[i], n) for i, n in parsed.notes]
    else:
        parsed = Parsed(
            pl.DataFrame(schema={**INCIDENT_SCHEMA, FILE: pl.UInt32}),
            pl.DataFrame(schema={**QUARANTINE_SCHEMA, FILE: pl.UInt32}),
        )
        accepted, quarantine, notes = parsed.accepted, parsed.quarantine, []
    accepted, dupes = _dedupe_batch(accepted, fmt)
    accepted, moved, remove, renet = _against_store(ingest_id, store, fmt, accepted, parsed, stored)
    dupes += moved
    quarantine = pl.concat([quarantine, *dupes], how="vertical_relaxed").with_columns(
        ingest_id=pl.lit(ingest_id)
    )
    forces = _force_infos(store, accepted, parsed.force_names, fmt)
    accepted = _project(accepted, forces)

    per_file_ok = dict(accepted.group_by(FILE).len().iter_rows())
    per_file_bad = dict(quarantine.drop_nulls(FILE).group_by(FILE).len().iter_rows())
    records = []
    for i, item in enumerate(loaded):
        assert item.raw is not None
        ok, bad = per_file_ok.get(i, 0), per_file_bad.get(i, 0)
        read = item.raw.rows_read
        records.append(
            SourceRecord(item.sha256, item.file.name, item.size, fmt.name, read, ok, bad, ingest_id)
        )
        report.files.append(
            FileSummary(item.file.name, "ingested" if item.raw.header else "empty", read, ok, bad)
        )
        report.notes += [(item.file.name, n) for n in item.raw.notes]
    report.notes += [(loaded[i].file.name, n) for i, n in notes]
    report.reasons.update(dict(quarantine.group_by("reason").len().iter_rows()))
    columns = STORED_SCHEMA.names() if NET in accepted.columns else INCIDENT_SCHEMA.names()
    return Changeset(
        ingest_id=ingest_id,
        add=accepted.select(columns),
        remove=remove,
        renet=renet,
        quarantine=quarantine.select(QUARANTINE_SCHEMA.names()),
        sources=tuple(records),
        forces=tuple(forces.values()),
    )


def _against_store(
    ingest_id: str,
    store: Store,
    fmt: Format,
    accepted: pl.DataFrame,
    parsed: Parsed,
    stored: pl.DataFrame | None,
) -> tuple[pl.DataFrame, list[pl.DataFrame], pl.DataFrame, pl.DataFrame]:
    """The batch against the incidents already stored: the accepted rows that stay, rows moved
    to the quarantine, and the stored incidents to remove and to re-count (`Changeset`)."""
    key = ["force", "incident_id"]
    forces = accepted["force"].unique().to_list()
    if stored is not None and fmt.forces is not None and set(forces) <= set(fmt.forces):
        existing = stored  # read once, before the format's rules
    else:
        existing = store.keys(forces)
    moved: list[pl.DataFrame] = []
    remove = pl.DataFrame(schema=KEY_SCHEMA)
    if existing.height:
        clash = accepted.join(existing, on=key, how="semi")
        if fmt.keep == "first":
            stored_at = existing.select(*key, pl.col("source").alias("_first"))
            moved.append(
                as_quarantine(
                    clash.join(stored_at, on=key),
                    "duplicate_incident_id",
                    pl.format("incident id already in the store from {}", pl.col("_first")),
                )
            )
            accepted = accepted.join(existing, on=key, how="anti")
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
    withdrawn = where.join(parsed.withdrawn, on=key)  # stored incidents a reversal withdraws
    if withdrawn.height:
        moved.append(
            as_quarantine(
                store.rows(withdrawn)
                .join(withdrawn.select(*key, "detail"), on=key)
                .with_columns(pl.lit(None, pl.UInt32).alias(FILE)),
                "reversed",
                pl.format("{} ({})", pl.col("detail"), pl.lit(ingest_id)),
            )
        )
        remove = pl.concat([remove, withdrawn.select(KEY_SCHEMA.names())])
    renet = where.join(parsed.renet.select(*key, NET), on=key)
    return accepted, moved, remove, renet


def _dedupe_batch(accepted: pl.DataFrame, fmt: Format) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """Keep one row per (force, incident_id) within the batch: the first or the last, per format."""
    key = ["force", "incident_id"]
    # Candidates first, by a 64-bit hash of the id (this process's hash, used only to narrow the
    # search, never stored); the exact rule then runs on the few candidate rows.
    hashed = accepted["incident_id"].hash()
    ordered = np.sort(hashed.to_numpy())  # numpy's integer sort: faster than a hash table here
    repeated = ordered[1:][ordered[1:] == ordered[:-1]]
    if not len(repeated):  # no id twice: the usual case
        return accepted, []
    maybe = hashed.is_in(pl.Series(repeated).implode())
    keep_mask = (
        pl.struct(key).is_first_distinct()
        if fmt.keep == "first"
        else pl.struct(key).is_last_distinct()
    )
    # Only rows whose id repeats (few) need the precise per-force first/last rule.
    indexed = accepted.with_row_index("_i")
    candidates = (
        indexed.filter(maybe).filter(pl.struct(key).is_duplicated()).with_columns(_keep=keep_mask)
    )
    losing = candidates.filter(~pl.col("_keep"))
    if losing.height == 0:
        return accepted, []
    kept = _without_rows(accepted, losing["_i"].to_numpy())
    winner = candidates.filter(pl.col("_keep")).select(*key, pl.col("source").alias("_winner"))
    losers = losing.drop("_keep", "_i").join(winner, on=key)
    reason = "duplicate_incident_id" if fmt.keep == "first" else "superseded"
    verb = "first seen at" if fmt.keep == "first" else "replaced by the later record at"
    detail = pl.format("incident id {} {}", pl.lit(verb), pl.col("_winner"))
    return kept, [as_quarantine(losers, reason, detail)]


def _without_rows(frame: pl.DataFrame, rows: NDArray[np.uint32]) -> pl.DataFrame:
    """`frame` less the rows at the given positions, in order.

    A few rows go as slices around them (no copy of the rest); many, by a filter.
    """
    if len(rows) > _MAX_CUTS:
        keep = np.ones(frame.height, dtype=np.bool_)
        keep[rows] = False
        return frame.filter(pl.Series(keep))
    cuts = np.unique(rows).tolist()
    starts = [0] + [r + 1 for r in cuts]
    ends = [*cuts, frame.height]
    return pl.concat([frame.slice(a, b - a) for a, b in zip(starts, ends, strict=True)])


def _force_infos(
    store: Store, accepted: pl.DataFrame, names: dict[str, str], fmt: Format
) -> dict[str, ForceInfo]:
    """Each force's CRS: as already stored, else the format's, else chosen from the data."""
    infos: dict[str, ForceInfo] = {}
    for slug in accepted["force"].unique().sort().to_list():
        if slug in store.manifest.forces:
            infos[slug] = store.manifest.forces[slug]
            continue
        crs = fmt.store_crs
        if crs is None:
            pts = accepted.filter(pl.col("force") == slug).drop_nulls(["lon", "lat"])
            crs = choose_crs(pts["lon"].to_numpy(), pts["lat"].to_numpy()) if pts.height else WGS84
        infos[slug] = ForceInfo(slug, names.get(slug, slug), crs, fmt.timezone)
    return infos


def _project(accepted: pl.DataFrame, forces: dict[str, ForceInfo]) -> pl.DataFrame:
    """Fill x/y (metres in each force's CRS) from lon/lat, each distinct point projected once."""
    if accepted["force"].n_unique() <= 1:  # one force, the usual case: no need to split the rows
        parts = {(accepted["force"].first(),): accepted} if accepted.height else {}
    else:
        parts = accepted.partition_by("force", as_dict=True, maintain_order=True)
    projected = []
    for slug, frame in parts.items():
        info = forces[str(slug[0])]
        if info.crs == WGS84:
            projected.append(frame)
            continue
        # Only the coordinates go through the join: the other columns are not copied.
        xy = transform_columns(
            frame.select("lon", "lat"), ("lon", "lat"), ("x", "y"), WGS84, info.crs
        )
        projected.append(frame.with_columns(xy["x"], xy["y"]))
    return pl.concat(projected) if projected else accepted
