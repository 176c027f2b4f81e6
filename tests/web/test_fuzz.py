"""An OpenAPI-driven fuzz run (schemathesis, in process through the ASGI app): no request the
schema allows, or nearly allows, may make the app answer 5xx. Staff routes are called with a
signed-in session and its CSRF token (an officer's for the officer app, an operator's for the
console), so the fuzzing reaches the code behind the role checks."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis import Case
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.models import Dress, Role
from streetlight.web.app import create_app
from streetlight.web.core.settings import Settings
from tests.web.conftest import (
    CHEAP_PASSWORDS,
    TOTP_KEY,
    Clock,
    MakeStaff,
    csrf_token,
    sign_in,
)
from tests.web.journeys import CENTRE, put_on_duty

Credentials = dict[str, tuple[dict[str, str], dict[str, str]]]


@pytest.fixture
def fuzz_app(settings: Settings, clock: Clock) -> FastAPI:
    quick = settings.model_copy(
        update={"console_stream_seconds": 0.2, "console_poll_seconds": 0.05}
    )
    return create_app(quick, clock=clock, passwords=CHEAP_PASSWORDS)


@pytest.fixture
def credentials(fuzz_app: FastAPI, clock: Clock, settings: Settings) -> Credentials:
    """Cookies and the CSRF header of a signed-in officer (on duty) and operator."""
    from streetlight.staff.accounts import create_staff_user
    from tests.web.conftest import PASSWORD, Staff

    sessions: sessionmaker[Session] = fuzz_app.state.streetlight.sessions
    put_on_duty(sessions, clock, "PC1", dress=Dress.PLAIN_CLOTHES, at=CENTRE)
    found: Credentials = {}
    for role, warrant in ((Role.OFFICER, "PC1"), (Role.OPERATOR, None)):
        with sessions.begin() as session:
            account = create_staff_user(
                session, username=role.value, display_name=role.value, password=PASSWORD,
                role=role, passwords=CHEAP_PASSWORDS, totp_key=TOTP_KEY, now=clock(), warrant_number=warrant,
            )  # fmt: skip
        client = TestClient(fuzz_app, base_url="http://testserver", follow_redirects=False)
        assert (
            sign_in(
                client, Staff(role.value, PASSWORD, account.totp_secret, role), clock
            ).status_code
            == 303
        )
        token = csrf_token(client, "/dashboard")
        found[role.value] = ({k: v for k, v in client.cookies.items()}, {"X-CSRF-Token": token})
        client.close()
    return found


def _who(path: str) -> str | None:
    if path.startswith(("/api/v1/engagements", "/api/v1/me")):
        return "officer"
    if path.startswith(("/api/v1/console", "/api/v1/officers")):
        return "operator"
    return None


def _fuzz(
    operation: Any, cookies: dict[str, str], extra: dict[str, str], failures: list[str]
) -> None:
    """Up to 25 generated requests for one operation; 5xx answers go into `failures`."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    def call(case: Case[Any]) -> None:
        headers = {**dict(case.headers or {}), **extra}
        response = case.call(headers=headers, cookies=cookies)
        if response.status_code >= 500:
            failures.append(
                f"{case.method} {case.formatted_path}: {response.status_code} {response.text[:200]}"
            )

    call()


def test_no_request_makes_a_server_error(fuzz_app: FastAPI, credentials: Credentials) -> None:
    # schemathesis's own pytest plug-in predates this pytest (it reads a removed node attribute),
    # so each operation's Hypothesis strategy is driven here directly.
    api = schemathesis.openapi.from_asgi("/api/v1/openapi.json", fuzz_app)
    operations = [result.ok() for result in api.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 15
    failures: list[str] = []
    for operation in operations:
        who = _who(operation.path)
        cookies, extra = credentials[who] if who else ({}, {})

        _fuzz(operation, cookies, extra, failures)
    assert failures == []


def test_the_schema_documents_the_verification_contract(
    fuzz_app: FastAPI, make_staff: MakeStaff
) -> None:
    spec = fuzz_app.openapi()
    verify = spec["paths"]["/api/v1/verify"]["post"]
    assert set(verify["responses"]) >= {"200", "422"}
    out = spec["components"]["schemas"]["VerifyOut"]["properties"]
    assert {"verified", "officer", "engagement", "backup"} <= set(out)
    assert {"name", "rank", "unit"} <= set(
        spec["components"]["schemas"]["OfficerOut"]["properties"]
    )
    assert {"status", "eta_minutes"} <= set(
        spec["components"]["schemas"]["BackupOut"]["properties"]
    )
