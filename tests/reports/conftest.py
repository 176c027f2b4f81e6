"""Fixtures for the tests of reports in the database: the report area, and `send`, which
submits and commits one report like a request does."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy.orm import Session, sessionmaker

from streetlight.reports.area import ReportArea
from streetlight.reports.submission import Receipt, ReportLimits
from streetlight.reports.validation import Submission
from tests.conftest import Writer
from tests.reports.sending import CLIENT, LIMITS, NOW, SQUARE, Submit, pinned, submit_in


@pytest.fixture
def area(write: Writer) -> ReportArea:
    features = [{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [SQUARE]}}]
    return ReportArea.from_geojson(
        write("area.geojson", json.dumps({"type": "FeatureCollection", "features": features}))
    )


@pytest.fixture
def send(sessions: sessionmaker[Session], area: ReportArea) -> Submit:
    """Submit and commit one report (each call its own transaction, like a request);
    `report_area=None`: a force with no area."""

    def _send(
        submission: Submission | None = None,
        *,
        client: str = CLIENT,
        now: datetime = NOW,
        nonce_hash: str | None = None,
        limits: ReportLimits = LIMITS,
        report_area: ReportArea | str | None = "default",
    ) -> Receipt:
        where = area if report_area == "default" else report_area
        assert not isinstance(where, str)
        with sessions.begin() as session:
            return submit_in(
                session,
                submission if submission is not None else pinned(),
                where,
                client=client,
                nonce_hash=nonce_hash,
                limits=limits,
                now=now,
            )

    return _send
