"""A request without a session cookie is told apart on the event loop: public pages cost no
database work at all, and a public check runs only its own statements."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event


@contextmanager
def _statements(app: FastAPI) -> Iterator[list[str]]:
    seen: list[str] = []

    def log(conn: object, cursor: object, statement: str, *args: object) -> None:
        seen.append(statement)

    context = app.state.streetlight
    engines = {context.engine, context.check_sessions.kw["bind"]}  # checks may have their own
    for engine in engines:
        event.listen(engine, "before_cursor_execute", log)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", log)


def test_a_public_page_runs_no_sql(app: FastAPI, client: TestClient) -> None:
    with _statements(app) as seen:
        for path in ("/verify", "/verify?lang=fr", "/safety", "/"):
            assert client.get(path).status_code == 200
    assert seen == []


def test_a_public_check_runs_only_its_own_statements(app: FastAPI, client: TestClient) -> None:
    body = {"warrant_number": "NOBODY1", "code": "12345678"}
    for _ in range(2):  # the first makes today's salt, the second reads it back and keeps it
        client.post("/api/v1/verify", json=body)
    with _statements(app) as seen:
        assert client.post("/api/v1/verify", json=body).json()["verified"] is False
    assert not any("staff_sessions" in s or "rate_limit_salts" in s for s in seen)
    # One statement per table, or one for all five (PostgreSQL: `streetlight.db.bulk`); an
    # unknown number is also counted in its window's tally (`streetlight.verify.junk`).
    written = [table for s in seen for table in re.findall(r"INSERT INTO (\w+)", s)]
    assert sorted(written) == [
        "audit_log",
        "check_tallies",
        "console_events",
        "rate_limit_hits",
        "verifications",
    ]
