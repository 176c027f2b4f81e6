"""Strangers cannot lock an officer's checks: guessing is bounded per code (the third wrong try
burns it and the officer app says so at once) and per warrant number and day (a budget of
code-tries that keeps the chance of guessing any code below 1 in 10,000 a day)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr, ValidationError
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.models import Dress
from streetlight.verify import guessing
from streetlight.web.app import create_app
from streetlight.web.core.settings import Settings
from tests.web.conftest import CHEAP_PASSWORDS, SECRET_KEY, Clock, MakeStaff
from tests.web.journeys import OfficerApp, check, officer_app, put_on_duty

BURNT_EN = "Someone entered wrong codes: give a new code."
BURNT_FR = "Quelqu'un a saisi de mauvais codes : donnez un nouveau code."


def _wrong(code: str) -> str:
    return f"{(int(code.replace(' ', '')) + 1) % 10**8:08d}"


def _stranger(app: FastAPI, n: int) -> TestClient:
    return TestClient(app, client=(f"198.51.100.{n}", 40000 + n))


def _on_duty(app: FastAPI, make_staff: MakeStaff, clock: Clock, warrant: str) -> OfficerApp:
    sessions: sessionmaker[Session] = app.state.streetlight.sessions
    put_on_duty(sessions, clock, warrant, dress=Dress.UNIFORM)
    return officer_app(app, make_staff, clock, warrant)


def _status(phone: OfficerApp, lang: str = "en") -> Any:
    answer = phone.client.get(f"/api/v1/engagements/checks?lang={lang}")
    assert answer.status_code == 200
    return answer.json()


def test_the_guessing_bound_holds_for_every_allowed_budget(tmp_path: Any) -> None:
    """At most 2 UTC days' budgets in any 24 hours, each code-try right with chance 1/10^8."""
    assert guessing.guess_chance_per_day(guessing.CODE_TRIES_PER_DAY) == 2 * 1_000 / 10**8
    assert guessing.guess_chance_per_day(guessing.CODE_TRIES_PER_DAY) <= 1 / 50_000
    assert guessing.guess_chance_per_day(guessing.MAX_CODE_TRIES_PER_DAY) < 1 / 10_000
    assert guessing.guess_chance_per_day(guessing.MAX_CODE_TRIES_PER_DAY + 1) >= 1 / 10_000
    with pytest.raises(ValidationError):
        Settings(
            store=tmp_path,
            secret_key=SecretStr(SECRET_KEY),
            verify_failures_per_warrant=guessing.MAX_CODE_TRIES_PER_DAY + 1,
        )
    # Reaching the default budget takes hundreds of codes, each given out by the officer.
    assert -(-guessing.CODE_TRIES_PER_DAY // guessing.TRIES_PER_CODE) >= 300


def test_strangers_wrong_tries_never_make_a_live_code_fail(
    app: FastAPI, make_staff: MakeStaff, clock: Clock
) -> None:
    phone = _on_duty(app, make_staff, clock, "PC1")
    # Wrong tries before the officer has a code, and on other numbers, count for nothing here.
    for n in range(12):
        with _stranger(app, n) as stranger:
            check(stranger, "PC1", "00000000")
            check(stranger, "PC2", "00000000")
    code = phone.log("stop").json()["code"]["code"]
    for n in range(guessing.TRIES_PER_CODE - 1):
        with _stranger(app, 100 + n) as stranger:
            assert check(stranger, "PC1", _wrong(code)).json()["verified"] is False
    assert _status(phone) == {"burnt": [], "locked": False, "messages": []}
    with _stranger(app, 200) as person:
        assert check(person, "PC1", code).json()["verified"] is True


def test_a_burnt_code_is_told_to_the_officer_at_once_and_a_new_one_works(
    app: FastAPI, make_staff: MakeStaff, clock: Clock
) -> None:
    phone = _on_duty(app, make_staff, clock, "PC1")
    logged = phone.log("stop").json()
    engagement, code = logged["engagement"]["id"], logged["code"]["code"]
    for n in range(guessing.TRIES_PER_CODE):
        with _stranger(app, n) as stranger:
            check(stranger, "PC1", _wrong(code))
    with _stranger(app, 50) as person:
        assert check(person, "PC1", code).json()["verified"] is False  # burnt
    assert _status(phone) == {"burnt": [engagement], "locked": False, "messages": [BURNT_EN]}
    assert _status(phone, "fr")["messages"] == [BURNT_FR]
    assert BURNT_EN in phone.client.get("/officer").text
    new = phone.new_code(engagement).json()["code"]
    assert _status(phone)["burnt"] == []
    with _stranger(app, 51) as person:
        assert check(person, "PC1", new).json()["verified"] is True


def test_the_day_budget_locks_checks_and_the_officer_app_says_so(
    settings: Settings, make_staff: MakeStaff, clock: Clock
) -> None:
    """With a budget of two codes' tries, the third code is refused even when right, the
    officer app shows "checks locked" (until the UTC day ends and its hits are deleted)."""
    budget = 2 * guessing.TRIES_PER_CODE
    app = create_app(
        settings.model_copy(update={"verify_failures_per_warrant": budget}),
        clock=clock,
        passwords=CHEAP_PASSWORDS,
    )
    phone = _on_duty(app, make_staff, clock, "PC1")
    engagement = phone.log("stop").json()["engagement"]["id"]
    for _ in range(2):
        code = phone.new_code(engagement).json()["code"]
        for n in range(guessing.TRIES_PER_CODE):
            with _stranger(app, n) as stranger:
                check(stranger, "PC1", _wrong(code))
    code = phone.new_code(engagement).json()["code"]
    with _stranger(app, 99) as person:
        assert check(person, "PC1", code).json()["verified"] is False
    status = _status(phone)
    assert status["locked"] is True and status["messages"][-1].startswith("Checks locked")
    assert "Checks locked" in phone.client.get("/officer").text
