"""Staff accounts: creation (with a fresh TOTP secret to enrol in an authenticator app)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from streetlight.db import audit
from streetlight.db import officers as ops
from streetlight.db.models import Role, StaffUser
from streetlight.errors import StreetlightError
from streetlight.web.auth import totp
from streetlight.web.auth.passwords import MIN_PASSWORD_CHARS, Passwords


class AccountError(StreetlightError):
    """An account cannot be created as asked (name taken, weak password, unknown officer)."""


@dataclass(frozen=True)
class NewAccount:
    """The created user and what to hand them once: the TOTP secret and its `otpauth://` URI."""

    user: StaffUser
    totp_secret: str
    totp_uri: str


def create_staff_user(
    session: Session,
    *,
    username: str,
    display_name: str,
    password: str,
    role: Role,
    passwords: Passwords,
    totp_key: bytes,
    now: datetime,
    actor: str = "system",
    warrant_number: str | None = None,
    totp_secret: str | None = None,
) -> NewAccount:
    """Create a staff account; officers' accounts name their warrant number. The TOTP secret is
    stored sealed with `totp_key` (`totp.sealing_key` of the server's secret) and returned
    in clear this once."""
    username = username.strip()
    if not username or len(username) > 64:
        raise AccountError("username: 1 to 64 characters")
    taken = session.scalar(
        select(StaffUser.id).where(func.lower(StaffUser.username) == username.lower())
    )
    if taken is not None:
        raise AccountError(f"username {username!r} is taken")
    if len(password) < MIN_PASSWORD_CHARS:
        raise AccountError(f"password: at least {MIN_PASSWORD_CHARS} characters")
    if role is Role.OFFICER and warrant_number is None:
        raise AccountError("an officer account needs the officer's warrant number")
    officer = ops.get_officer(session, warrant_number) if warrant_number else None
    secret = totp_secret or totp.new_secret()
    user = StaffUser(
        username=username,
        display_name=display_name or username,
        password_hash=passwords.hash(password),
        totp_secret=totp.seal(totp_key, secret, username),
        role=role,
        active=True,
        officer=officer,
        created_at=now,
    )
    session.add(user)
    session.flush()
    audit.append(
        session,
        actor=actor,
        action="staff.create",
        subject=username,
        details={"role": role.value, "warrant_number": warrant_number},
        now=now,
    )
    return NewAccount(user, secret, totp.provisioning_uri(secret, username))
