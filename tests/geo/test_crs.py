"""CRS choice and projection against published reference values."""

from __future__ import annotations

import numpy as np

from streetlight.geo.crs import BRITISH_NATIONAL_GRID, WGS84, choose_crs, transform, utm_crs


def test_great_britain_uses_the_national_grid() -> None:
    lon, lat = np.array([-1.23, -1.25, 40.0]), np.array([54.7, 54.6, 10.0])
    assert choose_crs(lon, lat) == BRITISH_NATIONAL_GRID  # the median ignores the stray point


def test_elsewhere_uses_the_utm_zone_of_the_centroid() -> None:
    assert choose_crs(np.array([-90.2]), np.array([38.6])) == "EPSG:32615"  # St. Louis
    assert utm_crs(151.2, -33.9) == "EPSG:32756"  # Sydney, southern hemisphere
    assert utm_crs(180.0, 0.0) == "EPSG:32660"


def test_ordnance_survey_worked_example() -> None:
    # OS "A guide to coordinate systems in Great Britain", Annex C: Caister water tower,
    # ETRS89 52°39'28.8282"N 1°42'57.8663"E -> OSGB36 E 651409.903, N 313177.270 (OSTN15).
    # Without the OSTN15 grid file PROJ uses a Helmert transform, good to a few metres.
    lat = 52 + 39 / 60 + 28.8282 / 3600
    lon = 1 + 42 / 60 + 57.8663 / 3600
    x, y = transform(WGS84, BRITISH_NATIONAL_GRID, np.array([lon]), np.array([lat]))
    assert abs(x[0] - 651409.903) < 10 and abs(y[0] - 313177.270) < 10


def test_large_inputs_split_over_threads_match_one_call() -> None:
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(-3, 1, 120_000), rng.uniform(51, 55, 120_000)
    lon[5] = np.nan
    x, y = transform(WGS84, BRITISH_NATIONAL_GRID, lon, lat)
    x1, y1 = transform(WGS84, BRITISH_NATIONAL_GRID, lon[:40_000], lat[:40_000])
    assert np.isnan(x[5])
    np.testing.assert_allclose(x[:40_000], x1)
    np.testing.assert_allclose(y[:40_000], y1)


def test_state_plane_feet_to_wgs84() -> None:
    # A St. Louis record (2019-05, 4940 Berthold Ave): XCoord 886931.9, YCoord 1017291 (US feet).
    lon, lat = transform("ESRI:102696", WGS84, np.array([886931.9]), np.array([1017291.0]))
    assert -90.32 < lon[0] < -90.25 and 38.58 < lat[0] < 38.63
