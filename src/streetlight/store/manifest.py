"""The store's manifest: the single file that says what the store holds.

Readers see only the Parquet files the manifest lists, and a writer publishes a change by replacing
the manifest in one `os.replace`. So a crash or Ctrl-C at any point leaves the store exactly as the
last complete ingest left it; files written by an interrupted ingest are unreferenced and removed by
the next writer.

The manifest also carries each file's summary counts (rows per category, rows without a location,
quarantined rows per reason), so `streetlight info` on a national store (1,584 force-months) reads
one JSON file instead of every partition. The counts are optional: manifests written before they
were kept still load, and readers count those files themselves (see `summary.py`).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

# 2: partitions and quarantine files carry their summary counts. Version 1 manifests (without
# them) still load; a version 1 reader refuses a version 2 store with a clear message instead
# of failing on the new fields.
FORMAT_VERSION = 2
_READABLE = frozenset({1, 2})
MANIFEST_NAME = "manifest.json"
_T = TypeVar("_T")


@dataclass(frozen=True)
class ForceInfo:
    """A force in the store and the projected CRS its x/y are in."""

    slug: str
    name: str
    crs: str
    # IANA time zone of the force's local time (shift boundaries); None when unknown.
    timezone: str | None = None


@dataclass(frozen=True)
class SourceRecord:
    """A source file ingested once; its SHA-256 makes a second ingest of the same bytes a no-op."""

    sha256: str
    name: str
    bytes: int
    format: str
    rows_read: int
    accepted: int
    quarantined: int
    ingest_id: str


@dataclass(frozen=True)
class PartitionFile:
    """The one Parquet file holding a force's incidents for a month."""

    force: str
    month: str  # YYYY-MM
    path: str  # relative to the store root
    rows: int
    # Rows per category, and rows with no location (null x): None in manifests older than them.
    categories: dict[str, int] | None = None
    without_location: int | None = None


@dataclass(frozen=True)
class QuarantineFile:
    """Rows rejected by one ingest, with their reasons."""

    ingest_id: str
    path: str
    rows: int
    # Rows per reason code: None in manifests older than it.
    reasons: dict[str, int] | None = None


@dataclass(frozen=True)
class IngestRecord:
    """One completed ingest."""

    ingest_id: str
    finished_at: str  # ISO 8601, UTC
    sources: int
    accepted: int
    quarantined: int


@dataclass
class Manifest:
    """Everything the store holds; replaced atomically on each commit."""

    version: int = 0
    forces: dict[str, ForceInfo] = field(default_factory=dict)
    sources: list[SourceRecord] = field(default_factory=list)
    partitions: list[PartitionFile] = field(default_factory=list)
    quarantine: list[QuarantineFile] = field(default_factory=list)
    ingests: list[IngestRecord] = field(default_factory=list)

    def source_hashes(self) -> set[str]:
        return {s.sha256 for s in self.sources}

    def rows_by_force(self) -> dict[str, int]:
        """Incidents stored per force: how much work a force's task has, before reading a row."""
        rows = dict.fromkeys(self.forces, 0)
        for part in self.partitions:
            rows[part.force] = rows.get(part.force, 0) + part.rows
        return rows

    def referenced_paths(self) -> set[str]:
        return {p.path for p in self.partitions} | {q.path for q in self.quarantine}

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["format_version"] = FORMAT_VERSION
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        return cls(
            version=int(data["version"]),
            forces={k: _known(ForceInfo, v) for k, v in data["forces"].items()},
            sources=[_known(SourceRecord, s) for s in data["sources"]],
            partitions=[_known(PartitionFile, p) for p in data["partitions"]],
            quarantine=[_known(QuarantineFile, q) for q in data["quarantine"]],
            ingests=[_known(IngestRecord, i) for i in data["ingests"]],
        )


def _known(kind: type[_T], data: dict[str, Any]) -> _T:
    """`kind(**data)` without the fields this version does not know.

    New fields are added as optional summaries, so a reader can ignore what a newer writer added;
    a field this version requires and the file lacks is still an error (TypeError).
    """
    names = _FIELD_NAMES.get(kind)
    if names is None:  # once per class: a national manifest has thousands of records
        names = _FIELD_NAMES[kind] = frozenset(f.name for f in fields(kind))  # type: ignore[arg-type]
    if names.issuperset(data):
        return kind(**data)
    return kind(**{k: v for k, v in data.items() if k in names})


_FIELD_NAMES: dict[type, frozenset[str]] = {}


def load_manifest(root: Path) -> Manifest:
    path = root / MANIFEST_NAME
    return parse_manifest(path.read_text(encoding="utf-8"), str(path))


def parse_manifest(text: str, where: str) -> Manifest:
    """The manifest in `text` (read from `where`: a file or a bucket's object)."""
    data = json.loads(text)
    if data.get("format_version") not in _READABLE:
        raise ValueError(f"{where}: store format {data.get('format_version')!r} is not supported")
    return Manifest.from_json(data)


def save_manifest(root: Path, manifest: Manifest) -> None:
    """Write the manifest durably, then swap it in with one atomic rename."""
    path = root / MANIFEST_NAME
    tmp = root / f".{MANIFEST_NAME}.tmp"
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(manifest.to_json(), fh, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)
    dir_fd = os.open(root, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
