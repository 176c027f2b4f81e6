"""The moderation queue and the analyst map in a real browser (Debian's Chromium, headless,
driven by Playwright; SQLite only).

An analyst signs in with a password and a TOTP code, accepts one report, merges its duplicate
into it and rejects a third as spam; then the map loads its three layers (report points, the
perception layer and the crime hotspots from the incident store) with nothing on the page
breaking the CSP. Screenshots go to `test-artifacts/browser/` like the other browser tests.
"""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import expect
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.models import Role
from streetlight.ingest import ingest
from streetlight.reports.area import AREA_FILE_NAME
from streetlight.reports.categories import Factor, ReportStatus
from streetlight.store import Store
from streetlight.web.app import create_app
from tests.conftest import sample_member
from tests.web.browser import (
    Problems,
    browser_sign_in,
    headless_chromium,
    served,
    shot,
    sqlite_settings,
    staff_account,
)
from tests.web.conftest import CHEAP_PASSWORDS
from tests.web.test_analyst import add_report, status_of

TIMEOUT_MS = 20_000
# A box around Middlesbrough (lon, lat): the area the force takes reports for.
AREA = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[-1.30, 54.52], [-1.15, 54.52], [-1.15, 54.62], [-1.30, 54.62], [-1.30, 54.52]]
                ],
            },
        }
    ],
}


def _store(folder: Path, tmp_path: Path) -> None:
    """Two months of real Cleveland crimes in the incident store, and the report area."""
    sources = tmp_path / "police"
    sources.mkdir()
    for month in ("2024-01", "2024-02"):
        (sources / f"{month}-cleveland-street.csv").write_bytes(sample_member(month))
    ingest([sources], Store.open(folder, create=True))
    (folder / AREA_FILE_NAME).write_text(json.dumps(AREA), encoding="utf-8")


def test_the_moderation_queue_and_the_map_in_a_browser(
    sqlite_template: Path, tmp_path: Path
) -> None:
    settings = sqlite_settings(tmp_path, sqlite_template)
    _store(settings.store, tmp_path)
    app = create_app(settings, passwords=CHEAP_PASSWORDS)
    sessions: sessionmaker[Session] = app.state.streetlight.sessions
    secret = staff_account(sessions, "analyst", Role.ANALYST, display_name="Ana Lyst")
    for _ in range(5):  # already on the map
        add_report(sessions, status=ReportStatus.ACCEPTED, factors=(Factor.POOR_LIGHTING,))
    first = add_report(sessions, factors=(Factor.FOLLOWED,), text="Followed from the station.")
    again = add_report(sessions, factors=(Factor.FOLLOWED,), text="Someone followed me")
    spam = add_report(sessions, at=None, place="Win a prize at 07700 900123", text="cheap pills")
    problems = Problems()

    with served(app) as base, headless_chromium() as browser:
        context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
        page = problems.watch(context.new_page())
        browser_sign_in(page, base, "analyst", secret, "/analyst/reports")
        expect(page.locator(f"#report-{spam} .place")).to_contain_text("[phone]")
        expect(page.locator(f"#report-{first} .duplicates")).to_contain_text(f"Report #{again}")
        shot(page, "20-analyst-queue")

        page.click(f"#accept-{first}")
        expect(page.locator("#notice")).to_have_text(f"Report #{first} accepted.")
        page.fill(f"#into-{again}", str(first))
        page.click(f"#merge-{again}")
        expect(page.locator("#notice")).to_have_text(
            f"Report #{again} merged into report #{first}."
        )
        page.click(f"#reject-{spam}")
        expect(page.locator("#notice")).to_have_text(f"Report #{spam} rejected as spam.")
        expect(page.locator("#empty")).to_be_visible()  # nothing left pending
        shot(page, "21-analyst-queue-done")

        page.click("#map-link")
        expect(page.locator("body")).to_have_attribute("data-layers", "3", timeout=TIMEOUT_MS)
        overlays = page.locator(".leaflet-control-layers-overlays input[type=checkbox]")
        expect(overlays).to_have_count(3)
        map_data = page.locator("#map")
        assert int(map_data.get_attribute("data-points-features") or 0) == 6
        assert int(map_data.get_attribute("data-perception-features") or 0) == 1
        assert int(map_data.get_attribute("data-hotspots-features") or 0) > 0
        expect(page.locator("#layer-notes")).to_contain_text("forecast for 2024-03")
        shot(page, "22-analyst-map")
        paths = page.locator(".leaflet-overlay-pane path")
        drawn = paths.count()
        page.locator(".leaflet-control-layers-overlays label", has_text="Crime hotspots").click()
        expect(paths).not_to_have_count(drawn)  # the hotspot layer switched off
        shot(page, "23-analyst-map-no-hotspots")
        context.close()

    assert status_of(sessions, first).status is ReportStatus.ACCEPTED
    assert status_of(sessions, again).merged_into_id == first
    assert status_of(sessions, spam).status is ReportStatus.REJECTED
    assert problems == []
