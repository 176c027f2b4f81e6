"""Conduct reports end to end on a real database (SQLite and PostgreSQL): a member of the public
reports, comes back with the receipt and converses; the officer's line never sees it; the
database alone opens nothing; repeated reports about one officer escalate."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from streetlight.conduct import handling, intake, joinup, reporter
from streetlight.conduct.handling import NotARecipientError
from streetlight.conduct.intake import ConductRejectedError, NewReport
from streetlight.conduct.reporter import ReceiptNotFoundError
from streetlight.db.enums import ConductContext, ConductItemKind, ConductStatus, VerificationOutcome
from streetlight.db.models import AuditEntry, ConductReport, Verification
from streetlight.verify.service import token_hash
from tests.conduct.force import NOW, build
from tests.conftest import database_text

WHAT = "He showed a warrant card at the bus stop and told me to get in his car."


def _public(**fields: object) -> NewReport:
    values: dict[str, object] = {"origin": ConductContext.PUBLIC, "what": WHAT, "when": "Friday"}
    values.update(fields)
    return NewReport(**values)  # type: ignore[arg-type]


def test_a_report_reaches_its_recipients_and_never_the_officers_line(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        force = build(session)
        sent = intake.submit(session, _public(warrant=" pc101 "), now=NOW)
        assert (sent.context, sent.readers, sent.escalated) == (ConductContext.PUBLIC, 3, False)
        report = session.get(ConductReport, sent.report_id)
        assert report is not None and report.officer_id == force.constable

        desk = force.recipients["public-desk"]
        view = handling.open_report(
            session, desk, force.key("public-desk"), sent.report_id, now=NOW
        )
        assert view.items[0].text == WHAT and view.items[0].header["warrant"] == " pc101 "
        reasons = {r.recipient_id: (r.receives, r.reason) for r in view.routing}
        assert reasons[force.recipients["sergeant"].id] == (
            False,
            "is in the reported officer's line of command (their line manager)",
        )
        assert reasons[force.recipients["civilian"].id] == (True, "receives public reports")
        assert reasons[force.recipients["senior"].id] == (
            False,
            "senior recipient: opens the case if it escalates",
        )
        # The sergeant is refused, and the refusal is logged; so is the senior before escalation.
        for name in ("sergeant", "senior", "staff-desk"):
            with pytest.raises(NotARecipientError):
                handling.open_report(
                    session, force.recipients[name], force.key(name), sent.report_id, now=NOW
                )
            assert handling.inbox(session, force.recipients[name], now=NOW) == []
        refused = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "conduct.refused")
        ).all()
        assert len(refused) == 3
        assert [row.report_id for row in handling.inbox(session, desk, now=NOW)] == [sent.report_id]


def test_the_database_alone_opens_nothing(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        build(session)
        sent = intake.submit(
            session,
            _public(warrant="PC101", description="tall, grey coat", where="Linthorpe Rd"),
            now=NOW,
        )
    dump = database_text(sessions)
    for secret in (WHAT, "grey coat", "Linthorpe", sent.receipt, sent.receipt.replace("-", "")):
        assert secret not in dump
    assert "Friday" not in dump


def test_the_reporter_converses_with_the_receipt_and_never_sees_notes(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        force = build(session)
        sent = intake.submit(session, _public(warrant="PC101"), now=NOW)
        desk, key = force.recipients["public-desk"], force.key("public-desk")
        later = NOW + timedelta(days=1)
        handling.note(session, desk, sent.report_id, "Check the bus stop CCTV.", now=later)
        handling.reply(
            session, desk, sent.report_id, "Which bus stop was it?", question=True, now=later
        )
        typed = sent.receipt.lower().replace("-", " ")
        mine = reporter.open_by_receipt(session, typed, now=later)
        assert mine.status is ConductStatus.WAITING_FOR_REPORTER
        assert [i.kind for i in mine.items] == [ConductItemKind.REPORT, ConductItemKind.MESSAGE]
        assert mine.items[1].text == "Which bus stop was it?"
        reporter.add(session, sent.receipt, "The one outside the station.", now=later)
        view = handling.open_report(session, desk, key, sent.report_id, now=later)
        assert [i.text for i in view.items][-1] == "The one outside the station."
        assert view.report.status is ConductStatus.INVESTIGATING
        assert view.report.acknowledged_at == later
        for wrong in ("not a code", "0000-0000-0000-0000-0000", ""):
            with pytest.raises(ReceiptNotFoundError, match="no report has this receipt code"):
                reporter.open_by_receipt(session, wrong, now=later)


def test_a_second_independent_report_escalates_the_case_with_its_history(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        force = build(session)
        first = intake.submit(session, _public(warrant="PC101"), now=NOW)
        handling.set_status(
            session, force.recipients["public-desk"], first.report_id, ConductStatus.CLOSED, now=NOW
        )
        second = intake.submit(
            session,
            _public(shoulder="4521", what="He exposed himself."),
            now=NOW + timedelta(days=400),
        )
        assert second.escalated
        senior = force.recipients["senior"]
        listed = handling.inbox(session, senior, now=NOW + timedelta(days=400))
        assert {r.report_id for r in listed} == {first.report_id, second.report_id}
        view = handling.open_report(
            session, senior, force.key("senior"), first.report_id, now=NOW + timedelta(days=401)
        )
        assert view.items[0].text == WHAT and view.case == (first.report_id, second.report_id)


def test_one_person_reporting_twice_does_not_escalate_until_a_second_source(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        force = build(session)
        desk = force.recipients["public-desk"]
        a = intake.submit(session, _public(description="tall, grey coat"), now=NOW)
        b = intake.submit(session, _public(description="grey coat again"), now=NOW)
        assert not a.escalated and not b.escalated
        assert not handling.link(session, desk, a.report_id, b.report_id, same_source=True, now=NOW)
        c = intake.submit(session, _public(description="a man in a grey coat"), now=NOW)
        assert handling.link(session, desk, b.report_id, c.report_id, now=NOW)


def test_a_report_about_a_professional_standards_officer_goes_to_oversight(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        force = build(session)
        sent = intake.submit(session, _public(warrant="PS401"), now=NOW)
        assert sent.context is ConductContext.OVERSIGHT
        with pytest.raises(NotARecipientError):
            handling.open_report(
                session,
                force.recipients["public-desk"],
                force.key("public-desk"),
                sent.report_id,
                now=NOW,
            )
        view = handling.open_report(
            session, force.recipients["oversight"], force.key("oversight"), sent.report_id, now=NOW
        )
        assert view.items[0].text == WHAT


def test_a_report_that_cannot_be_taken_says_which_part_and_writes_nothing(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        build(session)
        for bad, field in (
            (_public(what="  "), "what"),
            (_public(files=[b"MZ\x90binary"]), "files"),
            (_public(named=["A"] * 6), "named"),
            (NewReport(ConductContext.OVERSIGHT, WHAT), "origin"),
        ):
            with pytest.raises(ConductRejectedError) as refused:
                intake.submit(session, bad, now=NOW)
            assert refused.value.field == field
        assert session.scalars(select(ConductReport)).all() == []


def test_submissions_and_wrong_receipts_are_limited_per_client_without_storing_it(
    sessions: sessionmaker[Session],
) -> None:
    limit = intake.SUBMISSIONS
    with sessions.begin() as session:
        build(session)
        for _ in range(limit.max_hits):
            intake.submit(session, _public(), now=NOW, client="198.51.100.7")
        with pytest.raises(ConductRejectedError, match="too many reports"):
            intake.submit(session, _public(), now=NOW, client="198.51.100.7")
        intake.submit(session, _public(), now=NOW, client="203.0.113.9")  # another client
        for _ in range(reporter.FAILED_LOOKUPS.max_hits):
            with pytest.raises(ReceiptNotFoundError):
                reporter.open_by_receipt(session, "WRONG", now=NOW, client="198.51.100.7")
        with pytest.raises(reporter.ReceiptLimitedError):
            reporter.open_by_receipt(session, "WRONG", now=NOW, client="198.51.100.7")
    assert "198.51.100.7" not in database_text(sessions)


def test_a_case_reaches_across_officers_through_a_handlers_link(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        force = build(session)
        desk = force.recipients["public-desk"]
        about_dan = intake.submit(session, _public(warrant="PC101"), now=NOW)
        described = intake.submit(session, _public(description="grey coat"), now=NOW)
        unrelated = intake.submit(session, _public(description="someone else"), now=NOW)
        assert joinup.case_of(session, described.report_id).reports == (described.report_id,)
        handling.link(session, desk, about_dan.report_id, described.report_id, now=NOW)
        later = intake.submit(session, _public(warrant="PC101"), now=NOW)
        case = joinup.case_of(session, described.report_id).reports
        assert case == (about_dan.report_id, described.report_id, later.report_id)
        assert unrelated.report_id not in case


def test_a_report_is_assigned_only_to_one_of_its_recipients(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        force = build(session)
        sent = intake.submit(session, _public(warrant="PC101"), now=NOW)
        desk, civilian = force.recipients["public-desk"], force.recipients["civilian"]
        handling.assign(session, desk, sent.report_id, civilian.id, now=NOW)
        report = session.get(ConductReport, sent.report_id)
        assert report is not None and report.handler_id == civilian.id
        for outsider in ("sergeant", "staff-desk"):
            with pytest.raises(ConductRejectedError, match="recipient of this report"):
                handling.assign(
                    session, desk, sent.report_id, force.recipients[outsider].id, now=NOW
                )


def test_a_verify_check_names_the_officer_through_its_reference(
    sessions: sessionmaker[Session],
) -> None:
    """The reporter pastes the link of the chat page their check on /verify opened: the token
    in it is theirs alone, and the check it hashes to names the officer checked."""
    token = "k" * 43
    with sessions.begin() as session:
        force = build(session)
        session.add(
            Verification(
                token_hash=token_hash(token), warrant_number="PC101",
                officer_id=force.constable, outcome=VerificationOutcome.VERIFIED, at=NOW,
            )
        )  # fmt: skip
        session.flush()
        link = f"https://streetlight.example/verify/chat/{token}?lang=fr"
        sent = intake.submit(session, _public(verification=link), now=NOW)
        unknown = intake.submit(session, _public(verification="not-a-token"), now=NOW)
        assert session.get(ConductReport, sent.report_id).officer_id == force.constable  # type: ignore[union-attr]
        assert session.get(ConductReport, unknown.report_id).officer_id is None  # type: ignore[union-attr]
