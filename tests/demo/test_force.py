"""The demo force: seeded twice without duplicates, and its printed credentials walk the journeys."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pyotp
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select
from typer.testing import CliRunner

from streetlight.cli.main import app as cli
from streetlight.db.audit import verify_chain
from streetlight.db.engine import make_engine, session_factory
from streetlight.db.models import (
    AuditEntry,
    Duty,
    Officer,
    StaffUser,
    UnitCaseload,
    UnitOffence,
    UnitPerson,
    UnitQuarantine,
    UnitTask,
)
from streetlight.demo.force import seed_demo_force
from streetlight.demo.unit import CASELOAD, PERPETRATORS_PER_YEAR, SEED, TASKS, _ranked
from streetlight.unit.synthetic import SyntheticConfig, generate
from streetlight.web.app import create_app
from streetlight.web.core.settings import Settings
from tests.web.conftest import CHEAP_PASSWORDS, SECRET_KEY, csrf_token


def test_seeding_twice_changes_nothing_and_the_journeys_work(tmp_path: Path) -> None:
    store = tmp_path / "data"
    secret = SECRET_KEY.encode()
    first = seed_demo_force(store, now=datetime.now(UTC), passwords=CHEAP_PASSWORDS, secret=secret)
    second = seed_demo_force(store, now=datetime.now(UTC), passwords=CHEAP_PASSWORDS, secret=secret)
    assert first.accounts == second.accounts
    assert first.unit == second.unit  # the unit is seeded once, then left as it is
    assert (store / "demo-credentials.json").stat().st_mode & 0o777 == 0o600
    engine = make_engine(f"sqlite:///{first.database}")
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Officer)) == 7
        assert session.scalar(select(func.count()).select_from(StaffUser)) == 10
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
    for text in ("dc3101      unit_officer", "ds3100      unit_supervisor", "auditor     auditor"):
        assert text in result.output
    assert "Offender unit (SYNTHETIC people, not real: " in result.output
    assert (
        "caseloads dc3101 30 and dc3102 30, highest harm first; 12 open tasks, 6 overdue; "
        "a harm-ranking list of 100 awaiting the unit supervisor's decisions (/unit/list)"
    ) in " ".join(result.output.split())


def test_the_unit_holds_the_highest_harm_synthetic_people_and_overdue_tasks(
    tmp_path: Path,
) -> None:
    store = tmp_path / "data"
    now = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
    force = seed_demo_force(store, now=now, passwords=CHEAP_PASSWORDS, secret=SECRET_KEY.encode())
    unit = force.unit
    assert unit.caseloads == (("dc3101", CASELOAD), ("dc3102", CASELOAD))
    assert (unit.tasks, unit.overdue) == (2 * len(TASKS), 2 * sum(d < 0 for _, d in TASKS))
    readme = (unit.extract / "README.txt").read_text(encoding="utf-8")
    assert readme.startswith("SYNTHETIC DATA - NOT REAL PEOPLE")
    # Three years up to the start of the month: bail and orders run out around today.
    assert "3 years from 2023-03-01" in readme
    engine = make_engine(f"sqlite:///{force.database}")
    with session_factory(engine)() as session:
        assert session.scalar(select(func.count()).select_from(UnitQuarantine)) == 0
        assert (unit.offences, unit.people) == (
            session.scalar(select(func.count()).select_from(UnitOffence)),
            session.scalar(select(func.count()).select_from(UnitPerson)),
        )
        users = {u.id: u.username for u in session.scalars(select(StaffUser))}
        held = {
            ref: users[user]
            for ref, user in session.execute(
                select(UnitPerson.person_ref, UnitCaseload.user_id).join(
                    UnitCaseload, UnitCaseload.person_id == UnitPerson.id
                )
            )
        }
        # The highest-harm suspects of the last year, dealt out in turn: the first to dc3101.
        synthetic = generate(
            SyntheticConfig(start=date(2023, 3, 1), perpetrators_per_year=PERPETRATORS_PER_YEAR),
            SEED,
        )
        ranked = _ranked(synthetic)["person_ref"].to_list()
        assert set(held) == set(ranked[: 2 * CASELOAD])
        assert held[ranked[0]] == "dc3101" and held[ranked[1]] == "dc3102"
        tasks = session.scalars(select(UnitTask)).all()
        assert {users[t.assigned_to_id] for t in tasks if t.assigned_to_id} == {"dc3101", "dc3102"}
        assert all(t.offence_id is not None for t in tasks)
        assert min(t.due_on for t in tasks) < now.date() < max(t.due_on for t in tasks)
        # Each assignment is an alteration of a person's record, so it is in the audit log.
        altered = session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "unit.alter")
        )
        assert altered == 2 * CASELOAD + len(tasks)
        assert verify_chain(session).first_bad_id is None
    engine.dispose()
