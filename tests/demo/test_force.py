"""The demo force: seeded twice without duplicates, and its printed credentials walk the journeys."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyotp
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select
from typer.testing import CliRunner

from streetlight.cli.main import app as cli
from streetlight.db.engine import make_engine, session_factory
from streetlight.db.models import Duty, Officer, StaffUser
from streetlight.demo.force import seed_demo_force
from streetlight.web.app import create_app
from streetlight.web.core.settings import Settings
from tests.web.conftest import CHEAP_PASSWORDS, SECRET_KEY, csrf_token


def test_seeding_twice_changes_nothing_and_the_journeys_work(tmp_path: Path) -> None:
    store = tmp_path / "data"
    secret = SECRET_KEY.encode()
    first = seed_demo_force(store, now=datetime.now(UTC), passwords=CHEAP_PASSWORDS, secret=secret)
    second = seed_demo_force(store, now=datetime.now(UTC), passwords=CHEAP_PASSWORDS, secret=secret)
    assert first.accounts == second.accounts
    assert (store / "demo-credentials.json").stat().st_mode & 0o777 == 0o600
    engine = make_engine(f"sqlite:///{first.database}")
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Officer)) == 7
        assert session.scalar(select(func.count()).select_from(StaffUser)) == 6
        assert (
            session.scalar(select(func.count()).select_from(Duty).where(Duty.ended_at.is_(None)))
            == 5
        )
    engine.dispose()

    settings = Settings(store=store, secret_key=SecretStr(SECRET_KEY))
    app = create_app(settings, passwords=CHEAP_PASSWORDS)
    accounts = {a.username: a for a in second.accounts}

    def officer(username: str) -> tuple[TestClient, str]:
        client = TestClient(app, follow_redirects=False)
        account = accounts[username]
        form = {
            "csrf_token": csrf_token(client), "username": username, "password": account.password,
            "code": pyotp.TOTP(account.totp_secret).now(),
        }  # fmt: skip
        assert client.post("/signin", data=form).status_code == 303
        return client, csrf_token(client, "/officer")

    def log(username: str, key: str) -> dict[str, object]:
        client, token = officer(username)
        response = client.post(
            "/api/v1/engagements", json={"reason": "stop"},
            headers={"X-CSRF-Token": token, "Idempotency-Key": key},
        )  # fmt: skip
        assert response.status_code == 201, response.text
        body: dict[str, object] = response.json()
        return body

    lone = log("dc2207", "demo-lone-0001")
    assert lone["engagement"]["backup"]["status"] == "assigned"  # type: ignore[index]
    paired = log("dc2311", "demo-pair-0001")
    assert paired["engagement"]["backup"] is None  # type: ignore[index]
    with TestClient(app) as public:
        code = lone["code"]["code"]  # type: ignore[index]
        result = public.post(
            "/api/v1/verify", json={"warrant_number": "DC2207", "code": code}
        ).json()
        assert result["verified"] and result["officer"]["name"] == "Sam Patel"
        assert result["officer"]["photo_url"]
        photo = public.get(result["officer"]["photo_url"])
        assert photo.status_code == 200 and photo.content.startswith(b"\x89PNG")
        for warrant in ("PC1003", "PC1099"):  # off duty, suspended
            answer = public.post(
                "/api/v1/verify", json={"warrant_number": warrant, "code": "12345678"}
            )
            assert answer.json()["verified"] is False


def test_the_seed_command_prints_how_to_sign_in(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["db", "seed-demo", "--store", str(tmp_path / "data")])
    assert result.exit_code == 0, result.output
    for text in ("dc2207", "operator", "supervisor", "TOTP secret", "streetlight serve --store"):
        assert text in result.output
