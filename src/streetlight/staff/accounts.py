"""Staff accounts: creation (with a fresh TOTP secret to enrol in an authenticator app)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from streetlight.db import audit
from streetlight.db import officers as ops
from streetlight.db.models import Role, StaffUser
from streetlight.errors import AuthError
from streetlight.staff import totp
from streetlight.staff.passwords import MIN_PASSWORD_CHARS, Passwords


class AccountError(AuthError):
    """An account cannot be created as asked (name taken, weak password, unknown officer)."""


@dataclass(frozen=True)
class NewAccount:
    """The created user and what to hand them once: the TOTP secret and its `otpauth://` URI."""

    user: StaffUser
    totp_secret: str
    totp_uri: str


def find_user(session: Session, username: str) -> StaffUser | None:
    """The account signed in as `username`: names are unique ignoring case and outer spaces."""
    key = username.strip().lower()
    return session.scalar(select(StaffUser).where(func.lower(StaffUser.username) == key))


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
    if find_user(session, username) is not None:
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


def reset_totp(
    session: Session, *, username: str, totp_key: bytes, now: datetime, actor: str = "system"
) -> NewAccount:
    """A fresh TOTP secret for an existing account, sealed with `totp_key`: after a lost phone,
    or after the server's secret changed and the stored one can no longer be opened. The old
    secret stops working at once; the new one is returned in clear this once."""
    user = find_user(session, username)
    if user is None:
        raise AccountError(f"no account {username!r}")
    secret = totp.new_secret()
    user.totp_secret = totp.seal(totp_key, secret, user.username)
    user.totp_last_step = None
    audit.append(session, actor=actor, action="staff.reset_totp", subject=user.username, now=now)
    return NewAccount(user, secret, totp.provisioning_uri(secret, user.username))
