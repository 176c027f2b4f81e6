"""The three journeys in a real browser (Debian's Chromium, headless, driven by Playwright).

An officer in plain clothes logs an engagement on the officer app and reads the code; a member of
the public checks it in English (and a second code in French) and talks to the control room; the
operator watches it arrive live on the console and answers; and the failed check, with JavaScript
switched off. A screenshot of each page is kept in `test-artifacts/browser/` at the repository's
root (git-ignored), overwritten by each run; nothing on any page may break the CSP.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import Geolocation, expect
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.models import Dress, Role
from streetlight.web.app import create_app
from tests.web.browser import (
    Problems,
    browser_sign_in,
    headless_chromium,
    phone_context,
    served,
    shot,
    sqlite_settings,
    staff_account,
)
from tests.web.conftest import CHEAP_PASSWORDS, Clock
from tests.web.journeys import CENTRE, FAR, put_on_duty

PHONE = Geolocation(longitude=CENTRE[0], latitude=CENTRE[1])
TIMEOUT_MS = 15_000


def test_the_three_journeys_in_a_browser(sqlite_template: Path, tmp_path: Path) -> None:
    settings = sqlite_settings(tmp_path, sqlite_template, console_poll_seconds=0.1)
    app = create_app(settings, passwords=CHEAP_PASSWORDS)
    sessions: sessionmaker[Session] = app.state.streetlight.sessions
    clock = Clock()
    clock.now = datetime.now(UTC)  # positions stamped now: the app runs on the real clock here
    put_on_duty(
        sessions,
        clock,
        "DC2207",
        dress=Dress.PLAIN_CLOTHES,
        team="CID-2",
        at=CENTRE,
        name="Sam Patel",
    )
    put_on_duty(
        sessions, clock, "PC1001", dress=Dress.UNIFORM, team="RESP-1", at=FAR, name="Alex Morgan"
    )
    officer_secret = staff_account(sessions, "dc2207", Role.OFFICER, warrant="DC2207")
    operator_secret = staff_account(sessions, "operator", Role.OPERATOR)
    problems = Problems()

    with served(app) as base, headless_chromium() as browser:
        control = phone_context(browser, locale="en-GB", viewport={"width": 1200, "height": 900})
        console = problems.watch(control.new_page())
        browser_sign_in(console, base, "operator", operator_secret, "/console")
        # Waits on attributes, not `wait_for_function`: its polls `eval`, which the CSP refuses.
        expect(console.locator("body")).to_have_attribute("data-live", "1", timeout=TIMEOUT_MS)

        phone = phone_context(
            browser, geolocation=PHONE, permissions=["geolocation"], locale="en-GB"
        )
        officer = problems.watch(phone.new_page())
        browser_sign_in(officer, base, "dc2207", officer_secret, "/officer")
        expect(officer.locator("body")).to_have_attribute(
            "data-position-filled", "1", timeout=TIMEOUT_MS
        )
        officer.select_option("#reason", "stop")
        officer.fill("#note", "Stopped a man following a woman on Linthorpe Road")
        shot(officer, "1-officer-app")
        officer.click("#log-button")
        code = officer.locator("#code").inner_text()
        assert len(code.replace(" ", "")) == 8
        expect(officer.locator("#backup-status")).to_contain_text("Uniformed backup is on its way")
        shot(officer, "2-officer-code")

        # The console shows the engagement and the backup request without a reload.
        expect(console.locator("#engagements")).to_contain_text("DC2207", timeout=TIMEOUT_MS)
        expect(console.locator("#engagements")).to_contain_text("Alex Morgan", timeout=TIMEOUT_MS)
        shot(console, "3-console-engagement")

        public = phone_context(browser, locale="en-GB")
        person = problems.watch(public.new_page())
        person.goto(f"{base}/verify")
        expect(person.locator("#never-follow")).to_contain_text("Never follow a link")
        shot(person, "4-verify-form")
        person.fill("#warrant_number", "DC2207")
        person.fill("#code", code)
        person.click("#verify button[type=submit]")
        expect(person.locator("#outcome")).to_have_text(
            "Confirmed: this is a police officer on duty now."
        )
        expect(person.locator("#officer-name")).to_have_text("Sam Patel")
        expect(person.locator("#backup")).to_contain_text("Uniformed officers are on their way")
        shot(person, "5-verified")
        person.click("#talk")
        person.fill("#body", "Is this officer real? He says he is CID.")
        person.click("#chat-form button[type=submit]")
        expect(person.locator("#messages")).to_contain_text("Is this officer real?")
        # Told it is waiting, each line timed, and new lines read out (a live log).
        expect(person.locator("#waiting")).to_be_visible()
        expect(person.locator("#messages")).to_have_attribute("role", "log")
        expect(person.locator("#messages li time")).to_have_count(1)

        expect(console.locator("#engagements")).to_contain_text(
            "Is this officer real?", timeout=TIMEOUT_MS
        )
        console.fill(
            "#chat-1 textarea",
            "Yes. DC2207 is on duty and logged this stop; uniformed officers are 6 minutes away.",
        )
        console.click("#chat-1 button[type=submit]")
        console.wait_for_url(f"{base}/console?lang=en#chat-1")
        shot(console, "6-console-chat")
        expect(person.locator("#messages")).to_contain_text(
            "uniformed officers are 6 minutes away", timeout=TIMEOUT_MS
        )
        expect(person.locator("#waiting")).to_be_hidden()
        shot(person, "7-public-chat")

        # A second stop, checked in French.
        officer.goto(f"{base}/officer")
        officer.click("#engagements button[type=submit]")
        french_code = officer.locator("#code").inner_text()
        francais = phone_context(browser, locale="fr-FR")
        personne = problems.watch(francais.new_page())
        personne.goto(f"{base}/verify")
        expect(personne.locator("h1")).to_have_text("Vérifier l'identité d'un policier")
        personne.fill("#warrant_number", "DC2207")
        personne.fill("#code", french_code)
        personne.click("#verify button[type=submit]")
        expect(personne.locator("#outcome")).to_have_text(
            "Confirmé : il s'agit d'un policier actuellement en service."
        )
        shot(personne, "8-verified-fr")

        # The failed check, with JavaScript off: the advice, and where the person is, sent.
        nojs = phone_context(browser, locale="en-GB", java_script_enabled=False)
        stranger = problems.watch(nojs.new_page())
        stranger.goto(f"{base}/verify")
        stranger.fill("#warrant_number", "PC6666")
        stranger.fill("#code", "1234 5678")
        stranger.click("#verify button[type=submit]")
        expect(stranger.locator("#outcome")).to_have_text(
            "We cannot confirm this is a police officer on duty."
        )
        expect(stranger.locator("#advice")).to_contain_text("call 999 from a mobile and press 55")
        shot(stranger, "9-not-confirmed-nojs")
        stranger.fill("#place", "Bus stop outside the station, Albert Road")
        stranger.click("#share-form button[type=submit]")
        expect(stranger.locator("#shared")).to_contain_text("the control room knows where you are")
        expect(console.locator("#alerts")).to_contain_text("Albert Road", timeout=TIMEOUT_MS)
        expect(console.locator("#alerts")).to_contain_text("PC6666")
        # A new alert is hard to miss: counted in the tab's title, highlighted, times relative.
        expect(console).to_have_title(re.compile(r"^\(1\) "))
        expect(console.locator("#alerts .alert.fresh")).to_have_count(1)
        expect(console.locator("#alerts time").first).to_have_text(re.compile(r"ago|now"))
        shot(console, "10-console-alert")
        for context in (control, phone, public, francais, nojs):
            context.close()

    assert [p for p in problems if "Content Security Policy" in p or "Refused" in p] == []
    assert problems == []
