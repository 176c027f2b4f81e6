"""Sign-in limits (SQLite and PostgreSQL): exact under concurrent attempts, and no way for a
stranger to lock the owner of an account out."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pyotp
import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.models import AuditEntry, Role
from streetlight.staff import signin, webauthn
from streetlight.staff.accounts import create_staff_user
from streetlight.staff.signin import Outcome
from streetlight.web.core.settings import Settings
from tests.db.concurrent import at_once
from tests.db.factories import NOW
from tests.web.conftest import CHEAP_PASSWORDS, PASSWORD, SECRET_KEY, TOTP_KEY

USER = "sergeant"
OWNER = "192.0.2.10"
STRANGER = "203.0.113.66"
ATTEMPTS = 30

Attempt = Callable[..., Outcome]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(store=tmp_path / "data", secret_key=SecretStr(SECRET_KEY))


@pytest.fixture
def totp_secret(sessions: sessionmaker[Session]) -> str:
    with sessions.begin() as session:
        account = create_staff_user(
            session, username=USER, display_name="Sergeant", password=PASSWORD,
            role=Role.SUPERVISOR, passwords=CHEAP_PASSWORDS, totp_key=TOTP_KEY, now=NOW,
        )  # fmt: skip
    return account.totp_secret


@pytest.fixture
def attempt(sessions: sessionmaker[Session], settings: Settings, totp_secret: str) -> Attempt:
    """`attempt(client, now=..., password=..., right_code=..., username=...)`: one sign-in in its
    own transaction (committed, as the web layer does), its outcome."""

    def _attempt(
        client: str,
        *,
        now: datetime = NOW,
        password: str = PASSWORD,
        right_code: bool = True,
        username: str = USER,
    ) -> Outcome:
        code = pyotp.TOTP(totp_secret).at(now) if right_code else "000000"
        with sessions.begin() as session:
            return signin.sign_in(
                session, username=username, password=password, code=code, client=client,
                settings=settings, passwords=CHEAP_PASSWORDS, totp_key=TOTP_KEY, now=now,
            ).outcome  # fmt: skip

    return _attempt


def _tried(outcomes: list[Outcome]) -> int:
    """How many attempts were checked at all (not refused by a limit)."""
    return sum(outcome is not Outcome.LIMITED for outcome in outcomes)


def test_concurrent_wrong_codes_are_tried_exactly_up_to_the_limit(
    attempt: Attempt, settings: Settings
) -> None:
    """The right password and wrong codes, all at once from one client: exactly the limit is
    tried, every other attempt is refused unchecked."""
    outcomes = at_once(ATTEMPTS, lambda _: attempt(STRANGER, right_code=False))
    assert _tried(outcomes) == settings.signin_failures_per_account
    assert outcomes.count(Outcome.LIMITED) == ATTEMPTS - settings.signin_failures_per_account


def test_concurrent_wrong_keys_are_tried_exactly_up_to_the_limit(
    sessions: sessionmaker[Session], settings: Settings, totp_secret: str
) -> None:
    """The same for sign-in with a security key (a key answer that does not verify)."""

    def with_key(_: int) -> Outcome:
        with sessions.begin() as session:
            return webauthn.sign_in_with_key(
                session, username=USER, password=PASSWORD, credential="{}", client=STRANGER,
                settings=settings, passwords=CHEAP_PASSWORDS, now=NOW,
            ).outcome  # fmt: skip

    outcomes = at_once(ATTEMPTS, with_key)
    assert _tried(outcomes) == settings.signin_failures_per_account


def test_concurrent_options_are_given_exactly_up_to_the_limit(
    sessions: sessionmaker[Session], settings: Settings
) -> None:
    limit = webauthn.options_limit(settings).max_hits

    def options(_: int) -> bool:
        try:
            with sessions.begin() as session:
                webauthn.authentication_options(
                    session, USER, client=STRANGER, settings=settings,
                    secret=SECRET_KEY.encode(), now=NOW,
                )  # fmt: skip
        except webauthn.OptionsLimitedError:
            return False
        return True

    assert sum(at_once(limit + 20, options)) == limit


def test_a_stranger_cannot_lock_the_owner_out(attempt: Attempt, settings: Settings) -> None:
    """Wrong passwords from one client stop that client on that account, not the owner."""
    for _ in range(settings.signin_failures_per_account):
        assert attempt(STRANGER, password="wrong password!!") is Outcome.FAILED
    assert attempt(STRANGER) is Outcome.LIMITED  # even the right credentials, from there
    assert attempt(OWNER) is Outcome.SIGNED_IN
    # The stranger keeps trying, refused: the owner is not slowed.
    for minute in range(10):
        later = NOW + timedelta(minutes=minute, seconds=30)
        assert attempt(STRANGER, now=later, right_code=False) is Outcome.LIMITED
    assert attempt(OWNER, now=NOW + timedelta(minutes=10, seconds=30)) is Outcome.SIGNED_IN


def test_the_limit_per_account_and_client_holds(attempt: Attempt, settings: Settings) -> None:
    for _ in range(settings.signin_failures_per_account):
        assert attempt(STRANGER, right_code=False) is Outcome.FAILED
    assert attempt(STRANGER, right_code=False) is Outcome.LIMITED
    assert attempt(STRANGER, username="someone-else") is Outcome.FAILED  # another account
    after = NOW + settings.signin_window + timedelta(seconds=1)
    assert attempt(STRANGER, now=after) is Outcome.SIGNED_IN  # the window has passed


def test_the_account_wide_back_off_holds_against_many_clients(
    attempt: Attempt, settings: Settings
) -> None:
    """Guesses from many addresses: the account's allowance, then one try per doubling wait."""
    backoff = signin.limits(settings).backoff
    clients = iter(f"198.51.100.{n}" for n in range(1, 200))
    for _ in range(backoff.free):  # a few tries each from several clients, all checked
        assert attempt(next(clients), right_code=False) is Outcome.FAILED
    now, tried = NOW, 0
    for _ in range(120):  # two hours, a fresh client every minute
        now += timedelta(minutes=1)
        tried += attempt(next(clients), now=now, right_code=False) is Outcome.FAILED
    assert tried == _reference_tries(backoff, minutes=120)
    assert tried < 20  # against 120 without the back-off
    # The owner waits at most the window after the last failure, never longer.
    assert attempt(OWNER, now=now + settings.signin_window) is Outcome.SIGNED_IN


def _reference_tries(backoff: signin.Backoff, minutes: int) -> int:
    """Brute force: which of one try a minute the back-off lets through, after `free` at NOW."""
    failures = [NOW] * backoff.free
    for minute in range(1, minutes + 1):
        now = NOW + timedelta(minutes=minute)
        recent = [at for at in failures if at > now - backoff.limit.window]
        count = min(len(recent), backoff.limit.max_hits)
        if not recent or now >= max(recent) + backoff.wait(count):
            failures.append(now)
    return len(failures) - backoff.free


def test_every_refusal_is_audited_alike(
    attempt: Attempt, sessions: sessionmaker[Session], settings: Settings
) -> None:
    for _ in range(settings.signin_failures_per_account + 1):
        attempt(STRANGER, right_code=False)
    with sessions() as session:
        actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions[-1] == "signin.limited"
