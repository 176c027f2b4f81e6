"""The area the force takes public reports for: a boundary in WGS84 and the projected CRS its
cells are counted in.

A pin outside the boundary is refused (the force cannot act there, and a far-away point is more
likely a mistake or a script). The boundary is the union of every polygon in a GeoJSON file, so a
force boundary or the force's LSOAs both work.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from numpy.typing import ArrayLike, NDArray
from shapely.geometry import mapping, shape

from streetlight.errors import SourceError
from streetlight.geo.boundary import read_features
from streetlight.geo.crs import WGS84, FloatArray, choose_crs, transform

# Where `streetlight serve` and `streetlight reports` look for the area when none is given: in
# the data folder (the demo puts the sample's boundary there).
AREA_FILE_NAME = "report-area.geojson"
# 5 decimal places of a degree: about 1 m, ample for an outline simplified to tens of metres.
_OUTLINE_DECIMALS = 5
# Holes smaller than this (m²) are gaps between neighbouring polygons that do not quite meet
# (generalised LSOAs leave thousands), not places outside the force: they are filled.
MAX_GAP_M2 = 1_000_000.0


def _project(geometry: Any, source: str, target: str) -> Any:
    def move(coords: FloatArray) -> FloatArray:
        x, y = transform(source, target, coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geometry, move)


def _fill_gaps(boundary: Any, crs: str, max_gap_m2: float = MAX_GAP_M2) -> Any:
    """`boundary` without the interior rings smaller than `max_gap_m2` (measured in `crs`)."""
    polygons = [g for g in getattr(boundary, "geoms", [boundary]) if g.geom_type == "Polygon"]
    rings = [list(polygon.interiors) for polygon in polygons]
    flat = np.array([shapely.Polygon(ring) for each in rings for ring in each], dtype=object)
    if len(flat) == 0:
        return boundary
    # One projection for every hole at once: a force's LSOAs can leave thousands.
    big = iter(shapely.area(_project(flat, WGS84, crs)) >= max_gap_m2)
    kept = [
        shapely.Polygon(polygon.exterior, [ring for ring in each if next(big)])
        for polygon, each in zip(polygons, rings, strict=True)
    ]
    return shapely.union_all(kept)


@dataclass(frozen=True)
class ReportArea:
    """`boundary`: a shapely (Multi)Polygon in WGS84 lon/lat; `crs`: the projected CRS (metres)
    that public cells are counted in, British National Grid in Great Britain
    (`streetlight.geo.crs.choose_crs`)."""

    boundary: Any
    crs: str

    def __post_init__(self) -> None:
        if self.boundary is None or self.boundary.is_empty:
            raise ValueError("a report area needs a non-empty boundary")
        shapely.prepare(self.boundary)  # fast repeated point-in-polygon tests

    @classmethod
    def from_geojson(cls, path: str | Path) -> ReportArea:
        """The union of every polygon in a WGS84 GeoJSON file (`SourceError` naming the file
        when it cannot be read or holds no polygon)."""
        p = Path(path)
        polygons = []
        for n, feature in enumerate(read_features(p)):
            geometry = feature.get("geometry") if isinstance(feature, dict) else None
            if not geometry or geometry.get("type") not in ("Polygon", "MultiPolygon"):
                continue
            try:
                polygon = shape(geometry)
            except (ValueError, TypeError, AttributeError, shapely.errors.ShapelyError) as exc:
                raise SourceError(str(p), f"feature {n}: not a valid polygon ({exc})") from exc
            polygons.append(shapely.make_valid(polygon))
        if not polygons:
            raise SourceError(str(p), "no polygons in the GeoJSON")
        boundary = shapely.union_all(polygons)
        if boundary.is_empty:
            raise SourceError(str(p), "the polygons cover no area")
        west, south, east, north = boundary.bounds
        if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
            raise SourceError(str(p), "coordinates are not WGS84 longitude/latitude")
        centre = boundary.representative_point()
        crs = choose_crs(np.array([centre.x]), np.array([centre.y]))
        return cls(boundary=_fill_gaps(boundary, crs), crs=crs)

    def contains(self, lon: float, lat: float) -> bool:
        """True when the point (degrees) lies inside the area or on its edge."""
        if not (math.isfinite(lon) and math.isfinite(lat)):
            return False
        return bool(shapely.intersects_xy(self.boundary, lon, lat))

    def contains_points(self, lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
        """`contains` for arrays of points (degrees), in one vectorised call; NaN is outside."""
        x = np.asarray(lon, dtype=np.float64)
        y = np.asarray(lat, dtype=np.float64)
        inside: NDArray[np.bool_] = shapely.intersects_xy(self.boundary, x, y)
        return inside & np.isfinite(x) & np.isfinite(y)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) in degrees: where the page map starts."""
        west, south, east, north = self.boundary.bounds
        return float(west), float(south), float(east), float(north)

    def outline(self, tolerance_m: float = 50.0) -> dict[str, Any]:
        """The boundary as a GeoJSON FeatureCollection of one feature, simplified to within
        `tolerance_m` metres (in the projected CRS) and rounded to about 1 m: small enough to
        send with the report page."""
        projected = _project(self.boundary, WGS84, self.crs)
        simple = shapely.simplify(projected, tolerance_m, preserve_topology=True)
        # Rounded coordinate by coordinate: a precision grid would re-node the polygons (parts
        # that touch become one with holes).
        back = shapely.transform(
            _project(simple, self.crs, WGS84), lambda c: np.round(c, _OUTLINE_DECIMALS)
        )
        geometry = json.loads(json.dumps(mapping(back)))  # tuples to lists
        return {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": {}, "geometry": geometry}],
        }

    def to_projected(self, lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
        """Degrees to metres of `crs` (x = easting first); NaN stays NaN."""
        return transform(
            WGS84,
            self.crs,
            np.asarray(lon, dtype=np.float64),
            np.asarray(lat, dtype=np.float64),
        )
