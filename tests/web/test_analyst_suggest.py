"""Suggested streets for reports with a typed place only: the analyst's queue and detail page
offer up to three streets of the report area's gazetteer, each a one-click locate form (SQLite
only: the gazetteer uses no database)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.models import Role
from streetlight.web.core.settings import Settings
from tests.web.conftest import Clock, MakeStaff
from tests.web.journeys import staff_client
from tests.web.reporting import cleveland_app, count_gazetteer_builds, sqlite_only_url
from tests.web.test_analyst import HERE, add_report, audit_rows, post, status_of

PLACE = "the underpass by Albert Road"
SUGGESTED = "Locate on Albert Road, Middlesbrough"
FORM = re.compile(
    r'<form class="inline" method="post" action="(/analyst/reports/\d+/locate\?[^"]*)">\s*'
    r'<input type="hidden" name="csrf_token" value="[^"]*">\s*'
    r'<input type="hidden" name="lon" value="([^"]*)">\s*'
    r'<input type="hidden" name="lat" value="([^"]*)">\s*'
    r'<button type="submit" class="secondary" id="locate-\d+-1">' + SUGGESTED
)


@pytest.fixture
def database_url(sqlite_template: Path, tmp_path: Path) -> str:
    """SQLite only (overrides the fixture run on both engines)."""
    return sqlite_only_url(sqlite_template, tmp_path)


@pytest.fixture
def with_area() -> bool:
    return True


@pytest.fixture
def app(settings: Settings, clock: Clock, with_area: bool) -> FastAPI:
    """A month of the force's crimes in the store, and the whole force as the report area (none
    when `with_area` is False)."""
    return cleveland_app(settings, clock, "2024-01", area=with_area)


def test_a_typed_place_gets_suggested_streets_that_locate_it_in_one_click(
    app: FastAPI,
    app_sessions: sessionmaker[Session],
    make_staff: MakeStaff,
    clock: Clock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    builds = count_gazetteer_builds(monkeypatch)
    typed = add_report(app_sessions, at=None, place=PLACE)
    nowhere = add_report(app_sessions, at=None, place="the underpass by the station")
    located = add_report(app_sessions, at=HERE, place=PLACE)
    analyst = staff_client(app, make_staff, clock, Role.ANALYST)

    queue = analyst.get("/analyst/reports").text
    assert queue.count(SUGGESTED) == 1  # the located report gets none
    assert f'id="suggested-{typed}"' in queue
    assert f'id="suggested-{nowhere}"' not in queue and f'id="suggested-{located}"' not in queue
    assert len(re.findall(rf'id="locate-{typed}-\d"', queue)) <= 3
    detail = analyst.get(f"/analyst/reports/{typed}?lang=fr").text
    assert "Placer sur Albert Road, Middlesbrough" in detail
    assert builds and len(set(builds)) == 1  # built once for the store's version

    match = FORM.search(queue)
    assert match is not None
    action, lon, lat = html.unescape(match[1]), float(match[2]), float(match[3])
    context = app.state.streetlight
    assert context.report_area is not None
    gazetteer = app.state.streetlight_StreetFinder.gazetteer(  # the cached one, not rebuilt
        context.settings.store,
        context.report_area,
        context.settings.resolved_report_area,
    )
    entry = gazetteer.search("albert road")[0]
    assert (lon, lat) == (entry.lon, entry.lat)
    response = post(analyst, action, lon=match[2], lat=match[3])
    assert response.status_code == 303, response.text
    assert audit_rows(app_sessions, "report.located")[-1].subject == f"report:{typed}"
    report = status_of(app_sessions, typed)
    assert (report.lon, report.lat) == (lon, lat)
    assert SUGGESTED not in analyst.get(response.headers["location"]).text


@pytest.mark.parametrize("with_area", [False])
def test_no_suggestions_without_a_report_area(
    app: FastAPI, app_sessions: sessionmaker[Session], make_staff: MakeStaff, clock: Clock
) -> None:
    """(Without a store, every test of test_analyst.py shows the page as it was.)"""
    typed = add_report(app_sessions, at=None, place=PLACE)
    analyst = staff_client(app, make_staff, clock, Role.ANALYST)
    queue = analyst.get("/analyst/reports").text
    assert "Locate on" not in queue and f'id="suggested-{typed}"' not in queue
    assert f'id="locate-{typed}"' in queue  # the form to type a position is still there
    assert "Locate on" not in analyst.get(f"/analyst/reports/{typed}").text
