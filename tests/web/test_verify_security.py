"""The security requirements of the public check, each with its test: one answer (and one timing)
for every failure, limits kept in the database, no address stored, codes never logged, and a
fail-safe that never says "verified" when anything goes wrong."""

from __future__ import annotations

import logging
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db import officers as ops
from streetlight.db.audit import verify_chain
from streetlight.db.engine import make_engine
from streetlight.db.models import (
    AuditEntry,
    CheckTally,
    ConsoleEvent,
    Dress,
    Verification,
    VerificationCode,
)
from streetlight.verify import service
from streetlight.web.app import create_app
from streetlight.web.core.settings import Settings
from tests.conftest import database_text
from tests.web.conftest import CHEAP_PASSWORDS, Clock, MakeStaff, csrf_token
from tests.web.journeys import (
    CENTRE,
    OfficerApp,
    check,
    database_away,
    officer_app,
    put_on_duty,
)

NOT_CONFIRMED = "We cannot confirm this is a police officer on duty."


FLOOR_MS = Settings.model_fields["verify_answer_floor_ms"].default


def _app(settings: Settings, clock: Clock, **changes: Any) -> FastAPI:
    return create_app(settings.model_copy(update=changes), clock=clock, passwords=CHEAP_PASSWORDS)


@pytest.fixture
def relaxed_app(settings: Settings, clock: Clock) -> FastAPI:
    """No rate limits in the way (timing runs hundreds of failures per warrant number), and the
    answer floor at its default."""
    return _app(
        settings,
        clock,
        verify_failures_per_warrant=10**6,
        verify_failures_per_client=10**6,
        verify_answer_floor_ms=FLOOR_MS,
    )


Cases = dict[str, tuple[str, str]]


def _six_failures(app: FastAPI, make_staff: MakeStaff, clock: Clock) -> tuple[Cases, OfficerApp]:
    """One (warrant, code) per failure kind the public must not be able to tell apart."""
    sessions: sessionmaker[Session] = app.state.streetlight.sessions
    for warrant in ("PCEXP", "PCOFF", "PCSUS", "PCUSED", "PCLIVE"):
        put_on_duty(sessions, clock, warrant, dress=Dress.UNIFORM, at=CENTRE)
    phones = {
        w: officer_app(app, make_staff, clock, w)
        for w in ("PCEXP", "PCOFF", "PCSUS", "PCUSED", "PCLIVE")
    }
    expired = phones["PCEXP"].log("stop").json()["code"]["code"]
    clock.advance(minutes=6)
    codes = {
        w: phones[w].log("stop").json()["code"]["code"]
        for w in ("PCOFF", "PCSUS", "PCUSED", "PCLIVE")
    }
    with TestClient(app) as public:
        assert check(public, "PCUSED", codes["PCUSED"]).json()["verified"] is True
    with sessions.begin() as session:
        ops.end_duty(session, "PCOFF", actor="test", now=clock())
        ops.suspend(session, "PCSUS", actor="test", now=clock())
    live = codes["PCLIVE"]
    wrong = f"{(int(live.replace(' ', '')) + 1) % 10**8:08d}"
    cases = {
        "unknown": ("PC404", live),
        "off_duty": ("PCOFF", codes["PCOFF"]),
        "suspended": ("PCSUS", codes["PCSUS"]),
        "wrong_code": ("PCLIVE", wrong),
        "expired": ("PCEXP", expired),
        "used": ("PCUSED", codes["PCUSED"]),
    }
    return cases, phones["PCLIVE"]


def test_every_failure_gives_the_same_status_and_body(
    relaxed_app: FastAPI, make_staff: MakeStaff, clock: Clock
) -> None:
    cases, _ = _six_failures(relaxed_app, make_staff, clock)
    with TestClient(relaxed_app) as public:
        answers = {name: check(public, *case) for name, case in cases.items()}
        french = public.post(
            "/api/v1/verify", json={"warrant_number": "PC404", "code": "1"},
            headers={"Accept-Language": "fr-FR"},
        )  # fmt: skip
    bodies = {name: (r.status_code, r.content) for name, r in answers.items()}
    assert len(set(bodies.values())) == 1, bodies
    status, _content = next(iter(bodies.values()))
    assert status == 200 and answers["unknown"].json()["message"] == NOT_CONFIRMED
    assert set(answers["unknown"].json()) >= {"verified", "message", "advice"}
    assert french.json()["message"].startswith("Nous ne pouvons pas confirmer")
    # The first answer to a new visitor also sets the CSRF cookie, whatever the outcome.
    headers = {
        name: sorted((k, v) for k, v in r.headers.items() if k not in ("date", "set-cookie"))
        for name, r in answers.items()
    }
    assert len({tuple(h) for h in headers.values()}) == 1
    sessions: sessionmaker[Session] = relaxed_app.state.streetlight.sessions
    with sessions() as session:
        outcomes = [
            o.value for o in session.scalars(select(Verification.outcome).order_by(Verification.id))
        ][1:7]
        assert outcomes == [
            "unknown_officer",
            "off_duty",
            "suspended",
            "wrong_code",
            "expired_code",
            "used_code",
        ]


def test_every_failure_takes_the_same_time_within_noise(
    relaxed_app: FastAPI, make_staff: MakeStaff, clock: Clock
) -> None:
    """Medians over 150 interleaved checks per case; the spread between the cases' medians must
    be small next to a check's own time and next to the noise between two halves of one case.
    (benchmarks/bench_verify.py reports the strict figures.)"""
    cases, _ = _six_failures(relaxed_app, make_staff, clock)
    rounds = 150
    times: dict[str, list[float]] = {name: [] for name in cases}
    with TestClient(relaxed_app) as public:
        for _ in range(10):  # warm up every path
            for case in cases.values():
                check(public, *case)
        for _ in range(rounds):
            for name, case in cases.items():
                start = time.perf_counter()
                check(public, *case)
                times[name].append(time.perf_counter() - start)
    medians = {name: statistics.median(t) for name, t in times.items()}
    overall = statistics.median(m for m in medians.values())
    noise = max(
        abs(statistics.median(t[: rounds // 2]) - statistics.median(t[rounds // 2 :]))
        for t in times.values()
    )
    spread = max(medians.values()) - min(medians.values())
    report = {k: f"{v * 1000:.2f} ms" for k, v in medians.items()}
    assert min(medians.values()) >= FLOOR_MS / 1000, report
    assert spread <= max(0.15 * overall, 3 * noise, 0.0005), (
        report,
        f"noise {noise * 1000:.2f} ms",
    )


def test_a_client_trying_many_warrant_numbers_is_limited(
    app: FastAPI, client: TestClient, make_staff: MakeStaff, clock: Clock
) -> None:
    sessions: sessionmaker[Session] = app.state.streetlight.sessions
    put_on_duty(sessions, clock, "PC1", dress=Dress.UNIFORM)
    phone = officer_app(app, make_staff, clock, "PC1")
    for n in range(20):  # the per-client limit
        check(client, f"PC9{n:03d}", "12345678")
    code = phone.log("stop").json()["code"]["code"]
    assert check(client, "PC1", code).json()["verified"] is False
    with TestClient(app, client=("203.0.113.9", 50000)) as elsewhere:  # another client
        code = phone.log("stop").json()["code"]["code"]
        assert check(elsewhere, "PC1", code).json()["verified"] is True


def test_limits_hold_across_app_processes(
    settings: Settings, clock: Clock, make_staff: MakeStaff, app: FastAPI
) -> None:
    """Two apps (as two processes would be) on one database share the per-client count."""
    one_app, two_app = (_app(settings, clock, verify_failures_per_client=5) for _ in range(2))
    with TestClient(one_app) as one, TestClient(two_app) as two:
        for n in range(5):
            check(one if n % 2 else two, "PC7", "00000000")
        sessions: sessionmaker[Session] = app.state.streetlight.sessions
        put_on_duty(sessions, clock, "PC7", dress=Dress.UNIFORM)
        code = officer_app(app, make_staff, clock, "PC7").log("stop").json()["code"]["code"]
        assert check(two, "PC7", code).json()["verified"] is False


def test_limits_hold_exactly_for_concurrent_checks_in_several_processes(
    settings: Settings, clock: Clock, app: FastAPI
) -> None:
    """Ten checks at once from one client through two apps: exactly five are judged, the rest
    refused and only counted (each batch counts the windows under the chain's lock, so no two
    batches count at once)."""
    apps = [_app(settings, clock, verify_failures_per_client=5) for _ in range(2)]
    clients = [TestClient(apps[i % 2]) for i in range(10)]
    for client in clients[:2]:
        client.get("/verify")  # each app builds its routes on first use, once, not in the race
    try:
        _race(10, lambda i: check(clients[i], "PC7", "00000000"))
    finally:
        for c in clients:
            c.close()
    sessions: sessionmaker[Session] = app.state.streetlight.sessions
    with sessions() as session:
        outcomes = sorted(o.value for o in session.scalars(select(Verification.outcome)))
        tally = session.scalars(select(CheckTally)).one()
    assert outcomes == ["unknown_officer"] * 5
    assert (tally.unknown, tally.refused) == (5, 5)


def test_codes_and_addresses_are_never_stored_or_logged(
    app: FastAPI, make_staff: MakeStaff, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sessions: sessionmaker[Session] = app.state.streetlight.sessions
    put_on_duty(sessions, clock, "DC1", dress=Dress.PLAIN_CLOTHES, at=CENTRE)
    engine = app.state.streetlight.engine
    engine.echo = True  # SQL and its parameters go to the log too
    try:
        phone = officer_app(app, make_staff, clock, "DC1")
        code = phone.log("stop", at=CENTRE).json()["code"]["code"]
        with TestClient(app, client=("198.51.100.23", 40000)) as public:
            result = check(public, "DC1", code).json()
            assert result["verified"]
            chat = public.post(
                "/api/v1/chat/messages", json={"body": "Is this real?"},
                headers={"X-Verification-Token": result["token"]},
            )  # fmt: skip
            assert chat.status_code == 201
            check(public, "DC1", code)  # used
            check(public, "DC1", code.replace(" ", "")[::-1])  # wrong
    finally:
        engine.echo = False
    digits = code.replace(" ", "")
    logged = caplog.text
    assert len(logged) > 1000  # the capture did see the journey
    assert digits not in logged and code not in logged
    stored = database_text(sessions)
    assert digits not in stored and code not in stored
    assert "198.51.100.23" not in stored and "198.51.100.23" not in logged


def test_no_route_lists_officers(app: FastAPI) -> None:
    schema = app.openapi()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            text_ = str(operation.get("responses", {}))
            if method == "get" and "officer" in path.lower():
                pytest.fail(f"GET {path} would list officers")
            assert "OfficerOut" not in text_ or path == "/api/v1/verify", path


# --- Fail safe ---------------------------------------------------------------------------------


@pytest.fixture
def ready(app: FastAPI, make_staff: MakeStaff, clock: Clock) -> Iterator[tuple[TestClient, str]]:
    """A public client and a live code for PC1 (a check that would succeed)."""
    sessions: sessionmaker[Session] = app.state.streetlight.sessions
    put_on_duty(sessions, clock, "PC1", dress=Dress.UNIFORM)
    code = officer_app(app, make_staff, clock, "PC1").log("stop").json()["code"]["code"]
    with TestClient(app) as public:
        yield public, code


def _assert_cannot_confirm(response: Any) -> None:
    assert response.status_code == 200
    body = response.json()
    assert body["verified"] is False and body["message"] == NOT_CONFIRMED
    assert any("999" in line for line in body["advice"])


def test_an_exception_in_the_check_cannot_confirm(
    app: FastAPI, ready: tuple[TestClient, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    public, code = ready

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(service, "verify_batch", broken)
    _assert_cannot_confirm(check(public, "PC1", code))


def test_a_failed_commit_cannot_confirm_and_leaves_the_code_unused(
    app: FastAPI, ready: tuple[TestClient, str]
) -> None:
    public, code = ready
    sessions: sessionmaker[Session] = app.state.streetlight.sessions

    def refuse(_session: Session) -> None:
        raise RuntimeError("disk full")

    checks: sessionmaker[Session] = app.state.streetlight.check_sessions
    event.listen(checks, "before_commit", refuse)
    try:
        _assert_cannot_confirm(check(public, "PC1", code))
    finally:
        event.remove(checks, "before_commit", refuse)
    with sessions() as session:
        assert session.scalars(select(VerificationCode.used_at)).one() is None
    assert check(public, "PC1", code).json()["verified"] is True  # nothing was used up


def test_database_down_cannot_confirm(app: FastAPI, ready: tuple[TestClient, str]) -> None:
    public, code = ready
    with database_away(app):
        _assert_cannot_confirm(check(public, "PC1", code))
        token = csrf_token(public, "/verify")  # the form page needs no database
        form = {"csrf_token": token, "warrant_number": "PC1", "code": code}
        page = public.post("/verify", data=form)
        assert page.status_code == 200 and NOT_CONFIRMED in page.text and "press 55" in page.text
        # A browser holding a staff session: reading the session fails before the route runs.
        public.cookies.set("sl_session", "x" * 43)
        _assert_cannot_confirm(check(public, "PC1", code))
        page = public.post("/verify", data=form)
        assert page.status_code == 200 and NOT_CONFIRMED in page.text


def test_a_slow_database_cannot_confirm_within_the_deadline(
    settings: Settings, clock: Clock, make_staff: MakeStaff, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _app(settings, clock, verify_timeout_seconds=0.3)
    sessions: sessionmaker[Session] = app.state.streetlight.sessions
    put_on_duty(sessions, clock, "PC1", dress=Dress.UNIFORM)
    code = officer_app(app, make_staff, clock, "PC1").log("stop").json()["code"]["code"]
    real = service.verify_batch

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(1.0)
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "verify_batch", slow)
    with TestClient(app) as public:
        start = time.perf_counter()
        _assert_cannot_confirm(check(public, "PC1", code))
        assert time.perf_counter() - start < 0.9


def test_a_dropped_postgresql_connection_costs_no_check(
    app: FastAPI, ready: tuple[TestClient, str], settings: Settings
) -> None:
    """The checks' pool does not ping each connection it hands out: a batch that meets one the
    server dropped runs again on a fresh one, and the person is answered as usual."""
    if not settings.resolved_database_url.startswith("postgresql"):
        return  # a SQLite connection does not drop
    public, code = ready
    assert check(public, "PC9", "00000000").json()["verified"] is False  # a pooled connection
    killer = make_engine(settings.resolved_database_url)
    with killer.connect() as connection:
        killed = connection.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND query NOT LIKE '%pg_stat_activity%'"
            )
        ).scalar_one()
    killer.dispose()
    assert killed >= 1
    assert check(public, "PC1", code).json()["verified"] is True


def test_every_statement_of_a_postgresql_check_has_the_deadline(settings: Settings) -> None:
    if not settings.resolved_database_url.startswith("postgresql"):
        return
    engine = make_engine(settings.resolved_database_url, deadline=0.75)
    with engine.connect() as connection:
        assert connection.execute(text("SHOW statement_timeout")).scalar_one() == "750ms"
    engine.dispose()


def test_a_locked_postgresql_table_hits_the_statement_timeout(
    settings: Settings, clock: Clock, make_staff: MakeStaff
) -> None:
    if not settings.resolved_database_url.startswith("postgresql"):
        return  # SQLite's equivalent (a held write lock) is the busy timeout, tested above
    app = _app(settings, clock, verify_timeout_seconds=0.5)
    sessions: sessionmaker[Session] = app.state.streetlight.sessions
    put_on_duty(sessions, clock, "PC1", dress=Dress.UNIFORM)
    code = officer_app(app, make_staff, clock, "PC1").log("stop").json()["code"]["code"]
    locker = make_engine(settings.resolved_database_url)
    with locker.connect() as connection, TestClient(app) as public:
        transaction = connection.begin()
        connection.execute(text("LOCK TABLE officers IN ACCESS EXCLUSIVE MODE"))
        try:
            _assert_cannot_confirm(check(public, "PC1", code))
        finally:
            transaction.rollback()
    locker.dispose()


# --- Concurrency ---------------------------------------------------------------------------------


def _race(count: int, work: Callable[[int], Any]) -> list[Any]:
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        results[i] = work(i)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_concurrent_retries_with_one_key_log_one_engagement(
    app: FastAPI, make_staff: MakeStaff, clock: Clock
) -> None:
    sessions: sessionmaker[Session] = app.state.streetlight.sessions
    put_on_duty(sessions, clock, "PC1", dress=Dress.UNIFORM)
    phone = officer_app(app, make_staff, clock, "PC1")
    clients = [TestClient(app, cookies=phone.client.cookies) for _ in range(6)]
    try:
        responses = _race(
            6,
            lambda i: clients[i].post(
                "/api/v1/engagements", json={"reason": "stop"},
                headers={"X-CSRF-Token": phone.token, "Idempotency-Key": "retry-key-42"},
            ),
        )  # fmt: skip
    finally:
        for c in clients:
            c.close()
    assert sorted(r.status_code for r in responses) == [200] * 5 + [201]
    assert len({r.json()["engagement"]["id"] for r in responses}) == 1


def test_one_code_checked_concurrently_verifies_once(
    app: FastAPI, make_staff: MakeStaff, clock: Clock
) -> None:
    sessions: sessionmaker[Session] = app.state.streetlight.sessions
    put_on_duty(sessions, clock, "PC1", dress=Dress.UNIFORM)
    code = officer_app(app, make_staff, clock, "PC1").log("stop").json()["code"]["code"]
    clients = [TestClient(app) for _ in range(6)]
    try:
        results = _race(6, lambda i: check(clients[i], "PC1", code).json()["verified"])
    finally:
        for c in clients:
            c.close()
    assert sorted(results) == [False] * 5 + [True]
    with sessions() as session:
        assert verify_chain(session).ok
        events = session.scalars(select(ConsoleEvent.id).order_by(ConsoleEvent.id)).all()
        assert events == list(range(events[0], events[0] + len(events)))  # no gaps
        assert session.scalar(select(AuditEntry.id).order_by(AuditEntry.id.desc()).limit(1))
