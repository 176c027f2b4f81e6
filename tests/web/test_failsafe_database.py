"""With the database down, every page and API answers "we cannot answer now; in an emergency
call 999" with 503, in the user's language (JSON under `/api/`), and `/safety` still works: it is
static advice and never touches the database, even for a signed-in browser."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from streetlight.db.models import Role
from tests.web.conftest import Clock, MakeStaff, csrf_token, sign_in
from tests.web.journeys import database_away

UNAVAILABLE = {"en": "cannot answer right now", "fr": "ne peut pas répondre pour le moment"}
SESSION = "sl_session"


@pytest.fixture
def down(app: FastAPI, make_staff: MakeStaff, clock: Clock) -> Iterator[tuple[TestClient, str]]:
    """A browser with a live staff session and a CSRF token, then the database taken away."""
    client = TestClient(app, base_url="http://testserver", follow_redirects=False)
    assert sign_in(client, make_staff(Role.OPERATOR), clock).status_code == 303
    token = csrf_token(client, "/verify")
    with database_away(app):
        yield client, token


def _assert_page(response: object, lang: str) -> None:
    assert response.status_code == 503, response.text  # type: ignore[attr-defined]
    text = response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("text/html")  # type: ignore[attr-defined]
    assert UNAVAILABLE[lang] in text and 'href="tel:999"' in text


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_pages_say_call_999_when_the_database_is_down(
    down: tuple[TestClient, str], lang: str
) -> None:
    client, token = down
    form = {"csrf_token": token, "token": "t" * 43, "place": "the bus stop"}
    _assert_page(client.post(f"/verify/location?lang={lang}", data=form), lang)
    _assert_page(client.get(f"/verify/chat/{'t' * 43}?lang={lang}"), lang)
    _assert_page(client.post(f"/verify/chat/{'t' * 43}?lang={lang}", data=form), lang)
    _assert_page(client.get(f"/console?lang={lang}"), lang)
    signin = {"csrf_token": token, "username": "operator", "password": "x", "code": "123456"}
    _assert_page(client.post(f"/signin?lang={lang}", data=signin), lang)
    anonymous = TestClient(client.app, base_url="http://testserver")
    signin["csrf_token"] = csrf_token(anonymous)  # the sign-in page itself needs no database
    _assert_page(anonymous.post(f"/signin?lang={lang}", data=signin), lang)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_api_answers_503_json_when_the_database_is_down(
    down: tuple[TestClient, str], lang: str
) -> None:
    client, _token = down
    headers = {"accept-language": lang}
    answers = [
        client.get("/api/v1/console/state", headers=headers),
        client.get("/api/v1/console/events", headers=headers),
        client.post(
            "/api/v1/reports/status", json={"receipt": "R7KX-94QM-2HFA-8ZCW"}, headers=headers
        ),
    ]
    for response in answers:
        assert response.status_code == 503, response.text
        body = response.json()
        assert UNAVAILABLE[lang] in body["detail"] and "999" in body["detail"]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_safety_never_touches_the_database(down: tuple[TestClient, str], lang: str) -> None:
    client, _token = down
    assert client.cookies.get(SESSION)
    page = client.get(f"/safety?lang={lang}")
    assert page.status_code == 200 and 'href="tel:999"' in page.text
    assert client.get("/safety-sw.js").status_code == 200
