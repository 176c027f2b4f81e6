"""Changes to a person's record, each audited in the same transaction as the change it records
(so the two land together or not at all): task status (`unit.alter`), review decisions
(`unit.review`, then `unit.erase` for an erasure), and the subject-access export of everything
held on one person (`unit.disclose`, recipient "data subject"); with them, the list of records
due for review that a data protection officer chases (`reviews_due`, recorded as a `unit.view`).

Who may: `streetlight.unit.access` (tasks: a supervisor, the officer holding the person or the
one the task is assigned to; reviews and exports: supervisors). A refusal is recorded, then
raised; a task that does not exist and one the reader may not change give the same error.

Retention (Data Protection Act 2018 s39, s47): every person has a review date, and past it the
record stays only on a recorded decision: retain until a next review date, with a reason, or
erase. Erasure deletes the person and everything only they hold: their links, arrests, bail,
orders against them, tasks, caseload entries and reviews (the database cascades), the offences no
one else is linked to or arrested or bailed for, and the import's quarantined rows that name
them. What remains of them is the audit log's entries, which name only their token.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from streetlight.db import audit as chain
from streetlight.db.audit import JSONValue
from streetlight.db.enums import ReviewDecision, TaskStatus
from streetlight.db.models import (
    AuditEntry,
    StaffUser,
    UnitArrest,
    UnitBail,
    UnitCaseload,
    UnitImport,
    UnitLink,
    UnitOffence,
    UnitOrder,
    UnitPerson,
    UnitQuarantine,
    UnitReview,
    UnitTask,
)
from streetlight.errors import CaseworkError
from streetlight.unit import audit
from streetlight.unit.access import (
    VIEW,
    Capability,
    PersonNotFoundError,
    Reader,
    TaskNotFoundError,
    open_person,
    refused,
    require,
)

CLOSED = (TaskStatus.DONE, TaskStatus.CANCELLED)
# The latest a retained record's next review may be set: ten years, the longest review period
# of the College of Policing's Management of Police Information (MoPI) retention groups.
MAX_RETAIN_DAYS = 3653
SUBJECT_RECIPIENT = "data subject"
EXPORT_FORMAT = "streetlight.unit.subject-access/1"


class ReviewDecisionError(CaseworkError):
    """A review decision that cannot be recorded: a next review date missing, not after today
    or too far ahead (the message names which)."""


@dataclass(frozen=True)
class TaskChange:
    """What `set_task_status` did: the person's token, whether the reader may open their page
    without a reason (`in_remit`: going back there otherwise asks for one again) and the
    statuses before and after."""

    token: str
    before: TaskStatus
    after: TaskStatus
    in_remit: bool


def set_task_status(
    session: Session,
    reader: Reader,
    task_id: int,
    status: TaskStatus,
    *,
    reason: str | None,
    now: datetime,
) -> TaskChange:
    """Change a task's status (closing it when done or cancelled, reopening it otherwise),
    audited as an alteration of the person's record. Without `reason`, the change itself is
    the reason ("task 12: open -> done": no personal data)."""
    require(session, reader, Capability.TASKS, now=now)
    row = session.execute(
        select(UnitTask, UnitPerson.token, UnitCaseload.user_id)
        .join(UnitPerson, UnitPerson.id == UnitTask.person_id)
        .outerjoin(
            UnitCaseload,
            and_(
                UnitCaseload.person_id == UnitTask.person_id,
                UnitCaseload.user_id == reader.user_id,
            ),
        )
        .where(UnitTask.id == task_id)
    ).first()
    allowed = row is not None and (
        reader.whole_unit or row[2] is not None or row[0].assigned_to_id == reader.user_id
    )
    if row is None or not allowed:
        refused(session, reader, f"unit_task:{task_id}", status=404, page="task", now=now)
        raise TaskNotFoundError("no such task, or not one the reader may change")
    task, token = row[0], row[1]
    before = task.status
    text = audit.reason_text(reason or f"task {task_id}: {before} -> {status}")
    if status is not before:
        task.status = status
        task.closed_at = now if status in CLOSED else None
        task.updated_at = now
        changed = ["unit_tasks.status", "unit_tasks.closed_at"]
        audit.altered(session, reader.username, token, text, changed=changed, now=now)
        session.flush()
    return TaskChange(token, before, status, reader.whole_unit or row[2] is not None)


@dataclass(frozen=True)
class ReviewOutcome:
    """A review recorded: retained until `next_review`, or erased."""

    token: str
    decision: ReviewDecision
    next_review: date | None


def record_review(
    session: Session,
    reader: Reader,
    token: str,
    decision: ReviewDecision,
    *,
    reason: str,
    next_review: date | None,
    today: date,
    now: datetime,
) -> ReviewOutcome:
    """Record a supervisor's decision at a person's review: retain until `next_review` (after
    `today`, within `MAX_RETAIN_DAYS`), which becomes their review date, or erase them.

    Checked before anything changes: the role (`CaseworkForbiddenError`), the reason
    (`CaseworkAccessError`), the date (`ReviewDecisionError`), the person
    (`PersonNotFoundError`). Opening the record to decide is a consultation with the same
    reason.
    """
    require(session, reader, Capability.REVIEWS, now=now)
    text = audit.reason_text(reason)
    if decision is ReviewDecision.RETAIN:
        if next_review is None:
            raise ReviewDecisionError("retaining a record needs the date of its next review")
        if next_review <= today:
            raise ReviewDecisionError("the next review must be after today")
        if (next_review - today).days > MAX_RETAIN_DAYS:
            raise ReviewDecisionError("the next review must be within ten years")
    else:
        next_review = None
    person = open_person(session, reader, token, reason=text, now=now)
    audit.reviewed(
        session, reader.username, person, text, decision=decision, next_review=next_review, now=now
    )
    if decision is ReviewDecision.ERASE:
        erase_person(session, reader, person, text, now=now)
        return ReviewOutcome(token, decision, None)
    session.add(
        UnitReview(
            person_id=person.id,
            decision=decision,
            reason=text,
            decided_by_id=reader.user_id,
            decided_at=now,
            next_review=next_review,
        )
    )
    person.review_due = next_review  # type: ignore[assignment]  # checked above
    person.updated_at = now
    session.flush()
    return ReviewOutcome(token, decision, next_review)


def erase_person(
    session: Session, reader: Reader, person: UnitPerson, reason: str, *, now: datetime
) -> None:
    """Erase `person` and everything only they hold (the module docstring lists what), audited
    first (`unit.erase`: the entry is all that is left). Supervisors only."""
    require(session, reader, Capability.REVIEWS, now=now)
    audit.erased(session, reader.username, person, reason, now=now)
    pid, ref = person.id, person.person_ref
    other = aliased(UnitLink)
    theirs_only = (
        select(UnitLink.offence_id)
        .where(
            UnitLink.person_id == pid,
            ~exists().where(other.offence_id == UnitLink.offence_id, other.person_id != pid),
            ~exists().where(
                UnitArrest.offence_id == UnitLink.offence_id, UnitArrest.person_id != pid
            ),
            ~exists().where(UnitBail.offence_id == UnitLink.offence_id, UnitBail.person_id != pid),
        )
        .distinct()
    )
    offence_ids = list(session.scalars(theirs_only))
    # The import's refused rows that name them (their values are JSON text, written as here).
    needle = json.dumps(ref, ensure_ascii=False)
    session.execute(delete(UnitQuarantine).where(UnitQuarantine.raw_values.contains(needle)))
    session.execute(
        update(UnitOrder)
        .where(UnitOrder.protected_person_id == pid)
        .values(protected_person_id=None)
    )
    session.execute(delete(UnitPerson).where(UnitPerson.id == pid))
    if offence_ids:
        session.execute(
            update(UnitTask).where(UnitTask.offence_id.in_(offence_ids)).values(offence_id=None)
        )
        session.execute(delete(UnitOffence).where(UnitOffence.id.in_(offence_ids)))
    session.expunge(person)


# --- The subject-access export ------------------------------------------------------------------


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def subject_access(
    session: Session, reader: Reader, token: str, *, reason: str, now: datetime
) -> dict[str, JSONValue]:
    """Everything the unit holds on one person, as JSON, for a subject access request (Data
    Protection Act 2018 s45), audited as a disclosure to the data subject with `reason` (the
    request's reference, say). Supervisors only.

    Other people are never named: an offence lists how many others were linked to it and in
    which part, an order protecting this person says only that it is against someone, and the
    audit log's disclosures give the recipient and the date, not the member of staff (s45(4):
    the rights of others). Free text (bail and order conditions, task details) is as recorded:
    whoever sends the export reads it for other people's data first, as `notes` says.
    """
    require(session, reader, Capability.DISCLOSE, now=now)
    text = audit.reason_text(reason)
    person = open_person(session, reader, token, reason=text, now=now)
    audit.disclosed(session, reader.username, person, text, recipient=SUBJECT_RECIPIENT, now=now)
    return _everything(session, person, now)


def operator_subject_access(
    session: Session, token: str, *, actor: str, reason: str, now: datetime
) -> dict[str, JSONValue]:
    """`subject_access` for whoever holds the database's credentials (the command line, run by
    the data protection officer or the system's administrator): no staff role to check, so the
    audit entries (a consultation and a disclosure to the data subject) name `actor` instead.
    `PersonNotFoundError` for a token no one has; `CaseworkAccessError` without a reason."""
    text = audit.reason_text(reason)
    person = session.scalar(select(UnitPerson).where(UnitPerson.token == token[:64]))
    if person is None:
        raise PersonNotFoundError("no person has this token")
    audit.consulted(session, actor, person, text, now=now)
    audit.disclosed(session, actor, person, text, recipient=SUBJECT_RECIPIENT, now=now)
    return _everything(session, person, now)


def _everything(session: Session, person: UnitPerson, now: datetime) -> dict[str, JSONValue]:
    """What `subject_access` returns, once the disclosure is in the audit log (so the export
    lists itself among the disclosures)."""
    pid = person.id
    others: dict[int, dict[str, int]] = {}
    other = aliased(UnitLink)
    for offence_id, role in session.execute(
        select(other.offence_id, other.role)
        .join(UnitLink, and_(UnitLink.offence_id == other.offence_id, UnitLink.person_id == pid))
        .where(other.person_id != pid)
    ):
        counts = others.setdefault(offence_id, {})
        counts[role.value] = counts.get(role.value, 0) + 1
    offences: list[JSONValue] = [
        {
            "reference": o.offence_ref,
            "home_office_code": o.ho_code,
            "offence_group": o.subgroup,
            "category": o.category,
            "violence_against_women_and_girls": o.vawg,
            "occurred_from": _iso(o.occurred_from),
            "occurred_to": _iso(o.occurred_to),
            "reported_at": _iso(o.reported_at),
            "location": None if o.x is None else {"x": o.x, "y": o.y},
            "relationship": o.relationship_.value if o.relationship_ else None,
            "your_part": link.role.value,
            "safeguarding": link.safeguarding.value if link.safeguarding else None,
            "other_people": dict(others.get(o.id, {})),
        }
        for link, o in session.execute(
            select(UnitLink, UnitOffence)
            .join(UnitOffence, UnitOffence.id == UnitLink.offence_id)
            .where(UnitLink.person_id == pid)
            .order_by(UnitOffence.occurred_from, UnitOffence.id)
        )
    ]
    refs = dict(
        session.execute(
            select(UnitOffence.id, UnitOffence.offence_ref).where(
                or_(
                    UnitOffence.id.in_(
                        select(UnitArrest.offence_id).where(UnitArrest.person_id == pid)
                    ),
                    UnitOffence.id.in_(
                        select(UnitBail.offence_id).where(UnitBail.person_id == pid)
                    ),
                )
            )
        ).all()
    )
    arrests: list[JSONValue] = [
        {
            "reference": a.arrest_ref,
            "offence": refs.get(a.offence_id),
            "arrested_at": _iso(a.arrested_at),
            "charged_at": _iso(a.charged_at),
            "outcome": a.outcome,
            "outcome_at": _iso(a.outcome_at),
        }
        for a in session.scalars(
            select(UnitArrest).where(UnitArrest.person_id == pid).order_by(UnitArrest.arrested_at)
        )
    ]
    bail: list[JSONValue] = [
        {
            "reference": b.bail_ref,
            "offence": refs.get(b.offence_id),
            "kind": b.kind.value,
            "starts": _iso(b.starts),
            "expires": _iso(b.expires),
            "authorised_by": b.authority.value if b.authority else None,
            "conditions": b.conditions,
            "victim_views_sought": b.victim_views_sought,
        }
        for b in session.scalars(
            select(UnitBail).where(UnitBail.person_id == pid).order_by(UnitBail.starts)
        )
    ]
    orders: list[JSONValue] = []
    for order in session.scalars(
        select(UnitOrder)
        .where(or_(UnitOrder.person_id == pid, UnitOrder.protected_person_id == pid))
        .order_by(UnitOrder.starts, UnitOrder.id)
    ):
        against_them = order.person_id == pid
        entry: dict[str, JSONValue] = {
            "reference": order.order_ref,
            "kind": order.kind.value,
            "starts": _iso(order.starts),
            "expires": _iso(order.expires),
            "your_part": "subject" if against_them else "protected",
        }
        if against_them:
            entry["conditions"] = order.conditions
            entry["breached_at"] = _iso(order.breached_at)
            entry["protects_a_named_person"] = order.protected_person_id is not None
        orders.append(entry)
    tasks: list[JSONValue] = [
        {
            "kind": t.kind.value,
            "status": t.status.value,
            "due_on": _iso(t.due_on),
            "details": t.details,
            "created_at": _iso(t.created_at),
            "closed_at": _iso(t.closed_at),
        }
        for t in session.scalars(
            select(UnitTask).where(UnitTask.person_id == pid).order_by(UnitTask.created_at)
        )
    ]
    reviews: list[JSONValue] = [
        {
            "decision": r.decision.value,
            "reason": r.reason,
            "decided_at": _iso(r.decided_at),
            "next_review": _iso(r.next_review),
        }
        for r in session.scalars(
            select(UnitReview).where(UnitReview.person_id == pid).order_by(UnitReview.decided_at)
        )
    ]
    disclosures: list[JSONValue] = []
    for at, details in session.execute(
        select(AuditEntry.at, AuditEntry.details)
        .where(
            AuditEntry.action == audit.DISCLOSE,
            AuditEntry.subject == audit.person_subject(person),
        )
        .order_by(AuditEntry.id)
    ):
        parsed: Any = json.loads(details)
        disclosures.append({"at": _iso(at), "recipient": parsed.get("recipient")})
    return {
        "format": EXPORT_FORMAT,
        "generated_at": _iso(now),
        "person": {
            "force_reference": person.person_ref,
            "surname": person.surname,
            "forenames": person.forenames,
            "date_of_birth": _iso(person.date_of_birth),
            "sex": person.sex.value,
            "ethnicity": person.ethnicity,
            "review_due": _iso(person.review_due),
            "recorded_at": _iso(person.created_at),
            "updated_at": _iso(person.updated_at),
        },
        "offences": offences,
        "arrests": arrests,
        "bail": bail,
        "orders": orders,
        "tasks": tasks,
        "reviews": reviews,
        "disclosures": disclosures,
        "notes": [
            "Other people linked to these records are not named (Data Protection Act 2018 "
            "s45(4)): each offence gives only how many others were linked, and in which part.",
            "Conditions and task details are as recorded: read them for other people's data "
            "before this export is sent.",
        ],
        "location_crs": session.scalar(
            select(UnitImport.crs).order_by(UnitImport.id.desc()).limit(1)
        ),
    }


# --- Reviews due ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueReview:
    """A record at or near its review date with no decision since: `days_overdue` is how long
    past it (0: due today; negative: due in that many days), `holders` the usernames of the
    staff holding the person (whom to ask), `last_decision` the day of the last recorded review
    (None: never reviewed)."""

    token: str
    review_due: date
    days_overdue: int
    holders: tuple[str, ...]
    last_decision: date | None


def reviews_due(
    session: Session, *, actor: str, today: date, within_days: int = 0, now: datetime
) -> tuple[DueReview, ...]:
    """Every record whose review date is on or before `today` plus `within_days`, most overdue
    first: the records kept past their review date without a decision (Data Protection Act 2018
    s39(2)), and those about to be. A retain decision moves the review date on, so "past its
    date" is exactly "no decision since".

    Tokens, dates and staff usernames only, never a name: what a data protection officer needs
    to chase the decisions. The listing is recorded (`unit.view`, with how many it listed)."""
    horizon = today + timedelta(days=within_days)
    people = session.execute(
        select(UnitPerson.id, UnitPerson.token, UnitPerson.review_due)
        .where(UnitPerson.review_due <= horizon)
        .order_by(UnitPerson.review_due, UnitPerson.token)
    ).all()
    ids = [row.id for row in people]
    holders: dict[int, list[str]] = {}
    for person_id, username in session.execute(
        select(UnitCaseload.person_id, StaffUser.username)
        .join(StaffUser, StaffUser.id == UnitCaseload.user_id)
        .where(UnitCaseload.person_id.in_(ids))
        .order_by(StaffUser.username)
    ):
        holders.setdefault(person_id, []).append(username)
    decided = dict(
        session.execute(
            select(UnitReview.person_id, func.max(UnitReview.decided_at))
            .where(UnitReview.person_id.in_(ids))
            .group_by(UnitReview.person_id)
        ).all()
    )
    chain.append(
        session,
        actor=actor,
        action=VIEW,
        subject="unit_page:review-due",
        details={"people": len(people)},
        now=now,
    )
    return tuple(
        DueReview(
            token=row.token,
            review_due=row.review_due,
            days_overdue=(today - row.review_due).days,
            holders=tuple(holders.get(row.id, ())),
            last_decision=decided[row.id].date() if row.id in decided else None,
        )
        for row in people
    )
