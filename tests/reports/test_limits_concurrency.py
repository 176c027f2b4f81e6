"""The public report limits hold when requests arrive at once (SQLite and PostgreSQL): exactly
the limit of submissions, one of several identical ones, and the limit of unknown receipt codes."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.models import PublicReport
from streetlight.reports.receipt_status import Limited, limited_lookup, receipt_limit
from streetlight.reports.validation import ReportRejectedError
from tests.db.concurrent import at_once
from tests.reports.sending import CLIENT, LIMITS, NOW, TODAY, Submit, pinned, typed

AT_ONCE = 20


def _outcome(send: Submit, *args: object) -> str:
    """ "ok", or the reason a submission was refused."""
    try:
        send(*args)
    except ReportRejectedError as refused:
        return refused.reason
    return "ok"


def _reports(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(PublicReport)) or 0)


def test_concurrent_reports_from_one_client_stop_at_the_limit(
    send: Submit, sessions: sessionmaker[Session]
) -> None:
    days = [TODAY - timedelta(days=n + 1) for n in range(AT_ONCE)]  # all different reports
    outcomes = at_once(AT_ONCE, lambda n: _outcome(send, pinned(occurred_on=days[n])))
    assert outcomes.count("ok") == LIMITS.per_client.max_hits
    assert outcomes.count("too_many") == AT_ONCE - LIMITS.per_client.max_hits
    assert _reports(sessions) == LIMITS.per_client.max_hits


def test_concurrent_copies_of_one_report_are_stored_once(
    send: Submit, sessions: sessionmaker[Session]
) -> None:
    outcomes = at_once(LIMITS.per_client.max_hits, lambda _: _outcome(send, typed()))
    assert sorted(outcomes) == ["duplicate"] * (LIMITS.per_client.max_hits - 1) + ["ok"]
    assert _reports(sessions) == 1


def test_concurrent_unknown_receipt_codes_stop_at_the_limit(
    sessions: sessionmaker[Session],
) -> None:
    limit = receipt_limit(per_hour=10)

    def guess(n: int) -> bool:
        with sessions.begin() as session:
            found = limited_lookup(
                session, f"ABCD-EFGH-{n:04d}", client=CLIENT, limit=limit, now=NOW
            )
        return not isinstance(found, Limited)

    assert sum(at_once(AT_ONCE, guess)) == limit.max_hits
