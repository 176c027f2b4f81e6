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

Formats whose rules are row by row but for first-wins duplicate ids (`streams`: data.police.uk
files) stream in this one pass. A mapped force export's reversals and re-issues are ordered over
the whole input by its `order` column and start from the stored net counts: it streams in two
passes over the same worker pool (`worker_pool`, `run_jobs`), with its cross-file rules resolved
in between over a few columns of every row, staged and read back a group of incidents at a time
(`mapped_stream.py`), and commits the same way.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import signal
import sys
import threading
import time
import types
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

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
from streetlight.store.partition import partition_counts
from streetlight.store.schema import INCIDENT_SCHEMA, QUARANTINE_SCHEMA, STORED_SCHEMA
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
# Batches handed to each worker at a time: one running and two queued, so a worker never waits
# for this process to finish staging a batch of its own before it gets the next.
_IN_FLIGHT = 3
_KEY = ["force", "incident_id"]
_PARSED = ("ingested", "empty")
_NO_HASHES = np.zeros(0, dtype=np.uint64)
J = TypeVar("J")
R = TypeVar("R")


def streams(fmt: Format) -> bool:
    """Whether `fmt` can be ingested in one pass of batches: first-wins ids, no stored keys
    needed by its rules (`forces` is None) and a fixed store CRS (no CRS chosen from all of a
    force's rows). A mapped export streams in two (`mapped_stream.py`)."""
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
    with staged_ingest(store, report.ingest_id) as staging:
        batches = plan_batches(files, batch_bytes)
        total = sum(file_size(f) for f in files)
        crs = {slug: info.crs for slug, info in store.manifest.forces.items()}
        jobs = [
            BatchJob(i, batch, store.root, staging, report.ingest_id, fmt, crs)
            for i, batch in enumerate(batches)
        ]
        known = frozenset(store.manifest.source_hashes())
        merger = _Merger(store, staging, report.ingest_id, known)
        with worker_pool(len(jobs), known, fmt.store_crs, workers) as pool:
            results = run_jobs(jobs, stage_batch, known, pool, merger.seed_from_store)
            for job, result in zip(jobs, progress(results, max(total, 1)), strict=True):
                merger.take(result, job)
        change = merger.changeset(report, fmt)
        if change.sources:
            writer.commit_staged(change)


@contextlib.contextmanager
def staged_ingest(store: Store, ingest_id: str) -> Iterator[Path]:
    """The ingest's staging folder, for the time of the block; on any error or interrupt in it,
    every staged file goes (the parts in partition folders too) unless the commit happened."""
    staging = store.staging_dir(ingest_id)
    try:
        yield staging
    except BaseException:
        if not _committed(store.root, ingest_id):
            _remove_parts(store.root, ingest_id)
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


@dataclass(frozen=True)
class Pool:
    """Worker processes for `run_jobs`: the executor and how many processes it runs."""

    executor: ProcessPoolExecutor
    size: int


@contextlib.contextmanager
def worker_pool(
    batches: int, known: frozenset[str], crs: str | None, workers: int
) -> Iterator[Pool | None]:
    """A pool of `workers - 1` worker processes for `run_jobs` (this process is the other
    worker), or None for inputs too small to pay a worker's start-up (imports, about as long as
    staging a few batches). One pool serves every pass of an ingest."""
    if batches <= _IN_PROCESS_BATCHES or workers <= 1:
        yield None
        return
    # Spawned, not forked: polars' and PROJ's threads do not survive a fork.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers - 1,
        mp_context=context,
        initializer=init_worker,
        initargs=(known, crs, os.getpid()),
    ) as executor:
        yield Pool(executor, workers - 1)


def run_jobs(
    jobs: Sequence[J],
    work: Callable[[J, frozenset[str] | None], R],
    known: frozenset[str],
    pool: Pool | None,
    meanwhile: Callable[[], None] | None = None,
) -> Iterator[R]:
    """`work(job)` for each job, results in order, from this process and the `pool`'s.

    This process works on batches too: a spawned worker takes seconds to import polars and the
    rest, during which this one has already staged several batches, and on two cores one worker
    beside this process keeps both busy (this process's own share of the work, the results in
    order, is small). Without a pool, this process does it all. The pool holds at most three
    batches a worker at a time; results that arrive early wait here (they are small). `known`:
    the store's source hashes (a worker has them from `init_worker`).
    """
    if pool is None:
        if meanwhile is not None:
            meanwhile()
        for job in jobs:
            yield work(job, known)
        return
    slots = _IN_FLIGHT * pool.size
    futures: dict[int, Future[R]] = {}
    done: dict[int, R] = {}
    following = 1  # the next job no one has taken: the first is this process's
    try:
        while len(futures) < slots and following < len(jobs):
            futures[following] = _submit(pool.executor, work, jobs[following])
            following += 1
        if meanwhile is not None:
            meanwhile()
        if jobs:
            done[0] = work(jobs[0], known)
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
                while len(futures) < slots and following < len(jobs):
                    futures[following] = _submit(pool.executor, work, jobs[following])
                    following += 1
                done[mine] = work(jobs[mine], known)
            yield done.pop(wanted)
    finally:
        for future in futures.values():
            future.cancel()


def _submit(
    pool: ProcessPoolExecutor, work: Callable[[J, frozenset[str] | None], R], job: J
) -> Future[R]:
    """`pool.submit`, starting any worker it starts with the parent's main module hidden and
    Ctrl-C ignored.

    A spawned worker first re-runs the parent's main script, so a script that calls `ingest`
    without an `if __name__ == "__main__":` guard would run again in every worker (and fail);
    the workers need nothing from it, so they start with an empty main module instead. Ctrl-C
    reaches every process of the terminal's group, and a worker still importing would die of it
    with a traceback (and break the pool); an ignored SIGINT is inherited, so the worker never
    sees it, and this process alone stops the ingest and clears its files.
    """
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    on_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if on_main_thread else None
    try:
        return pool.submit(work, job, None)
    finally:
        sys.modules["__main__"] = main
        if on_main_thread:
            signal.signal(signal.SIGINT, previous)


class _Merger:
    """The parent's side: batch results in file order, the cross-batch rules, the changeset."""

    def __init__(self, store: Store, staging: Path, ingest_id: str, known: frozenset[str]) -> None:
        self._store = store
        self._ingest_id = ingest_id
        self._known = known  # source hashes already in the store
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

    def take(self, result: BatchResult, job: BatchJob) -> None:
        """Add a batch's result (in file order): its files, parts and the cross-batch rules."""
        if any(f.status in _PARSED and f.sha256 in self._first_by_hash for f in result.files):
            result = self._restage(result, job)
        files = list(result.files)
        for f in files:
            if f.status in _PARSED:
                self._first_by_hash[f.sha256] = f.name
        parts, hashes, reasons = result.parts, result.hashes, result.reasons
        staged = [result.quarantine] if result.quarantine is not None else []
        hit = self._seen.seen(hashes)
        if hit.any():
            parts, moved, lost = self._against_earlier(parts, np.unique(hashes[hit]))
            if moved is not None:
                path = self._staging / f"b{result.index:06d}-duplicates.parquet"
                write_staged(moved.select(QUARANTINE_SCHEMA.names()), path)
                staged.append(path)
                # Each key is once among the batch's accepted rows: its hash finds its file.
                at = np.isin(hashes, lost)
                for i, n in Counter(result.file_of[at].tolist()).items():
                    f = files[i]
                    files[i] = replace(f, accepted=f.accepted - n, quarantined=f.quarantined + n)
                reasons = dict(Counter(reasons) + Counter({"duplicate_incident_id": moved.height}))
        self._seen.add(hashes)
        self._quarantine += staged
        self._parts += parts
        self._reasons.update(reasons)
        self._quarantined = sum(self._reasons.values())
        self._files += files
        for slug, name in result.force_names.items():
            self._names.setdefault(slug, name)

    def _restage(self, result: BatchResult, job: BatchJob) -> BatchResult:
        """The batch again, here, without the files whose bytes an earlier batch read.

        Rare (the same file twice, far apart in the input), and simplest exact: dropping those
        files' rows from the staged output would need each row's file, which the parts do not
        keep (two files of one name share their rows' `source` labels).
        """
        for part in result.parts:
            part.path.unlink(missing_ok=True)
        if result.quarantine is not None:
            result.quarantine.unlink(missing_ok=True)
        earlier = frozenset(self._first_by_hash)
        again = stage_batch(job, self._known | earlier)
        return replace(again, files=same_bytes(again.files, self._first_by_hash, self._known))

    def _against_earlier(
        self, parts: list[StagedPart], candidates: NDArray[np.uint64]
    ) -> tuple[list[StagedPart], pl.DataFrame | None, NDArray[np.uint64]]:
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
            return parts, None, _NO_HASHES
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
            return parts, None, _NO_HASHES
        earlier = pl.concat(found).unique(_KEY, keep="first", maintain_order=True)
        losers = mine.join(earlier, on=_KEY)
        if losers.height == 0:
            return parts, None, _NO_HASHES
        detail = (
            pl.when(pl.col("_where") == "store")
            .then(pl.format("incident id already in the store from {}", pl.col("_first")))
            .otherwise(pl.format("incident id first seen at {}", pl.col("_first")))
        )
        moved = as_quarantine(losers, "duplicate_incident_id", detail).with_columns(
            ingest_id=pl.lit(self._ingest_id)
        )
        gone = losers.select(*_KEY, "source")
        lost = losers.select(key_hash()).to_series().to_numpy().astype(np.uint64, copy=False)
        return _rewrite_parts(parts, gone), moved, lost

    def changeset(self, report: IngestReport, fmt: Format) -> StagedChangeset:
        """Fill in `report` and say what to publish."""
        store = self._store
        records = report_files(self._files, report)
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
            records,
            new_forces,
            dict(self._reasons),
        )


def _rewrite_parts(parts: list[StagedPart], gone: pl.DataFrame) -> list[StagedPart]:
    """`parts` less the rows of `gone` (force, incident_id and source: exact, where the source
    alone is not when two files share a name); rewritten in place, emptied parts deleted."""
    kept = []
    for part in parts:
        frame = pl.read_parquet(part.path)
        left = frame.join(gone, on=[*_KEY, "source"], how="anti", maintain_order="left")
        if left.height == frame.height:
            kept.append(part)
            continue
        part.path.unlink()
        if left.height:
            write_staged(left.select(STORED_SCHEMA.names()), part.path)
            categories, without_location = partition_counts(left)
            kept.append(
                replace(
                    part,
                    rows=left.height,
                    categories=categories,
                    without_location=without_location,
                )
            )
    return kept


def parsed(outcome: FileOutcome) -> bool:
    """Whether the file's rows were read (not skipped as bytes seen before)."""
    return outcome.status in _PARSED


def same_bytes(
    files: list[FileOutcome], first_by_hash: dict[str, str], known: frozenset[str]
) -> list[FileOutcome]:
    """A batch staged again without the files whose bytes an earlier batch read
    (`first_by_hash`): those files, marked as such."""
    return [
        FileOutcome(f.name, f.label, f.sha256, f.size, f"same bytes as {first_by_hash[f.sha256]}")
        if f.sha256 in first_by_hash and f.sha256 not in known
        else f
        for f in files
    ]


def report_files(files: list[FileOutcome], report: IngestReport) -> tuple[SourceRecord, ...]:
    """Fill in `report`'s files and notes; the manifest's records of the files read."""
    records = []
    for f in files:
        report.files.append(FileSummary(f.name, f.status, f.rows_read, f.accepted, f.quarantined))
        report.notes += [(f.name, n) for n in f.notes]
        if parsed(f):
            records.append(
                SourceRecord(
                    f.sha256,
                    f.name,
                    f.size,
                    report.format,
                    f.rows_read,
                    f.accepted,
                    f.quarantined,
                    report.ingest_id,
                )
            )
    return tuple(records)
