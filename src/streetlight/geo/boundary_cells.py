"""The grid cells that intersect boundary polygons: the study area when a boundary is given."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import shapely
from pyproj import Transformer

from streetlight.errors import SourceError
from streetlight.geo.boundary import read_features
from streetlight.geo.crs import WGS84
from streetlight.geo.grid import Grid


def boundary_geometry(path: str | Path, crs: str) -> shapely.Geometry:
    """The union of a WGS84 GeoJSON's polygons, projected to `crs`."""
    p = Path(path)
    features = read_features(p)
    shapes = [shapely.geometry.shape(f["geometry"]) for f in features if f.get("geometry")]
    polygons = [g for g in shapes if g.geom_type in ("Polygon", "MultiPolygon")]
    if not polygons:
        raise SourceError(str(p), "no polygons in the GeoJSON")
    to_crs = Transformer.from_crs(WGS84, crs, always_xy=True)
    projected = shapely.transform(
        shapely.union_all(polygons),
        lambda xy: np.column_stack(to_crs.transform(xy[:, 0], xy[:, 1])),
    )
    return shapely.make_valid(projected)


def cells_in(geometry: shapely.Geometry, grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """(i, j) of the cells that intersect `geometry`, sorted by i then j."""
    s = grid.cell_size
    x0, y0, x1, y1 = shapely.bounds(geometry)
    columns, rows = np.meshgrid(
        np.arange(np.floor(x0 / s), np.floor(x1 / s) + 1, dtype=np.int64),
        np.arange(np.floor(y0 / s), np.floor(y1 / s) + 1, dtype=np.int64),
        indexing="ij",
    )
    ii, jj = columns.ravel(), rows.ravel()
    boxes = shapely.box(ii * s, jj * s, (ii + 1) * s, (jj + 1) * s)
    shapely.prepare(geometry)
    hit = shapely.intersects(geometry, boxes)
    return ii[hit], jj[hit]
