"""The public report journey over HTTP (SQLite and PostgreSQL): the form without JavaScript, the
receipt shown once, refusals that name the field and keep what was typed, the JSON API and its
refusal bodies, the receipt look-up, and how many reports a scripted client gets through."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.models import PublicReport, RateLimitHit
from streetlight.reports import moderation, receipts
from streetlight.reports.categories import ReportStatus, band_label
from streetlight.staff.settings import SettingsError
from streetlight.web.core.headers import CSP
from streetlight.web.core.settings import Settings, load_settings
from tests.web.conftest import Clock
from tests.web.reporting import (
    HUMAN_SECONDS,
    INSIDE,
    OUTSIDE,
    api_body,
    area_app,
    form_token,
    hidden,
    look_up,
    post_api,
    post_form,
    receipt_of,
    summary_of,
    write_area,
)


@pytest.fixture
def reports_app(settings: Settings, clock: Clock) -> FastAPI:
    return area_app(settings, clock)


@pytest.fixture
def public(reports_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(reports_app, base_url="http://testserver", follow_redirects=False) as client:
        yield client


def _sessions(app: FastAPI) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = app.state.streetlight.sessions
    return factory


def _stored(app: FastAPI) -> list[PublicReport]:
    with _sessions(app)() as session:
        rows = list(session.scalars(select(PublicReport).order_by(PublicReport.id)))
        session.expunge_all()
        return rows


# --- The form -----------------------------------------------------------------------------------


def test_the_form_needs_no_javascript_and_says_what_is_kept(public: TestClient) -> None:
    page = public.get("/report").text
    # A typed place works without the map; the map and its script are extras.
    assert 'id="place" name="place" maxlength="200"' in page
    assert 'id="map-block" class="map-block" hidden' in page
    assert '<input type="hidden" name="lon" id="lon" value="">' in page
    for factor in ("poor_lighting", "isolated", "followed", "unwanted_touching", "other"):
        assert f'name="factors" value="{factor}"' in page
    assert page.count('type="radio"') == 7 * 6  # seven audit scores, 1-5 or no answer
    assert f'<option value="7">{band_label(7)}</option>' in page
    assert 'maxlength="1000"' in page and "Do not write names, phone numbers" in page
    # The honeypot: out of sight, out of the tab order and of assistive technology.
    assert '<div class="hp" aria-hidden="true">' in page
    assert 'name="website" value="" tabindex="-1" autocomplete="off"' in page
    # What is kept, who sees it, what may be public, what is not kept; 999 and 101.
    for words in (
        "The place, what happened, the date and a 3-hour time band",
        "Police analysts only.",
        "areas of 250 metres, and only for areas with at least 5 reports",
        "Your IP address, an account or anything that identifies your phone",
        "This is not a crime report.",
    ):
        assert words in page
    assert 'href="tel:999"' in page and 'href="tel:101"' in page
    assert page.index("Before you send") < page.index('id="send"')
    assert "<script>" not in page and "style=" not in page
    french = public.get("/report?lang=fr").text
    assert "Signaler un lieu où vous ne vous sentez pas en sécurité" in french
    assert "Seulement les analystes de la police." in french


def test_without_an_area_there_is_no_map(client: TestClient) -> None:
    page = client.get("/report").text
    assert 'id="map"' not in page and "leaflet" not in page
    assert client.get("/report/area.geojson").status_code == 404


def test_the_area_outline_is_served_for_the_map(public: TestClient) -> None:
    response = public.get("/report/area.geojson")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/geo+json")
    outline = response.json()
    assert outline["type"] == "FeatureCollection"
    assert outline["features"][0]["geometry"]["type"] == "Polygon"


def test_a_typed_place_gets_a_receipt_shown_once(
    reports_app: FastAPI, public: TestClient, clock: Clock
) -> None:
    response = post_form(public, clock, text="Men shouting at women by the cash machine.")
    assert response.status_code == 200
    code = receipt_of(response.text)
    assert code is not None and receipts.is_well_formed(code)
    assert "location" not in response.headers  # the page itself, no redirect
    assert response.headers["cache-control"] == "no-store"
    assert "/report/receipt" in response.text
    [report] = _stored(reports_app)
    assert report.place == "Underpass by the station, Albert Road"
    assert report.lon is None and report.status is ReportStatus.PENDING
    # Only the code's hash is kept; the code is in no page but this one.
    assert report.receipt_hash == hashlib.sha256(receipts.normalise(code).encode()).hexdigest()
    assert code not in public.get("/report").text


def test_a_pin_in_the_area_is_kept(reports_app: FastAPI, public: TestClient, clock: Clock) -> None:
    response = post_form(public, clock, place="", lon=str(INSIDE[0]), lat=str(INSIDE[1]))
    assert response.status_code == 200 and receipt_of(response.text)
    [report] = _stored(reports_app)
    assert (report.lon, report.lat) == pytest.approx(INSIDE)


def test_a_pin_outside_the_area_is_refused_and_the_form_kept(
    reports_app: FastAPI, public: TestClient, clock: Clock
) -> None:
    response = post_form(
        public, clock, place="Near the market", lon=str(OUTSIDE[0]), lat=str(OUTSIDE[1])
    )
    assert response.status_code == 400
    assert summary_of(response.text) == [
        (
            "place",
            "The pin is outside the area this force covers: move it, or describe the place "
            "instead.",
        )
    ]
    page = response.text
    assert 'value="Near the market"' in page and str(OUTSIDE[0]) not in page  # the pin goes
    assert 'aria-describedby="place-hint place-error"' in page and 'aria-invalid="true"' in page
    assert 'role="alert" tabindex="-1"' in page
    assert '<details class="group" id="scores">' in page  # no score given: stays folded
    assert _stored(reports_app) == []


def test_refusals_name_each_field_and_keep_the_answers(
    reports_app: FastAPI, public: TestClient, clock: Clock
) -> None:
    response = post_form(
        public, clock, factors=None, place="", occurred_on="29/11/2025", time_band="night",
        text="x" * 1001, score_lighting="9",
    )  # fmt: skip
    assert response.status_code == 400
    targets = [target for target, _message in summary_of(response.text)]
    assert targets == [
        "factor-poor_lighting", "place", "occurred_on", "time_band", "text", "score-lighting-none"
    ]  # fmt: skip
    assert "x" * 1001 in response.text  # kept for the person to shorten
    assert 'id="text-error"' in response.text and 'id="factors-error"' in response.text
    assert "<title>Error:" in response.text
    assert '<details class="group" id="scores" open>' in response.text
    assert _stored(reports_app) == []


@pytest.mark.parametrize(
    ("fields", "target"),
    [
        ({"occurred_on": "2999-01-01"}, "occurred_on"),
        ({"factors": ["poor_lighting", "aliens"]}, "factor-poor_lighting"),
        ({"place": "   "}, "place"),
        ({"text": "a\x00b"}, "text"),
    ],
)
def test_bad_answers_the_service_refuses(
    public: TestClient, clock: Clock, fields: dict[str, object], target: str
) -> None:
    response = post_form(public, clock, **fields)  # type: ignore[arg-type]
    assert response.status_code == 400
    assert [t for t, _m in summary_of(response.text)] == [target]


def test_a_filled_honeypot_says_thank_you_and_stores_nothing(
    reports_app: FastAPI, public: TestClient, clock: Clock
) -> None:
    response = post_form(public, clock, website="http://spam.example")
    assert response.status_code == 200
    assert "Thank you: your report has been sent." in response.text
    assert receipt_of(response.text) is None and 'id="receipt-card"' not in response.text
    assert _stored(reports_app) == []
    with _sessions(reports_app)() as session:
        assert session.scalar(select(func.count()).select_from(RateLimitHit)) == 0


def test_a_form_sent_too_fast_or_twice_is_refused(
    reports_app: FastAPI, public: TestClient, clock: Clock
) -> None:
    fast = post_form(public, clock, wait=0.5)
    assert fast.status_code == 400
    assert summary_of(fast.text) == [
        ("send", "That was very quick: check the answers and send again.")
    ]
    # The form comes back with a fresh token; once it is old enough it goes through.
    token = hidden(fast.text, "form_token")
    data = {
        "csrf_token": hidden(fast.text, "csrf_token"), "form_token": token,
        "factors": "isolated", "occurred_on": clock().date().isoformat(), "time_band": "2",
        "place": "Albert Park, the east gate",
    }  # fmt: skip
    clock.advance(seconds=HUMAN_SECONDS)
    assert receipt_of(public.post("/report", data=data).text)
    again = public.post("/report", data=data)  # the back button, then send
    assert again.status_code == 409
    assert summary_of(again.text)[0][1].startswith("This form has already been sent.")
    assert len(_stored(reports_app)) == 1


def test_an_old_or_forged_token_is_refused(public: TestClient, clock: Clock) -> None:
    page = public.get("/report").text
    data = {
        "csrf_token": hidden(page, "csrf_token"), "form_token": hidden(page, "form_token"),
        "factors": "isolated", "occurred_on": clock().date().isoformat(), "time_band": "2",
        "place": "Albert Park",
    }  # fmt: skip
    clock.advance(hours=3)
    data["occurred_on"] = clock().date().isoformat()
    expired = public.post("/report", data=data)
    assert expired.status_code == 400
    assert "This form has expired" in summary_of(expired.text)[0][1]
    data["form_token"] = "A" * 76
    assert public.post("/report", data=data).status_code == 400


def test_the_form_needs_its_csrf_token(public: TestClient, clock: Clock) -> None:
    page = public.get("/report").text
    response = public.post(
        "/report",
        data={"form_token": hidden(page, "form_token"), "factors": "isolated", "place": "x"},
    )
    assert response.status_code == 403


def test_five_reports_an_hour_from_one_client(
    reports_app: FastAPI, public: TestClient, clock: Clock
) -> None:
    for n in range(5):
        response = post_form(public, clock, place=f"Bus stop {n}, Linthorpe Road")
        assert response.status_code == 200, summary_of(response.text)
    refused = post_form(public, clock, place="Bus stop 6, Linthorpe Road")
    assert refused.status_code == 429
    assert summary_of(refused.text)[0][1].startswith("Too many reports have been sent")
    assert 'value="Bus stop 6, Linthorpe Road"' in refused.text
    with TestClient(reports_app, client=("198.51.100.4", 4000)) as other:
        assert post_form(other, clock, place="Bus stop 7").status_code == 200
    clock.advance(hours=1, minutes=10)  # the hits are stamped in ten-minute steps
    assert post_form(public, clock, place="Bus stop 8").status_code == 200


def test_the_same_report_twice_in_a_day_is_a_duplicate(public: TestClient, clock: Clock) -> None:
    assert post_form(public, clock).status_code == 200
    twice = post_form(public, clock, place="underpass by the station, albert road!")
    assert twice.status_code == 409
    assert summary_of(twice.text) == [("send", "You have already sent this report today.")]


def test_a_scripted_client_gets_only_the_hourly_limit_through(
    reports_app: FastAPI, public: TestClient, clock: Clock
) -> None:
    """As fast as the rules allow: a fresh token per report, each just old enough, different
    places and times so no two are duplicates."""
    limit = reports_app.state.streetlight.settings.report_submissions_per_hour
    statuses = []
    for n in range(4 * limit):
        body = api_body(
            clock, form_token(public, clock, wait=3.0), time_band=n % 8,
            location={"lon": INSIDE[0] + n * 1e-3, "lat": INSIDE[1]},
        )  # fmt: skip
        statuses.append(public.post("/api/v1/reports", json=body).status_code)
    assert statuses.count(201) == limit
    assert set(statuses[limit:]) == {429}
    assert len(_stored(reports_app)) == limit


# --- The JSON API -------------------------------------------------------------------------------


def test_the_api_takes_a_report_and_answers_its_status(
    reports_app: FastAPI, public: TestClient, clock: Clock
) -> None:
    token = public.get("/api/v1/reports/form-token").json()
    assert token["usable_after_seconds"] == 3.0 and token["expires_in_seconds"] == 7200
    response = post_api(
        public, clock, scores={"lighting": 1, "people": 2}, text="Followed from the bus stop.",
        language="fr",
    )  # fmt: skip
    assert response.status_code == 201
    code = response.json()["receipt"]
    assert set(response.json()) == {"receipt"}
    [report] = _stored(reports_app)
    assert report.score_lighting == 1 and report.score_people == 2 and report.language == "fr"
    status = public.post("/api/v1/reports/status", json={"receipt": code.lower()})
    assert status.status_code == 200
    body = status.json()
    assert body["status"] == "pending" and body["factors"] == ["poor_lighting"]
    assert body["time_band_label"] == band_label(7) and body["response"] == ""
    assert "text" not in body and "lon" not in body and "place" not in body


@pytest.mark.parametrize(
    ("fields", "status", "field", "reason"),
    [
        ({"factors": "poor_lighting"}, 400, "factors", "invalid"),
        ({"factors": []}, 400, "factors", "invalid"),
        ({"factors": None}, 400, "factors", "invalid"),
        ({"factors": ["aliens"]}, 400, "factors", "invalid"),
        ({"time_band": "7"}, 400, "time_band", "invalid"),
        ({"time_band": 8}, 400, "time_band", "invalid"),
        ({"time_band": True}, 400, "time_band", "invalid"),
        ({"occurred_on": "yesterday"}, 400, "occurred_on", "invalid"),
        ({"occurred_on": "2999-12-31"}, 400, "occurred_on", "invalid"),
        ({"location": {"lon": "east", "lat": 54.5}}, 400, "location", "invalid"),
        ({"location": {"lon": OUTSIDE[0], "lat": OUTSIDE[1]}}, 400, "location", "outside_area"),
        ({"location": None}, 400, "place", "invalid"),
        ({"text": "x" * 1001}, 400, "text", "invalid"),
        ({"place": "p" * 201}, 400, "place", "invalid"),
        ({"scores": {"lighting": 6}}, 400, "score_lighting", "invalid"),
        ({"scores": {"lighting": "5"}}, 400, "score_lighting", "invalid"),
        ({"scores": {"parking": 3}}, 400, "scores", "invalid"),
        ({"colour": "red"}, 400, "colour", "invalid"),
        ({"form_token": "A" * 76}, 400, "form_token", "bad_token"),
    ],
)
def test_the_api_refuses_bad_input_naming_the_field(
    public: TestClient,
    clock: Clock,
    fields: dict[str, object],
    status: int,
    field: str,
    reason: str,
) -> None:
    response = post_api(public, clock, **fields)
    assert response.status_code == status, response.text
    body = response.json()
    assert (body["field"], body["reason"]) == (field, reason), body
    assert body["detail"]


def test_the_api_refuses_bodies_that_are_not_json_objects(public: TestClient) -> None:
    for content in (b"not json", b"[1, 2]", b"null"):
        response = public.post(
            "/api/v1/reports", content=content, headers={"content-type": "application/json"}
        )
        assert response.status_code == 400
        assert response.json()["reason"] == "invalid"


def test_the_api_refuses_fast_replayed_and_duplicate_reports(
    public: TestClient, clock: Clock
) -> None:
    token = public.get("/api/v1/reports/form-token").json()["form_token"]
    fast = public.post("/api/v1/reports", json=api_body(clock, token))
    assert (fast.status_code, fast.json()["reason"]) == (400, "too_fast")
    clock.advance(seconds=HUMAN_SECONDS)
    assert public.post("/api/v1/reports", json=api_body(clock, token)).status_code == 201
    replay = public.post("/api/v1/reports", json=api_body(clock, token, time_band=1))
    assert (replay.status_code, replay.json()["reason"]) == (409, "replayed")
    duplicate = post_api(public, clock)
    assert (duplicate.status_code, duplicate.json()["reason"]) == (409, "duplicate")
    clock.advance(hours=3)
    expired = public.post("/api/v1/reports", json=api_body(clock, token, time_band=2))
    assert (expired.status_code, expired.json()["reason"]) == (400, "expired")


def test_the_api_refuses_too_many(public: TestClient, clock: Clock) -> None:
    for n in range(5):
        assert post_api(public, clock, time_band=n).status_code == 201
    refused = post_api(public, clock, time_band=6)
    assert refused.status_code == 429
    assert refused.json() == {
        "detail": "too many reports from here for now: please try again later",
        "field": "",
        "reason": "too_many",
    }


def test_without_an_area_a_pin_is_refused_but_a_typed_place_is_taken(
    client: TestClient, clock: Clock
) -> None:
    pinned = post_api(client, clock)
    assert (pinned.status_code, pinned.json()["field"], pinned.json()["reason"]) == (
        400, "location", "no_area",
    )  # fmt: skip
    assert post_api(client, clock, location=None, place="Albert Park").status_code == 201


def test_the_api_needs_no_cookie_and_is_documented(reports_app: FastAPI, clock: Clock) -> None:
    with TestClient(reports_app) as app_client:  # no CSRF token: none is needed
        assert post_api(app_client, clock).status_code == 201
    schema = reports_app.openapi()
    post = schema["paths"]["/api/v1/reports"]["post"]
    assert {"201", "400", "409", "429"} <= set(post["responses"])
    assert "/api/v1/reports/form-token" in schema["paths"]
    assert "/api/v1/reports/status" in schema["paths"]
    assert "/report" not in schema["paths"]  # the HTML pages are not API


# --- Receipts -----------------------------------------------------------------------------------


def test_the_receipt_shows_what_was_said_and_what_was_done(
    reports_app: FastAPI, public: TestClient, clock: Clock
) -> None:
    code = receipt_of(post_form(public, clock).text)
    assert code
    before = look_up(public, code)
    assert before.status_code == 200
    assert "Poor lighting" in before.text and "Being followed" in before.text
    assert band_label(7) in before.text
    assert "Received. An analyst has not read it yet." in before.text
    assert "Underpass" not in before.text  # never the place or the words
    [report] = _stored(reports_app)
    with _sessions(reports_app).begin() as session:
        moderation.accept(session, report.id, actor="analyst", now=clock())
        moderation.respond(
            session, report.id, "New lights were fitted in the underpass on 3 December.",
            actor="analyst", now=clock(),
        )  # fmt: skip
    after = look_up(public, code.replace("-", " ").lower(), lang="fr")
    assert after.status_code == 200
    assert "Lu et accepté." in after.text.replace("&#39;", "'")
    assert "New lights were fitted in the underpass on 3 December." in after.text
    assert "Mauvais éclairage" in after.text and "Poor lighting" not in after.text


@pytest.mark.parametrize("code", ["0000-0000-0000-0000", "not a code", "", "Z" * 64])
def test_an_unknown_receipt_gets_one_answer(public: TestClient, code: str) -> None:
    response = look_up(public, code)
    assert response.status_code == 404
    assert "We could not find a report with that code." in response.text
    assert 'id="receipt-form"' in response.text


def test_guessing_receipts_is_limited_per_client(
    reports_app: FastAPI, public: TestClient, clock: Clock
) -> None:
    code = receipt_of(post_form(public, clock).text)
    assert code
    for n in range(20):
        assert look_up(public, f"0000-0000-0000-{n:04d}").status_code == 404
    limited = look_up(public, code)  # even the right code, from this client, for now
    assert limited.status_code == 429
    assert "Too many codes have been tried" in limited.text
    api = public.post("/api/v1/reports/status", json={"receipt": code})
    assert (api.status_code, api.json()["reason"]) == (429, "too_many")
    with TestClient(reports_app, client=("198.51.100.5", 5000)) as other:
        assert look_up(other, code).status_code == 200
    clock.advance(hours=1, seconds=1)
    assert look_up(public, code).status_code == 200


def test_the_status_api_answers_404_for_unknown_codes(public: TestClient) -> None:
    response = public.post("/api/v1/reports/status", json={"receipt": "0000-0000-0000-0000"})
    assert response.status_code == 404
    assert response.json()["reason"] == "not_found"
    assert public.post("/api/v1/reports/status", json={"receipt": 12}).status_code == 400


# --- Settings -----------------------------------------------------------------------------------


def test_map_tiles_are_allowed_by_the_csp_only_when_set(
    settings: Settings, clock: Clock, tmp_path: Path
) -> None:
    tiled = area_app(settings, clock, map_tiles="https://{s}.tiles.police.example/{z}/{x}/{y}.png")
    with TestClient(tiled) as client:
        response = client.get("/report")
        policy = response.headers["content-security-policy"]
        assert "img-src 'self' https://*.tiles.police.example data:" in policy
        assert "script-src 'self';" in policy and "unsafe" not in policy
        assert 'data-tiles="https://{s}.tiles.police.example/{z}/{x}/{y}.png"' in response.text
    assert "img-src 'self';" in CSP
    with pytest.raises(SettingsError, match="MAP_TILES"):
        load_settings(store=tmp_path, map_tiles="javascript:alert(1)")
    with pytest.raises(SettingsError, match="MAP_TILES"):
        load_settings(store=tmp_path, map_tiles="https://tiles.example/tile.png")


def test_the_area_comes_from_the_setting_or_the_data_folder(tmp_path: Path) -> None:
    settings = load_settings(store=tmp_path / "data", secret_key=SecretStr("k" * 40))
    assert settings.resolved_report_area is None
    path = write_area(tmp_path / "data")
    assert settings.resolved_report_area == path
    other = load_settings(store=tmp_path / "x", report_area=tmp_path / "elsewhere.geojson")
    assert other.resolved_report_area == tmp_path / "elsewhere.geojson"


def test_limits_come_from_the_settings(settings: Settings, clock: Clock) -> None:
    app = area_app(settings, clock, report_submissions_per_hour=2)
    limits = app.state.streetlight.report_limits
    assert limits.per_client.max_hits == 2 and limits.per_client.window == timedelta(hours=1)
