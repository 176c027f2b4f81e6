"""Streaming ingest of a force's own export (`mapping.MappedFormat`), in bounded memory.

A force export's reversals and re-issues order every record of an incident over the whole input
(by the mapping's `order` column, then file and row), starting from the net count the store
holds. The whole records are not needed for that: `MappedFormat.resolve` reads a few columns
(`mapping.RESOLUTION_COLUMNS`), and every rule is per incident. So the ingest takes its input in
three steps, the first and last on the worker pool of `stream.py`:

1. `check_batch`, per batch of files: read, apply the row rules (`MappedFormat.check`), stage
   the rows that fail in quarantine form, those that pass whole (sorted by month), and what
   the rules read of them (`held_records`, sorted by a hash of the incident's key, `_part`),
   with files numbered across the whole input.
2. This process reads those records back a group of parts at a time (`_groups`: every record
   of an incident, from every batch, with its stored net), resolves the rules exactly as the
   whole-input path does (the same function) and sets them against the store
   (`store_rules.against_store`), and stages what it decided for each row (kept with its net,
   or moved with a reason), sorted by month. It keeps counts only; a force new to the store
   has its CRS chosen from the exact median of the kept rows' coordinates, read back a file at
   a time (`chunked_median`).
3. `finish_bucket`, per bucket of consecutive months of about a batch's rows: read those
   months' rows and decisions back (other row groups skipped by their statistics), keep the
   records kept, quarantine the others, project and stage one part per force-month. A
   force-month's rows come from every batch (an old crime is reported late), so buckets, not
   batches, write each partition once.

One manifest commit (`StoreWriter.commit_staged`) then publishes the parts, the quarantine and
the removals and new net counts of stored incidents; until it, nothing the store lists changes,
and a failure, a kill or Ctrl-C leaves it as it was (`stream.staged_ingest`). Memory is a
batch's, a group's or a bucket's, whatever the input's size, but for the stored keys of the
force (`Store.keys`, read once to resolve against), which grow with the store.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from itertools import accumulate
from pathlib import Path

import numpy as np
import polars as pl
from numpy.typing import NDArray

from streetlight.ingest.batch import parse_files, project
from streetlight.ingest.checks import FILE, ROW
from streetlight.ingest.mapping import RESOLUTION_COLUMNS, MappedFormat, Resolution
from streetlight.ingest.plan import file_size, plan_batches
from streetlight.ingest.report import IngestReport
from streetlight.ingest.seen import key_hash
from streetlight.ingest.sources import SourceFile
from streetlight.ingest.stage import (
    BatchJob,
    FileOutcome,
    load_batch,
    stage_parts,
    store_sources,
    write_quarantine,
    write_staged,
)
from streetlight.ingest.store_rules import (
    DUPLICATE_OF_STORED,
    StoreEffects,
    against_store,
    force_infos,
)
from streetlight.ingest.stream import (
    Pool,
    parsed,
    report_files,
    run_jobs,
    same_bytes,
    staged_ingest,
    worker_pool,
)
from streetlight.progress import Progress
from streetlight.store.manifest import ForceInfo
from streetlight.store.schema import NET, QUARANTINE_SCHEMA
from streetlight.store.store import StagedChangeset, StagedPart, Store, StoreWriter

_KEY = ["force", "incident_id"]
_AT = [FILE, ROW]
# Rows in a row group of a staged rows file: small, so that reading one bucket's months skips
# the groups of others (by their statistics), large enough to compress well.
_ROW_GROUP = 8192
# Parts of the input's records by incident (`_part`), and the rows resolved at a time: the
# resolution's working memory (about 450 bytes a row) stays near 180 MB for inputs of up to
# 400 million rows (a part alone then holds more).
_PARTS = 1024
_RESOLVE_ROWS = 400_000
# Bins of the histogram that finds a new force's median coordinates (`chunked_median`).
_BINS = 1 << 16


@dataclass
class CheckedBatch:
    """A batch after the row rules (`check_batch`), as the parent needs it."""

    index: int
    # Per file: rows read, and rows quarantined by the row rules (the rest is decided later).
    files: list[FileOutcome]
    # Staged: what the rules read of the rows that passed (`held_records`), by `_part`; and
    # how many rows each part has (to plan the groups).
    held: Path | None
    part_rows: NDArray[np.int64]
    # The label of each file read (by its number), for details that name a record.
    labels: dict[int, str]
    # Staged: the rows that passed, whole, by force and month; those that failed, quarantined.
    rows: Path | None
    rejected: Path | None
    reasons: dict[str, int]
    force_names: dict[str, str]
    bytes_read: int
    # The force-months the staged rows hold (to read only the files a month's rows are in).
    months: frozenset[tuple[str, date]] = frozenset()

    # A `progress.Step`: the bar's total is the input's bytes; its rate, rows.
    @property
    def progress_units(self) -> int:
        return self.bytes_read

    @property
    def progress_rows(self) -> int:
        return sum(f.rows_read for f in self.files)


def check_batch(job: BatchJob, known: frozenset[str] | None = None) -> CheckedBatch:
    """Pass 1 on one batch, in any process (see the module docstring)."""
    fmt = job.fmt
    if not isinstance(fmt, MappedFormat):
        raise TypeError(f"check_batch needs a MappedFormat, not {type(fmt).__name__}")
    files_read = load_batch(job, store_sources(known))
    batch = parse_files(fmt, files_read.raws, None, rules=fmt.check)
    bad = dict(batch.quarantine.group_by(FILE).len().iter_rows())
    files = files_read.files({}, bad, batch.notes)
    # `_file` indexes the tables parsed: renumbered as the files' places in the whole input.
    number = [job.first + i for i in files_read.place]
    labels = {n: raw.label for n, raw in zip(number, files_read.raws, strict=True)}
    rows, held, months = None, None, frozenset[tuple[str, date]]()
    part_rows = np.zeros(_PARTS, dtype=np.int64)
    if batch.accepted.height:
        accepted = batch.accepted.with_columns(
            pl.col(FILE).replace_strict(
                pl.Series(range(len(number)), dtype=pl.UInt32),
                pl.Series(number, dtype=pl.UInt32),
                return_dtype=pl.UInt32,
            )
        ).sort("force", "month", maintain_order=True)
        rows = job.staging / f"b{job.index:06d}-rows.parquet"
        # Sorted, in small row groups: a month's rows are read back without the others.
        write_staged(accepted, rows, row_group_size=_ROW_GROUP)
        records = held_records(accepted)
        held = job.staging / f"b{job.index:06d}-held.parquet"
        write_staged(records, held, row_group_size=_ROW_GROUP)
        part_rows = np.bincount(records["_part"].to_numpy(), minlength=_PARTS).astype(np.int64)
        months = frozenset(accepted.select("force", "month").unique().iter_rows())
    rejected = None
    if batch.quarantine.height:
        rejected = job.staging / f"b{job.index:06d}-rejected.parquet"
        write_quarantine(batch.quarantine.sort(FILE, "row"), job.ingest_id, rejected)
    return CheckedBatch(
        job.index,
        files,
        held,
        part_rows,
        labels,
        rows,
        rejected,
        dict(batch.quarantine.group_by("reason").len().iter_rows()),
        dict(batch.parsed.force_names),
        files_read.bytes_read,
        months,
    )


def held_records(accepted: pl.DataFrame) -> pl.DataFrame:
    """What the rules read of each checked row: the resolution columns, the month (to write
    each partition once) and the coordinates (to choose a new force's CRS), but the force (the
    mapping's one), with the incident's `_part`, by part: staged, and read back a group of parts
    at a time (`_groups`). About 60 bytes a row (see benchmarks/bench_mapped_ingest.py)."""
    return (
        accepted.select(*RESOLUTION_COLUMNS, "month", "lon", "lat", _part())
        .drop("force")
        .sort("_part", maintain_order=True)
    )


@dataclass(frozen=True)
class Bucket:
    """Consecutive months of one force, about a batch's rows in all (`_buckets`)."""

    force: str
    first: date
    last: date


@dataclass(frozen=True)
class FinishJob:
    """Pass 3 on one bucket of months: the staged files that hold its rows, and those of the
    resolution (the records kept and moved, `_Outcome`)."""

    index: int
    bucket: Bucket
    rows: tuple[Path, ...]
    kept: tuple[Path, ...]
    moved: tuple[Path, ...]
    forces: dict[str, ForceInfo]
    root: Path
    staging: Path
    ingest_id: str


@dataclass(frozen=True)
class FinishedBucket:
    """A bucket's staged parts (one per force-month) and quarantine file."""

    parts: list[StagedPart]
    quarantine: Path | None


def finish_bucket(job: FinishJob, known: frozenset[str] | None = None) -> FinishedBucket:
    """Pass 3 on one bucket, in any process (see the module docstring). Each force-month is in
    one bucket, so its part is written once, and published as it is where the store has none.
    (`known` is unused: the signature is `stream.run_jobs`'s.)"""
    b = job.bucket
    mine = (pl.col("force") == b.force) & pl.col("month").is_between(b.first, b.last)

    def read(paths: tuple[Path, ...], *columns: str) -> pl.DataFrame:
        return pl.scan_parquet(list(paths)).filter(mine).select(*columns).collect()

    share = Resolution(
        read(job.kept, *_AT, NET),
        read(job.moved, *_AT, "_reason", "_detail"),
        _nothing().withdrawn,
        _nothing().renet,
    )
    kept, moved = share.apply(pl.scan_parquet(list(job.rows)).filter(mine).collect())
    parts = stage_parts(project(kept, job.forces), job.root, job.ingest_id, job.index)
    quarantine = None
    if moved.height:
        quarantine = job.staging / f"m{job.index:06d}-quarantine.parquet"
        write_quarantine(moved.sort(FILE, "row"), job.ingest_id, quarantine)
    return FinishedBucket(parts, quarantine)


def stream_mapped(
    files: Sequence[SourceFile],
    store: Store,
    writer: StoreWriter,
    fmt: MappedFormat,
    report: IngestReport,
    progress: Progress,
    batch_bytes: int,
    workers: int,
) -> None:
    """Ingest a force export's `files` in passes over batches (see the module docstring),
    filling in `report`. Runs under `writer`; commits once, or not at all on any error."""
    with staged_ingest(store, report.ingest_id) as staging:
        batches = plan_batches(files, batch_bytes, together=False)
        firsts = [0, *accumulate(len(b) for b in batches)][:-1]
        crs = {slug: info.crs for slug, info in store.manifest.forces.items()}
        jobs = [
            BatchJob(i, batch, store.root, staging, report.ingest_id, fmt, crs, first)
            for i, (batch, first) in enumerate(zip(batches, firsts, strict=True))
        ]
        known = frozenset(store.manifest.source_hashes())
        stored_crs = next((crs[f] for f in fmt.forces or () if f in crs), None)
        total = max(sum(file_size(f) for f in files), 1)
        with worker_pool(len(jobs), known, stored_crs, workers) as pool:
            checked = _check_all(jobs, known, pool, progress, total)
            outcome = _Outcome.resolve(checked, store, fmt, staging, report.ingest_id)
            budget = _bucket_rows(checked, batch_bytes)
            finish = outcome.finish_jobs(checked, budget, store, staging, report.ingest_id)
            finished = list(run_jobs(finish, finish_bucket, known, pool))
        change = outcome.changeset(checked, jobs, finished, staging, report)
        if change.sources:
            writer.commit_staged(change)


def _check_all(
    jobs: list[BatchJob],
    known: frozenset[str],
    pool: Pool | None,
    progress: Progress,
    total: int,
) -> list[CheckedBatch]:
    """Pass 1 over every batch, in order. A file whose bytes an earlier batch read is dropped
    as a whole ingest drops it: its batch is checked again, here, without it (rare)."""
    first_by_hash: dict[str, str] = {}
    checked = []
    results = run_jobs(jobs, check_batch, known, pool)
    for job, result in zip(jobs, progress(results, total), strict=True):
        if any(parsed(f) and f.sha256 in first_by_hash for f in result.files):
            for path in (result.rows, result.rejected):
                if path is not None:
                    path.unlink(missing_ok=True)
            again = check_batch(job, known | frozenset(first_by_hash))
            result = replace(again, files=same_bytes(again.files, first_by_hash, known))
        for f in result.files:
            if parsed(f):
                first_by_hash[f.sha256] = f.name
        checked.append(result)
    return checked


@dataclass(frozen=True)
class _Outcome:
    """The cross-file rules decided for the whole input (this process's share of the work).

    What they decide for each row is staged, a group of incidents a file (`kept`, `moved`),
    sorted by month; this process keeps counts only, so its memory does not grow with the
    input's rows.
    """

    # Staged, per group: the records kept (file, row, force, month, lon, lat, net) and moved
    # (file, row, force, month, reason, detail).
    kept: tuple[Path, ...]
    moved: tuple[Path, ...]
    # Records kept and moved per file (by its number), rows moved per reason, and rows kept or
    # moved per force-month (force, month, len).
    accepted: dict[int, int]
    moved_by_file: dict[int, int]
    reasons: dict[str, int]
    months: pl.DataFrame
    remove: pl.DataFrame
    renet: pl.DataFrame
    # Stored rows moved to the quarantine (superseded or withdrawn), in quarantine form.
    stored_moved: pl.DataFrame
    forces: dict[str, ForceInfo]
    # The forces the store held before the ingest (the others are new to it).
    stored_forces: frozenset[str]

    @classmethod
    def resolve(
        cls,
        checked: list[CheckedBatch],
        store: Store,
        fmt: MappedFormat,
        staging: Path,
        ingest_id: str,
    ) -> _Outcome:
        """`MappedFormat.resolve` over every batch's resolution columns, then the store, a
        group of incidents at a time (`_groups`), each group's outcome staged."""
        stored = store.keys(fmt.forces or ())
        labels = {n: label for c in checked for n, label in c.labels.items()}
        accepted: Counter[int] = Counter()
        moved: Counter[int] = Counter()
        reasons: Counter[str] = Counter()
        months, effects, kept_files, moved_files = [], [], [], []
        kept_forces: set[str] = set()
        groups = _groups(checked, stored, fmt.mapping.force)
        for i, (records, held) in enumerate(groups):
            decided = _decide(fmt, store, ingest_id, records, held, labels)
            del records
            kept, gone = decided.resolution.kept, decided.resolution.moved
            accepted.update(dict(kept.group_by(FILE).len().iter_rows()))
            kept_forces.update(kept["force"].unique().to_list())
            moved.update(dict(gone.group_by(FILE).len().iter_rows()))
            reasons.update(dict(gone.group_by("_reason").len().iter_rows()))
            rows = pl.concat([kept.select("force", "month"), gone.select("force", "month")])
            months.append(rows.group_by("force", "month").len())
            kept_files.append(staging / f"g{i:06d}-kept.parquet")
            moved_files.append(staging / f"g{i:06d}-moved.parquet")
            for frame, path in ((kept, kept_files[-1]), (gone, moved_files[-1])):
                # By month, in small row groups: a bucket's months are read without the rest.
                write_staged(frame.sort("force", "month"), path, row_group_size=_ROW_GROUP)
            effects.append(decided.effects)
        empty = _decide(fmt, store, ingest_id, None, stored.clear(), labels)
        effects = effects or [empty.effects]
        names = {k: v for c in checked for k, v in c.force_names.items()}
        empty_counts = empty.resolution.kept.group_by("force", "month").len()
        counts = pl.concat([empty_counts, *months]).group_by("force", "month").agg(pl.sum("len"))
        counts = counts.sort("force", "month")

        def centre(slug: str) -> tuple[float, float] | None:
            """The median lon and lat of the force's records kept, read back from the staged
            outcome a file at a time (`chunked_centre`)."""
            only = None if len(kept_forces) == 1 else slug
            return chunked_centre(kept_files, only)

        stored_moved = [frame for e in effects for frame in e.moved]
        return cls(
            tuple(kept_files),
            tuple(moved_files),
            dict(accepted),
            dict(moved),
            dict(reasons),
            counts,
            pl.concat([e.remove for e in effects]),
            pl.concat([e.renet for e in effects]),
            (
                pl.concat(stored_moved, how="vertical_relaxed")
                if stored_moved
                else pl.DataFrame(schema=QUARANTINE_SCHEMA)
            ),
            force_infos(store, sorted(kept_forces), names, fmt, centre),
            frozenset(store.manifest.forces),
        )

    def finish_jobs(
        self,
        checked: list[CheckedBatch],
        budget: int,
        store: Store,
        staging: Path,
        ingest_id: str,
    ) -> list[FinishJob]:
        """Pass 3's jobs: buckets of months of about `budget` rows, each with the staged files
        that hold its months' rows and the resolution's."""
        jobs = []
        for i, bucket in enumerate(_buckets(self.months, budget)):
            files = tuple(
                c.rows
                for c in checked
                if c.rows is not None
                and any(f == bucket.force and bucket.first <= m <= bucket.last for f, m in c.months)
            )
            jobs.append(
                FinishJob(
                    i,
                    bucket,
                    files,
                    self.kept,
                    self.moved,
                    self.forces,
                    store.root,
                    staging,
                    ingest_id,
                )
            )
        return jobs

    def changeset(
        self,
        checked: list[CheckedBatch],
        jobs: list[BatchJob],
        finished: list[FinishedBucket],
        staging: Path,
        report: IngestReport,
    ) -> StagedChangeset:
        """Fill in `report` and say what to publish."""
        ok, moved = self.accepted, self.moved_by_file
        files = [
            replace(f, accepted=ok.get(n, 0), quarantined=f.quarantined + moved.get(n, 0))
            if parsed(f)
            else f
            for c, job in zip(checked, jobs, strict=True)
            for n, f in enumerate(c.files, start=job.first)
        ]
        reasons: Counter[str] = Counter()
        for c in checked:
            reasons.update(c.reasons)
        reasons.update(self.reasons)
        reasons.update(dict(self.stored_moved.group_by("reason").len().iter_rows()))
        quarantine = [c.rejected for c in checked if c.rejected is not None]
        quarantine += [b.quarantine for b in finished if b.quarantine is not None]
        if self.stored_moved.height:
            path = staging / "stored-quarantine.parquet"
            write_quarantine(self.stored_moved, report.ingest_id, path)
            quarantine.append(path)
        records = report_files(files, report)
        report.reasons.update(reasons)
        return StagedChangeset(
            report.ingest_id,
            tuple(p for b in finished for p in b.parts),
            tuple(quarantine),
            sum(reasons.values()),
            records,
            tuple(info for info in self.forces.values() if info.slug not in self.stored_forces),
            dict(reasons),
            remove=self.remove,
            renet=self.renet,
        )


def _part() -> pl.Expr:
    """The number of an incident's part (of `_PARTS`), from a hash of its key: every record of
    an incident is in the part of the same number, in every batch and in the store."""
    return (key_hash() % _PARTS).cast(pl.UInt16).alias("_part")


def _groups(
    checked: list[CheckedBatch], stored: pl.DataFrame, force: str
) -> Iterator[tuple[pl.DataFrame, pl.DataFrame]]:
    """Every batch's staged records (with their `force`) and the stored keys in groups of
    consecutive parts (`_part`) of up to `_RESOLVE_ROWS` rows: the rules are per incident, so a
    group resolves alone, and the memory they need is a group's, not the whole input's."""
    paths = [c.held for c in checked if c.held is not None]
    sizes = np.zeros(_PARTS, dtype=np.int64)
    for c in checked:
        sizes += c.part_rows
    held = stored.with_columns(_part())
    groups: list[list[int]] = []
    size = _RESOLVE_ROWS
    for k in np.flatnonzero(sizes).tolist():
        if size + sizes[k] > _RESOLVE_ROWS:
            groups.append([])
            size = 0
        groups[-1].append(k)
        size += int(sizes[k])
    for group in groups:
        mine = pl.col("_part").is_between(group[0], group[-1])
        records = pl.scan_parquet(paths).filter(mine).collect()
        yield records.with_columns(force=pl.lit(force)).drop("_part"), held.filter(mine)


@dataclass(frozen=True)
class _Decided:
    """One group's resolution (slim: file, row, force, month) and its effects on the store."""

    resolution: Resolution
    effects: StoreEffects


def _decide(
    fmt: MappedFormat,
    store: Store,
    ingest_id: str,
    records: pl.DataFrame | None,
    held: pl.DataFrame,
    labels: dict[int, str],
) -> _Decided:
    """The rules over one group's records (`_groups`) and their stored keys `held`: the
    format's (`MappedFormat.resolve`), then the store's (`against_store`), as the whole-input
    path runs them."""
    resolution = fmt.resolve(records, held, labels) if records is not None else _nothing()
    effects = against_store(
        ingest_id,
        store,
        fmt.keep,
        resolution.kept.select(_KEY),
        held,
        resolution.withdrawn,
        resolution.renet,
    )
    kept = resolution.kept
    moved = resolution.moved.select(*_AT, "force", "month", "_reason", "_detail")
    if effects.duplicates.height:  # first wins, and the first is stored
        dupes = kept.join(effects.duplicates, on=_KEY).select(
            *_AT,
            "force",
            "month",
            pl.lit("duplicate_incident_id").alias("_reason"),
            DUPLICATE_OF_STORED.alias("_detail"),
        )
        kept = kept.join(effects.duplicates, on=_KEY, how="anti")
        moved = pl.concat([moved, dupes])
    slim = Resolution(
        kept.select(*_AT, "force", "month", "lon", "lat", NET),
        moved,
        resolution.withdrawn.clear(),
        resolution.renet.clear(),
    )
    return _Decided(slim, effects)


def chunked_centre(paths: Sequence[Path], force: str | None) -> tuple[float, float] | None:
    """`store_rules.centre_of` over the lon/lat of Parquet files (of one `force`, when given),
    exactly, holding one file's points at a time (`chunked_median`)."""

    def column(i: int) -> Callable[[], Iterator[NDArray[np.float64]]]:
        def chunks() -> Iterator[NDArray[np.float64]]:
            for path in paths:
                scan = pl.scan_parquet(path)
                if force is not None:
                    scan = scan.filter(pl.col("force") == force)
                finite = pl.col("lon").is_finite() & pl.col("lat").is_finite()
                both = scan.select("lon", "lat").filter(finite).collect()
                yield both.get_column(("lon", "lat")[i]).to_numpy()

        return chunks

    lon, lat = chunked_median(column(0)), chunked_median(column(1))
    return None if lon is None or lat is None else (lon, lat)


def chunked_median(chunks: Callable[[], Iterator[NDArray[np.float64]]]) -> float | None:
    """`np.median` of the values `chunks()` yields, exactly, holding a chunk at a time.

    A histogram of `_BINS` equal bins over the values' range finds the bins of the middle
    values (a bin's values all lie above the earlier bins': the bin of a value never decreases
    as it grows), and only those bins' values are then held, sorted and counted into.
    """
    low, high, n = np.inf, -np.inf, 0
    for values in chunks():
        if len(values):
            low, high, n = min(low, values.min()), max(high, values.max()), n + len(values)
    if n == 0:
        return None
    span = high - low

    def bins(values: NDArray[np.float64]) -> NDArray[np.int64]:
        if span == 0:
            return np.zeros(len(values), dtype=np.int64)
        at = np.floor((values - low) / span * _BINS).astype(np.int64)
        return np.minimum(at, _BINS - 1)

    counts = np.zeros(_BINS, dtype=np.int64)
    for values in chunks():
        counts += np.bincount(bins(values), minlength=_BINS)
    ends = np.cumsum(counts)
    ranks = sorted({(n - 1) // 2, n // 2})  # the middle one, or the middle two
    where = [int(np.searchsorted(ends, k, side="right")) for k in ranks]
    held: dict[int, list[NDArray[np.float64]]] = {b: [] for b in where}
    for values in chunks():
        at = bins(values)
        for b in held:
            held[b].append(values[at == b])
    middle = []
    for k, b in zip(ranks, where, strict=True):
        inside = np.sort(np.concatenate(held[b]))
        middle.append(inside[k - (ends[b] - counts[b])])
    return float(np.mean(middle))


def _bucket_rows(checked: list[CheckedBatch], batch_bytes: int) -> int:
    """Rows a bucket of pass 3 may hold: as many as a batch of `batch_bytes` read."""
    rows = sum(c.progress_rows for c in checked)
    read = sum(c.bytes_read for c in checked)
    return max(1, batch_bytes * rows // max(read, 1))


def _buckets(counts: pl.DataFrame, budget: int) -> list[Bucket]:
    """Runs of consecutive months of a force (`counts`: force, month, len; sorted) of up to
    `budget` rows each (a bigger month alone)."""
    buckets: list[Bucket] = []
    current: list[tuple[str, date]] = []
    size = 0
    for force, month, n in counts.iter_rows():
        if current and (force != current[0][0] or size + n > budget):
            buckets.append(Bucket(current[0][0], current[0][1], current[-1][1]))
            current, size = [], 0
        current.append((force, month))
        size += n
    if current:
        buckets.append(Bucket(current[0][0], current[0][1], current[-1][1]))
    return buckets


def _nothing() -> Resolution:
    """The resolution of an input without a record that passed the row rules."""
    at = {FILE: pl.UInt32, ROW: pl.Int64}
    key = {"force": pl.String, "incident_id": pl.String}
    return Resolution(
        pl.DataFrame(
            schema={
                **key,
                **at,
                "month": pl.Date,
                "lon": pl.Float64,
                "lat": pl.Float64,
                NET: pl.Int32,
            }
        ),
        pl.DataFrame(
            schema={
                **at,
                "force": pl.String,
                "month": pl.Date,
                "_reason": pl.String,
                "_detail": pl.String,
            }
        ),
        pl.DataFrame(schema={**key, "detail": pl.String}),
        pl.DataFrame(schema={**key, NET: pl.Int32}),
    )
