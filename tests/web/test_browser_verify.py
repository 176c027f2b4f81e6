"""The three journeys in a real browser (Debian's Chromium, headless, driven by Playwright).

An officer in plain clothes logs an engagement on the officer app and reads the code; a member of
the public checks it in English (and a second code in French) and talks to the control room; the
operator watches it arrive live on the console and answers; and the failed check, with JavaScript
switched off. A screenshot of each page is kept in `test-artifacts/browser/` at the repository's
root (git-ignored), overwritten by each run; nothing on any page may break the CSP.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pyotp
from playwright.sync_api import Browser, BrowserContext, Geolocation, Page, expect
from pydantic import SecretStr
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.models import Dress, Role
from streetlight.web.app import create_app
from streetlight.web.auth.accounts import create_staff_user
from streetlight.web.settings import Settings
from tests.conftest import REPO
from tests.web.browser import headless_chromium, served
from tests.web.conftest import CHEAP_PASSWORDS, PASSWORD, SECRET_KEY, Clock
from tests.web.journeys import CENTRE, FAR, put_on_duty

ARTIFACTS = REPO / "test-artifacts" / "browser"
PHONE = Geolocation(longitude=CENTRE[0], latitude=CENTRE[1])
TIMEOUT_MS = 15_000


class Problems(list[str]):
    def watch(self, page: Page) -> Page:
        page.on(
            "console", lambda m: self.append(m.text) if m.type in ("error", "warning") else None
        )
        page.on("pageerror", lambda e: self.append(str(e)))
        return page


def _account(
    sessions: sessionmaker[Session], username: str, role: Role, warrant: str | None = None
) -> str:
    with sessions.begin() as session:
        account = create_staff_user(
            session, username=username, display_name=username.title(), password=PASSWORD,
            role=role, passwords=CHEAP_PASSWORDS, now=Clock()(), warrant_number=warrant,
        )  # fmt: skip
    return account.totp_secret


def _sign_in(page: Page, base: str, username: str, secret: str, then: str) -> None:
    page.goto(f"{base}/signin?next={then}")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.fill("#code", pyotp.TOTP(secret).now())
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{then}")


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _context(browser: Browser, **options: object) -> BrowserContext:
    settings: dict[str, object] = {"viewport": {"width": 390, "height": 844}}
    settings.update(options)
    return browser.new_context(**settings)  # type: ignore[arg-type]


def test_the_three_journeys_in_a_browser(sqlite_template: Path, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    database = tmp_path / "streetlight.db"
    shutil.copyfile(sqlite_template, database)
    settings = Settings(
        store=tmp_path / "data", database_url=f"sqlite:///{database}",
        secret_key=SecretStr(SECRET_KEY), console_poll_seconds=0.1,
    )  # fmt: skip
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
    officer_secret = _account(sessions, "dc2207", Role.OFFICER, "DC2207")
    operator_secret = _account(sessions, "operator", Role.OPERATOR)
    problems = Problems()

    with served(app) as base, headless_chromium() as browser:
        control = _context(browser, locale="en-GB", viewport={"width": 1200, "height": 900})
        console = problems.watch(control.new_page())
        _sign_in(console, base, "operator", operator_secret, "/console")
        console.wait_for_function("document.body.dataset.live === '1'", timeout=TIMEOUT_MS)

        phone = _context(browser, geolocation=PHONE, permissions=["geolocation"], locale="en-GB")
        officer = problems.watch(phone.new_page())
        _sign_in(officer, base, "dc2207", officer_secret, "/officer")
        officer.wait_for_function(
            "document.body.dataset.positionFilled === '1'", timeout=TIMEOUT_MS
        )
        officer.select_option("#reason", "stop")
        officer.fill("#note", "Stopped a man following a woman on Linthorpe Road")
        _shot(officer, "1-officer-app")
        officer.click("#log-button")
        code = officer.locator("#code").inner_text()
        assert len(code.replace(" ", "")) == 8
        expect(officer.locator("#backup-status")).to_contain_text("Uniformed backup is on its way")
        _shot(officer, "2-officer-code")

        # The console shows the engagement and the backup request without a reload.
        expect(console.locator("#engagements")).to_contain_text("DC2207", timeout=TIMEOUT_MS)
        expect(console.locator("#backups")).to_contain_text("Alex Morgan", timeout=TIMEOUT_MS)
        _shot(console, "3-console-engagement")

        public = _context(browser, locale="en-GB")
        person = problems.watch(public.new_page())
        person.goto(f"{base}/verify")
        expect(person.locator("#never-follow")).to_contain_text("Never follow a link")
        _shot(person, "4-verify-form")
        person.fill("#warrant_number", "DC2207")
        person.fill("#code", code)
        person.click("#verify button[type=submit]")
        expect(person.locator("#outcome")).to_have_text(
            "Confirmed: this is a police officer on duty now."
        )
        expect(person.locator("#officer-name")).to_have_text("Sam Patel")
        expect(person.locator("#backup")).to_contain_text("Uniformed officers are on their way")
        _shot(person, "5-verified")
        person.click("#talk")
        person.fill("#body", "Is this officer real? He says he is CID.")
        person.click("#chat-form button[type=submit]")
        expect(person.locator("#messages")).to_contain_text("Is this officer real?")

        expect(console.locator("#chats")).to_contain_text(
            "Is this officer real?", timeout=TIMEOUT_MS
        )
        console.fill(
            "#chats textarea",
            "Yes. DC2207 is on duty and logged this stop; uniformed officers are 6 minutes away.",
        )
        console.click("#chats button[type=submit]")
        console.wait_for_url(f"{base}/console?lang=en#chat-1")
        _shot(console, "6-console-chat")
        expect(person.locator("#messages")).to_contain_text(
            "uniformed officers are 6 minutes away", timeout=TIMEOUT_MS
        )
        _shot(person, "7-public-chat")

        # A second stop, checked in French.
        officer.goto(f"{base}/officer")
        officer.click("#engagements button[type=submit]")
        french_code = officer.locator("#code").inner_text()
        francais = _context(browser, locale="fr-FR")
        personne = problems.watch(francais.new_page())
        personne.goto(f"{base}/verify")
        expect(personne.locator("h1")).to_have_text("Vérifier un policier")
        personne.fill("#warrant_number", "DC2207")
        personne.fill("#code", french_code)
        personne.click("#verify button[type=submit]")
        expect(personne.locator("#outcome")).to_have_text(
            "Confirmé : il s'agit d'un policier actuellement en service."
        )
        _shot(personne, "8-verified-fr")

        # The failed check, with JavaScript off: the advice, and where the person is, sent.
        nojs = _context(browser, locale="en-GB", java_script_enabled=False)
        stranger = problems.watch(nojs.new_page())
        stranger.goto(f"{base}/verify")
        stranger.fill("#warrant_number", "PC6666")
        stranger.fill("#code", "1234 5678")
        stranger.click("#verify button[type=submit]")
        expect(stranger.locator("#outcome")).to_have_text(
            "We cannot confirm this is a police officer on duty."
        )
        expect(stranger.locator("#advice")).to_contain_text("call 999 from a mobile and press 55")
        _shot(stranger, "9-not-confirmed-nojs")
        stranger.fill("#place", "Bus stop outside the station, Albert Road")
        stranger.click("#share-form button[type=submit]")
        expect(stranger.locator("#shared")).to_contain_text("the control room knows where you are")
        expect(console.locator("#alerts")).to_contain_text("Albert Road", timeout=TIMEOUT_MS)
        expect(console.locator("#alerts")).to_contain_text("PC6666")
        _shot(console, "10-console-alert")
        for context in (control, phone, public, francais, nojs):
            context.close()

    assert [p for p in problems if "Content Security Policy" in p or "Refused" in p] == []
    assert problems == []
