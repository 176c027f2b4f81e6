"""The attack that traced reports to their senders' addresses, mounted on a copy of the database
(SQLite and PostgreSQL): a day of reports from known addresses, then every join the copy offers
(a report's audit time to a rate-limit hit at that time or the step after it, the hit's key to a
known address under the copy's salt, the report's duplicate hash to its content and an address).

It must find nothing from the copy alone (during the day or after), nor from the copy and the
server's secret once the day has ended. With the secret during the day it finds them: what the
running server itself can do, and the proof that the attack below is sound.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db import ratelimit
from streetlight.db.engine import make_engine
from streetlight.db.models import AuditEntry, PublicReport, RateLimitHit, RateLimitSalt
from streetlight.reports.submission import Receipt
from tests.reports.sending import NOW, TODAY, Submit, pinned

SECRET = b"the server's secret, as an insider or a thief might hold it"
ADDRESSES = [f"203.0.113.{n}" for n in range(10, 20)]
# Everyone the attacker suspects: the senders among many others.
SUSPECTS = [f"203.0.113.{n}" for n in range(256)] + [f"198.51.100.{n}" for n in range(256)]
SUBMIT_SCOPE = "report.submit"


@dataclass(frozen=True)
class Copy:
    """What a copy of the database shows the attacker."""

    salts: list[bytes]
    hits: list[tuple[str, str, datetime]]  # scope, key, at
    submitted: dict[int, datetime]  # report id -> the time of its audit row
    dedupes: list[str | None]


def _copy(sessions: sessionmaker[Session]) -> Copy:
    with sessions() as session:
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "report.submitted"))
        return Copy(
            salts=list(session.scalars(select(RateLimitSalt.salt))),
            hits=[(h.scope, h.key_hash, h.at) for h in session.scalars(select(RateLimitHit))],
            submitted={int(row.subject.split(":")[1]): row.at for row in audit},
            dedupes=list(session.scalars(select(PublicReport.dedupe_hash))),
        )


def _candidate_keys(copy: Copy, url: str, secret: bytes | None) -> dict[str, str]:
    """Every key a suspect's submission could have been stored under: as the old code made it
    (`sha256(salt + scope + address)`), and with the secret, as the server's own code makes it."""
    keys: dict[str, str] = {}
    engine = make_engine(url)
    if secret is not None:
        ratelimit.bind_secret(engine, secret)
    try:
        with Session(engine) as session:
            for salt in copy.salts:
                for address in SUSPECTS:
                    plain = salt + SUBMIT_SCOPE.encode() + b"\x00" + address.encode()
                    keys[hashlib.sha256(plain).hexdigest()] = address
                    if secret is not None:
                        keys[ratelimit.key_hash(session, SUBMIT_SCOPE, address, NOW, salt)] = (
                            address
                        )
    finally:
        engine.dispose()
    return keys


def trace(copy: Copy, url: str, secret: bytes | None = None) -> dict[int, str]:
    """Report id -> the address the attacker attributes it to: the suspect whose key is on the
    hit stored at the report's audit time, or else at the first time after it."""
    keys = _candidate_keys(copy, url, secret)
    submits = sorted((at, key) for scope, key, at in copy.hits if scope == SUBMIT_SCOPE)
    traced: dict[int, str] = {}
    for report_id, at in copy.submitted.items():
        after = [key for hit_at, key in submits if hit_at >= at and key in keys]
        if after:
            traced[report_id] = keys[after[0]]
    return traced


def _sender_keys_in_dedupes(copy: Copy) -> bool:
    """Whether any stored duplicate hash could still mix in an address (any value at all)."""
    return any(dedupe is not None for dedupe in copy.dedupes)


@pytest.fixture
def day_of_reports(sessions: sessionmaker[Session], send: Submit) -> dict[int, str]:
    """Ten reports, each from its own known address at its own time of the day, through an
    engine keyed with the server's secret (as the app keys it)."""
    ratelimit.bind_secret(sessions.kw["bind"], SECRET)
    sent: dict[int, str] = {}
    for n, address in enumerate(ADDRESSES):
        when = NOW - timedelta(hours=9) + timedelta(minutes=47 * n, seconds=13)
        receipt: Receipt = send(
            pinned(occurred_on=TODAY - timedelta(days=n + 1)), client=address, now=when
        )
        sent[receipt.report_id] = address
    return sent


def test_a_copy_of_the_database_alone_traces_no_report(
    sessions: sessionmaker[Session], database_url: str, day_of_reports: dict[int, str]
) -> None:
    copy = _copy(sessions)
    assert len(copy.submitted) == len(ADDRESSES) and copy.salts  # the day is all there
    assert trace(copy, database_url) == {}
    assert not _sender_keys_in_dedupes(copy)
    # No hit is stored at the instant of a report: the times do not join either.
    assert not {at for _, _, at in copy.hits} & set(copy.submitted.values())


def test_the_copy_and_the_secret_trace_no_report_once_the_day_has_ended(
    sessions: sessionmaker[Session],
    database_url: str,
    send: Submit,
    day_of_reports: dict[int, str],
) -> None:
    send(pinned(), client="192.0.2.200", now=NOW + timedelta(days=1))  # the next day begins
    copy = _copy(sessions)
    assert trace(copy, database_url, SECRET) == {}


def test_the_attack_is_sound_while_the_day_lasts(
    sessions: sessionmaker[Session], database_url: str, day_of_reports: dict[int, str]
) -> None:
    """The running server (the secret and today's salt) can still tell a client's key: that is
    how it limits it. The attack above, given the same, finds every sender."""
    assert trace(_copy(sessions), database_url, SECRET) == day_of_reports
