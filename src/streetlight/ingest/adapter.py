"""The interface between the ingest pipeline and a source format."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol

import polars as pl

from streetlight.ingest.csvread import RawTable
from streetlight.ingest.formats import Parsed

Keep = Literal["first", "last"]


class Format(Protocol):
    """A source format: which files it reads and the rules its rows must pass."""

    @property
    def name(self) -> str:
        """Recorded in the manifest for each source file."""

    @property
    def patterns(self) -> Sequence[str]:
        """File-name patterns read inside folders and zips."""

    @property
    def keep(self) -> Keep:
        """Which record wins when an incident id repeats: data.police.uk keeps the first; a force
        export that re-issues updated records keeps the last."""

    @property
    def timezone(self) -> str:
        """The force's local time zone (IANA name), recorded for shift-level analysis."""

    @property
    def store_crs(self) -> str | None:
        """The projected CRS to store the force in, or None to choose one from the data."""

    @property
    def forces(self) -> Sequence[str] | None:
        """The forces its rows belong to, when known before reading (a mapping names its force);
        their stored keys then go to `parse`, for rules that span ingests. None otherwise."""

    def parse(
        self, raws: Sequence[RawTable], labels: Sequence[str], stored: pl.DataFrame | None = None
    ) -> Parsed:
        """Apply the format's rules to a batch of files at once (rules may span files).

        `labels` name each file in the `source` column; file names (for force slugs) are
        their last path component. `stored`: `Store.keys` of `forces`, when the format has them.
        """
        ...
