"""The public's pages on a phone: the stop's time on the force's wall clock (never UTC), a
"Call 999" button at the top of a failed check, the typed values kept to mend a typo, and the
receipt look-up one tap from the menu and the home page."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.models import Dress
from streetlight.web.core.i18n import Language, clock_time
from tests.web.conftest import Clock, MakeStaff, csrf_token
from tests.web.journeys import CENTRE, officer_app, put_on_duty

LONDON = ZoneInfo("Europe/London")


def test_clock_time_is_the_forces_wall_clock_as_each_language_writes_it() -> None:
    summer = datetime(2026, 7, 1, 3, 16, tzinfo=UTC)  # British Summer Time: 04:16
    winter = datetime(2026, 12, 7, 23, 5, tzinfo=UTC)  # GMT: 23:05
    assert clock_time(summer, LONDON, "en") == "04:16"
    assert clock_time(summer, LONDON, "fr") == "04 h 16"
    assert clock_time(winter, LONDON, "en") == "23:05"
    assert clock_time(summer, ZoneInfo("America/Chicago"), "en") == "22:16"


def test_a_confirmed_stop_says_what_was_logged_at_local_time_without_repeating_it(
    app: FastAPI,
    client: TestClient,
    make_staff: MakeStaff,
    clock: Clock,
    app_sessions: sessionmaker[Session],
) -> None:
    put_on_duty(app_sessions, clock, "PC1", dress=Dress.UNIFORM, at=CENTRE, name="Jo Bloggs")
    phone = officer_app(app, make_staff, clock, "PC1")
    token = csrf_token(client, "/verify")
    said: dict[Language, str] = {
        "en": "What the officer logged: a stop, at {}.",
        "fr": "Ce que le policier a enregistré : un contrôle, à {}.",
    }
    for lang, words in said.items():
        code = phone.log(reason="stop").json()["code"]["code"]  # each check uses one up
        page = client.post(
            f"/verify?lang={lang}",
            data={"csrf_token": token, "warrant_number": "PC1", "code": code},
        )
        text = html.unescape(page.text)
        assert words.format(clock_time(clock(), LONDON, lang)) in text, text
        assert "UTC" not in text


def test_a_failed_check_puts_call_999_first_and_keeps_what_was_typed(
    client: TestClient,
) -> None:
    token = csrf_token(client, "/verify")
    typed = 'PC<b>"1'
    page = client.post(
        "/verify", data={"csrf_token": token, "warrant_number": typed, "code": "1234 5678"}
    )
    assert page.status_code == 200
    body = page.text
    call = body.index('href="tel:999"')
    assert call < body.index("The control room has been alerted.")  # the button comes first
    assert "If you may have mistyped, check again" in body
    refill = re.search(r'id="warrant_number"[^>]*value="([^"]*)"', body)
    assert refill and html.unescape(refill.group(1)) == typed  # escaped, and kept as typed
    assert re.search(r'id="code"[^>]*value="1234 5678"', body)
    assert "<b>" not in body
    assert page.headers["cache-control"] == "no-store"  # the code is in no cache


def test_the_receipt_look_up_is_linked_from_the_menu_and_the_home_page(client: TestClient) -> None:
    for lang, words in (("en", "Follow up your report"), ("fr", "Suivre votre signalement")):
        home = client.get(f"/?lang={lang}").text
        assert home.count(f'href="/report/receipt?lang={lang}"') == 2  # the menu and the page
        assert words in home
        assert f'href="/report/receipt?lang={lang}"' in client.get(f"/safety?lang={lang}").text
