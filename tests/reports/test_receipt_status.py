"""What a receipt shows (SQLite and PostgreSQL): nothing for an unknown code, and the response to
the report a merged one was merged into."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from streetlight.reports.categories import ReportStatus
from streetlight.reports.moderation import merge, respond
from streetlight.reports.receipt_status import lookup
from tests.reports.sending import INSIDE, NOW, OTHER_CLIENT, TODAY, Submit, pinned


def test_unknown_and_malformed_receipts_show_nothing(
    sessions: sessionmaker[Session], send: Submit
) -> None:
    send()
    with sessions() as session:
        assert lookup(session, "0000-0000-0000-0000") is None
        assert lookup(session, "") is None
        assert lookup(session, "not a code") is None
        assert lookup(session, "A" * 10_000) is None


def test_a_merged_reports_receipt_shows_the_response_to_the_other(
    sessions: sessionmaker[Session], send: Submit
) -> None:
    a = send(pinned(INSIDE))
    b = send(pinned(INSIDE), client=OTHER_CLIENT)
    with sessions.begin() as session:
        merge(session, b.report_id, a.report_id, actor="ann", now=NOW)
        respond(session, a.report_id, "Lights fixed", actor="ann", now=NOW + timedelta(days=2))
    with sessions() as session:
        status = lookup(session, b.code)
    assert status is not None and status.status is ReportStatus.MERGED
    assert (status.response, status.responded_on) == ("Lights fixed", TODAY + timedelta(days=2))
