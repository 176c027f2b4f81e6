"""Joining up in the database: a report's case, and its escalation when the case qualifies.

`joining` decides on plain records; this reads them (the ids, dates, officers and source marks of
the reports reachable from one report, and their links) and records the outcome.
An escalation stamps every report of the case (`escalated_at`), which is what lets its senior
readers open the history, whoever handled the earlier reports.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from streetlight.conduct import joining
from streetlight.db import audit
from streetlight.db.models import ConductLink, ConductReport

THRESHOLD = 2
YEARS = 5.0


def _concerns(
    session: Session, report_id: int
) -> tuple[list[joining.Concern], list[tuple[int, int]]]:
    """The reports that can be joined to `report_id`, found outward from it (its officer's
    reports, the reports linked to those, their officers' reports, ...), with their links: a
    few rows for a case, however many reports the force holds."""
    seen_reports: set[int] = set()
    seen_officers: set[int] = set()
    frontier_reports: set[int] = {report_id}
    frontier_officers: set[int] = set()
    links: set[tuple[int, int]] = set()
    while frontier_reports or frontier_officers:
        found = session.execute(
            select(ConductReport.id, ConductReport.officer_id).where(
                or_(
                    ConductReport.id.in_(frontier_reports),
                    ConductReport.officer_id.in_(frontier_officers),
                )
            )
        ).all()
        seen_officers |= frontier_officers
        new_reports = {r for r, _ in found} - seen_reports
        seen_reports |= new_reports
        frontier_officers = {o for _, o in found if o is not None} - seen_officers
        linked = session.execute(
            select(ConductLink.report_id, ConductLink.other_id).where(
                or_(ConductLink.report_id.in_(new_reports), ConductLink.other_id.in_(new_reports))
            )
        ).all()
        links |= {(a, b) for a, b in linked}
        frontier_reports = {r for pair in linked for r in pair} - seen_reports
    rows = session.execute(
        select(
            ConductReport.id,
            ConductReport.received_at,
            ConductReport.officer_id,
            ConductReport.same_source_as_id,
        ).where(ConductReport.id.in_(seen_reports))
    ).all()
    concerns = [
        joining.Concern(r.id, r.received_at, r.officer_id, r.same_source_as_id) for r in rows
    ]
    return concerns, sorted(links)


def case_of(session: Session, report_id: int) -> joining.Case:
    """The reports joined to this one (by officer or a handler's link), oldest first."""
    concerns, links = _concerns(session, report_id)
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
    concerns, links = _concerns(session, report_id)
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
