"""Getis-Ord Gi* against PySAL esda, a brute-force formula, and a brute-force Benjamini-Hochberg."""

from __future__ import annotations

import math
import warnings
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from numpy.typing import NDArray

from streetlight.geo.grid import Grid
from streetlight.hotspots.base import (
    EventSet,
    FloatArray,
    IntArray,
    NotFittedError,
    StudyArea,
    month_index,
)
from streetlight.hotspots.gistar import GiStar, benjamini_hochberg, gi_star
from streetlight.ingest import ingest
from streetlight.store import Store
from tests.conftest import SAMPLE_ZIP

esda = pytest.importorskip("esda")
libpysal = pytest.importorskip("libpysal")


def irregular_area(
    rng: np.random.Generator, width: int, height: int, keep: float
) -> tuple[IntArray, IntArray]:
    """A rectangle of cells with random holes, shifted off the origin and in shuffled order."""
    ii, jj = np.meshgrid(np.arange(width), np.arange(height), indexing="ij")
    chosen = rng.random(ii.size) < keep
    order = rng.permutation(int(chosen.sum()))
    i = (ii.ravel()[chosen] - 7)[order]
    j = (jj.ravel()[chosen] + 1_000)[order]
    return i.astype(np.int64), j.astype(np.int64)


def neighbours(i: IntArray, j: IntArray, radius: int) -> dict[int, list[int]]:
    """Brute force: the other cells within Chebyshev distance `radius` (self not included)."""
    where = {(a, b): k for k, (a, b) in enumerate(zip(i.tolist(), j.tolist(), strict=True))}
    out: dict[int, list[int]] = {}
    for k, (a, b) in enumerate(zip(i.tolist(), j.tolist(), strict=True)):
        out[k] = [
            where[(a + da, b + db)]
            for da in range(-radius, radius + 1)
            for db in range(-radius, radius + 1)
            if (da, db) != (0, 0) and (a + da, b + db) in where
        ]
    return out


def esda_z(values: FloatArray, weights: object) -> FloatArray:
    """esda's analytic Gi* z-scores with binary weights (esda puts 1 on the diagonal)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # islands and esda's own deprecation notes
        local = esda.G_Local(values, weights, transform="B", star=True, permutations=0)
    return np.asarray(local.Zs, dtype=np.float64)


def reference_z(values: list[float], cells: list[tuple[int, int]], radius: int) -> list[float]:
    """Getis & Ord (1992) / Ord & Getis (1995) Gi* written out cell by cell in plain Python."""
    n = len(values)
    mean = sum(values) / n
    s = math.sqrt(sum(v * v for v in values) / n - mean * mean)
    out: list[float] = []
    for a, b in cells:
        w = [
            1.0 if max(abs(a - c), abs(b - d)) <= radius else 0.0 for c, d in cells
        ]  # binary, self included
        big_w = sum(w)
        s1 = sum(x * x for x in w)
        lag = sum(wk * v for wk, v in zip(w, values, strict=True))
        spread = s * math.sqrt((n * s1 - big_w**2) / (n - 1))
        out.append((lag - mean * big_w) / spread if spread else math.nan)  # nan: window = area
    return out


# (a) the same numbers as esda -------------------------------------------------------------------


@pytest.mark.parametrize("radius", [0, 1, 2, 3, 6])
@pytest.mark.parametrize("api", ["graph", "w"])
def test_z_matches_esda_on_an_irregular_area_with_holes(radius: int, api: str) -> None:
    rng = np.random.default_rng(100 + radius)
    i, j = irregular_area(rng, 23, 17, keep=0.6)
    x = rng.poisson(1.5, len(i)).astype(np.float64)
    nb = neighbours(i, j, radius)
    weights = (
        libpysal.graph.Graph.from_dicts(nb)
        if api == "graph"
        else libpysal.weights.W(nb, silence_warnings=True)
    )
    got = gi_star(x, i, j, radius=radius)
    np.testing.assert_allclose(got.z, esda_z(x, weights), rtol=0, atol=1e-6)


def test_z_matches_esda_queen_lattice_on_a_full_rectangle() -> None:
    # lat2W numbers cells row by row: id = row * ncols + col; queen = Chebyshev radius 1.
    rng = np.random.default_rng(7)
    nrows, ncols = 12, 19
    ids = np.arange(nrows * ncols)
    x = rng.poisson(3.0, ids.size).astype(np.float64)
    weights = libpysal.weights.lat2W(nrows, ncols, rook=False)
    got = gi_star(x, (ids % ncols).astype(np.int64), (ids // ncols).astype(np.int64), radius=1)
    np.testing.assert_allclose(got.z, esda_z(x, weights), rtol=0, atol=1e-6)


def test_scattered_cells_take_the_pair_path_and_still_match_esda() -> None:
    # Two clusters a million cells apart: the bounding box is far too big to allocate densely.
    rng = np.random.default_rng(11)
    i1, j1 = irregular_area(rng, 9, 8, keep=0.7)
    i2, j2 = irregular_area(rng, 6, 11, keep=0.7)
    i = np.concatenate([i1, i2 + 1_000_000])
    j = np.concatenate([j1, j2 - 2_000_000])
    x = rng.poisson(2.0, len(i)).astype(np.float64)
    for radius in (1, 2):
        weights = libpysal.graph.Graph.from_dicts(neighbours(i, j, radius))
        got = gi_star(x, i, j, radius=radius)
        np.testing.assert_allclose(got.z, esda_z(x, weights), rtol=0, atol=1e-6)


def test_real_sample_estimator_matches_esda(tmp_path: Path) -> None:
    """Robbery in the bundled Cleveland sample on 250 m cells, the year before 2025-01."""
    store = Store.open(tmp_path / "store", create=True)
    ingest([SAMPLE_ZIP], store)
    incidents = store.incidents()
    area = StudyArea.from_incidents(incidents, 250.0, "EPSG:27700")
    events = EventSet.from_incidents(incidents.filter(pl.col("category") == "Robbery"), area)
    model = GiStar(window_months=12, radius=1).fit(events, area, date(2025, 1, 1))

    until = month_index(date(2025, 1, 1))
    window = (events.month >= until - 12) & (events.month < until)
    counts = np.bincount(events.cell[window], minlength=area.n_cells).astype(np.float64)
    np.testing.assert_array_equal(model.counts_, counts)
    weights = libpysal.graph.Graph.from_dicts(neighbours(area.i, area.j, 1))
    np.testing.assert_allclose(model.predict(), esda_z(counts, weights), rtol=0, atol=1e-6)
    assert 0 < model.hot_.sum() < area.n_cells
    assert (model.z_[model.hot_] > 0).all()


# (b) brute-force formula ------------------------------------------------------------------------


@pytest.mark.parametrize("radius", [1, 2])
def test_z_matches_the_formula_written_out(radius: int) -> None:
    cells = [(0, 0), (1, 0), (2, 0), (0, 1), (2, 1), (3, 1), (1, 3), (5, 5), (4, 4), (-2, 0)]
    values = [4.0, 0.0, 2.5, 7.0, 1.0, 0.0, 3.0, 9.0, 1.0, 2.0]
    i = np.array([c[0] for c in cells], dtype=np.int64)
    j = np.array([c[1] for c in cells], dtype=np.int64)
    got = gi_star(np.array(values), i, j, radius=radius)
    np.testing.assert_allclose(got.z, reference_z(values, cells, radius), rtol=1e-12, atol=1e-12)
    # p is the upper tail of the standard normal
    expected_p = [0.5 * math.erfc(z / math.sqrt(2)) for z in got.z.tolist()]
    np.testing.assert_allclose(got.p, expected_p, rtol=1e-12, atol=1e-15)


def test_order_and_translation_do_not_matter() -> None:
    rng = np.random.default_rng(5)
    i, j = irregular_area(rng, 15, 15, keep=0.8)
    x = rng.poisson(2.0, len(i)).astype(np.float64)
    base = gi_star(x, i, j, radius=2)
    perm = rng.permutation(len(i))
    shuffled = gi_star(x[perm], i[perm], j[perm], radius=2)
    np.testing.assert_allclose(shuffled.z, base.z[perm], rtol=0, atol=1e-12)
    moved = gi_star(x, i - 5_000, j + 321, radius=2)
    np.testing.assert_allclose(moved.z, base.z, rtol=0, atol=1e-12)


def test_a_planted_cluster_is_hot_and_noise_is_not() -> None:
    rng = np.random.default_rng(21)
    ii, jj = np.meshgrid(np.arange(60), np.arange(40), indexing="ij")
    i, j = ii.ravel().astype(np.int64), jj.ravel().astype(np.int64)
    x = rng.poisson(1.0, i.size).astype(np.float64)
    noise = gi_star(x, i, j)
    cluster = (np.abs(i - 30) <= 2) & (np.abs(j - 20) <= 2)
    x[cluster] += rng.poisson(8.0, int(cluster.sum()))
    planted = gi_star(x, i, j)
    assert planted.hot[(i == 30) & (j == 20)].all()
    assert planted.hot[cluster].mean() > 0.8
    assert not planted.hot[(np.abs(i - 30) > 5) | (np.abs(j - 20) > 5)].any()
    assert noise.hot.sum() <= 3


# (c) Benjamini-Hochberg -------------------------------------------------------------------------


def brute_bh(p: list[float], alpha: float) -> list[bool]:
    m = len(p)
    best = 0
    for k in range(1, m + 1):  # largest k with the k-th smallest p <= k alpha / m
        if sorted(p)[k - 1] <= k * alpha / m:
            best = k
    cut = sorted(p)[best - 1] if best else -1.0
    return [v <= cut for v in p]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("alpha", [0.01, 0.05, 0.2])
def test_bh_matches_brute_force_and_scipy(seed: int, alpha: float) -> None:
    rng = np.random.default_rng(seed)
    p = np.concatenate([rng.uniform(0, 1, 80), rng.uniform(0, 0.01, 20), [0.003, 0.003]])
    p = np.round(p, 3)  # ties, which the step-up treats alike
    got = benjamini_hochberg(p, alpha=alpha)
    assert got.tolist() == brute_bh(p.tolist(), alpha)
    stats = pytest.importorskip("scipy.stats")
    adjusted = np.asarray(stats.false_discovery_control(p, method="bh"))
    np.testing.assert_array_equal(got, adjusted <= alpha)


def test_hot_is_bh_on_the_upper_tail() -> None:
    rng = np.random.default_rng(9)
    i, j = irregular_area(rng, 40, 30, keep=0.9)
    x = rng.poisson(1.0, len(i)).astype(np.float64)
    x[:30] += 6
    got = gi_star(x, i, j, radius=1, alpha=0.1)
    np.testing.assert_array_equal(got.hot, benjamini_hochberg(got.p, alpha=0.1) & (got.z > 0))
    assert got.hot.any()


def test_bh_edge_cases() -> None:
    assert benjamini_hochberg(np.zeros(0)).tolist() == []
    assert benjamini_hochberg(np.array([0.04])).tolist() == [True]
    assert benjamini_hochberg(np.array([np.nan, 0.001])).tolist() == [False, True]
    assert not benjamini_hochberg(np.full(5, 0.5)).any()


# (d) the estimator ------------------------------------------------------------------------------


def synthetic(rng: np.random.Generator) -> tuple[StudyArea, EventSet]:
    ii, jj = np.meshgrid(np.arange(20), np.arange(15), indexing="ij")
    area = StudyArea(Grid(250.0), ii.ravel().astype(np.int64), jj.ravel().astype(np.int64), "X")
    n = 3_000
    cell = rng.integers(0, area.n_cells, n).astype(np.int64)
    month = rng.integers(month_index(date(2023, 1, 1)), month_index(date(2025, 6, 1)), n)
    events = EventSet(
        cell=cell,
        x=np.zeros(n),
        y=np.zeros(n),
        month=month.astype(np.int64),
        day=np.full(n, np.nan),
        weight=rng.choice([1.0, 2.5], n),
        category=np.full(n, "Burglary"),
        location=np.full(n, "On or near Here", dtype=object),
    )
    return area, events


def test_fit_counts_the_window_and_predicts_gi_star() -> None:
    area, events = synthetic(np.random.default_rng(1))
    model = GiStar(window_months=6, radius=2, alpha=0.1).fit(events, area, date(2024, 7, 1))
    until = month_index(date(2024, 7, 1))
    expected = np.zeros(area.n_cells)
    for c, m, w in zip(events.cell, events.month, events.weight, strict=True):
        if until - 6 <= m < until:
            expected[c] += w
    np.testing.assert_allclose(model.counts_, expected)
    direct = gi_star(expected, area.i, area.j, radius=2, alpha=0.1)
    np.testing.assert_array_equal(model.predict(), direct.z)
    np.testing.assert_array_equal(model.p_, direct.p)
    np.testing.assert_array_equal(model.hot_, direct.hot)
    assert model.predict().shape == (area.n_cells,)
    # month index and date give the same fit
    again = GiStar(window_months=6, radius=2, alpha=0.1).fit(events, area, until)
    np.testing.assert_array_equal(again.predict(), model.predict())


def test_events_at_or_after_until_are_never_seen() -> None:
    rng = np.random.default_rng(2)
    area, events = synthetic(rng)
    until = month_index(date(2024, 7, 1))
    before = GiStar().fit(events, area, until).predict()
    later = events.month >= until
    altered = EventSet(
        cell=np.where(later, rng.integers(0, area.n_cells, len(events)), events.cell),
        x=events.x,
        y=events.y,
        month=events.month,
        day=events.day,
        weight=np.where(later, 100.0, events.weight),
        category=events.category,
        location=events.location,
    )
    np.testing.assert_array_equal(GiStar().fit(altered, area, until).predict(), before)
    # ... whereas the month before `until` is used
    last = events.month == until - 1
    changed = EventSet(
        events.cell,
        events.x,
        events.y,
        events.month,
        events.day,
        np.where(last, 100.0, events.weight),
        events.category,
        events.location,
    )
    assert not np.array_equal(GiStar().fit(changed, area, until).predict(), before)


def test_only_target_categories_are_counted() -> None:
    rng = np.random.default_rng(6)
    area, events = synthetic(rng)
    target = rng.random(len(events)) < 0.5
    mixed = EventSet(
        events.cell,
        events.x,
        events.y,
        events.month,
        events.day,
        events.weight,
        np.where(target, "Burglary", "Public order"),
        events.location,
        target=target,
    )
    got = GiStar().fit(mixed, area, date(2025, 1, 1))
    only = GiStar().fit(events.subset(target), area, date(2025, 1, 1))
    np.testing.assert_array_equal(got.counts_, only.counts_)
    np.testing.assert_array_equal(got.predict(), only.predict())


def test_predict_before_fit_raises() -> None:
    with pytest.raises(NotFittedError, match="GiStar is not fitted"):
        GiStar().predict()


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"window_months": 0}, "window_months"),
        ({"window_months": 1.5}, "window_months"),
        ({"window_months": True}, "window_months"),
        ({"radius": -1}, "radius"),
        ({"radius": 1.0}, "radius"),
        ({"alpha": 0.0}, "alpha"),
        ({"alpha": 1.0}, "alpha"),
        ({"alpha": "0.05"}, "alpha"),
    ],
)
def test_bad_parameters_are_named_at_fit(params: dict[str, object], name: str) -> None:
    area, events = synthetic(np.random.default_rng(3))
    model = GiStar().set_params(**params)  # stored as given: checked in fit, as scikit-learn does
    assert model.get_params()[name] == params[name]
    with pytest.raises(ValueError, match=name):
        model.fit(events, area, date(2024, 1, 1))


def test_events_from_another_area_are_refused() -> None:
    area, events = synthetic(np.random.default_rng(4))
    small = StudyArea(area.grid, area.i[:10], area.j[:10], area.crs)
    with pytest.raises(ValueError, match="outside this study area"):
        GiStar().fit(events, small, date(2025, 1, 1))


def test_params_and_repr() -> None:
    model = GiStar(window_months=3, radius=2, alpha=0.01)
    assert model.get_params() == {"window_months": 3, "radius": 2, "alpha": 0.01}
    assert repr(model) == "GiStar(window_months=3, radius=2, alpha=0.01)"


# (e) edge cases ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0.0, 1.0, 0.1])
def test_constant_values_have_no_hot_spots(value: float) -> None:
    rng = np.random.default_rng(0)
    i, j = irregular_area(rng, 10, 10, keep=0.7)
    got = gi_star(np.full(len(i), value), i, j)
    assert (got.z == 0).all() and (got.p == 0.5).all() and not got.hot.any()


def test_single_cell() -> None:
    one = np.array([0], dtype=np.int64)
    got = gi_star(np.array([5.0]), one, one)
    assert got.z.tolist() == [0.0] and got.p.tolist() == [0.5] and got.hot.tolist() == [False]


def test_empty_area() -> None:
    none = np.zeros(0, dtype=np.int64)
    got = gi_star(np.zeros(0), none, none)
    assert got.z.shape == got.p.shape == got.hot.shape == (0,)


def test_cells_with_only_themselves_are_standardised_values() -> None:
    # No cell touches another: W_i = 1, so z_i = (x_i - mean) / s, as esda computes for islands.
    i = np.array([0, 3, 6, 9, 12], dtype=np.int64)
    j = np.array([0, 0, 4, 8, 0], dtype=np.int64)
    x = np.array([1.0, 4.0, 0.0, 2.0, 8.0])
    got = gi_star(x, i, j, radius=1)
    np.testing.assert_allclose(got.z, (x - x.mean()) / x.std(), rtol=1e-12)
    weights = libpysal.graph.Graph.from_dicts(neighbours(i, j, 1))
    np.testing.assert_allclose(got.z, esda_z(x, weights), rtol=0, atol=1e-6)


def test_window_covering_every_cell_is_zero() -> None:
    # W_i = n: the window is the whole area, so G*_i = 1 exactly and there is nothing to test.
    ii, jj = np.meshgrid(np.arange(3), np.arange(3), indexing="ij")
    x = np.arange(9, dtype=np.float64)
    got = gi_star(x, ii.ravel().astype(np.int64), jj.ravel().astype(np.int64), radius=5)
    assert (got.z == 0).all() and not got.hot.any()


def test_a_mix_of_covering_and_partial_windows() -> None:
    # The centre of a 3x3 block sees all 9 cells (z = 0); the corners see 4 and are tested.
    ii, jj = np.meshgrid(np.arange(3), np.arange(3), indexing="ij")
    i, j = ii.ravel().astype(np.int64), jj.ravel().astype(np.int64)
    x = np.array([9.0, 1, 0, 2, 3, 0, 0, 1, 2])
    got = gi_star(x, i, j, radius=1)
    assert got.z[4] == 0.0
    cells = list(zip(i.tolist(), j.tolist(), strict=True))
    expected = reference_z(x.tolist(), cells, 1)
    mask = np.arange(9) != 4
    np.testing.assert_allclose(got.z[mask], np.array(expected)[mask], rtol=1e-12)


def test_bad_input_is_refused() -> None:
    i = np.array([0, 1, 1], dtype=np.int64)
    j = np.array([0, 0, 0], dtype=np.int64)
    with pytest.raises(ValueError, match="unique"):
        gi_star(np.ones(3), i, j)
    with pytest.raises(ValueError, match="unique"):  # the pair path checks too
        gi_star(np.ones(3), i * 10_000_000, j)
    with pytest.raises(ValueError, match="finite"):
        gi_star(np.array([1.0, np.nan]), i[:2], np.array([0, 1], dtype=np.int64))
    with pytest.raises(ValueError, match="1-D"):
        gi_star(np.ones(2), i, j)
    with pytest.raises(ValueError, match="radius"):
        gi_star(np.ones(1), i[:1], j[:1], radius=-1)
    with pytest.raises(ValueError, match="alpha"):
        gi_star(np.ones(1), i[:1], j[:1], alpha=1.5)


def test_inputs_are_not_mutated() -> None:
    rng = np.random.default_rng(8)
    i, j = irregular_area(rng, 8, 8, keep=0.8)
    x: NDArray[np.float64] = rng.poisson(2.0, len(i)).astype(np.float64)
    copies = (x.copy(), i.copy(), j.copy())
    gi_star(x, i, j, radius=2)
    for a, b in zip((x, i, j), copies, strict=True):
        np.testing.assert_array_equal(a, b)
