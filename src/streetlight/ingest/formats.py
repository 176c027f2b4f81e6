"""What every format adapter returns for one file, and header-name matching."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import polars as pl

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise_header(name: str) -> str:
    """`"X-Coord"`, `"X Coord"` and `"xcoord"` all become `"xcoord"`; so do BOM-prefixed names."""
    return _NON_ALNUM.sub("", name.replace("\ufeff", "").lower())


def slugify(expr: pl.Expr) -> pl.Expr:
    """`"City of London Police"` -> `"city-of-london"` (the data.police.uk force slug)."""
    lowered = expr.str.to_lowercase().str.replace(r"\s+police(\s+service)?\s*$", "")
    return lowered.str.replace_all(r"[^0-9a-z]+", "-").str.strip_chars("-")


@dataclass
class FileResult:
    """One file after its format's row rules: accepted rows and quarantined rows, nothing else."""

    source: str
    rows_read: int
    # Canonical columns except x/y, which are filled in once for the whole batch.
    accepted: pl.DataFrame
    quarantine: pl.DataFrame
    notes: list[str] = field(default_factory=list)
    # Force slug -> full name, as the file names them.
    force_names: dict[str, str] = field(default_factory=dict)
