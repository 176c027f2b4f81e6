"""The reporter's side: come back with the receipt, read the replies, answer and add more.

A wrong code, a malformed one and a code of a deleted report all get the same answer
(`ReceiptNotFoundError`, one message), so an answer tells a guesser nothing. The code opens the
report through the key pair it derives (`crypto.reporter_key`); handlers' notes are never
wrapped for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from streetlight.conduct import crypto, sealing
from streetlight.conduct.intake import TEXT_CHARS, ConductRejectedError, cleaned_files
from streetlight.db import audit, ratelimit
from streetlight.db.enums import ConductItemKind, ConductStatus
from streetlight.db.models import ConductReport
from streetlight.errors import ConductError


class ReceiptNotFoundError(ConductError, LookupError):
    """No report for this receipt: the one answer for every kind of wrong code."""

    def __init__(self) -> None:
        super().__init__("no report has this receipt code")


@dataclass(frozen=True)
class ReporterView:
    report_id: int
    status: ConductStatus
    received_at: datetime
    items: tuple[sealing.Opened, ...]


class ReceiptLimitedError(ConductError):
    """Too many unknown codes from this client: try again later."""

    def __init__(self) -> None:
        super().__init__("too many codes have been tried from here: try again in an hour")


# Failed look-ups per client per hour: a person mistyping is fine; a guesser, with 100-bit
# codes, had no chance anyway, and is stopped from loading the server.
FAILED_LOOKUPS = ratelimit.Limit(
    "conduct.receipt", 20, timedelta(hours=1), resolution=timedelta(minutes=10)
)


def _find(
    session: Session, code: str, now: datetime, client: str | None
) -> tuple[ConductReport, X25519PrivateKey]:
    if client is not None and ratelimit.is_limited(session, FAILED_LOOKUPS, client, now):
        raise ReceiptLimitedError
    report = session.scalar(
        select(ConductReport).where(ConductReport.receipt_lookup == crypto.lookup_hash(code))
    )
    if report is None:
        if client is not None:
            ratelimit.record_hit(session, FAILED_LOOKUPS, client, now)
        raise ReceiptNotFoundError
    return report, crypto.reporter_key(code, report.receipt_salt)


def open_by_receipt(
    session: Session, code: str, *, now: datetime, client: str | None = None
) -> ReporterView:
    """The report and its conversation for the reporter (raises `ReceiptNotFoundError`, or
    `ReceiptLimitedError` when `client` has tried too many wrong codes)."""
    report, key = _find(session, code, now, client)
    items = sealing.open_items(session, report.id, None, key)
    audit.append(
        session,
        actor="public",
        action="conduct.reporter_read",
        subject=f"conduct:{report.id}",
        now=now,
    )
    return ReporterView(report.id, report.status, report.received_at, tuple(items))


def add(
    session: Session,
    code: str,
    text: str,
    files: Sequence[bytes] = (),
    *,
    now: datetime,
    client: str | None = None,
) -> int:
    """The reporter answers or adds information (text and attachments), sealed for the report's
    readers and for the reporter; a report waiting for them goes back to being investigated.
    Returns the report's id."""
    if not text.strip() and not files:
        raise ConductRejectedError("text", "write something or attach a file")
    if len(text) > TEXT_CHARS:
        raise ConductRejectedError("text", f"at most {TEXT_CHARS} characters")
    cleaned = cleaned_files(files)
    report, _ = _find(session, code, now, client)
    readers = sealing.readers_of(session, report.id)
    if text.strip():
        sealing.seal_item(
            session,
            report.id,
            ConductItemKind.MESSAGE,
            {},
            text.encode(),
            readers=readers,
            reporter=report.reporter_key,
            by_reporter=True,
            now=now,
        )
    sealing.seal_attachments(
        session, report.id, cleaned, readers=readers, reporter=report.reporter_key, now=now
    )
    if report.status is ConductStatus.WAITING_FOR_REPORTER:
        report.status = ConductStatus.INVESTIGATING
    audit.append(
        session,
        actor="public",
        action="conduct.reporter_added",
        subject=f"conduct:{report.id}",
        details={"attachments": len(cleaned)},
        now=now,
    )
    return report.id
