"""The perception layer on forecast maps (`reports.overlay`): drawn on the maps and named in the
HTML summary, never in the forecast's tables, and only on the forecast's own study area."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from streetlight.errors import StreetlightError
from streetlight.geo.grid import Grid
from streetlight.hotspots.base import StudyArea
from streetlight.reports.overlay import (
    REPORTS_LABEL,
    report_overlay,
    report_summary,
    write_forecast_files,
)
from streetlight.reports.perception import perception_layer
from tests.deploy.test_briefing import small_plan


def test_reports_go_on_the_maps_and_never_in_the_tables(tmp_path: Path) -> None:
    forecast, _, _ = small_plan()
    x, y = forecast.area.centres()
    layer = perception_layer(x[[0, 0, 7]], y[[0, 0, 7]], [1, 2, 1], [0, 3, 5], forecast.area)
    overlay = report_overlay(layer)
    assert overlay.label == REPORTS_LABEL
    assert overlay.shown().tolist() == [0, 7] and overlay.values[0] == 2.0
    paths = [tmp_path / f"f{s}" for s in (".csv", ".html")]
    with_reports = write_forecast_files(forecast, paths, layer=layer)
    assert with_reports == paths
    plain = write_forecast_files(forecast, [tmp_path / "plain.csv"])
    assert pl.read_csv(paths[0]).equals(pl.read_csv(plain[0]))
    assert report_summary(layer).split(":")[0] in paths[1].read_text()


def test_a_layer_on_another_study_area_is_refused(tmp_path: Path) -> None:
    forecast, _, _ = small_plan()
    other = StudyArea(
        Grid(150.0), np.array([1], dtype=np.int64), np.array([1], dtype=np.int64), "EPSG:27700"
    )
    layer = perception_layer([], [], [], [], other)
    with pytest.raises(StreetlightError, match="layer has 1 cells, the forecast 400"):
        write_forecast_files(forecast, [tmp_path / "f.png"], layer=layer)
