"""Sealed items in the database: writing one for its readers, opening one with a reader's key.

An item's plaintext is a small envelope: a JSON header line (what the item is: the report's
fields, a message, an attachment's media type) then the body bytes. Both are sealed together,
so nothing about the content, not even an attachment's type, is in clear. The associated data
binds the ciphertext to its report and item ("conduct-item:<report>:<item>").
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from streetlight.conduct import crypto
from streetlight.conduct.attachments import Cleaned
from streetlight.db.enums import ConductItemKind
from streetlight.db.models import ConductItem, ConductKey, ConductRecipient


@dataclass(frozen=True)
class Opened:
    """An item as its reader sees it."""

    id: int
    kind: ConductItemKind
    by_reporter: bool
    author_id: int | None
    created_at: datetime
    header: Mapping[str, Any]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def _bound(report_id: int, item_id: int) -> bytes:
    return f"conduct-item:{report_id}:{item_id}".encode()


def envelope(header: Mapping[str, Any], body: bytes) -> bytes:
    return json.dumps(header, separators=(",", ":")).encode() + b"\n" + body


def _unpack(plain: bytes) -> tuple[dict[str, Any], bytes]:
    head, _, body = plain.partition(b"\n")
    return json.loads(head), body


def seal_item(
    session: Session,
    report_id: int,
    kind: ConductItemKind,
    header: Mapping[str, Any],
    body: bytes,
    *,
    readers: Iterable[ConductRecipient],
    reporter: bytes | None,
    by_reporter: bool,
    author_id: int | None = None,
    now: datetime,
) -> ConductItem:
    """Store one sealed item with its key wrapped for each reader, and for the reporter's
    public key when given (never for a handler's note)."""
    if kind is ConductItemKind.NOTE and reporter is not None:
        raise ValueError("a handler's note is never wrapped for the reporter")
    item = ConductItem(
        report_id=report_id,
        kind=kind,
        by_reporter=by_reporter,
        author_id=author_id,
        created_at=now,
        size=len(body),
        sealed=b"",
    )
    session.add(item)
    session.flush()
    key, bound = crypto.new_key(), _bound(report_id, item.id)
    item.sealed = crypto.seal(key, envelope(header, body), bound)
    for reader in readers:
        wrapped = crypto.wrap_for(reader.public_key, key, bound)
        session.add(ConductKey(item_id=item.id, recipient_id=reader.id, wrapped=wrapped))
    if reporter is not None:
        wrapped = crypto.wrap_for(reporter, key, bound)
        session.add(ConductKey(item_id=item.id, recipient_id=None, wrapped=wrapped))
    session.flush()
    return item


def seal_attachments(
    session: Session,
    report_id: int,
    files: Iterable[Cleaned],
    *,
    readers: Iterable[ConductRecipient],
    reporter: bytes,
    now: datetime,
) -> None:
    """A reporter's attachments, each its own item, named by their order ("attachment 1"),
    never by the phone's file name; the type and whether metadata went are sealed with them."""
    readers = list(readers)
    for n, cleaned in enumerate(files, start=1):
        header = {
            "type": cleaned.kind.value,
            "name": f"attachment {n}",
            "stripped": cleaned.stripped,
        }
        seal_item(
            session,
            report_id,
            ConductItemKind.ATTACHMENT,
            header,
            cleaned.data,
            readers=readers,
            reporter=reporter,
            by_reporter=True,
            now=now,
        )


def attachment(items: Iterable[Opened], wanted: object) -> Opened | None:
    """The attachment among opened `items` whose id is `wanted` (as a form sends it)."""
    for item in items:
        if str(item.id) == wanted and item.kind is ConductItemKind.ATTACHMENT:
            return item
    return None


def _open(item: ConductItem, key: bytes) -> Opened:
    header, body = _unpack(crypto.unseal(key, item.sealed, _bound(item.report_id, item.id)))
    return Opened(
        item.id, item.kind, item.by_reporter, item.author_id, item.created_at, header, body
    )


def open_items(
    session: Session, report_id: int, recipient_id: int | None, private_key: X25519PrivateKey
) -> list[Opened]:
    """Every item of the report wrapped for this recipient (None: for the reporter, with the
    key their receipt derives), oldest first."""
    reader = (
        ConductKey.recipient_id.is_(None)
        if recipient_id is None
        else ConductKey.recipient_id == recipient_id
    )
    rows = session.execute(
        select(ConductItem, ConductKey.wrapped)
        .join(ConductKey, ConductKey.item_id == ConductItem.id)
        .where(ConductItem.report_id == report_id, reader)
        .order_by(ConductItem.created_at, ConductItem.id)
    ).all()
    return [
        _open(item, crypto.unwrap(private_key, wrapped, _bound(report_id, item.id)))
        for item, wrapped in rows
    ]


def readers_of(session: Session, report_id: int) -> list[ConductRecipient]:
    """The recipients holding the report's first item's key: who every later item is sealed
    for too (the report's readers are fixed at routing and escalation)."""
    first = (
        select(ConductItem.id)
        .where(ConductItem.report_id == report_id)
        .order_by(ConductItem.id)
        .limit(1)
        .scalar_subquery()
    )
    return list(
        session.scalars(
            select(ConductRecipient)
            .join(ConductKey, ConductKey.recipient_id == ConductRecipient.id)
            .where(ConductKey.item_id == first)
            .order_by(ConductRecipient.id)
        )
    )
