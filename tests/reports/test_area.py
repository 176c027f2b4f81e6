"""The report area: read from GeoJSON, point-in-area, projected CRS, page outline."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import shape

from streetlight.errors import SourceError
from streetlight.reports.area import ReportArea
from tests.conftest import REPO, Writer

LSOAS = REPO / "data" / "sample" / "cleveland-lsoa-2011.geojson"
# Two squares 0.1 degree across in Middlesbrough, side by side (a MultiPolygon once merged).
SQUARE = [[-1.30, 54.50], [-1.20, 54.50], [-1.20, 54.60], [-1.30, 54.60], [-1.30, 54.50]]
SECOND = [[-1.20, 54.50], [-1.10, 54.50], [-1.10, 54.55], [-1.20, 54.55], [-1.20, 54.50]]


def feature_collection(*rings: list[list[float]]) -> str:
    features = [
        {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [r]}}
        for r in rings
    ]
    return json.dumps({"type": "FeatureCollection", "features": features})


@pytest.fixture
def square(write: Writer) -> ReportArea:
    return ReportArea.from_geojson(write("area.geojson", feature_collection(SQUARE)))


def test_a_small_polygon(square: ReportArea) -> None:
    assert square.crs == "EPSG:27700"
    assert square.bounds == pytest.approx((-1.30, 54.50, -1.20, 54.60))
    assert square.contains(-1.25, 54.55)
    assert square.contains(-1.30, 54.55)  # the edge counts as inside
    assert not square.contains(-1.19, 54.55)
    assert not square.contains(-1.25, 54.61)
    assert not square.contains(0.0, 0.0)
    assert not square.contains(float("nan"), 54.55)
    # Many points at once: the same answers.
    lon = [-1.25, -1.30, -1.19, -1.25, 0.0, float("nan")]
    lat = [54.55, 54.55, 54.55, 54.61, 0.0, 54.55]
    inside = square.contains_points(lon, lat)
    assert inside.tolist() == [square.contains(x, y) for x, y in zip(lon, lat, strict=True)]
    assert inside.tolist() == [True, True, False, False, False, False]


def test_polygons_are_merged(write: Writer) -> None:
    area = ReportArea.from_geojson(write("two.geojson", feature_collection(SQUARE, SECOND)))
    assert area.contains(-1.15, 54.52) and area.contains(-1.25, 54.58)
    assert not area.contains(-1.15, 54.58)
    assert area.bounds == pytest.approx((-1.30, 54.50, -1.10, 54.60))


def test_a_single_feature_and_a_multipolygon(write: Writer) -> None:
    geometry = {"type": "MultiPolygon", "coordinates": [[SQUARE], [SECOND]]}
    path = write("one.geojson", json.dumps({"type": "Feature", "geometry": geometry}))
    assert ReportArea.from_geojson(path).contains(-1.15, 54.52)


def test_to_projected_gives_british_national_grid_metres(square: ReportArea) -> None:
    x, y = square.to_projected(np.array([-1.25, np.nan]), np.array([54.55, 54.55]))
    # Middlesbrough is about 450 km east and 517 km north of the grid's false origin.
    assert 440_000 < x[0] < 460_000 and 510_000 < y[0] < 525_000
    assert np.isnan(x[1]) and np.isnan(y[1])


def test_outside_great_britain_a_utm_zone(write: Writer) -> None:
    lyon = [[4.80, 45.70], [4.90, 45.70], [4.90, 45.80], [4.80, 45.80], [4.80, 45.70]]
    area = ReportArea.from_geojson(write("lyon.geojson", feature_collection(lyon)))
    assert area.crs == "EPSG:32631"


def test_outline_is_geojson_within_the_tolerance(square: ReportArea) -> None:
    outline = square.outline()
    assert outline["type"] == "FeatureCollection"
    geometry = shape(outline["features"][0]["geometry"])
    json.dumps(outline)  # serialisable as it is
    assert geometry.symmetric_difference(square.boundary).area < 1e-6


def projected(area: ReportArea, geometry: object) -> object:
    def move(coords: np.ndarray) -> np.ndarray:
        return np.column_stack(area.to_projected(coords[:, 0], coords[:, 1]))

    return shapely.transform(geometry, move)


def test_the_real_force_outline_is_small_and_close() -> None:
    area = ReportArea.from_geojson(LSOAS)
    assert area.crs == "EPSG:27700"
    assert area.contains(-1.2344, 54.5742)  # Middlesbrough town centre
    assert not area.contains(-1.5491, 54.5237)  # Darlington, next door
    text = json.dumps(area.outline(tolerance_m=50))
    assert len(text) < len(LSOAS.read_text()) / 10
    simple = shape(json.loads(text)["features"][0]["geometry"])
    # Simplified by about 50 m (topology-preserving simplification may go a little further).
    distance = shapely.hausdorff_distance(projected(area, simple), projected(area, area.boundary))
    assert distance < 60


def test_gaps_between_neighbouring_polygons_are_filled() -> None:
    """Generalised LSOAs leave slivers between them: a pin there is still inside the force."""
    area = ReportArea.from_geojson(LSOAS)
    polygons = list(getattr(area.boundary, "geoms", [area.boundary]))
    assert all(len(polygon.interiors) == 0 for polygon in polygons)


def test_a_real_hole_is_kept(write: Writer) -> None:
    hole = [[-1.27, 54.52], [-1.23, 54.52], [-1.23, 54.58], [-1.27, 54.58], [-1.27, 54.52]]
    tiny = [[-1.29, 54.51], [-1.2899, 54.51], [-1.2899, 54.5101], [-1.29, 54.5101], [-1.29, 54.51]]
    geometry = {"type": "Polygon", "coordinates": [SQUARE, hole, tiny]}
    area = ReportArea.from_geojson(
        write("holed.geojson", json.dumps({"type": "Feature", "geometry": geometry}))
    )
    assert not area.contains(-1.25, 54.55)  # 2.6 km by 6.7 km: outside the force
    assert area.contains(-1.28995, 54.51005)  # 6 m by 11 m: a gap, filled


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("not json", "cannot read GeoJSON"),
        ("[1, 2]", "not a GeoJSON object"),
        (json.dumps({"type": "FeatureCollection", "features": []}), "no polygons"),
        (
            json.dumps({"type": "Feature", "geometry": {"type": "Point", "coordinates": [0, 0]}}),
            "no polygons",
        ),
        (
            feature_collection(
                [[400000, 500000], [400100, 500000], [400100, 500100], [400000, 500000]]
            ),
            "WGS84",
        ),
    ],
)
def test_unreadable_files_name_the_file(write: Writer, content: str, problem: str) -> None:
    path = write("bad.geojson", content)
    with pytest.raises(SourceError) as caught:
        ReportArea.from_geojson(path)
    assert str(path) in str(caught.value) and problem in str(caught.value)


def test_a_missing_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"nowhere\.geojson"):
        ReportArea.from_geojson(tmp_path / "nowhere.geojson")
