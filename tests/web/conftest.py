"""Web fixtures: an app on this test's own database (SQLite and PostgreSQL), a clock the test can
move, staff accounts with known passwords and TOTP secrets, and a signed-in client."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyotp
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response
from pydantic import SecretStr
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db import officers as ops
from streetlight.db.models import Dress, Officer, OfficerStatus, Role
from streetlight.staff import totp
from streetlight.staff.accounts import create_staff_user
from streetlight.staff.passwords import Passwords
from streetlight.web.app import create_app
from streetlight.web.core.settings import Settings

PASSWORD = "correct horse battery staple"
SECRET_KEY = "test-secret-key-0123456789-abcdefghijklmnop"
TOTP_KEY = totp.sealing_key(SECRET_KEY.encode())  # seals TOTP secrets as the test apps do
# Real argon2id, with parameters cheap enough for hundreds of sign-ins in a test run.
CHEAP_PASSWORDS = Passwords(PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1))
_CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')


class Clock:
    """Now, as the app sees it; `advance` moves it (session expiry, the next TOTP step)."""

    def __init__(self) -> None:
        # 5 s into a TOTP step, so "the next code" is always exactly 30 s away.
        seconds = int(datetime.now(UTC).timestamp()) // 30 * 30 + 5
        self.now = datetime.fromtimestamp(seconds, UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass(frozen=True)
class Staff:
    username: str
    password: str
    secret: str
    role: Role

    def code(self, at: datetime) -> str:
        return pyotp.TOTP(self.secret).at(at)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    # No answer floor for public checks: hundreds of checks run here; the timing tests set it.
    return Settings(
        store=tmp_path / "data",
        database_url=database_url,
        secret_key=SecretStr(SECRET_KEY),
        verify_answer_floor_ms=0,
    )


@pytest.fixture
def app(settings: Settings, clock: Clock) -> FastAPI:
    return create_app(settings, clock=clock, passwords=CHEAP_PASSWORDS)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        yield client


@pytest.fixture
def app_sessions(app: FastAPI) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = app.state.streetlight.sessions
    return factory


def add_officer(
    sessions: sessionmaker[Session], clock: Clock, warrant: str, *, dress: Dress | None = None
) -> None:
    """An active officer, on duty in `dress` when given."""
    with sessions.begin() as session:
        now = clock()
        session.add(
            Officer(
                warrant_number=warrant, name=f"Officer {warrant}", rank="Police Constable",
                unit="Night-time economy", team="NTE-1", status=OfficerStatus.ACTIVE,
                created_at=now, updated_at=now,
            )
        )  # fmt: skip
        session.flush()
        if dress is not None:
            ops.start_duty(session, warrant, dress=dress, area="Old Town", actor="test", now=now)


MakeStaff = Callable[..., Staff]


@pytest.fixture
def make_staff(app_sessions: sessionmaker[Session], clock: Clock) -> MakeStaff:
    """`make_staff(role, username=..., warrant=...)`: an account with PASSWORD and a TOTP secret."""

    def make(role: Role, username: str | None = None, warrant: str | None = None) -> Staff:
        username = username or role.value
        with app_sessions.begin() as session:
            account = create_staff_user(
                session, username=username, display_name=username.title(), password=PASSWORD,
                role=role, passwords=CHEAP_PASSWORDS, totp_key=TOTP_KEY, now=clock(), warrant_number=warrant,
            )  # fmt: skip
        return Staff(username, PASSWORD, account.totp_secret, role)

    return make


def csrf_token(client: TestClient, path: str = "/signin") -> str:
    """The CSRF token a page hands its forms."""
    found = _CSRF.search(client.get(path).text)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def sign_in(client: TestClient, staff: Staff, clock: Clock, **overrides: str) -> Response:
    """Post the sign-in form as a browser would; returns the response."""
    form = {
        "csrf_token": csrf_token(client),
        "username": staff.username,
        "password": staff.password,
        "code": staff.code(clock()),
    }
    form.update(overrides)
    return client.post("/signin", data=form)
