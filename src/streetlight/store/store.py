"""The incident store: Parquet files partitioned by force and month, published through a manifest.

Reads are column-pruned scans of just the partitions a query needs; writes take an exclusive lock,
copy-on-write the partitions they touch, and become visible only when the new manifest replaces the
old one (see `manifest.py`). One file per force-month keeps queries fast however many ingests ran.

A store in a bucket (`s3://bucket/prefix`, see `location.py` and `bucket.py`) is read the same
way, polars reading the partitions from the bucket itself; it is read-only, since object storage
has neither the lock nor the atomic rename a commit relies on.
"""

from __future__ import annotations

import contextlib
import fcntl
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl

from streetlight.errors import StoreError
from streetlight.store.access import (
    DEFAULT_STORE,
    StoreDamagedError,
    StoreNotFoundError,
    default_store_path,
    read_manifest,
)
from streetlight.store.bucket import bucket_errors, scan_options
from streetlight.store.location import Location, StoreURL, default_store_location, store_location
from streetlight.store.manifest import (
    MANIFEST_NAME,
    ForceInfo,
    IngestRecord,
    Manifest,
    PartitionFile,
    QuarantineFile,
    SourceRecord,
    load_manifest,
    save_manifest,
)
from streetlight.store.months import month_key, parse_month
from streetlight.store.partition import reason_counts, write_parquet, write_partition
from streetlight.store.schema import (
    INCIDENT_SCHEMA,
    NET,
    QUARANTINE_SCHEMA,
    STORED_SCHEMA,
    empty_incidents,
    empty_quarantine,
)

_KEY = ["force", "incident_id"]
# Which stored incident, and the month whose partition holds it.
KEY_SCHEMA = pl.Schema({"force": pl.String(), "incident_id": pl.String(), "month": pl.Date()})
_NO_NET = pl.lit(None, dtype=pl.Int32).alias(NET)
_LOCK_NAME = ".lock"
# Defined with the light manifest reading (see access.py); importable from here as before.
__all__ = [
    "DEFAULT_STORE",
    "STAGING",
    "Changeset",
    "ReadOnlyStoreError",
    "StagedChangeset",
    "StagedPart",
    "Store",
    "StoreDamagedError",
    "StoreLockedError",
    "StoreNotFoundError",
    "StoreWriter",
    "UnknownForceError",
    "default_store_path",
    "new_ingest_id",
    "staged_part_path",
]
# Where a streaming ingest stages its files until its commit; nothing in it is ever read as data.
STAGING = ".staging"


class StoreLockedError(StoreError):
    """Another process is writing to the store."""


class ReadOnlyStoreError(StoreError):
    """A write (an ingest) asked of a store in a bucket: the message says how to publish one."""


class UnknownForceError(StoreError):
    """The store holds no force of that name (the message lists the ones it holds)."""


def _as_list(value: str | Sequence[str] | None) -> list[str] | None:
    if value is None:
        return None
    return [value] if isinstance(value, str) else list(value)


@dataclass(frozen=True)
class Changeset:
    """What one ingest adds to the store; committed all at once or not at all."""

    ingest_id: str
    add: pl.DataFrame = field(default_factory=empty_incidents)
    # Stored incidents to drop (force, incident_id and the month they are stored under):
    # records a later source supersedes or whose counts net to zero.
    remove: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=KEY_SCHEMA))
    # Stored incidents that stay but whose net count changes (see `schema.NET`): a later reversal
    # of one of several counted records. Keys as in `remove`, plus the new `_net`.
    renet: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema={**KEY_SCHEMA, NET: pl.Int32})
    )
    quarantine: pl.DataFrame = field(default_factory=empty_quarantine)
    sources: tuple[SourceRecord, ...] = ()
    forces: tuple[ForceInfo, ...] = ()


@dataclass(frozen=True)
class StagedPart:
    """A Parquet file of new incidents for one force-month (`STORED_SCHEMA`), staged by a
    streaming ingest under `Store.staging_dir`."""

    force: str
    month: str  # YYYY-MM
    path: Path
    rows: int
    # The manifest's summary counts for the file (`partition.partition_counts`).
    categories: dict[str, int] | None = None
    without_location: int | None = None


@dataclass(frozen=True)
class StagedChangeset:
    """What a streaming ingest adds, already written to staged files, and the stored incidents
    it removes or re-counts (a force export's re-issues and reversals; data.police.uk rows
    never touch stored ones). Committed all at once or not at all, as a `Changeset`."""

    ingest_id: str
    parts: tuple[StagedPart, ...] = ()
    # Staged quarantine files (`QUARANTINE_SCHEMA`), in order, and their rows in all.
    quarantine: tuple[Path, ...] = ()
    quarantined: int = 0
    sources: tuple[SourceRecord, ...] = ()
    forces: tuple[ForceInfo, ...] = ()
    # Quarantined rows per reason code, for the manifest.
    reasons: Mapping[str, int] = field(default_factory=dict)
    # As in `Changeset`: stored incidents to drop, and to keep with a new net count.
    remove: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=KEY_SCHEMA))
    renet: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(schema={**KEY_SCHEMA, NET: pl.Int32})
    )


def staged_part_path(root: Path, force: str, month: str, ingest_id: str, batch: int) -> Path:
    """Where a streaming ingest writes a batch's rows of one force-month: in the partition's own
    folder, under a name no committed file has, so that most are published as they are (no
    copy, no rename). Unreferenced until the commit, like any file of an unfinished ingest."""
    return (
        root
        / "incidents"
        / f"force={force}"
        / f"month={month}"
        / (f"part-{ingest_id}-b{batch:06d}.parquet")
    )


def staged_parts_of(root: Path, ingest_id: str) -> list[Path]:
    """Every staged part file of one ingest (to remove them when it fails)."""
    return sorted(root.glob(f"incidents/*/*/part-{ingest_id}-b*.parquet"))


class Store:
    """An incident store in a folder, or read-only in a bucket. Open with `Store.open(path)`."""

    def __init__(self, location: Location, manifest: Manifest) -> None:
        self.location = location
        self.manifest = manifest

    # -- opening ---------------------------------------------------------------------------
    @classmethod
    def open(cls, path: str | Location | None = None, *, create: bool = False) -> Store:
        """Open the store at `path`: a folder, or `s3://bucket/prefix` to read one in a bucket
        (default: `$STREETLIGHT_STORE` or `./streetlight-data`).

        With `create=True` a missing store is created empty; otherwise a missing store is an
        error that says how to make one. A store in a bucket cannot be created or written.
        """
        where = store_location(path) if path is not None else default_store_location()
        if isinstance(where, StoreURL):
            if create:
                raise _read_only(where)
            return cls(where, read_manifest(where))
        root = where
        manifest_path = root / MANIFEST_NAME
        if create and not manifest_path.exists():
            if root.exists() and not root.is_dir():
                raise StoreNotFoundError(f"{root}: exists and is not a folder")
            root.mkdir(parents=True, exist_ok=True)
            with _exclusive_lock(root):
                if not manifest_path.exists():
                    save_manifest(root, Manifest())
        return cls(root, read_manifest(root))

    def refresh(self) -> None:
        """Read the manifest again: a writer before it changes the store, a reader to see what
        was published since it opened the store."""
        if isinstance(self.location, StoreURL):
            self.manifest = read_manifest(self.location)
        else:
            self.manifest = load_manifest(self.location)

    @property
    def root(self) -> Path:
        """The store's folder, which writing needs; `ReadOnlyStoreError` for a store in a
        bucket (`location` says where any store is)."""
        if isinstance(self.location, StoreURL):
            raise _read_only(self.location)
        return self.location

    def _scan_incidents(self, files: list[str]) -> pl.LazyFrame:
        """The incidents of these partition files, from the folder or the bucket."""
        return pl.scan_parquet(
            files,
            schema=INCIDENT_SCHEMA,
            extra_columns="ignore",
            storage_options=scan_options(self.location),
        )

    def _collect(self, scan: pl.LazyFrame) -> pl.DataFrame:
        if isinstance(self.location, StoreURL):
            with bucket_errors(self.location):
                return scan.collect()
        return scan.collect()

    # -- reading ---------------------------------------------------------------------------
    @property
    def forces(self) -> dict[str, ForceInfo]:
        return dict(self.manifest.forces)

    def resolve_force(self, force: str) -> str:
        """A force slug from its slug or full name, case-insensitively."""
        wanted = force.strip().lower()
        for slug, info in self.manifest.forces.items():
            if wanted in (slug, info.name.lower()):
                return slug
        known = ", ".join(sorted(self.manifest.forces)) or "none yet"
        raise UnknownForceError(
            f"{self.location}: no force {force!r} in the store (forces: {known})"
        )

    def _partition_files(
        self,
        forces: list[str] | None,
        start: date | None,
        end: date | None,
        categories: list[str] | None = None,
    ) -> list[str]:
        """The files of the partitions in range; with `categories`, not those the manifest's
        counts show hold none of them (a rare crime type is absent from many force-months)."""
        lo = month_key(start) if start else None
        hi = month_key(end) if end else None
        return [
            str(self.location / p.path)
            for p in sorted(self.manifest.partitions, key=lambda p: (p.force, p.month))
            if (forces is None or p.force in forces)
            and (lo is None or p.month >= lo)
            and (hi is None or p.month <= hi)
            and (categories is None or p.categories is None or _holds_any(p, categories))
        ]

    def incidents(
        self,
        force: str | Sequence[str] | None = None,
        categories: str | Sequence[str] | None = None,
        start: str | date | None = None,
        end: str | date | None = None,
        columns: Sequence[str] | None = None,
    ) -> pl.DataFrame:
        """Incidents in the canonical schema (see `schema.py`), ordered by force and month.

        `force` takes slugs or full names; `start` and `end` are months ("2024-01"), both included;
        `categories` are matched exactly. Only the partitions in range are read, and of those
        only the ones whose manifest counts show one of the categories (see `manifest.py`).
        """
        forces = _as_list(force)
        slugs = [self.resolve_force(f) for f in forces] if forces is not None else None
        lo = parse_month(start) if start is not None else None
        hi = parse_month(end) if end is not None else None
        cats = _as_list(categories)
        files = self._partition_files(slugs, lo, hi, cats)
        wanted = list(columns) if columns is not None else list(INCIDENT_SCHEMA.names())
        if not files:
            return empty_incidents().select(wanted)
        scan = self._scan_incidents(files)
        if cats is not None:
            scan = scan.filter(pl.col("category").is_in(cats))
        return self._collect(scan.select(wanted))

    def quarantine(self) -> pl.DataFrame:
        """Every row ever rejected, with source file, row number, reason and raw values."""
        files = [str(self.location / q.path) for q in self.manifest.quarantine]
        if not files:
            return empty_quarantine()
        options = scan_options(self.location)
        return self._collect(
            pl.scan_parquet(files, schema=QUARANTINE_SCHEMA, storage_options=options)
        )

    def keys(self, forces: Iterable[str]) -> pl.DataFrame:
        """`force, incident_id, month, source, _net` of stored incidents, for duplicate checks
        and reversals (`_net`: see `schema.NET`, here 1 where the files leave it null)."""
        files = self._partition_files(sorted(set(forces)), None, None)
        if not files:
            return pl.DataFrame(schema=STORED_SCHEMA).select(_KEY_COLUMNS)
        return self._collect(_scan_stored(files, scan_options(self.location)).select(_KEY_COLUMNS))

    def rows(self, keys: pl.DataFrame) -> pl.DataFrame:
        """The stored incidents of `keys` (`KEY_SCHEMA`, as `keys()` gives), reading only the
        partitions that hold them."""
        wanted = {(str(f), month_key(m)) for f, m in keys.select("force", "month").iter_rows()}
        files = [
            str(self.location / p.path)
            for p in self.manifest.partitions
            if (p.force, p.month) in wanted
        ]
        if not files:
            return empty_incidents()
        scan = self._scan_incidents(files)
        return self._collect(scan.join(keys.lazy().select(_KEY), on=_KEY, how="semi"))

    # -- writing ---------------------------------------------------------------------------
    @contextlib.contextmanager
    def writer(self) -> Iterator[StoreWriter]:
        """Exclusive write access: reloads the manifest and clears files of interrupted ingests."""
        with _exclusive_lock(self.root):
            self.refresh()
            self._remove_orphans()
            yield StoreWriter(self)

    def staging_dir(self, ingest_id: str) -> Path:
        """A new, empty folder for an ingest's staged files (only while holding the writer)."""
        path = self.root / STAGING / ingest_id
        path.mkdir(parents=True, exist_ok=False)
        return path

    def _remove_orphans(self) -> None:
        # Staged files of an interrupted ingest: never referenced, safe to drop under the lock.
        shutil.rmtree(self.root / STAGING, ignore_errors=True)
        referenced = self.manifest.referenced_paths()
        for sub in ("incidents", "quarantine"):
            base = self.root / sub
            if not base.exists():
                continue
            for path in base.rglob("*.parquet"):
                if path.relative_to(self.root).as_posix() not in referenced:
                    path.unlink(missing_ok=True)


class StoreWriter:
    """Applies one `Changeset` atomically. Obtained from `Store.writer()`."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def commit(self, change: Changeset) -> Manifest:
        def write(written: list[Path]) -> tuple[list[PartitionFile], QuarantineFile | None]:
            partitions = self._write_partitions(change, written)
            if not change.quarantine.height:
                return partitions, None
            rel = f"quarantine/{change.ingest_id}.parquet"
            written.append(self._store.root / rel)
            write_parquet(
                change.quarantine.select(QUARANTINE_SCHEMA.names()), self._store.root / rel
            )
            return partitions, QuarantineFile(
                change.ingest_id,
                rel,
                change.quarantine.height,
                reasons=reason_counts(change.quarantine),
            )

        return self._publish(change.ingest_id, change.sources, change.forces, write)

    def commit_staged(self, change: StagedChangeset) -> Manifest:
        """Publish a streaming ingest's staged files: a force-month new to the store takes its
        one staged file as it is (no copy); others are merged with what is stored."""
        consumed: list[Path] = []

        def write(written: list[Path]) -> tuple[list[PartitionFile], QuarantineFile | None]:
            partitions = self._place_parts(change, written, consumed)
            if not change.quarantine:
                return partitions, None
            rel = f"quarantine/{change.ingest_id}.parquet"
            dest = self._store.root / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            written.append(dest)
            if len(change.quarantine) == 1:
                change.quarantine[0].replace(dest)
            else:  # streamed file to file: never all in memory
                pl.scan_parquet(list(change.quarantine), schema=QUARANTINE_SCHEMA).sink_parquet(
                    dest, compression="zstd", compression_level=1, statistics=True
                )
            return partitions, QuarantineFile(
                change.ingest_id, rel, change.quarantined, reasons=dict(change.reasons)
            )

        published = self._publish(change.ingest_id, change.sources, change.forces, write)
        for path in consumed:  # merged into new files: never referenced
            path.unlink(missing_ok=True)
        return published

    def _publish(
        self,
        ingest_id: str,
        sources: tuple[SourceRecord, ...],
        new_forces: tuple[ForceInfo, ...],
        write: Callable[[list[Path]], tuple[list[PartitionFile], QuarantineFile | None]],
    ) -> Manifest:
        """Write the new files (`write` lists each as it goes), then swap in the manifest; on any
        failure before the swap, remove the files written."""
        store = self._store
        root, old = store.root, store.manifest
        written: list[Path] = []
        try:
            partitions, quarantined = write(written)
            quarantine = list(old.quarantine)
            if quarantined is not None:
                quarantine.append(quarantined)
            forces = dict(old.forces)
            forces.update({f.slug: f for f in new_forces})
            accepted = sum(s.accepted for s in sources)
            new = replace(
                old,
                version=old.version + 1,
                forces=forces,
                sources=[*old.sources, *sources],
                partitions=partitions,
                quarantine=quarantine,
                ingests=[
                    *old.ingests,
                    IngestRecord(
                        ingest_id=ingest_id,
                        finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
                        sources=len(sources),
                        accepted=accepted,
                        quarantined=quarantined.rows if quarantined is not None else 0,
                    ),
                ],
            )
            save_manifest(root, new)
        except BaseException:
            # An interrupt can land after the manifest's rename but before save_manifest returns
            # (while it syncs the folder): then the commit is published and its files must stay.
            if not _published(root, old.version + 1):
                for path in written:
                    path.unlink(missing_ok=True)
            raise
        store.manifest = new
        for stale in old.referenced_paths() - new.referenced_paths():
            (root / stale).unlink(missing_ok=True)
        return new

    def _place_parts(
        self, change: StagedChangeset, written: list[Path], consumed: list[Path]
    ) -> list[PartitionFile]:
        """The partitions after `change`: a force-month new to the store with one staged part
        takes that file as it is; others get a new file merging what is stored (less what
        `change` removes, with its new net counts) and staged (the parts merged go in
        `consumed`, to remove once published)."""
        store = self._store
        current = {(p.force, p.month): p for p in store.manifest.partitions}
        staged: dict[tuple[str, str], list[StagedPart]] = {}
        for part in change.parts:
            staged.setdefault((part.force, part.month), []).append(part)
        amended = _months_of(change.remove) | _months_of(change.renet)
        for key in sorted(amended - set(staged)):
            if key in current:
                staged[key] = []
        result = {k: v for k, v in current.items() if k not in staged}
        merges: list[tuple[PartitionFile | None, list[StagedPart], PartitionFile]] = []
        for (force, mkey), parts in sorted(staged.items()):
            written += [p.path for p in parts]  # removed if the commit fails
            old = current.get((force, mkey))
            if old is None and len(parts) == 1:
                rel = parts[0].path.relative_to(store.root).as_posix()
                result[(force, mkey)] = PartitionFile(
                    force, mkey, rel, parts[0].rows, parts[0].categories, parts[0].without_location
                )
            else:
                rel = f"incidents/force={force}/month={mkey}/part-{change.ingest_id}.parquet"
                written.append(store.root / rel)
                merges.append((old, parts, PartitionFile(force, mkey, rel, 0)))
                consumed += [p.path for p in parts]

        def merge(job: tuple[PartitionFile | None, list[StagedPart], PartitionFile]) -> None:
            old, parts, entry = job
            frames = [_scan_stored([str(p.path)]).collect() for p in parts]
            if old is not None:
                stored = _scan_stored([str(store.root / old.path)]).collect()
                frames.insert(0, _amend(stored, change.remove, change.renet))
            frame = pl.concat(frames) if frames else pl.DataFrame(schema=STORED_SCHEMA)
            if frame.height:  # a force-month whose every incident is withdrawn has no file
                result[(entry.force, entry.month)] = write_partition(
                    frame, store.root, replace(entry, rows=frame.height)
                )

        # One force-month at a time per thread: memory is bounded by the largest partition.
        with ThreadPoolExecutor(max_workers=2) as pool:
            list(pool.map(merge, merges))
        return [result[k] for k in sorted(result)]

    def _write_partitions(self, change: Changeset, written: list[Path]) -> list[PartitionFile]:
        store = self._store
        current = {(p.force, p.month): p for p in store.manifest.partitions}
        add = change.add if NET in change.add.columns else change.add.with_columns(_NO_NET)
        new_rows = _by_partition(add.select(STORED_SCHEMA.names()))
        touched = set(new_rows) | _months_of(change.remove) | _months_of(change.renet)
        result = {k: v for k, v in current.items() if k not in touched}
        jobs: list[tuple[pl.DataFrame, PartitionFile]] = []
        for force, mkey in sorted(touched):
            parts = []
            old = current.get((force, mkey))
            if old is not None:
                frame = _scan_stored([str(store.root / old.path)]).collect()
                parts.append(_amend(frame, change.remove, change.renet))
            fresh = new_rows.get((force, mkey))
            if fresh is not None:
                parts.append(fresh)
            frame = pl.concat(parts) if parts else pl.DataFrame(schema=STORED_SCHEMA)
            if frame.height == 0:
                continue
            rel = f"incidents/force={force}/month={mkey}/part-{change.ingest_id}.parquet"
            written.append(store.root / rel)
            jobs.append((frame, PartitionFile(force, mkey, rel, frame.height)))
        # Parquet encoding and compression release the GIL: write on both cores.
        with ThreadPoolExecutor(max_workers=2) as pool:
            for entry in pool.map(lambda job: write_partition(job[0], store.root, job[1]), jobs):
                result[(entry.force, entry.month)] = entry
        return [result[k] for k in sorted(result)]


_KEY_COLUMNS = ("force", "incident_id", "month", "source", pl.col(NET).fill_null(1))


def _months_of(keys: pl.DataFrame) -> set[tuple[str, str]]:
    """The (force, YYYY-MM) partitions that hold `keys` (`KEY_SCHEMA`)."""
    return {(str(f), month_key(m)) for f, m in keys.select("force", "month").unique().iter_rows()}


def _amend(frame: pl.DataFrame, remove: pl.DataFrame, renet: pl.DataFrame) -> pl.DataFrame:
    """A stored partition's rows less the incidents of `remove`, with the net counts of
    `renet` (both keyed as `KEY_SCHEMA`; incidents of other partitions match nothing)."""
    if remove.height:
        frame = frame.join(remove.select(_KEY), on=_KEY, how="anti", maintain_order="left")
    if renet.height:
        frame = (
            frame.join(
                renet.select(*_KEY, NET), on=_KEY, how="left", maintain_order="left", suffix="_new"
            )
            .with_columns(pl.coalesce(f"{NET}_new", NET).alias(NET))
            .drop(f"{NET}_new")
        )
    return frame


def _scan_stored(files: list[str], options: dict[str, str] | None = None) -> pl.LazyFrame:
    """The store's files with the net count, null in files written before it was kept."""
    return pl.scan_parquet(
        files, schema=STORED_SCHEMA, missing_columns="insert", storage_options=options
    )


def _by_partition(frame: pl.DataFrame) -> dict[tuple[str, str], pl.DataFrame]:
    """The rows of each (force, YYYY-MM) partition.

    An ingest's rows come file by file, so each partition's rows are usually one run: then the
    parts are slices of `frame`, not copies of its rows.
    """
    if frame.height == 0:
        return {}
    runs = frame.select(pl.struct("force", "month").rle().alias("run")).unnest("run")
    keys = runs["value"].struct.unnest()
    if keys.is_duplicated().any():  # some partition's rows are not all together
        return {
            (str(key[0]), month_key(key[1])): part
            for key, part in frame.partition_by(["force", "month"], as_dict=True).items()
        }
    lengths = runs["len"].to_list()
    starts = [0, *runs["len"].cum_sum().to_list()[:-1]]
    return {
        (str(force), month_key(month)): frame.slice(start, length)
        for (force, month), start, length in zip(keys.iter_rows(), starts, lengths, strict=True)
    }


def _holds_any(part: PartitionFile, categories: list[str]) -> bool:
    counted = part.categories or {}
    return any(counted.get(c, 0) for c in categories)


def _published(root: Path, version: int) -> bool:
    """Whether the manifest on disk is already the given version."""
    try:
        return load_manifest(root).version == version
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _read_only(url: StoreURL) -> ReadOnlyStoreError:
    return ReadOnlyStoreError(
        f"{url}: a store in a bucket is read-only (object storage has no lock or atomic rename "
        "for a commit); ingest into a store in a local or shared folder, then copy it to the "
        f"bucket, manifest last: `aws s3 sync STORE/ {url}/ --exclude manifest.json` then "
        f"`aws s3 cp STORE/manifest.json {url}/manifest.json` (docs/cluster.md)"
    )


def new_ingest_id() -> str:
    """Sortable and unique: UTC time then random hex."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


@contextlib.contextmanager
def _exclusive_lock(root: Path) -> Iterator[None]:
    lock_path = root / _LOCK_NAME
    with lock_path.open("a+") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise StoreLockedError(
                f"{root}: another process is writing to this store; try again"
            ) from exc
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
