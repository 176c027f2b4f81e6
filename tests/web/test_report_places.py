"""The report map's street finder over HTTP (`GET /report/places`, SQLite only: it uses no
database): streets of the area from the incident store, with districts from the area's LSOAs,
built once per store version in a worker thread."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from streetlight.reports.area import ReportArea
from streetlight.reports.gazetteer import GazetteerEntry
from streetlight.store import Store
from streetlight.web.app import create_app
from streetlight.web.core.settings import Settings
from streetlight.web.reports import street_finder
from streetlight.web.reports.street_finder import StreetFinder
from tests.web.conftest import CHEAP_PASSWORDS, Clock
from tests.web.reporting import (
    EAST,
    NORTH,
    SAMPLE_LSOAS,
    SOUTH,
    WEST,
    area_app,
    cleveland_app,
    count_gazetteer_builds,
    ingest_months,
    sqlite_only_url,
)

FINDER = 'id="street-finder"'


@pytest.fixture
def database_url(sqlite_template: Path, tmp_path: Path) -> str:
    """SQLite only (overrides the fixture run on both engines)."""
    return sqlite_only_url(sqlite_template, tmp_path)


def _client(app: FastAPI) -> TestClient:
    return TestClient(app, base_url="http://testserver", follow_redirects=False)


@pytest.fixture
def cleveland(settings: Settings, clock: Clock) -> FastAPI:
    """The whole force as the report area (the sample's LSOAs, as the demo sets it up) and two
    months of its crimes in the store."""
    return cleveland_app(settings, clock, "2024-01", "2024-02")


@pytest.fixture
def public(cleveland: FastAPI) -> Iterator[TestClient]:
    with _client(cleveland) as client:
        yield client


def _places(client: TestClient, query: str) -> list[dict[str, Any]]:
    response = client.get("/report/places", params={"q": query})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body: list[dict[str, Any]] = response.json()
    return body


def test_streets_by_name_with_their_district(public: TestClient, settings: Settings) -> None:
    found = _places(public, "alb rd")
    assert found[0]["name"] == "Albert Road" and found[0]["district"] == "Middlesbrough"
    # The same name in two districts: two streets.
    assert {(f["name"], f["district"]) for f in _places(public, "high st")} >= {
        ("High Street", "Stockton-on-Tees"),
        ("High Street", "Redcar and Cleveland"),
    }
    assert all(set(f) == {"name", "district", "lon", "lat"} for f in found)
    area = ReportArea.from_geojson(SAMPLE_LSOAS)
    assert all(area.contains(f["lon"], f["lat"]) for f in found)
    # A real snap point of the street, where most of its incidents are.
    albert = (
        Store.open(settings.store)
        .incidents(columns=["location", "lon", "lat"])
        .filter(location="On or near Albert Road")
    )
    busiest = (
        albert.group_by("lon", "lat")
        .len()
        .sort(["len", "lon", "lat"], descending=[True, False, False])
        .row(0)
    )
    assert (found[0]["lon"], found[0]["lat"]) == busiest[:2]
    assert len(_places(public, "road")) == 8  # at most 8
    assert _places(public, "ALBERT ROAD") == _places(public, "albert road")
    assert _places(public, "nightclub") == []  # a kind of place, not a street


def test_the_query_is_trimmed_and_between_2_and_60_characters(
    public: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[str] = []
    real = street_finder.Streets.find

    async def counted(
        streets: street_finder.Streets, query: str, limit: int
    ) -> list[GazetteerEntry]:
        asked.append(query)
        return await real(streets, query, limit)

    monkeypatch.setattr(street_finder.Streets, "find", counted)
    for refused in ("", " ", "a", "  a  ", "x" * 61, "albert road " + "x" * 49):
        assert _places(public, refused) == []
    assert asked == []
    assert _places(public, "  albert road" + " " * 60)[0]["name"] == "Albert Road"
    assert _places(public, "ab")
    assert _places(public, "albert " + "r" * 53) == []  # 60 characters: searched, no match
    assert asked == ["albert road", "ab", "albert " + "r" * 53]
    assert public.get("/report/places").json() == []


def test_the_finder_is_built_once_per_store_version_outside_the_event_loop(
    cleveland: FastAPI, public: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    builds = count_gazetteer_builds(monkeypatch)
    assert _places(public, "albert")
    assert _places(public, "linthorpe")
    assert len(builds) == 1
    assert isinstance(cleveland.state.streetlight_StreetFinder, StreetFinder)
    # A new ingest is a new store version: built again.
    ingest_months(settings.store, "2024-03")
    assert _places(public, "albert")
    assert _places(public, "linthorpe")
    assert len(builds) == 2 and builds[1] > builds[0]


def test_only_streets_inside_the_report_area(settings: Settings, clock: Clock) -> None:
    app = area_app(settings, clock)  # a box around Middlesbrough town centre
    ingest_months(settings.store, "2024-01")
    with _client(app) as client:
        assert FINDER in client.get("/report").text
        assert [f["name"] for f in _places(client, "albert road")] == ["Albert Road"]
        assert _places(client, "albert road")[0]["district"] == ""  # the box names no LSOA
        streets = _places(client, "street")
        assert streets
        for street in streets:
            assert WEST <= street["lon"] <= EAST and SOUTH <= street["lat"] <= NORTH
        assert _places(client, "high street") == []  # Stockton's and Redcar's are outside


def test_nothing_to_find_without_a_store_or_an_area(settings: Settings, clock: Clock) -> None:
    app = area_app(settings, clock)
    with _client(app) as client:
        assert FINDER not in client.get("/report").text  # the map, but no finder
        assert 'id="map-block"' in client.get("/report").text
        assert _places(client, "albert road") == []
    other = settings.model_copy(update={"store": settings.store.parent / "no-area"})
    ingest_months(other.store, "2024-01")
    with _client(create_app(other, clock=clock, passwords=CHEAP_PASSWORDS)) as client:
        assert 'id="map-block"' not in client.get("/report").text
        assert _places(client, "albert road") == []


def test_a_tap_on_the_map_is_named_after_the_nearest_street(
    public: TestClient, settings: Settings
) -> None:
    """The map has no tiles offline: after a tap the page says which street the pin is near,
    from every snap point of the street (not only its busiest)."""
    points = (
        Store.open(settings.store)
        .incidents(columns=["location", "lon", "lat"])
        .filter(location="On or near Albert Road")
        .unique(["lon", "lat"])
        .sort("lon", "lat")
    )
    for lon, lat in points.select("lon", "lat").iter_rows():
        found = public.get("/report/places", params={"near": f"{lon:.6f},{lat:.6f}"}).json()
        assert [(f["name"], f["district"]) for f in found] == [("Albert Road", "Middlesbrough")]
    # Far from every snap point (the North Sea, inside no street's reach): no name.
    assert public.get("/report/places", params={"near": "-0.900000,54.700000"}).json() == []
    for bad in ("1,2,3", "x,y", "181.5,54", "-1.2;54.5", "1e3,2"):
        assert public.get("/report/places", params={"near": bad}).status_code == 422


def test_the_map_labels_the_busiest_streets_of_the_part_shown(public: TestClient) -> None:
    albert = _places(public, "albert road")[0]
    west, south = albert["lon"] - 0.003, albert["lat"] - 0.002
    east, north = albert["lon"] + 0.003, albert["lat"] + 0.002
    box = f"{west:.6f},{south:.6f},{east:.6f},{north:.6f}"
    shown = public.get("/report/places", params={"in": box}).json()
    assert 0 < len(shown) <= 40 and "Albert Road" in {s["name"] for s in shown}
    assert all(west <= s["lon"] <= east and south <= s["lat"] <= north for s in shown)
    for bad in ("1,2,3", "2,0,1,1", "0,2,1,1", "a,b,c,d"):
        assert public.get("/report/places", params={"in": bad}).status_code == 422
