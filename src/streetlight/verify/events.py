"""The control room's live feed: every journey step is one audit row and one console event,
written together in the caller's transaction.

Every app process serves the feed by polling `console_events` for ids above the last one it sent
(`since`), so an event written by any process reaches every console, and nothing lives only in one
process's memory. Ids commit in order because each event is inserted after the audit chain's lock
is taken (held to the end of the transaction): a poller that has seen id n never later finds an
uncommitted n-1 appear behind it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from streetlight.db import audit
from streetlight.db.audit import JSONValue
from streetlight.db.models import ConsoleEvent
from streetlight.db.models.base import table_of

BATCH = 100
_INSERT = table_of(ConsoleEvent).insert()


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    subject: str = "",
    details: Mapping[str, JSONValue] | None = None,
    event: Mapping[str, JSONValue] | None = None,
    now: datetime,
) -> None:
    """Append the audit row for `action` and, when `event` is given, a console event of kind
    `action` carrying it. Never put a verification code in either."""
    audit.append(session, actor=actor, action=action, subject=subject, details=details, now=now)
    if event is not None:
        payload = audit.canonical_json(dict(event))
        session.execute(_INSERT, {"at": now, "kind": action, "payload": payload})


def since(session: Session, after_id: int, limit: int = BATCH) -> Sequence[ConsoleEvent]:
    """Events with ids above `after_id`, oldest first."""
    return session.scalars(
        select(ConsoleEvent)
        .where(ConsoleEvent.id > after_id)
        .order_by(ConsoleEvent.id)
        .limit(limit)
    ).all()


def last_id(session: Session) -> int:
    """The newest event's id (0 when there is none): where a new console starts listening."""
    return int(session.scalar(select(func.max(ConsoleEvent.id))) or 0)


def payload(event: ConsoleEvent) -> dict[str, JSONValue]:
    value = json.loads(event.payload)
    return value if isinstance(value, dict) else {}
