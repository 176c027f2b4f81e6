"""The public report pages in a real browser (Debian's Chromium, headless, driven by Playwright;
SQLite only): the report journey with the map and with JavaScript off, the receipt journey in
English and French, /safety offline once visited, and axe-core's WCAG 2.2 AA rules on every
public page of this issue, in both languages, with zero violations allowed.

The app runs on the real clock here with `report_min_seconds=0` (a script fills the form in far
faster than a person; the minimum age is tested over HTTP). Screenshots go to
`test-artifacts/browser/` (git-ignored).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from fastapi import FastAPI
from playwright.sync_api import Browser, BrowserContext, Geolocation, Page, Route, expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.models import PublicReport
from streetlight.reports import moderation
from streetlight.reports.categories import band_label
from streetlight.web.core.clock import utc_now
from tests.web.browser import (
    Problems,
    headless_chromium,
    phone_context,
    served,
    shot,
    sqlite_settings,
)
from tests.web.reporting import (
    EAST,
    INSIDE,
    NORTH,
    SOUTH,
    WEST,
    area_app,
    ingest_months,
    lsoa_area,
)

TIMEOUT_MS = 15_000
# WCAG 2.0, 2.1 and 2.2, levels A and AA: the rules axe-core tags for them.
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Pages whose refusals are HTTP errors on purpose (400, 404, 409, 429).
REFUSING_PAGES = frozenset({"/report", "/report/receipt"})
PHONE = Geolocation(longitude=INSIDE[0], latitude=INSIDE[1])
PIN_IN_THE_MIDDLE = """() => {
  const map = document.getElementById("map").getBoundingClientRect();
  const pin = document.querySelector(".leaflet-marker-icon:not(.street-label)").getBoundingClientRect();
  return Math.abs(pin.left + pin.width / 2 - (map.left + map.width / 2)) < 2
    && Math.abs(pin.bottom - (map.top + map.height / 2)) < 2;
}"""


@dataclass
class Site:
    base: str
    app: FastAPI
    browser: Browser
    problems: Problems

    def context(self, **options: object) -> BrowserContext:
        return phone_context(self.browser, **options)

    def page(self, context: BrowserContext) -> Page:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        # Chromium logs every 4xx document; refused forms and unknown receipts answer so.
        return self.problems.watch(page, refusing=REFUSING_PAGES)

    @property
    def sessions(self) -> sessionmaker[Session]:
        factory: sessionmaker[Session] = self.app.state.streetlight.sessions
        return factory


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("browser-reports")
    settings = sqlite_settings(folder, sqlite_template, report_min_seconds=0)
    # The town-centre box cut into the sample's LSOAs (district names for the street finder),
    # and a month of the sample's crimes (its streets).
    app = area_app(settings, utc_now, area=lsoa_area())
    ingest_months(settings.store, "2024-01")
    problems = Problems()
    with served(app) as base, headless_chromium() as browser:
        yield Site(base, app, browser, problems)
    assert problems == [], problems  # nothing broke the CSP or threw


def accessible(page: Page, name: str) -> None:
    """axe-core (bundled with axe-playwright-python, nothing fetched) finds no WCAG 2.2 AA
    violation on the page as it is now; a screenshot is kept either way."""
    shot(page, f"report-{name}")
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
    assert results.violations_count == 0, f"{name}: {results.generate_report()}"


def _fill(page: Page) -> None:
    page.check("#factor-poor_lighting")
    page.check("#factor-followed")
    page.select_option("#time_band", "7")


def _send_typed(page: Page, url: str, band: str, place: str) -> None:
    """Send a report of an isolated place, typed, from the form at `url`: its receipt shows."""
    page.goto(url)
    page.check("#factor-isolated")
    page.select_option("#time_band", band)
    page.fill("#place", place)
    page.click("#send")
    expect(page.locator("#receipt")).to_be_visible()


def test_report_with_the_map_then_the_receipt(site: Site) -> None:
    phone = site.context(locale="en-GB", geolocation=PHONE, permissions=["geolocation"])
    page = site.page(phone)
    page.goto(f"{site.base}/report")
    expect(page.locator("body")).to_have_attribute("data-map-ready", "1")
    expect(page.locator("#map-block")).to_be_visible()
    accessible(page, "form-en")

    # A tap on the map puts the pin there; "use my location" moves it to the phone.
    box = page.locator("#map").bounding_box()
    assert box is not None
    page.locator("#map").click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    # Then named after the nearest street, when one is close (see the test below).
    expect(page.locator("#pin-status")).to_have_text(
        re.compile(r"Pin placed( near [^.]+)?\. Tap again to move it\.")
    )
    lon, lat = float(page.input_value("#lon")), float(page.input_value("#lat"))
    assert WEST < lon < EAST and SOUTH < lat < NORTH
    page.click("#use-location")
    expect(page.locator("#pin-status")).to_have_text("Pin placed at your phone's location.")
    assert page.input_value("#lon") == f"{INSIDE[0]:.6f}"
    expect(page.locator(".leaflet-marker-icon:not(.street-label)")).to_have_count(1)

    # The street finder, by keyboard: a search as they type, Enter searches (and does not send
    # the form), the down arrow goes to the answers, Enter picks one: the pin goes there.
    street = page.request.get(f"{site.base}/report/places?q=albert+road").json()[0]
    assert (street["name"], street["district"]) == ("Albert Road", "Middlesbrough")
    page.fill("#street-query", "alb rd")
    expect(page.locator("#street-status")).to_have_text("1 street found")
    page.press("#street-query", "Enter")
    expect(page.locator("#street-status")).to_have_text("1 street found")
    assert page.url == f"{site.base}/report"
    page.press("#street-query", "ArrowDown")
    choice = page.locator("#street-results button")
    expect(choice).to_have_text(["Albert Road, Middlesbrough"])
    expect(choice).to_be_focused()
    accessible(page, "street-finder-en")
    page.keyboard.press("Enter")
    expect(page.locator("#pin-status")).to_have_text(
        "Pin placed on Albert Road, Middlesbrough. Tap the map to move it."
    )
    assert page.input_value("#lon") == f"{street['lon']:.6f}"
    assert page.input_value("#lat") == f"{street['lat']:.6f}"
    # The map is centred on the street (once its zoom animation ends): the pin's tip is in the
    # middle of the map.
    expect(page.locator(".leaflet-marker-icon:not(.street-label)")).to_have_count(1)
    page.wait_for_function(PIN_IN_THE_MIDDLE)
    page.fill("#street-query", "zzz")
    expect(page.locator("#street-status")).to_have_text(
        "No street found: check the spelling, or tap the map."
    )
    expect(page.locator("#street-results")).to_be_hidden()

    _fill(page)
    page.fill("#text", "A man followed me from the bus stop to the underpass.")
    page.click("#send")
    expect(page.locator("#outcome")).to_have_text("Thank you: your report has been sent.")
    code = page.locator("#receipt").inner_text()
    assert len(code) == 19 and code not in page.url
    expect(page.locator("#copy-receipt")).to_be_visible()
    accessible(page, "done-en")
    with site.sessions() as session:
        report = session.scalars(select(PublicReport).order_by(PublicReport.id.desc())).first()
        assert report is not None
        assert (report.lon, report.lat) == pytest.approx((street["lon"], street["lat"]))

    # The receipt journey: "you said" at once, "we did" once an analyst has answered.
    page.click("#receipt-link")
    accessible(page, "receipt-form-en")
    page.fill("#receipt", code.lower().replace("-", " "))
    page.click("#receipt-form button[type=submit]")
    expect(page.locator("#status")).to_have_text("Received. An analyst has not read it yet.")
    expect(page.locator("#said-factors")).to_contain_text("Being followed")
    expect(page.locator("#said-when")).to_contain_text(band_label(7))
    accessible(page, "receipt-en")
    with site.sessions.begin() as session:
        moderation.accept(session, report.id, actor="analyst", now=utc_now())
        moderation.respond(
            session, report.id, "Two officers now patrol the underpass on Friday nights.",
            actor="analyst", now=utc_now(),
        )  # fmt: skip
    french = site.page(site.context(locale="fr-FR"))
    french.goto(f"{site.base}/report/receipt")
    french.fill("#receipt", code)
    french.click("#receipt-form button[type=submit]")
    expect(french.locator("#status")).to_contain_text("Lu et accepté.")
    expect(french.locator("#response")).to_have_text(
        "Two officers now patrol the underpass on Friday nights."
    )
    accessible(french, "receipt-fr")
    french.goto(f"{site.base}/report/receipt")
    french.fill("#receipt", "0000-0000-0000-0000")
    french.click("#receipt-form button[type=submit]")
    expect(french.locator("#problem")).to_contain_text("Nous n'avons trouvé aucun signalement")
    accessible(french, "receipt-unknown-fr")
    phone.close()
    french.context.close()


def test_report_without_javascript(site: Site) -> None:
    context = site.context(locale="fr-FR", java_script_enabled=False)
    page = site.page(context)
    page.goto(f"{site.base}/report")
    expect(page.locator("h1")).to_have_text(
        "Signaler un lieu où vous ne vous sentez pas en sécurité"
    )
    expect(page.locator("#map-block")).to_be_hidden()
    # Sent without a place: refused, the answers kept, the error summary first.
    _fill(page)
    page.click("#send")
    expect(page.locator("#error-summary")).to_contain_text("décrivez le lieu")
    expect(page.locator("#factor-followed")).to_be_checked()
    shot(page, "report-error-nojs-fr")
    page.fill("#place", "Le passage souterrain près de la gare, Albert Road")
    page.click("#send")
    expect(page.locator("#outcome")).to_have_text("Merci : votre signalement a été envoyé.")
    code = page.locator("#receipt").inner_text()
    expect(page.locator("#copy-receipt")).to_be_hidden()
    shot(page, "report-done-nojs-fr")
    page.click("#receipt-link")
    page.fill("#receipt", code)
    page.click("#receipt-form button[type=submit]")
    expect(page.locator("#status")).to_have_text("Reçu. Un analyste ne l'a pas encore lu.")
    context.close()


def test_every_report_page_passes_axe_in_both_languages(site: Site) -> None:
    """The pages the journeys above do not check: the form in French, its error state and the
    receipt page in both languages (with JavaScript, as axe needs it)."""
    context = site.context()
    page = site.page(context)
    page.goto(f"{site.base}/report?lang=fr")
    expect(page.locator("body")).to_have_attribute("data-map-ready", "1")
    page.fill("#street-query", "linthorpe")
    expect(page.locator("#street-status")).to_have_text("1 rue trouvée")
    accessible(page, "form-fr")
    page.click("#send")  # nothing filled in: every error at once
    expect(page.locator("#error-summary")).to_be_focused()
    accessible(page, "errors-fr")
    _send_typed(page, f"{site.base}/report?lang=en", "1", "Albert Park, by the east gate")
    _send_typed(page, f"{site.base}/report?lang=fr", "2", "Albert Park, près de la porte est")
    accessible(page, "done-fr")
    page.goto(f"{site.base}/report/receipt?lang=fr")
    accessible(page, "receipt-form-fr")
    page.goto(f"{site.base}/report/receipt?lang=en")
    page.fill("#receipt", "nothing")
    page.click("#receipt-form button[type=submit]")
    accessible(page, "receipt-unknown-en")
    context.close()


def test_safety_works_offline_once_visited(site: Site) -> None:
    context = site.context(locale="en-GB")
    page = site.page(context)
    page.goto(f"{site.base}/safety")
    assert page.evaluate("navigator.serviceWorker.ready.then((r) => Boolean(r.active))")
    accessible(page, "safety-en")
    page.goto(f"{site.base}/safety?lang=fr")
    accessible(page, "safety-fr")

    context.set_offline(True)
    page.goto(f"{site.base}/safety?lang=en")
    expect(page.locator("#call-999")).to_have_attribute("href", "tel:999")
    expect(page.locator("h1")).to_have_text("Staying safe: the police's advice")
    page.reload()
    expect(page.locator("#call-999")).to_be_visible()
    page.goto(f"{site.base}/safety?lang=fr")
    expect(page.locator("h1")).to_have_text("Conseils de sécurité de la police")
    expect(page.locator("#silent")).to_contain_text("composez le 55")
    shot(page, "report-safety-offline-fr")
    context.set_offline(False)
    context.close()


# Elements that reach past the viewport's right edge: what makes a page scroll sideways.
_OVERFLOWING = """() => [...document.querySelectorAll("body *")]
  .filter((e) => !e.closest(".leaflet-container"))  // the map clips its own layers
  .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .map((e) => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
    + (e.className && typeof e.className === "string" ? "." + e.className.split(" ").join(".") : ""))
"""
_PUBLIC_PAGES = ("/report", "/report/receipt", "/safety", "/verify", "/")


def test_public_pages_reflow_at_200_percent_text_on_a_320_pixel_screen(site: Site) -> None:
    """WCAG 1.4.10 and 1.4.4: text doubled on the narrowest phone, and nothing scrolls sideways."""
    context = site.context(viewport={"width": 320, "height": 640})
    page = site.page(context)
    for path in _PUBLIC_PAGES:
        for lang in ("en", "fr"):
            page.goto(f"{site.base}{path}?lang={lang}")
            page.evaluate("document.documentElement.style.fontSize = '200%'")
            wide = page.evaluate(_OVERFLOWING)
            assert wide == [], f"{path}?lang={lang}: {wide}"
    context.close()


def test_public_pages_follow_a_dark_phone_and_stay_accessible(site: Site) -> None:
    """At night a white page dazzles: the pages take the phone's dark scheme, and axe-core's
    contrast rules still pass in it."""
    context = site.context(color_scheme="dark")
    page = site.page(context)
    for path in _PUBLIC_PAGES:
        page.goto(f"{site.base}{path}")
        background = page.evaluate("getComputedStyle(document.documentElement).backgroundColor")
        red, green, blue = (int(v) for v in re.findall(r"\d+", background)[:3])
        assert max(red, green, blue) < 64, f"{path}: {background}"
        accessible(page, f"dark{path.replace('/', '-') or '-home'}")
    context.close()


def test_a_tap_on_the_bare_map_says_which_street_the_pin_is_near(site: Site) -> None:
    context = site.context(locale="en-GB")
    page = site.page(context)
    page.goto(f"{site.base}/report")
    expect(page.locator("body")).to_have_attribute("data-map-ready", "1")
    page.fill("#street-query", "albert road")
    page.locator("#street-results button").first.click()  # the map goes to the street
    box = page.locator("#map").bounding_box()
    assert box is not None
    expect(page.locator("#pin-status")).to_contain_text("Pin placed on Albert Road")
    page.wait_for_timeout(600)  # the map's move to the street has ended
    # About 25 m from the street's busiest snap point, off the pin's own icon.
    page.locator("#map").click(position={"x": box["width"] / 2 + 20, "y": box["height"] / 2 + 20})
    expect(page.locator("#pin-status")).to_contain_text("Pin placed near Albert Road")
    context.close()


def test_a_late_answer_leaves_the_focus_on_the_answers(site: Site) -> None:
    """Enter searches again while the answers are already shown; someone who has moved to them
    with the down arrow before the new answer arrives must keep their place."""
    context = site.context(locale="en-GB")
    page = site.page(context)
    page.goto(f"{site.base}/report")
    expect(page.locator("body")).to_have_attribute("data-map-ready", "1")
    page.fill("#street-query", "alb rd")
    expect(page.locator("#street-status")).to_have_text("1 street found")
    held: list[Route] = []
    page.route("**/report/places*", lambda route: held.append(route))
    page.press("#street-query", "Enter")
    while not held:
        page.wait_for_timeout(20)
    page.press("#street-query", "ArrowDown")
    choice = page.locator("#street-results button")
    expect(choice).to_be_focused()
    choice.evaluate("button => { button.dataset.old = '1'; }")
    held[0].continue_()
    expect(page.locator("#street-results button:not([data-old])")).to_have_count(1)
    expect(choice).to_be_focused()
    context.close()


def test_the_bare_map_writes_street_names_when_zoomed_in(site: Site) -> None:
    context = site.context(locale="en-GB")
    page = site.page(context)
    page.goto(f"{site.base}/report")
    expect(page.locator("body")).to_have_attribute("data-map-ready", "1")
    expect(page.locator(".street-label")).to_have_count(0)  # the whole area: too small to read
    page.fill("#street-query", "albert road")
    page.locator("#street-results button").first.click()  # zooms in on the street
    expect(page.locator(".street-label", has_text="Albert Road")).to_have_count(1)
    shot(page, "report-street-labels")
    context.close()
