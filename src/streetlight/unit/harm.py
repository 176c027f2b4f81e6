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
import math
from dataclasses import dataclass
from pathlib import Path

from streetlight.unit.errors import WeightsError

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


_COLUMNS = (
    "prc_subgroup",
    "n_offence_codes",
    "min_days",
    "median_days",
    "mean_days",
    "max_days",
    "count_2024_25",
)


def read_subgroup_harm(path: Path = SUBGROUP_HARM) -> dict[str, SubgroupHarm]:
    """CCHI days per Home Office offence subgroup, by subgroup name as spelled in the table.

    The default is the packaged copy; a force may pass its own table of the same columns
    (`prc_subgroup, n_offence_codes, min_days, median_days, mean_days, max_days,
    count_2024_25`). A table that cannot be used raises `WeightsError` naming the file, the row
    (the header is row 1) and the field: a ranking weighed with a half-read table would be wrong
    without saying so."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in _COLUMNS if c not in (reader.fieldnames or ())]
            if missing:
                raise WeightsError(f"{path}: row 1: no column {', '.join(missing)}")
            table: dict[str, SubgroupHarm] = {}
            for row_number, row in enumerate(reader, start=2):
                harm = _subgroup(row, f"{path}: row {row_number}")
                if harm.subgroup in table:
                    raise WeightsError(
                        f"{path}: row {row_number}, prc_subgroup: {harm.subgroup!r} again"
                    )
                table[harm.subgroup] = harm
    except FileNotFoundError:
        raise WeightsError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise WeightsError(f"{path}: not UTF-8 text") from None
    if not table:
        raise WeightsError(f"{path}: no rows")
    return table


def _subgroup(row: dict[str, str | None], at: str) -> SubgroupHarm:
    def where(field: str) -> str:
        return f"{at}, {field}"

    def text(field: str) -> str:
        return (row.get(field) or "").strip()

    def number(field: str) -> float:
        try:
            value = float(text(field))
        except ValueError:
            raise WeightsError(f"{where(field)}: not a number") from None
        if not math.isfinite(value) or value < 0:
            raise WeightsError(f"{where(field)}: not a number of days >= 0")
        return value

    def whole(field: str) -> int:
        try:
            return int(text(field))
        except ValueError:
            raise WeightsError(f"{where(field)}: not a whole number") from None

    subgroup = text("prc_subgroup")
    if not subgroup:
        raise WeightsError(f"{where('prc_subgroup')}: empty")
    return SubgroupHarm(
        subgroup,
        whole("n_offence_codes"),
        number("min_days"),
        number("median_days"),
        number("mean_days"),
        number("max_days"),
        whole("count_2024_25") if text("count_2024_25") else None,
    )
