"""Streaming ingest of a force's own export (`mapping.MappedFormat`), in bounded memory.

A force export's reversals and re-issues order every record of an incident over the whole input
(by the mapping's `order` column, then file and row), starting from the net count the store
holds. The whole records are not needed for that: `MappedFormat.resolve` reads a few columns
(`mapping.RESOLUTION_COLUMNS`: tens of bytes a row). So the ingest takes two passes over its
batches, both on the worker pool of `stream.py`:

1. `check_batch`: read a batch, apply the row rules (`MappedFormat.check`), stage the rows that
   pass whole and the rows that fail in quarantine form; send back only the rows' resolution
   columns, with files numbered across the whole input.
2. This process resolves the rules over those columns of every batch and the stored keys, at
   once, exactly as the whole-input path does (the same function), then against the store
   (`pipeline.against_store`), and chooses the CRS of a new force from the records kept.
3. `finish_batch`: read a batch's staged rows again, keep the records the resolution kept (with
   their net count), move the others to the quarantine with its reason, project and stage them
   per force-month.

One manifest commit (`StoreWriter.commit_staged`) then publishes the parts, the quarantine and
the removals and new net counts of stored incidents; until it, nothing the store lists changes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import accumulate
from pathlib import Path

import numpy as np
import polars as pl

from streetlight.ingest.batch import parse_files, project
from streetlight.ingest.checks import FILE, ROW
from streetlight.ingest.mapping import RESOLUTION_COLUMNS, MappedFormat, Resolution
from streetlight.ingest.plan import file_size, plan_batches
from streetlight.ingest.report import IngestReport
from streetlight.ingest.sources import SourceFile
from streetlight.ingest.stage import (
    BatchJob,
    FileOutcome,
    load_batch,
    stage_parts,
    store_sources,
    write_staged,
)
from streetlight.ingest.store_rules import DUPLICATE_OF_STORED, against_store, force_infos
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


@dataclass
class CheckedBatch:
    """A batch after the row rules (`check_batch`), as the parent needs it."""

    index: int
    # Per file: rows read, and rows quarantined by the row rules (the rest is decided later).
    files: list[FileOutcome]
    # The resolution columns of the rows that passed (`_file` numbered across the ingest).
    records: pl.DataFrame | None
    # The label of each file read (by its number), for details that name a record.
    labels: dict[int, str]
    # Staged: the rows that passed, whole; those that failed, in quarantine form.
    rows: Path | None
    rejected: Path | None
    reasons: dict[str, int]
    force_names: dict[str, str]
    bytes_read: int

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
    renumber = pl.col(FILE).replace_strict(
        pl.Series(range(len(number)), dtype=pl.UInt32),
        pl.Series(number, dtype=pl.UInt32),
        return_dtype=pl.UInt32,
    )
    rows, records = None, None
    if batch.accepted.height:
        accepted = batch.accepted.with_columns(renumber)
        rows = job.staging / f"b{job.index:06d}-rows.parquet"
        write_staged(accepted, rows)
        records = accepted.select(RESOLUTION_COLUMNS)
    rejected = None
    if batch.quarantine.height:
        rejected = job.staging / f"b{job.index:06d}-rejected.parquet"
        write_staged(batch.quarantine.with_columns(renumber), rejected)
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
    )


@dataclass(frozen=True)
class FinishJob:
    """Pass 3 on one batch: its staged files, and its share of the resolution."""

    index: int
    rows: Path | None
    rejected: Path | None
    resolution: Resolution
    forces: dict[str, ForceInfo]
    root: Path
    staging: Path
    ingest_id: str


@dataclass(frozen=True)
class FinishedBatch:
    """A batch's staged parts (per force-month) and quarantine file."""

    parts: list[StagedPart]
    quarantine: Path | None


def finish_batch(job: FinishJob, known: frozenset[str] | None = None) -> FinishedBatch:
    """Pass 3 on one batch, in any process (see the module docstring). `known` is unused: the
    signature is `stream.run_jobs`'s."""
    frames = [pl.read_parquet(job.rejected)] if job.rejected is not None else []
    parts: list[StagedPart] = []
    if job.rows is not None:
        kept, moved = job.resolution.apply(pl.read_parquet(job.rows))
        frames.append(moved)
        parts = stage_parts(project(kept, job.forces), job.root, job.ingest_id, job.index)
    quarantine = None
    if frames and sum(f.height for f in frames):
        quarantine = job.staging / f"b{job.index:06d}-quarantine.parquet"
        rows = pl.concat(frames, how="vertical_relaxed").sort(FILE, "row")
        write_staged(
            rows.with_columns(ingest_id=pl.lit(job.ingest_id)).select(QUARANTINE_SCHEMA.names()),
            quarantine,
        )
    for path in (job.rows, job.rejected):  # read for the last time: free the disk now
        if path is not None:
            path.unlink(missing_ok=True)
    return FinishedBatch(parts, quarantine)


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
            finish = outcome.finish_jobs(checked, store, staging, report.ingest_id)
            finished = list(run_jobs(finish, finish_batch, known, pool))
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

    resolution: Resolution
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
        """`MappedFormat.resolve` over every batch's resolution columns, then the store."""
        stored = store.keys(fmt.forces or ())
        resolution = _resolve_records(checked, stored, fmt)
        effects = against_store(
            ingest_id,
            store,
            fmt.keep,
            resolution.kept.select(_KEY),
            stored,
            resolution.withdrawn,
            resolution.renet,
        )
        if effects.duplicates.height:  # first wins, and the first is stored
            dupes = resolution.kept.join(effects.duplicates, on=_KEY).select(
                *_AT,
                pl.lit("duplicate_incident_id").alias("_reason"),
                DUPLICATE_OF_STORED.alias("_detail"),
            )
            resolution = replace(
                resolution,
                kept=resolution.kept.join(effects.duplicates, on=_KEY, how="anti"),
                moved=pl.concat([resolution.moved, dupes]),
            )
        names = {k: v for c in checked for k, v in c.force_names.items()}
        staged_rows = [str(c.rows) for c in checked if c.rows is not None]
        kept = resolution.kept

        def points(slug: str) -> pl.DataFrame:
            """The lon/lat of the force's records kept, read back from the staged rows."""
            wanted = kept.filter(pl.col("force") == slug).select(_AT).lazy()
            scan = pl.scan_parquet(staged_rows).select(*_AT, "lon", "lat")
            return scan.join(wanted, on=_AT, how="semi").select("lon", "lat").collect()

        slugs = kept["force"].unique().to_list()
        forces = force_infos(store, slugs, names, fmt, points)
        stored_moved = (
            pl.concat(effects.moved, how="vertical_relaxed")
            if effects.moved
            else pl.DataFrame(schema=QUARANTINE_SCHEMA)
        )
        return cls(
            resolution,
            effects.remove,
            effects.renet,
            stored_moved,
            forces,
            frozenset(store.manifest.forces),
        )

    def finish_jobs(
        self, checked: list[CheckedBatch], store: Store, staging: Path, ingest_id: str
    ) -> list[FinishJob]:
        """Pass 3's jobs: each batch's staged files and its share of the resolution."""
        kept = _by_batch(self.resolution.kept, checked)
        moved = _by_batch(self.resolution.moved, checked)
        empty = self.resolution
        return [
            FinishJob(
                c.index,
                c.rows,
                c.rejected,
                Resolution(
                    kept.get(c.index, empty.kept.clear()),
                    moved.get(c.index, empty.moved.clear()),
                    empty.withdrawn.clear(),
                    empty.renet.clear(),
                ),
                self.forces,
                store.root,
                staging,
                ingest_id,
            )
            for c in checked
        ]

    def changeset(
        self,
        checked: list[CheckedBatch],
        jobs: list[BatchJob],
        finished: list[FinishedBatch],
        staging: Path,
        report: IngestReport,
    ) -> StagedChangeset:
        """Fill in `report` and say what to publish."""
        ok = dict(self.resolution.kept.group_by(FILE).len().iter_rows())
        moved = dict(self.resolution.moved.group_by(FILE).len().iter_rows())
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
        reasons.update(dict(self.resolution.moved.group_by("_reason").len().iter_rows()))
        reasons.update(dict(self.stored_moved.group_by("reason").len().iter_rows()))
        quarantine = [b.quarantine for b in finished if b.quarantine is not None]
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


def _resolve_records(
    checked: list[CheckedBatch], stored: pl.DataFrame, fmt: MappedFormat
) -> Resolution:
    """The resolution of every batch's records at once. The batches' columns are dropped as
    they are concatenated, so they are held once."""
    frames = [c.records for c in checked if c.records is not None]
    labels = {n: label for c in checked for n, label in c.labels.items()}
    for c in checked:
        c.records = None
    if not frames:
        return _nothing()
    records = pl.concat(frames, rechunk=False)
    frames.clear()
    return fmt.resolve(records, stored, labels)


def _by_batch(frame: pl.DataFrame, checked: list[CheckedBatch]) -> dict[int, pl.DataFrame]:
    """`frame`'s rows (named by `_file`) split by the batch that read their file."""
    if frame.height == 0:
        return {}
    starts = [(min(c.labels), c.index) for c in checked if c.labels]
    firsts = np.array([s for s, _ in starts], dtype=np.int64)
    which = np.searchsorted(firsts, frame[FILE].to_numpy(), side="right") - 1
    indices = np.array([i for _, i in starts], dtype=np.int64)[which]
    tagged = frame.with_columns(pl.Series("_batch", indices))
    return {
        int(key[0]): part.drop("_batch")
        for key, part in tagged.partition_by("_batch", as_dict=True, maintain_order=True).items()
    }


def _nothing() -> Resolution:
    """The resolution of an input without a record that passed the row rules."""
    return Resolution(
        pl.DataFrame(
            schema={
                "force": pl.String,
                "incident_id": pl.String,
                FILE: pl.UInt32,
                ROW: pl.Int64,
                NET: pl.Int32,
            }
        ),
        pl.DataFrame(
            schema={FILE: pl.UInt32, ROW: pl.Int64, "_reason": pl.String, "_detail": pl.String}
        ),
        pl.DataFrame(schema={"force": pl.String, "incident_id": pl.String, "detail": pl.String}),
        pl.DataFrame(schema={"force": pl.String, "incident_id": pl.String, NET: pl.Int32}),
    )
