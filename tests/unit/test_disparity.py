"""The disparity report: bands at exact birthdays, census groups and gaps, shares, ratios and
Wilson intervals worked by hand, the small-count rule, the offences behind a flagged group (which
add up), and a run on the small synthetic force that names no one."""

from __future__ import annotations

import json
from datetime import date, timedelta

import polars as pl
import pytest

from streetlight.unit.disparity import (
    DisparityReport,
    GroupRow,
    age_band,
    disparity,
    ethnic_group,
    ranking_disparity,
    wilson,
)
from streetlight.unit.errors import RankingError
from streetlight.unit.ranking import Ranking
from streetlight.unit.synthetic import DEFAULT, generate

AS_OF = date(2025, 10, 28)


@pytest.mark.parametrize(
    ("born", "band"),
    [
        (date(2007, 10, 28), "18-24"),  # 18 on the day itself
        (date(2007, 10, 29), "under 18"),  # 18 tomorrow
        (date(2000, 10, 28), "25-34"),
        (date(2000, 10, 29), "18-24"),
        (date(1990, 10, 28), "35-44"),
        (date(1980, 10, 28), "45-54"),
        (date(1970, 10, 29), "45-54"),
        (date(1970, 10, 28), "55+"),
        (None, "unknown"),
        (date(2025, 10, 29), "unknown"),  # after the date: a recording error, not an age
    ],
)
def test_age_bands_turn_on_the_birthday(born: date | None, band: str) -> None:
    assert age_band(born, AS_OF) == band


def test_a_leap_day_birthday_turns_on_the_first_of_march() -> None:
    assert age_band(date(2008, 2, 29), date(2026, 2, 28)) == "under 18"
    assert age_band(date(2008, 2, 29), date(2026, 3, 1)) == "18-24"


def test_ethnicity_by_census_group_with_not_recorded() -> None:
    assert [ethnic_group(c) for c in ("W1", "a2", "B9", "M3", "O2")] == [
        "White", "Asian", "Black", "Mixed", "Other",
    ]  # fmt: skip
    assert [ethnic_group(c) for c in (None, "", " ", "NS", "ns")] == ["not recorded"] * 5
    assert ethnic_group("Traveller") == "Traveller"  # a force's own code, as recorded


def test_wilson_matches_the_hand_computed_interval() -> None:
    # 3 of 4: centre (0.75 + z²/8) / (1 + z²/4), half-width z·sqrt(0.75·0.25/4 + z²/64) / (1 + z²/4)
    low, high = wilson(3, 4)
    assert (round(low, 4), round(high, 4)) == (0.3006, 0.9544)
    assert wilson(0, 10)[0] == 0.0 and round(wilson(0, 10)[1], 4) == 0.2775
    assert wilson(0, 0) == (0.0, 0.0)


def _people() -> pl.DataFrame:
    # Ten ranked, r01-r06 male, r07-r10 female; ethnicity recorded for eight.
    return pl.DataFrame(
        {
            "person_ref": [f"r{i:02d}" for i in range(1, 11)],
            "date_of_birth": [None] * 10,
            "sex": ["male"] * 6 + ["female"] * 4,
            "ethnicity": ["W1"] * 8 + [None, "NS"],
        },
        schema={
            "person_ref": pl.String,
            "date_of_birth": pl.Date,
            "sex": pl.String,
            "ethnicity": pl.String,
        },
    )


def _contributions() -> pl.DataFrame:
    # Everyone male one "A" (10); everyone female one "B" (5); r07 also an "A".
    people = [f"r{i:02d}" for i in range(1, 11)] + ["r07"]
    subgroups = ["A"] * 6 + ["B"] * 4 + ["A"]
    values = [10.0] * 6 + [5.0] * 4 + [10.0]
    return pl.DataFrame({"person_ref": people, "subgroup": subgroups, "contribution": values})


def _report(min_count: int) -> DisparityReport:
    ranked = [f"r{i:02d}" for i in range(1, 11)]
    return disparity(
        _people(),
        ranked,
        ["r01", "r02", "r03", "r07"],
        _contributions(),
        as_of=AS_OF,
        method="v100",
        top=4,
        min_count=min_count,
    )


def _row(report: DisparityReport, dimension: str, group: str) -> GroupRow:
    return next(r for r in report.rows if (r.dimension, r.group) == (dimension, group))


def test_shares_ratios_and_flags_worked_by_hand() -> None:
    report = _report(min_count=1)
    assert (report.population, report.listed) == (10, 4)
    male, female = _row(report, "sex", "male"), _row(report, "sex", "female")
    # Male: 6 of 10 ranked, 3 of 4 listed: 0.75 / 0.6 = 1.25, on the band's edge: not flagged.
    assert (male.population, male.listed, male.population_share, male.list_share) == (
        6,
        3,
        0.6,
        0.75,
    )
    assert male.ratio == pytest.approx(1.25) and not male.flagged
    assert (round(male.low or 0, 4), round(male.high or 0, 4)) == (0.3006, 0.9544)
    # Female: 4 of 10, 1 of 4: 0.25 / 0.4 = 0.625: flagged.
    assert (female.population, female.listed) == (4, 1)
    assert female.ratio == pytest.approx(0.625) and female.flagged
    # Ethnicity: 8 White (all 4 listed: 1 / 0.8 = 1.25), 2 not recorded (none listed: 0).
    white, gap = _row(report, "ethnicity", "White"), _row(report, "ethnicity", "not recorded")
    assert white.ratio == pytest.approx(1.25) and not white.flagged
    assert (gap.population, gap.listed, gap.ratio, gap.flagged) == (2, 0, 0.0, True)
    assert report.missing == (("age", 10, 4), ("sex", 0, 0), ("ethnicity", 2, 0))
    assert [r.group for r in report.rows if r.dimension == "ethnicity"] == ["White", "not recorded"]
    # Female drivers: per person A 10/4 = 2.5 against 70/10 = 7; B 20/4 = 5 against 20/10 = 2.
    drivers = [
        (d.subgroup, d.group_mean, d.population_mean, d.difference, d.allegations)
        for d in report.drivers
        if d.group == "female"
    ]
    assert drivers == [("A", 2.5, 7.0, -4.5, 1), ("B", 5.0, 2.0, 3.0, 4)]
    # They add up to the difference in mean score: 30/4 - 90/10 = -1.5.
    assert sum(d[3] for d in drivers) == pytest.approx(30 / 4 - 90 / 10)


def test_small_counts_are_suppressed_in_every_output() -> None:
    report = _report(min_count=5)
    male, female = _row(report, "sex", "male"), _row(report, "sex", "female")
    # 6 ranked is shown; 3 listed is not, nor anything computed from it.
    assert (male.population, male.listed, male.suppressed) == (6, None, True)
    assert (male.list_share, male.ratio, male.low, male.flagged) == (None, None, None, False)
    assert (female.population, female.listed) == (None, None)
    assert report.missing == (("age", 10, None), ("sex", 0, 0), ("ethnicity", None, 0))
    text = report.to_markdown()
    assert "| male | 6 | - | <5 | - | - | - | suppressed |" in text
    assert "| female | <5 | - | <5 | - | - | - | suppressed |" in text
    assert "suppressed (shown as <5, no shares)" in text
    data = json.loads(report.to_json())
    sex = [r for r in data["rows"] if r["dimension"] == "sex"]
    assert [(r["group"], r["population"], r["listed"]) for r in sex] == [
        ("female", None, None), ("male", 6, None),
    ]  # fmt: skip
    assert data["rules"].startswith("Groups with 1 to 4 people")


def test_refuses_a_listed_person_not_ranked_and_a_ranked_one_without_a_row() -> None:
    with pytest.raises(RankingError, match="not among those ranked"):
        disparity(_people(), ["r01"], ["r99"], _contributions(), as_of=AS_OF, method="v100", top=1)
    with pytest.raises(RankingError, match="1 ranked person"):
        disparity(
            _people(), ["r01", "r99"], ["r01"], _contributions(), as_of=AS_OF, method="v100", top=1
        )
    with pytest.raises(RankingError, match="not fitted"):
        ranking_disparity(Ranking(), _people(), as_of=AS_OF, top=1)


def test_the_small_synthetic_force_v100_top_100() -> None:
    force = generate(DEFAULT, 20260101)
    as_of = force.end - timedelta(days=1)
    fitted = Ranking(method="v100").fit(force.offences, force.links, as_of=as_of)
    report = ranking_disparity(fitted, force.people, as_of=as_of, top=100)
    assert report.listed == 100 and report.population == fitted.scores_.height
    whole = ranking_disparity(fitted, force.people, as_of=as_of, top=100, min_count=1)
    for dimension in ("age", "sex", "ethnicity"):
        rows = [r for r in whole.rows if r.dimension == dimension]
        assert sum(r.population or 0 for r in rows) == whole.population
        assert sum(r.listed or 0 for r in rows) == 100
    text = report.to_markdown() + report.to_json()
    for value in fitted.scores_["person"].head(200).to_list():
        assert value not in text
    assert "SYNTH" not in text
