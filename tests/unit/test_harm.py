"""The packaged CCHI subgroup table: a faithful copy of the shared real data, readable, and
covering every subgroup the offence-code list uses."""

from __future__ import annotations

import pytest

from streetlight.unit.extract import read_offence_codes
from streetlight.unit.harm import SUBGROUP_HARM, SUBGROUP_HARM_NOTE, read_subgroup_harm
from tests.conftest import SHARED_DATA

SHARED_TABLE = SHARED_DATA / "harm" / "cchi-subgroups.csv"


@pytest.mark.skipif(not SHARED_TABLE.exists(), reason=f"shared data not found at {SHARED_DATA}")
def test_the_packaged_table_is_the_shared_one_byte_for_byte() -> None:
    assert SUBGROUP_HARM.read_bytes() == SHARED_TABLE.read_bytes()


def test_the_table_reads_with_the_published_medians() -> None:
    harm = read_subgroup_harm()
    assert len(harm) == 23
    assert harm["Rape offences"].median_days == 2555
    assert harm["Violence with injury"].median_days == 365
    assert harm["Stalking and harassment"].median_days == 10
    assert harm["Stalking and harassment"].mean_days == 35.0
    assert harm["Other theft offences"].count_2024_25 is None
    for row in harm.values():
        assert row.min_days <= row.median_days <= row.max_days


def test_every_offence_code_has_a_subgroup_with_a_weight() -> None:
    harm = read_subgroup_harm()
    missing = {c.subgroup for c in read_offence_codes().values()} - set(harm)
    assert not missing


def test_the_note_carries_the_provenance_and_the_caveat() -> None:
    assert "isthisben/cbl-realcrime" in SUBGROUP_HARM_NOTE
    assert "Medians hide the tail" in SUBGROUP_HARM_NOTE
    doc = " ".join((SUBGROUP_HARM.parent / "CCHI_SUBGROUPS.md").read_text(encoding="utf-8").split())
    assert "isthisben/cbl-realcrime" in doc and "Sherman, Neyroud & Neyroud 2016" in doc
