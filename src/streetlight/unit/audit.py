"""The audit trail of casework: every import, consultation, alteration, disclosure, review and
erasure of a person's record, in the hash-chained audit log (Data Protection Act 2018 s62: who,
when, what, why).

Each helper appends one entry in the caller's transaction, so the act and its record land
together or not at all. The log is what the auditor reads, and the auditor sees no case content:
entries name a person only by their unit token (`unit_person:<token>`, 128 random bits, resolvable
only by the unit, and meaningless once the record is erased), never by name or the force's own id,
and `details` hold counts, table and column names and the reason given, never a row's values.

Actions (`audit_log.action`):

| action | subject | details |
|---|---|---|
| `unit.import` | `unit_import:<id>` | `digest`; `tables`: each table's counts; `reasons` |
| `unit.consult` | `unit_person:<token>` or `unit_quarantine:<import id>` | `reason` |
| `unit.alter` | `unit_person:<token>` | `reason`, `changed` (table.column names) |
| `unit.disclose` | `unit_person:<token>` | `reason`, `recipient` (an organisation, e.g. "CPS", "MARAC") |
| `unit.review` | `unit_person:<token>` | `reason`, `decision` (retain or erase), `next_review` (ISO date) |
| `unit.erase` | `unit_person:<token>` | `reason` |
| `unit.refresh` | `unit_list:<refresh id>` | `method`, `as_of`, `listed`, `ranked` (the list's refresh) |

An import's counts are, per table, rows `read`, `accepted` (new), `updated`, `unchanged` and
`quarantined`, and quarantined rows by reason (`unit.reading.REASONS`).

A reason is required (at most `REASON_CHARS`): the "why" the Act asks for. Write it without names
("MARAC referral, case 12/26"): the auditor reads it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy.orm import Session

from streetlight.db import audit
from streetlight.db.audit import JSONValue
from streetlight.db.enums import ReviewDecision
from streetlight.db.models import UnitPerson
from streetlight.unit.errors import CaseworkAccessError

IMPORT = "unit.import"
CONSULT = "unit.consult"
ALTER = "unit.alter"
DISCLOSE = "unit.disclose"
REVIEW = "unit.review"
ERASE = "unit.erase"
REFRESH = "unit.refresh"
ACTIONS = (IMPORT, CONSULT, ALTER, DISCLOSE, REVIEW, ERASE, REFRESH)
REASON_CHARS = 500


def person_subject(person: UnitPerson | str) -> str:
    """How the audit log names a person: their unit token, never a name or the force's id."""
    token = person if isinstance(person, str) else person.token
    return f"unit_person:{token}"


def reason_text(reason: str) -> str:
    """`reason` with its whitespace collapsed; `CaseworkAccessError` when empty or too long."""
    text = " ".join(reason.split())
    if not text:
        raise CaseworkAccessError("a reason is required: every use of a person's record says why")
    if len(text) > REASON_CHARS:
        raise CaseworkAccessError(f"a reason is at most {REASON_CHARS} characters")
    return text


def imported(
    session: Session, *, actor: str, import_id: int, details: dict[str, JSONValue], now: datetime
) -> None:
    """An import that changed the casework: counts only (`details`, see the table above)."""
    audit.append(
        session,
        actor=actor,
        action=IMPORT,
        subject=f"unit_import:{import_id}",
        details=details,
        now=now,
    )


def consulted(
    session: Session, actor: str, person: UnitPerson | str, reason: str, *, now: datetime
) -> None:
    """`actor` read `person`'s record (a page, an export, a ranking's inputs), for `reason`."""
    audit.append(
        session,
        actor=actor,
        action=CONSULT,
        subject=person_subject(person),
        details={"reason": reason_text(reason)},
        now=now,
    )


def consulted_quarantine(
    session: Session, actor: str, import_id: int, reason: str, *, now: datetime
) -> None:
    """`actor` read the rows import `import_id` quarantined (personal data of many people)."""
    audit.append(
        session,
        actor=actor,
        action=CONSULT,
        subject=f"unit_quarantine:{import_id}",
        details={"reason": reason_text(reason)},
        now=now,
    )


def altered(
    session: Session,
    actor: str,
    person: UnitPerson | str,
    reason: str,
    *,
    changed: Iterable[str],
    now: datetime,
) -> None:
    """`actor` changed `person`'s record: `changed` names what ("unit_people.surname",
    "unit_tasks.status"), never the old or new values."""
    audit.append(
        session,
        actor=actor,
        action=ALTER,
        subject=person_subject(person),
        details={"reason": reason_text(reason), "changed": [*sorted(set(changed))]},
        now=now,
    )


def disclosed(
    session: Session,
    actor: str,
    person: UnitPerson | str,
    reason: str,
    *,
    recipient: str,
    now: datetime,
) -> None:
    """`actor` disclosed `person`'s record to `recipient` (an organisation), for `reason`."""
    audit.append(
        session,
        actor=actor,
        action=DISCLOSE,
        subject=person_subject(person),
        details={"reason": reason_text(reason), "recipient": reason_text(recipient)},
        now=now,
    )


def reviewed(
    session: Session,
    actor: str,
    person: UnitPerson | str,
    reason: str,
    *,
    decision: ReviewDecision,
    next_review: date | None,
    now: datetime,
) -> None:
    """`actor` recorded a review decision about `person` (`UnitReview`)."""
    audit.append(
        session,
        actor=actor,
        action=REVIEW,
        subject=person_subject(person),
        details={
            "reason": reason_text(reason),
            "decision": decision.value,
            "next_review": next_review.isoformat() if next_review else None,
        },
        now=now,
    )


def erased(
    session: Session, actor: str, person: UnitPerson | str, reason: str, *, now: datetime
) -> None:
    """`actor` erased `person`'s record (and, by cascade, everything about them). Call it with
    the token before the row goes: the entry is all that is left."""
    audit.append(
        session,
        actor=actor,
        action=ERASE,
        subject=person_subject(person),
        details={"reason": reason_text(reason)},
        now=now,
    )
