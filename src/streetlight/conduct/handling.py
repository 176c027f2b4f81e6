"""The recipients' side: their list, opening a report, replying, notes, status, links.

Who may open a report is decided by routing and kept in `conduct_routing`: a recipient it went
to, or a senior recipient once its case has escalated. Anyone else is refused, and the refusal is
in the audit log (a recipient trying reports not theirs is what the log is for). Opening needs
the recipient's private key as well: the database alone never suffices. Audit entries name the
report and the action, never content.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from sqlalchemy import ColumnElement, and_, exists, or_, select
from sqlalchemy.orm import Session

from streetlight.conduct import deadlines, joinup, sealing
from streetlight.conduct.intake import KEEP_FOR, TEXT_CHARS, ConductRejectedError
from streetlight.conduct.keys import actor_of
from streetlight.db import audit
from streetlight.db.enums import ConductContext, ConductItemKind, ConductStatus
from streetlight.db.models import (
    ConductItem,
    ConductKey,
    ConductLink,
    ConductRecipient,
    ConductReport,
    ConductRouting,
    Officer,
)
from streetlight.errors import ConductError

PAGE = 100


def _audit(
    session: Session,
    recipient: ConductRecipient,
    verb: str,
    report_id: int,
    details: dict[str, audit.JSONValue] | None = None,
    *,
    now: datetime,
) -> None:
    """`conduct.<verb>` on report `report_id` by the recipient; `details` never hold content."""
    audit.append(
        session,
        actor=actor_of(session, recipient),
        action=f"conduct.{verb}",
        subject=f"conduct:{report_id}",
        details=details,
        now=now,
    )


class NotARecipientError(ConductError, PermissionError):
    """This recipient may not open this report (or it does not exist: the same answer)."""

    def __init__(self) -> None:
        super().__init__("this report is not one you receive")


@dataclass(frozen=True)
class InboxRow:
    """A report as the list shows it: no content, only what handling needs."""

    report_id: int
    context: ConductContext
    status: ConductStatus
    received_at: datetime
    officer: str | None  # the warrant number of the officer concerned, when known
    escalated: bool
    acknowledge: deadlines.Deadline
    feedback: deadlines.Deadline


def _readable(recipient: ConductRecipient) -> ColumnElement[bool]:
    """SQL: the reports this recipient may open."""
    routed = exists().where(
        ConductRouting.report_id == ConductReport.id,
        ConductRouting.recipient_id == recipient.id,
        ConductRouting.receives.is_(True),
    )
    if not recipient.senior:
        return routed
    keyed = exists().where(
        ConductItem.report_id == ConductReport.id,
        ConductKey.item_id == ConductItem.id,
        ConductKey.recipient_id == recipient.id,
    )
    return or_(routed, and_(ConductReport.escalated_at.is_not(None), keyed))


def inbox(
    session: Session, recipient: ConductRecipient, *, now: datetime, offset: int = 0
) -> list[InboxRow]:
    """The recipient's reports, newest first, a page at a time."""
    rows = session.execute(
        select(ConductReport, Officer.warrant_number)
        .outerjoin(Officer, Officer.id == ConductReport.officer_id)
        .where(_readable(recipient))
        .order_by(ConductReport.received_at.desc(), ConductReport.id.desc())
        .offset(offset)
        .limit(PAGE)
    ).all()
    out = []
    for report, warrant in rows:
        ack, feedback = deadlines.deadlines(
            report.received_at,
            now,
            acknowledged=report.acknowledged_at,
            feedback=report.feedback_at,
        )
        out.append(
            InboxRow(
                report.id,
                report.context,
                report.status,
                report.received_at,
                warrant,
                report.escalated_at is not None,
                ack,
                feedback,
            )
        )
    return out


@dataclass(frozen=True)
class Routed:
    recipient_id: int
    receives: bool
    reason: str


@dataclass(frozen=True)
class CaseView:
    """An opened report: its items, why each recipient did or did not receive it, and the other
    reports of its case (ids and dates: opening each is its own audited act)."""

    report: ConductReport
    items: tuple[sealing.Opened, ...]
    routing: tuple[Routed, ...]
    case: tuple[int, ...]


def _report_for(
    session: Session, recipient: ConductRecipient, report_id: int, *, now: datetime, verb: str
) -> ConductReport:
    report = session.scalar(
        select(ConductReport).where(ConductReport.id == report_id, _readable(recipient))
    )
    if report is None:
        _audit(session, recipient, "refused", report_id, {"tried": verb}, now=now)
        raise NotARecipientError
    return report


def open_report(
    session: Session,
    recipient: ConductRecipient,
    private_key: X25519PrivateKey,
    report_id: int,
    *,
    now: datetime,
) -> CaseView:
    report = _report_for(session, recipient, report_id, now=now, verb="open")
    items = sealing.open_items(session, report.id, recipient.id, private_key)
    routed = session.execute(
        select(ConductRouting.recipient_id, ConductRouting.receives, ConductRouting.reason)
        .where(ConductRouting.report_id == report.id)
        .order_by(ConductRouting.recipient_id)
    ).all()
    case = joinup.case_of(session, report.id).reports
    _audit(session, recipient, "opened", report.id, now=now)
    return CaseView(report, tuple(items), tuple(Routed(*r) for r in routed), case)


def _write(
    session: Session,
    recipient: ConductRecipient,
    report_id: int,
    text: str,
    kind: ConductItemKind,
    *,
    now: datetime,
) -> ConductReport:
    if not text.strip():
        raise ConductRejectedError("text", "write something")
    if len(text) > TEXT_CHARS:
        raise ConductRejectedError("text", f"at most {TEXT_CHARS} characters")
    report = _report_for(session, recipient, report_id, now=now, verb=kind.value)
    reporter = report.reporter_key if kind is ConductItemKind.MESSAGE else None
    sealing.seal_item(
        session,
        report.id,
        kind,
        {},
        text.encode(),
        readers=sealing.readers_of(session, report.id),
        reporter=reporter,
        by_reporter=False,
        author_id=recipient.id,
        now=now,
    )
    return report


def reply(
    session: Session,
    recipient: ConductRecipient,
    report_id: int,
    text: str,
    *,
    now: datetime,
    question: bool = False,
) -> None:
    """A message to the reporter (feedback, or a `question` that waits for their answer)."""
    report = _write(session, recipient, report_id, text, ConductItemKind.MESSAGE, now=now)
    report.feedback_at = report.feedback_at or now
    if report.acknowledged_at is None:
        report.acknowledged_at = now
    if question:
        report.status = ConductStatus.WAITING_FOR_REPORTER
    elif report.status in (ConductStatus.RECEIVED, ConductStatus.ACKNOWLEDGED):
        report.status = ConductStatus.INVESTIGATING
    _audit(session, recipient, "replied", report.id, {"question": question}, now=now)


def note(
    session: Session, recipient: ConductRecipient, report_id: int, text: str, *, now: datetime
) -> None:
    """An internal note: sealed for the report's readers, never for the reporter."""
    report = _write(session, recipient, report_id, text, ConductItemKind.NOTE, now=now)
    _audit(session, recipient, "noted", report.id, now=now)


def set_status(
    session: Session,
    recipient: ConductRecipient,
    report_id: int,
    status: ConductStatus,
    *,
    now: datetime,
) -> None:
    report = _report_for(session, recipient, report_id, now=now, verb="status")
    before = report.status
    report.status = status
    if status is not ConductStatus.RECEIVED and report.acknowledged_at is None:
        report.acknowledged_at = now
    if status is ConductStatus.CLOSED:
        report.closed_at = now
        report.delete_after = max(report.delete_after, (now + KEEP_FOR).date())
    report.handler_id = report.handler_id or recipient.id
    _audit(
        session, recipient, "status", report.id, {"from": before.value, "to": status.value}, now=now
    )


def assign(
    session: Session,
    recipient: ConductRecipient,
    report_id: int,
    handler_id: int,
    *,
    now: datetime,
) -> None:
    """Make `handler_id` (a recipient who may open the report) its handler: the one deadline
    reminders go to."""
    report = _report_for(session, recipient, report_id, now=now, verb="assign")
    handler = session.get(ConductRecipient, handler_id)
    if handler is None or not handler.active:
        raise ConductRejectedError("handler", "choose a recipient of this report")
    readable = session.scalar(
        select(ConductReport.id).where(ConductReport.id == report.id, _readable(handler))
    )
    if readable is None:
        raise ConductRejectedError("handler", "choose a recipient of this report")
    report.handler_id = handler.id
    _audit(session, recipient, "assigned", report.id, {"handler": handler.id}, now=now)


def link(
    session: Session,
    recipient: ConductRecipient,
    report_id: int,
    other_id: int,
    *,
    now: datetime,
    same_source: bool = False,
) -> bool:
    """Join two reports the recipient may both open (the same officer, recognised); with
    `same_source`, mark them as from one person (they then count once towards escalation).
    Returns True when the link escalated the case."""
    first = _report_for(session, recipient, min(report_id, other_id), now=now, verb="link")
    if report_id == other_id:
        raise ConductRejectedError("other", "a report cannot be linked to itself")
    second = _report_for(session, recipient, max(report_id, other_id), now=now, verb="link")
    if session.get(ConductLink, (first.id, second.id)) is None:
        session.add(
            ConductLink(
                report_id=first.id, other_id=second.id, linked_by_id=recipient.id, linked_at=now
            )
        )
    if same_source:
        second.same_source_as_id = first.same_source_as_id or first.id
    session.flush()
    _audit(
        session,
        recipient,
        "linked",
        first.id,
        {"other": second.id, "same_source": same_source},
        now=now,
    )
    return joinup.escalate(session, first.id, now=now)
