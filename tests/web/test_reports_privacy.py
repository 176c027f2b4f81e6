"""No trace of who reported: the client's address (or its plain hash) is in no table and no log
record after every kind of public request, the access log drops it behind a proxy too, and the
rate limiter's hashes of it change with the day's salt."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.models import PublicReport, RateLimitHit, RateLimitSalt
from streetlight.web.core import logs
from streetlight.web.core.clock import utc_now
from streetlight.web.core.settings import Settings
from tests.conftest import database_text
from tests.web.browser import served, sqlite_settings
from tests.web.conftest import Clock
from tests.web.reporting import (
    INSIDE,
    area_app,
    hidden,
    look_up,
    post_api,
    post_form,
    receipt_of,
)

ADDRESS = "203.0.113.77"
PORT = 51515


def _needles() -> list[str]:
    """The address, with its port, and their plain SHA-256 (an unsalted hash is no protection:
    all IPv4 addresses can be hashed in minutes)."""
    plain = [ADDRESS, f"{ADDRESS}:{PORT}"]
    return plain + [hashlib.sha256(p.encode()).hexdigest() for p in plain]


def _logged(caplog: pytest.LogCaptureFixture) -> str:
    """Every captured record: its formatted message and its raw arguments."""
    return "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)


def test_the_address_is_stored_and_logged_nowhere(
    settings: Settings, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    app = area_app(settings, clock)
    engine = app.state.streetlight.engine
    engine.echo = True  # every SQL statement and its parameters go to the log too
    try:
        with TestClient(app, client=(ADDRESS, PORT)) as public:
            code = receipt_of(post_form(public, clock).text)
            assert code
            assert post_form(public, clock, occurred_on="2999-01-01").status_code == 400
            assert post_form(public, clock, website="spam").status_code == 200  # honeypot
            assert post_form(public, clock).status_code == 409  # a duplicate
            pinned = post_api(public, clock, time_band=3)
            assert pinned.status_code == 201
            assert post_api(public, clock, location={"lon": 2.35, "lat": 48.85}).status_code == 400
            assert look_up(public, code).status_code == 200
            assert look_up(public, "0000-0000-0000-0000").status_code == 404
            status = public.post(
                "/api/v1/reports/status", json={"receipt": pinned.json()["receipt"]}
            )
            assert status.status_code == 200
            assert public.get("/safety").status_code == 200
    finally:
        engine.echo = False
    stored = database_text(app.state.streetlight.sessions)
    logged = _logged(caplog)
    assert "INSERT INTO public_reports" in logged and "report received" in logged
    assert "rate_limit_hits" in stored or "report.submit" in stored
    for needle in _needles():
        assert needle not in stored, f"{needle} stored"
        assert needle not in logged, f"{needle} logged"


def test_a_report_keeps_no_address_account_or_device_column(settings: Settings) -> None:
    columns = {c.name for c in PublicReport.__table__.columns}
    for word in ("ip", "address", "client", "user", "account", "device", "agent", "session"):
        assert not [c for c in columns if word in c.split("_")], (word, columns)


def test_the_rate_limit_hashes_change_with_the_day(settings: Settings, clock: Clock) -> None:
    app = area_app(settings, clock)
    sessions: sessionmaker[Session] = app.state.streetlight.sessions

    def hashes() -> set[str]:
        with sessions() as session:
            return set(session.scalars(select(RateLimitHit.key_hash)))

    def salts() -> list[object]:
        with sessions() as session:
            return list(session.scalars(select(RateLimitSalt.day)))

    with TestClient(app, client=(ADDRESS, PORT)) as public:
        assert post_api(public, clock).status_code == 201
        first_day, first = salts(), hashes()
        assert len(first) == 2  # the submission and its content (for duplicates)
        clock.advance(days=1)
        assert post_api(public, clock).status_code == 201
        second_day, second = salts(), hashes()
    assert len(second) == 2 and not second & first  # the same client, other hashes
    assert first_day != second_day and len(second_day) == 1  # yesterday's salt is gone
    with sessions() as session:  # duplicates are found through the hits, not the reports
        assert set(session.scalars(select(PublicReport.dedupe_hash))) == {None}


# --- The access log, served by uvicorn behind a (pretend) proxy ------------------------------------


@contextmanager
def _behind_a_proxy(app: FastAPI) -> Iterator[str]:
    """uvicorn as `streetlight serve` runs it (proxy headers trusted from loopback, access log
    on, the app's filter installed), logging into the test's capture."""
    logs.install()
    with served(
        app, proxy_headers=True, forwarded_allow_ips="127.0.0.1", log_config=None,
        log_level="info", access_log=True,
    ) as base:  # fmt: skip
        yield base


def test_the_access_log_drops_a_forwarded_address(
    sqlite_template: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = sqlite_settings(tmp_path, sqlite_template, report_min_seconds=0)
    app = area_app(settings, utc_now)
    forwarded = {"x-forwarded-for": ADDRESS}
    with _behind_a_proxy(app) as base, httpx2.Client(base_url=base, headers=forwarded) as web:
        page = web.get("/report").text
        response = web.post(
            "/report",
            data={
                "csrf_token": hidden(page, "csrf_token"),
                "form_token": hidden(page, "form_token"),
                "factors": "followed",
                "occurred_on": utc_now().date().isoformat(),
                "time_band": "6",
                "lon": str(INSIDE[0]),
                "lat": str(INSIDE[1]),
            },
        )
        assert response.status_code == 200 and receipt_of(response.text)
    access = [r for r in caplog.records if r.name == "uvicorn.access"]
    assert len(access) >= 2
    assert any("POST /report" in r.getMessage() for r in access)
    for needle in _needles():
        assert needle not in _logged(caplog)
    assert ADDRESS not in database_text(app.state.streetlight.sessions)
