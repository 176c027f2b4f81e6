"""Security keys (WebAuthn) as the second factor: adding and removing one's keys, and signing in
with password and key. Every failure answers exactly as a failed code sign-in does, the options
a browser fetches look the same for every username, and challenges are spent once."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url

from streetlight.db import officers as ops
from streetlight.db.models import AuditEntry, Role, StaffCredential, StaffUser, WebAuthnChallenge
from streetlight.staff.settings import SettingsError
from streetlight.staff.webauthn import MAX_KEYS
from streetlight.web.core.settings import load_settings
from tests.web.authenticator import SoftKey
from tests.web.conftest import Clock, MakeStaff, Staff, add_officer, csrf_token, sign_in

FAILED = "Sign-in failed: check your username, password and code."
SIGNIN_OPTIONS = "/api/v1/signin/webauthn/options"
BEGIN = "/api/v1/me/webauthn/register/options"
FINISH = "/api/v1/me/webauthn/register"
JSON = dict[str, Any]


# --- Helpers: a browser's side of each ceremony ------------------------------------------------


def new_key(app: FastAPI, **options: Any) -> SoftKey:
    """A software key for the app's relying party, answering from its expected origin."""
    settings = app.state.streetlight.settings
    return SoftKey(
        rp_id=settings.webauthn_rp_id, origin=settings.webauthn_expected_origin, **options
    )


def staff_headers(client: TestClient) -> dict[str, str]:
    return {"X-CSRF-Token": csrf_token(client, "/dashboard")}


def begin(client: TestClient) -> JSON:
    response = client.post(BEGIN, headers=staff_headers(client))
    assert response.status_code == 200, response.text
    options: JSON = response.json()
    return options


def finish(client: TestClient, credential: JSON, label: str = "Blue key") -> Response:
    body = {"label": label, "credential": credential}
    return client.post(FINISH, json=body, headers=staff_headers(client))


def add_key(client: TestClient, key: SoftKey, label: str = "Blue key") -> Response:
    return finish(client, key.register(begin(client)), label)


def enrol(app: FastAPI, staff: Staff, clock: Clock, key: SoftKey) -> None:
    """Sign `staff` in with their code (in a client of its own) and add `key`."""
    with TestClient(app, follow_redirects=False) as desk:
        assert sign_in(desk, staff, clock).status_code == 303
        assert add_key(desk, key).status_code == 201
    clock.advance(seconds=30)  # the next code sign-in needs a fresh code


def options_for(client: TestClient, username: str) -> JSON:
    headers = {"X-CSRF-Token": csrf_token(client)}
    response = client.post(SIGNIN_OPTIONS, json={"username": username}, headers=headers)
    assert response.status_code == 200, response.text
    options: JSON = response.json()
    return options


def key_sign_in(
    client: TestClient,
    staff: Staff,
    key: SoftKey,
    *,
    answer: JSON | None = None,
    path: str = "/signin/key",
    fields: Mapping[str, str] | None = None,
    **overrides: str,
) -> Response:
    """Post the sign-in form with the key's `answer` (by default, to fresh options for the
    username), as webauthn.js does; `fields` and `overrides` replace form fields as sent."""
    form = {
        "csrf_token": csrf_token(client),
        "username": staff.username,
        "password": staff.password,
    }
    form.update(fields or {})
    form.update(overrides)
    if "credential" not in form:
        answer = answer or key.sign(options_for(client, form["username"]))
        form["credential"] = json.dumps(answer)
    return client.post(path, data=form)


def audit_rows(sessions: sessionmaker[Session]) -> list[tuple[str, str, JSON]]:
    with sessions() as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        return [(row.action, row.subject, json.loads(row.details)) for row in rows]


def keys_of(sessions: sessionmaker[Session], username: str) -> list[StaffCredential]:
    with sessions() as session:
        query = select(StaffCredential).join(StaffUser).where(StaffUser.username == username)
        return list(session.scalars(query.order_by(StaffCredential.id)))


# --- Registration -------------------------------------------------------------------------------


def test_a_staff_member_adds_a_key_and_signs_in_with_it(
    app: FastAPI, client: TestClient, make_staff: MakeStaff, clock: Clock,
    app_sessions: sessionmaker[Session],
) -> None:  # fmt: skip
    staff = make_staff(Role.ANALYST, "an1")
    key = new_key(app)
    with TestClient(app, follow_redirects=False) as desk:
        sign_in(desk, staff, clock)
        assert 'id="keys-link"' in desk.get("/dashboard").text
        options = begin(desk)
        assert options["rp"] == {"id": "localhost", "name": "Streetlight"}
        assert options["user"]["name"] == "an1" and options["excludeCredentials"] == []
        added = finish(desk, key.register(options), "  Blue   key ")
        assert added.status_code == 201
        assert added.json()["label"] == "Blue key" and added.json()["transports"] == ["nfc", "usb"]
        page = desk.get("/account/keys?done=added")
        assert "Security key added." in page.text and "Blue key" in page.text
        assert key.id in begin(desk)["excludeCredentials"][0]["id"]  # not offered twice

    response = key_sign_in(client, staff, key)
    assert response.status_code == 303 and response.headers["location"] == "/dashboard"
    assert any(c.startswith("sl_session=") for c in response.headers.get_list("set-cookie"))
    assert client.get("/api/v1/me").json()["username"] == "an1"
    [stored] = keys_of(app_sessions, "an1")
    assert stored.sign_count == 1 and stored.last_used_at == clock()
    actions = [(action, details) for action, _subject, details in audit_rows(app_sessions)]
    assert ("webauthn.add", {"key": stored.id, "label": "Blue key"}) in actions
    assert actions[-1] == ("signin.success", {"method": "security_key", "key": stored.id})


def test_a_key_without_a_counter_signs_in_again_and_again(
    app: FastAPI, client: TestClient, make_staff: MakeStaff, clock: Clock
) -> None:
    staff = make_staff(Role.OPERATOR)
    key = new_key(app, counting=False)  # many passkeys report 0 every time
    enrol(app, staff, clock, key)
    for _ in range(2):
        assert key_sign_in(client, staff, key).status_code == 303
        client.cookies.clear()


def test_registration_answers_are_checked(
    app: FastAPI, make_staff: MakeStaff, clock: Clock, app_sessions: sessionmaker[Session]
) -> None:
    alice, bob = make_staff(Role.OPERATOR, "alice"), make_staff(Role.OPERATOR, "bob")
    key = new_key(app)
    with (
        TestClient(app, follow_redirects=False) as desk,
        TestClient(app, follow_redirects=False) as other,
    ):
        sign_in(desk, alice, clock)
        sign_in(other, bob, clock)
        alices = begin(desk)
        assert finish(other, key.register(alices)).status_code == 400  # issued to alice
        assert finish(desk, key.register(alices)).status_code == 400  # spent by that attempt
        wrong_origin = key.register(begin(desk), origin="https://evil.example")
        assert finish(desk, wrong_origin).status_code == 400
        assert finish(desk, {"id": "x", "rawId": "x", "response": {}}).status_code == 400
        answer = key.register(begin(desk))
        assert finish(desk, answer).status_code == 201
        assert finish(desk, answer).status_code == 400  # replayed
        assert add_key(other, key).status_code == 400  # the same key for a second account
        assert finish(desk, key.register(begin(desk)), label="   ").status_code == 400
    assert [k.label for k in keys_of(app_sessions, "alice")] == ["Blue key"]
    assert keys_of(app_sessions, "bob") == []


def test_registration_needs_a_signed_in_user_and_the_csrf_token(
    app: FastAPI, client: TestClient, make_staff: MakeStaff, clock: Clock
) -> None:
    anonymous = {"X-CSRF-Token": csrf_token(client)}
    assert client.post(BEGIN, headers=anonymous).status_code == 401
    assert client.get("/account/keys").headers["location"] == "/signin?next=/account/keys"
    sign_in(client, make_staff(Role.ADMIN), clock)
    assert client.post(BEGIN).status_code == 403
    assert client.post(BEGIN, headers={"X-CSRF-Token": "0" * 64}).status_code == 403


def test_an_account_has_at_most_ten_keys(
    app: FastAPI, client: TestClient, make_staff: MakeStaff, clock: Clock
) -> None:
    sign_in(client, make_staff(Role.SUPERVISOR), clock)
    for _ in range(MAX_KEYS):
        assert add_key(client, new_key(app)).status_code == 201
    refused = client.post(BEGIN, headers=staff_headers(client))
    assert refused.status_code == 409 and "at most 10" in refused.json()["detail"]


def test_removing_a_key(
    app: FastAPI, make_staff: MakeStaff, clock: Clock, app_sessions: sessionmaker[Session]
) -> None:
    alice, mallory = make_staff(Role.OPERATOR, "alice"), make_staff(Role.ADMIN, "mallory")
    key = new_key(app)
    enrol(app, alice, clock, key)
    [stored] = keys_of(app_sessions, "alice")
    with TestClient(app, follow_redirects=False) as other:
        sign_in(other, mallory, clock)
        token = csrf_token(other, "/account/keys")
        refused = other.post(f"/account/keys/{stored.id}/remove", data={"csrf_token": token})
        assert refused.headers["location"] == "/account/keys?lang=en&done=missing"
    assert len(keys_of(app_sessions, "alice")) == 1  # only one's own keys can be removed

    with TestClient(app, follow_redirects=False) as desk:
        sign_in(desk, alice, clock)
        page = desk.get("/account/keys?lang=fr")
        assert "Blue key" in page.text and "Retirer la clé Blue key" in page.text
        token = csrf_token(desk, "/account/keys")
        done = desk.post(f"/account/keys/{stored.id}/remove?lang=fr", data={"csrf_token": token})
        assert done.status_code == 303
        assert done.headers["location"] == "/account/keys?lang=fr&done=removed"
        page = desk.get(done.headers["location"])
        assert "Clé de sécurité retirée." in page.text and "Blue key" not in page.text
        assert desk.post(f"/account/keys/{stored.id}/remove", data={}).status_code == 403
    assert keys_of(app_sessions, "alice") == []
    removal = [r for r in audit_rows(app_sessions) if r[0] == "webauthn.remove"]
    assert removal == [("webauthn.remove", "alice", {"key": stored.id, "label": "Blue key"})]
    with TestClient(app, follow_redirects=False) as browser:
        response = key_sign_in(browser, alice, key)
        assert response.status_code == 401 and FAILED in response.text


# --- Sign-in options ------------------------------------------------------------------------------


def shape(value: object) -> object:
    """The structure of a JSON value without its contents: key names and value types (the
    distinct shapes of a list's items)."""
    if isinstance(value, dict):
        return {name: shape(item) for name, item in sorted(value.items())}
    if isinstance(value, list):
        return sorted({json.dumps(shape(item)) for item in value})
    return type(value).__name__


def test_options_look_the_same_for_every_username(
    app: FastAPI, client: TestClient, make_staff: MakeStaff, clock: Clock
) -> None:
    staff = make_staff(Role.OPERATOR, "op1")
    make_staff(Role.OPERATOR, "keyless")
    enrol(app, staff, clock, new_key(app))
    answers = {name: options_for(client, name) for name in ("op1", "keyless", "nobody")}
    shapes = {name: shape(options) for name, options in answers.items()}
    assert shapes["op1"] == shapes["keyless"] == shapes["nobody"]
    assert set(answers["nobody"]) == {
        "challenge", "timeout", "rpId", "allowCredentials", "userVerification",
    }  # fmt: skip
    for options in answers.values():
        assert options["rpId"] == "localhost" and options["timeout"] == 300_000
        assert len(base64url_to_bytes(options["challenge"])) == 32
        ids = [base64url_to_bytes(c["id"]) for c in options["allowCredentials"]]
        assert 1 <= len(ids) <= 2 and all(16 <= len(i) <= 64 for i in ids)
        assert all(set(c) == {"id", "type"} for c in options["allowCredentials"])
    # Stable for a name, as a real account's keys are; fresh challenges every time.
    again = options_for(client, " NOBODY ")
    assert again["allowCredentials"] == answers["nobody"]["allowCredentials"]
    assert again["challenge"] != answers["nobody"]["challenge"]
    assert options_for(client, "someone")["allowCredentials"] != again["allowCredentials"]
    assert (
        options_for(client, "keyless")["allowCredentials"] == answers["keyless"]["allowCredentials"]
    )


def test_options_need_the_csrf_token(client: TestClient) -> None:
    assert client.post(SIGNIN_OPTIONS, json={"username": "op1"}).status_code == 403


def test_a_client_cannot_fill_the_database_with_challenges(client: TestClient) -> None:
    """Each options answer stores a challenge: a client gets three per sign-in attempt it is
    allowed (20 by default), then waits."""
    headers = {"X-CSRF-Token": csrf_token(client)}
    answers = [
        client.post(SIGNIN_OPTIONS, json={"username": f"n{i}"}, headers=headers).status_code
        for i in range(61)
    ]
    assert answers == [200] * 60 + [429]


# --- Sign-in: every failure answers the same ------------------------------------------------------


@dataclass(frozen=True)
class Attempt:
    """What a failure case may change before signing in with a registered key."""

    app: FastAPI
    client: TestClient
    staff: Staff
    key: SoftKey
    clock: Clock
    sessions: sessionmaker[Session]


def _wrong_password(a: Attempt) -> dict[str, str]:
    return {"password": a.staff.password + "x"}


def _unknown_user(a: Attempt) -> dict[str, str]:
    return {"username": "nobody"}


def _no_answer(a: Attempt) -> dict[str, str]:
    return {"credential": ""}


def _not_json(a: Attempt) -> dict[str, str]:
    return {"credential": "{not json"}


def _wrong_origin(a: Attempt) -> dict[str, str]:
    answer = a.key.sign(options_for(a.client, a.staff.username), origin="https://evil.example")
    return {"credential": json.dumps(answer)}


def _unregistered_key(a: Attempt) -> dict[str, str]:
    answer = new_key(a.app).sign(options_for(a.client, a.staff.username))
    return {"credential": json.dumps(answer)}


def _forged_signature(a: Attempt) -> dict[str, str]:
    answer = a.key.sign(options_for(a.client, a.staff.username))
    signature = bytearray(base64url_to_bytes(answer["response"]["signature"]))
    signature[-1] ^= 1
    answer["response"]["signature"] = bytes_to_base64url(bytes(signature))
    return {"credential": json.dumps(answer)}


def _expired_challenge(a: Attempt) -> dict[str, str]:
    options = options_for(a.client, a.staff.username)
    a.clock.advance(minutes=5, seconds=1)
    return {"credential": json.dumps(a.key.sign(options))}


def _inactive(a: Attempt) -> dict[str, str]:
    with a.sessions.begin() as session:
        session.execute(update(StaffUser).values(active=False))
    return {}


def _suspended_officer(a: Attempt) -> dict[str, str]:
    with a.sessions.begin() as session:
        ops.suspend(session, "PC1", actor="test", now=a.clock())
    return {}


Failure = Callable[[Attempt], dict[str, str]]


@pytest.mark.parametrize(
    "failure",
    [
        _wrong_password,
        _unknown_user,
        _no_answer,
        _not_json,
        _wrong_origin,
        _unregistered_key,
        _forged_signature,
        _expired_challenge,
        _inactive,
        _suspended_officer,
    ],
)
def test_every_failure_gives_the_same_answer_as_a_failed_code(
    app: FastAPI,
    client: TestClient,
    make_staff: MakeStaff,
    clock: Clock,
    app_sessions: sessionmaker[Session],
    failure: Failure,
) -> None:
    add_officer(app_sessions, clock, "PC1")
    staff = make_staff(Role.OFFICER, "pc1", warrant="PC1")
    key = new_key(app)
    enrol(app, staff, clock, key)
    overrides = failure(Attempt(app, client, staff, key, clock, app_sessions))
    response = key_sign_in(client, staff, key, fields=overrides)
    assert response.status_code == 401
    assert FAILED in response.text
    assert "sl_session" not in response.headers.get("set-cookie", "")
    assert client.get("/api/v1/me").status_code == 401
    action, subject, details = audit_rows(app_sessions)[-1]
    assert (action, details) == ("signin.failure", {"method": "security_key"})
    assert subject == ("" if failure is _unknown_user else "pc1")
    code = sign_in(client, staff, clock, code="000000")  # a wrong code: the very same page
    assert code.status_code == 401 and _notice(code) == _notice(response)


def _notice(response: Response) -> str:
    return response.text.split('role="alert">', 1)[1].split("<", 1)[0]


def test_a_failure_in_french(
    app: FastAPI, client: TestClient, make_staff: MakeStaff, clock: Clock
) -> None:
    staff = make_staff(Role.OPERATOR)
    key = new_key(app)
    enrol(app, staff, clock, key)
    response = key_sign_in(client, staff, key, path="/signin/key?lang=fr", password="wrong")
    assert response.status_code == 401
    assert "Échec de la connexion" in response.text and '<html lang="fr">' in response.text


def test_a_challenge_is_spent_once(
    app: FastAPI, client: TestClient, make_staff: MakeStaff, clock: Clock,
    app_sessions: sessionmaker[Session],
) -> None:  # fmt: skip
    staff = make_staff(Role.OPERATOR)
    key = new_key(app)
    enrol(app, staff, clock, key)
    options = options_for(client, staff.username)
    answer = key.sign(options)
    assert key_sign_in(client, staff, key, answer=answer).status_code == 303
    client.cookies.clear()
    assert key_sign_in(client, staff, key, answer=answer).status_code == 401  # replayed
    fresh = key.sign(options)  # a newer counter, but the same (spent) challenge
    assert key_sign_in(client, staff, key, answer=fresh).status_code == 401
    # A failed attempt spends its challenge too: the right password cannot follow on it.
    options = options_for(client, staff.username)
    answer = key.sign(options)
    assert key_sign_in(client, staff, key, answer=answer, password="wrong").status_code == 401
    assert key_sign_in(client, staff, key, answer=answer).status_code == 401
    with app_sessions() as session:
        challenges = session.scalars(select(WebAuthnChallenge)).all()
        assert challenges and all(c.used_at is not None for c in challenges)


def test_a_key_only_signs_in_its_own_account(
    app: FastAPI, client: TestClient, make_staff: MakeStaff, clock: Clock
) -> None:
    alice, bob = make_staff(Role.OPERATOR, "alice"), make_staff(Role.OPERATOR, "bob")
    alices_key, bobs_key = new_key(app), new_key(app)
    enrol(app, alice, clock, alices_key)
    enrol(app, bob, clock, bobs_key)
    # Bob's password with Alice's key, on a challenge issued for Bob.
    assert key_sign_in(client, bob, alices_key).status_code == 401
    # Bob's password and key, on a challenge issued for Alice.
    alices_challenge = options_for(client, "alice")
    answer = bobs_key.sign(alices_challenge)
    assert key_sign_in(client, bob, bobs_key, answer=answer).status_code == 401
    # Alice's key on her own challenge, but signing in as Bob.
    answer = alices_key.sign(options_for(client, "alice"))
    assert key_sign_in(client, bob, alices_key, answer=answer).status_code == 401
    assert key_sign_in(client, bob, bobs_key).status_code == 303


def test_a_counter_that_does_not_go_up_is_refused_and_reported(
    app: FastAPI, client: TestClient, make_staff: MakeStaff, clock: Clock,
    app_sessions: sessionmaker[Session], caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    staff = make_staff(Role.OPERATOR)
    key = new_key(app)
    enrol(app, staff, clock, key)
    copy = key.clone()
    assert key_sign_in(client, staff, key).status_code == 303  # counter 1
    client.cookies.clear()
    with caplog.at_level(logging.WARNING, logger="streetlight.staff.webauthn"):
        response = key_sign_in(client, staff, copy)  # counter 1 again
    assert response.status_code == 401 and FAILED in response.text
    assert "possibly a cloned key" in caplog.text
    assert key.id not in caplog.text and staff.username not in caplog.text
    [stored] = keys_of(app_sessions, staff.username)
    actions = [(action, details) for action, _subject, details in audit_rows(app_sessions)]
    assert actions[-2:] == [
        ("webauthn.clone_suspected", {"key": stored.id, "stored_count": 1, "reported_count": 1}),
        ("signin.failure", {"method": "security_key"}),
    ]
    assert key_sign_in(client, staff, key).status_code == 303  # the original goes on (counter 2)


def test_key_and_code_sign_in_share_their_limits(
    app: FastAPI, client: TestClient, make_staff: MakeStaff, clock: Clock
) -> None:
    staff = make_staff(Role.SUPERVISOR)
    key = new_key(app)
    enrol(app, staff, clock, key)
    for _ in range(3):
        assert sign_in(client, staff, clock, password="wrong password!!").status_code == 401
    for _ in range(2):
        assert key_sign_in(client, staff, key, password="wrong password!!").status_code == 401
    blocked = key_sign_in(client, staff, key)  # even the right password and key now wait
    assert blocked.status_code == 429 and "Wait 15 minutes" in blocked.text
    assert sign_in(client, staff, clock).status_code == 429
    clock.advance(minutes=16)
    assert key_sign_in(client, staff, key).status_code == 303


def test_failures_are_limited_per_client(
    app: FastAPI, client: TestClient, make_staff: MakeStaff, clock: Clock
) -> None:
    staff = make_staff(Role.SUPERVISOR)
    key = new_key(app)
    enrol(app, staff, clock, key)
    for n in range(20):  # many usernames from one address
        assert key_sign_in(client, staff, key, username=f"guess{n}").status_code == 401
    assert key_sign_in(client, staff, key).status_code == 429


def test_the_audit_log_holds_no_key_material(
    app: FastAPI, client: TestClient, make_staff: MakeStaff, clock: Clock,
    app_sessions: sessionmaker[Session],
) -> None:  # fmt: skip
    staff = make_staff(Role.OPERATOR)
    key = new_key(app)
    enrol(app, staff, clock, key)
    options = options_for(client, staff.username)
    assert key_sign_in(client, staff, key, answer=key.sign(options)).status_code == 303
    logged = json.dumps(audit_rows(app_sessions))
    for material in (key.id, bytes_to_base64url(key.cose_public_key()), options["challenge"]):
        assert material not in logged
    assert {"webauthn.add", "signin.success"} <= {row[0] for row in audit_rows(app_sessions)}


# --- Pages and settings -----------------------------------------------------------------------------


def test_the_code_form_is_unchanged_and_the_key_button_waits_for_javascript(
    client: TestClient,
) -> None:
    page = client.get("/signin").text
    assert 'action="/signin?lang=en" id="signin"' in page
    assert 'id="code" name="code"' in page and "required" in page.split('id="code"', 1)[1][:200]
    assert '<div id="key-signin" hidden>' in page
    assert '<script src="/static/js/webauthn.js" defer></script>' in page
    french = client.get("/signin?lang=fr").text
    assert "Utiliser une clé de sécurité au lieu d&#39;un code" in french


@pytest.mark.parametrize(
    "overrides",
    [
        {"webauthn_rp_id": "example.org", "webauthn_origin": "http://example.org"},
        {"webauthn_rp_id": "example.org", "webauthn_origin": "https://example.org.evil.net"},
        {"webauthn_rp_id": "example.org", "webauthn_origin": "https://example.org/signin"},
        {"webauthn_rp_id": "https://example.org", "webauthn_origin": "https://example.org"},
        {"webauthn_rp_id": "Example.org", "webauthn_origin": "https://example.org"},
    ],
)
def test_settings_refuse_what_a_browser_would_refuse(overrides: dict[str, str]) -> None:
    with pytest.raises(SettingsError, match="WEBAUTHN"):
        load_settings(**overrides)


def test_settings_accept_a_site_and_its_subdomains() -> None:
    for origin in ("https://example.org", "https://police.example.org:8443/"):
        settings = load_settings(webauthn_rp_id="example.org", webauthn_origin=origin)
        assert settings.webauthn_expected_origin == origin.rstrip("/")
