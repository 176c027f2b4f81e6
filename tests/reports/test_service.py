"""Public reports in the database (SQLite and PostgreSQL): submission and its checks, receipts,
the moderation queue, audit, and the accepted frame for the analysis."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db import audit, ratelimit
from streetlight.db.models import AuditEntry, PublicReport, RateLimitSalt
from streetlight.reports import service
from streetlight.reports.area import ReportArea
from streetlight.reports.categories import AuditFactor, Factor, ReportStatus
from streetlight.reports.service import (
    ModerationError,
    ReportLimits,
    ReportNotFound,
    ReportRejected,
    Submission,
    accept,
    accepted_frame,
    default_limits,
    get_row,
    load_accepted,
    locate,
    lookup,
    merge,
    queue,
    reject,
    respond,
    submit,
    view_detail,
)
from tests.conftest import Writer

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


@pytest.fixture
def area(write: Writer) -> ReportArea:
    features = [{"type": "Feature", "geometry": {"type": "Polygon", "coordinates": [SQUARE]}}]
    return ReportArea.from_geojson(
        write("area.geojson", json.dumps({"type": "FeatureCollection", "features": features}))
    )


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


Submit = Callable[..., service.Receipt]


@pytest.fixture
def send(sessions: sessionmaker[Session], area: ReportArea) -> Submit:
    """Submit and commit one report (each call its own transaction, like a request)."""

    def _send(
        submission: Submission | None = None,
        *,
        client: str = CLIENT,
        now: datetime = NOW,
        nonce_hash: str | None = None,
        limits: ReportLimits = LIMITS,
        report_area: ReportArea | str | None = "default",
    ) -> service.Receipt:
        with sessions.begin() as session:
            return submit(
                session,
                submission if submission is not None else pinned(),
                area=area if report_area == "default" else report_area,  # type: ignore[arg-type]
                client_key=client,
                nonce_hash=nonce_hash or nonce(),
                limits=limits,
                now=now,
            )

    return _send


def refused(send: Submit, *args: object, **kwargs: object) -> ReportRejected:
    with pytest.raises(ReportRejected) as caught:
        send(*args, **kwargs)
    return caught.value


def audit_rows(sessions: sessionmaker[Session]) -> list[AuditEntry]:
    with sessions() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


# --- Submission ----------------------------------------------------------------------------------


def test_a_report_is_stored_pending_and_its_receipt_shows_it(
    sessions: sessionmaker[Session], send: Submit
) -> None:
    receipt = send(
        pinned(
            factors=frozenset({Factor.POOR_LIGHTING, Factor.FOLLOWED}),
            place="  Albert   Park,\r\nnorth gate ",
            text="Dark path.\r\nA man followed me  \r\n\r\n\r\n\r\nto the gate.",
            scores={AuditFactor.LIGHTING: 1, AuditFactor.PEOPLE: 2},
            language="fr",
        )
    )
    with sessions() as session:
        report = session.get_one(PublicReport, receipt.report_id)
        assert report.status is ReportStatus.PENDING
        assert (report.lon, report.lat) == INSIDE
        assert report.place == "Albert Park, north gate"
        assert report.text == "Dark path.\nA man followed me\n\nto the gate."
        assert (report.score_lighting, report.score_people, report.score_walkway) == (1, 2, None)
        assert report.submitted_on == TODAY and report.language == "fr"
        assert report.receipt_hash != receipt.code and len(report.receipt_hash) == 64
        status = lookup(session, receipt.code.lower().replace("-", " "))
    assert status is not None
    assert status.status is ReportStatus.PENDING
    assert status.factors == (Factor.POOR_LIGHTING, Factor.FOLLOWED)
    assert (status.occurred_on, status.time_band, status.response) == (
        TODAY - timedelta(days=1),
        7,
        "",
    )
    # What a receipt shows: never the place, the text or the point.
    assert not {"place", "text", "lon", "lat"} & set(vars(status))


def test_a_typed_place_needs_no_area_and_no_pin(send: Submit) -> None:
    receipt = send(typed(), report_area=None)
    assert receipt.report_id > 0


def test_unknown_and_malformed_receipts_show_nothing(
    sessions: sessionmaker[Session], send: Submit
) -> None:
    send()
    with sessions() as session:
        assert lookup(session, "0000-0000-0000-0000") is None
        assert lookup(session, "") is None
        assert lookup(session, "not a code") is None
        assert lookup(session, "A" * 10_000) is None


def test_submissions_are_audited_without_content(
    sessions: sessionmaker[Session], send: Submit
) -> None:
    receipt = send(pinned(place="Albert Park", text="He said 07700 900123"))
    rows = audit_rows(sessions)
    assert [(r.actor, r.action, r.subject) for r in rows] == [
        ("public", "report.submitted", f"report:{receipt.report_id}")
    ]
    assert json.loads(rows[0].details) == {"report_id": receipt.report_id}


def _everything(engine: Engine) -> str:
    """Every row of every table as text (what someone with a copy of the database sees)."""
    out = []
    with engine.connect() as connection:
        for table in inspect(engine).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                out.append(repr(tuple(row)))
    return "\n".join(out)


def test_the_client_address_is_never_stored(engine: Engine, send: Submit) -> None:
    send(client=CLIENT)
    send(typed(), client=CLIENT)
    refused(send, client=CLIENT)  # a duplicate
    dump = _everything(engine)
    assert CLIENT not in dump
    assert hashlib.sha256(CLIENT.encode()).hexdigest() not in dump
    assert CLIENT.replace(".", "") not in dump


# --- What is refused -----------------------------------------------------------------------------

BAD = [
    ({"factors": frozenset()}, "factors"),
    ({"factors": frozenset({"not_a_factor"})}, "factors"),
    ({"factors": "poor_lighting"}, "factors"),
    ({"time_band": 8}, "time_band"),
    ({"time_band": -1}, "time_band"),
    ({"time_band": True}, "time_band"),
    ({"time_band": "7"}, "time_band"),
    ({"occurred_on": TODAY + timedelta(days=2)}, "occurred_on"),
    ({"occurred_on": TODAY - timedelta(days=367)}, "occurred_on"),
    ({"occurred_on": "2026-11-29"}, "occurred_on"),
    ({"occurred_on": NOW}, "occurred_on"),
    ({"lon": None}, "location"),
    ({"lat": None}, "location"),
    ({"lon": float("nan")}, "location"),
    ({"lat": float("inf")}, "location"),
    ({"lon": 200.0}, "location"),
    ({"lat": "54.5"}, "location"),
    ({"place": "x" * 201}, "place"),
    ({"place": "bad\x00place"}, "place"),
    ({"place": 12}, "place"),
    ({"text": "x" * 1001}, "text"),
    ({"text": "x" * 1_000_000}, "text"),
    ({"text": "ring\x07bell"}, "text"),
    ({"text": "escape \x1b[31m red"}, "text"),
    ({"text": "reversed \u202e txt"}, "text"),
    ({"text": "zero\u200bwidth"}, "text"),
    ({"text": "half a pair \ud800"}, "text"),
    ({"scores": {AuditFactor.LIGHTING: 0}}, "score_lighting"),
    ({"scores": {AuditFactor.TRANSPORT: 6}}, "score_transport"),
    ({"scores": {AuditFactor.PEOPLE: 2.5}}, "score_people"),
    ({"scores": {AuditFactor.PEOPLE: True}}, "score_people"),
    ({"scores": {"noise": 3}}, ""),
    ({"language": "de"}, "language"),
]


@pytest.mark.parametrize(("fields", "field"), BAD)
def test_bad_input_is_refused_naming_the_field(
    area: ReportArea, fields: dict[str, object], field: str
) -> None:
    submission = replace(pinned(), **fields)  # type: ignore[arg-type]
    with pytest.raises(ReportRejected) as caught:
        service.validate(submission, area=area, now=NOW)
    assert (caught.value.reason, caught.value.field) == ("invalid", field)
    assert caught.value.message


def test_edges_that_are_accepted(area: ReportArea) -> None:
    for fields in [
        {"occurred_on": TODAY + timedelta(days=1)},  # a clock ahead of UTC
        {"occurred_on": TODAY - timedelta(days=366)},
        {"time_band": 0},
        {"place": "é" * 200},
        {"text": "x" * 1000},
        {"text": "x" * 998 + "\r\n" + "y"},  # CRLF counts as one character
        {"text": "tab\tand accents: àéîõü, ß, 東京"},
        {"scores": {a: 5 for a in AuditFactor}},
        {"scores": {"lighting": 1}},
        {"factors": frozenset({"followed"})},
    ]:
        service.validate(replace(pinned(), **fields), area=area, now=NOW)  # type: ignore[arg-type]


def test_no_pin_and_no_place_is_refused(area: ReportArea) -> None:
    with pytest.raises(ReportRejected) as caught:
        service.validate(typed(place="   \n "), area=area, now=NOW)
    assert (caught.value.field, caught.value.reason) == ("place", "invalid")


def test_a_pin_outside_the_area_or_with_no_area(send: Submit) -> None:
    outside = refused(send, pinned(OUTSIDE))
    assert (outside.field, outside.reason) == ("location", "outside_area")
    none = refused(send, pinned(), report_area=None)
    assert (none.field, none.reason) == ("location", "no_area")


def test_bad_submissions_write_nothing(engine: Engine, send: Submit) -> None:
    refused(send, pinned(OUTSIDE))
    refused(send, pinned(time_band=9))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM public_reports")).scalar() == 0
        assert connection.execute(text("SELECT COUNT(*) FROM audit_log")).scalar() == 0


def test_a_missing_nonce_is_refused(sessions: sessionmaker[Session], area: ReportArea) -> None:
    with sessions() as session, pytest.raises(ReportRejected) as caught:
        submit(
            session, pinned(), area=area, client_key=CLIENT, nonce_hash="", limits=LIMITS, now=NOW
        )
    assert caught.value.reason == "invalid"


# --- Replays, rate limits, duplicates ------------------------------------------------------------


def test_a_replayed_form_is_refused(send: Submit) -> None:
    token = nonce()
    send(nonce_hash=token)
    again = refused(send, pinned(FAR), client=OTHER_CLIENT, nonce_hash=token)
    assert (again.reason, again.field) == ("replayed", "")


def test_a_replay_the_check_missed_is_refused_by_the_unique_constraint(
    sessions: sessionmaker[Session], send: Submit, area: ReportArea, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two requests with one form at the same instant both pass the first check; the database's
    unique constraint refuses the second, and the caller's transaction lives on."""
    token = nonce()
    send(nonce_hash=token)
    real = service._nonce_used
    calls: list[str] = []

    def first_misses(session: Session, nonce_hash: str) -> bool:
        calls.append(nonce_hash)
        return False if len(calls) == 1 else real(session, nonce_hash)

    monkeypatch.setattr(service, "_nonce_used", first_misses)
    with sessions.begin() as session:
        with pytest.raises(ReportRejected) as caught:
            submit(
                session,
                pinned(FAR),
                area=area,
                client_key=OTHER_CLIENT,
                nonce_hash=token,
                limits=LIMITS,
                now=NOW,
            )
        assert caught.value.reason == "replayed" and len(calls) == 2
        # The savepoint kept the transaction usable: the rate-limit hit is still there.
        assert ratelimit.hits(session, LIMITS.per_client, OTHER_CLIENT, NOW) == 1
    with sessions() as session:
        assert ratelimit.hits(session, LIMITS.per_client, OTHER_CLIENT, NOW) == 1
        assert len(session.scalars(select(PublicReport)).all()) == 1


def test_other_integrity_errors_are_not_called_replays(
    sessions: sessionmaker[Session], area: ReportArea, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        "streetlight.reports.service.receipts.receipt_hash", lambda code: "same" * 16
    )
    with sessions.begin() as session:
        submit(
            session,
            pinned(),
            area=area,
            client_key=CLIENT,
            nonce_hash=nonce(),
            limits=LIMITS,
            now=NOW,
        )
    with sessions() as session, pytest.raises(IntegrityError):
        submit(
            session,
            pinned(FAR),
            area=area,
            client_key=CLIENT,
            nonce_hash=nonce(),
            limits=LIMITS,
            now=NOW,
        )


def test_a_concurrent_replay_gets_one_report(
    sessions: sessionmaker[Session], area: ReportArea
) -> None:
    """Two threads (two connections) send one form at once: one receipt, one "replayed"."""
    token = nonce()
    start = threading.Barrier(2)
    results: list[object] = []

    def attempt(client: str, where: tuple[float, float]) -> None:
        start.wait()
        try:
            with sessions.begin() as session:
                results.append(
                    submit(
                        session,
                        pinned(where),
                        area=area,
                        client_key=client,
                        nonce_hash=token,
                        limits=LIMITS,
                        now=NOW,
                    )
                )
        except ReportRejected as exc:
            results.append(exc.reason)
        except BaseException as exc:  # pragma: no cover - reported below
            results.append(exc)

    threads = [
        threading.Thread(target=attempt, args=(CLIENT, INSIDE)),
        threading.Thread(target=attempt, args=(OTHER_CLIENT, FAR)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    receipts = [r for r in results if isinstance(r, service.Receipt)]
    assert len(receipts) == 1 and [r for r in results if r not in receipts] == ["replayed"]
    with sessions() as session:
        assert len(session.scalars(select(PublicReport)).all()) == 1


def test_a_client_may_send_five_reports_an_hour(send: Submit) -> None:
    for n in range(5):
        send(pinned(occurred_on=TODAY - timedelta(days=n + 1)), now=NOW + timedelta(minutes=n))
    limited = refused(send, pinned(FAR), now=NOW + timedelta(minutes=10))
    assert (limited.reason, limited.field) == ("too_many", "")
    send(pinned(FAR), client=OTHER_CLIENT, now=NOW + timedelta(minutes=10))  # someone else
    # An hour after the first one, there is room again.
    send(pinned(FAR), now=NOW + timedelta(minutes=60, seconds=1))


def test_the_limit_is_configurable(send: Submit) -> None:
    one = default_limits(per_hour=1)
    send(limits=one)
    assert refused(send, pinned(FAR), limits=one).reason == "too_many"


def test_the_same_report_twice_in_a_day_is_a_duplicate(send: Submit) -> None:
    send(pinned(INSIDE))
    # The same 250 m cell, factors, date and band from the same client.
    again = refused(send, pinned(NEARBY), now=NOW + timedelta(minutes=5))
    assert (again.reason, again.field) == ("duplicate", "")
    send(typed())
    assert refused(send, typed("the  UNDERPASS by the bus-station!")).reason == "duplicate"


def test_what_is_not_a_duplicate(send: Submit) -> None:
    send(pinned(INSIDE))
    send(pinned(INSIDE), client=OTHER_CLIENT)  # another person
    send(pinned(FAR))  # another cell
    send(pinned(INSIDE, frozenset({Factor.FOLLOWED})))  # other factors
    send(pinned(INSIDE, time_band=6))  # another band
    send(pinned(INSIDE, occurred_on=TODAY - timedelta(days=2)))  # another day
    send(pinned(INSIDE), now=NOW + timedelta(days=1))  # sent again the next day


def test_dedupe_hashes_cannot_be_linked_once_the_salt_rotates(
    sessions: sessionmaker[Session], send: Submit, area: ReportArea
) -> None:
    first = send(pinned(INSIDE))
    with sessions() as session:
        stored = session.get_one(PublicReport, first.report_id).dedupe_hash
        salt = ratelimit.day_salt(session, NOW)
    clean = service.validate(pinned(INSIDE), area=area, now=NOW)
    assert stored == service._dedupe_hash(salt, clean, CLIENT, area.crs)
    send(typed(), now=NOW + timedelta(days=1))  # the next day's first use rotates the salt
    with sessions() as session:
        assert session.scalars(select(RateLimitSalt.day)).all() == [TODAY + timedelta(days=1)]
        new_salt = ratelimit.day_salt(session, NOW + timedelta(days=1))
    # Yesterday's salt is gone: the same report from the same client no longer hashes the same.
    assert stored != service._dedupe_hash(new_salt, clean, CLIENT, area.crs)


# --- The analysts' queue -------------------------------------------------------------------------


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
        assert service.count(session) == 4 and service.count(session, status=None) == 6


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
            with pytest.raises(ReportNotFound, match="99"):
                call()


# --- Moderation ----------------------------------------------------------------------------------


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


def test_a_merged_reports_receipt_shows_the_response_to_the_other(
    sessions: sessionmaker[Session], send: Submit
) -> None:
    a = send(pinned(INSIDE))
    b = send(pinned(INSIDE), client=OTHER_CLIENT)
    with sessions.begin() as session:
        merge(session, b.report_id, a.report_id, actor="ann", now=NOW)
        respond(session, a.report_id, "Lights fixed", actor="ann", now=NOW + timedelta(days=2))
    with sessions() as session:
        status = lookup(session, b.code)
    assert status is not None and status.status is ReportStatus.MERGED
    assert (status.response, status.responded_on) == ("Lights fixed", TODAY + timedelta(days=2))


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
        with pytest.raises(ReportNotFound):
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


# --- Into the analysis ---------------------------------------------------------------------------


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
    assert frame.is_empty() and frame.columns == list(service.ACCEPTED_SCHEMA)


def test_factor_masks_round_trip() -> None:
    assert service.factor_mask([]) == 0
    assert service.factors_of(service.factor_mask([Factor.OTHER, Factor.POOR_LIGHTING])) == (
        Factor.POOR_LIGHTING,
        Factor.OTHER,
    )
    assert service.factors_of((1 << 11) - 1) == tuple(Factor)


def test_the_default_scores_are_empty_and_read_only() -> None:
    one = pinned()
    assert dict(one.scores) == {}
    with pytest.raises(TypeError):
        one.scores[AuditFactor.LIGHTING] = 3  # type: ignore[index]


def test_a_naive_now_is_refused(area: ReportArea) -> None:
    with pytest.raises(ValueError, match="naive"):
        service.validate(pinned(), area=area, now=datetime(2026, 11, 30, 18))
