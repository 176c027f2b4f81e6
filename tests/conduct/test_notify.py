"""Notifications go through a real SMTP server (aiosmtpd on this machine), once each, and carry
no content of any report."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope
from aiosmtpd.smtp import Session as SmtpSession
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from streetlight.conduct import handling, intake, mail, notify
from streetlight.conduct.intake import NewReport
from streetlight.db.enums import ConductContext, ConductStatus
from streetlight.db.models import ConductRecipient
from tests.conduct.force import NOW, build

WHAT = "He followed me off the night bus and showed a warrant card."


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: SMTP, session: SmtpSession, envelope: Envelope) -> str:  # noqa: N802
        assert isinstance(envelope.content, bytes)
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[mail.Smtp, Inbox]]:
    inbox = Inbox()
    with socket.socket() as probe:  # a free port (aiosmtpd cannot start on port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mail.Smtp("127.0.0.1", port, starttls=False), inbox
    finally:
        controller.stop()


def _addresses(session: Session) -> None:
    for row in session.scalars(select(ConductRecipient)):
        row.email = f"r{row.id}@force.example"


def test_new_reports_deadlines_and_escalations_are_sent_once_without_content(
    sessions: sessionmaker[Session], smtp: tuple[mail.Smtp, Inbox]
) -> None:
    server, inbox = smtp
    with sessions.begin() as session:
        force = build(session)
        _addresses(session)
        first = intake.submit(
            session, NewReport(ConductContext.PUBLIC, WHAT, warrant="PC101"), now=NOW
        )
        assert notify.run(session, server, now=NOW) == 2  # the public desk and the civilian
        assert notify.run(session, server, now=NOW) == 0  # once only
        six_days = NOW + timedelta(days=6)
        assert notify.run(session, server, now=six_days) == 2  # acknowledgement due soon
        handling.set_status(
            session,
            force.recipients["public-desk"],
            first.report_id,
            ConductStatus.ACKNOWLEDGED,
            now=six_days,
        )
        assert notify.run(session, server, now=NOW + timedelta(days=8)) == 0  # met: no overdue
        intake.submit(
            session,
            NewReport(ConductContext.PUBLIC, "Again, by the station.", warrant="PC101"),
            now=NOW + timedelta(days=9),
        )
        sent = notify.run(session, server, now=NOW + timedelta(days=9))
    subjects = [m["Subject"] for m in inbox.messages]
    assert subjects.count(f"Escalated: conduct report {first.report_id}") == 1
    assert sent == 2 + 1  # the new report to its two readers, the case's escalation to the senior
    for message in inbox.messages:
        body = message.get_payload()
        assert isinstance(body, str)
        for secret in ("warrant card", "station", "PC101", "Dan Vale"):
            assert secret not in body and secret not in message["Subject"]
    assert {m["To"] for m in inbox.messages if m["Subject"].startswith("Escalated")} == {
        f"r{force.recipients['senior'].id}@force.example"
    }


def test_a_mail_server_down_keeps_the_notices_for_the_next_run(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        build(session)
        _addresses(session)
        intake.submit(session, NewReport(ConductContext.PUBLIC, WHAT), now=NOW)
        closed = mail.Smtp("127.0.0.1", 9, starttls=False, timeout=2)
        with pytest.raises(OSError):
            notify.run(session, closed, now=NOW)
        assert [o.key for o in notify.pending(session, now=NOW)] == ["new"]
