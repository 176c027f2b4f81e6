"""GeoJSON pieces in WGS84 degrees: square grid cells as closed polygon rings, and point and
polygon features. Coordinates are rounded to 6 decimal places (about 0.1 m): finer adds bytes,
not accuracy.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from streetlight.geo.crs import WGS84, transform

Feature = dict[str, object]
Ring = list[list[float]]
DECIMALS = 6


def square_rings(
    x: NDArray[np.float64], y: NDArray[np.float64], size: float, crs: str
) -> list[Ring]:
    """Each square cell (centre `x, y` and `size` in metres of the projected `crs`) as a closed
    WGS84 ring, corner by corner: south-west, south-east, north-east, north-west, south-west."""
    n = len(x)
    if n == 0:
        return []
    half = size / 2
    corners_x = np.concatenate([x - half, x + half, x + half, x - half])
    corners_y = np.concatenate([y - half, y - half, y + half, y + half])
    lon, lat = transform(crs, WGS84, corners_x, corners_y)
    lon, lat = lon.reshape(4, n), lat.reshape(4, n)
    return [
        [
            [round(float(lon[c, k]), DECIMALS), round(float(lat[c, k]), DECIMALS)]
            for c in (0, 1, 2, 3, 0)
        ]
        for k in range(n)
    ]


def polygon_feature(ring: Ring, **properties: object) -> Feature:
    """A polygon feature from one closed WGS84 ring."""
    geometry = {"type": "Polygon", "coordinates": [ring]}
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def point_feature(lon: float, lat: float, **properties: object) -> Feature:
    """A point feature (degrees, rounded)."""
    geometry = {"type": "Point", "coordinates": [round(lon, DECIMALS), round(lat, DECIMALS)]}
    return {"type": "Feature", "geometry": geometry, "properties": properties}
