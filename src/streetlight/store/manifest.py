"""The store's manifest: the single file that says what the store holds.

Readers see only the Parquet files the manifest lists, and a writer publishes a change by replacing
the manifest in one `os.replace`. So a crash or Ctrl-C at any point leaves the store exactly as the
last complete ingest left it; files written by an interrupted ingest are unreferenced and removed by
the next writer.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"


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


@dataclass(frozen=True)
class QuarantineFile:
    """Rows rejected by one ingest, with their reasons."""

    ingest_id: str
    path: str
    rows: int


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
            forces={k: ForceInfo(**v) for k, v in data["forces"].items()},
            sources=[SourceRecord(**s) for s in data["sources"]],
            partitions=[PartitionFile(**p) for p in data["partitions"]],
            quarantine=[QuarantineFile(**q) for q in data["quarantine"]],
            ingests=[IngestRecord(**i) for i in data["ingests"]],
        )


def load_manifest(root: Path) -> Manifest:
    path = root / MANIFEST_NAME
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("format_version") != FORMAT_VERSION:
        raise ValueError(f"{path}: store format {data.get('format_version')!r} is not supported")
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
