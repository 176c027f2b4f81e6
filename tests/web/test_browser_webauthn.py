"""Security keys in a real browser: Debian's Chromium with its virtual authenticator (driven over
the DevTools protocol), served at `http://localhost:<port>`, the origin the app's settings name.

A staff member signs in with password and code, adds a key on the security keys page, signs
out, and signs in again with password and key. The keys page's screenshot is kept in
`test-artifacts/browser/` (git-ignored); nothing on any page may break the CSP.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.models import AuditEntry, Role, StaffCredential
from streetlight.web.app import create_app
from tests.web.browser import (
    Problems,
    browser_sign_in,
    free_port,
    headless_chromium,
    served_at_localhost,
    shot,
    sqlite_settings,
    staff_account,
)
from tests.web.conftest import CHEAP_PASSWORDS, PASSWORD

TIMEOUT_MS = 15_000
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# A platform authenticator that verifies its user, like a laptop's fingerprint reader.
AUTHENTICATOR = {
    "protocol": "ctap2",
    "transport": "internal",
    "hasResidentKey": True,
    "hasUserVerification": True,
    "isUserVerified": True,
}


def accessible(page: Page) -> None:
    """axe-core (bundled, nothing fetched) finds no WCAG 2.2 AA violation on the page."""
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
    assert results.violations_count == 0, results.generate_report()


def test_a_staff_member_adds_a_key_and_signs_in_with_it(
    sqlite_template: Path, tmp_path: Path
) -> None:
    port = free_port()
    settings = sqlite_settings(
        tmp_path,
        sqlite_template,
        webauthn_rp_id="localhost",
        webauthn_origin=f"http://localhost:{port}",
    )
    app = create_app(settings, passwords=CHEAP_PASSWORDS)
    sessions: sessionmaker[Session] = app.state.streetlight.sessions
    secret = staff_account(sessions, "sam", Role.OPERATOR, display_name="Sam Patel")
    problems = Problems()

    with served_at_localhost(app, port) as base, headless_chromium() as browser:
        context = browser.new_context(locale="en-GB", viewport={"width": 1000, "height": 800})
        page = problems.watch(context.new_page())
        cdp = context.new_cdp_session(page)
        cdp.send("WebAuthn.enable")
        authenticator = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": AUTHENTICATOR})

        browser_sign_in(page, base, "sam", secret, "/dashboard")
        page.click("#keys-link")
        page.wait_for_url(f"{base}/account/keys?lang=en")
        expect(page.locator("#no-keys")).to_be_visible()
        expect(page.locator("#key-needs-js")).to_be_hidden()  # webauthn.js ran
        page.fill("#key-label", "Laptop fingerprint reader")
        page.click("#add-key-button")
        page.wait_for_url(re.compile(r".*/account/keys\?lang=en&done=added$"), timeout=TIMEOUT_MS)
        expect(page.locator("#keys-notice")).to_have_text("Security key added.")
        expect(page.locator("#keys")).to_contain_text("Laptop fingerprint reader")
        expect(page.locator("#keys")).to_contain_text("never used")
        shot(page, "30-security-keys")
        accessible(page)
        stored = cdp.send(
            "WebAuthn.getCredentials", {"authenticatorId": authenticator["authenticatorId"]}
        )
        assert len(stored["credentials"]) == 1

        page.click("header form.inline button[type=submit]")  # sign out
        page.wait_for_url(f"{base}/signin?m=signed_out&lang=en")
        page.fill("#username", "sam")
        page.fill("#password", PASSWORD)
        expect(page.locator("#use-key")).to_be_visible()
        accessible(page)
        page.click("#use-key")  # no code typed: the key replaces it
        page.wait_for_url(f"{base}/dashboard", timeout=TIMEOUT_MS)
        assert "Signed in as Sam Patel (operator)" in page.locator("header").inner_text()
        page.goto(f"{base}/account/keys")
        expect(page.locator("#keys")).to_contain_text("last used")
        shot(page, "31-security-keys-used")
        page.goto(f"{base}/account/keys?lang=fr")
        expect(page.locator("h1")).to_have_text("Clés de sécurité")
        accessible(page)
        context.close()

    assert [p for p in problems if "Content Security Policy" in p or "Refused" in p] == []
    assert problems == []
    with sessions() as session:
        key = session.scalars(select(StaffCredential)).one()
        assert key.label == "Laptop fingerprint reader" and key.last_used_at is not None
        assert "internal" in key.transports.split(",")
        signins = session.scalars(
            select(AuditEntry.details).where(AuditEntry.action == "signin.success")
        ).all()
        assert [json.loads(d).get("method") for d in signins] == [None, "security_key"]
