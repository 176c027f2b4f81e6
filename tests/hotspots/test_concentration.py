"""Concentration on the grid against a brute-force count."""

from __future__ import annotations

from collections import Counter

import numpy as np
import polars as pl

from streetlight.geo.grid import Grid
from streetlight.hotspots import concentration
from streetlight.store.schema import INCIDENT_SCHEMA


def frame(x: np.ndarray, y: np.ndarray, location: list[str] | None = None) -> pl.DataFrame:
    n = len(x)
    base = pl.DataFrame(schema=INCIDENT_SCHEMA).clear(n)
    return base.with_columns(
        pl.Series("x", x, dtype=pl.Float64),
        pl.Series("y", y, dtype=pl.Float64),
        pl.Series("location", location or ["On or near Somewhere"] * n, dtype=pl.String),
    )


def test_counts_and_ranks_match_brute_force() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(450_000, 800, 2_000)
    y = rng.normal(520_000, 800, 2_000)
    area_x = rng.uniform(446_000, 454_000, 500)
    area_y = rng.uniform(516_000, 524_000, 500)
    study = frame(np.concatenate([x, area_x]), np.concatenate([y, area_y]))
    result = concentration(frame(x, y), study_area=study, cell_size=150)

    brute = Counter(
        (int(np.floor(a / 150)), int(np.floor(b / 150))) for a, b in zip(x, y, strict=True)
    )
    cells_in_study = {
        (int(np.floor(a / 150)), int(np.floor(b / 150)))
        for a, b in zip(study["x"], study["y"], strict=True)
    }
    assert result.study_cells == len(cells_in_study)
    got = {(i, j): c for i, j, c in result.cells.select("i", "j", "count").iter_rows()}
    assert {k: v for k, v in got.items() if v} == dict(brute)
    counts = result.cells["count"].to_list()
    assert counts == sorted(counts, reverse=True)
    k = result.top_k(5)
    assert k == round(len(cells_in_study) * 0.05)
    assert result.share_in_top(5) == sum(sorted(brute.values(), reverse=True)[:k]) / 2_000


def test_cells_align_to_the_origin_and_centres_are_right() -> None:
    grid = Grid(150)
    cells = grid.cells_of(
        frame(np.array([-1.0, 0.0, 149.9, 150.0]), np.array([0.0, 0.0, 0.0, 0.0]))
    )
    assert cells.select("i", "j").rows() == [(-1, 0), (0, 0), (1, 0)]
    result = concentration(
        frame(np.array([10.0]), np.array([20.0])), frame(np.array([10.0]), np.array([20.0]))
    )
    assert result.cells.row(0, named=True) | {"cum_share": 1.0} == {
        "cell_id": "150m:0:0",
        "i": 0,
        "j": 0,
        "x": 75.0,
        "y": 75.0,
        "count": 1,
        "rank": 1,
        "cum_share": 1.0,
        "top_location": "On or near Somewhere",
    }


def test_ties_are_broken_by_cell_id_and_half_the_crime_area_is_found() -> None:
    x = np.array([10.0, 10.0, 160.0, 160.0, 310.0])
    y = np.zeros(5)
    result = concentration(frame(x, y), frame(x, y), cell_size=150)
    assert result.cells["cell_id"].to_list() == ["150m:0:0", "150m:1:0", "150m:2:0"]
    assert result.area_holding(0.5) == 2 / 3
