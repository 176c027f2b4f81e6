"""The notification run: new reports, escalations and deadline reminders, by e-mail.

Run it every few minutes (`streetlight conduct notify`, from cron or a systemd timer): a report
is never held up by a mail server, and a notice that could not be sent goes on the next run.
Each notice is recorded once sent (`conduct_reminders`, by key: "new", "escalated",
"acknowledge:soon", ...), so each goes once; if the mail server fails mid-run, the notices of
that run may go twice (at least once, never lost). Recipients without an address are skipped
(the desk's list still shows everything).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from streetlight.conduct import deadlines, mail
from streetlight.db import audit
from streetlight.db.enums import ConductStatus
from streetlight.db.models import (
    ConductItem,
    ConductKey,
    ConductRecipient,
    ConductReminder,
    ConductReport,
    ConductRouting,
)

DESK_PATH = "/conduct/desk"


@dataclass(frozen=True)
class Outgoing:
    report_id: int
    key: str
    notices: tuple[mail.Notice, ...]


def _routed_to(session: Session, report_id: int) -> list[ConductRecipient]:
    return list(
        session.scalars(
            select(ConductRecipient)
            .join(ConductRouting, ConductRouting.recipient_id == ConductRecipient.id)
            .where(
                ConductRouting.report_id == report_id,
                ConductRouting.receives.is_(True),
                ConductRecipient.active.is_(True),
            )
        )
    )


def _seniors(session: Session, report_id: int) -> list[ConductRecipient]:
    keyed = (
        select(ConductKey.recipient_id)
        .join(ConductItem, ConductItem.id == ConductKey.item_id)
        .where(ConductItem.report_id == report_id)
    )
    return list(
        session.scalars(
            select(ConductRecipient).where(
                ConductRecipient.id.in_(keyed),
                ConductRecipient.senior.is_(True),
                ConductRecipient.active.is_(True),
            )
        )
    )


def _to(recipients: Sequence[ConductRecipient], subject: str, body: str) -> tuple[mail.Notice, ...]:
    return tuple(mail.Notice(r.email, subject, body) for r in recipients if r.email)


def _when(at: datetime) -> str:
    return at.strftime("%d %b %Y %H:%M UTC")


def pending(session: Session, *, now: datetime, base_url: str = "") -> list[Outgoing]:
    """Every notice due now and not yet sent, per report and key."""
    sent: dict[int, set[str]] = {}
    for report_id, key in session.execute(select(ConductReminder.report_id, ConductReminder.key)):
        sent.setdefault(report_id, set()).add(key)
    reports = session.scalars(
        select(ConductReport)
        .where(
            or_(
                ConductReport.status != ConductStatus.CLOSED,
                ConductReport.escalated_at.is_not(None),
            )
        )
        .order_by(ConductReport.id)
    )
    out = []
    escalations: dict[datetime, list[int]] = {}
    for report in reports:
        done = sent.get(report.id, set())
        link = f"{base_url}{DESK_PATH}/{report.id}"
        readers = _routed_to(session, report.id)
        ack, _ = deadlines.deadlines(report.received_at, now)
        if "new" not in done:
            body = (
                f"Conduct report {report.id} has arrived for you ({report.context.value} "
                f"context). Acknowledge it by {_when(ack.due)}.\n\nOpen it: {link}\n"
            )
            out.append(
                Outgoing(report.id, "new", _to(readers, f"Conduct report {report.id}", body))
            )
        if report.escalated_at is not None and "escalated" not in done:
            # Reports escalated together (one stamp) make one notice, on the first of them.
            first = report.escalated_at not in escalations
            escalations.setdefault(report.escalated_at, []).append(report.id)
            notices: tuple[mail.Notice, ...] = ()
            if first:
                body = (
                    f"The case of conduct report {report.id} has escalated to you: independent "
                    "reports about one officer reached the threshold. Its whole history is open "
                    f"to you.\n\nOpen it: {link}\n"
                )
                subject = f"Escalated: conduct report {report.id}"
                notices = _to(_seniors(session, report.id), subject, body)
            out.append(Outgoing(report.id, "escalated", notices))
        if report.status is ConductStatus.CLOSED:
            continue
        handler = [r for r in readers if r.id == report.handler_id] or readers
        for reminder in deadlines.reminders_due(
            report.received_at,
            now,
            done,
            acknowledged=report.acknowledged_at,
            feedback=report.feedback_at,
        ):
            word = "is due" if reminder.state is deadlines.State.SOON else "was due"
            what = (
                "acknowledgement" if reminder.kind == "acknowledge" else "feedback to the reporter"
            )
            body = f"The {what} of conduct report {report.id} {word} by {_when(reminder.due)}.\n\nOpen it: {link}\n"
            subject = f"Deadline: conduct report {report.id}"
            out.append(Outgoing(report.id, reminder.key, _to(handler, subject, body)))
    return out


def run(session: Session, smtp: mail.Smtp, *, now: datetime, base_url: str = "") -> int:
    """Send what is due and record it; returns the number of e-mails sent."""
    due = pending(session, now=now, base_url=base_url)
    count = mail.send(smtp, [n for o in due for n in o.notices])
    for o in due:
        session.add(ConductReminder(report_id=o.report_id, key=o.key, sent_at=now))
    if due:
        audit.append(
            session,
            actor="system",
            action="conduct.notified",
            details={"notices": len(due), "emails": count},
            now=now,
        )
    session.flush()
    return count
