"""Checks the control room need not see one by one, folded into one line per window of time.

A check of an unknown warrant number (someone mistyping, or trying numbers) and a check refused by
a rate limit are junk: listed one by one they would push the alerts that matter (a failed check
of a real warrant number, a shared location) off the console, as 160 checks from one address in
under a second did. Each window of `WINDOW` has one `check_tallies` row: how many of each, the
first and the last. A refused check writes nothing else, so a flood grows the database by one
row per window, whatever its size.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from streetlight.db.enums import VerificationOutcome
from streetlight.db.models import CheckTally

WINDOW = timedelta(minutes=10)
_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def window_start(at: datetime) -> datetime:
    """The start of the window holding `at` (windows are aligned to multiples of `WINDOW`)."""
    return at - (at - _EPOCH) % WINDOW


def tally_rows(outcomes: Sequence[VerificationOutcome], now: datetime) -> list[dict[str, object]]:
    """The batch's contribution to the current window's tally: no row, or one to add to it."""
    unknown = sum(o is VerificationOutcome.UNKNOWN_OFFICER for o in outcomes)
    refused = sum(o is VerificationOutcome.LIMITED for o in outcomes)
    if not unknown and not refused:
        return []
    return [
        {
            "window_start": window_start(now),
            "unknown": unknown,
            "refused": refused,
            "first_at": now,
            "last_at": now,
        }
    ]


def recent(session: Session, since: datetime) -> list[CheckTally]:
    """The windows since `since` that counted any junk, newest first (at most one a window)."""
    return list(
        session.scalars(
            select(CheckTally)
            .where(CheckTally.window_start >= window_start(since))
            .order_by(CheckTally.window_start.desc())
        ).all()
    )
