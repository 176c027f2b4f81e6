"""The legal deadlines of a report, and when to remind its handlers of them.

As the EU Whistleblowing Directive (2019/1937, article 9) sets them, and GlobaLeaks' users ask
for: acknowledge a report within 7 days of receiving it, and give the reporter feedback within 3
months of the acknowledgement (or, with none, of the end of those 7 days). Months are calendar
months (received 31 January, acknowledged the same day: feedback by 30 April), the way a lawyer
counts them, not 90 days.

A reminder goes to the handlers when a deadline is near (`SOON` before it) and again once it has
passed; each at most once, so the schedule is a pure function of the report's dates and the
reminders already sent. Reminders carry the report's number and the deadline, never content.
"""

from __future__ import annotations

import calendar
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

ACKNOWLEDGE_WITHIN = timedelta(days=7)
FEEDBACK_MONTHS = 3
SOON = {"acknowledge": timedelta(days=2), "feedback": timedelta(days=14)}


class State(StrEnum):
    MET = "met"
    OPEN = "open"
    SOON = "soon"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class Deadline:
    kind: str  # "acknowledge" or "feedback"
    due: datetime
    state: State
    met_at: datetime | None = None


@dataclass(frozen=True)
class Reminder:
    """One reminder to send: which deadline, and whether it is near or past. `key` is what the
    database remembers as sent ("acknowledge:soon"), so it goes once."""

    kind: str
    state: State
    due: datetime

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.state.value}"


def add_months(when: datetime, months: int) -> datetime:
    """The same day `months` later, or the month's last day when it has no such day."""
    month = when.month - 1 + months
    year, month = when.year + month // 12, month % 12 + 1
    day = min(when.day, calendar.monthrange(year, month)[1])
    return when.replace(year=year, month=month, day=day)


def _state(due: datetime, met: datetime | None, now: datetime, soon: timedelta) -> State:
    if met is not None:
        return State.MET
    if now > due:
        return State.OVERDUE
    return State.SOON if due - now <= soon else State.OPEN


def deadlines(
    received: datetime,
    now: datetime,
    *,
    acknowledged: datetime | None = None,
    feedback: datetime | None = None,
) -> tuple[Deadline, Deadline]:
    """Both deadlines of a report as of `now`: acknowledge, then feedback."""
    ack_due = received + ACKNOWLEDGE_WITHIN
    feedback_due = add_months(acknowledged or ack_due, FEEDBACK_MONTHS)
    return (
        Deadline(
            "acknowledge",
            ack_due,
            _state(ack_due, acknowledged, now, SOON["acknowledge"]),
            acknowledged,
        ),
        Deadline(
            "feedback",
            feedback_due,
            _state(feedback_due, feedback, now, SOON["feedback"]),
            feedback,
        ),
    )


def reminders_due(
    received: datetime,
    now: datetime,
    sent: Collection[str],
    *,
    acknowledged: datetime | None = None,
    feedback: datetime | None = None,
) -> list[Reminder]:
    """The reminders to send now: one per deadline near or past and not met, not already sent.
    A deadline found already past sends only the overdue reminder (not a late "soon")."""
    out = []
    for d in deadlines(received, now, acknowledged=acknowledged, feedback=feedback):
        if d.state in (State.SOON, State.OVERDUE):
            reminder = Reminder(d.kind, d.state, d.due)
            if reminder.key not in sent:
                out.append(reminder)
    return out
