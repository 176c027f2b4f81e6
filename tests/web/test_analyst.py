"""The analyst's desk: who may use it, the moderation queue and its audited actions,
scrubbed text in the list and raw text on the audited detail page, the map's three layers, and
exports at the public precision (250 m cells, at least 5 reports, no exact points)."""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.models import AuditEntry, PublicReport, Role
from streetlight.hotspots.base import StudyArea
from streetlight.ingest import ingest
from streetlight.reports.categories import (
    FACTOR_CODE,
    FACTORS,
    N_BANDS,
    Factor,
    ReportStatus,
    band_label,
)
from streetlight.store import Store
from streetlight.web.analyst import hotspot_layer
from streetlight.web.analyst.hotspot_layer import HotspotCache
from streetlight.web.core.settings import Settings
from tests.conftest import sample_member
from tests.web.conftest import Clock, MakeStaff, add_officer, csrf_token, sign_in
from tests.web.journeys import staff_client

# Middlesbrough town centre (lon, lat), and a point a few hundred metres away.
HERE = (-1.2346, 54.5742)
ELSEWHERE = (-1.2200, 54.5650)
RAW_TEXT = "He shouted at me. Call me on 07700 900123 or jo.bloggs@example.com; car AB12 CDE."
RAW_PLACE = "Bus stop by 07700 900123 Albert Road"
GET_ROUTES = (
    "/analyst/reports",
    "/analyst/reports/1",
    "/analyst/map",
    "/analyst/reports.geojson",
    "/analyst/perception.geojson",
    "/analyst/hotspots.geojson",
    "/analyst/export.geojson",
    "/analyst/export.csv",
)
ACTIONS = ("accept", "reject", "merge", "respond", "locate")


def add_report(
    sessions: sessionmaker[Session],
    *,
    at: tuple[float, float] | None = HERE,
    factors: tuple[Factor, ...] = (Factor.POOR_LIGHTING,),
    band: int = 7,
    status: ReportStatus = ReportStatus.PENDING,
    occurred_on: date = date(2025, 11, 20),
    place: str = "",
    text: str = "",
    scores: dict[str, int] | None = None,
) -> int:
    """A report as the public form would have stored it; returns its id."""
    mask = 0
    for factor in factors:
        mask |= 1 << FACTOR_CODE[factor]
    with sessions.begin() as session:
        report = PublicReport(
            receipt_hash=secrets.token_hex(32),
            nonce_hash=secrets.token_hex(32),
            submitted_on=occurred_on + timedelta(days=1),
            occurred_on=occurred_on,
            time_band=band,
            factor_mask=mask,
            lon=at[0] if at else None,
            lat=at[1] if at else None,
            place=place,
            text=text,
            status=status,
            **{f"score_{name}": value for name, value in (scores or {}).items()},
        )
        session.add(report)
        session.flush()
        return report.id


def status_of(sessions: sessionmaker[Session], report_id: int) -> PublicReport:
    with sessions() as session:
        report = session.get(PublicReport, report_id)
        assert report is not None
        session.expunge(report)
        return report


def audit_rows(sessions: sessionmaker[Session], prefix: str) -> list[AuditEntry]:
    with sessions() as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.action.startswith(prefix)).order_by(AuditEntry.id)
        ).all()
        for row in rows:
            session.expunge(row)
        return list(rows)


def post(client: TestClient, path: str, **fields: str) -> Any:
    return client.post(path, data={"csrf_token": csrf_token(client, "/analyst/reports"), **fields})


@pytest.fixture
def analyst(app: FastAPI, make_staff: MakeStaff, clock: Clock) -> TestClient:
    return staff_client(app, make_staff, clock, Role.ANALYST)


# --- Who may use it --------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(
    client: TestClient, app_sessions: sessionmaker[Session]
) -> None:
    report = add_report(app_sessions)
    for path in GET_ROUTES:
        response = client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/signin?next=/analyst/")
    token = csrf_token(client)
    refused = client.post(f"/analyst/reports/{report}/accept", data={"csrf_token": token})
    assert refused.status_code == 401
    assert status_of(app_sessions, report).status is ReportStatus.PENDING


def test_only_analysts_supervisors_and_admins_get_in(
    app: FastAPI, make_staff: MakeStaff, clock: Clock, app_sessions: sessionmaker[Session]
) -> None:
    report = add_report(app_sessions)
    add_officer(app_sessions, clock, "PC1")
    accounts = {
        Role.OFFICER: make_staff(Role.OFFICER, "pc1", warrant="PC1"),
        Role.OPERATOR: make_staff(Role.OPERATOR),
        Role.ANALYST: make_staff(Role.ANALYST),
        Role.SUPERVISOR: make_staff(Role.SUPERVISOR),
        Role.ADMIN: make_staff(Role.ADMIN),
    }
    for role, staff in accounts.items():
        allowed = role in (Role.ANALYST, Role.SUPERVISOR, Role.ADMIN)
        with TestClient(app, follow_redirects=False) as client:
            assert sign_in(client, staff, clock).status_code == 303
            for path in GET_ROUTES:
                path = path.replace("/1", f"/{report}")
                assert client.get(path).status_code == (200 if allowed else 403), (role, path)
            token = csrf_token(client, "/dashboard")
            dashboard = client.get("/dashboard").text
            assert ('id="analyst-link"' in dashboard) is allowed
            if not allowed:
                for action in ACTIONS:
                    refused = client.post(
                        f"/analyst/reports/{report}/{action}", data={"csrf_token": token}
                    )
                    assert refused.status_code == 403, (role, action)
    assert status_of(app_sessions, report).status is ReportStatus.PENDING


def test_actions_need_a_csrf_token(
    analyst: TestClient, app_sessions: sessionmaker[Session]
) -> None:
    report = add_report(app_sessions)
    for token in ("", "0" * 64):
        refused = analyst.post(f"/analyst/reports/{report}/accept", data={"csrf_token": token})
        assert refused.status_code == 403
        assert "This form has expired" in refused.text
    assert status_of(app_sessions, report).status is ReportStatus.PENDING
    assert audit_rows(app_sessions, "report.") == []


# --- The queue and the detail page -----------------------------------------------------------


def test_the_list_shows_scrubbed_text_and_the_detail_raw_text_audited(
    analyst: TestClient, app_sessions: sessionmaker[Session]
) -> None:
    report = add_report(
        app_sessions,
        place=RAW_PLACE,
        text=RAW_TEXT,
        factors=(Factor.FOLLOWED, Factor.POOR_LIGHTING),
        scores={"lighting": 1, "people": 2},
    )
    page = analyst.get("/analyst/reports")
    assert page.status_code == 200
    card = page.text[page.text.index(f'id="report-{report}"') :]
    for secret in ("07700 900123", "jo.bloggs@example.com", "AB12 CDE"):
        assert secret not in page.text
    assert "[phone]" in card and "[email]" in card and "[vehicle]" in card
    assert "He shouted at me." in card and "Albert Road" in card
    assert "Poor lighting, Being followed" in card and band_label(7) in card
    assert "Lighting: 1 · People around: 2" in card
    assert audit_rows(app_sessions, "report.viewed") == []

    detail = analyst.get(f"/analyst/reports/{report}")
    assert detail.status_code == 200
    assert RAW_TEXT in detail.text.replace("&#39;", "'") and RAW_PLACE in detail.text
    viewed = audit_rows(app_sessions, "report.viewed")
    assert [(v.actor, v.subject) for v in viewed] == [("analyst", f"report:{report}")]
    assert "07700" not in viewed[0].details and "Albert" not in viewed[0].details

    missing = analyst.get("/analyst/reports/999")
    assert missing.status_code == 404 and "There is no report #999." in missing.text
    french = analyst.get(f"/analyst/reports/{report}?lang=fr")
    assert "Signalement n° " in french.text and "Mauvais éclairage" in french.text


def test_filters_and_pages(analyst: TestClient, app_sessions: sessionmaker[Session]) -> None:
    lit = add_report(app_sessions, factors=(Factor.POOR_LIGHTING,), band=7)
    followed = add_report(app_sessions, factors=(Factor.FOLLOWED,), band=2)
    accepted = add_report(app_sessions, status=ReportStatus.ACCEPTED)

    def shown(query: str) -> set[int]:
        page = analyst.get(f"/analyst/reports?{query}")
        assert page.status_code == 200
        return {
            int(n)
            for n in re.findall(
                r'<article class="card queue-item [a-z]+" id="report-(\d+)"', page.text
            )
        }

    assert shown("") == {lit, followed}  # pending by default
    assert shown("status=accepted") == {accepted}
    assert shown("status=all") == {lit, followed, accepted}
    assert shown("factor=followed") == {followed}
    assert shown("band=7") == {lit}
    assert shown("band=2&factor=poor_lighting") == set()
    assert shown("status=nonsense&band=99&factor=x&page=-1") == {lit, followed}
    assert shown("band=%C2%B2&page=%C2%B2") == {lit, followed}  # "²" is a digit to isdigit()

    for _ in range(25):
        add_report(app_sessions)
    first = analyst.get("/analyst/reports")
    assert first.text.count('<article class="card queue-item') == 25 and 'rel="next"' in first.text
    second = analyst.get("/analyst/reports?page=2")
    assert second.text.count('<article class="card queue-item') == 2 and 'rel="prev"' in second.text
    assert 'rel="next"' not in second.text


# --- Moderation ------------------------------------------------------------------------------


def test_each_action_changes_the_report_and_writes_one_audit_row(
    analyst: TestClient, app_sessions: sessionmaker[Session], clock: Clock
) -> None:
    first = add_report(app_sessions, text="It was dark; call me on 07700 900123")
    spam = add_report(app_sessions, text="buy cheap watches")
    duplicate = add_report(app_sessions)
    typed = add_report(app_sessions, at=None, place="The underpass by the station")

    def act(report: int, action: str, **fields: str) -> Any:
        before = len(audit_rows(app_sessions, "report."))
        response = post(analyst, f"/analyst/reports/{report}/{action}?status=pending", **fields)
        assert response.status_code == 303, response.text
        assert response.headers["location"].startswith("/analyst/reports?status=pending")
        rows = audit_rows(app_sessions, "report.")
        assert len(rows) == before + 1, action
        row = rows[-1]
        assert row.actor == "analyst" and row.subject == f"report:{report}"
        for personal in ("07700", "underpass", "watches", "station", "dark"):
            assert personal not in row.details, (action, row.details)
        return response, row

    response, row = act(first, "accept")
    assert row.action == "report.accepted"
    assert status_of(app_sessions, first).status is ReportStatus.ACCEPTED
    assert f"Report #{first} accepted." in analyst.get(response.headers["location"]).text

    _, row = act(spam, "reject")
    assert row.action == "report.rejected"
    assert status_of(app_sessions, spam).status is ReportStatus.REJECTED

    response, row = act(duplicate, "merge", into=str(first))
    assert row.action == "report.merged" and json.loads(row.details)["into"] == first
    merged = status_of(app_sessions, duplicate)
    assert merged.status is ReportStatus.MERGED and merged.merged_into_id == first
    landing = analyst.get(response.headers["location"]).text
    assert f"Report #{duplicate} merged into report #{first}." in landing

    _, row = act(first, "respond", response="We have asked the council to fix the lights.")
    assert row.action == "report.responded"
    answered = status_of(app_sessions, first)
    assert answered.response == "We have asked the council to fix the lights."
    assert answered.responded_on == clock().date()

    _, row = act(typed, "locate", lat="54.5751", lon="-1.2339")
    assert row.action == "report.located"
    located = status_of(app_sessions, typed)
    assert (located.lon, located.lat) == (-1.2339, 54.5751)

    # From the detail page, an action comes back to the detail page.
    back = post(analyst, f"/analyst/reports/{typed}/accept?view=detail&lang=fr")
    assert back.status_code == 303
    assert back.headers["location"].startswith(f"/analyst/reports/{typed}?")
    assert "accepté" in analyst.get(back.headers["location"]).text


def test_impossible_moves_are_refused_on_the_page_and_change_nothing(
    analyst: TestClient, app_sessions: sessionmaker[Session]
) -> None:
    target = add_report(app_sessions)
    other = add_report(app_sessions)
    rejected = add_report(app_sessions, status=ReportStatus.REJECTED)
    placed = add_report(app_sessions)

    def moves() -> list[str]:
        return [
            r.action for r in audit_rows(app_sessions, "report.") if r.action != "report.viewed"
        ]

    before = moves()

    def refused(path: str, status: int, message: str, **fields: str) -> None:
        response = post(analyst, path, **fields)
        assert response.status_code == status, (path, response.text)
        assert 'id="problem"' in response.text and message in response.text, response.text

    refused(
        f"/analyst/reports/{target}/merge", 400, "cannot be merged into itself", into=str(target)
    )
    refused(f"/analyst/reports/{target}/merge", 404, "There is no report #999.", into="999")
    refused(
        f"/analyst/reports/{other}/merge",
        400,
        "merge only into a pending or accepted",
        into=str(rejected),
    )
    refused(f"/analyst/reports/{target}/merge", 400, "Give the number of the report", into="abc")
    refused(f"/analyst/reports/{target}/merge", 400, "Give the number of the report", into="")
    refused("/analyst/reports/999/accept", 404, "There is no report #999.")
    refused(f"/analyst/reports/{target}/respond", 400, "is empty", response="   ")
    refused(
        f"/analyst/reports/{placed}/locate",
        400,
        "already has a map position",
        lat="54.5",
        lon="-1.2",
    )
    refused(f"/analyst/reports/{target}/locate", 400, "two numbers", lat="north", lon="-1.2")
    # A merge whose report already has others merged into it would make a chain.
    assert post(analyst, f"/analyst/reports/{other}/merge", into=str(target)).status_code == 303
    refused(f"/analyst/reports/{target}/merge", 400, "would make a chain", into=str(placed))
    refused(f"/analyst/reports/{other}/accept?view=detail", 400, "was merged into report")

    assert status_of(app_sessions, target).status is ReportStatus.PENDING
    assert status_of(app_sessions, rejected).status is ReportStatus.REJECTED
    assert moves() == [*before, "report.merged"]  # the one merge that worked
    attempts = audit_rows(app_sessions, "analyst.refused")
    assert len(attempts) == 11 and all(r.actor == "analyst" for r in attempts)
    assert json.loads(attempts[0].details) == {"action": "merge", "status": 400}
    # The detail page drawn again shows the raw text: its view is audited like any other.
    assert len(audit_rows(app_sessions, "report.viewed")) == 1
    french = post(analyst, f"/analyst/reports/{target}/merge?lang=fr", into="x")
    assert "Indiquez le numéro du signalement" in french.text


# --- The map, its layers and the exports -----------------------------------------------------


def _cell_reports(sessions: sessionmaker[Session]) -> dict[str, list[int]]:
    """Six accepted reports at one corner of town, three elsewhere, one pending, one unlocated."""
    many = [
        add_report(
            sessions,
            at=HERE,
            status=ReportStatus.ACCEPTED,
            factors=(Factor.POOR_LIGHTING, Factor.FOLLOWED) if k < 4 else (Factor.ISOLATED,),
            band=7 if k < 5 else 1,
        )
        for k in range(6)
    ]
    few = [
        add_report(sessions, at=ELSEWHERE, status=ReportStatus.ACCEPTED, factors=(Factor.FOLLOWED,))
        for _ in range(3)
    ]
    pending = [add_report(sessions, at=(HERE[0] + 0.0003, HERE[1]))]
    unlocated = [add_report(sessions, at=None, place="Park", status=ReportStatus.ACCEPTED)]
    return {"many": many, "few": few, "pending": pending, "unlocated": unlocated}


def test_the_map_page_and_its_report_layers(
    analyst: TestClient, app_sessions: sessionmaker[Session]
) -> None:
    reports = _cell_reports(app_sessions)
    page = analyst.get("/analyst/map?factor=followed&band=7")
    assert page.status_code == 200
    assert 'src="/static/vendor/leaflet/leaflet.js"' in page.text
    assert 'src="/static/js/analyst_map.js"' in page.text
    assert (
        'data-points="/analyst/reports.geojson?factor=followed&amp;band=7&amp;lang=en"' in page.text
    )
    assert 'href="/analyst/export.csv?factor=followed&amp;band=7"' in page.text

    points = analyst.get("/analyst/reports.geojson")
    assert points.headers["content-type"].startswith("application/geo+json")
    body = points.json()
    ids = {f["properties"]["id"] for f in body["features"]}
    assert ids == set(reports["many"] + reports["few"])  # accepted and located only
    exact = {tuple(f["geometry"]["coordinates"]) for f in body["features"]}
    assert HERE in exact and ELSEWHERE in exact  # analysts see the exact points
    assert "Accepted reports with a position: 9." in body["note"]
    filtered = analyst.get("/analyst/reports.geojson?factor=followed&band=7").json()
    assert {f["properties"]["id"] for f in filtered["features"]} == set(
        reports["many"][:4] + reports["few"]
    )

    cells = analyst.get("/analyst/perception.geojson").json()
    counts = sorted(f["properties"]["reports"] for f in cells["features"])
    assert counts == [3, 6]  # not suppressed: the cell of 3 shows, for analysts
    assert "not suppressed" in cells["note"] and "without a position: 1." in cells["note"]
    isolated = analyst.get("/analyst/perception.geojson?factor=isolated").json()
    assert [f["properties"]["reports"] for f in isolated["features"]] == [2]
    for feature in cells["features"]:
        assert feature["geometry"]["type"] == "Polygon"
        assert feature["properties"]["cell_id"].startswith("250m:")

    french = analyst.get("/analyst/perception.geojson?lang=fr").json()
    assert "sans masquage" in french["note"]
    assert "Carte des signalements" in analyst.get("/analyst/map?lang=fr").text


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_exports_are_at_public_precision(
    analyst: TestClient, app_sessions: sessionmaker[Session]
) -> None:
    _cell_reports(app_sessions)
    exported = analyst.get("/analyst/export.csv")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.headers["content-disposition"].startswith("attachment;")
    rows = _rows(exported.text)
    assert [int(r["reports"]) for r in rows] == [6]  # the cell of 3 is suppressed
    assert rows[0]["cell_id"].startswith("250m:")
    # 4 of 6 name poor lighting and 5 of 6 are late: either would single out the others
    assert rows[0]["poor_lighting"] == "" and rows[0][band_label(7)] == ""

    geo = analyst.get("/analyst/export.geojson")
    assert geo.headers["content-disposition"].startswith("attachment;")
    assert geo.headers["content-type"].startswith("application/geo+json")
    features = geo.json()["features"]
    assert [f["properties"]["reports"] for f in features] == [6]
    for text in (exported.text, geo.text):
        numbers = {float(n) for n in re.findall(r"-?\d+\.\d+", text)}
        assert numbers.isdisjoint({*HERE, *ELSEWHERE})  # no exact coordinates
        assert "2025-11-20" not in text and "Park" not in text  # no dates, no places
    assert set(features[0]["properties"]) >= {"cell_id", "reports", "poor_lighting"}
    assert not set(features[0]["properties"]) & {"id", "report_id", "occurred_on", "lon", "lat"}
    assert set(rows[0]) & {"id", "report_id", "occurred_on", "place", "text"} == set()

    # Filters choose cells by what the table shows: 4 reports name being followed in the busy
    # cell, and its band 7 is blank, so neither filter keeps it.
    assert _rows(analyst.get("/analyst/export.csv?factor=followed").text) == []
    assert geo.json()["type"] == "FeatureCollection"
    assert analyst.get("/analyst/export.geojson?factor=followed").json()["features"] == []
    assert _rows(analyst.get("/analyst/export.csv?band=7").text) == []

    exports = audit_rows(app_sessions, "analyst.export")
    assert [e.subject for e in exports] == [
        "export:csv", "export:geojson", "export:csv", "export:geojson", "export:csv",
    ]  # fmt: skip
    assert all(e.actor == "analyst" for e in exports)


def test_every_page_view_is_audited(
    analyst: TestClient, app_sessions: sessionmaker[Session]
) -> None:
    add_report(app_sessions, text="call 07700 900123")
    for path in ("/analyst/reports?factor=followed", "/analyst/map", "/analyst/reports.geojson",
                 "/analyst/perception.geojson", "/analyst/hotspots.geojson"):  # fmt: skip
        assert analyst.get(path).status_code == 200
    views = audit_rows(app_sessions, "analyst.view")
    assert [v.subject for v in views] == [
        "reports", "map", "layer:points", "layer:perception", "layer:hotspots",
    ]  # fmt: skip
    assert json.loads(views[0].details)["factor"] == "followed"
    assert all(v.actor == "analyst" and "07700" not in v.details for v in views)


# --- Crime hotspots beside the reports -------------------------------------------------------


def test_the_hotspot_layer_is_empty_with_a_note_without_crime_data(analyst: TestClient) -> None:
    body = analyst.get("/analyst/hotspots.geojson").json()
    assert body["features"] == [] and "No crime data in the incident store" in body["note"]


def test_the_hotspot_layer_is_next_months_top_cells_computed_once(
    app: FastAPI,
    analyst: TestClient,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "police"
    folder.mkdir()
    for month in ("2024-01", "2024-02"):
        (folder / f"{month}-cleveland-street.csv").write_bytes(sample_member(month))
    ingest([folder], Store.open(settings.store, create=True))

    calls: list[date] = []
    original = hotspot_layer._hotspots

    def counted(store: Store, force: str, month: date, last: date) -> Any:
        calls.append(month)
        return original(store, force, month, last)

    monkeypatch.setattr(hotspot_layer, "_hotspots", counted)
    body = analyst.get("/analyst/hotspots.geojson").json()
    assert body["month"] == "2024-03" and "forecast for 2024-03" in body["note"]
    assert "up to 2024-02" in body["note"]
    features = body["features"]
    assert features and [f["properties"]["rank"] for f in features] == list(
        range(1, len(features) + 1)
    )
    store = Store.open(settings.store)
    crs = store.forces["cleveland"].crs
    area = StudyArea.from_incidents(store.incidents(columns=["x", "y"]), 150.0, crs)
    assert len(features) == round(0.05 * area.n_cells)  # the top 5 % of study-area cells
    assert analyst.get("/analyst/hotspots.geojson").json() == body
    assert calls == [date(2024, 3, 1)]  # computed once, then from the cache
    assert isinstance(app.state.streetlight_HotspotCache, HotspotCache)


def test_no_two_exports_can_be_subtracted(
    analyst: TestClient, app_sessions: sessionmaker[Session]
) -> None:
    """The attack: ask for every export the page allows (no filter, each factor, each band and
    each pair) and compare every cell's numbers between them. A filtered export shows the same
    numbers as the unfiltered one, for fewer cells, so no difference between two exports counts
    any report (that the unfiltered table's own numbers cannot be subtracted to single out fewer
    than 5 is `tests/reports/test_export.py`'s attack)."""
    _cell_reports(app_sessions)
    for _ in range(4):  # the busy cell: 10 reports, 5 in band 1 and 5 in band 7
        add_report(
            app_sessions, at=HERE, status=ReportStatus.ACCEPTED, factors=(Factor.ISOLATED,), band=1
        )
    whole = {r["cell_id"]: r for r in _rows(analyst.get("/analyst/export.csv").text)}
    assert [int(r["reports"]) for r in whole.values()] == [10]
    queries: list[dict[str, str | int]] = [{}]
    queries += [{"factor": f.value} for f in FACTORS]
    queries += [{"band": b} for b in range(N_BANDS)]
    queries += [{"factor": f.value, "band": b} for f in FACTORS for b in range(N_BANDS)]
    shown = 0
    for query in queries:
        for row in _rows(analyst.get("/analyst/export.csv", params=query).text):
            assert row == whole[row["cell_id"]], query  # every number the same: differences 0
            shown += 1
    assert shown == 3  # no filter, band 1, band 7: the bands the table shows with 5 or more
