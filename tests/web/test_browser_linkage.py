""" "Offences that may be theirs" in a real browser with JavaScript switched off (Debian's
Chromium, headless, Playwright; SQLite only): a unit supervisor opens a suspect's record, reads
the unsolved offence crime linkage suggests with its breakdown in words, and accepts it for
investigation with a reason; the decision is shown on the record and in the audit log.
Screenshots go to `test-artifacts/browser/` like the other browser tests."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.enums import LinkageDecision
from streetlight.db.models import AuditEntry, Role, StaffUser, UnitLinkageDecision
from streetlight.web.app import create_app
from tests.unit.casework_data import NOW, seed
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
from tests.web.conftest import CHEAP_PASSWORDS


def test_a_supervisor_accepts_a_linked_offence_without_javascript(
    sqlite_template: Path, tmp_path: Path
) -> None:
    settings = sqlite_settings(tmp_path, sqlite_template)
    app = create_app(settings, clock=lambda: NOW, passwords=CHEAP_PASSWORDS)
    sessions: sessionmaker[Session] = app.state.streetlight.sessions
    secret = staff_account(sessions, "ds-super", Role.UNIT_SUPERVISOR, display_name="DS Super")
    staff_account(sessions, "dc-officer", Role.UNIT_OFFICER)
    staff_account(sessions, "dc-colleague", Role.UNIT_OFFICER)
    with sessions.begin() as session:
        ids = {u.username: u.id for u in session.scalars(select(StaffUser))}
        work = seed(
            session,
            officer_id=ids["dc-officer"],
            colleague_id=ids["dc-colleague"],
            today=NOW.astimezone(settings.zone).date(),
            now=NOW,
        )
    person = f"/unit/people/{work.token('N100234')}"
    problems = Problems()

    with served(app) as base, headless_chromium() as browser:
        context = phone_context(browser, java_script_enabled=False, locale="en-GB")
        page = problems.watch(context.new_page())
        browser_sign_in(page, base, "ds-super", secret, person, at=NOW)
        section = page.locator("#linkage")
        expect(section.locator("h2")).to_have_text("Offences that may be theirs")
        first = section.locator("#linked-1")
        expect(first).to_contain_text("crime CL/00702/25")
        expect(first.locator(".breakdown")).to_contain_text(" apart")
        expect(first.locator(".strength")).to_contain_text("Evidence: ")
        shot(page, "67-unit-linkage")

        page.check("#linkage-accept-1")
        page.fill("#linkage-reason-1", "same street and hour as his: for the OIC to look at")
        page.click("#linkage-submit-1")
        expect(page.locator("#notice")).to_have_text(
            "Decision recorded, with its reason, in the audit log."
        )
        expect(page.locator("#linked-1 .linkage-decision")).to_have_text(
            "accepted for investigation"
        )
        expect(page.locator("#linkage-decisions")).to_contain_text("for the OIC to look at")
        shot(page, "68-unit-linkage-accepted")
        context.close()

    with sessions() as session:
        decision = session.scalars(select(UnitLinkageDecision)).one()
        actions = list(session.scalars(select(AuditEntry.action)))
    assert decision.decision is LinkageDecision.ACCEPT and decision.model == "logistic"
    assert "unit.alter" in actions
    assert problems == []
