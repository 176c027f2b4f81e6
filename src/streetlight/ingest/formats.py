"""What every format adapter returns for a batch of files, and header-name matching."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl

from streetlight.store.schema import NET

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise_header(name: str) -> str:
    """`"X-Coord"`, `"X Coord"` and `"xcoord"` all become `"xcoord"`; so do BOM-prefixed names."""
    return _NON_ALNUM.sub("", name.replace("\ufeff", "").lower())


def slugify(expr: pl.Expr) -> pl.Expr:
    """`"City of London Police"` -> `"city-of-london"` (the data.police.uk force slug)."""
    lowered = expr.str.to_lowercase().str.replace(r"\s+police(\s+service)?\s*$", "")
    return lowered.str.replace_all(r"[^0-9a-z]+", "-").str.strip_chars("-")


@dataclass
class Parsed:
    """A batch of files after its format's row rules: every row accepted or quarantined.

    Both frames carry `_file`, the index of the row's file in the batch.
    """

    # Canonical columns except x/y, which the pipeline fills once for the whole batch.
    accepted: pl.DataFrame
    # QUARANTINE_SCHEMA columns.
    quarantine: pl.DataFrame
    # (file index, note) pairs: extra columns ignored, and the like.
    notes: list[tuple[int, str]] = field(default_factory=list)
    # Force slug -> full name, as the files name them.
    force_names: dict[str, str] = field(default_factory=dict)
    # Stored incidents this batch's reversals withdraw: force, incident_id, detail (the reason).
    withdrawn: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(
            schema={"force": pl.String, "incident_id": pl.String, "detail": pl.String}
        )
    )
    # Stored incidents that stay with a new net count: force, incident_id, _net.
    renet: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(
            schema={"force": pl.String, "incident_id": pl.String, NET: pl.Int32}
        )
    )
