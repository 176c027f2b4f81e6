"""What an ingest reports: per file, and in all (for the CLI summary and for callers)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from streetlight.ingest.sources import Skipped


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
