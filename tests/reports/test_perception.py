"""The perception layer: vectorised counts against a brute-force loop, invariances, filters, and
reports without a place counted rather than dropped."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from streetlight.geo.crs import WGS84, transform
from streetlight.geo.grid import Grid
from streetlight.hotspots.base import StudyArea
from streetlight.reports.categories import FACTOR_CODE, FACTORS, N_BANDS, Factor
from streetlight.reports.perception import (
    PerceptionError,
    PerceptionLayer,
    factor_mask_of,
    perception_from_frame,
    perception_layer,
)

# 12 x 9 cells of 150 m in Middlesbrough (British National Grid), two cells cut out (a park).
GI, GJ = np.meshgrid(np.arange(12), np.arange(9), indexing="ij")
KEEP = ~(((GI == 3) & (GJ == 4)) | ((GI == 7) & (GJ == 0)))
AREA = StudyArea(Grid(150.0), GI[KEEP] + 2980, GJ[KEEP] + 3450, "EPSG:27700")


def random_reports(n: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Points over a box a little larger than the area (some outside, some in the holes), a few
    without a point, random factor masks (1-3 factors) and bands."""
    rng = np.random.default_rng(seed)
    x0, y0 = 2980 * 150.0, 3450 * 150.0
    x = rng.uniform(x0 - 300, x0 + 12 * 150 + 300, n)
    y = rng.uniform(y0 - 300, y0 + 9 * 150 + 300, n)
    x[rng.random(n) < 0.05] = np.nan
    masks = np.zeros(n, dtype=np.int64)
    for _ in range(3):
        pick = rng.integers(0, len(FACTORS), n)
        masks |= np.where(rng.random(n) < 0.6, 1 << pick, 0)
    masks[masks == 0] = 1 << FACTOR_CODE[Factor.OTHER]
    bands = rng.integers(0, N_BANDS, n)
    return x, y, masks, bands


def brute_force(
    x: np.ndarray, y: np.ndarray, masks: np.ndarray, bands: np.ndarray, within: float = 0.0
) -> tuple[np.ndarray, np.ndarray, int]:
    """The same counts by a plain loop over reports and cells (off the area: the nearest cell
    centre within `within` metres, found by trying every cell)."""
    cells = {(int(a), int(b)): k for k, (a, b) in enumerate(zip(AREA.i, AREA.j, strict=True))}
    cx, cy = AREA.centres()
    counts = np.zeros((AREA.n_cells, len(FACTORS), N_BANDS), dtype=np.int64)
    reports = np.zeros(AREA.n_cells, dtype=np.int64)
    unplaced = 0
    for px, py, m, b in zip(x.tolist(), y.tolist(), masks.tolist(), bands.tolist(), strict=True):
        if np.isnan(px) or np.isnan(py):
            unplaced += 1
            continue
        k = cells.get((int(np.floor(px / 150.0)), int(np.floor(py / 150.0))))
        if k is None and within > 0:
            distances = [float(np.hypot(px - a, py - b)) for a, b in zip(cx, cy, strict=True)]
            nearest = int(np.argmin(distances))
            k = nearest if distances[nearest] <= within else None
        if k is None:
            unplaced += 1
            continue
        reports[k] += 1
        for f in range(len(FACTORS)):
            if m & (1 << f):
                counts[k, f, b] += 1
    return counts, reports, unplaced


@pytest.mark.parametrize("within", [0.0, 250.0])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_counts_match_a_brute_force_loop(seed: int, within: float) -> None:
    x, y, masks, bands = random_reports(2_000, seed)
    layer = perception_layer(x, y, masks, bands, AREA, within=within)
    counts, reports, unplaced = brute_force(x, y, masks, bands, within)
    assert layer.counts.shape == (AREA.n_cells, len(FACTORS), N_BANDS)
    np.testing.assert_array_equal(layer.counts, counts)
    np.testing.assert_array_equal(layer.reports, reports)
    assert layer.unplaced == unplaced > 0
    assert layer.placed + layer.unplaced == len(x)


def test_row_order_does_not_matter() -> None:
    x, y, masks, bands = random_reports(1_500, 7)
    order = np.random.default_rng(3).permutation(len(x))
    a = perception_layer(x, y, masks, bands, AREA)
    b = perception_layer(x[order], y[order], masks[order], bands[order], AREA)
    np.testing.assert_array_equal(a.counts, b.counts)
    np.testing.assert_array_equal(a.reports, b.reports)
    assert a.unplaced == b.unplaced
    assert a.table().equals(b.table())


def test_a_report_naming_several_factors_counts_once_per_cell() -> None:
    x, y = AREA.centres()
    both = factor_mask_of([Factor.POOR_LIGHTING, Factor.FOLLOWED])
    layer = perception_layer([x[5]], [y[5]], [both], [7], AREA)
    assert layer.reports[5] == 1 and layer.reports.sum() == 1
    assert layer.counts[5, FACTOR_CODE[Factor.POOR_LIGHTING], 7] == 1
    assert layer.counts[5, FACTOR_CODE[Factor.FOLLOWED], 7] == 1
    assert layer.counts.sum() == 2
    assert layer.total([Factor.POOR_LIGHTING, Factor.FOLLOWED])[5] == 1


def test_total_filters_by_factor_and_band_like_a_loop() -> None:
    x, y, masks, bands = random_reports(3_000, 11)
    layer = perception_layer(x, y, masks, bands, AREA)
    wanted = [Factor.POOR_LIGHTING, Factor.VERBAL_HARASSMENT, Factor.FOLLOWED]
    night = [6, 7, 0]
    wanted_mask = factor_mask_of(wanted)
    keep = ((masks & wanted_mask) != 0) & np.isin(bands, night)
    only = perception_layer(x[keep], y[keep], masks[keep], bands[keep], AREA)
    np.testing.assert_array_equal(layer.total(wanted, night), only.reports)
    np.testing.assert_array_equal(layer.total(), layer.reports)
    single = layer.total([Factor.NO_CCTV])
    np.testing.assert_array_equal(single, layer.counts[:, FACTOR_CODE[Factor.NO_CCTV], :].sum(1))
    late = np.isin(bands, [2])
    in_band = perception_layer(x[late], y[late], masks[late], bands[late], AREA)
    np.testing.assert_array_equal(layer.total(bands=[2]), in_band.reports)


def test_table_is_long_form_and_sums_back() -> None:
    x, y, masks, bands = random_reports(800, 5)
    layer = perception_layer(x, y, masks, bands, AREA)
    table = layer.table()
    assert table.columns == ["cell_id", "factor", "time_band", "reports"]
    assert (table["reports"] > 0).all()
    assert table["reports"].sum() == layer.counts.sum()
    assert set(table["factor"].unique().to_list()) <= {f.value for f in FACTORS}
    ids = AREA.cell_ids()
    first = table.row(0, named=True)
    k = ids.index(first["cell_id"])
    f = [f.value for f in FACTORS].index(first["factor"])
    assert layer.counts[k, f, first["time_band"]] == first["reports"]


def test_reports_outside_or_without_a_point_are_unplaced_not_dropped() -> None:
    x, y = AREA.centres()
    west = float(AREA.i[0] * 150)  # the area's western edge
    xs = [x[0], np.nan, 0.0, x[3], west - 1, west - 300]
    ys = [y[0], y[0], 0.0, y[3], y[0], y[0]]
    exact = perception_layer(xs, ys, [1] * 6, [0] * 6, AREA, within=0)
    assert exact.placed == 2 and exact.unplaced == 4
    assert exact.reports.sum() == 2
    # By default a report just off the area (76 m from the first cell's centre) counts there;
    # one 375 m away does not.
    layer = perception_layer(xs, ys, [1] * 6, [0] * 6, AREA)
    assert layer.placed == 3 and layer.unplaced == 3
    assert layer.reports[0] == 2


def test_empty_input_gives_an_empty_layer() -> None:
    layer = perception_layer([], [], [], [], AREA)
    assert layer.reports.sum() == 0 and layer.unplaced == 0 and layer.table().height == 0
    assert isinstance(layer, PerceptionLayer)


@pytest.mark.parametrize(
    ("masks", "bands", "message"),
    [
        ([1, 1], [0], "differ in length"),
        ([1], [8], "time band 8 is not one of 0..7"),
        ([1], [-1], "time band -1"),
        ([1 << len(FACTORS)], [0], "bits beyond the 11 known factors"),
        ([-1], [0], "factor mask -1"),
    ],
)
def test_bad_arrays_are_refused(masks: list[int], bands: list[int], message: str) -> None:
    x, y = AREA.centres()
    n = len(masks)
    with pytest.raises(PerceptionError, match=message):
        perception_layer(x[:n], y[:n], masks, bands, AREA)


def test_unknown_factors_and_bands_list_the_valid_ones() -> None:
    with pytest.raises(PerceptionError, match=r"unknown factor 'lighting' \(factors: poor_light"):
        factor_mask_of(["lighting"])
    layer = perception_layer([], [], [], [], AREA)
    with pytest.raises(PerceptionError, match=r"unknown time band 9 \(bands: 0..7\)"):
        layer.total(bands=[9])


def test_from_an_accepted_frame_projects_lon_lat() -> None:
    x, y = AREA.centres()
    lon, lat = transform("EPSG:27700", WGS84, x[[4, 4, 9]], y[[4, 4, 9]])
    frame = pl.DataFrame(
        {
            "report_id": [1, 2, 3, 4],
            "lon": [*lon.tolist(), None],
            "lat": [*lat.tolist(), None],
            "occurred_on": [date(2025, 11, 1)] * 4,
            "time_band": pl.Series([7, 7, 1, 2], dtype=pl.Int8),
            "factor_mask": pl.Series([1, 2, 4, 8], dtype=pl.Int64),
        }
    )
    layer = perception_from_frame(frame, AREA)
    assert layer.reports[4] == 2 and layer.reports[9] == 1 and layer.unplaced == 1
    assert layer.counts[4, 0, 7] == 1 and layer.counts[4, 1, 7] == 1
