"""Joining up in the database: a report's case, and its escalation when the case qualifies.

`joining` decides on plain records; this reads them (every report's id, date, officer and source
mark, and the handlers' links: a few columns of a few thousand rows) and records the outcome.
An escalation stamps every report of the case (`escalated_at`), which is what lets its senior
readers open the history, whoever handled the earlier reports.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from streetlight.conduct import joining
from streetlight.db import audit
from streetlight.db.models import ConductLink, ConductReport

THRESHOLD = 2
YEARS = 5.0


def _concerns(session: Session) -> tuple[list[joining.Concern], list[tuple[int, int]]]:
    rows = session.execute(
        select(
            ConductReport.id,
            ConductReport.received_at,
            ConductReport.officer_id,
            ConductReport.same_source_as_id,
        )
    ).all()
    concerns = [
        joining.Concern(r.id, r.received_at, r.officer_id, r.same_source_as_id) for r in rows
    ]
    links = session.execute(select(ConductLink.report_id, ConductLink.other_id))
    return concerns, [(a, b) for a, b in links]


def case_of(session: Session, report_id: int) -> joining.Case:
    """The reports joined to this one (by officer or a handler's link), oldest first."""
    concerns, links = _concerns(session)
    for case in joining.cases(concerns, links):
        if report_id in case.reports:
            return case
    raise LookupError(f"no conduct report {report_id}")


def escalate(
    session: Session,
    report_id: int,
    *,
    now: datetime,
    threshold: int = THRESHOLD,
    years: float = YEARS,
) -> bool:
    """Escalate the report's case if it qualifies and has reports not yet escalated; True when
    this call escalated it."""
    concerns, links = _concerns(session)
    for up in joining.escalations(concerns, links, threshold=threshold, years=years):
        if report_id not in up.case.reports:
            continue
        stamped = session.execute(
            update(ConductReport)
            .where(ConductReport.id.in_(up.case.reports), ConductReport.escalated_at.is_(None))
            .values(escalated_at=now)
        )
        if not stamped.rowcount:  # type: ignore[attr-defined]
            return False
        audit.append(
            session,
            actor="system",
            action="conduct.escalated",
            subject=f"conduct:{report_id}",
            details={"reports": len(up.case.reports), "independent": up.sources},
            now=now,
        )
        return True
    return False
