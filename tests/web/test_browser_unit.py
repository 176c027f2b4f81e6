"""The offender unit's pages in a real browser with JavaScript switched off (Debian's Chromium,
headless, driven by Playwright; SQLite only): a unit officer signs in, opens their caseload, a
person on it, and marks a task done; then asks for someone off their caseload, is asked why,
and gives a reason. A unit supervisor refreshes the harm-ranking list, reads why the first
person is on it and adopts them with a reason. Screenshots go to `test-artifacts/browser/` like
the other browser tests.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.enums import TaskStatus
from streetlight.db.models import AuditEntry, Role, StaffUser, UnitTask
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


def test_a_unit_officer_works_the_caseload_without_javascript(
    sqlite_template: Path, tmp_path: Path
) -> None:
    settings = sqlite_settings(tmp_path, sqlite_template)
    app = create_app(settings, passwords=CHEAP_PASSWORDS)
    sessions: sessionmaker[Session] = app.state.streetlight.sessions
    secret = staff_account(sessions, "dc-officer", Role.UNIT_OFFICER, display_name="DC Officer")
    staff_account(sessions, "dc-colleague", Role.UNIT_OFFICER)
    now = datetime.now(UTC)
    with sessions.begin() as session:
        ids = {u.username: u.id for u in session.scalars(select(StaffUser))}
        work = seed(
            session,
            officer_id=ids["dc-officer"],
            colleague_id=ids["dc-colleague"],
            today=now.astimezone(settings.zone).date(),
            now=now,
        )
    task = work.tasks["overdue_arrest"]
    theirs = work.token("N100655")
    problems = Problems()

    with served(app) as base, headless_chromium() as browser:
        context = phone_context(browser, java_script_enabled=False, locale="en-GB")
        page = problems.watch(context.new_page(), refusing={f"/unit/people/{theirs}"})
        browser_sign_in(page, base, "dc-officer", secret, "/unit")
        expect(page.locator("h1")).to_have_text("My caseload")
        expect(page.locator("#overdue-count")).to_contain_text("2 of 4 overdue")
        expect(page.locator("#tasks tbody tr").first).to_have_attribute("id", f"task-{task}")
        shot(page, "60-unit-caseload")

        page.locator(".person-link", has_text="CORVANTIS").click()
        page.wait_for_url(f"{base}/unit/people/{work.token('N100234')}?lang=en")
        expect(page.locator("#person-name")).to_have_text("Dariusz CORVANTIS")
        expect(page.locator("#timeline li").first).to_be_visible()
        expect(page.locator("#victims")).to_contain_text("safeguarding")
        expect(page.locator("svg.offence-map circle").first).to_be_attached()
        shot(page, "61-unit-person")

        page.select_option(f"#status-{task}", "done")
        page.click(f"#save-{task}")
        expect(page.locator("#notice")).to_have_text("Task updated.")
        expect(page.locator(f"#task-{task}")).to_have_count(0)
        shot(page, "62-unit-task-done")

        page.goto(f"{base}/unit/people/{theirs}")
        expect(page.locator("h1")).to_have_text("Why do you need this record?")
        expect(page.locator("body")).not_to_contain_text("TRESIDDER")
        shot(page, "63-unit-reason")
        page.fill("#reason", "MARAC referral 14/25")
        page.click("#reason-submit")
        expect(page.locator("#person-name")).to_have_text("Marek TRESIDDER")
        shot(page, "64-unit-person-with-reason")
        context.close()

    with sessions() as session:
        row = session.get(UnitTask, task)
        assert row is not None and row.status is TaskStatus.DONE
        reasons = list(
            session.scalars(select(AuditEntry.details).where(AuditEntry.action == "unit.consult"))
        )
    assert any("MARAC referral 14/25" in r for r in reasons)
    assert problems == []


def test_a_supervisor_refreshes_the_list_and_adopts_someone_without_javascript(
    sqlite_template: Path, tmp_path: Path
) -> None:
    """The list is a prompt: the supervisor refreshes it, reads why the first person is there,
    and records a decision with a reason before anyone can be tasked from it."""
    settings = sqlite_settings(tmp_path, sqlite_template)
    # The app lives on the example casework's day: its offences are too old to rank today.
    app = create_app(settings, clock=lambda: NOW, passwords=CHEAP_PASSWORDS)
    sessions: sessionmaker[Session] = app.state.streetlight.sessions
    secret = staff_account(sessions, "ds-super", Role.UNIT_SUPERVISOR, display_name="DS Super")
    staff_account(sessions, "dc-officer", Role.UNIT_OFFICER)
    staff_account(sessions, "dc-colleague", Role.UNIT_OFFICER)
    with sessions.begin() as session:
        ids = {u.username: u.id for u in session.scalars(select(StaffUser))}
        seed(
            session,
            officer_id=ids["dc-officer"],
            colleague_id=ids["dc-colleague"],
            today=NOW.astimezone(settings.zone).date(),
            now=NOW,
        )
    problems = Problems()

    with served(app) as base, headless_chromium() as browser:
        context = phone_context(browser, java_script_enabled=False, locale="en-GB")
        page = problems.watch(context.new_page())
        browser_sign_in(page, base, "ds-super", secret, "/unit/list", at=NOW)
        expect(page.locator("#no-refresh")).to_be_visible()
        page.click("#refresh-submit")
        first = page.locator("#list > li").first
        expect(first).to_contain_text("Rank 1:")
        expect(first.locator(".standing-needs_decision")).to_be_visible()
        short = (first.get_attribute("id") or "p-")[2:]
        first.locator("summary").click()
        expect(first.locator(".explanation")).to_contain_text("CCHI days")
        shot(page, "65-unit-list")

        page.check(f"#d-{short}-adopt")
        page.fill(f"#r-{short}", "repeat DA against two partners; MARAC agreed")
        page.locator(f"#decide-{short} button[type=submit]").click()
        adopted = page.locator(f"#p-{short}")
        expect(adopted.locator(".standing-adopt")).to_be_visible()
        expect(adopted.locator(".decision")).to_contain_text("MARAC agreed")
        shot(page, "66-unit-list-adopted")
        context.close()

    with sessions() as session:
        actions = list(session.scalars(select(AuditEntry.action)))
    assert "unit.refresh" in actions and "unit.alter" in actions
    assert problems == []
