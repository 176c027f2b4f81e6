"""How many guesses strangers get at an officer's codes, and why that is few enough.

A code is one of 10^8 values (`codes.DIGITS` digits from the CSPRNG). A failed check of a warrant
number whose officer holds live codes (unused, unexpired, not revoked, on the duty now open) is a
guess at each of them, right with probability 1/10^8 per code. By the union bound, the chance that
any guess at any code of one warrant number is ever right is at most (code-tries)/10^8, where a
code-try is one failed check compared with one live code. Two limits bound the code-tries:

- *per code*: the `TRIES_PER_CODE`th wrong try burns the code: it is revoked at once and the
  officer app says "someone entered wrong codes; give a new code". Guessing is bounded per code,
  not per warrant number, so strangers' wrong tries never make a genuine, live code fail: the
  worst they do is burn a code, which the officer sees and replaces;
- *per warrant number and day*: at most `verify_failures_per_warrant` code-tries (default
  `CODE_TRIES_PER_DAY`, 1,000), then checks of that number are refused ("checks locked" in the
  officer app) until the day ends. Reaching it takes at least 1,000 / 3 = 334 codes burnt in one
  day, each given out by the officer: strangers alone cannot get there.

Rate-limit hits are salted with the UTC day's salt and deleted when the day ends, so the budget
is per UTC day and any 24 hours overlap at most two of them: the chance of guessing any code of a
warrant number in a day is at most 2 * 1,000 / 10^8 = 1 in 50,000 (`guess_chance_per_day`); a
budget of up to `MAX_CODE_TRIES_PER_DAY` (4,999) keeps it below 1 in 10,000.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

from streetlight.db import ratelimit
from streetlight.db.models import Duty, Engagement, Officer, VerificationCode
from streetlight.verify import codes
from streetlight.verify.decision import Candidate, Snapshot

TRIES_PER_CODE = 3
CODE_TRIES_PER_DAY = 1_000
# Rate-limit hits last until the UTC day ends: a sliding day overlaps two budgets at most.
DAYS_OVERLAPPED = 2
MAX_CODE_TRIES_PER_DAY = 4_999
# The per-code window only has to outlive a code (at most 5 minutes).
CODE_WINDOW = timedelta(hours=1)
PER_CODE = ratelimit.Limit("verify:code", TRIES_PER_CODE, CODE_WINDOW)
DAY = timedelta(days=1)
_CODES: int = 10**codes.DIGITS


def per_warrant(code_tries_per_day: int) -> ratelimit.Limit:
    """The day's budget of code-tries per warrant number."""
    return ratelimit.Limit("verify:warrant", code_tries_per_day, DAY)


def guess_chance_per_day(code_tries_per_day: int) -> float:
    """An upper bound on the chance that strangers guess any code of one warrant number within
    24 hours (see the module's docstring)."""
    return DAYS_OVERLAPPED * code_tries_per_day / _CODES


def live_codes(snapshot: Snapshot, now: datetime) -> list[Candidate]:
    """The codes of `snapshot` a right guess would verify now (in the order compared)."""
    if not snapshot.officer_active or snapshot.open_duty_id is None:
        return []
    return [
        c
        for c in snapshot.candidates
        if c.duty_id == snapshot.open_duty_id
        and c.used_at is None
        and c.revoked_at is None
        and now < c.expires_at
    ]


def without(snapshot: Snapshot, spent: Sequence[int], now: datetime) -> Snapshot:
    """`snapshot` with the codes whose ids are in `spent` revoked: a burnt code verifies no
    more, even when typed right (the public sees the same "cannot confirm" as for any failure)."""
    if not spent:
        return snapshot
    candidates = tuple(
        dataclasses.replace(c, revoked_at=now) if c.code_id in spent else c
        for c in snapshot.candidates
    )
    return dataclasses.replace(snapshot, candidates=candidates)


@dataclass(frozen=True)
class CheckStatus:
    """What the officer app shows about the public's checks of an officer now: the engagements
    whose newest code strangers burnt (give a new code), and whether the day's budget is spent
    (checks locked: every check of this warrant number fails until the UTC day ends)."""

    burnt: tuple[int, ...]
    locked: bool


def check_status(
    session: Session, officer: Officer, duty: Duty, budget: ratelimit.Limit, now: datetime
) -> CheckStatus:
    """`officer`'s check status on `duty` (`budget`: the app's per-warrant limit)."""
    newer = aliased(VerificationCode)
    burnt = session.scalars(
        select(VerificationCode.engagement_id)
        .join(Engagement, VerificationCode.engagement_id == Engagement.id)
        .where(
            Engagement.duty_id == duty.id,
            VerificationCode.burnt_at.is_not(None),
            VerificationCode.expires_at > now,
            ~exists().where(
                newer.engagement_id == VerificationCode.engagement_id,
                newer.id > VerificationCode.id,
            ),
        )
        .order_by(VerificationCode.engagement_id)
    ).all()
    (spent,) = ratelimit.window_counts(session, [(budget, officer.warrant_number)], now)
    return CheckStatus(tuple(burnt), spent >= budget.max_hits)
