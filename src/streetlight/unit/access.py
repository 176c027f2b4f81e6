"""Who may see what of the unit's casework, and the audited opening of one person's record.

Deny by default: a role may do exactly what `GRANTS` lists, and nothing else.

- `unit_officer`: their caseload and the people they hold (anyone else only with a recorded
  reason), the bail and orders board of their people, task changes on their people or on tasks
  assigned to them, the dashboard, and of the harm ranking's list only the people they hold
  whom a supervisor has adopted (the work it gives them, never who else is ranked);
- `unit_supervisor`: the same for the whole unit, review decisions (retain or erase),
  subject-access exports, the harm ranking's list: refreshing it and deciding about the people
  on it (`streetlight.unit.listing`), and deciding about the unsolved offences crime linkage
  suggests may be a person's (`streetlight.unit.linkage_casework`; officers see those on the
  records they may open);
- `analyst`: the dashboard's aggregates, never a person;
- `auditor`: the audit log of the casework (who, when, what, why), never its content.

Every opening of a person's record is a consultation in the audit log (`unit.consult`, Data
Protection Act 2018 s62), with its reason: "own caseload" for an officer's own people, "unit
supervision" for a supervisor, and the reason the officer typed for anyone else. A refusal is
recorded too (`unit.refused`, below), in the caller's transaction, before the error is raised:
the caller commits it (the web pages answer a refusal without raising, so they do).

Enumeration: for an officer, "no such token" and "not on your caseload" take the same path (one
query, one refusal entry, the same error) and so give the same answer in the same time. Tokens
are 128 random bits, so guessing one is hopeless anyway; the refusals show anyone trying.

Audit actions this module adds to those of `streetlight.unit.audit`:

| action | subject | details |
|---|---|---|
| `unit.view` | `unit_page:<caseload or board>` | `people`: how many people the page listed |
| `unit.refused` | `unit_person:<token>`, `unit_task:<id>` or `unit_page:<name>` | `status` (403 or 404), `page` |
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from streetlight.db import audit as chain
from streetlight.db.enums import Role
from streetlight.db.models import UnitCaseload, UnitPerson
from streetlight.errors import CaseworkError
from streetlight.unit import audit
from streetlight.unit.errors import CaseworkAccessError

VIEW = "unit.view"
REFUSED = "unit.refused"
# The reasons written for the consultations a role's remit covers.
OWN_CASELOAD = "own caseload"
SUPERVISION = "unit supervision"
_TOKEN = re.compile(r"[0-9a-f]{32}")


class Capability(enum.StrEnum):
    """What a page or action of the casework needs."""

    CASELOAD = "caseload"  # the caseload page: people held and their tasks
    PEOPLE = "people"  # a person's record
    BOARD = "board"  # the bail and orders board
    DASHBOARD = "dashboard"  # aggregates by month and offence group
    TASKS = "tasks"  # change a task's status
    REVIEWS = "reviews"  # record a review decision: retain, or erase
    DISCLOSE = "disclose"  # a subject-access export
    AUDIT_LOG = "audit_log"  # the casework's audit entries, no content
    LIST = "list"  # the harm ranking's list (an officer: only adopted people they hold)
    LIST_DECIDE = "list_decide"  # refresh the list; adopt, not now or remove a listed person
    LINKAGE = "linkage"  # the unsolved offences that may be a person's (on their record)
    LINKAGE_DECIDE = "linkage_decide"  # accept one for investigation, or reject it


_WORK = frozenset({Capability.CASELOAD, Capability.PEOPLE, Capability.BOARD, Capability.DASHBOARD})
GRANTS: dict[Role, frozenset[Capability]] = {
    Role.UNIT_OFFICER: _WORK | {Capability.TASKS, Capability.LIST, Capability.LINKAGE},
    Role.UNIT_SUPERVISOR: _WORK
    | {
        Capability.TASKS,
        Capability.REVIEWS,
        Capability.DISCLOSE,
        Capability.LIST,
        Capability.LIST_DECIDE,
        Capability.LINKAGE,
        Capability.LINKAGE_DECIDE,
    },
    Role.ANALYST: frozenset({Capability.DASHBOARD}),
    Role.AUDITOR: frozenset({Capability.AUDIT_LOG}),
}


def may(role: Role, capability: Capability) -> bool:
    """Whether `role` has `capability` (roles not in `GRANTS` have none)."""
    return capability in GRANTS.get(role, frozenset())


@dataclass(frozen=True)
class Reader:
    """Who is asking: the staff account's id (caseloads are kept by it), username (the audit
    log's actor) and role."""

    user_id: int
    username: str
    role: Role

    @property
    def whole_unit(self) -> bool:
        """A supervisor's remit is the whole unit; an officer's, the people they hold."""
        return self.role is Role.UNIT_SUPERVISOR

    @property
    def holder(self) -> int | None:
        """The caseload that bounds this reader's lists: their own, or None for the whole unit."""
        return None if self.whole_unit else self.user_id


class CaseworkForbiddenError(CaseworkAccessError):
    """The reader's role does not allow this page or action at all (a 403)."""


class PersonNotFoundError(CaseworkError):
    """No person has this token, or (for an officer without a reason) not one they hold: the
    two are one error, so that an answer never tells them apart."""


class TaskNotFoundError(CaseworkError):
    """No such task, or not one this reader may change: one error, as for people."""


def token_subject(token: str) -> str:
    """The audit subject for a token as sent: the person's subject when it has a token's form,
    else a placeholder (a URL's junk, which might be anything, never lands in the log)."""
    return audit.person_subject(token if _TOKEN.fullmatch(token) else "invalid")


def refused(
    session: Session, reader: Reader, subject: str, *, status: int, page: str, now: datetime
) -> None:
    """Record a refusal (403: the role; 404: no such record, or not this reader's)."""
    chain.append(
        session,
        actor=reader.username,
        action=REFUSED,
        subject=subject,
        details={"status": status, "page": page},
        now=now,
    )


def viewed(session: Session, reader: Reader, page: str, *, people: int, now: datetime) -> None:
    """Record a list page that showed several people (the caseload, the board): one entry for
    the page, with how many people it listed."""
    chain.append(
        session,
        actor=reader.username,
        action=VIEW,
        subject=f"unit_page:{page}",
        details={"people": people},
        now=now,
    )


def require(session: Session, reader: Reader, capability: Capability, *, now: datetime) -> None:
    """Raise `CaseworkForbiddenError` (after recording the refusal) unless the reader's role has
    `capability`."""
    if not may(reader.role, capability):
        refused(session, reader, f"unit_page:{capability}", status=403, page=capability, now=now)
        raise CaseworkForbiddenError(f"the {reader.role} role may not use {capability}")


@dataclass(frozen=True)
class Found:
    """A token looked up for a reader: the person's row id, and whether the reader holds them."""

    person_id: int
    held: bool


def look_up(session: Session, reader: Reader, token: str) -> Found | None:
    """One query for both facts, whatever the token (so a missing person and one not held take
    the same time)."""
    row = session.execute(
        select(UnitPerson.id, UnitCaseload.user_id)
        .outerjoin(
            UnitCaseload,
            and_(UnitCaseload.person_id == UnitPerson.id, UnitCaseload.user_id == reader.user_id),
        )
        .where(UnitPerson.token == token[:64])
    ).first()
    return None if row is None else Found(row[0], row[1] is not None)


def open_person(
    session: Session, reader: Reader, token: str, *, reason: str | None, now: datetime
) -> UnitPerson:
    """The person with `token`, their opening recorded as a consultation.

    - a supervisor opens anyone (reason "unit supervision" unless one is given);
    - an officer opens the people they hold ("own caseload" unless one is given), and anyone
      else only with `reason`; without one, `PersonNotFoundError`, the same as for no such
      person (the page then asks for a reason);
    - any other role: `CaseworkForbiddenError`.

    `reason` is checked (`audit.reason_text`: `CaseworkAccessError` when empty or too long)
    before anything is read. Refusals are recorded before the error is raised.
    """
    require(session, reader, Capability.PEOPLE, now=now)
    text = None if reason is None else audit.reason_text(reason)
    found = look_up(session, reader, token)
    allowed = found is not None and (reader.whole_unit or found.held or text is not None)
    if found is None or not allowed:
        refused(session, reader, token_subject(token), status=404, page="person", now=now)
        raise PersonNotFoundError("no such person, or not one of the reader's")
    default = SUPERVISION if reader.whole_unit else OWN_CASELOAD
    audit.consulted(session, reader.username, token, text or default, now=now)
    person = session.get(UnitPerson, found.person_id)
    if person is None:  # pragma: no cover - erased between two statements of one transaction
        raise PersonNotFoundError("no such person")
    return person
