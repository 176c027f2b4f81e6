"""Statistics for oversight bodies: counts only, never content nor officers.

By month of arrival and context: reports received, acknowledged within the 7 days, given
feedback within the 3 months, escalated, closed, still open, and those no recipient could
receive (unrouted: a gap in enrolment the body should see). The CSV is what a police and crime
commissioner or the IOPC would be sent; nothing in it names a person or says what happened.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from streetlight.conduct import deadlines
from streetlight.db.enums import ConductContext, ConductStatus
from streetlight.db.models import ConductReport


@dataclass(frozen=True)
class MonthCounts:
    month: str  # YYYY-MM of arrival (UTC)
    context: str
    received: int
    acknowledged_in_time: int
    feedback_in_time: int
    escalated: int
    closed: int
    open: int
    unrouted: int


def counts(session: Session, *, now: datetime) -> list[MonthCounts]:
    """One row per month and context that had reports, oldest first."""
    tally: dict[tuple[str, ConductContext], Counter[str]] = {}
    rows = session.execute(
        select(
            ConductReport.received_at,
            ConductReport.context,
            ConductReport.status,
            ConductReport.acknowledged_at,
            ConductReport.feedback_at,
            ConductReport.escalated_at,
            ConductReport.unrouted,
        )
    )
    for received, context, status, acknowledged, feedback, escalated, unrouted in rows:
        c = tally.setdefault((received.strftime("%Y-%m"), context), Counter())
        ack, fb = deadlines.deadlines(received, now, acknowledged=acknowledged, feedback=feedback)
        c["received"] += 1
        c["acknowledged_in_time"] += acknowledged is not None and acknowledged <= ack.due
        c["feedback_in_time"] += feedback is not None and feedback <= fb.due
        c["escalated"] += escalated is not None
        c["closed"] += status is ConductStatus.CLOSED
        c["open"] += status is not ConductStatus.CLOSED
        c["unrouted"] += bool(unrouted)
    names = [f.name for f in fields(MonthCounts)][2:]
    return [
        MonthCounts(month, context.value, *(tally[(month, context)][n] for n in names))
        for month, context in sorted(tally)
    ]


def to_csv(rows: list[MonthCounts]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([f.name for f in fields(MonthCounts)])
    for row in rows:
        writer.writerow([getattr(row, f.name) for f in fields(MonthCounts)])
    return out.getvalue()
