"""The control-room console: live events from the database (so from any app process), chats with
the public, actions on engagements, backups and alerts, each audited."""

from __future__ import annotations

import json
import re
import threading
import time
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.models import (
    AuditEntry,
    Dress,
    Engagement,
    EngagementStatus,
    Role,
    Verification,
)
from streetlight.verify import events
from streetlight.web.app import create_app
from streetlight.web.core.settings import Settings
from tests.web.conftest import CHEAP_PASSWORDS, Clock, MakeStaff, csrf_token
from tests.web.journeys import CENTRE, FAR, check, officer_app, put_on_duty, staff_client


def _events(body: str) -> list[dict[str, Any]]:
    found = []
    for block in body.split("\n\n"):
        fields = dict(
            line.split(": ", 1)
            for line in block.splitlines()
            if ": " in line and not line.startswith(":")
        )
        if "data" in fields:
            found.append(
                {"id": fields.get("id"), "event": fields.get("event"), **json.loads(fields["data"])}
            )
    return found


def test_only_the_control_room_sees_the_console(
    app: FastAPI,
    client: TestClient,
    make_staff: MakeStaff,
    clock: Clock,
    app_sessions: sessionmaker[Session],
) -> None:
    assert client.get("/console").status_code == 303  # to the sign-in page
    assert client.get("/api/v1/console/events").status_code == 401
    put_on_duty(app_sessions, clock, "PC1", dress=Dress.UNIFORM)
    phone = officer_app(app, make_staff, clock, "PC1")
    assert phone.client.get("/console").status_code == 403
    assert phone.client.get("/api/v1/console/events").status_code == 403
    supervisor = staff_client(app, make_staff, clock, Role.SUPERVISOR)
    assert supervisor.get("/console").status_code == 200


def test_events_written_by_one_process_reach_a_console_on_another(
    settings: Settings,
    app: FastAPI,
    make_staff: MakeStaff,
    clock: Clock,
    app_sessions: sessionmaker[Session],
) -> None:
    # Two apps on one database stand for two app processes: the operator watches through the
    # second while the officer and the public use the first.
    fast = settings.model_copy(update={"console_stream_seconds": 2.0, "console_poll_seconds": 0.05})
    other = create_app(fast, clock=clock, passwords=CHEAP_PASSWORDS)
    put_on_duty(app_sessions, clock, "DC1", dress=Dress.PLAIN_CLOTHES, at=CENTRE)
    put_on_duty(app_sessions, clock, "PC2", dress=Dress.UNIFORM, team="RESP", at=FAR)
    phone = officer_app(app, make_staff, clock, "DC1")
    operator = staff_client(other, make_staff, clock, Role.OPERATOR)
    received: dict[str, Any] = {}
    with app_sessions() as session:
        start = events.last_id(session)

    def watch() -> None:
        # From the events table's current end, however long the stream takes to open.
        response = operator.get("/api/v1/console/events", headers={"Last-Event-ID": str(start)})
        received["status"] = response.status_code
        received["type"] = response.headers.get("content-type", "")
        received["body"] = response.text

    watcher = threading.Thread(target=watch)
    watcher.start()
    time.sleep(0.3)
    code = phone.log("stop", at=CENTRE).json()["code"]["code"]
    with TestClient(app) as public:
        check(public, "DC1", "00000000")
        check(public, "DC1", code)
    watcher.join(timeout=10)
    assert received["status"] == 200 and received["type"].startswith("text/event-stream")
    kinds = [e["kind"] for e in _events(received["body"])]
    assert kinds == ["engagement.create", "backup.request", "verify.failure", "verify.success"]
    ids = [int(e["id"]) for e in _events(received["body"])]
    assert ids == sorted(ids)
    # A reconnecting browser sends Last-Event-ID and gets what it missed.
    resumed = operator.get("/api/v1/console/events", headers={"Last-Event-ID": str(ids[1])})
    assert [e["kind"] for e in _events(resumed.text)] == ["verify.failure", "verify.success"]
    operator.close()
    with app_sessions() as session:
        assert session.scalars(select(AuditEntry.action)).all().count("console.stream") == 2


def test_a_chat_between_the_public_and_an_operator(
    app: FastAPI,
    client: TestClient,
    make_staff: MakeStaff,
    clock: Clock,
    app_sessions: sessionmaker[Session],
) -> None:
    put_on_duty(app_sessions, clock, "PC1", dress=Dress.UNIFORM, at=CENTRE, name="Jo Bloggs")
    code = officer_app(app, make_staff, clock, "PC1").log("stop", at=CENTRE).json()["code"]["code"]
    result = check(client, "PC1", code).json()
    token = {"X-Verification-Token": result["token"]}
    sent = client.post(
        "/api/v1/chat/messages", json={"body": "Is PC1 real?", "client_id": "m1"}, headers=token
    )
    again = client.post(
        "/api/v1/chat/messages", json={"body": "Is PC1 real?", "client_id": "m1"}, headers=token
    )
    assert sent.status_code == again.status_code == 201 and sent.json()["id"] == again.json()["id"]

    operator = staff_client(app, make_staff, clock, Role.OPERATOR)
    page = operator.get("/console")
    assert "Is PC1 real?" in page.text and "Jo Bloggs" in page.text
    chat_id = re.search(r'action="/console/chats/(\d+)/reply', page.text)
    assert chat_id
    reply = operator.post(
        f"/console/chats/{chat_id.group(1)}/reply",
        data={
            "csrf_token": csrf_token(operator, "/console"),
            "body": "Yes: PC1 is on duty with you.",
        },
    )
    assert reply.status_code == 303
    messages = client.get("/api/v1/chat/messages", headers=token).json()["messages"]
    assert [(m["sender"], m["body"]) for m in messages] == [
        ("public", "Is PC1 real?"), ("operator", "Yes: PC1 is on duty with you."),
    ]  # fmt: skip
    # Without JavaScript: the chat page shows both, and its form posts and comes back.
    chat_page = client.get(result["chat_url"])
    assert chat_page.status_code == 200 and "Yes: PC1 is on duty with you." in chat_page.text
    assert 'http-equiv="refresh"' in chat_page.text
    posted = client.post(
        result["chat_url"].split("?")[0],
        data={
            "csrf_token": csrf_token(client, result["chat_url"]),
            "body": "Thank you",
            "client_id": "m2",
        },
    )
    assert posted.status_code == 303
    assert (
        client.get("/api/v1/chat/messages?after=0", headers=token).json()["messages"][-1]["body"]
        == "Thank you"
    )
    # A failed check opens no chat; a made-up token neither.
    assert (
        client.get("/api/v1/chat/messages", headers={"X-Verification-Token": "x" * 43}).status_code
        == 404
    )


def test_operators_confirm_flag_and_acknowledge_and_every_step_is_audited(
    app: FastAPI,
    client: TestClient,
    make_staff: MakeStaff,
    clock: Clock,
    app_sessions: sessionmaker[Session],
) -> None:
    put_on_duty(app_sessions, clock, "PC1", dress=Dress.UNIFORM)
    phone = officer_app(app, make_staff, clock, "PC1")
    first = phone.log("stop").json()["engagement"]["id"]
    second = phone.log("search").json()["engagement"]["id"]
    check(client, "PC404", "12345678", place="Corner of Linthorpe Road")
    operator = staff_client(app, make_staff, clock, Role.OPERATOR)
    page = operator.get("/console")
    assert "Failed checks: possible impersonation" in page.text
    assert "PC404" in page.text and "Corner of Linthorpe Road" in page.text
    token = csrf_token(operator, "/console")
    headers = {"X-CSRF-Token": token}
    assert (
        operator.post(f"/api/v1/console/engagements/{first}/confirm", headers=headers).status_code
        == 200
    )
    assert (
        operator.post(f"/console/engagements/{second}/flag", data={"csrf_token": token}).status_code
        == 303
    )
    with app_sessions() as session:
        alert = session.scalars(select(Verification)).one()
    assert (
        operator.post(f"/api/v1/console/alerts/{alert.id}/acknowledge", headers=headers).status_code
        == 200
    )
    assert (
        operator.post("/api/v1/console/alerts/999999/acknowledge", headers=headers).status_code
        == 404
    )
    state = operator.get("/api/v1/console/state").json()
    assert state["alerts"] == [] and {e["status"] for e in state["engagements"]} == {
        "confirmed",
        "flagged",
    }
    with app_sessions() as session:
        statuses = dict(session.execute(select(Engagement.id, Engagement.status)).all())
        assert statuses == {first: EngagementStatus.CONFIRMED, second: EngagementStatus.FLAGGED}
        actions = session.scalars(select(AuditEntry.action)).all()
        for action in (
            "console.view",
            "engagement.confirmed",
            "engagement.flagged",
            "verify.acknowledge",
            "verify.location",
        ):
            assert action in actions, action
