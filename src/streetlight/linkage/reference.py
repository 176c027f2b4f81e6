"""The layout of the crimelinkage example data (Porter and Reich, GPL-3) as a built-in mapping,
so the linkage commands read that data without the repository's `mappings/` folder (which an
installed package does not have). A test keeps it equal to `mappings/linkage-crimelinkage.toml`,
the documented copy to start a force's own mapping from."""

from __future__ import annotations

from pathlib import Path

from streetlight.linkage.crimes import (
    CrimeColumns,
    CrimeTable,
    LinkageMapping,
    OffenderColumns,
    Offenders,
    read_crimes,
    read_mapping,
    read_offenders,
)

CRIMELINKAGE_MAPPING = LinkageMapping(
    crimes=CrimeColumns(
        id="crimeID",
        x="X",
        y="Y",
        date_from="DATE_FROM",
        time_from="TIME_FROM",
        date_to="DATE_TO",
        time_to="TIME_TO",
        date_format="%Y-%m-%d",
        time_format="%H%M",
        categorical=("MO1", "MO2", "MO3"),
        numeric=(),
        missing=frozenset({"", "NA"}),
        reversed_window="swap",
    ),
    offenders=OffenderColumns(offender="offenderID", crime="crimeID"),
)


def read_inputs(
    crimes: Path, offenders: Path, mapping: Path | None = None
) -> tuple[CrimeTable, Offenders]:
    """The crime table and offender rows, read with the mapping file at `mapping` or, when None,
    the crimelinkage layout."""
    layout = CRIMELINKAGE_MAPPING if mapping is None else read_mapping(mapping)
    return read_crimes(crimes, layout), read_offenders(offenders, layout)
