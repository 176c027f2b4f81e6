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
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from streetlight.db import audit
from streetlight.db.audit import JSONValue
from streetlight.db.models import ConsoleEvent
from streetlight.db.models.base import table_of

BATCH = 100
_INSERT = table_of(ConsoleEvent).insert()


@dataclass(frozen=True)
class Record:
    """An audit entry and, when `event` is given, the console event of kind `entry.action`
    carrying it. Never put a verification code in either."""

    entry: audit.Entry
    event: Mapping[str, JSONValue] | None = None


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
    """Append the audit row for `action` and, when `event` is given, its console event."""
    record_many(session, [Record(audit.Entry(actor, action, subject, details), event)], now=now)


def record_many(session: Session, records: Sequence[Record], *, now: datetime) -> None:
    """Append the audit rows of `records` in order, then their console events in one insert
    (after the chain's lock, so that event ids commit in order)."""
    audit.append_many(session, [r.entry for r in records], now=now)
    events = event_rows(records, now=now)
    if events:
        session.execute(_INSERT, events)


def event_rows(records: Sequence[Record], *, now: datetime) -> list[dict[str, object]]:
    """The console events of `records`, in order (insert them after the chain's lock)."""
    return [
        {"at": now, "kind": r.entry.action, "payload": audit.canonical_json(dict(r.event))}
        for r in records
        if r.event is not None
    ]


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
