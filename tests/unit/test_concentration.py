"""The published figures measured on small extracts whose answers are worked out by hand."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

import polars as pl
import pytest

from streetlight.unit.concentration import (
    dyad_concentration,
    intimate_partner_cohort,
    measure,
    top_by_harm,
    weighed,
)

T0 = datetime(2023, 1, 1)
YEAR = timedelta(days=365)


def _frames(
    rows: list[tuple[str, str, str | None, datetime, str | None, str, str]],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Offences and links from (offence, code, relationship, reported, vawg Y/N/None, suspect,
    victim) rows; an empty suspect means none identified."""
    offences = pl.DataFrame(
        {
            "offence_ref": [r[0] for r in rows],
            "ho_code": [r[1] for r in rows],
            "relationship": [r[2] for r in rows],
            "reported_at": [r[3] for r in rows],
            "vawg": [None if r[4] is None else r[4] == "Y" for r in rows],
        },
        schema={
            "offence_ref": pl.String,
            "ho_code": pl.String,
            "relationship": pl.String,
            "reported_at": pl.Datetime("us"),
            "vawg": pl.Boolean,
        },
    )
    links = pl.DataFrame(
        {
            "person_ref": [p for r in rows for p in (r[5], r[6]) if p],
            "offence_ref": [r[0] for r in rows for p in (r[5], r[6]) if p],
            "role": [role for r in rows for p, role in ((r[5], "suspect"), (r[6], "victim")) if p],
        }
    )
    return offences, links


def test_harm_is_the_subgroup_median_and_vawg_falls_back_to_the_code() -> None:
    offences, _ = _frames(
        [
            ("a", "19C", "partner", T0, None, "s", "v"),
            ("b", "105A", "partner", T0, None, "s", "v"),
            ("c", "105A", "partner", T0, "Y", "s", "v"),
            ("d", "XX", "partner", T0, None, "s", "v"),
        ]
    )
    w = weighed(offences).sort("offence_ref")
    assert w["harm"].to_list() == [2555.0, 10.0, 10.0, 0.0]
    assert w["is_vawg"].to_list() == [True, False, True, False]


def test_the_cohort_counts_no_further_reports_and_the_top_three_percent() -> None:
    rows: list[tuple[str, str, str | None, datetime, str | None, str, str]] = []
    # 97 one-off perpetrators of common assault on a partner, first reported in the intake ...
    for i in range(97):
        rows.append((f"o{i}", "105A", "partner", T0 + timedelta(days=i), "Y", f"p{i:03d}", f"v{i}"))
    # ... and three who rape an ex-partner twice within the 731 days.
    for i in range(97, 100):
        rows.append((f"o{i}a", "19C", "ex_partner", T0 + timedelta(days=i), None, f"p{i}", "v"))
        rows.append(
            (f"o{i}b", "19C", "ex_partner", T0 + timedelta(days=i + 700), None, f"p{i}", "v")
        )
    # Not in the cohort: first report before the intake; a stranger; a man assaulted (not VAWG).
    rows.append(("x1", "105A", "partner", T0 - timedelta(days=1), "Y", "early", "v"))
    rows.append(("x2", "105A", "partner", T0 + timedelta(days=5), "Y", "early", "v"))
    rows.append(("x3", "105A", "stranger", T0, "Y", "stranger", "v"))
    rows.append(("x4", "105A", "partner", T0, "N", "woman", "v"))
    # A second report after the 731 days does not count as a further report, nor its harm.
    rows.append(("y1", "8N", "partner", T0 + timedelta(days=10), "Y", "late", "w"))
    rows.append(("y2", "19C", "partner", T0 + timedelta(days=10 + 732), "Y", "late", "w"))
    offences, links = _frames(rows)
    cohort = intimate_partner_cohort(
        offences, links, intake_start=T0, intake_end=T0 + YEAR, follow_up_days=731
    )
    assert cohort.perpetrators == 101
    assert cohort.no_further == pytest.approx(98 / 101)
    # The top 3% is ceil(3.03) = 4 people: the three rapists and the assault with injury.
    total = 97 * 10 + 3 * 2 * 2555 + 365
    assert cohort.top_harm_share == pytest.approx((3 * 2 * 2555 + 365) / total)


def test_an_empty_cohort_is_nan() -> None:
    offences, links = _frames([("a", "105A", "stranger", T0, "Y", "s", "v")])
    cohort = intimate_partner_cohort(offences, links, intake_start=T0, intake_end=T0 + YEAR)
    assert cohort.perpetrators == 0 and math.isnan(cohort.no_further)


def test_dyads_share_for_eighty_percent_and_singles() -> None:
    rows: list[tuple[str, str, str | None, datetime, str | None, str, str]] = []
    # One pair with a rape (2555) and 49 pairs with one common assault each (490): the one pair
    # holds 84% of the harm, so 1 pair in 50 (2%) is enough.
    rows.append(("r", "19C", "partner", T0, None, "s0", "v0"))
    for i in range(1, 50):
        rows.append((f"a{i}", "105A", "family", T0, None, f"s{i}", f"v{i}"))
    # Repeats of one pair; an unidentified suspect and a stranger are not domestic pairs.
    rows.append(("a1b", "105A", "family", T0, None, "s1", "v1"))
    rows.append(("u", "105A", "partner", T0, None, "", "v9"))
    rows.append(("st", "19C", "stranger", T0, None, "s9", "v9"))
    offences, links = _frames(rows)
    dyads = dyad_concentration(offences, links)
    assert dyads.pairs == 50
    assert dyads.share_for_80 == pytest.approx(1 / 50)
    assert dyads.single == pytest.approx(49 / 50)


def test_the_top_k_in_a_year_their_offences_and_distinct_victims() -> None:
    until = T0 + YEAR
    rows: list[tuple[str, str, str | None, datetime, str | None, str, str]] = [
        # "a": two rapes of one victim and an assault of another (3 offences, 2 victims).
        ("a1", "19C", "partner", T0 + timedelta(days=10), None, "a", "va"),
        ("a2", "19C", "partner", T0 + timedelta(days=20), None, "a", "va"),
        ("a3", "105A", "partner", T0 + timedelta(days=30), "Y", "a", "vb"),
        # "b" and "c" tie on harm; "b" comes first by reference.
        ("b1", "19C", "stranger", T0 + timedelta(days=40), None, "b", "vc"),
        ("c1", "19C", "stranger", T0 + timedelta(days=40), None, "c", "vd"),
        # Outside the year, and not VAWG: neither counts.
        ("d1", "19C", "stranger", T0 - timedelta(days=1), None, "d", "ve"),
        ("e1", "8N", "stranger", T0 + timedelta(days=50), "N", "e", "vf"),
    ]
    offences, links = _frames(rows)
    top = top_by_harm(offences, links, until=until, k=2)
    assert (top.suspects, top.k) == (3, 2)
    assert top.offences == pytest.approx(4 / 2)  # a1, a2, a3, b1
    assert top.victims == pytest.approx(3 / 2)  # va, vb, vc
    # By default k is 100 scaled by this year's suspects against London's 35,000: at least one.
    assert top_by_harm(offences, links, until=until).k == 1


def test_measure_takes_the_first_year_as_intake_and_the_last_as_the_ranking() -> None:
    offences, links = _frames(
        [
            ("a", "105A", "partner", T0 + timedelta(days=3), "Y", "s", "v"),
            ("b", "19C", "partner", T0 + timedelta(days=3 * 365 - 5), "Y", "t", "w"),
        ]
    )
    figures = measure(offences, links, start=date(2023, 1, 1), end=date(2026, 1, 1))
    assert figures.cohort.perpetrators == 1  # "t" was first reported after the intake
    assert figures.top.suspects == 1 and figures.top.offences == 1.0
    assert len(figures.lines()) == 8
