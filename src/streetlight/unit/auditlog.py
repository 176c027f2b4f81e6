"""The auditor's view of the casework's audit log: who did what to whose record, when and why,
and nothing of the record itself.

Entries name people by token only and their details hold reasons, counts and column names
(`streetlight.unit.audit`); this view passes on only the fields listed in `AuditLine`, so an
entry that ever carried more would still show no more. Reading the log is itself recorded
(`audit.view`, outside the `unit.*` actions this view lists, so that the auditor's own reading
does not fill the page).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from streetlight.db import audit as chain
from streetlight.db.models import AuditEntry
from streetlight.unit import audit
from streetlight.unit.access import REFUSED, VIEW, Capability, Reader, require

ACTIONS: tuple[str, ...] = (*audit.ACTIONS, VIEW, REFUSED)
LOG_VIEW = "audit.view"
PAGE_SIZE = 50


@dataclass(frozen=True)
class AuditLine:
    """One entry as the auditor sees it: `subject` is a token or a page, never a name."""

    id: int
    at: datetime
    actor: str
    action: str
    subject: str
    reason: str | None = None
    recipient: str | None = None
    decision: str | None = None
    next_review: str | None = None
    changed: tuple[str, ...] = ()
    status: int | None = None
    people: int | None = None


@dataclass(frozen=True)
class AuditPage:
    """Entries newest first; `older`: the id to pass as `before` for the next page (None: the
    last page)."""

    lines: tuple[AuditLine, ...]
    older: int | None


def _text(details: dict[str, Any], key: str) -> str | None:
    value = details.get(key)
    return value if isinstance(value, str) else None


def _number(details: dict[str, Any], key: str) -> int | None:
    value = details.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _line(entry: AuditEntry) -> AuditLine:
    try:
        parsed = json.loads(entry.details)
    except ValueError:
        parsed = {}
    details: dict[str, Any] = parsed if isinstance(parsed, dict) else {}
    changed = details.get("changed")
    return AuditLine(
        id=entry.id,
        at=entry.at,
        actor=entry.actor,
        action=entry.action,
        subject=entry.subject,
        reason=_text(details, "reason"),
        recipient=_text(details, "recipient"),
        decision=_text(details, "decision"),
        next_review=_text(details, "next_review"),
        changed=tuple(c for c in changed if isinstance(c, str))
        if isinstance(changed, list)
        else (),
        status=_number(details, "status"),
        people=_number(details, "people"),
    )


def entries(
    session: Session,
    reader: Reader,
    *,
    action: str | None = None,
    subject: str | None = None,
    before: int | None = None,
    limit: int = PAGE_SIZE,
    now: datetime,
) -> AuditPage:
    """The casework's audit entries, newest first, `limit` at a time (`before`: below this id),
    narrowed to one `action` of `ACTIONS` and to one `subject` ("unit_person:<token>") when
    given. Auditors only; the reading is recorded (`audit.view`) with its filters."""
    require(session, reader, Capability.AUDIT_LOG, now=now)
    chain.append(
        session,
        actor=reader.username,
        action=LOG_VIEW,
        subject="unit",
        details={"action": action, "subject": subject, "before": before},
        now=now,
    )
    query = select(AuditEntry).where(AuditEntry.action.in_(ACTIONS))
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if subject is not None:
        query = query.where(AuditEntry.subject == subject)
    if before is not None:
        query = query.where(AuditEntry.id < before)
    rows = session.scalars(query.order_by(AuditEntry.id.desc()).limit(limit + 1)).all()
    lines = tuple(_line(e) for e in rows[:limit])
    return AuditPage(lines, lines[-1].id if len(rows) > limit else None)
