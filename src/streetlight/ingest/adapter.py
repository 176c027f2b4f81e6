"""The interface between the ingest pipeline and a source format."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol

from streetlight.ingest.csvread import RawTable
from streetlight.ingest.formats import FileResult

Keep = Literal["first", "last"]


class Format(Protocol):
    """A source format: how to read one file, and the rules that span files."""

    name: str
    # File-name patterns read inside folders and zips.
    patterns: Sequence[str]
    # Which record wins when an incident id repeats: data.police.uk keeps the first; a force export
    # that re-issues updated records keeps the last.
    keep: Keep
    # The projected CRS to store the force in, or None to choose one from the data.
    store_crs: str | None

    def parse(self, raw: RawTable, basename: str) -> FileResult: ...

    def resolve(self, results: list[FileResult]) -> list[FileResult]:
        """Rules across the files of one ingest (reversals, superseded records)."""
        ...
