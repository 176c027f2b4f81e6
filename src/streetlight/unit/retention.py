"""Who must leave a harm-ranking list, and have their list history deleted, as of a date.

Why: a list of people kept without retention rules is unlawful in its operation (the Gangs
Matrix: people stayed on it long after anything justified it). A person is on a list only while
the method would still rank them and a supervisor still stands by the listing, so the rules are:

1. Aged out: their last qualifying allegation (for `v100`, a VAWG allegation as suspect) was
   reported `window_days` or more days before the date (365 for `v100`: an allegation reported on
   1 January 2025 counts up to and including 31 December 2025, and has aged out on 1 January
   2026). Someone with no qualifying allegation at all (every one deleted or withdrawn) has aged
   out too.
2. Review lapsed: the listing's review date (set by the latest supervisor's decision) has passed
   without renewal: the day after it, the listing lapses. Renewal is a new decision with a later
   review date; a person with no decision recorded has no review date and leaves by rule 1 only.

Leaving means: off the list, and every record of their listings (which refreshes they were on,
the decisions about them) deleted. An audit log entry of the deletion, by counts, is the
caller's to write. The function is pure and storage-agnostic: plain data in, plain data out; the
code that stores lists calls it at each refresh and deletes what it names.

Contract (`leavers`):
- `history`: one `Listing` per person ever on the list and not yet deleted: their token, the
  dates of the refreshes they were on, and their current review date (None: no decision).
- `last_allegation`: the date (force-local) of each person's most recent qualifying allegation
  reported on or before `as_of`; a person missing from it has none.
- Returns one `Leaver` per person who must leave, in token order: the reasons (both when both
  apply), the first date each rule applied from, and the refresh dates to delete.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from streetlight.unit.errors import RankingError

Reason = Literal["aged out", "review lapsed"]

RULES = (
    "A person leaves the list, and their list history (the refreshes they were on and the "
    "decisions about them) is deleted, at the first refresh on or after either of these dates: "
    "(1) the day their last qualifying allegation ages out of the ranking's window (for v100, "
    "365 days after the day it was reported: a VAWG allegation as suspect reported on 1 January "
    "2025 counts up to and including 31 December 2025); someone with no qualifying allegation "
    "left has aged out; (2) the day after the review date set by the latest supervisor's "
    "decision, unless a new decision renewed it. The deletion is recorded in the audit log by "
    "counts only."
)


@dataclass(frozen=True)
class Listing:
    """A person's list history: `person` (token), the `refreshes` (dates) they were on, and
    `review_due`, the review date of the latest decision about them (None: none recorded)."""

    person: str
    refreshes: tuple[date, ...]
    review_due: date | None = None


@dataclass(frozen=True)
class Leaver:
    """A person who must leave: `reasons`, `since` (the first day a rule applied), and
    `refreshes`, the list history to delete."""

    person: str
    reasons: tuple[Reason, ...]
    since: date
    refreshes: tuple[date, ...]


def leavers(
    history: Iterable[Listing],
    last_allegation: Mapping[str, date],
    *,
    as_of: date,
    window_days: int = 365,
) -> tuple[Leaver, ...]:
    """Who must leave as of `as_of` (see the module docstring for the rules and contract)."""
    if window_days < 1:
        raise RankingError(f"window_days: {window_days} is not at least 1")
    seen: set[str] = set()
    out: list[Leaver] = []
    for listing in history:
        if listing.person in seen:
            raise RankingError("history: a person has two listings (give one per person)")
        seen.add(listing.person)
        reasons: list[Reason] = []
        since: list[date] = []
        last = last_allegation.get(listing.person)
        if last is not None and last > as_of:
            raise RankingError(
                "last_allegation: a date after as_of (give the latest reported on or before it)"
            )
        aged_from = date.min if last is None else last + timedelta(days=window_days)
        if aged_from <= as_of:
            reasons.append("aged out")
            since.append(aged_from)
        due = listing.review_due
        if due is not None and due < as_of:
            reasons.append("review lapsed")
            since.append(due + timedelta(days=1))
        if reasons:
            first = min(since)
            if first == date.min:  # no allegation at all: from their first listing
                first = min(listing.refreshes, default=as_of)
            out.append(
                Leaver(listing.person, tuple(reasons), first, tuple(sorted(listing.refreshes)))
            )
    return tuple(sorted(out, key=lambda leaver: leaver.person))
