"""Streaming ingest of a force's own export (`mapping.MappedFormat`), in bounded memory.

A force export's reversals and re-issues order every record of an incident over the whole input
(by the mapping's `order` column, then file and row), starting from the net count the store
holds. The whole records are not needed for that: `MappedFormat.resolve` reads a few columns
(`mapping.RESOLUTION_COLUMNS`, plus the month here: about 41 bytes a row, against 177 for the
checked row and about 1.5 KB a row that the whole-input path holds at its peak). So the ingest takes its input in three
steps, the first and last on the worker pool of `stream.py`:

1. `check_batch`, per batch of files: read, apply the row rules (`MappedFormat.check`), stage
   the rows that fail in quarantine form and those that pass whole, sorted by month; send back
   only their resolution columns, with files numbered across the whole input.
2. This process resolves the rules over those columns of every batch and the stored keys, at
   once, exactly as the whole-input path does (the same function), then against the store
   (`store_rules.against_store`), and chooses the CRS of a force new to the store from the
   records kept.
3. `finish_bucket`, per bucket of consecutive months of about a batch's rows: read those
   months' rows back from the staged files (their other row groups skipped), keep the records
   the resolution kept with their net count, quarantine the others with their reason, project
   and stage one part per force-month. A force-month's rows come from every batch (an old crime
   is reported late), so buckets, not batches, write each partition once.

One manifest commit (`StoreWriter.commit_staged`) then publishes the parts, the quarantine and
the removals and new net counts of stored incidents; until it, nothing the store lists changes,
and a failure, a kill or Ctrl-C leaves it as it was (`stream.staged_ingest`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from itertools import accumulate
from pathlib import Path

import polars as pl

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
# resolution's working memory (about 200 bytes a row) stays near 200 MB at any input size.
_PARTS = 64
_RESOLVE_ROWS = 400_000


@dataclass
class CheckedBatch:
    """A batch after the row rules (`check_batch`), as the parent needs it."""

    index: int
    # Per file: rows read, and rows quarantined by the row rules (the rest is decided later).
    files: list[FileOutcome]
    # The resolution columns and month of the rows that passed (`_file` numbered across the
    # ingest), but the force (the mapping's one), with its incident's `_part`.
    records: pl.DataFrame | None
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
    rows, records, months = None, None, frozenset[tuple[str, date]]()
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
        months = frozenset(accepted.select("force", "month").unique().iter_rows())
    rejected = None
    if batch.quarantine.height:
        rejected = job.staging / f"b{job.index:06d}-rejected.parquet"
        write_staged(_quarantined(batch.quarantine, job.ingest_id), rejected)
    return CheckedBatch(
        job.index,
        files,
        records,
        labels,
        rows,
        rejected,
        dict(batch.quarantine.group_by("reason").len().iter_rows()),
        dict(batch.parsed.force_names),
        files_read.bytes_read,
        months,
    )


def held_records(accepted: pl.DataFrame) -> pl.DataFrame:
    """What this process holds of each checked row until the rules are resolved: the
    resolution columns and month, but the force (the mapping's one), with the incident's
    `_part` (41 bytes a row by polars' estimate on the St. Louis export, some 70 resident with
    the allocator's overhead; see benchmarks/bench_mapped_ingest.py)."""
    return accepted.select(*RESOLUTION_COLUMNS, "month", _part()).drop("force")


def _quarantined(rows: pl.DataFrame, ingest_id: str) -> pl.DataFrame:
    """Rows in quarantine form (`as_quarantine`, `quarantine_rows`) as the store keeps them."""
    return (
        rows.sort(FILE, "row")
        .with_columns(ingest_id=pl.lit(ingest_id))
        .select(QUARANTINE_SCHEMA.names())
    )


@dataclass(frozen=True)
class Bucket:
    """Consecutive months of one force, about a batch's rows in all (`_buckets`)."""

    force: str
    first: date
    last: date


@dataclass(frozen=True)
class FinishJob:
    """Pass 3 on one bucket of months: the staged files that hold its rows, and its share of
    the resolution."""

    index: int
    bucket: Bucket
    rows: tuple[Path, ...]
    resolution: Resolution
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
    rows = (
        pl.scan_parquet(list(job.rows))
        .filter((pl.col("force") == b.force) & pl.col("month").is_between(b.first, b.last))
        .collect()
    )
    kept, moved = job.resolution.apply(rows)
    del rows
    parts = stage_parts(project(kept, job.forces), job.root, job.ingest_id, job.index)
    quarantine = None
    if moved.height:
        quarantine = job.staging / f"m{job.index:06d}-quarantine.parquet"
        write_staged(_quarantined(moved, job.ingest_id), quarantine)
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
            outcome = _Outcome.resolve(checked, store, fmt, report.ingest_id)
            budget = _bucket_rows(checked, batch_bytes)
            finish = outcome.finish_jobs(checked, budget, store, staging, report.ingest_id)
            outcome = replace(outcome, resolution=_nothing())  # the jobs hold its shares
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
    """The cross-file rules decided for the whole input (this process's share of the work)."""

    # The records kept and moved by file and row, force and month (the ids no longer needed).
    resolution: Resolution
    # Records kept and moved per file (by its number), and rows moved per reason.
    accepted: dict[int, int]
    moved: dict[int, int]
    reasons: dict[str, int]
    remove: pl.DataFrame
    renet: pl.DataFrame
    # Stored rows moved to the quarantine (superseded or withdrawn), in quarantine form.
    stored_moved: pl.DataFrame
    forces: dict[str, ForceInfo]
    # The forces the store held before the ingest (the others are new to it).
    stored_forces: frozenset[str]

    @classmethod
    def resolve(
        cls, checked: list[CheckedBatch], store: Store, fmt: MappedFormat, ingest_id: str
    ) -> _Outcome:
        """`MappedFormat.resolve` over every batch's resolution columns, then the store, a
        group of incidents at a time (`_groups`); what is kept of each group is slim (file,
        row, force, month), so the ids are never all held with the rules' working columns."""
        stored = store.keys(fmt.forces or ())
        labels = {n: label for c in checked for n, label in c.labels.items()}
        decided = [
            _decide(fmt, store, ingest_id, records, held, labels)
            for records, held in _groups(checked, stored, fmt.mapping.force)
        ]
        for c in checked:
            c.records = None
        if not decided:
            decided = [_decide(fmt, store, ingest_id, None, stored.clear(), labels)]
        kept = pl.concat([d.resolution.kept for d in decided])
        moved = pl.concat([d.resolution.moved for d in decided])
        names = {k: v for c in checked for k, v in c.force_names.items()}
        staged_rows = [str(c.rows) for c in checked if c.rows is not None]

        def points(slug: str) -> pl.DataFrame:
            """The lon/lat of the force's records kept, read back from the staged rows."""
            wanted = kept.filter(pl.col("force") == slug).select(_AT).lazy()
            scan = pl.scan_parquet(staged_rows).select(*_AT, "lon", "lat")
            return scan.join(wanted, on=_AT, how="semi").select("lon", "lat").collect()

        slugs = kept["force"].unique().to_list()
        stored_moved = [frame for d in decided for frame in d.effects.moved]
        return cls(
            Resolution(kept, moved, decided[0].resolution.withdrawn, decided[0].resolution.renet),
            dict(kept.group_by(FILE).len().iter_rows()),
            dict(moved.group_by(FILE).len().iter_rows()),
            dict(moved.group_by("_reason").len().iter_rows()),
            pl.concat([d.effects.remove for d in decided]),
            pl.concat([d.effects.renet for d in decided]),
            (
                pl.concat(stored_moved, how="vertical_relaxed")
                if stored_moved
                else pl.DataFrame(schema=QUARANTINE_SCHEMA)
            ),
            force_infos(store, slugs, names, fmt, points),
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
        that hold its months' rows and its share of the resolution."""
        kept, moved = self.resolution.kept, self.resolution.moved
        counts = (
            pl.concat([kept.select("force", "month"), moved.select("force", "month")])
            .group_by("force", "month")
            .len()
            .sort("force", "month")
        )
        buckets, which = _buckets(counts, budget)
        kept_by = _split(kept, which)
        moved_by = _split(moved, which)
        jobs = []
        for i, bucket in enumerate(buckets):
            files = tuple(
                c.rows
                for c in checked
                if c.rows is not None
                and any(f == bucket.force and bucket.first <= m <= bucket.last for f, m in c.months)
            )
            share = Resolution(
                kept_by.get(i, kept.clear()).select(*_AT, NET),
                moved_by.get(i, moved.clear()).select(*_AT, "_reason", "_detail"),
                self.resolution.withdrawn.clear(),
                self.resolution.renet.clear(),
            )
            jobs.append(
                FinishJob(i, bucket, files, share, self.forces, store.root, staging, ingest_id)
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
        ok, moved = self.accepted, self.moved
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
            write_staged(
                self.stored_moved.with_columns(ingest_id=pl.lit(report.ingest_id)).select(
                    QUARANTINE_SCHEMA.names()
                ),
                path,
            )
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
    return (key_hash() % _PARTS).cast(pl.UInt8).alias("_part")


def _groups(
    checked: list[CheckedBatch], stored: pl.DataFrame, force: str
) -> Iterator[tuple[pl.DataFrame, pl.DataFrame]]:
    """Every batch's records (with their `force`) and the stored keys in groups of parts
    (`_part`) of up to `_RESOLVE_ROWS` rows: the rules are per incident, so a group resolves
    alone, and the memory the rules need beside the records is a group's, not the whole
    input's."""
    frames = [c.records for c in checked if c.records is not None]
    sizes: Counter[int] = Counter()
    for frame in frames:
        sizes.update(dict(frame["_part"].value_counts().iter_rows()))
    held = stored.with_columns(_part())
    groups: list[list[int]] = []
    size = _RESOLVE_ROWS
    for k in sorted(sizes):
        if size + sizes[k] > _RESOLVE_ROWS:
            groups.append([])
            size = 0
        groups[-1].append(k)
        size += sizes[k]
    for group in groups:
        mine = pl.col("_part").is_in(group)
        records = pl.concat([f.filter(mine) for f in frames]).with_columns(force=pl.lit(force))
        yield records.drop("_part"), held.filter(mine).drop("_part")


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
    kept, moved = resolution.kept, resolution.moved
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
        kept.select(*_AT, "force", "month", NET),
        moved.select(*_AT, "force", "month", "_reason", "_detail"),
        resolution.withdrawn.clear(),
        resolution.renet.clear(),
    )
    return _Decided(slim, effects)


def _bucket_rows(checked: list[CheckedBatch], batch_bytes: int) -> int:
    """Rows a bucket of pass 3 may hold: as many as a batch of `batch_bytes` read."""
    rows = sum(c.progress_rows for c in checked)
    read = sum(c.bytes_read for c in checked)
    return max(1, batch_bytes * rows // max(read, 1))


def _buckets(counts: pl.DataFrame, budget: int) -> tuple[list[Bucket], pl.DataFrame]:
    """Runs of consecutive months of a force (`counts`: force, month, len; sorted) of up to
    `budget` rows each (a bigger month alone); and each force-month with its run's index."""
    buckets: list[Bucket] = []
    index: list[int] = []
    current: list[tuple[str, date]] = []
    size = 0
    for force, month, n in counts.iter_rows():
        if current and (force != current[0][0] or size + n > budget):
            buckets.append(Bucket(current[0][0], current[0][1], current[-1][1]))
            current, size = [], 0
        current.append((force, month))
        size += n
        index.append(len(buckets))
    if current:
        buckets.append(Bucket(current[0][0], current[0][1], current[-1][1]))
    which = counts.select("force", "month").with_columns(
        pl.Series("_bucket", index, dtype=pl.UInt32)
    )
    return buckets, which


def _split(frame: pl.DataFrame, which: pl.DataFrame) -> dict[int, pl.DataFrame]:
    """`frame`'s rows by bucket (`which`: force, month, _bucket)."""
    if frame.height == 0:
        return {}
    tagged = frame.join(which, on=["force", "month"], how="left", maintain_order="left")
    return {
        int(key[0]): part.drop("_bucket")
        for key, part in tagged.partition_by("_bucket", as_dict=True, maintain_order=True).items()
    }


def _nothing() -> Resolution:
    """The resolution of an input without a record that passed the row rules."""
    at = {FILE: pl.UInt32, ROW: pl.Int64}
    key = {"force": pl.String, "incident_id": pl.String}
    return Resolution(
        pl.DataFrame(schema={**key, **at, "month": pl.Date, NET: pl.Int32}),
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
