"""Harm per offence subgroup: Cambridge Crime Harm Index days, read from the packaged table.

A unit weighs an offence by the CCHI days of its Home Office offence subgroup (the offence-code
list, `extract.read_offence_codes`, gives each code its subgroup). The table ships beside this
module as `cchi_subgroups.csv`, a copy of the project's `data/harm/cchi-subgroups.csv`, so nothing
outside the package is read at run time; `CCHI_SUBGROUPS.md` beside it gives its provenance and
caveats, which `SUBGROUP_HARM_NOTE` repeats for whatever prints these weights.

Source: Cambridge Crime Harm Index, 2026 update (Cambridge Centre for Evidence-Based Policing);
harm = days of custody at the Sentencing Council starting point for a first-time offender
(Sherman, Neyroud & Neyroud 2016, Policing 10(3):171-183). The subgroup table is a third party's
derivation (isthisben/cbl-realcrime), not Cambridge's own published subgroup weights.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

SUBGROUP_HARM = Path(__file__).resolve().parent / "cchi_subgroups.csv"

SUBGROUP_HARM_NOTE = (
    "Harm: Cambridge Crime Harm Index days per Home Office offence subgroup, the median over the "
    "subgroup's offence codes (CCHI 2026; subgroup table derived by isthisben/cbl-realcrime, not "
    "Cambridge's own). Medians hide the tail (stalking and harassment: 10 days by median, 35 by "
    "mean; violence without injury: 10 by median, 437 by mean); the weights are the force's choice."
)


@dataclass(frozen=True)
class SubgroupHarm:
    """CCHI days over the offence codes of one PRC subgroup (`median_days` is the weight used)."""

    subgroup: str
    n_offence_codes: int
    min_days: float
    median_days: float
    mean_days: float
    max_days: float
    count_2024_25: int | None  # national police recorded crime, where known


def read_subgroup_harm(path: Path = SUBGROUP_HARM) -> dict[str, SubgroupHarm]:
    """CCHI days per Home Office offence subgroup, by subgroup name as spelled in the table.

    The default is the packaged copy; a force may pass its own table of the same columns
    (`prc_subgroup, n_offence_codes, min_days, median_days, mean_days, max_days,
    count_2024_25`)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            row["prc_subgroup"].strip(): SubgroupHarm(
                row["prc_subgroup"].strip(),
                int(row["n_offence_codes"]),
                float(row["min_days"]),
                float(row["median_days"]),
                float(row["mean_days"]),
                float(row["max_days"]),
                int(row["count_2024_25"]) if row["count_2024_25"].strip() else None,
            )
            for row in csv.DictReader(handle)
        }
