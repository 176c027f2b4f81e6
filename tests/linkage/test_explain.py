"""A pair's evidence in words: the numbers are the evidence's, rounded as documented."""

from __future__ import annotations

import numpy as np
import pytest

from streetlight.linkage.crimes import CrimeTable
from streetlight.linkage.evidence import compare
from streetlight.linkage.explain import (
    categorical_words,
    day_of_week_words,
    distance_words,
    explain,
    strength_words,
    time_of_day_words,
    time_words,
)


def _table() -> CrimeTable:
    # C0 Monday 2025-03-03 21:00; C1 2.1 km away, Thursday 21:30 (3 days later); C2 a 5-day
    # window; C3 Wednesday 03:00 at the same place as C0.
    return CrimeTable(
        ids=np.array(["C0", "C1", "C2", "C3"]),
        x=np.array([0.0, 2100.0, 0.0, 3.0]),
        y=np.array([0.0, 0.0, 349.6, 0.0]),
        t_from=np.array(
            ["2025-03-03T21:00", "2025-03-06T21:30", "2025-03-10T00:00", "2025-03-05T03:00"],
            dtype="datetime64[m]",
        ),
        t_to=np.array(
            ["2025-03-03T21:00", "2025-03-06T21:30", "2025-03-15T00:00", "2025-03-05T03:00"],
            dtype="datetime64[m]",
        ),
        categorical={
            "subgroup": np.array([0, 0, 1, -1], dtype=np.int32),
            "relationship": np.array([0, 1, 0, 0], dtype=np.int32),
        },
        levels={
            "subgroup": ("Stalking and harassment", "Violence with injury"),
            "relationship": ("partner", "stranger"),
        },
    )


def test_a_close_pair_reads_like_the_issue_example() -> None:
    crimes = _table()
    evidence = compare(crimes, [0], [1])
    words = explain(crimes, evidence, 0, labels={"subgroup": "offence type"})
    assert str(words) == (
        "2.1 km apart, 3 days apart, same time of day (within 1 hour), 3 days apart in the week,"
        " same offence type (Stalking and harassment), different relationship (partner / stranger)"
    )


def test_a_wide_window_is_said_and_time_of_day_is_not_claimed() -> None:
    crimes = _table()
    evidence = compare(crimes, [0], [2])
    words = explain(crimes, evidence, 0)
    # The window's midpoint is 2025-03-12 12:00: 8.625 days after C0 -> 9 days.
    assert words.parts[:3] == (
        "350 m apart",
        "9 days apart (one known only within a 5-day window)",
        "time of day not known closely",
    )
    assert "subgroup" in words.parts[3] and words.parts[3].startswith("different subgroup")


def test_unknown_values_and_the_same_day_of_the_week() -> None:
    crimes = _table()
    evidence = compare(crimes, [0], [3])
    words = explain(crimes, evidence, 0, labels={"subgroup": "offence type"})
    assert words.parts == (
        "under 10 m apart",
        "1 day apart",  # 1.25 days
        "6 hours apart in the day",
        "1 day apart in the week",
        "offence type not recorded for one",
        "same relationship (partner)",
    )


@pytest.mark.parametrize(
    ("metres", "text"),
    [
        (0.0, "under 10 m apart"),
        (4.9, "under 10 m apart"),
        (5.0, "10 m apart"),
        (344.9, "340 m apart"),
        (345.0, "350 m apart"),
        (994.9, "990 m apart"),
        (995.0, "1.0 km apart"),
        (2049.9, "2.0 km apart"),
        (2050.0, "2.1 km apart"),
    ],
)
def test_distances_round_half_up(metres: float, text: str) -> None:
    assert distance_words(metres) == text


def test_times_round_half_up_and_say_their_windows() -> None:
    assert time_words(0.99, 0.0) == "less than a day apart"
    assert time_words(1.49, 0.0) == "1 day apart"
    assert time_words(2.5, 1.0) == "3 days apart"
    assert time_words(2.5, 1.01) == "3 days apart (one known only within a 2-day window)"
    assert time_of_day_words(1.0, 0.0) == "same time of day (within 1 hour)"
    assert time_of_day_words(1.5, 6.0) == "2 hours apart in the day"
    assert time_of_day_words(1.5, 6.5) == "time of day not known closely"
    assert day_of_week_words(0.4, 0.5) == "same day of the week"
    assert day_of_week_words(0.4, 1.0) is None
    assert categorical_words("entry", float("nan"), "door", "door") == "entry not recorded for one"


def test_strength_follows_kass_and_raftery() -> None:
    words = [strength_words(v) for v in (-0.1, 0.0, 0.99, 1.0, 2.99, 3.0, 5.0, 12.0)]
    assert words == [
        "against a link",
        "weak",
        "weak",
        "positive",
        "positive",
        "strong",
        "very strong",
        "very strong",
    ]
