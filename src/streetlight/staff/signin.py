"""The sign-in procedure: rate limits, then password and code, then a session.

Both factors are always checked (for unknown users too, against dummies), and every failure gives
the same answer, so neither the reply nor its timing tells which factor or which username was
wrong. Failures count in the database (keyed hashes, see `streetlight.db.ratelimit`) three ways:

- per account and client together: a client that failed too often on one account waits out the
  window, while the account's owner, elsewhere, signs in as usual;
- per client: one client cannot spray guesses over many accounts;
- per account, from everywhere: past a generous allowance (several clients' worth), each try
  waits for an exponential back-off after the account's latest failure, up to the window. This
  bounds guessing from many addresses at once without a hard lock: a stranger from one client
  cannot reach it, and once failures stop the owner waits at most the window. The trade-off
  (docs/web.md): someone failing from many addresses without pause slows the owner too.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

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


# The account-wide back-off: free failures, as a multiple of the per-(account, client) limit;
# the first wait, doubled by every further failure up to the sign-in window; and how long the
# account's failures are remembered (a day: far longer, and guesses from many addresses would
# get a fresh allowance every time it runs out; the day's salt rotation ends it anyway).
BACKOFF_FREE_CLIENTS = 4
BACKOFF_FIRST_WAIT = timedelta(seconds=2)
BACKOFF_MEMORY = timedelta(days=1)
_DOUBLINGS = 24  # far more than any window needs: counting stops there


@dataclass(frozen=True)
class Backoff:
    """After `free` failures of an account (counted by `limit`, from every client), each try
    waits `first_wait` doubled per failure past `free`, at most `longest`, after the latest one."""

    limit: ratelimit.Limit
    free: int
    first_wait: timedelta
    longest: timedelta

    def wait(self, failures: int) -> timedelta:
        """How long after the latest failure the account takes its next try."""
        if failures < self.free:
            return timedelta(0)
        return min(self.first_wait * (1 << min(failures - self.free, _DOUBLINGS)), self.longest)


@dataclass(frozen=True)
class SignInLimits:
    """The three limits of sign-in failures (see the module's docstring)."""

    per_pair: ratelimit.Limit
    per_client: ratelimit.Limit
    backoff: Backoff

    def keys(self, account: str, client: str) -> tuple[tuple[ratelimit.Limit, str], ...]:
        """The rate-limit keys one attempt on `account` from `client` counts against."""
        return (
            (self.per_pair, f"{account}\x00{client}"),
            (self.per_client, client),
            (self.backoff.limit, account),
        )


def limits(settings: StaffSettings) -> SignInLimits:
    """The limits `settings` give: `signin_failures_per_account` per account and client, and
    `signin_failures_per_client` per client, within `signin_window`."""
    window = settings.signin_window
    free = BACKOFF_FREE_CLIENTS * settings.signin_failures_per_account
    account_wide = ratelimit.Limit("signin:account", free + _DOUBLINGS, BACKOFF_MEMORY)
    return SignInLimits(
        per_pair=ratelimit.Limit("signin:pair", settings.signin_failures_per_account, window),
        per_client=ratelimit.Limit("signin:client", settings.signin_failures_per_client, window),
        backoff=Backoff(account_wide, free, BACKOFF_FIRST_WAIT, window),
    )


def attempt_keys(
    settings: StaffSettings, username: str, client: str
) -> tuple[tuple[ratelimit.Limit, str], ...]:
    """The keys an attempt to sign in as `username` from `client` counts against."""
    return limits(settings).keys(username.strip().lower(), client)


def is_limited(
    session: Session,
    settings: StaffSettings,
    keys: Sequence[tuple[ratelimit.Limit, str]],
    now: datetime,
) -> bool:
    """True when `keys` (from `attempt_keys`) may not try now; their locks are held until the
    transaction ends, so concurrent attempts are counted one after another."""
    backoff = limits(settings).backoff
    salt = ratelimit.day_salt(session, now)
    pair, client, account = ratelimit.locked_counts(session, keys, now, salt)
    (pair_limit, _), (client_limit, _), (_, account_key) = keys
    if pair >= pair_limit.max_hits or client >= client_limit.max_hits:
        return True
    wait = backoff.wait(account)
    if not wait:
        return False
    latest = ratelimit.latest_hit(session, backoff.limit, account_key, now, salt)
    return latest is not None and now < latest + wait


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
    keys = attempt_keys(settings, username, client)
    if is_limited(session, settings, keys, now):
        audit.append(session, actor="public", action="signin.limited", now=now)
        return SignIn(Outcome.LIMITED)

    user = find_user(session, username.strip().lower())
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
