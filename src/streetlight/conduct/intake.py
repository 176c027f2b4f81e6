"""Taking a conduct report in: check it, find the officer, route it, seal it, give a receipt.

It works in the caller's session and transaction (the web layer commits: all or nothing) and
takes `now` (aware, UTC). The officer is found from what the reporter gave: a warrant number, a
shoulder number, or the reference of a check they made on /verify (the token of that check,
which only they hold); otherwise the report describes someone and a handler may link it later.
Officers the report names besides (a colleague who looked away, a sergeant told) are kept from
receiving it, as the officer reported is.

Readers are fixed here: the recipients routing chose, and the senior recipients who would
receive the case if it escalates (so that escalation needs nobody's cooperation; they may open
it only once it has). The report's text, the numbers as typed and the description are sealed;
in clear stay the officer's id (routing and joining up need it), the contexts and the dates.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from streetlight.conduct import attachments, crypto, joinup, routing, sealing
from streetlight.db import audit, ratelimit
from streetlight.db.enums import ConductContext, ConductItemKind
from streetlight.db.models import (
    ConductRecipient,
    ConductReport,
    ConductRouting,
    Officer,
    OfficerLineManager,
    StaffUser,
    Verification,
)
from streetlight.errors import ConductError
from streetlight.verify.service import clean_warrant, token_hash

RECEIPT_CHARS = 20  # 100 bits
TEXT_CHARS = 8000
SHORT_CHARS = 300
MAX_NAMED = 5
# Kept six years after it closes or, unhandled, after it arrived (the force's retention
# schedule for misconduct records is the authority; the default is a conservative stand-in).
KEEP_FOR = timedelta(days=6 * 366)
# Per client: enough for someone reporting and adding to it, too few to flood the desk.
SUBMISSIONS = ratelimit.Limit(
    "conduct.submit", 10, timedelta(hours=1), resolution=timedelta(minutes=10)
)


class ConductRejectedError(ConductError, ValueError):
    """A report that cannot be taken as sent: `field` says which part, the message why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class NewReport:
    """What the reporter sent. `origin` is public or staff (a staff member reports without
    signing in: nothing else tells the two apart)."""

    origin: ConductContext
    what: str
    when: str = ""
    where: str = ""
    warrant: str = ""
    shoulder: str = ""
    verification: str = ""
    description: str = ""
    named: Sequence[str] = ()
    files: Sequence[bytes] = field(default_factory=tuple)


@dataclass(frozen=True)
class Submitted:
    """`receipt` is shown to the reporter once and stored nowhere."""

    report_id: int
    receipt: str
    context: ConductContext
    readers: int
    escalated: bool


def _checked(new: NewReport) -> list[attachments.Cleaned]:
    if new.origin is ConductContext.OVERSIGHT:
        raise ConductRejectedError("origin", "a report comes from the public or from staff")
    if not new.what.strip():
        raise ConductRejectedError("what", "say what happened")
    if len(new.what) > TEXT_CHARS:
        raise ConductRejectedError("what", f"at most {TEXT_CHARS} characters")
    for name in ("when", "where", "warrant", "shoulder", "verification", "description"):
        if len(getattr(new, name)) > SHORT_CHARS:
            raise ConductRejectedError(name, f"at most {SHORT_CHARS} characters")
    if len(new.named) > MAX_NAMED:
        raise ConductRejectedError("named", f"at most {MAX_NAMED} other officers")
    return cleaned_files(new.files)


def cleaned_files(files: Sequence[bytes]) -> list[attachments.Cleaned]:
    """A reporter's files checked and stripped, or the refusal of the "files" field."""
    try:
        return attachments.clean_all(list(files))
    except attachments.AttachmentError as error:
        raise ConductRejectedError("files", str(error)) from error


def officer_by_warrant(session: Session, warrant: str) -> int | None:
    """The officer with this warrant number, typed as people type it."""
    return session.scalar(
        select(Officer.id).where(Officer.warrant_number == clean_warrant(warrant))
    )


def _officer_by_number(session: Session, warrant: str, shoulder: str) -> int | None:
    if warrant.strip():
        found = officer_by_warrant(session, warrant)
        if found is not None:
            return found
    if shoulder.strip():
        # A shoulder number names one officer only where it is unique in the force.
        ids = session.scalars(
            select(Officer.id).where(Officer.shoulder_number == shoulder.strip().upper())
        ).all()
        if len(ids) == 1:
            return ids[0]
    return None


def _subject(session: Session, new: NewReport) -> int | None:
    found = _officer_by_number(session, new.warrant, new.shoulder)
    if found is None and new.verification.strip():
        token = new.verification.strip().rsplit("/", 1)[-1].split("?", 1)[0]
        found = session.scalar(
            select(Verification.officer_id).where(Verification.token_hash == token_hash(token))
        )
    return found


def _recipients(session: Session) -> list[tuple[ConductRecipient, routing.Recipient]]:
    rows = session.execute(
        select(ConductRecipient, StaffUser.officer_id, StaffUser.display_name)
        .join(StaffUser, StaffUser.id == ConductRecipient.staff_user_id)
        .where(ConductRecipient.active.is_(True), StaffUser.active.is_(True))
        .order_by(ConductRecipient.id)
    ).all()
    return [
        (row, routing.Recipient(row.id, name, row.context, officer=officer))
        for row, officer, name in rows
    ]


def managers(session: Session) -> dict[int, int | None]:
    """Each managed officer's line manager, as routing reads the line of command."""
    pairs = session.execute(select(OfficerLineManager.officer_id, OfficerLineManager.manager_id))
    return {officer: manager for officer, manager in pairs}


def _route(
    session: Session, context: ConductContext, subject: int | None, named_officers: list[int]
) -> tuple[routing.Routing, routing.Routing, dict[int, ConductRecipient]]:
    everyone = _recipients(session)
    rows = {plain.id: row for row, plain in everyone}
    named = [p.id for _, p in everyone if p.officer is not None and p.officer in named_officers]
    chain = managers(session)
    subjects = [subject] if subject is not None else []
    handlers = [p for row, p in everyone if not row.senior]
    chosen = routing.route(context, handlers, subjects=subjects, manager=chain, named=named)
    seniors = [p for row, p in everyone if row.senior]
    senior = routing.route(
        chosen.context,
        [s for s in seniors if s.context == chosen.context],
        subjects=subjects,
        manager=chain,
        named=named,
    )
    if senior.unrouted:
        overseers = [s for s in seniors if s.context is ConductContext.OVERSIGHT]
        senior = routing.route(
            ConductContext.OVERSIGHT, overseers, subjects=subjects, manager=chain, named=named
        )
    return chosen, senior, rows


def _claim(session: Session, client: str, limit: ratelimit.Limit, now: datetime) -> None:
    """Count this submission against the client's allowance (keyed, salted by the day, stamped
    coarsely: `streetlight.db.ratelimit`), or refuse it."""
    salt = ratelimit.day_salt(session, now)
    (sent,) = ratelimit.locked_counts(session, [(limit, client)], now, salt)
    if sent >= limit.max_hits:
        raise ConductRejectedError("", "too many reports from here for now: try again later")
    ratelimit.add_hits(session, [(limit, client)], now, salt)


def submit(
    session: Session,
    new: NewReport,
    *,
    now: datetime,
    client: str | None = None,
    limit: ratelimit.Limit = SUBMISSIONS,
) -> Submitted:
    """Store a report for its readers and return its receipt (raises `ConductRejectedError`).
    `client` (an address, from the web) is counted against `limit`, never stored as such."""
    files = _checked(new)
    if client is not None:
        _claim(session, client, limit, now)
    subject = _subject(session, new)
    named_officers = [
        o for o in (_officer_by_number(session, n, n) for n in new.named) if o is not None
    ]
    chosen, senior, rows = _route(session, new.origin, subject, named_officers)
    code, salt = crypto.new_code(RECEIPT_CHARS), secrets.token_bytes(crypto.SALT_BYTES)
    reporter = crypto.public_bytes(crypto.reporter_key(code, salt))
    report = ConductReport(
        origin=new.origin,
        context=chosen.context,
        receipt_lookup=crypto.lookup_hash(code),
        receipt_salt=salt,
        reporter_key=reporter,
        officer_id=subject,
        unrouted=chosen.unrouted,
        received_at=now,
        delete_after=(now + KEEP_FOR).date(),
    )
    session.add(report)
    session.flush()
    for decision in chosen.decisions:
        session.add(
            ConductRouting(
                report_id=report.id,
                recipient_id=decision.recipient.id,
                receives=decision.receives,
                reason=decision.reason,
            )
        )
    for decision in senior.decisions:
        reason = (
            "senior recipient: opens the case if it escalates"
            if decision.receives
            else decision.reason
        )
        session.add(
            ConductRouting(
                report_id=report.id,
                recipient_id=decision.recipient.id,
                receives=False,
                reason=reason,
            )
        )
    readers = [rows[r.id] for r in (*chosen.recipients, *senior.recipients)]
    header = {
        "what": new.what,
        "when": new.when,
        "where": new.where,
        "warrant": new.warrant,
        "shoulder": new.shoulder,
        "verification": bool(new.verification.strip()),
        "description": new.description,
        "named": list(new.named),
    }
    sealing.seal_item(
        session,
        report.id,
        ConductItemKind.REPORT,
        header,
        new.what.encode(),
        readers=readers,
        reporter=reporter,
        by_reporter=True,
        now=now,
    )
    sealing.seal_attachments(session, report.id, files, readers=readers, reporter=reporter, now=now)
    audit.append(
        session,
        actor="public",
        action="conduct.submitted",
        subject=f"conduct:{report.id}",
        details={
            "context": chosen.context.value,
            "attachments": len(files),
            "unrouted": chosen.unrouted,
        },
        now=now,
    )
    escalated = joinup.escalate(session, report.id, now=now)
    return Submitted(report.id, code, chosen.context, len(readers), escalated)
