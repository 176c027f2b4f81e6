"""The conduct-report pages over HTTP (SQLite and PostgreSQL): a report with a photo from the
form that works without JavaScript, the receipt shown once, the conversation through the
receipt pages, refusals that keep what was typed, and one answer for every wrong code."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from streetlight.conduct import handling
from streetlight.db.enums import ConductContext, ConductItemKind, Role
from streetlight.db.models import AuditEntry, ConductReport
from tests.conduct.force import Force, build
from tests.web.conftest import Clock, MakeStaff, csrf_token, sign_in
from tests.web.reporting import receipt_of

WHAT = "He stopped me alone, showed a card and said to come with him."


def _photo_with_gps() -> bytes:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (54.0, 34.0, 30.0), 3: "W", 4: (1.0, 14.0, 2.0)}
    out = io.BytesIO()
    Image.new("RGB", (30, 20), (10, 120, 200)).save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


@pytest.fixture
def force(app_sessions: sessionmaker[Session]) -> Force:
    with app_sessions.begin() as session:
        built = build(session)
        session.expunge_all()
    return built


@pytest.fixture
def public(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as client:
        yield client


def _send(
    client: TestClient, files: list[tuple[str, tuple[str, bytes, str]]] | None = None, **fields: str
) -> str:
    form = {"csrf_token": csrf_token(client, "/conduct"), "origin": "public", "what": WHAT}
    form.update(fields)
    response = client.post("/conduct", data=form, files=files or [])
    return (
        response.text if response.status_code == 200 else f"{response.status_code}:{response.text}"
    )


def test_a_report_with_a_photo_then_the_conversation_by_receipt(
    public: TestClient, force: Force, app_sessions: sessionmaker[Session], clock: Clock
) -> None:
    page = public.get("/conduct?lang=fr")
    assert "<script" not in page.text  # works without JavaScript: there is none
    assert page.status_code == 200 and "Signaler le comportement d&#39;un policier" in page.text
    done = _send(
        public, files=[("files", ("IMG_0042.jpg", _photo_with_gps(), "image/jpeg"))],
        warrant="PC101", when="Friday night", where="Albert Road",
    )  # fmt: skip
    code = receipt_of(done)
    assert code is not None and re.fullmatch(r"([0-9A-Z]{4}-){4}[0-9A-Z]{4}", code)
    with app_sessions.begin() as session:
        report = session.scalars(select(ConductReport)).one()
        desk = session.merge(force.recipients["public-desk"])
        view = handling.open_report(session, desk, force.key("public-desk"), report.id, now=clock())
        photo = next(i for i in view.items if i.kind is ConductItemKind.ATTACHMENT)
        assert photo.header["name"] == "attachment 1"  # not the phone's file name
        with Image.open(io.BytesIO(photo.body)) as image:
            assert len(image.getexif()) == 0
        handling.reply(
            session, desk, report.id, "Which part of Albert Road?", question=True, now=clock()
        )

    token = csrf_token(public, "/conduct/receipt")
    opened = public.post("/conduct/receipt", data={"csrf_token": token, "receipt": code.lower()})
    assert opened.status_code == 200
    assert "Which part of Albert Road?" in opened.text and WHAT in opened.text
    assert "We have asked you a question" in opened.text
    assert "Download attachment 1" in opened.text
    added = public.post(
        "/conduct/receipt/add",
        data={"csrf_token": token, "receipt": code, "text": "By the bus shelter."},
    )
    assert added.status_code == 200 and "Sent. The investigator will see it." in added.text
    item = re.search(r'name="item" value="(\d+)"', added.text)
    assert item is not None
    download = public.post(
        "/conduct/receipt/file", data={"csrf_token": token, "receipt": code, "item": item.group(1)}
    )
    assert download.status_code == 200 and download.headers["content-type"] == "image/jpeg"
    assert download.headers["content-disposition"] == 'attachment; filename="attachment-1.jpg"'
    with app_sessions.begin() as session:
        desk = session.merge(force.recipients["public-desk"])
        report = session.scalars(select(ConductReport)).one()
        texts = [
            i.text
            for i in handling.open_report(
                session, desk, force.key("public-desk"), report.id, now=clock()
            ).items
            if i.kind is ConductItemKind.MESSAGE
        ]
        assert texts == ["Which part of Albert Road?", "By the bus shelter."]
        actors = set(
            session.scalars(
                select(AuditEntry.actor).where(AuditEntry.action.like("conduct.reporter%"))
            )
        )
        assert actors == {"public"}


def test_a_refused_report_keeps_what_was_typed_and_stores_nothing(
    public: TestClient, force: Force, app_sessions: sessionmaker[Session]
) -> None:
    refused = public.post(
        "/conduct",
        data={
            "csrf_token": csrf_token(public, "/conduct"),
            "what": " ",
            "warrant": "PC101",
            "where": "Linthorpe",
        },
    )
    assert refused.status_code == 400
    assert "Say what happened" in refused.text and 'value="Linthorpe"' in refused.text
    bad_file = _send(
        public, files=[("files", ("x.exe", b"MZ\x90\x00binary", "application/octet-stream"))]
    )
    assert bad_file.startswith("400:") and "The files could not be taken" in bad_file
    with app_sessions() as session:
        assert session.scalars(select(ConductReport)).all() == []


def test_every_wrong_code_gets_one_answer(public: TestClient, force: Force) -> None:
    token = csrf_token(public, "/conduct/receipt")
    answers = {
        public.post("/conduct/receipt", data={"csrf_token": token, "receipt": typed}).text
        for typed in ("", "nonsense", "0000-0000-0000-0000-0000")
    }
    assert len(answers) == 1 and "We could not find a report with that code" in answers.pop()


def test_a_member_of_staff_signed_in_reports_without_being_linked_to_it(
    app: FastAPI, force: Force, app_sessions: sessionmaker[Session], clock: Clock,
    make_staff: MakeStaff,
) -> None:  # fmt: skip
    colleague = make_staff(Role.SUPERVISOR, "colleague")
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as browser:
        assert sign_in(browser, colleague, clock).status_code == 303
        page = browser.get("/conduct")
        assert "colleague" not in page.text.lower()  # the page does not know who is signed in
        done = _send(browser, origin="staff", warrant="PC101")
        assert receipt_of(done) is not None
    with app_sessions() as session:
        report = session.scalars(select(ConductReport)).one()
        assert report.origin is ConductContext.STAFF and report.context is ConductContext.STAFF
        actors = session.scalars(
            select(AuditEntry.actor).where(AuditEntry.action == "conduct.submitted")
        ).all()
        assert actors == ["public"]
    with app_sessions() as session:
        assert "colleague" not in "".join(
            str(v) for v in session.execute(select(ConductReport)).one()
        )


def test_an_unexpected_error_quotes_nothing_of_the_report(
    public: TestClient, force: Force, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    from streetlight.conduct import intake

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError(f"failed on {WHAT}")

    monkeypatch.setattr(intake, "submit", broken)
    answer = public.post(
        "/conduct", data={"csrf_token": csrf_token(public, "/conduct"), "what": WHAT}
    )
    assert answer.status_code == 500 and WHAT not in answer.text
    assert "nothing you wrote was kept or logged" in answer.text
    assert WHAT not in caplog.text and "RuntimeError" in caplog.text
