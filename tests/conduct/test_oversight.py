"""Counts for oversight bodies, and deletion past the retention date."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from streetlight.conduct import handling, intake, retention, stats
from streetlight.conduct.intake import NewReport
from streetlight.db.enums import ConductContext, ConductStatus
from streetlight.db.models import AuditEntry, ConductItem, ConductKey, ConductReport
from tests.conduct.force import NOW, build


def test_monthly_counts_say_how_many_were_handled_in_time_and_nothing_else(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        force = build(session)
        desk = force.recipients["public-desk"]
        on_time = intake.submit(
            session, NewReport(ConductContext.PUBLIC, "one", warrant="PC101"), now=NOW
        )
        late = intake.submit(session, NewReport(ConductContext.PUBLIC, "two"), now=NOW)
        intake.submit(session, NewReport(ConductContext.STAFF, "three"), now=NOW)
        handling.reply(session, desk, on_time.report_id, "We are looking into it.", now=NOW)
        handling.set_status(
            session, desk, late.report_id, ConductStatus.ACKNOWLEDGED, now=NOW + timedelta(days=9)
        )
        rows = stats.counts(session, now=NOW + timedelta(days=10))
    assert [(r.month, r.context, r.received) for r in rows] == [
        ("2026-11", "public", 2),
        ("2026-11", "staff", 1),
    ]
    public = rows[0]
    assert (public.acknowledged_in_time, public.feedback_in_time, public.open) == (1, 1, 2)
    text = stats.to_csv(rows)
    assert text.splitlines()[0] == (
        "month,context,received,acknowledged_in_time,feedback_in_time,escalated,closed,open,unrouted"
    )
    assert text.splitlines()[1] == "2026-11,public,2,1,1,0,0,2,0"


def test_closed_reports_past_their_date_go_with_everything_sealed_for_them(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        force = build(session)
        desk = force.recipients["public-desk"]
        closed = intake.submit(session, NewReport(ConductContext.PUBLIC, "closed one"), now=NOW)
        still_open = intake.submit(session, NewReport(ConductContext.PUBLIC, "open one"), now=NOW)
        handling.set_status(session, desk, closed.report_id, ConductStatus.CLOSED, now=NOW)
        assert retention.purge(session, now=NOW + timedelta(days=365)).erased == ()
        result = retention.purge(session, now=NOW + timedelta(days=7 * 366))
        assert result == retention.Purged((closed.report_id,), open_past_date=1)
        left = session.scalars(select(ConductReport.id)).all()
        assert left == [still_open.report_id]
        items = session.scalar(select(func.count()).select_from(ConductItem))
        keys = session.scalar(select(func.count()).select_from(ConductKey))
        # The open report: its text for the public desk, civilian, sergeant (no officer named,
        # so no line to keep it from), the senior, and the reporter.
        assert (items, keys) == (1, 5)
        erased = session.scalars(
            select(AuditEntry.subject).where(AuditEntry.action == "conduct.erased")
        ).all()
        assert erased == [f"conduct:{closed.report_id}"]
