"""The real thing: uvicorn on a loopback port, Debian's Chromium driven by Playwright.

An officer on duty signs in with a password and a TOTP code computed here, lands on the dashboard,
and the officer app's script sends the phone's position through the JSON API (CSRF header
included); the strict CSP must not have refused anything along the way.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyotp
from playwright.sync_api import Geolocation, expect
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db import officers as ops
from streetlight.db.models import Dress, Role
from streetlight.staff.accounts import create_staff_user
from streetlight.web.app import create_app
from tests.web.browser import Problems, headless_chromium, phone_context, served, sqlite_settings
from tests.web.conftest import CHEAP_PASSWORDS, PASSWORD, TOTP_KEY, Clock, add_officer

PHONE = Geolocation(longitude=-1.2346, latitude=54.5742)  # Middlesbrough town centre


def test_an_officer_signs_in_and_the_app_sends_their_position(
    sqlite_template: Path, tmp_path: Path
) -> None:
    # One browser run, on SQLite: every other web test runs on both engines.
    settings = sqlite_settings(tmp_path, sqlite_template)
    app = create_app(settings, passwords=CHEAP_PASSWORDS)
    sessions: sessionmaker[Session] = app.state.streetlight.sessions
    clock = Clock()
    add_officer(sessions, clock, "PC4471", dress=Dress.PLAIN_CLOTHES)
    with sessions.begin() as session:
        account = create_staff_user(
            session, username="pc4471", display_name="Sam Patel", password=PASSWORD,
            role=Role.OFFICER, passwords=CHEAP_PASSWORDS, totp_key=TOTP_KEY, now=clock(), warrant_number="PC4471",
        )  # fmt: skip

    problems = Problems()
    with served(app) as base, headless_chromium() as browser:
        context = phone_context(
            browser, geolocation=PHONE, permissions=["geolocation"], locale="en-GB"
        )
        page = problems.watch(context.new_page())
        page.goto(f"{base}/signin")
        assert page.evaluate("document.activeElement.id") == "username"  # signin.js ran
        page.fill("#username", "pc4471")
        page.fill("#password", PASSWORD)
        page.fill("#code", pyotp.TOTP(account.totp_secret).now())
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/dashboard")
        assert page.locator("h1").inner_text() == "Dashboard"
        assert "Signed in as Sam Patel (officer)" in page.locator("header").inner_text()
        assert "in plain clothes, area: Old Town" in page.locator("#duty").inner_text()
        # An attribute wait, not `wait_for_function`: its polls `eval`, which the CSP refuses.
        expect(page.locator("body")).to_have_attribute(
            "data-position-sent", re.compile(r"."), timeout=15_000
        )
        page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
        context.close()

    assert [p for p in problems if "Content Security Policy" in p or "Refused" in p] == []
    assert problems == []
    with sessions() as session:
        duty = ops.open_duty(session, ops.get_officer(session, "PC4471"))
        assert duty is not None and duty.last_position_at is not None
        assert (round(duty.last_lon or 0, 4), round(duty.last_lat or 0, 4)) == (-1.2346, 54.5742)
