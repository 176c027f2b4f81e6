"""The perception layer on a forecast map: as a `maps.cells.CellOverlay` the map draws beside the
forecast (never folded into its scores), and the line the map's summary says about it.
`write_forecast_files` writes a forecast with it (`streetlight hotspots --reports`, the demo).

Kept apart from `reports.perception` so the counting (which the web app imports) does not load
the map libraries.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from streetlight.geo.boundary import Ring
from streetlight.hotspots.export import write_forecast
from streetlight.hotspots.forecast import Forecast
from streetlight.maps.cells import CellOverlay
from streetlight.reports.perception import PerceptionLayer

REPORTS_LABEL = "public reports of feeling unsafe"


def report_overlay(layer: PerceptionLayer) -> CellOverlay:
    """The perception layer's reports per cell as a map layer (cells without reports not drawn)."""
    x, y = layer.area.centres()
    return CellOverlay(x, y, layer.reports.astype(np.float64), layer.area.cell_ids(), REPORTS_LABEL)


def report_summary(layer: PerceptionLayer) -> str:
    """One line for a map page: how many reports the layer holds and left out."""
    cells = int((layer.reports > 0).sum())
    return (
        f"Public reports of feeling unsafe (accepted): {layer.placed:,} in {cells:,} cells "
        f"(outlined, green scale); {layer.unplaced:,} without a point or over 250 m from the study area."
    )


def write_forecast_files(
    forecast: Forecast,
    paths: Sequence[Path],
    rings: Sequence[Ring] = (),
    layer: PerceptionLayer | None = None,
) -> list[Path]:
    """`hotspots.export.write_forecast` to each of `paths`; the maps also draw `layer` (counted
    on the forecast's study area) and say what it holds."""
    overlay = report_overlay(layer) if layer is not None else None
    notes = [report_summary(layer)] if layer is not None else []
    return [write_forecast(forecast, path, rings, overlay, notes) for path in paths]
