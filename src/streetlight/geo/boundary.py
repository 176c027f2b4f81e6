"""Boundary polygons (e.g. LSOAs) from GeoJSON, as rings of projected coordinates for maps."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from streetlight.errors import SourceError
from streetlight.geo.crs import WGS84, FloatArray, transform

Ring = tuple[FloatArray, FloatArray]


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    kind, coords = geometry.get("type"), geometry.get("coordinates", [])
    if kind == "Polygon":
        return list(coords)
    if kind == "MultiPolygon":
        return [ring for polygon in coords for ring in polygon]
    return []


def read_features(path: str | Path) -> list[dict[str, Any]]:
    """The features of a GeoJSON file (a FeatureCollection or a single Feature)."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SourceError(str(p), f"cannot read GeoJSON ({exc})") from exc
    if not isinstance(data, dict):
        raise SourceError(str(p), "not a GeoJSON object")
    features: list[dict[str, Any]] = data.get(
        "features", [data] if data.get("type") == "Feature" else []
    )
    return features


def read_rings(path: str | Path, crs: str) -> list[Ring]:
    """Every polygon ring of a WGS84 GeoJSON file, projected to `crs` in one vectorised call."""
    p = Path(path)
    features = read_features(p)
    rings = [
        np.asarray(ring, dtype=np.float64)[:, :2]
        for feature in features
        for ring in _rings(feature.get("geometry") or {})
        if len(ring) >= 3
    ]
    if not rings:
        raise SourceError(str(p), "no polygons in the GeoJSON")
    lengths = np.cumsum([len(r) for r in rings])[:-1]
    flat = np.concatenate(rings)
    x, y = transform(WGS84, crs, flat[:, 0], flat[:, 1])
    return list(zip(np.split(x, lengths), np.split(y, lengths), strict=True))
