"""Helpers for the public report tests: a report area around Middlesbrough town centre, an app
that uses it, and the public's calls (the form as a browser posts it, and the JSON API)."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import shapely
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response
from shapely.geometry import box, mapping, shape

from streetlight.geo.boundary import read_features
from streetlight.ingest import ingest
from streetlight.reports.area import AREA_FILE_NAME, ReportArea
from streetlight.reports.gazetteer import Gazetteer
from streetlight.store import Store
from streetlight.web.app import create_app
from streetlight.web.core.clock import Clock as AppClock
from streetlight.web.core.settings import Settings
from streetlight.web.reports import street_finder
from tests.conftest import REPO, sample_member
from tests.web.conftest import CHEAP_PASSWORDS, Clock
from tests.web.journeys import CENTRE

# A box of about 4 km by 3.3 km around the town centre (lon, lat).
WEST, SOUTH, EAST, NORTH = -1.26, 54.56, -1.20, 54.59
AREA: dict[str, Any] = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"name": "Middlesbrough town centre"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [[WEST, SOUTH], [EAST, SOUTH], [EAST, NORTH], [WEST, NORTH], [WEST, SOUTH]]
                ],
            },
        }
    ],
}
INSIDE = CENTRE
SAMPLE_LSOAS = REPO / "data" / "sample" / "cleveland-lsoa-2011.geojson"
OUTSIDE = (-1.05, 54.52)  # Guisborough: another town
# More than the form's minimum age: a person's time to fill the form in.
HUMAN_SECONDS = 5
_HIDDEN = r'name="{}" value="([^"]*)"'
_RECEIPT = re.compile(r'id="receipt"[^>]*>([0-9A-Z-]+)<')
_SUMMARY = re.compile(r'<li><a href="#([^"]+)">([^<]+)</a></li>')


def lsoa_area() -> dict[str, Any]:
    """The same box as the bundled sample's LSOAs cut to it, each with its `LSOA11CD` and
    `LSOA11NM` (so with district names: Middlesbrough, Stockton-on-Tees...). The river leaves
    part of the box out."""
    features = []
    for feature in read_features(SAMPLE_LSOAS):
        part = shape(feature["geometry"]).intersection(box(WEST, SOUTH, EAST, NORTH))
        if part.area > 0:
            geometry = mapping(shapely.make_valid(part))
            features.append({**feature, "geometry": json.loads(json.dumps(geometry))})
    return {"type": "FeatureCollection", "features": features}


def write_area(store: Path, area: dict[str, Any] | None = None) -> Path:
    """The area (the box unless `area` is given) as `report-area.geojson` in the data folder
    (where the app looks by default)."""
    store.mkdir(parents=True, exist_ok=True)
    path = store / "report-area.geojson"
    path.write_text(json.dumps(area or AREA), encoding="utf-8")
    return path


def area_app(
    settings: Settings, clock: AppClock, *, area: dict[str, Any] | None = None, **overrides: object
) -> FastAPI:
    """The app with the report area (the box unless `area` is given) in its data folder, and
    `overrides` to its settings."""
    write_area(settings.store, area)
    return create_app(settings.model_copy(update=overrides), clock=clock, passwords=CHEAP_PASSWORDS)


def cleveland_app(settings: Settings, clock: AppClock, *months: str, area: bool = True) -> FastAPI:
    """The app with `months` of the force's crimes in its store and, with `area`, the whole
    force (the sample's LSOAs, as the demo sets it up) as the report area."""
    settings.store.mkdir(parents=True)
    if area:
        shutil.copyfile(SAMPLE_LSOAS, settings.store / AREA_FILE_NAME)
    ingest_months(settings.store, *months)
    return create_app(settings, clock=clock, passwords=CHEAP_PASSWORDS)


def count_gazetteer_builds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The store versions the street finder builds its gazetteer for, from now on; each build
    also checks that it runs on a worker thread, not on the event loop."""
    builds: list[int] = []
    real = street_finder.build_gazetteer

    def counted(store: Store, area: ReportArea, area_file: Path | None) -> Gazetteer:
        with pytest.raises(RuntimeError):
            asyncio.get_running_loop()  # a worker thread, not the event loop's
        builds.append(store.manifest.version)
        return real(store, area, area_file)

    monkeypatch.setattr(street_finder, "build_gazetteer", counted)
    return builds


def sqlite_only_url(template: Path, tmp_path: Path) -> str:
    """A copy of the migrated SQLite template, for modules that override `database_url` to run
    on SQLite only (what they test uses no database)."""
    target = tmp_path / "db" / "streetlight.db"
    target.parent.mkdir()
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


def ingest_months(store: Path, *months: str) -> None:
    """The bundled sample's street files for `months` ("2024-01") into the store at `store`."""
    folder = store.parent / f"police-{'-'.join(months)}"
    folder.mkdir(parents=True, exist_ok=True)
    for month in months:
        (folder / f"{month}-cleveland-street.csv").write_bytes(sample_member(month))
    ingest([folder], Store.open(store, create=True))


def hidden(page: str, name: str) -> str:
    found = re.search(_HIDDEN.format(name), page)
    assert found, f"no hidden field {name!r} on the page"
    return found.group(1)


def receipt_of(page: str) -> str | None:
    found = _RECEIPT.search(page)
    return found.group(1) if found else None


def summary_of(page: str) -> list[tuple[str, str]]:
    """The error summary's links: (input id, message)."""
    return [(target, message.replace("&#39;", "'")) for target, message in _SUMMARY.findall(page)]


def form_fields(clock: Clock, **fields: Any) -> dict[str, Any]:
    """A valid form's fields (a typed place, one factor, today, 21:00-24:00), with `fields` on
    top (a value of None drops the field)."""
    form: dict[str, Any] = {
        "factors": ["poor_lighting", "followed"],
        "occurred_on": clock().date().isoformat(),
        "time_band": "7",
        "place": "Underpass by the station, Albert Road",
        "text": "",
    }
    form.update(fields)
    return {k: v for k, v in form.items() if v is not None}


def post_form(
    client: TestClient,
    clock: Clock,
    *,
    wait: float = HUMAN_SECONDS,
    lang: str = "en",
    **fields: Any,
) -> Response:
    """Open /report, wait `wait` seconds (on the app's clock), post the form as a browser would."""
    page = client.get(f"/report?lang={lang}").text
    data = {
        "csrf_token": hidden(page, "csrf_token"),
        "form_token": hidden(page, "form_token"),
        "website": "",
    }
    data.update(form_fields(clock, **fields))
    clock.advance(seconds=wait)
    return client.post(f"/report?lang={lang}", data=data)


def form_token(client: TestClient, clock: Clock, *, wait: float = HUMAN_SECONDS) -> str:
    token: str = client.get("/api/v1/reports/form-token").json()["form_token"]
    clock.advance(seconds=wait)
    return token


def api_body(clock: Clock, token: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "form_token": token,
        "factors": ["poor_lighting"],
        "occurred_on": clock().date().isoformat(),
        "time_band": 7,
        "location": {"lon": INSIDE[0], "lat": INSIDE[1]},
    }
    body.update(fields)
    return {k: v for k, v in body.items() if v is not None}


def post_api(client: TestClient, clock: Clock, **fields: Any) -> Response:
    """A fresh token, a person's pause, and one report through the JSON API."""
    return client.post("/api/v1/reports", json=api_body(clock, form_token(client, clock), **fields))


def look_up(client: TestClient, code: str, lang: str = "en") -> Response:
    page = client.get(f"/report/receipt?lang={lang}").text
    return client.post(
        f"/report/receipt?lang={lang}",
        data={"csrf_token": hidden(page, "csrf_token"), "receipt": code},
    )
