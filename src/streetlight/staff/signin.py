"""The sign-in procedure: rate limits, then password and code, then a session.

Both factors are always checked (for unknown users too, against dummies), and every failure gives
the same answer, so neither the reply nor its timing tells which factor or which username was
wrong. Failures count against the account and against the client (a salted hash of its address,
see `streetlight.db.ratelimit`); both limits live in the database.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from streetlight.db import audit, ratelimit
from streetlight.db.models import OfficerStatus, StaffUser
from streetlight.staff import totp
from streetlight.staff.accounts import find_user
from streetlight.staff.passwords import Passwords
from streetlight.staff.settings import StaffSettings

log = logging.getLogger(__name__)
# A fixed secret so unknown users cost the same TOTP work as known ones.
_DUMMY_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


class Outcome(enum.Enum):
    SIGNED_IN = "signed_in"
    FAILED = "failed"
    LIMITED = "limited"


@dataclass(frozen=True)
class SignIn:
    """What happened; `user` is set only when `outcome` is SIGNED_IN."""

    outcome: Outcome
    user: StaffUser | None = None


def limits(settings: StaffSettings) -> tuple[ratelimit.Limit, ratelimit.Limit]:
    window = settings.signin_window
    return (
        ratelimit.Limit("signin:account", settings.signin_failures_per_account, window),
        ratelimit.Limit("signin:client", settings.signin_failures_per_client, window),
    )


def sign_in(
    session: Session,
    *,
    username: str,
    password: str,
    code: str,
    client: str,
    settings: StaffSettings,
    passwords: Passwords,
    totp_key: bytes,
    now: datetime,
) -> SignIn:
    """Check credentials and limits; record the attempt (audit, rate limit) in `session`.
    `totp_key` opens the stored TOTP secrets (`totp.sealing_key`)."""
    account_key = username.strip().lower()
    per_account, per_client = limits(settings)
    keys = ((per_account, account_key), (per_client, client))
    if ratelimit.any_limited(session, keys, now):
        audit.append(session, actor="public", action="signin.limited", now=now)
        return SignIn(Outcome.LIMITED)

    user = find_user(session, account_key)
    password_ok = passwords.verify(user.password_hash if user else None, password)
    secret = _secret_of(user, totp_key)
    step = totp.accepted_step(
        secret or _DUMMY_TOTP_SECRET, code, now, user.totp_last_step if user else None
    )
    if secret is None:
        step = None  # no code can match a secret nobody can read
    allowed = user is not None and account_allowed(user)
    if user is None or not (password_ok and step is not None and allowed):
        ratelimit.add_hits(session, keys, now)
        # The account is named only when it exists: people type passwords into the username
        # field, and the audit log keeps what it is given for good.
        subject = user.username if user is not None else ""
        audit.append(session, actor="public", action="signin.failure", subject=subject, now=now)
        return SignIn(Outcome.FAILED)

    user.totp_last_step = step
    if not totp.is_sealed(user.totp_secret):  # stored before sealing: seal it now
        user.totp_secret = totp.seal(totp_key, user.totp_secret, user.username)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash(password)
    audit.append(session, actor=user.username, action="signin.success", now=now)
    return SignIn(Outcome.SIGNED_IN, user)


def _secret_of(user: StaffUser | None, key: bytes) -> str | None:
    """The account's TOTP secret in clear; the dummy for no account, so the work is the same;
    None (and a logged error, naming no secret) when the stored one cannot be opened."""
    if user is None:
        return _DUMMY_TOTP_SECRET
    secret = totp.unseal(key, user.totp_secret, user.username)
    if secret is None:
        log.error(
            "the TOTP secret of staff account %d cannot be opened: was the server's secret "
            "key changed? `streetlight staff reset-totp` gives the account a new one.",
            user.id,
        )
    return secret


def account_allowed(user: StaffUser) -> bool:
    """The account may sign in at all (by any second factor): active, and for an officer's
    account, the officer not suspended."""
    return user.active and (user.officer is None or user.officer.status is OfficerStatus.ACTIVE)
