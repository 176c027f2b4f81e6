"""Streaming ingest: any number of files in bounded memory, on both cores, in one atomic commit.

Holding a whole ingest before its commit cost about 1.3 GB per million rows. Here the files go in
batches of bounded bytes (`plan.py`) to a pool of worker processes (`stage.py`), each of which
writes its accepted rows as staged Parquet files per force-month and its rejected rows as a
staged quarantine file. This process takes the results in file order and applies the one rule
that spans batches, a Crime ID seen before (in the store or an earlier batch) quarantines the
later row, with a compact set of 64-bit key hashes (`seen.py`) and an exact check of the few
candidates. Files whose bytes an earlier batch read are dropped as in a whole ingest.

The store changes only at the end, in one manifest commit (`StoreWriter.commit_staged`). Staged
parts are written straight into their partitions' folders under names of their own, so most
are published as they are (at 20 million rows, 6,500 renames at the commit cost seconds);
other staged files live in the store's `.staging/` folder. Readers see only what the manifest
lists, a failed ingest removes its files, and the next writer removes any a kill left: a crash,
a kill or Ctrl-C at any point leaves the store as it was.

Only formats whose rules are row by row but for first-wins duplicate ids can stream (`streams`):
data.police.uk files. A mapped force export's reversals and re-issues are ordered over the whole
input by its `order` column, so it is read as one batch, as before.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import shutil
import sys
import time
import types
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np
import polars as pl
from numpy.typing import NDArray

from streetlight.geo.crs import WGS84
from streetlight.ingest.adapter import Format
from streetlight.ingest.checks import as_quarantine
from streetlight.ingest.plan import file_size, plan_batches
from streetlight.ingest.report import FileSummary, IngestReport
from streetlight.ingest.seen import SeenKeys, key_hash
from streetlight.ingest.sources import SourceFile
from streetlight.ingest.stage import (
    BatchJob,
    BatchResult,
    FileOutcome,
    init_worker,
    stage_batch,
    write_staged,
)
from streetlight.progress import Progress
from streetlight.store.manifest import ForceInfo, SourceRecord, load_manifest
from streetlight.store.schema import INCIDENT_SCHEMA, NET, QUARANTINE_SCHEMA, STORED_SCHEMA
from streetlight.store.store import (
    StagedChangeset,
    StagedPart,
    Store,
    StoreWriter,
    staged_parts_of,
)

# About 70,000 data.police.uk rows (240 bytes each). Larger batches gain little speed for
# their memory: each batch is already one polars parse and one set of vectorised checks.
DEFAULT_BATCH_BYTES = 16 * 1024 * 1024
WORKERS = 2
# Inputs of at most this many batches are staged in this process alone: a worker's start-up
# (imports, about as long as staging these) would not pay for itself.
_IN_PROCESS_BATCHES = 4
_KEY = ["force", "incident_id"]
_PARSED = ("ingested", "empty")


def streams(fmt: Format) -> bool:
    """Whether `fmt` can be ingested batch by batch: first-wins ids, no stored keys needed by its
    rules (`forces` is None) and a fixed store CRS (no CRS chosen from all of a force's rows)."""
    return fmt.keep == "first" and fmt.forces is None and fmt.store_crs is not None


def stream_ingest(
    files: Sequence[SourceFile],
    store: Store,
    writer: StoreWriter,
    fmt: Format,
    report: IngestReport,
    progress: Progress,
    batch_bytes: int = DEFAULT_BATCH_BYTES,
    workers: int = WORKERS,
) -> None:
    """Ingest `files` batch by batch (see the module docstring), filling in `report`.

    Runs under `writer` (the store's lock); commits once, or not at all on any error.
    """
    staging = store.staging_dir(report.ingest_id)
    try:
        batches = plan_batches(files, batch_bytes)
        total = sum(file_size(f) for f in files)
        crs = {slug: info.crs for slug, info in store.manifest.forces.items()}
        jobs = [
            BatchJob(i, batch, store.root, staging, report.ingest_id, fmt, crs)
            for i, batch in enumerate(batches)
        ]
        known = frozenset(store.manifest.source_hashes())
        merger = _Merger(store, staging)
        results = _run(jobs, known, fmt.store_crs, workers, merger.seed_from_store)
        for result in progress(results, max(total, 1)):
            merger.take(result)
        change = merger.changeset(report, fmt)
        if change.sources:
            writer.commit_staged(change)
    except BaseException:
        if not _committed(store.root, report.ingest_id):
            _remove_parts(store.root, report.ingest_id)
        raise
    finally:
        _remove_staging(staging)


def _committed(root: Path, ingest_id: str) -> bool:
    """Whether the manifest on disk records the ingest (an interrupt may land just after)."""
    try:
        return any(i.ingest_id == ingest_id for i in load_manifest(root).ingests)
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _remove_parts(root: Path, ingest_id: str) -> None:
    """The staged parts of a failed ingest, those of batches still in flight included (any a
    worker finishes later are unreferenced, and the next writer removes them)."""
    for _ in range(3):  # through a stray second KeyboardInterrupt (see `_remove_staging`)
        try:
            for path in staged_parts_of(root, ingest_id):
                path.unlink(missing_ok=True)
            return
        except KeyboardInterrupt:
            continue


def _remove_staging(staging: Path) -> None:
    """Remove an ingest's staged files, even through a stray second KeyboardInterrupt.

    An interrupted polars write can finish on polars' own threads after the call has raised,
    and one Ctrl-C can surface twice (polars raises it from inside a call, and Python's handler
    again at the next line): so the removal is retried, briefly, until the folder is gone.
    Whatever is left is unreferenced, and the next writer clears it.
    """
    for attempt in range(20):
        try:
            if attempt:
                time.sleep(0.025)
            shutil.rmtree(staging, ignore_errors=True)
            if staging.exists():
                continue
            with contextlib.suppress(OSError):  # not empty while another ingest stages
                staging.parent.rmdir()
            return
        except KeyboardInterrupt:
            continue


def _run(
    jobs: list[BatchJob],
    known: frozenset[str],
    crs: str | None,
    workers: int,
    meanwhile: Callable[[], None] | None = None,
) -> Iterator[BatchResult]:
    """Each job's result, in order, from this process and `workers - 1` worker processes.

    This process works on batches too: a spawned worker takes seconds to import polars and the
    rest, during which this one has already staged several batches, and on two cores one worker
    beside this process keeps both busy (this process's own share of the work, the results in
    order, is small). Small inputs never start a worker. The pool holds at most two batches at
    a time; results that arrive early wait here (they are small: counts and key hashes).
    """
    if len(jobs) <= _IN_PROCESS_BATCHES or workers <= 1:
        if meanwhile is not None:
            meanwhile()
        for job in jobs:
            yield stage_batch(job, known)
        return
    # Spawned, not forked: polars' and PROJ's threads do not survive a fork.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers - 1, mp_context=context, initializer=init_worker, initargs=(known, crs)
    ) as pool:
        futures: dict[int, Future[BatchResult]] = {}
        done: dict[int, BatchResult] = {}
        following = 1  # the next job no one has taken: the first is this process's
        try:
            while len(futures) < 2 * (workers - 1) and following < len(jobs):
                futures[following] = _submit(pool, jobs[following])
                following += 1
            if meanwhile is not None:
                meanwhile()
            done[0] = stage_batch(jobs[0], known)
            for wanted in range(len(jobs)):
                while wanted not in done:
                    future = futures.get(wanted)
                    if future is not None and (future.done() or following >= len(jobs)):
                        done[wanted] = future.result()
                        del futures[wanted]
                        continue
                    # Keep the pool fed, then stage the next free batch here.
                    mine = following
                    following += 1
                    while len(futures) < 2 * (workers - 1) and following < len(jobs):
                        futures[following] = _submit(pool, jobs[following])
                        following += 1
                    done[mine] = stage_batch(jobs[mine], known)
                yield done.pop(wanted)
        finally:
            for future in futures.values():
                future.cancel()


def _submit(pool: ProcessPoolExecutor, job: BatchJob) -> Future[BatchResult]:
    """`pool.submit`, with the parent's main module hidden while a worker may start.

    A spawned worker first re-runs the parent's main script, so a script that calls `ingest`
    without an `if __name__ == "__main__":` guard would run again in every worker (and fail).
    The workers need nothing from it, so they are started with an empty main module instead.
    """
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        return pool.submit(stage_batch, job)
    finally:
        sys.modules["__main__"] = main


class _Merger:
    """The parent's side: batch results in file order, the cross-batch rules, the changeset."""

    def __init__(self, store: Store, staging: Path) -> None:
        self._store = store
        self._staging = staging
        self._seen = SeenKeys()
        self._first_by_hash: dict[str, str] = {}
        self._files: list[FileOutcome] = []
        self._parts: list[StagedPart] = []
        self._quarantine: list[Path] = []
        self._quarantined = 0
        self._reasons: Counter[str] = Counter()
        self._names: dict[str, str] = {}

    def seed_from_store(self) -> None:
        """The stored incidents' key hashes, force by force (never all keys as text at once)."""
        by_force: dict[str, list[str]] = {}
        for p in self._store.manifest.partitions:
            by_force.setdefault(p.force, []).append(str(self._store.root / p.path))
        for files in by_force.values():
            scan = pl.scan_parquet(files, schema=INCIDENT_SCHEMA, extra_columns="ignore")
            hashes = scan.select(key_hash()).collect().to_series().to_numpy()
            self._seen.add(hashes.astype(np.uint64, copy=False))

    def take(self, result: BatchResult) -> None:
        files = list(result.files)
        dropped: list[int] = []
        for i, f in enumerate(files):
            if f.status not in _PARSED:
                continue
            first = self._first_by_hash.get(f.sha256)
            if first is not None:  # read by an earlier batch: as a whole ingest, skip it
                files[i] = FileOutcome(f.name, f.label, f.sha256, f.size, f"same bytes as {first}")
                dropped.append(i)
            else:
                self._first_by_hash[f.sha256] = f.name
        hashes, file_of = result.hashes, result.file_of
        if dropped:
            keep = ~np.isin(file_of, np.array(dropped, dtype=np.uint32))
            hashes, file_of = hashes[keep], file_of[keep]
        dropped_labels = [files[i].label for i in dropped]
        parts, quarantine = result.parts, result.quarantine
        reasons = result.reasons
        if dropped:
            parts = _rewrite_parts(
                parts, pl.col("source").str.replace(r":\d+$", "").is_in(dropped_labels)
            )
            quarantine, reasons = _drop_quarantine(quarantine, dropped_labels)
        staged = [quarantine] if quarantine is not None else []
        hit = self._seen.seen(hashes)
        if hit.any():
            parts, moved = self._against_earlier(parts, np.unique(hashes[hit]))
            if moved is not None:
                path = self._staging / f"b{result.index:06d}-duplicates.parquet"
                write_staged(moved.select(QUARANTINE_SCHEMA.names()), path)
                staged.append(path)
                losers = Counter(moved["source"].to_list())
                for i, f in enumerate(files):
                    n = losers.get(f.label, 0)
                    if n:
                        files[i] = replace(
                            f, accepted=f.accepted - n, quarantined=f.quarantined + n
                        )
                reasons = dict(Counter(reasons) + Counter({"duplicate_incident_id": moved.height}))
        self._seen.add(hashes)
        self._quarantine += staged
        self._parts += parts
        self._reasons.update(reasons)
        self._quarantined = sum(self._reasons.values())
        self._files += files
        for slug, name in result.force_names.items():
            self._names.setdefault(slug, name)

    def _against_earlier(
        self, parts: list[StagedPart], candidates: NDArray[np.uint64]
    ) -> tuple[list[StagedPart], pl.DataFrame | None]:
        """Rows of this batch whose key an earlier batch or the store holds: moved to quarantine.

        `candidates` are key hashes seen before; the rows are matched on the exact key.
        """
        wanted = pl.Series(candidates, dtype=pl.UInt64).implode()
        match = key_hash().is_in(wanted)
        mine = (
            pl.scan_parquet(
                [str(p.path) for p in parts], schema=INCIDENT_SCHEMA, extra_columns="ignore"
            )
            .filter(match)
            .collect()
        )
        if mine.height == 0:
            return parts, None
        forces = set(mine["force"].unique().to_list())
        stored = [
            str(self._store.root / p.path)
            for p in self._store.manifest.partitions
            if p.force in forces
        ]
        earlier_parts = [str(p.path) for p in self._parts if p.force in forces]
        found = []
        for where, paths in (("store", stored), ("ingest", earlier_parts)):
            if paths:
                found.append(
                    pl.scan_parquet(paths, schema=INCIDENT_SCHEMA, extra_columns="ignore")
                    .filter(match)
                    .select(*_KEY, pl.col("source").alias("_first"), pl.lit(where).alias("_where"))
                    .collect()
                )
        if not found:
            return parts, None
        earlier = pl.concat(found).unique(_KEY, keep="first", maintain_order=True)
        losers = mine.join(earlier, on=_KEY)
        if losers.height == 0:
            return parts, None
        detail = (
            pl.when(pl.col("_where") == "store")
            .then(pl.format("incident id already in the store from {}", pl.col("_first")))
            .otherwise(pl.format("incident id first seen at {}", pl.col("_first")))
        )
        moved = as_quarantine(losers, "duplicate_incident_id", detail).with_columns(
            ingest_id=pl.lit(self._staging.name)
        )
        gone = losers["source"].implode()
        return _rewrite_parts(parts, pl.col("source").is_in(gone)), moved

    def changeset(self, report: IngestReport, fmt: Format) -> StagedChangeset:
        """Fill in `report` and say what to publish."""
        store = self._store
        records = []
        for f in self._files:
            report.files.append(
                FileSummary(f.name, f.status, f.rows_read, f.accepted, f.quarantined)
            )
            report.notes += [(f.name, n) for n in f.notes]
            if f.status in _PARSED:
                records.append(
                    SourceRecord(
                        f.sha256,
                        f.name,
                        f.size,
                        fmt.name,
                        f.rows_read,
                        f.accepted,
                        f.quarantined,
                        report.ingest_id,
                    )
                )
        report.reasons.update(self._reasons)
        forces = {
            p.force: store.manifest.forces.get(p.force)
            or ForceInfo(
                p.force, self._names.get(p.force, p.force), fmt.store_crs or WGS84, fmt.timezone
            )
            for p in self._parts
        }
        new_forces = tuple(
            info for slug, info in sorted(forces.items()) if slug not in store.manifest.forces
        )
        return StagedChangeset(
            report.ingest_id,
            tuple(self._parts),
            tuple(self._quarantine),
            self._quarantined,
            tuple(records),
            new_forces,
        )


def _rewrite_parts(parts: list[StagedPart], drop: pl.Expr) -> list[StagedPart]:
    """`parts` less the rows `drop` selects (rewritten in place; emptied parts are deleted)."""
    kept = []
    for part in parts:
        frame = pl.read_parquet(part.path)
        left = frame.filter(~drop)
        if left.height == frame.height:
            kept.append(part)
            continue
        part.path.unlink()
        if left.height:
            write_staged(
                left.select(STORED_SCHEMA.names()) if NET in left.columns else left, part.path
            )
            kept.append(replace(part, rows=left.height))
    return kept


def _drop_quarantine(path: Path | None, labels: list[str]) -> tuple[Path | None, dict[str, int]]:
    """A staged quarantine file less the rows of files dropped (`labels`), and its reasons."""
    if path is None:
        return None, {}
    frame = pl.read_parquet(path).filter(~pl.col("source").is_in(labels))
    path.unlink()
    if frame.height == 0:
        return None, {}
    write_staged(frame, path)
    return path, dict(frame.group_by("reason").len().iter_rows())
