"""Public exports: 250 m cells, suppression below 5 reports after the filter, WGS84 outlines,
deterministic output, and nothing of a report's own (id, point, date, text) ever written."""

from __future__ import annotations

import itertools
import json
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from streetlight.geo.crs import WGS84, transform
from streetlight.reports.categories import FACTOR_CODE, FACTORS, N_BANDS, Factor, band_label
from streetlight.reports.export import (
    BAND_COLUMNS,
    ExportError,
    public_cells,
    public_geojson,
    write_public,
)
from streetlight.reports.perception import PerceptionError

BNG = "EPSG:27700"
X0, Y0 = 450_000.0, 517_000.0  # Middlesbrough, on a 250 m boundary
LIGHTING = 1 << FACTOR_CODE[Factor.POOR_LIGHTING]
FOLLOWED = 1 << FACTOR_CODE[Factor.FOLLOWED]


def frame_of(x: list[float] | np.ndarray, y: list[float] | np.ndarray, masks: list[int] | np.ndarray,
             bands: list[int] | np.ndarray) -> pl.DataFrame:  # fmt: skip
    """An `accepted_frame` of reports at projected points (NaN x: no point)."""
    xs, ys = np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)
    lon, lat = transform(BNG, WGS84, xs, ys)
    n = len(xs)
    return pl.DataFrame(
        {
            "report_id": np.arange(1, n + 1, dtype=np.int64),
            "lon": pl.Series(lon).fill_nan(None),
            "lat": pl.Series(lat).fill_nan(None),
            "occurred_on": [date(2025, 11, 3)] * n,
            "time_band": pl.Series(bands, dtype=pl.Int8),
            "factor_mask": pl.Series(masks, dtype=pl.Int64),
        }
    )


def in_cell(i: int, j: int, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """`n` points spread inside the 250 m cell (i, j) counted from (X0, Y0)."""
    rng = np.random.default_rng(seed)
    return X0 + (i + rng.uniform(0.05, 0.95, n)) * 250, Y0 + (j + rng.uniform(0.05, 0.95, n)) * 250


def random_reports(seed: int, n: int, side: float) -> pl.DataFrame:
    """`n` reports at random points of the `side`-metre square from (X0, Y0), each with random
    factors (at least one) and a random band."""
    rng = np.random.default_rng(seed)
    return frame_of(
        X0 + rng.uniform(0, side, n),
        Y0 + rng.uniform(0, side, n),
        rng.integers(1, 1 << len(FACTORS), n),
        rng.integers(0, N_BANDS, n),
    )


def two_cells() -> pl.DataFrame:
    """Cell (0, 0): 5 reports, 3 naming poor lighting, 4 in band 7; cell (2, 1): 4 reports."""
    ax, ay = in_cell(0, 0, 5)
    bx, by = in_cell(2, 1, 4, seed=1)
    masks = [LIGHTING, LIGHTING | FOLLOWED, LIGHTING, FOLLOWED, FOLLOWED, *[LIGHTING] * 4]
    bands = [7, 7, 7, 7, 1, *[7] * 4]
    return frame_of([*ax, *bx], [*ay, *by], masks, bands)


def test_cells_below_five_reports_are_suppressed() -> None:
    cells = public_cells(two_cells(), BNG)
    assert cells.height == 1
    row = cells.row(0, named=True)
    assert row["cell_id"] == f"250m:{int(X0 // 250)}:{int(Y0 // 250)}"
    assert row["reports"] == 5
    # 3 of 5 name poor lighting, 3 being followed: each would single out 2 reports that do not
    assert row["poor_lighting"] is None and row["followed"] is None and row["no_cctv"] == 0
    # 4 in band 7 and 1 in band 1: both blank (one blank band would follow from the total)
    assert row[band_label(7)] is None and row[band_label(1)] is None and row[band_label(0)] == 0
    assert (row["x"], row["y"]) == (X0 + 125, Y0 + 125)


def test_filters_choose_rows_and_never_count_anew() -> None:
    x, y = in_cell(0, 0, 10, seed=5)
    extra = frame_of(x, y, [LIGHTING] * 5 + [FOLLOWED] * 5, [3] * 5 + [7] * 5)
    more = pl.concat([two_cells(), extra])  # cell (0, 0): 15 reports, 8 lit; bands 1, 3, 7
    table = public_cells(more, BNG)
    row = table.row(0, named=True)
    assert (row["reports"], row["poor_lighting"], row["followed"]) == (15, 8, 8)
    # band 1 holds 1 report: blank, and so is band 3 (5), else band 1 = 15 - 9 - 5
    assert (row[band_label(1)], row[band_label(3)], row[band_label(7)]) == (None, None, 9)
    lit = public_cells(more, BNG, factors=[Factor.POOR_LIGHTING])
    assert lit.equals(table.filter(pl.col("poor_lighting") >= 5)) and lit.height == 1
    late = public_cells(more, BNG, bands=[7])
    assert late.equals(table) and late.row(0, named=True)["reports"] == 15  # not band 7's 9
    assert public_cells(more, BNG, bands=[3]).height == 0  # band 3 is not shown
    assert public_cells(more, BNG, factors=["no_cctv"]).height == 0


def test_counts_match_a_loop_on_random_reports() -> None:
    rng = np.random.default_rng(42)
    n = 3_000
    x = X0 + rng.uniform(0, 2_000, n)
    y = Y0 + rng.uniform(0, 1_500, n)
    masks = rng.integers(1, 1 << len(FACTORS), n)
    bands = rng.integers(0, N_BANDS, n)
    cells = public_cells(frame_of(x, y, masks, bands), BNG)
    expected: dict[str, list[int]] = {}
    for px, py, m, b in zip(x, y, masks.tolist(), bands.tolist(), strict=True):
        key = f"250m:{int(np.floor(px / 250))}:{int(np.floor(py / 250))}"
        row = expected.setdefault(key, [0] * (1 + len(FACTORS) + N_BANDS))
        row[0] += 1
        for f in range(len(FACTORS)):
            row[1 + f] += bool(m & (1 << f))
        row[1 + len(FACTORS) + b] += 1
    shown = {k: v for k, v in expected.items() if v[0] >= 5}
    assert cells.height == len(shown) > 0
    for cell in cells.iter_rows():
        published = list(cell[5:])
        assert all(p is None or p == e for p, e in zip(published, shown[cell[0]], strict=True))


# --- Differencing: no two published numbers single out fewer than 5 reports -------------------

K = 5


def clustered_reports(seed: int, cells: int, n: int) -> pl.DataFrame:
    """`n` reports in `cells` neighbouring cells (so that most cells hold 5 to 20 reports, where
    small differences are likely), each with random factors and band."""
    rng = np.random.default_rng(seed)
    which = rng.integers(0, cells, n)
    i, j = which % 4, which // 4
    return frame_of(
        X0 + (i + rng.uniform(0.05, 0.95, n)) * 250,
        Y0 + (j + rng.uniform(0.05, 0.95, n)) * 250,
        rng.integers(1, 1 << len(FACTORS), n),
        rng.integers(0, N_BANDS, n),
    )


def allowed_outputs() -> list[dict[str, list[str] | list[int] | None]]:
    """Every export the command line and the analyst pages can ask for: no filter, each factor,
    each band, each factor with each band, and some factors together."""
    factors: list[list[str] | None] = [None, *([f.value] for f in FACTORS)]
    factors += [[FACTORS[a].value, FACTORS[a + 1].value] for a in range(0, len(FACTORS) - 1, 2)]
    bands: list[list[int] | None] = [None, *([b] for b in range(N_BANDS)), [0, 7]]
    return [{"factors": f, "bands": b} for f in factors for b in bands]


def differences(table: dict[tuple[str, str], int]) -> list[tuple[str, str, int]]:
    """The attack on one cell's published numbers, `(column) -> count`: every group of reports an
    outsider can count by subtracting one published number from another that contains it (the
    cell's total minus a factor; the total minus any sum of bands, the bands partitioning the
    cell's reports), and every published count itself. Returns those that count 1 to 4."""
    total = table[("reports", "")]
    found = [(c, v, n) for (c, v), n in table.items() if 0 < n < K]
    found += [(c, "not " + v, total - n) for (c, v), n in table.items() if 0 < total - n < K]
    shown_bands = [n for (c, _v), n in table.items() if c == "band"]
    for size in range(1, len(shown_bands) + 1):
        for group in itertools.combinations(shown_bands, size):
            if 0 < total - sum(group) < K or 0 < sum(group) < K:
                found.append(("bands", str(group), total - sum(group)))
    return found


def published(frame: pl.DataFrame) -> dict[str, dict[tuple[str, str], int]]:
    """Every number of every allowed output, per cell; checks that no two outputs publish
    different numbers for the same cell and column (they would be differenced too)."""
    seen: dict[str, dict[tuple[str, str], int]] = {}
    for asked in allowed_outputs():
        cells = public_cells(frame, BNG, **asked)  # type: ignore[arg-type]
        for row in cells.iter_rows(named=True):
            table = seen.setdefault(row["cell_id"], {})
            columns = [("reports", "", "reports")]
            columns += [("factor", f.value, f.value) for f in FACTORS]
            columns += [("band", label, label) for label in BAND_COLUMNS]
            for kind, name, column in columns:
                if row[column] is None:
                    continue
                assert table.setdefault((kind, name), row[column]) == row[column], (asked, name)
    return seen


@pytest.mark.parametrize("seed", range(5))
def test_no_difference_of_allowed_outputs_isolates_fewer_than_five_reports(seed: int) -> None:
    frame = clustered_reports(seed, cells=12, n=150)
    seen = published(frame)
    assert len(seen) >= 8  # most cells are shown: the attack has material
    for cell, table in seen.items():
        assert differences(table) == [], cell


def test_the_attack_works_on_counts_made_anew_under_each_filter() -> None:
    """The same data, exported as before: each filter counted anew, then a cell shown with 5 or
    more. The cell's total and its count under one factor then differ by 1 to 4 reports in many
    cells: the attack the test above shows no longer works."""
    frame = clustered_reports(0, cells=12, n=150)
    x, y = transform(WGS84, BNG, frame["lon"].to_numpy(), frame["lat"].to_numpy())
    cells = frame.with_columns(cell=pl.Series(np.floor(x / 250) * 1e6 + np.floor(y / 250)))
    isolated = 0
    for (_cell,), inside in cells.group_by("cell"):
        total = inside.height
        for f in FACTORS:
            naming = int(((inside["factor_mask"] & (1 << FACTOR_CODE[f])) != 0).sum())
            isolated += total >= K and naming >= K and 0 < total - naming < K
    assert isolated >= 5


def test_same_reports_in_any_order_give_the_same_bytes(tmp_path: Path) -> None:
    frame = random_reports(seed=1, n=500, side=800)
    shuffled = frame.sample(fraction=1.0, shuffle=True, seed=3)
    outs = []
    for k, f in enumerate((frame, shuffled)):
        cells = public_cells(f, BNG)
        outs.append(
            (
                write_public(cells, tmp_path / f"{k}.csv", crs=BNG).read_bytes(),
                write_public(cells, tmp_path / f"{k}.geojson", crs=BNG).read_bytes(),
            )
        )
    assert outs[0] == outs[1]


def test_no_output_coordinate_is_a_report_point_nor_any_report_field(tmp_path: Path) -> None:
    frame = random_reports(seed=9, n=400, side=600)
    cells = public_cells(frame, BNG)
    assert cells.columns == [
        "cell_id", "lon", "lat", "x", "y", "reports", *(f.value for f in FACTORS), *BAND_COLUMNS
    ]  # fmt: skip
    points = set(zip(frame["lon"].to_list(), frame["lat"].to_list(), strict=True))
    assert not points & set(zip(cells["lon"].to_list(), cells["lat"].to_list(), strict=True))
    geo = public_geojson(cells, crs=BNG)
    corners = {
        (lon, lat)
        for feature in geo["features"]
        for lon, lat in feature["geometry"]["coordinates"][0]
    }
    assert corners and not points & corners
    text = write_public(cells, tmp_path / "c.geojson", crs=BNG).read_text()
    text += write_public(cells, tmp_path / "c.csv", crs=BNG).read_text()
    assert "report_id" not in text and "2025-11-03" not in text and "occurred" not in text
    for lon in frame["lon"].head(50).to_list():
        assert f"{lon:.6f}" not in text


def test_geojson_cells_are_250_m_squares_in_wgs84() -> None:
    cells = public_cells(two_cells(), BNG)
    geo = public_geojson(cells, crs=BNG)
    (feature,) = geo["features"]
    ring = np.array(feature["geometry"]["coordinates"][0])
    assert ring.shape == (5, 2) and (ring[0] == ring[-1]).all()
    assert -1.5 < ring[0, 0] < -1.0 and 54.4 < ring[0, 1] < 54.7
    x, y = transform(WGS84, BNG, ring[:, 0], ring[:, 1])
    assert np.allclose([x.max() - x.min(), y.max() - y.min()], 250, atol=0.5)
    assert feature["properties"]["reports"] == 5
    assert "lon" not in feature["properties"] and "x" not in feature["properties"]


def test_reports_without_a_point_have_no_cell() -> None:
    x, y = in_cell(0, 0, 5)
    frame = frame_of([*x, np.nan], [*y, np.nan], [LIGHTING] * 6, [0] * 6)
    assert public_cells(frame, BNG)["reports"].to_list() == [5]


def test_larger_cells_and_thresholds_are_allowed_smaller_ones_refused() -> None:
    frame = two_cells()
    coarse = public_cells(frame, BNG, cell=1000, min_reports=9)
    assert coarse["reports"].to_list() == [9] and coarse["cell_id"][0].startswith("1000m:")
    assert public_cells(frame, BNG, min_reports=6).height == 0
    with pytest.raises(ExportError, match="at least 250 m across, not 100 m"):
        public_cells(frame, BNG, cell=100)
    with pytest.raises(ExportError, match="at least 5 reports to be shown, not 2"):
        public_cells(frame, BNG, min_reports=2)


def test_bad_filters_and_formats_are_clear(tmp_path: Path) -> None:
    with pytest.raises(PerceptionError, match=r"unknown factor 'dark' \(factors: poor_lighting"):
        public_cells(two_cells(), BNG, factors=["dark"])
    with pytest.raises(PerceptionError, match=r"unknown time band 8 \(bands: 0..7\)"):
        public_cells(two_cells(), BNG, bands=[8])
    with pytest.raises(ExportError, match=r"x\.xlsx: unknown output type"):
        write_public(public_cells(two_cells(), BNG), tmp_path / "x.xlsx", crs=BNG)


def test_an_empty_export_is_valid(tmp_path: Path) -> None:
    cells = public_cells(frame_of([], [], [], []), BNG)
    assert cells.height == 0
    geo = json.loads(write_public(cells, tmp_path / "e.geojson", crs=BNG).read_text())
    assert geo == {"type": "FeatureCollection", "features": []}
