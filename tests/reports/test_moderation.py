"""The analysts' moderation (SQLite and PostgreSQL): the queue and its possible duplicates, the
raw text's audited view, and the moves with their audit rows and refusals."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db import audit
from streetlight.db.models import PublicReport
from streetlight.reports.area import ReportArea
from streetlight.reports.categories import Factor, ReportStatus
from streetlight.reports.moderation import (
    ModerationError,
    ReportNotFoundError,
    accept,
    count,
    get_row,
    locate,
    merge,
    queue,
    reject,
    respond,
    view_detail,
)
from tests.reports.sending import (
    FAR,
    INSIDE,
    NEARBY,
    NOW,
    OTHER_CLIENT,
    OUTSIDE,
    TODAY,
    Submit,
    audit_rows,
    pinned,
    typed,
)

# --- The queue -----------------------------------------------------------------------------------


def test_possible_duplicates_share_a_cell_day_and_factor(
    sessions: sessionmaker[Session], send: Submit
) -> None:
    a = send(pinned(INSIDE, frozenset({Factor.POOR_LIGHTING, Factor.ISOLATED})))
    b = send(pinned(NEARBY, frozenset({Factor.ISOLATED})), client=OTHER_CLIENT)
    c = send(pinned(NEARBY, frozenset({Factor.FOLLOWED})), client="192.0.2.1")  # no shared factor
    d = send(pinned(FAR), client="192.0.2.2")  # another cell
    e = send(pinned(INSIDE, occurred_on=TODAY - timedelta(days=3)), client="192.0.2.3")
    f = send(typed("Albert Park gates"), client="192.0.2.4")
    g = send(typed("albert park, gates."), client="192.0.2.5")
    with sessions() as session:
        rows = {row.id: row for row in queue(session)}
    assert rows[a.report_id].possible_duplicates == (b.report_id,)
    assert rows[b.report_id].possible_duplicates == (a.report_id,)
    for lone in (c, d, e):
        assert rows[lone.report_id].possible_duplicates == ()
    assert rows[f.report_id].possible_duplicates == (g.report_id,)
    with sessions.begin() as session:
        reject(session, b.report_id, actor="ann", now=NOW)
    with sessions() as session:
        assert get_row(session, a.report_id).possible_duplicates == ()
        assert get_row(session, b.report_id).possible_duplicates == (a.report_id,)


def test_the_queue_filters_orders_and_scrubs(sessions: sessionmaker[Session], send: Submit) -> None:
    ids = [
        send(
            pinned(
                INSIDE,
                frozenset({Factor.FOLLOWED}) if n % 2 else frozenset({Factor.NO_CCTV}),
                time_band=n % 8,
                text="Car AB12 CDE, call 07700 900123 or me@example.com",
                place="near 07700 900123",
            ),
            client=f"192.0.2.{n}",
        ).report_id
        for n in range(6)
    ]
    with sessions.begin() as session:
        accept(session, ids[0], actor="ann", now=NOW)
        reject(session, ids[1], actor="ann", now=NOW)
    with sessions() as session:
        pending = queue(session)
        assert [r.id for r in pending] == ids[2:]  # oldest first
        assert pending[0].text == "Car [vehicle], call [phone] or [email]"
        assert pending[0].place == "near [phone]"
        assert [r.id for r in queue(session, status=None)] == ids[::-1]  # newest first
        assert [r.id for r in queue(session, status=ReportStatus.ACCEPTED)] == [ids[0]]
        assert [r.id for r in queue(session, factor=Factor.FOLLOWED)] == [ids[3], ids[5]]
        assert [r.id for r in queue(session, status=None, band=1)] == [ids[1]]
        assert [r.id for r in queue(session, limit=2, offset=1)] == ids[3:5]
        assert [r.id for r in queue(session, limit=0)] == ids[2:3]
        assert count(session) == 4 and count(session, status=None) == 6


def test_view_detail_shows_the_raw_text_and_is_audited(
    sessions: sessionmaker[Session], send: Submit
) -> None:
    receipt = send(pinned(text="call 07700 900123", place="by AB12 CDE"))
    with sessions.begin() as session:
        row = view_detail(session, receipt.report_id, actor="ann", now=NOW)
        assert (row.text, row.place) == ("call 07700 900123", "by AB12 CDE")
        assert get_row(session, receipt.report_id).text == "call [phone]"
    last = audit_rows(sessions)[-1]
    assert (last.actor, last.action, last.subject) == ("ann", "report.viewed", f"report:{row.id}")
    assert "07700" not in last.details


def test_unknown_reports(sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        for call in (
            lambda: get_row(session, 99),
            lambda: view_detail(session, 99, actor="ann", now=NOW),
            lambda: accept(session, 99, actor="ann", now=NOW),
            lambda: reject(session, 99, actor="ann", now=NOW),
            lambda: respond(session, 99, "done", actor="ann", now=NOW),
            lambda: locate(session, 99, *INSIDE, area=None, actor="ann", now=NOW),
        ):
            with pytest.raises(ReportNotFoundError, match="99"):
                call()


# --- The moves -----------------------------------------------------------------------------------


def test_moderation_moves_are_audited(sessions: sessionmaker[Session], send: Submit) -> None:
    a = send(pinned(INSIDE)).report_id
    b = send(pinned(INSIDE), client=OTHER_CLIENT).report_id
    c = send(typed(), client="192.0.2.1").report_id
    with sessions.begin() as session:
        accept(session, a, actor="ann", now=NOW)
        merge(session, b, a, actor="ann", now=NOW)
        reject(session, c, actor="bob", now=NOW)
        accept(session, c, actor="bob", now=NOW)  # a second look
        respond(session, a, "  We asked the council\r\nto fix the lights. ", actor="ann", now=NOW)
        locate(session, c, *FAR, area=None, actor="bob", now=NOW)
    moves = [(r.actor, r.action, r.subject, json.loads(r.details)) for r in audit_rows(sessions)]
    assert moves[3:] == [
        ("ann", "report.accepted", f"report:{a}", {"from": "pending", "to": "accepted"}),
        ("ann", "report.merged", f"report:{b}", {"from": "pending", "into": a}),
        ("bob", "report.rejected", f"report:{c}", {"from": "pending", "to": "rejected"}),
        ("bob", "report.accepted", f"report:{c}", {"from": "rejected", "to": "accepted"}),
        ("ann", "report.responded", f"report:{a}", {"chars": 39, "replaced": False}),
        ("bob", "report.located", f"report:{c}", {}),
    ]
    with sessions() as session:
        assert audit.verify_chain(session).ok
        row_a, row_b, row_c = (get_row(session, n) for n in (a, b, c))
    assert row_a.response == "We asked the council\nto fix the lights."
    assert row_a.responded_on == TODAY
    assert (row_b.status, row_b.merged_into_id) == (ReportStatus.MERGED, a)
    assert (row_c.status, row_c.lon, row_c.lat) == (ReportStatus.ACCEPTED, *FAR)


def test_impossible_moves(sessions: sessionmaker[Session], send: Submit, area: ReportArea) -> None:
    a = send(pinned(INSIDE)).report_id
    b = send(pinned(INSIDE), client=OTHER_CLIENT).report_id
    c = send(typed(), client="192.0.2.1").report_id
    d = send(typed(), client="192.0.2.2").report_id
    with sessions.begin() as session:
        merge(session, b, a, actor="ann", now=NOW)
        reject(session, d, actor="ann", now=NOW)
    cases: list[tuple[Callable[[Session], None], str]] = [
        (lambda s: merge(s, a, a, actor="ann", now=NOW), "itself"),
        (lambda s: merge(s, c, b, actor="ann", now=NOW), "merged"),  # into a merged report
        (lambda s: merge(s, c, d, actor="ann", now=NOW), "rejected"),
        (lambda s: merge(s, a, c, actor="ann", now=NOW), "chain"),  # b is merged into a
        (lambda s: merge(s, b, c, actor="ann", now=NOW), "already merged"),
        (lambda s: accept(s, b, actor="ann", now=NOW), "merged into report"),
        (lambda s: reject(s, b, actor="ann", now=NOW), "merged into report"),
        (lambda s: respond(s, a, "  \n ", actor="ann", now=NOW), "empty"),
        (lambda s: respond(s, a, "x" * 1001, actor="ann", now=NOW), "at most 1000"),
        (lambda s: respond(s, a, "bell\x07", actor="ann", now=NOW), "not allowed"),
        (lambda s: locate(s, a, *FAR, area=area, actor="ann", now=NOW), "already"),
        (lambda s: locate(s, c, *OUTSIDE, area=area, actor="ann", now=NOW), "outside"),
        (lambda s: locate(s, c, float("nan"), 54.5, area=None, actor="ann", now=NOW), "range"),
    ]
    for call, words in cases:
        with sessions() as session, pytest.raises(ModerationError, match=words):
            call(session)
    with sessions() as session:
        with pytest.raises(ReportNotFoundError):
            merge(session, c, 999, actor="ann", now=NOW)
        assert get_row(session, a).status is ReportStatus.PENDING
        assert get_row(session, c).lon is None


def test_the_database_refuses_a_merge_without_a_target(
    sessions: sessionmaker[Session], send: Submit
) -> None:
    a = send().report_id
    with sessions() as session, pytest.raises(IntegrityError):
        session.get_one(PublicReport, a).status = ReportStatus.MERGED
        session.flush()
