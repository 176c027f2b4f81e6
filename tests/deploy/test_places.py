"""Busy places: snap-point cells and a planner's GeoJSON as extra demand, with explicit weights."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from streetlight.deploy.places import (
    Place,
    busy_cells,
    hot_cell_demand,
    place_demand,
    read_places,
    report_places,
    report_weights,
)
from streetlight.deploy.plan import EQUAL_SHIFTS, PlanSettings, make_plan, posts_table
from streetlight.errors import SourceError, StreetlightError
from streetlight.geo.crs import WGS84, transform
from streetlight.geo.grid import Grid
from streetlight.hotspots.base import StudyArea
from streetlight.hotspots.forecast import Forecast

# 20 x 20 cells of 150 m in Middlesbrough (British National Grid)
GI, GJ = np.meshgrid(np.arange(20), np.arange(20), indexing="ij")
AREA = StudyArea(Grid(150.0), GI.ravel() + 2980, GJ.ravel() + 3450, "EPSG:27700")


def lonlat(x: float, y: float) -> list[float]:
    lon, lat = transform("EPSG:27700", WGS84, np.array([x]), np.array([y]))
    return [float(lon[0]), float(lat[0])]


def write(tmp_path: Path, features: list[dict[str, Any]]) -> Path:
    path = tmp_path / "places.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def feature(geometry: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": props}


def test_a_point_marks_its_cell_and_a_polygon_the_cells_whose_centres_it_holds(
    tmp_path: Path,
) -> None:
    x, y = AREA.centres()
    station = feature({"type": "Point", "coordinates": lonlat(x[45] + 20, y[45] - 30)}, name="A")
    # a square around the centres of cells (i, j) = 2..3 x 5..6, edges between cell centres
    x0, y0 = (2980 + 2) * 150.0 + 10, (3450 + 5) * 150.0 + 10
    ring = [lonlat(x0, y0), lonlat(x0 + 290, y0), lonlat(x0 + 290, y0 + 290), lonlat(x0, y0 + 290)]
    square = feature({"type": "Polygon", "coordinates": [[*ring, ring[0]]]}, name="B", weight=2)
    far = feature({"type": "Point", "coordinates": [-0.1, 51.5]}, name="London")
    places, outside = read_places(write(tmp_path, [station, square, far]), AREA)
    assert [p.name for p in places] == ["A", "B"] and outside == ["London"]
    assert places[0].cells.tolist() == [45] and places[0].weight == 1.0
    expected = sorted(i * 20 + j for i in (2, 3) for j in (5, 6))
    assert places[1].cells.tolist() == expected and places[1].weight == 2.0


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"weight": -1}, "weight must be a number >= 0"),
        ({"weight": "high"}, "weight must be a number >= 0"),
        ({"womens_safety": "yes"}, "womens_safety must be true or false"),
    ],
)
def test_bad_properties_name_the_file_and_feature(
    tmp_path: Path, props: dict[str, Any], message: str
) -> None:
    x, y = AREA.centres()
    good = feature({"type": "Point", "coordinates": lonlat(x[0], y[0])}, name="ok")
    bad = feature({"type": "Point", "coordinates": lonlat(x[1], y[1])}, **props)
    with pytest.raises(SourceError, match=rf"feature 2.*{message}"):
        read_places(write(tmp_path, [good, bad]), AREA)


def test_weights_are_hot_cell_equivalents() -> None:
    scores = np.zeros(400)
    scores[:4] = [10.0, 6.0, 1.0, 1.0]  # the top 1% of 400 cells: the 4 hottest, mean 4.5
    assert hot_cell_demand(scores) == 4.5
    busy = np.zeros(400, dtype=bool)
    busy[7] = True
    place = Place("Station", "Train Station", 2.0, True, np.array([7, 8], dtype=np.int64))
    extra = place_demand(scores, busy, 0.5, [place])
    assert extra[7] == pytest.approx(0.5 * 4.5 + 2 * 4.5) and extra[8] == pytest.approx(9.0)
    assert extra.sum() == pytest.approx(0.5 * 4.5 + 2 * 9.0)


def test_busy_snap_points() -> None:
    labels = ["On or near Nightclub", "On or near High Street", None, "On or near Supermarket"]
    assert busy_cells(labels).tolist() == [True, False, False, True]


def test_a_heavy_place_draws_a_unit_and_counts_for_the_womens_share() -> None:
    rng = np.random.default_rng(4)
    scores = rng.gamma(0.5, 1.0, AREA.n_cells)
    far_corner = 19 * 20 + 19
    scores[far_corner] = 0.0
    forecast = Forecast(
        AREA, scores, "ew-6", date(2025, 12, 1), "cleveland", ("Violence",), [None] * AREA.n_cells
    )
    quiet = Place("Bus station", "Bus/Coach Station", 50.0, True, np.array([far_corner]))
    for share in (0.0, 0.25):  # the weight alone draws a unit; the share then needs it there
        settings = PlanSettings(
            officers={"night": 8}, radius=150.0, women_share=share, time_limit=5.0, places=(quiet,)
        )
        plans = make_plan(forecast, EQUAL_SHIFTS, settings)
        units = plans[0].milp.units
        reach = [far_corner, far_corner - 1, far_corner - 20]  # the cell and its neighbours
        assert units[reach].sum() >= 1
        posts = posts_table(forecast, plans, settings.unit_size, settings.places)
        if share:
            marked = posts.filter(posts["busy_place"] == "Bus station")
            assert marked["womens_safety_place"].to_list() == [True]
            assert marked["units"].item() >= 1


def test_report_weights_scale_to_the_top_percent_and_cap_at_twice_w() -> None:
    # 1,000 cells: the top 1% is 10 cells, each holding 3 reports
    reports = np.zeros(1000, dtype=np.int64)
    reports[:10] = 3
    reports[10] = 1
    weights = report_weights(reports, 0.5)
    assert weights[:10] == pytest.approx([0.5] * 10)  # as reported as the top 1%: W
    assert weights[10] == pytest.approx(0.5 / 3) and (weights[11:] == 0).all()
    reports[0] = 60  # a flood of reports at one place: top-1% mean 8.7, capped at 2 W
    flooded = report_weights(reports, 0.5)
    assert flooded[0] == 1.0 and flooded[1] == pytest.approx(0.5 * 3 / 8.7)
    # a launch campaign doubling every count changes no weight
    np.testing.assert_allclose(report_weights(reports * 2, 0.5), flooded)


def test_report_places_are_womens_safety_places_grouped_by_count() -> None:
    reports = np.zeros(AREA.n_cells, dtype=np.int64)
    reports[[7, 9, 30]] = [3, 1, 3]
    places = report_places(reports, 0.5)
    assert [(p.name, p.cells.tolist(), p.womens_safety, p.kind) for p in places] == [
        ("public reports: 3 per cell", [7, 30], True, "public reports"),
        ("public reports: 1 per cell", [9], True, "public reports"),
    ]
    # 400 cells: the top 1% is 4 cells holding 3, 3, 1 and 0 reports (mean 1.75)
    assert places[0].weight == pytest.approx(0.5 * 3 / 1.75)
    assert places[1].weight == pytest.approx(0.5 / 1.75)
    assert report_places(np.zeros(AREA.n_cells, dtype=np.int64), 0.5) == []
    with pytest.raises(StreetlightError, match="report weight must be >= 0"):
        report_places(reports, -1)
