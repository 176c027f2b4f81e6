"""Where the tests find the crimelinkage example data (GPL-3: read from ../shared, never copied
into the repository) and its documented mapping, and the mark that skips a test without it."""

from __future__ import annotations

from pathlib import Path

import pytest

from streetlight.linkage.crimes import (
    CrimeTable,
    Offenders,
    read_crimes,
    read_mapping,
    read_offenders,
)

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "linkage"
MAPPING = Path(__file__).resolve().parents[2] / "mappings" / "linkage-crimelinkage.toml"

needs_data = pytest.mark.skipif(
    not (DATA / "crimes.csv").is_file(),
    reason=f"the crimelinkage data (GPL-3) is not in {DATA}; it is never copied into the repo",
)


def read_data() -> tuple[CrimeTable, Offenders]:
    """The crime table and the offender rows, read with the documented mapping."""
    mapping = read_mapping(MAPPING)
    return read_crimes(DATA / "crimes.csv", mapping), read_offenders(
        DATA / "offenders.csv", mapping
    )
