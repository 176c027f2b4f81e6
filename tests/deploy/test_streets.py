"""Walking along streets: shortest paths on a small network, against hand-computed distances."""

from __future__ import annotations

import itertools
import json
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from scipy.sparse.csgraph import floyd_warshall

from streetlight.deploy.schedule import unit_schedule
from streetlight.deploy.streets import StreetNetwork
from streetlight.errors import SourceError
from streetlight.geo.crs import WGS84, transform


def u_shaped() -> StreetNetwork:
    """A river between (0, 0) and (0, 200): the only bridge is 500 m east, so the walk between
    them is 500 + 200 + 500 = 1,200 m though they are 200 m apart."""
    south = np.array([[0.0, 0.0], [250.0, 0.0], [500.0, 0.0]])
    bridge = np.array([[500.0, 0.0], [500.0, 200.0]])
    north = np.array([[500.0, 200.0], [0.0, 200.0]])
    return StreetNetwork.from_lines([south, bridge, north])


def test_walks_round_by_the_bridge() -> None:
    net = u_shaped()
    x, y = np.array([0.0, 0.0, 250.0]), np.array([0.0, 200.0, 10.0])
    walk = net.distances(x, y)
    assert walk[0, 1] == pytest.approx(1200.0) and walk[1, 0] == pytest.approx(1200.0)
    # 10 m off the street to the node at (250, 0), then 250 m west
    assert walk[2, 0] == pytest.approx(260.0) and walk[2, 1] == pytest.approx(10 + 250 + 200 + 500)
    assert np.all(np.diag(walk) == 0)


def test_shortest_paths_match_floyd_warshall_on_a_random_grid() -> None:
    rng = np.random.default_rng(2)
    pts = rng.uniform(0, 1000, (40, 2))
    lines = [pts[[a, b]] for a, b in itertools.combinations(range(40), 2) if rng.random() < 0.08]
    net = StreetNetwork.from_lines(lines)
    # dense input: zeros are "no street"
    reference = floyd_warshall(net.lengths.toarray(), directed=False)
    walk = net.distances(net.x, net.y)
    both = np.isfinite(reference)
    np.testing.assert_allclose(walk[both], reference[both], atol=1e-6)


def test_parallel_streets_take_the_shorter() -> None:
    straight = np.array([[0.0, 0.0], [100.0, 0.0]])
    detour = np.array([[0.0, 0.0], [50.0, 80.0], [100.0, 0.0]])
    net = StreetNetwork.from_lines([detour, straight])
    assert net.distances(np.array([0.0, 100.0]), np.array([0.0, 0.0]))[0, 1] == pytest.approx(100)


def test_schedule_walks_along_streets() -> None:
    net = u_shaped()
    x, y = np.array([0.0, 0.0]), np.array([0.0, 200.0])
    walk = net.distances(x, y)
    start = datetime(2025, 12, 1, 7)
    visits = unit_schedule(
        "U", np.array([0, 1]), x, y, start, 2.0, np.random.default_rng(0), walk_metres=walk
    )
    moves = visits[1:]
    assert moves and all(v.walk_minutes == pytest.approx(1200 / 75, abs=0.05) for v in moves)


def test_geojson_network(tmp_path: Path) -> None:
    lon, lat = transform(
        "EPSG:27700", WGS84, np.array([450000.0, 450300.0]), np.array([520000.0] * 2)
    )
    path = tmp_path / "streets.geojson"
    line = {"type": "LineString", "coordinates": [[lon[0], lat[0]], [lon[1], lat[1]]]}
    path.write_text(
        json.dumps(
            {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": line}]}
        )
    )
    net = StreetNetwork.from_geojson(path, "EPSG:27700")
    assert net.lengths.max() == pytest.approx(300.0, abs=0.01)
    empty = tmp_path / "none.geojson"
    empty.write_text(json.dumps({"type": "FeatureCollection", "features": []}))
    with pytest.raises(SourceError, match="no LineStrings"):
        StreetNetwork.from_geojson(empty, "EPSG:27700")
