"""Helpers for the tests of reports in the database: a fixed time, an area around Middlesbrough
with points in and near it, submissions (pinned or typed) and sending one in a session."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.models import AuditEntry
from streetlight.reports.area import ReportArea
from streetlight.reports.categories import Factor
from streetlight.reports.submission import Receipt, ReportLimits, default_limits, submit
from streetlight.reports.validation import ReportRejectedError, Submission

NOW = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)
TODAY = NOW.date()
CLIENT = "203.0.113.7"
OTHER_CLIENT = "198.51.100.23"
# Middlesbrough: a square of about 6 by 11 km, and points in and near it.
SQUARE = [[-1.30, 54.50], [-1.20, 54.50], [-1.20, 54.60], [-1.30, 54.60], [-1.30, 54.50]]
INSIDE = (-1.25, 54.55)
NEARBY = (-1.2501, 54.5501)  # about 13 m away: the same 250 m cell
FAR = (-1.22, 54.52)  # a few km away
OUTSIDE = (-1.10, 54.55)
LIMITS = default_limits()

_nonces = iter(range(10**9))


def nonce() -> str:
    return f"{next(_nonces):064x}"


def pinned(
    where: tuple[float, float] = INSIDE,
    factors: frozenset[Factor] = frozenset({Factor.POOR_LIGHTING}),
    **fields: object,
) -> Submission:
    values: dict[str, object] = {
        "factors": factors,
        "occurred_on": TODAY - timedelta(days=1),
        "time_band": 7,
        "lon": where[0],
        "lat": where[1],
    }
    values.update(fields)
    return Submission(**values)  # type: ignore[arg-type]


def typed(place: str = "The underpass by the bus station", **fields: object) -> Submission:
    return replace(pinned(), lon=None, lat=None, place=place, **fields)  # type: ignore[arg-type]


def submit_in(
    session: Session,
    submission: Submission,
    area: ReportArea | None,
    *,
    client: str = CLIENT,
    nonce_hash: str | None = None,
    limits: ReportLimits = LIMITS,
    now: datetime = NOW,
) -> Receipt:
    """`submit` in the caller's session (a fresh nonce unless one is given)."""
    return submit(
        session,
        submission,
        area=area,
        client_key=client,
        nonce_hash=nonce() if nonce_hash is None else nonce_hash,
        limits=limits,
        now=now,
    )


Submit = Callable[..., Receipt]


def refused(send: Submit, *args: object, **kwargs: object) -> ReportRejectedError:
    with pytest.raises(ReportRejectedError) as caught:
        send(*args, **kwargs)
    return caught.value


def audit_rows(sessions: sessionmaker[Session]) -> list[AuditEntry]:
    with sessions() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
