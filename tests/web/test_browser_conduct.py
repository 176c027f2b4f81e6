"""Conduct reports in a real browser (Debian's Chromium, headless, Playwright; SQLite only): a
member of the public reports an officer from a phone, in French, with a photo, and keeps the
receipt; the investigator, with JavaScript off, signs in, unlocks the key, reads the report and
asks a question; the reporter comes back with the receipt, reads it and answers. axe-core's WCAG
2.2 AA rules find nothing on the public pages. Screenshots go to `test-artifacts/browser/`.
"""

from __future__ import annotations

from pathlib import Path

from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from PIL import Image
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from streetlight.conduct import keys
from streetlight.db.enums import ConductContext
from streetlight.db.models import ConductReport, Role
from streetlight.web.app import create_app
from tests.conduct.force import CHEAP
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
from tests.web.conftest import CHEAP_PASSWORDS, Clock, add_officer

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WHAT = "Il m'a montré une carte et m'a demandé de monter dans sa voiture."
KEY_PASSWORD = "the investigator's key password"
TIMEOUT_MS = 15_000


def _accessible(page: Page, name: str) -> None:
    shot(page, f"conduct-{name}")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
    assert results.violations_count == 0, f"{name}: {results.generate_report()}"


def test_report_reply_and_answer_in_french_from_a_phone(
    sqlite_template: Path, tmp_path: Path
) -> None:
    settings = sqlite_settings(tmp_path, sqlite_template)
    app = create_app(settings, passwords=CHEAP_PASSWORDS)
    sessions: sessionmaker[Session] = app.state.streetlight.sessions
    add_officer(sessions, Clock(), "PC101")
    add_officer(sessions, Clock(), "PS401")
    secret = staff_account(sessions, "investigator", Role.SUPERVISOR, warrant="PS401")
    with sessions.begin() as session:
        user = keys.staff_user_id(session, "investigator")
        keys.enrol(session, user, ConductContext.PUBLIC, KEY_PASSWORD, actor="admin",
                   now=Clock()(), kdf=CHEAP)  # fmt: skip
    photo = tmp_path / "photo.jpg"
    Image.new("RGB", (40, 30), (200, 40, 40)).save(photo, format="JPEG")
    problems = Problems()
    with served(app) as base, headless_chromium() as browser:
        # The public pages carry no script at all (an HTTP test checks), so JavaScript on or
        # off is the same page; it stays on here for axe-core, which runs in the page.
        phone = phone_context(browser, locale="fr-FR")
        page = problems.watch(phone.new_page(), refusing={"/conduct"})
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(f"{base}/conduct?lang=fr")
        expect(page.locator("h1")).to_have_text("Signaler le comportement d'un policier")
        _accessible(page, "form-fr")
        page.fill("#warrant", "pc101")
        page.fill("#what", WHAT)
        page.fill("#when", "vendredi soir")
        page.set_input_files("#files", str(photo))
        page.click("#send")
        expect(page.locator("#outcome")).to_contain_text("votre signalement a été envoyé")
        code = page.locator("#receipt").inner_text()
        _accessible(page, "done-fr")

        desk = problems.watch(phone_context(browser, java_script_enabled=False).new_page())
        desk.set_default_timeout(TIMEOUT_MS)
        browser_sign_in(desk, base, "investigator", secret, "/conduct/desk")
        desk.fill("#password", KEY_PASSWORD)
        desk.click("#unlock-form button[type=submit]")
        desk.locator("#reports a").first.click()
        expect(desk.locator("#conversation")).to_contain_text(WHAT)
        expect(desk.locator("#conversation")).to_contain_text("Download attachment 1")
        shot(desk, "conduct-desk-report")
        desk.fill("#reply-text", "Avez-vous vu la plaque d'immatriculation ?")
        desk.check("#question")
        desk.click("#send-reply")
        expect(desk.locator("#done")).to_have_text("Your question has been sent to the reporter.")

        page.goto(f"{base}/conduct/receipt?lang=fr")
        page.fill("#receipt", code.lower())
        page.click("#receipt-form button[type=submit]")
        expect(page.locator("#status")).to_contain_text("Nous vous avons posé une question")
        expect(page.locator("#conversation")).to_contain_text("plaque d'immatriculation")
        _accessible(page, "conversation-fr")
        page.fill("#text", "Non, il faisait nuit.")
        page.click("#add")
        expect(page.locator("#done")).to_have_text("Envoyé. L'enquêteur le verra.")
        desk.reload()
        expect(desk.locator("#conversation")).to_contain_text("Non, il faisait nuit.")
        expect(desk.locator("#status")).to_have_text("investigating")
    assert problems == [], problems
    with sessions() as session:
        assert len(session.scalars(select(ConductReport)).all()) == 1
