"""One batch of a streaming ingest, in a worker process: files in, staged Parquet files out.

A batch is read, checked, deduplicated within itself and projected exactly as a whole ingest
would be, and its accepted rows are written as one staged file per force-month in the store's
own partition format (so a force-month new to the store is published by a rename, not a
rewrite); its quarantined rows as one staged file. What goes back to the parent is small: per
file counts and hashes, and a 64-bit hash of each accepted row's key for the duplicate ids that
span batches (`stream.py` resolves them).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import polars as pl
from numpy.typing import NDArray

from streetlight.geo.crs import WGS84
from streetlight.ingest.adapter import Format
from streetlight.ingest.batch import Loaded, dedupe_batch, load_file, parse_files, project, warm_up
from streetlight.ingest.checks import FILE
from streetlight.ingest.csvread import RawTable, read_sniffed
from streetlight.ingest.seen import key_hash
from streetlight.ingest.sources import SourceFile
from streetlight.store.manifest import ForceInfo
from streetlight.store.months import month_key
from streetlight.store.partition import partition_counts, write_parquet
from streetlight.store.schema import NET, QUARANTINE_SCHEMA, STORED_SCHEMA
from streetlight.store.store import StagedPart, staged_part_path

# Set in each worker process by `init_worker`: source hashes already in the store.
_KNOWN: frozenset[str] = frozenset()


@dataclass(frozen=True)
class BatchJob:
    """Which files one batch reads, and where its staged files go."""

    index: int
    files: tuple[SourceFile, ...]
    # The store's root (parts go in their partitions' folders) and the folder for the rest.
    root: Path
    staging: Path
    ingest_id: str
    fmt: Format
    # The projected CRS of each force already in the store (others take the format's).
    crs: dict[str, str]
    # The index of the job's first file among all files of the ingest: a streamed force
    # export numbers its files (`_file`) across batches, for rules ordered by file.
    first: int = 0


@dataclass(frozen=True)
class FileOutcome:
    """One file of a batch: status as in `FileSummary`, and what the manifest records."""

    name: str
    label: str
    sha256: str
    size: int
    status: str  # "ingested", "empty", "already in store", "same bytes as <file>"
    rows_read: int = 0
    accepted: int = 0
    quarantined: int = 0
    notes: tuple[str, ...] = ()


@dataclass
class BatchResult:
    """A staged batch, as the parent needs it."""

    index: int
    files: list[FileOutcome]
    parts: list[StagedPart]
    quarantine: Path | None
    quarantined: int
    reasons: dict[str, int]
    force_names: dict[str, str]
    # Accepted rows' key hashes (`seen.key_hash`) and the index in `files` of each row's file.
    hashes: NDArray[np.uint64] = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    file_of: NDArray[np.uint32] = field(default_factory=lambda: np.zeros(0, dtype=np.uint32))
    bytes_read: int = 0

    @property
    def rows_read(self) -> int:
        return sum(f.rows_read for f in self.files)

    # A `progress.Step`: the bar's total is the input's bytes; its rate, rows.
    @property
    def progress_units(self) -> int:
        return self.bytes_read

    @property
    def progress_rows(self) -> int:
        return self.rows_read


def init_worker(known: frozenset[str], crs: str | None, parent: int) -> None:
    """Pool initializer: the store's source hashes, once per process; PROJ and polars set up;
    a watch on `parent`, the ingest's process.

    Ctrl-C reaches every process of the terminal's group; the ingest's own process handles it
    (stops, waits for its worker, removes the staged files), so a worker ignores it rather than
    die mid-batch with a traceback of its own.
    """
    global _KNOWN
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The parent's pid as it gave it: if it died while this process started, this one's parent
    # is already another.
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    _KNOWN = known
    warm_up(crs)


def _exit_with_parent(parent: int) -> None:
    """End this worker once the ingest that started it is gone (killed): a pool worker waits on
    a queue whose other end it holds itself, so it would otherwise wait for ever. What it was
    writing is unreferenced, and the next writer removes it."""
    while os.getppid() == parent:
        time.sleep(0.25)
    os._exit(1)


@dataclass
class LoadedBatch:
    """A batch's files read (`load_batch`): what happened to each, and the tables parsed."""

    # Per file of the job: its outcome when it was not parsed (already in the store, or the
    # bytes of an earlier file of the batch); None when it was (its table is in `raws`).
    outcomes: list[FileOutcome | None]
    loaded: list[Loaded]
    raws: list[RawTable]
    bytes_read: int

    @property
    def place(self) -> list[int]:
        """For each table of `raws`, its file's index in the job."""
        return [i for i, o in enumerate(self.outcomes) if o is None]

    def files(
        self, ok: dict[int, int], bad: dict[int, int], notes: list[tuple[int, str]]
    ) -> list[FileOutcome]:
        """Every file of the job with its counts (`ok`, `bad`: rows accepted and quarantined
        per index in `raws`) and notes (index in `raws`, note)."""
        by_table: dict[int, list[str]] = {}
        for i, note in notes:
            by_table.setdefault(i, []).append(note)
        files: list[FileOutcome] = []
        at = -1
        for outcome in self.outcomes:
            if outcome is not None:
                files.append(outcome)
                continue
            at += 1
            item, raw = self.loaded[at], self.raws[at]
            files.append(
                FileOutcome(
                    item.file.name,
                    item.file.label,
                    item.sha256,
                    item.size,
                    "ingested" if raw.header else "empty",
                    raw.rows_read,
                    ok.get(at, 0),
                    bad.get(at, 0),
                    (*raw.notes, *by_table.get(at, [])),
                )
            )
        return files


def load_batch(job: BatchJob, known: frozenset[str]) -> LoadedBatch:
    """Read and hash the job's files; parse those whose bytes are new to the store and to the
    batch, in one call (far cheaper than a call per file)."""
    outcomes: list[FileOutcome | None] = []
    loaded: list[Loaded] = []
    first_by_hash: dict[str, str] = {}
    bytes_read = 0
    for file in job.files:
        item = load_file(file, known)
        bytes_read += item.size
        if item.sniffed is None:
            outcomes.append(
                FileOutcome(file.name, file.label, item.sha256, item.size, "already in store")
            )
        elif item.sha256 in first_by_hash:
            status = f"same bytes as {first_by_hash[item.sha256]}"
            outcomes.append(FileOutcome(file.name, file.label, item.sha256, item.size, status))
        else:
            first_by_hash[item.sha256] = file.name
            outcomes.append(None)
            loaded.append(item)
    raws = read_sniffed([item.sniffed for item in loaded if item.sniffed is not None])
    return LoadedBatch(outcomes, loaded, raws, bytes_read)


def store_sources(known: frozenset[str] | None) -> frozenset[str]:
    """`known`, or in a worker (None), the store's source hashes that `init_worker` set."""
    return _KNOWN if known is None else known


def stage_batch(job: BatchJob, known: frozenset[str] | None = None) -> BatchResult:
    """Read, check and stage the files of `job` (see the module docstring)."""
    files_read = load_batch(job, store_sources(known))
    batch = parse_files(job.fmt, files_read.raws, None)
    accepted, dupes = dedupe_batch(batch.accepted, job.fmt)
    quarantine = pl.concat([batch.quarantine, *dupes], how="vertical_relaxed")
    forces = {
        slug: ForceInfo(slug, slug, job.crs.get(slug, job.fmt.store_crs or WGS84))
        for slug in accepted["force"].unique().to_list()
    }
    accepted = project(accepted, forces)

    per_file_ok = dict(accepted.group_by(FILE).len().iter_rows())
    per_file_bad = dict(quarantine.drop_nulls(FILE).group_by(FILE).len().iter_rows())
    files = files_read.files(per_file_ok, per_file_bad, batch.notes)
    # `_file` indexes the tables parsed; `files` lists every file of the batch.
    back = np.array(files_read.place, dtype=np.uint32)
    file_of = back[accepted[FILE].to_numpy()] if accepted.height else np.zeros(0, np.uint32)
    hashes = accepted.select(key_hash()).to_series().to_numpy().astype(np.uint64, copy=False)

    parts = stage_parts(accepted, job.root, job.ingest_id, job.index)
    quarantine_path = None
    if quarantine.height:
        quarantine_path = job.staging / f"b{job.index:06d}-quarantine.parquet"
        write_quarantine(quarantine, job.ingest_id, quarantine_path)
    return BatchResult(
        job.index,
        files,
        parts,
        quarantine_path,
        quarantine.height,
        dict(quarantine.group_by("reason").len().iter_rows()),
        dict(batch.parsed.force_names),
        hashes,
        file_of.astype(np.uint32, copy=False),
        files_read.bytes_read,
    )


def write_quarantine(rows: pl.DataFrame, ingest_id: str, path: Path) -> None:
    """Stage rejected rows (`as_quarantine` or `quarantine_rows` form) as the store keeps them:
    with the ingest's id, in the quarantine's columns."""
    write_staged(
        rows.with_columns(ingest_id=pl.lit(ingest_id)).select(QUARANTINE_SCHEMA.names()), path
    )


def write_staged(frame: pl.DataFrame, path: Path, row_group_size: int | None = None) -> None:
    """`write_parquet`, with Ctrl-C held back until the file is written.

    Interrupted, a polars write raises at once but may finish on polars' own threads later,
    making the file after the ingest has cleared its staged files. A Ctrl-C during the write
    is therefore noted and raised once the write is done (on the main thread, the only one
    that receives it).
    """
    if threading.current_thread() is not threading.main_thread():
        write_parquet(frame, path, row_group_size)
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, _frame: caught.append(signum))
    try:
        write_parquet(frame, path, row_group_size)
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def stage_parts(accepted: pl.DataFrame, root: Path, ingest_id: str, index: int) -> list[StagedPart]:
    """One file per force-month, in the store's own partition format (`STORED_SCHEMA`: a net
    count where the rows have one, else null) and in the partition's folder
    (`store.staged_part_path`): most are published as they are."""
    if accepted.height == 0:
        return []
    if NET not in accepted.columns:
        accepted = accepted.with_columns(pl.lit(None, dtype=pl.Int32).alias(NET))
    frame = accepted.select(STORED_SCHEMA.names())
    parts = []
    for (force, month), part in frame.partition_by(
        ["force", "month"], as_dict=True, maintain_order=True
    ).items():
        mkey = month_key(month)
        path = staged_part_path(root, str(force), mkey, ingest_id, index)
        write_staged(part, path)
        parts.append(StagedPart(str(force), mkey, path, part.height, *partition_counts(part)))
    return parts
