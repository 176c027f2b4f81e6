"""Deleting conduct reports past their date, with everything sealed for them.

A report is kept until `delete_after` (six years after arrival, moved on to six years after it
closes when it closes; the force's retention schedule for misconduct records is the authority).
Only closed reports are deleted: an open one past its date is counted for the desk to decide,
never dropped unread. Deletion cascades to the sealed items, their wrapped keys, the routing
reasons, links and reminders; the audit log keeps that report N was erased, and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from streetlight.db import audit
from streetlight.db.enums import ConductStatus
from streetlight.db.models import ConductReport


@dataclass(frozen=True)
class Purged:
    erased: tuple[int, ...]
    open_past_date: int


def purge(session: Session, *, now: datetime, actor: str = "system") -> Purged:
    today = now.date()
    past = ConductReport.delete_after < today
    erased = tuple(
        session.scalars(
            select(ConductReport.id).where(past, ConductReport.status == ConductStatus.CLOSED)
        )
    )
    if erased:
        # Reports marked as the same source as an erased one lose the mark (SET NULL).
        session.execute(delete(ConductReport).where(ConductReport.id.in_(erased)))
        audit.append_many(
            session,
            [audit.Entry(actor, "conduct.erased", f"conduct:{i}", {}) for i in erased],
            now=now,
        )
    still_open = session.scalar(
        select(func.count()).where(past, ConductReport.status != ConductStatus.CLOSED)
    )
    return Purged(erased, int(still_open or 0))
