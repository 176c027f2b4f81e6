"""Taking public reports in (SQLite and PostgreSQL): what is stored and audited, what is refused
and writes nothing, replays, the rate limit and duplicates."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db import ratelimit
from streetlight.db.models import PublicReport, RateLimitHit
from streetlight.reports import receipts, submission
from streetlight.reports.area import ReportArea
from streetlight.reports.categories import AuditFactor, Factor, ReportStatus
from streetlight.reports.receipt_status import lookup
from streetlight.reports.submission import Receipt, default_limits
from streetlight.reports.validation import ReportRejectedError
from tests.conftest import database_text
from tests.reports.sending import (
    CLIENT,
    FAR,
    INSIDE,
    LIMITS,
    NEARBY,
    NOW,
    OTHER_CLIENT,
    OUTSIDE,
    TODAY,
    Submit,
    audit_rows,
    nonce,
    pinned,
    refused,
    submit_in,
    typed,
)


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


def test_submissions_are_audited_without_content(
    sessions: sessionmaker[Session], send: Submit
) -> None:
    receipt = send(pinned(place="Albert Park", text="He said 07700 900123"))
    rows = audit_rows(sessions)
    assert [(r.actor, r.action, r.subject) for r in rows] == [
        ("public", "report.submitted", f"report:{receipt.report_id}")
    ]
    assert json.loads(rows[0].details) == {"report_id": receipt.report_id}


def test_the_client_address_is_never_stored(sessions: sessionmaker[Session], send: Submit) -> None:
    send(client=CLIENT)
    send(typed(), client=CLIENT)
    refused(send, client=CLIENT)  # a duplicate
    dump = database_text(sessions)
    assert CLIENT not in dump
    assert hashlib.sha256(CLIENT.encode()).hexdigest() not in dump
    assert CLIENT.replace(".", "") not in dump


# --- What is refused -----------------------------------------------------------------------------


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
    with sessions() as session, pytest.raises(ReportRejectedError) as caught:
        submit_in(session, pinned(), area, nonce_hash="")
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
    real = submission._nonce_used
    calls: list[str] = []

    def first_misses(session: Session, nonce_hash: str) -> bool:
        calls.append(nonce_hash)
        return False if len(calls) == 1 else real(session, nonce_hash)

    monkeypatch.setattr(submission, "_nonce_used", first_misses)
    with sessions.begin() as session:
        with pytest.raises(ReportRejectedError) as caught:
            submit_in(session, pinned(FAR), area, client=OTHER_CLIENT, nonce_hash=token)
        assert caught.value.reason == "replayed" and len(calls) == 2
        # The savepoint kept the transaction usable: the rate-limit hit is still there.
        assert ratelimit.hits(session, LIMITS.per_client, OTHER_CLIENT, NOW) == 1
    with sessions() as session:
        assert ratelimit.hits(session, LIMITS.per_client, OTHER_CLIENT, NOW) == 1
        assert len(session.scalars(select(PublicReport)).all()) == 1


def test_other_integrity_errors_are_not_called_replays(
    sessions: sessionmaker[Session], area: ReportArea, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(receipts, "receipt_hash", lambda code: "same" * 16)
    with sessions.begin() as session:
        submit_in(session, pinned(), area)
    with sessions() as session, pytest.raises(IntegrityError):
        submit_in(session, pinned(FAR), area)


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
                    submit_in(session, pinned(where), area, client=client, nonce_hash=token)
                )
        except ReportRejectedError as exc:
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
    issued = [r for r in results if isinstance(r, Receipt)]
    assert len(issued) == 1 and [r for r in results if r not in issued] == ["replayed"]
    with sessions() as session:
        assert len(session.scalars(select(PublicReport)).all()) == 1


def test_a_client_may_send_five_reports_an_hour(send: Submit) -> None:
    for n in range(5):
        send(pinned(occurred_on=TODAY - timedelta(days=n + 1)), now=NOW + timedelta(minutes=n))
    limited = refused(send, pinned(FAR), now=NOW + timedelta(minutes=10))
    assert (limited.reason, limited.field) == ("too_many", "")
    send(pinned(FAR), client=OTHER_CLIENT, now=NOW + timedelta(minutes=10))  # someone else
    # An hour after the first one's ten-minute step (`HIT_RESOLUTION`), there is room again.
    room = LIMITS.per_client.stamp(NOW) + timedelta(hours=1)
    assert refused(send, pinned(FAR), now=room - timedelta(seconds=1)).reason == "too_many"
    send(pinned(FAR), now=room)


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


def test_the_report_keeps_nothing_derived_from_the_client(
    sessions: sessionmaker[Session], send: Submit
) -> None:
    """Duplicates are found through the day's keyed rate-limit hits, stamped with the end of the
    day; the report row keeps no duplicate hash, and no hit keeps the report's instant."""
    now = NOW + timedelta(minutes=3, seconds=7, microseconds=5)
    first = send(pinned(INSIDE), now=now)
    with sessions() as session:
        assert session.get_one(PublicReport, first.report_id).dedupe_hash is None
        stamps = set(session.scalars(select(RateLimitHit.at)))
    assert stamps == {NOW + timedelta(minutes=10), _midnight_after(NOW)}
    assert refused(send, pinned(INSIDE), now=now + timedelta(hours=2)).reason == "duplicate"


def _midnight_after(now: datetime) -> datetime:
    return datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
