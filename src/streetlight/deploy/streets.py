"""Walking distances along a street network, for visit schedules.

Straight lines under-state walking time wherever a railway, river or dual carriageway lies between
two stops. Given a street network (GeoJSON LineStrings, e.g. an OpenStreetMap extract of
footways and roads), a unit walks the shortest path: from its stop to the nearest network node,
along the network (Dijkstra 1959, scipy's csgraph), and off to the next stop. Nodes are line
vertices, with vertices closer than `snap` metres merged so lines drawn to meet do meet.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import shapely
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from streetlight.errors import SourceError
from streetlight.geo.boundary import read_features
from streetlight.geo.crs import WGS84, transform

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
LIMIT = 10_000.0  # metres; pairs not joined within it walk in a straight line


@dataclass(frozen=True)
class StreetNetwork:
    """Nodes (projected metres) and a symmetric sparse matrix of segment lengths."""

    x: FloatArray
    y: FloatArray
    lengths: sp.csr_matrix

    @classmethod
    def from_lines(cls, lines: list[FloatArray], snap: float = 1.0) -> StreetNetwork:
        """From polylines of projected (x, y) vertices, `snap` metres merging near vertices."""
        lines = [line for line in lines if len(line) >= 2]
        if not lines:
            raise ValueError("a street network needs at least one line of two points")
        points = np.concatenate(lines)
        keys = np.round(points / snap).astype(np.int64)
        _, node, _ = np.unique(keys, axis=0, return_inverse=True, return_counts=True)
        node = node.ravel()
        n = int(node.max()) + 1
        x = np.zeros(n)
        y = np.zeros(n)
        x[node], y[node] = points[:, 0], points[:, 1]
        ends = np.cumsum([len(line) for line in lines])
        link = np.ones(len(points) - 1, dtype=bool)
        link[ends[:-1] - 1] = False  # no segment from one line's end to the next line's start
        a, b = node[:-1][link], node[1:][link]
        step = np.hypot(*(points[1:] - points[:-1]).T)[link]
        keep = a != b
        rows = np.concatenate([a[keep], b[keep]])
        cols = np.concatenate([b[keep], a[keep]])
        data = np.concatenate([step[keep], step[keep]])
        # two lines joining the same nodes: the shorter one is the walk
        order = np.lexsort((data, cols, rows))
        rows, cols, data = rows[order], cols[order], data[order]
        first = np.ones(len(rows), dtype=bool)
        first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
        lengths = sp.csr_matrix((data[first], (rows[first], cols[first])), shape=(n, n))
        return cls(x, y, lengths)

    @classmethod
    def from_geojson(cls, path: Path, crs: str) -> StreetNetwork:
        """LineStrings and MultiLineStrings of a WGS84 GeoJSON file, projected to `crs`."""
        lines: list[FloatArray] = []
        for feature in read_features(path):
            try:
                shape = shapely.geometry.shape(feature.get("geometry") or {})
            except (AttributeError, TypeError, ValueError) as exc:
                raise SourceError(str(path), f"a geometry is not valid GeoJSON ({exc})") from exc
            parts = getattr(shape, "geoms", [shape])
            for part in parts:
                if part.geom_type == "LineString":
                    xy = np.asarray(part.coords, dtype=np.float64)[:, :2]
                    px, py = transform(WGS84, crs, xy[:, 0], xy[:, 1])
                    lines.append(np.column_stack([px, py]))
        if not lines:
            raise SourceError(str(path), "no LineStrings in the street network")
        return cls.from_lines(lines)

    @cached_property
    def _tree(self) -> cKDTree:
        return cKDTree(np.column_stack([self.x, self.y]))

    def distances(self, x: FloatArray, y: FloatArray) -> FloatArray:
        """Walking metres between every pair of points: off to the nearest node, along the
        network, and off again (straight lines where the network does not connect them)."""
        off, nearest = self._tree.query(np.column_stack([x, y]))
        # a beat lies within a few hundred metres: searching further than LIMIT is wasted work
        along = dijkstra(self.lengths, directed=False, indices=nearest, limit=LIMIT)[:, nearest]
        walk = off[:, None] + along + off[None, :]
        straight = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
        walk = np.where(np.isfinite(walk), walk, straight)
        np.fill_diagonal(walk, 0.0)
        return np.asarray(walk, dtype=np.float64)
