"""Append to and verify the hash-chained audit log (see `models/audit.py` for the chain's form).

`append` is called inside the transaction of the change it records, so a change and its audit row
land together or not at all. `verify_chain` recomputes every hash and names the first row that does
not match: an edited row breaks its own hash, a deleted row breaks its successor's `prev_hash`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from streetlight.db.engine import lock_for_append
from streetlight.db.models import GENESIS_HASH, AuditEntry
from streetlight.db.models.base import table_of

# Any constant: the PostgreSQL advisory lock that serialises appends to the chain.
_AUDIT_LOCK_KEY = 0x5354_4C41  # "STLA"
_BATCH = 1_000
_LOCKED_BY = "streetlight.audit.locked_by"  # session.info: the transaction holding the lock
_AUDIT = table_of(AuditEntry)
_LAST = select(_AUDIT.c.id, _AUDIT.c.hash).order_by(_AUDIT.c.id.desc()).limit(1)
_INSERT = _AUDIT.insert()

JSONValue = str | int | float | bool | None | list["JSONValue"] | dict[str, "JSONValue"]


def canonical_json(value: Mapping[str, JSONValue]) -> str:
    """Sorted keys, no whitespace, UTF-8 kept as is: one text for one value, on any machine."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _instant(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(
    prev_hash: str, *, id: int, at: datetime, actor: str, action: str, subject: str, details: str
) -> str:
    """sha256(prev_hash + canonical JSON of the row's content), as lowercase hex."""
    row: dict[str, JSONValue] = {
        "id": id,
        "at": _instant(at),
        "actor": actor,
        "action": action,
        "subject": subject,
        "details": json.loads(details),
    }
    return hashlib.sha256((prev_hash + canonical_json(row)).encode("utf-8")).hexdigest()


def lock(session: Session) -> None:
    """Take the chain's append lock now, for the rest of the transaction.

    For callers that must serialise more than the append itself (say, picking the nearest free
    backup unit) or that write rows which must commit in id order (the console's event feed).
    Taking it again in the same transaction costs nothing (on PostgreSQL, no second round trip).
    """
    transaction = session.get_transaction()
    if transaction is not None and session.info.get(_LOCKED_BY) is transaction:
        return
    lock_for_append(session, _AUDIT_LOCK_KEY)
    locked_by_caller(session)


@dataclass(frozen=True)
class Entry:
    """One row to add: `actor` is a staff username or "system" / "public"; never put a
    verification code, password or client address in `details`."""

    actor: str
    action: str
    subject: str = ""
    details: Mapping[str, JSONValue] | None = None


def append(
    session: Session,
    *,
    actor: str,
    action: str,
    subject: str = "",
    details: Mapping[str, JSONValue] | None = None,
    now: datetime,
) -> None:
    """Add one row at the end of the chain, in the caller's transaction."""
    append_many(session, [Entry(actor, action, subject, details)], now=now)


def append_many(session: Session, entries: Sequence[Entry], *, now: datetime) -> None:
    """Add `entries`, in order, at the end of the chain, in the caller's transaction: one read of
    the chain's end and one insert for all (a batch of public checks writes one row each).

    The rows are inserted at once, not left to a flush: the unit of work would cost more than
    the insert.
    """
    if not entries:
        return
    lock(session)
    session.execute(_INSERT, chain_rows(entries, head(session), now=now))


@dataclass(frozen=True)
class Head:
    """The chain's last row as a writer holding the lock found it (id 0: the chain is empty)."""

    id: int = 0
    hash: str = GENESIS_HASH


def head(session: Session) -> Head:
    """The chain's end; read it only while holding the lock, or another writer may extend it."""
    last = session.execute(_LAST).first()
    return Head() if last is None else Head(last.id, last.hash)


# The chain's end as subqueries, for a writer that reads it with other things in one round trip.
HEAD_ID = _LAST.with_only_columns(_AUDIT.c.id).scalar_subquery()
HEAD_HASH = _LAST.with_only_columns(_AUDIT.c.hash).scalar_subquery()
LOCK_KEY = _AUDIT_LOCK_KEY


def chain_rows(entries: Sequence[Entry], head: Head, *, now: datetime) -> list[dict[str, object]]:
    """The rows that extend the chain from `head` with `entries`, hashes computed (pure: the
    caller inserts them, still holding the lock under which it read `head`)."""
    next_id, prev_hash = head.id + 1, head.hash
    at = now.astimezone(UTC)
    rows: list[dict[str, object]] = []
    for entry in entries:
        text = canonical_json(dict(entry.details or {}))
        digest = entry_hash(
            prev_hash,
            id=next_id,
            at=at,
            actor=entry.actor,
            action=entry.action,
            subject=entry.subject,
            details=text,
        )
        rows.append(
            {
                "id": next_id,
                "at": at,
                "actor": entry.actor,
                "action": entry.action,
                "subject": entry.subject,
                "details": text,
                "prev_hash": prev_hash,
                "hash": digest,
            }
        )
        next_id, prev_hash = next_id + 1, digest
    return rows


def locked_by_caller(session: Session) -> None:
    """Note that the caller took the chain's lock (`LOCK_KEY`) in a statement of its own, so that
    `lock` does not take it again in this transaction."""
    session.info[_LOCKED_BY] = session.get_transaction()


@dataclass(frozen=True)
class ChainCheck:
    """The result of `verify_chain`.

    `rows`: rows checked; `first_bad_id`: id of the first row whose hash or link is wrong (None when
    the chain is whole); `problem`: what is wrong there; `head`: the last row's hash. Deleting the
    *last* rows leaves a shorter, valid chain: keep `anchor` somewhere else (a printed daily
    report, a ticket) and check against it later to detect that too.
    """

    rows: int
    first_bad_id: int | None
    problem: str
    head: str

    @property
    def ok(self) -> bool:
        return self.first_bad_id is None

    @property
    def anchor(self) -> Anchor:
        """The chain's end as it stands: `<row>:<hash>`, to be kept outside the database."""
        return Anchor(self.rows, self.head)


@dataclass(frozen=True)
class Anchor:
    """A row of the chain and its hash, recorded outside the database at some moment. A later
    check that does not find this row with this hash proves the log was cut back or rewritten,
    which the chain alone cannot show for its newest rows."""

    row: int
    hash: str

    def __str__(self) -> str:
        return f"{self.row}:{self.hash}"

    @classmethod
    def parse(cls, text: str) -> Anchor:
        row, _, digest = text.strip().partition(":")
        if not (
            row.isdigit() and len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)
        ):
            raise ValueError(
                f"an anchor is <row>:<64 hex digits> as verify-audit prints it, not {text!r}"
            )
        return cls(int(row), digest)


def _rows(session: Session) -> Iterator[AuditEntry]:
    after = 0
    while True:
        batch = session.scalars(
            select(AuditEntry).where(AuditEntry.id > after).order_by(AuditEntry.id).limit(_BATCH)
        ).all()
        if not batch:
            return
        yield from batch
        after = batch[-1].id


def verify_chain(session: Session, anchor: Anchor | None = None) -> ChainCheck:
    """Recompute the chain from the first row and stop at the first row that does not match, or
    that contradicts `anchor` (a row and hash recorded earlier, outside the database)."""
    prev_hash = GENESIS_HASH
    expected_id = 1
    rows = 0
    for row in _rows(session):
        rows += 1
        if row.id != expected_id:
            return ChainCheck(rows, row.id, f"row {expected_id} is missing", prev_hash)
        if row.prev_hash != prev_hash:
            return ChainCheck(rows, row.id, "prev_hash does not match the row before", prev_hash)
        recomputed = entry_hash(
            prev_hash,
            id=row.id,
            at=row.at,
            actor=row.actor,
            action=row.action,
            subject=row.subject,
            details=row.details,
        )
        if recomputed != row.hash:
            return ChainCheck(rows, row.id, "content does not match its hash", prev_hash)
        if anchor is not None and row.id == anchor.row and row.hash != anchor.hash:
            return ChainCheck(rows, row.id, "does not match the anchor recorded for it", prev_hash)
        prev_hash = row.hash
        expected_id += 1
    if anchor is not None and anchor.row > rows:
        problem = f"missing: the log ends at row {rows}, rows after it were deleted"
        return ChainCheck(rows, anchor.row, problem, prev_hash)
    return ChainCheck(rows, None, "", prev_hash)
