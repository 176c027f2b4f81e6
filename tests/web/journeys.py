"""Helpers for the verification journeys: a demo-like force with positions, an officer's signed-in
client, and the public's calls."""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db import officers as ops
from streetlight.db.engine import make_engine, session_factory
from streetlight.db.models import Dress, Officer, OfficerStatus, Role
from tests.web.conftest import Clock, MakeStaff, csrf_token, sign_in

# Middlesbrough town centre and places around it (lon, lat).
CENTRE = (-1.2346, 54.5742)
NEAR = (-1.2330, 54.5760)  # about 220 m away
FAR = (-1.2100, 54.5600)  # about 2.3 km away
_keys = itertools.count(1)


def put_on_duty(
    sessions: sessionmaker[Session],
    clock: Clock,
    warrant: str,
    *,
    dress: Dress,
    team: str = "NTE-1",
    at: tuple[float, float] | None = None,
    name: str | None = None,
) -> None:
    """An active officer on duty, at a fresh last known position when `at` is given."""
    with sessions.begin() as session:
        now = clock()
        session.add(
            Officer(
                warrant_number=warrant, name=name or f"Officer {warrant}", rank="Police Constable",
                unit="Night-time economy", team=team, status=OfficerStatus.ACTIVE,
                created_at=now, updated_at=now,
            )
        )  # fmt: skip
        session.flush()
        duty = ops.start_duty(
            session, warrant, dress=dress, area="Town centre", actor="test", now=now
        )
        if at is not None:
            ops.record_position(duty, lon=at[0], lat=at[1], now=now)


@dataclass
class OfficerApp:
    """A signed-in officer's phone: JSON calls with the CSRF header."""

    client: TestClient
    token: str

    def log(self, reason: str = "stop", key: str | None = None, **fields: Any) -> Any:
        body: dict[str, Any] = {"reason": reason, "note": "checking on a report"}
        if "at" in fields:
            lon, lat = fields.pop("at")
            body.update(lon=lon, lat=lat)
        body.update(fields)
        return self.client.post(
            "/api/v1/engagements",
            json=body,
            headers={
                "X-CSRF-Token": self.token,
                "Idempotency-Key": key or f"key-{next(_keys):08d}",
            },
        )

    def new_code(self, engagement_id: int) -> Any:
        return self.client.post(
            f"/api/v1/engagements/{engagement_id}/code", headers={"X-CSRF-Token": self.token}
        )


def officer_app(app: FastAPI, make_staff: MakeStaff, clock: Clock, warrant: str) -> OfficerApp:
    client = TestClient(app, base_url="http://testserver", follow_redirects=False)
    staff = make_staff(Role.OFFICER, warrant.lower(), warrant=warrant)
    assert sign_in(client, staff, clock).status_code == 303
    return OfficerApp(client, csrf_token(client, "/officer"))


def staff_client(app: FastAPI, make_staff: MakeStaff, clock: Clock, role: Role) -> TestClient:
    client = TestClient(app, base_url="http://testserver", follow_redirects=False)
    assert sign_in(client, make_staff(role), clock).status_code == 303
    return client


def check(client: TestClient, warrant: str, code: str, **extra: Any) -> Any:
    """The public's JSON check (no cookie, no CSRF token)."""
    return client.post("/api/v1/verify", json={"warrant_number": warrant, "code": code, **extra})


@contextlib.contextmanager
def database_away(app: FastAPI) -> Iterator[None]:
    """The app's database taken away (its pool emptied, every session on a server that is not
    there) until the block ends."""
    context = app.state.streetlight
    context.engine.dispose()
    dead = make_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    app.state.streetlight = dataclasses.replace(
        context, sessions=session_factory(dead), check_sessions=session_factory(dead)
    )
    try:
        yield
    finally:
        app.state.streetlight = context
        dead.dispose()
