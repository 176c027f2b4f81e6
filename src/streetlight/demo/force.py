"""A demo force in the embedded database, so a newcomer can walk through the three journeys of
on-the-spot verification (officer app, public check, control-room console).

Officers in Middlesbrough town centre: a lone plain-clothes detective (DC2207: her engagements
get uniformed backup), two plain-clothes colleagues together (DC2311 and DC2312: no backup), two
uniformed response officers on duty with fresh positions, one officer off duty and one suspended
(for the "cannot confirm" answers); an operator, a supervisor and an analyst; and an offender
unit (`streetlight.demo.unit`: two unit officers with caseloads of synthetic people, a unit
supervisor and an auditor). Passwords are random, made on
the first run and kept in `demo-credentials.json` (owner-only) in the data folder; TOTP secrets
are read back from the database. Re-running updates everything in place (no duplicates) and
stamps the positions with the current time, since positions older than
`position_max_age_minutes` are not trusted.

For demonstration only: never seed a production database with it.
"""

from __future__ import annotations

import json
import os
import secrets
import struct
import zlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from streetlight.db import officers as ops
from streetlight.db.engine import make_engine, session_factory, sqlite_url
from streetlight.db.migrate import upgrade
from streetlight.db.models import Dress, Officer, OfficerStatus, Role
from streetlight.demo.unit import DemoUnit, seed_demo_unit
from streetlight.staff import totp
from streetlight.staff.accounts import AccountError, create_staff_user, find_user, reset_totp
from streetlight.staff.passwords import Passwords
from streetlight.staff.settings import server_secret

CREDENTIALS_FILE = "demo-credentials.json"
ACTOR = "demo"


@dataclass(frozen=True)
class DemoOfficer:
    warrant: str
    name: str
    rank: str
    unit: str
    team: str
    dress: Dress | None  # None: off duty
    at: tuple[float, float] | None  # lon, lat
    suspended: bool = False
    colour: tuple[int, int, int] = (59, 42, 143)


OFFICERS = (
    DemoOfficer("DC2207", "Sam Patel", "Detective Constable", "CID Middlesbrough", "CID-2",
                Dress.PLAIN_CLOTHES, (-1.2368, 54.5727), colour=(59, 42, 143)),
    DemoOfficer("DC2311", "Priya Shah", "Detective Constable", "CID Middlesbrough", "CID-3",
                Dress.PLAIN_CLOTHES, (-1.2296, 54.5712), colour=(11, 107, 58)),
    DemoOfficer("DC2312", "Tom Reed", "Detective Sergeant", "CID Middlesbrough", "CID-3",
                Dress.PLAIN_CLOTHES, (-1.2280, 54.5720), colour=(161, 29, 29)),
    DemoOfficer("PC1001", "Alex Morgan", "Police Constable", "Response, Middlesbrough", "RESP-1",
                Dress.UNIFORM, (-1.2342, 54.5790), colour=(26, 86, 150)),
    DemoOfficer("PC1002", "Jordan Lee", "Police Constable", "Response, Middlesbrough", "RESP-2",
                Dress.UNIFORM, (-1.2120, 54.5690), colour=(179, 107, 0)),
    DemoOfficer("PC1003", "Chris Walker", "Police Constable", "Response, Middlesbrough", "RESP-1",
                None, None, colour=(90, 90, 102)),
    DemoOfficer("PC1099", "Casey Hart", "Police Constable", "Response, Middlesbrough", "RESP-2",
                None, None, suspended=True, colour=(120, 60, 60)),
)  # fmt: skip

# username, role, warrant number, what to try with the account
ACCOUNTS = (
    ("dc2207", Role.OFFICER, "DC2207", "lone plain-clothes officer: her engagements get backup"),
    ("dc2311", Role.OFFICER, "DC2311", "plain clothes, colleague DC2312 close by: no backup"),
    ("pc1001", Role.OFFICER, "PC1001", "uniformed response officer"),
    ("operator", Role.OPERATOR, None, "control-room console"),
    ("supervisor", Role.SUPERVISOR, None, "console, and suspend or reinstate officers"),
    ("analyst", Role.ANALYST, None, "public reports: moderation queue and analyst map"),
    ("dc3101", Role.UNIT_OFFICER, None, "offender unit: 30 synthetic people, tasks overdue"),
    ("dc3102", Role.UNIT_OFFICER, None, "offender unit: the next 30 by harm, tasks overdue"),
    ("ds3100", Role.UNIT_SUPERVISOR, None, "offender unit supervisor: the whole caseload"),
    ("auditor", Role.AUDITOR, None, "offender unit's access log, no case content"),
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    totp_secret: str
    role: Role
    warrant_number: str | None
    note: str


@dataclass(frozen=True)
class DemoForce:
    database: Path
    accounts: tuple[DemoAccount, ...]
    officers: tuple[DemoOfficer, ...]
    unit: DemoUnit


def portrait_png(colour: tuple[int, int, int], size: int = 96) -> bytes:
    """A small placeholder portrait (a head and shoulders on a tinted ground), as a PNG."""
    r, g, b = colour
    rows = bytearray()
    cx = size / 2
    for y in range(size):
        rows.append(0)  # filter: none
        for x in range(size):
            head = (x - cx) ** 2 + (y - size * 0.38) ** 2 <= (size * 0.2) ** 2
            body = y > size * 0.66 and abs(x - cx) <= size * 0.36 - (size - y) * 0.3
            shade = (r, g, b) if head or body else (235, 235, 242)
            rows += bytes(shade)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )


def _passwords_file(store: Path) -> dict[str, str]:
    path = store / CREDENTIALS_FILE
    known: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    changed = False
    for username, *_rest in ACCOUNTS:
        if username not in known:
            known[username] = secrets.token_urlsafe(12)
            changed = True
    if changed:
        store.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as file:
            json.dump(known, file, indent=2)
    return known


def _officer(session: Session, spec: DemoOfficer, now: datetime) -> None:
    officer = ops.find_officer(session, spec.warrant)
    if officer is None:
        officer = Officer(warrant_number=spec.warrant, status=OfficerStatus.ACTIVE, created_at=now)
        session.add(officer)
    officer.name, officer.rank, officer.unit, officer.team = (
        spec.name,
        spec.rank,
        spec.unit,
        spec.team,
    )
    officer.photo, officer.photo_media_type = portrait_png(spec.colour), "image/png"
    officer.updated_at = now
    session.flush()
    if spec.suspended:
        if officer.status is not OfficerStatus.SUSPENDED:
            ops.suspend(session, spec.warrant, actor=ACTOR, now=now)
        return
    if officer.status is not OfficerStatus.ACTIVE:
        ops.reinstate(session, spec.warrant, actor=ACTOR, now=now)
    if spec.dress is None:
        ops.end_duty(session, spec.warrant, actor=ACTOR, now=now)
        return
    duty = ops.open_duty(session, officer)
    if duty is None or duty.dress is not spec.dress:
        duty = ops.start_duty(
            session, spec.warrant, dress=spec.dress, area="Middlesbrough town centre",
            actor=ACTOR, now=now,
        )  # fmt: skip
    if spec.at is not None:
        ops.record_position(duty, lon=spec.at[0], lat=spec.at[1], now=now)


def _account(
    session: Session,
    username: str,
    role: Role,
    warrant: str | None,
    password: str,
    passwords: Passwords,
    totp_key: bytes,
    now: datetime,
) -> str:
    user = find_user(session, username)
    # Call signs (dc2207, ds3100) as a force writes them; other accounts by their title.
    call_sign = username[:2].isalpha() and username[2:].isdigit()
    if user is None:
        return create_staff_user(
            session, username=username, display_name=username.upper() if call_sign else username.title(),
            password=password, role=role, passwords=passwords, totp_key=totp_key, now=now,
            actor=ACTOR, warrant_number=warrant,
        ).totp_secret  # fmt: skip
    if not passwords.verify(user.password_hash, password):
        user.password_hash = passwords.hash(password)
    user.active = True
    secret = totp.unseal(totp_key, user.totp_secret, user.username)
    if secret is None:  # sealed under another server secret: enrol afresh (demo accounts only)
        return reset_totp(
            session, username=username, totp_key=totp_key, now=now, actor=ACTOR
        ).totp_secret
    if not totp.is_sealed(user.totp_secret):  # stored before sealing, as sign-in would
        user.totp_secret = totp.seal(totp_key, secret, user.username)
    return secret


def seed_demo_force(
    store: Path,
    *,
    now: datetime,
    passwords: Passwords | None = None,
    secret: bytes | None = None,
) -> DemoForce:
    """Create or refresh the demo force in `store`'s embedded SQLite database (migrated first).
    `secret`: the server's secret, which seals the TOTP secrets (default: what `streetlight serve
    --store STORE` would use)."""
    passwords = passwords or Passwords()
    totp_key = totp.sealing_key(secret or server_secret(store))
    database = store / "streetlight.db"
    engine = make_engine(sqlite_url(store))
    try:
        upgrade(engine)
        known = _passwords_file(store)
        accounts = []
        with session_factory(engine).begin() as session:
            for spec in OFFICERS:
                _officer(session, spec, now)
            for username, role, warrant, note in ACCOUNTS:
                enrolled = _account(
                    session, username, role, warrant, known[username], passwords, totp_key, now
                )
                accounts.append(
                    DemoAccount(username, known[username], enrolled, role, warrant, note)
                )
            unit_officers = {
                a.username: _user_id(session, a.username)
                for a in accounts
                if a.role is Role.UNIT_OFFICER
            }
            supervisor = next(a for a in accounts if a.role is Role.UNIT_SUPERVISOR)
            unit = seed_demo_unit(
                session,
                store,
                unit_officers,
                supervisor=_user_id(session, supervisor.username),
                now=now,
            )
    finally:
        engine.dispose()
    return DemoForce(database, tuple(accounts), OFFICERS, unit)


def _user_id(session: Session, username: str) -> int:
    user = find_user(session, username)
    if user is None:  # created above in this transaction: a bug if missing
        raise AccountError(f"demo account {username!r} was not created")
    session.flush()
    return user.id
