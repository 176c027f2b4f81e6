"""Sending notifications by e-mail, through the force's own SMTP server.

A notification says that something needs doing and where (a report's number, a deadline): never
a word of a report, an officer's name or a reporter's anything, since e-mail leaves the
encrypted store. Messages are plain text in English (staff are its readers).
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage


@dataclass(frozen=True)
class Smtp:
    """Where to send: host and port, STARTTLS (on by default: off only for a server on this
    machine, as in the tests), an optional login and the sender address."""

    host: str
    port: int = 587
    sender: str = "streetlight@localhost"
    starttls: bool = True
    username: str | None = None
    password: str | None = None
    timeout: float = 30.0


@dataclass(frozen=True)
class Notice:
    to: str
    subject: str
    body: str


def send(smtp: Smtp, notices: list[Notice]) -> int:
    """Send every notice over one connection; returns how many went. A failure raises
    (`smtplib.SMTPException` or `OSError`) so the caller keeps them for the next run."""
    if not notices:
        return 0
    with smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout) as server:
        if smtp.starttls:
            server.starttls(context=ssl.create_default_context())
        if smtp.username:
            server.login(smtp.username, smtp.password or "")
        for notice in notices:
            message = EmailMessage()
            message["From"] = smtp.sender
            message["To"] = notice.to
            message["Subject"] = notice.subject
            message.set_content(notice.body)
            server.send_message(message)
    return len(notices)
