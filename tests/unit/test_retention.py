"""The list's retention rule: aged out on the day the last qualifying allegation leaves the
window, a review lapsed the day after its date, both at once, no allegation at all, and the
inputs it refuses."""

from __future__ import annotations

from datetime import date

import pytest

from streetlight.unit.errors import RankingError
from streetlight.unit.retention import RULES, Leaver, Listing, leavers

REFRESHES = (date(2025, 3, 1), date(2025, 2, 1))


def test_an_allegation_counts_for_365_days_then_ages_out() -> None:
    history = [Listing("t-a", REFRESHES)]
    last = {"t-a": date(2025, 1, 1)}
    assert leavers(history, last, as_of=date(2025, 12, 31)) == ()
    assert leavers(history, last, as_of=date(2026, 1, 1)) == (
        Leaver("t-a", ("aged out",), date(2026, 1, 1), (date(2025, 2, 1), date(2025, 3, 1))),
    )
    # Another window: rfgv's three years.
    assert leavers(history, last, as_of=date(2026, 1, 1), window_days=1095) == ()


def test_a_review_date_lapses_the_day_after_it() -> None:
    history = [Listing("t-b", REFRESHES, review_due=date(2025, 6, 30))]
    last = {"t-b": date(2025, 5, 1)}
    assert leavers(history, last, as_of=date(2025, 6, 30)) == ()
    (leaver,) = leavers(history, last, as_of=date(2025, 7, 1))
    assert (leaver.reasons, leaver.since) == (("review lapsed",), date(2025, 7, 1))
    # Renewed (a later review date): stays.
    renewed = [Listing("t-b", REFRESHES, review_due=date(2025, 9, 30))]
    assert leavers(renewed, last, as_of=date(2025, 7, 1)) == ()


def test_both_rules_at_once_and_no_allegation_at_all() -> None:
    history = [
        Listing("t-d", REFRESHES),  # every allegation withdrawn: none left
        Listing("t-c", REFRESHES, review_due=date(2025, 12, 1)),
    ]
    last = {"t-c": date(2024, 11, 1)}
    found = leavers(history, last, as_of=date(2026, 1, 1))
    assert [(x.person, x.reasons, x.since) for x in found] == [
        ("t-c", ("aged out", "review lapsed"), date(2025, 11, 1)),
        ("t-d", ("aged out",), date(2025, 2, 1)),  # from their first listing
    ]


def test_refuses_two_listings_of_one_person_and_allegations_after_the_date() -> None:
    with pytest.raises(RankingError, match="two listings"):
        leavers([Listing("t", REFRESHES), Listing("t", REFRESHES)], {}, as_of=date(2025, 4, 1))
    with pytest.raises(RankingError, match="after as_of"):
        leavers([Listing("t", REFRESHES)], {"t": date(2025, 5, 1)}, as_of=date(2025, 4, 1))
    with pytest.raises(RankingError, match="window_days"):
        leavers([], {}, as_of=date(2025, 4, 1), window_days=0)


def test_the_rules_in_words_say_both_rules_and_the_deletion() -> None:
    assert "365 days" in RULES and "review date" in RULES and "deleted" in RULES
