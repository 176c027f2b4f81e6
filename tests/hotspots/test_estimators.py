"""Every monthly estimator against a brute-force reference, and none can see the future."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from streetlight.hotspots.base import EventSet, NotFittedError, StudyArea
from streetlight.hotspots.counting import ExponentialCount, LastMonth, RollingSum
from streetlight.hotspots.kde import GridKDE
from streetlight.hotspots.prospective import Prospective, distance_kernel
from streetlight.hotspots.registry import DEFAULT_MODELS, UnknownModelError, make_model
from tests.hotspots.conftest import FORECAST_MONTH, make_events


def test_counting_models_match_hand_counts(square_area: StudyArea) -> None:
    until = 24_300
    events = make_events(
        [0, 0, 5, 5, 5, 9, 9],
        [until - 1, until - 3, until - 1, until - 2, until - 13, until, until + 4],
        square_area,
    )
    last = LastMonth().fit(events, square_area, until).predict()
    assert last[0] == 1 and last[5] == 1 and last[9] == 0 and last.sum() == 2
    rolling = RollingSum(months=12).fit(events, square_area, until).predict()
    assert (rolling[0], rolling[5], rolling[9]) == (2, 2, 0)
    ew = ExponentialCount(half_life=2.0, lookback=36).fit(events, square_area, until).predict()
    expected_0 = 1 + 0.5 ** (2 / 2)
    expected_5 = 1 + 0.5 ** (1 / 2) + 0.5 ** (12 / 2)
    assert math.isclose(ew[0], expected_0) and math.isclose(ew[5], expected_5) and ew[9] == 0


def test_kde_matches_a_brute_force_gaussian_sum(square_area: StudyArea) -> None:
    until = 24_300
    events = make_events(
        [10, 10, 30, 31], [until - 1, until - 2, until - 1, until - 4], square_area
    )
    model = GridKDE(bandwidth=120.0, half_life=3.0, truncate=8.0)
    got = model.fit(events, square_area, until).predict()
    cx, cy = square_area.centres()
    w = 0.5 ** ((until - 1 - events.month) / 3.0)
    # The grid Gaussian is the separable sampled kernel, normalised per axis (scipy's
    # gaussian_filter); the brute force sums it event by event, cell by cell.
    sigma = 120.0 / 100.0
    radius = int(8.0 * sigma + 0.5)
    taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    taps /= taps.sum()
    expected = np.zeros(square_area.n_cells)
    for k in range(len(events)):
        di = np.rint((cx - events.x[k]) / 100.0).astype(int)
        dj = np.rint((cy - events.y[k]) / 100.0).astype(int)
        inside = (np.abs(di) <= radius) & (np.abs(dj) <= radius)
        expected[inside] += w[k] * taps[di[inside] + radius] * taps[dj[inside] + radius]
    np.testing.assert_allclose(got, expected, atol=1e-12)


def test_prospective_matches_bowers_johnson_pease_by_hand(square_area: StudyArea) -> None:
    until = 24_300
    events = make_events([20, 20, 40], [until - 1, until - 2, until - 3], square_area)
    got = Prospective(bandwidth=250.0, time_window=2).fit(events, square_area, until).predict()
    expected = np.zeros(square_area.n_cells)
    for k in range(len(events)):
        age = until - 1 - events.month[k]
        if age >= 2:
            continue  # outside the time window
        for c in range(square_area.n_cells):
            d = math.hypot(
                square_area.i[c] - square_area.i[events.cell[k]],
                square_area.j[c] - square_area.j[events.cell[k]],
            )
            if d <= 2.5:
                expected[c] += 1 / (1 + d) * 1 / (1 + age)
    np.testing.assert_allclose(got, expected, atol=1e-12)
    assert distance_kernel(2.5)[2, 2] == 1.0


@pytest.mark.parametrize("name", [*DEFAULT_MODELS, "gistar"])
def test_no_model_sees_the_month_it_forecasts(
    name: str, sample_events: tuple[EventSet, StudyArea]
) -> None:
    events, area = sample_events
    assert events.target is not None
    before = make_model(name).fit(events, area, FORECAST_MONTH).predict()
    later = events.month >= FORECAST_MONTH
    rng = np.random.default_rng(1)
    altered = EventSet(
        cell=np.where(later, rng.integers(0, area.n_cells, len(events)), events.cell),
        x=events.x,
        y=events.y,
        month=events.month,
        day=events.day,
        weight=np.where(later, 7.0, events.weight),
        category=events.category,
        location=np.where(later, "On or near Nightclub", events.location),
        target=np.where(later, ~events.target, events.target),
    )
    after = make_model(name).fit(altered, area, FORECAST_MONTH).predict()
    assert before.shape == (area.n_cells,)
    np.testing.assert_array_equal(before, after)


@pytest.mark.parametrize("name", DEFAULT_MODELS)
def test_predict_before_fit_and_bad_parameters(name: str, square_area: StudyArea) -> None:
    with pytest.raises(NotFittedError):
        make_model(name).predict()


def test_bad_parameters_are_named(square_area: StudyArea) -> None:
    events = make_events([0], [24_299], square_area)
    with pytest.raises(ValueError, match="half_life"):
        ExponentialCount(half_life=0).fit(events, square_area, 24_300)
    with pytest.raises(ValueError, match="bandwidth"):
        GridKDE(bandwidth=-1).fit(events, square_area, 24_300)
    with pytest.raises(ValueError, match="months"):
        RollingSum(months=0).fit(events, square_area, 24_300)
    with pytest.raises(UnknownModelError, match="unknown model 'magic'"):
        make_model("magic")


def test_models_are_cloneable_by_params() -> None:
    model = make_model("ew-3")
    assert model.get_params() == {"half_life": 3.0, "lookback": 36}
    assert repr(model) == "ExponentialCount(half_life=3.0, lookback=36)"
    assert model.set_params(half_life=4.0).get_params()["half_life"] == 4.0


def test_gbm_features_match_hand_counts(square_area: StudyArea) -> None:
    """The learned model's history features are the window means a hand count gives."""
    from streetlight.hotspots.learned import WINDOWS, GradientBoostedPoisson
    from streetlight.hotspots.raster import Raster

    rng = np.random.default_rng(3)
    first, n_months = 24_000, 30
    cells = rng.integers(0, square_area.n_cells, 600)
    months = first + rng.integers(0, n_months, 600)
    events = make_events(cells.tolist(), months.tolist(), square_area)
    model = GradientBoostedPoisson(neighbourhood=3)
    target = events.counts(square_area.n_cells, range(first, first + n_months))
    t = 27
    features = model._features(
        target,
        [],
        np.zeros((square_area.n_cells, 0)),
        Raster.of(square_area, 3),
        square_area,
        t,
        first,
    )
    for k, w in enumerate(WINDOWS):
        own = features[:, 2 * k]
        for c in (0, 7, 30):
            lo = max(t - w, 0)
            hand = (
                sum(
                    1
                    for m, cc in zip(months, cells, strict=True)
                    if cc == c and first + lo <= m < first + t
                )
                / w
            )
            assert math.isclose(own[c], hand)
        # neighbourhood mean over the 3 x 3 block around a cell inside the area
        c = int(np.flatnonzero((square_area.i == 14) & (square_area.j == 0))[0])
        block = [
            int(np.flatnonzero((square_area.i == 14 + a) & (square_area.j == b))[0])
            for a in (-1, 0, 1)
            for b in (-1, 0, 1)
        ]
        assert math.isclose(features[c, 2 * k + 1], own[block].sum() / 9)


def test_gbm_fits_and_predicts_on_one_openmp_thread(
    square_area: StudyArea, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With another core busy, OpenMP's threads waiting on each other made a backtest four times
    slower; the model asks for one thread, even where two are allowed."""
    from sklearn.ensemble import HistGradientBoostingRegressor
    from threadpoolctl import threadpool_info, threadpool_limits  # type: ignore[import-untyped]

    from streetlight.hotspots.learned import GradientBoostedPoisson

    seen: list[int] = []

    def counting(method: Any) -> Any:
        def wrapped(model: Any, *args: Any, **kwargs: Any) -> Any:
            seen.extend(p["num_threads"] for p in threadpool_info() if p["user_api"] == "openmp")
            return method(model, *args, **kwargs)

        return wrapped

    for name in ("fit", "predict"):
        monkeypatch.setattr(
            HistGradientBoostingRegressor,
            name,
            counting(getattr(HistGradientBoostingRegressor, name)),
        )
    rng = np.random.default_rng(5)
    events = make_events(
        rng.integers(0, square_area.n_cells, 400).tolist(),
        (FORECAST_MONTH - rng.integers(1, 25, 400)).tolist(),
        square_area,
    )
    with threadpool_limits(limits=2, user_api="openmp"):
        GradientBoostedPoisson(max_iter=5).fit(events, square_area, FORECAST_MONTH).predict()
    assert len(seen) == 2 and set(seen) == {1}
