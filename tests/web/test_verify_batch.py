"""Checks run in batches (group commit) and decide exactly as they would one at a time: in
arrival order, each seeing the rate-limit hits and used codes of the checks before it."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db import officers as ops
from streetlight.db.audit import verify_chain
from streetlight.db.models import (
    AuditEntry,
    ConsoleEvent,
    Dress,
    RateLimitHit,
    Verification,
    VerificationCode,
    VerificationOutcome,
)
from streetlight.verify import service
from streetlight.verify.service import SharedLocation, VerifyRequest, VerifyResult
from streetlight.web.core.context import AppContext
from tests.web.conftest import Clock, MakeStaff
from tests.web.journeys import check, officer_app, put_on_duty

V = VerificationOutcome


def _batch(app: FastAPI, clock: Clock, requests: Sequence[VerifyRequest]) -> list[VerifyResult]:
    context: AppContext = app.state.streetlight
    with context.sessions.begin() as session:
        return service.verify_batch(
            session, requests, rules=context.rules, limits=context.limits, now=clock()
        )


def _code(app: FastAPI, make_staff: MakeStaff, clock: Clock, warrant: str) -> str:
    sessions: sessionmaker[Session] = app.state.streetlight.sessions
    put_on_duty(sessions, clock, warrant, dress=Dress.UNIFORM)
    code: str = officer_app(app, make_staff, clock, warrant).log("stop").json()["code"]["code"]
    return code


def _wrong(code: str) -> str:
    return f"{(int(code.replace(' ', '')) + 1) % 10**8:08d}"


def test_a_batch_decides_each_check_as_if_alone(
    app: FastAPI, make_staff: MakeStaff, clock: Clock
) -> None:
    live, other, gone = (_code(app, make_staff, clock, w) for w in ("PC1", "PC2", "PC3"))
    sessions: sessionmaker[Session] = app.state.streetlight.sessions
    with sessions.begin() as session:
        ops.end_duty(session, "PC3", actor="test", now=clock())
    requests = [
        VerifyRequest("PC404", live, "a"),
        VerifyRequest("pc1 ", _wrong(live), "b"),  # typed as people type it
        VerifyRequest("PC1", live, "c"),
        VerifyRequest("PC1", live, "d"),  # the same code again: used by the check before
        VerifyRequest("PC2", other, "e"),
        VerifyRequest("PC3", gone, "f"),
    ]
    results = _batch(app, clock, requests)
    assert [r.outcome for r in results] == [
        V.UNKNOWN_OFFICER,
        V.WRONG_CODE,
        V.VERIFIED,
        V.USED_CODE,
        V.VERIFIED,
        V.OFF_DUTY,
    ]
    confirmed = [r.confirmed.officer.warrant_number for r in results if r.confirmed]
    assert confirmed == ["PC1", "PC2"]
    assert len({r.token for r in results}) == len(results)
    with sessions() as session:
        rows = session.scalars(select(Verification).order_by(Verification.id)).all()
        assert [r.id for r in rows] == [r.verification_id for r in results]
        assert [r.outcome for r in rows] == [r.outcome for r in results]
        assert [r.warrant_number for r in rows] == ["PC404", "PC1", "PC1", "PC1", "PC2", "PC3"]
        assert session.scalar(select(func.count()).select_from(RateLimitHit)) == 2 * 4
        assert verify_chain(session).ok
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.action.like("verify.%"))
        ).all()
        assert actions == [
            "verify.failure",
            "verify.failure",
            "verify.success",
            "verify.failure",
            "verify.success",
            "verify.failure",
        ]
        kinds = session.scalars(
            select(ConsoleEvent.kind)
            .where(ConsoleEvent.kind.like("verify.%"))
            .order_by(ConsoleEvent.id)
        ).all()
        assert kinds == actions


def test_wrong_tries_earlier_in_the_batch_burn_the_code(
    app: FastAPI, make_staff: MakeStaff, clock: Clock
) -> None:
    """Three wrong tries from three strangers burn the live code (even the right code then fails,
    and the officer app is told); nothing else about the officer is locked."""
    live = _code(app, make_staff, clock, "PC1")
    wrong = [VerifyRequest("PC1", _wrong(live), f"client{n}") for n in range(3)]
    results = _batch(app, clock, [*wrong, VerifyRequest("PC1", live, "someone else")])
    assert [r.outcome for r in results] == [V.WRONG_CODE] * 3 + [V.EXPIRED_CODE]
    sessions: sessionmaker[Session] = app.state.streetlight.sessions
    with sessions() as session:
        code = session.scalars(select(VerificationCode)).one()
        assert code.burnt_at == clock() and code.revoked_at == clock()
    # The same in the next batch, from the database this time.
    assert _batch(app, clock, [VerifyRequest("PC1", live, "x")])[0].outcome is V.EXPIRED_CODE


def test_the_client_limit_counts_the_failures_earlier_in_the_batch(
    app: FastAPI, make_staff: MakeStaff, clock: Clock
) -> None:
    live = _code(app, make_staff, clock, "PC1")
    context: AppContext = app.state.streetlight
    allowed = context.limits.per_client.max_hits
    unknown = [VerifyRequest(f"PC9{n:03d}", live, "one client") for n in range(allowed)]
    results = _batch(app, clock, [*unknown, VerifyRequest("PC1", live, "one client")])
    assert [r.outcome for r in results] == [V.UNKNOWN_OFFICER] * allowed + [V.LIMITED]
    assert _batch(app, clock, [VerifyRequest("PC1", live, "another")])[0].outcome is V.VERIFIED


def test_a_shared_location_is_stored_with_its_check(
    app: FastAPI, make_staff: MakeStaff, clock: Clock
) -> None:
    live = _code(app, make_staff, clock, "PC1")
    here = SharedLocation(lon=-1.2346, lat=54.5742, place="Outside the station " + "x" * 300)
    results = _batch(
        app,
        clock,
        [
            VerifyRequest("PC1", _wrong(live), "a", here),
            VerifyRequest("PC1", _wrong(live), "b"),
            VerifyRequest("PC1", _wrong(live), "c", SharedLocation(lon=-1.0)),  # no latitude
        ],
    )
    sessions: sessionmaker[Session] = app.state.streetlight.sessions
    with sessions() as session:
        rows = session.scalars(select(Verification).order_by(Verification.id)).all()
        assert (rows[0].shared_lon, rows[0].shared_lat) == (-1.2346, 54.5742)
        assert rows[0].shared_place == here.place[:200] and rows[0].shared_at is not None
        assert all(r.shared_at is None and r.shared_lon is None for r in rows[1:])
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.action.like("verify.%"))
        ).all()
        assert actions == ["verify.failure", "verify.location", "verify.failure", "verify.failure"]
        located = session.scalars(
            select(AuditEntry.details).where(AuditEntry.action == "verify.location")
        ).one()
        assert str(results[0].verification_id) in located


@dataclass
class Gate:
    """Batches wait at `opened` until it is set; `entered` is set once one waits there."""

    opened: threading.Event = field(default_factory=threading.Event)
    entered: threading.Event = field(default_factory=threading.Event)
    sizes: list[int] = field(default_factory=list)


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Gate:
    held = Gate()
    real = service.verify_batch

    def gated(session: Session, requests: Sequence[VerifyRequest], **kwargs: Any) -> Any:
        held.entered.set()
        held.opened.wait(timeout=30)
        held.sizes.append(len(requests))
        return real(session, requests, **kwargs)

    monkeypatch.setattr(service, "verify_batch", gated)
    return held


def test_checks_that_arrive_together_commit_together(
    app: FastAPI, make_staff: MakeStaff, clock: Clock, gate: Gate
) -> None:
    """Through the app: while one batch holds the database, the checks that arrive wait for
    the next one, and each still gets its own answer (one of them the only success)."""
    live = _code(app, make_staff, clock, "PC1")
    answers: dict[int, bool] = {}

    def ask(n: int) -> None:
        # One wrong try at PC1's code, in the first batch: a third would burn the code, and the
        # order of the second batch is the threads'. The others check a number nobody holds.
        warrant = "PC1" if n in (0, 3) else "PC9999"
        with TestClient(app) as public:
            answers[n] = check(public, warrant, live if n == 3 else _wrong(live)).json()["verified"]

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(5)]
    threads[0].start()
    assert gate.entered.wait(timeout=30)
    for thread in threads[1:]:
        thread.start()
    deadline = time.monotonic() + 30
    while app.state.streetlight.checks.waiting < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    gate.opened.set()
    for thread in threads:
        thread.join(timeout=30)
    assert answers == {0: False, 1: False, 2: False, 3: True, 4: False}
    assert gate.sizes == [1, 4]
