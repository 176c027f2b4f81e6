"""Accepted reports as a frame for the analysis (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
from sqlalchemy.orm import Session, sessionmaker

from streetlight.reports.categories import Factor
from streetlight.reports.dataset import ACCEPTED_SCHEMA, accepted_frame, load_accepted
from streetlight.reports.moderation import accept, reject
from tests.reports.sending import (
    FAR,
    INSIDE,
    NEARBY,
    NOW,
    OTHER_CLIENT,
    TODAY,
    Submit,
    pinned,
    typed,
)


def test_accepted_frame_has_only_accepted_reports(
    sessions: sessionmaker[Session], send: Submit, database_url: str
) -> None:
    a = send(pinned(INSIDE, frozenset({Factor.POOR_LIGHTING, Factor.FOLLOWED}), time_band=3))
    b = send(typed(occurred_on=TODAY - timedelta(days=5)), client=OTHER_CLIENT)
    c = send(pinned(FAR), client="192.0.2.1")  # stays pending
    d = send(pinned(NEARBY), client="192.0.2.2")
    with sessions.begin() as session:
        for report in (a, b, d):
            accept(session, report.report_id, actor="ann", now=NOW)
        reject(session, d.report_id, actor="ann", now=NOW)
        frame = accepted_frame(session)
    assert c.report_id not in frame["report_id"].to_list()
    # The schema spelled out: the contract the perception layer and exports read.
    assert frame.schema == pl.Schema(
        {
            "report_id": pl.Int64,
            "lon": pl.Float64,
            "lat": pl.Float64,
            "occurred_on": pl.Date,
            "time_band": pl.Int8,
            "factor_mask": pl.Int64,
        }
    )
    assert frame.rows() == [
        (a.report_id, INSIDE[0], INSIDE[1], TODAY - timedelta(days=1), 3, 0b1000001),
        (b.report_id, None, None, TODAY - timedelta(days=5), 7, 1),
    ]
    assert load_accepted(database_url).equals(frame)


def test_an_empty_frame_has_the_schema(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        frame = accepted_frame(session)
    assert frame.is_empty() and frame.columns == list(ACCEPTED_SCHEMA)
