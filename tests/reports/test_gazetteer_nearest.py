"""`Gazetteer.nearest`: the street of the snap point nearest a tap, within a street's reach."""

from __future__ import annotations

import pytest

from streetlight.reports.gazetteer import NEAREST_M, Gazetteer, GazetteerEntry

ALBERT = GazetteerEntry("Albert Road", "Middlesbrough", -1.2350, 54.5740, 30)
LINTHORPE = GazetteerEntry("Linthorpe Road", "Middlesbrough", -1.2380, 54.5700, 50)
# Albert Road's other snap points: the street runs north from its busiest point.
POINTS = [
    ("Albert Road", "Middlesbrough", -1.2350, 54.5760),
    ("Albert Road", "Middlesbrough", -1.2350, 54.5780),
    ("Linthorpe Road", "Middlesbrough", -1.2380, 54.5700),
]
METRES_PER_DEGREE_LAT = 111_132.0


def test_the_nearest_snap_point_names_the_street() -> None:
    streets = Gazetteer.of([ALBERT, LINTHORPE], POINTS)
    assert streets.nearest(-1.2350, 54.5741) == ALBERT
    assert streets.nearest(-1.2379, 54.5701) == LINTHORPE
    # Far from Albert Road's busiest point, beside another of its snap points.
    assert streets.nearest(-1.2351, 54.5779) == ALBERT


@pytest.mark.parametrize(("metres", "named"), [(NEAREST_M - 5, True), (NEAREST_M + 5, False)])
def test_a_tap_beyond_a_streets_reach_names_none(metres: float, named: bool) -> None:
    streets = Gazetteer.of([ALBERT])
    north = ALBERT.lat + metres / METRES_PER_DEGREE_LAT
    assert (streets.nearest(ALBERT.lon, north) == ALBERT) is named


def test_an_empty_gazetteer_names_nothing() -> None:
    assert Gazetteer.of(()).nearest(-1.2, 54.5) is None


def test_built_from_incidents_every_snap_point_counts() -> None:
    import polars as pl

    incidents = pl.DataFrame(
        {
            "location": ["On or near Albert Road"] * 3 + ["On or near Linthorpe Road"],
            "lon": [-1.2350, -1.2350, -1.2350, -1.2380],
            "lat": [54.5740, 54.5740, 54.5780, 54.5700],
            "lsoa_code": ["E1", "E1", "E1", "E1"],
        }
    )
    streets = Gazetteer.from_incidents(incidents, {"E1": "Middlesbrough"})
    found = streets.nearest(-1.2350, 54.5781)  # the quiet end of Albert Road
    assert found is not None and found.name == "Albert Road"


def test_the_busiest_streets_in_a_box_label_the_map() -> None:
    quiet = GazetteerEntry("Quiet Lane", "Middlesbrough", -1.2360, 54.5745, 2)
    streets = Gazetteer.of([ALBERT, LINTHORPE, quiet], POINTS)
    assert streets.in_box(-1.24, 54.56, -1.23, 54.58) == [LINTHORPE, ALBERT, quiet]
    assert streets.in_box(-1.24, 54.56, -1.23, 54.58, limit=2) == [LINTHORPE, ALBERT]
    assert streets.in_box(-1.2365, 54.573, -1.2340, 54.575) == [ALBERT, quiet]
    assert streets.in_box(0.0, 0.0, 1.0, 1.0) == []
    with pytest.raises(ValueError, match="at least 1"):
        streets.in_box(-1.24, 54.56, -1.23, 54.58, limit=0)
