"""The legal deadlines (acknowledge in 7 days, feedback in 3 months) and their reminders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from streetlight.conduct.deadlines import State, add_months, deadlines, reminders_due

RECEIVED = datetime(2026, 1, 31, 9, 0, tzinfo=UTC)


def test_months_are_calendar_months() -> None:
    assert add_months(RECEIVED, 1) == datetime(2026, 2, 28, 9, 0, tzinfo=UTC)
    assert add_months(RECEIVED, 3) == datetime(2026, 4, 30, 9, 0, tzinfo=UTC)
    assert add_months(datetime(2027, 11, 30, tzinfo=UTC), 3) == datetime(2028, 2, 29, tzinfo=UTC)


def test_feedback_runs_from_the_acknowledgement_or_the_end_of_the_seven_days() -> None:
    ack, fb = deadlines(RECEIVED, RECEIVED + timedelta(days=1))
    assert (ack.due, ack.state) == (datetime(2026, 2, 7, 9, 0, tzinfo=UTC), State.OPEN)
    assert fb.due == datetime(2026, 5, 7, 9, 0, tzinfo=UTC)
    ack, fb = deadlines(RECEIVED, RECEIVED + timedelta(days=2), acknowledged=RECEIVED)
    assert ack.state is State.MET and fb.due == datetime(2026, 4, 30, 9, 0, tzinfo=UTC)


def test_each_reminder_goes_once_soon_then_overdue() -> None:
    six_days = RECEIVED + timedelta(days=6)
    (soon,) = reminders_due(RECEIVED, six_days, sent=set())
    assert (soon.key, soon.due) == ("acknowledge:soon", RECEIVED + timedelta(days=7))
    assert reminders_due(RECEIVED, six_days, sent={"acknowledge:soon"}) == []
    eight_days = RECEIVED + timedelta(days=8)
    assert [r.key for r in reminders_due(RECEIVED, eight_days, sent={"acknowledge:soon"})] == [
        "acknowledge:overdue"
    ]
    # Acknowledged late; feedback then falls due 3 months after the acknowledgement.
    late = RECEIVED + timedelta(days=9)
    later = add_months(late, 3) - timedelta(days=3)
    assert [r.key for r in reminders_due(RECEIVED, later, sent=set(), acknowledged=late)] == [
        "feedback:soon"
    ]
    assert reminders_due(RECEIVED, later, sent=set(), acknowledged=late, feedback=later) == []
