"""GridETAS against a brute-force reference, simulated Hawkes data and the no-leakage rule."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta, timezone

import numpy as np
import pytest
from numpy.typing import NDArray
from scipy.optimize import brentq

from streetlight.errors import StreetlightError
from streetlight.geo.grid import Grid
from streetlight.hotspots.base import (
    EventSet,
    FloatArray,
    IntArray,
    NotFittedError,
    StudyArea,
    month_index,
)
from streetlight.hotspots.counting import ExponentialCount
from streetlight.hotspots.etas import (
    OMEGA_MAX,
    THETA_MAX,
    GridETAS,
    NoDateTimesError,
    grid_hawkes_loglik,
)

BASE = 19723.0  # 2024-01-01 in days since 1970-01-01
BASE_DATETIME = datetime(2024, 1, 1, tzinfo=UTC)


def area_of(n_cells: int) -> StudyArea:
    return StudyArea(
        Grid(150.0),
        np.arange(n_cells, dtype=np.int64),
        np.zeros(n_cells, dtype=np.int64),
        "EPSG:27700",
    )


def events_of(
    cell: IntArray,
    day: FloatArray,
    weight: FloatArray | None = None,
    target: NDArray[np.bool_] | None = None,
) -> EventSet:
    n = len(cell)
    months = np.array(
        [
            month_index(date(1970, 1, 1) + timedelta(days=float(d))) if np.isfinite(d) else 0
            for d in day
        ],
        dtype=np.int64,
    )
    return EventSet(
        cell=np.asarray(cell, dtype=np.int64),
        x=np.zeros(n),
        y=np.zeros(n),
        month=months,
        day=np.asarray(day, dtype=np.float64),
        weight=np.ones(n) if weight is None else weight,
        category=np.array(["burglary"] * n),
        location=np.array(["On or near Somewhere"] * n, dtype=object),
        target=target,
    )


def at(days_after_base: float) -> datetime:
    return BASE_DATETIME + timedelta(days=days_after_base)


def simulate(
    rng: np.random.Generator, mu: FloatArray, theta: float, omega: float, duration: float
) -> tuple[IntArray, FloatArray]:
    """A grid Hawkes process on [0, duration) days by branching: background Poisson events in
    each cell, then every event has Poisson(theta) children at exponential(omega) delays."""
    counts = rng.poisson(mu * duration)
    cell = np.repeat(np.arange(len(mu), dtype=np.int64), counts)
    day = rng.uniform(0.0, duration, int(counts.sum()))
    cells, days = [cell], [day]
    while len(day):
        children = rng.poisson(theta, len(day))
        cell = np.repeat(cell, children)
        day = np.repeat(day, children) + rng.exponential(1.0 / omega, int(children.sum()))
        inside = day < duration
        cell, day = cell[inside], day[inside]
        cells.append(cell)
        days.append(day)
    return np.concatenate(cells), np.concatenate(days)


# --- brute-force reference: double loops over events, straight from the formulas -------------


def naive_intensity(
    day: list[float],
    cell: list[int],
    k: int,
    mu: list[float],
    theta: float,
    omega: float,
    lag: float,
) -> float:
    total = mu[cell[k]]
    for other in range(len(day)):
        gap = day[k] - day[other]
        if cell[other] == cell[k] and 0 < gap <= lag:
            total += theta * omega * math.exp(-omega * gap)
    return total


def naive_loglik(
    day: list[float],
    cell: list[int],
    mu: list[float],
    theta: float,
    omega: float,
    start: float,
    end: float,
    lag: float,
) -> float:
    value = 0.0
    for k in range(len(day)):
        value += math.log(naive_intensity(day, cell, k, mu, theta, omega, lag))
    value -= (end - start) * sum(mu)
    for t in day:
        value -= theta * (1 - math.exp(-omega * min(end - t, lag)))
    return value


def naive_em_step(
    day: list[float],
    cell: list[int],
    mu: list[float],
    theta: float,
    omega: float,
    start: float,
    end: float,
    lag: float,
) -> tuple[list[float], float, float]:
    new_mu = [0.0] * len(mu)
    s = d = 0.0
    for k in range(len(day)):
        lam = naive_intensity(day, cell, k, mu, theta, omega, lag)
        new_mu[cell[k]] += mu[cell[k]] / lam / (end - start)
        for other in range(len(day)):
            gap = day[k] - day[other]
            if cell[other] == cell[k] and 0 < gap <= lag:
                p = theta * omega * math.exp(-omega * gap) / lam
                s += p
                d += p * gap

    def compensator(om: float) -> float:
        return sum(1 - math.exp(-om * min(end - t, lag)) for t in day)

    def slope(om: float) -> float:
        # d/d omega of the profile S log(S / A(omega)) + S log omega - omega D; its root is the
        # M-step's omega, and theta = S / A(omega) there.
        da = sum(min(end - t, lag) * math.exp(-om * min(end - t, lag)) for t in day)
        return s / om - d - s * da / compensator(om)

    lo, hi = 1 / min(lag, end - start), min(OMEGA_MAX, s / d)
    new_omega = float(brentq(slope, lo, hi, xtol=1e-14, rtol=1e-13))
    return new_mu, s / compensator(new_omega), new_omega


def tiny_case() -> tuple[list[int], list[float]]:
    rng = np.random.default_rng(11)
    cell = [int(c) for c in rng.integers(0, 3, 30)]  # cell 3 of the area stays empty
    day = [float(BASE + d) for d in np.round(rng.uniform(0, 40, 30), 3)]
    day[5] = day[4]  # a tie: neither triggers the other
    cell[5] = cell[4]
    return cell, day


def test_one_em_iteration_and_the_loglik_match_brute_force() -> None:
    cell, day = tiny_case()
    start, end, lag = BASE, BASE + 40.0, 8.0  # a short lag, so truncation matters
    model = GridETAS(
        window_days=40.0,
        max_lag_days=lag,
        max_iter=1,
        tol=0.0,
        theta0=0.4,
        omega0=0.3,
        background_half_life=None,
    ).fit(events_of(np.array(cell), np.array(day)), area_of(4), at(40.0))

    counts = np.bincount(cell, minlength=4)
    mu0 = [float(c) * (1 - 0.4) / 40.0 for c in counts]
    assert model.loglik_[0] == pytest.approx(
        naive_loglik(day, cell, mu0, 0.4, 0.3, start, end, lag), rel=1e-12
    )
    mu1, theta1, omega1 = naive_em_step(day, cell, mu0, 0.4, 0.3, start, end, lag)
    assert theta1 < THETA_MAX
    np.testing.assert_allclose(model.mu_, mu1, rtol=1e-9, atol=0)
    assert model.theta_ == pytest.approx(theta1, rel=1e-9)
    assert model.omega_ == pytest.approx(omega1, rel=1e-9)
    assert model.n_iter_ == 1
    assert model.loglik_[1] == pytest.approx(
        naive_loglik(day, cell, mu1, theta1, omega1, start, end, lag), rel=1e-12
    )


def test_em_step_with_the_ew_background_matches_brute_force() -> None:
    # The background's shape is the ew-12 count at the start; one EM step rescales it by
    # sum_k p_kk / duration and updates theta and omega as the free background's step does.
    cell, day = tiny_case()
    old = [0, 1, 1, 3]  # events before the window: they shape the background, cell 3 included
    old_day = [BASE - 300.0, BASE - 30.0, BASE - 10.0, BASE - 100.0]
    events = events_of(np.array(cell + old), np.array(day + old_day))
    start, end, lag = BASE, BASE + 40.0, 8.0
    model = GridETAS(
        window_days=40.0, max_lag_days=lag, max_iter=1, tol=0.0, theta0=0.4, omega0=0.3
    ).fit(events, area_of(4), at(40.0))

    ages = (end - np.array(day + old_day)) / (365.25 / 12)
    counts = np.bincount(cell + old, weights=0.5 ** (ages / 12.0), minlength=4).astype(float)
    shape = counts / counts.sum()
    assert shape[3] > 0
    mu0 = list(shape * (1 - 0.4) * len(cell) / 40.0)
    assert model.loglik_[0] == pytest.approx(
        naive_loglik(day, cell, mu0, 0.4, 0.3, start, end, lag), rel=1e-12
    )
    free_mu, theta1, omega1 = naive_em_step(day, cell, mu0, 0.4, 0.3, start, end, lag)
    np.testing.assert_allclose(model.mu_, shape * sum(free_mu), rtol=1e-9, atol=0)
    assert model.theta_ == pytest.approx(theta1, rel=1e-9)
    assert model.omega_ == pytest.approx(omega1, rel=1e-9)


@pytest.mark.parametrize("lag", [3.0, 60.0, math.inf])
def test_loglik_helper_matches_brute_force(lag: float) -> None:
    cell, day = tiny_case()
    mu = [0.2, 0.05, 0.4, 0.1]
    got = grid_hawkes_loglik(
        np.array(day),
        np.array(cell, dtype=np.int64),
        np.array(mu),
        0.6,
        0.9,
        start=BASE,
        end=BASE + 40.0,
        max_lag_days=lag,
    )
    assert got == pytest.approx(
        naive_loglik(day, cell, mu, 0.6, 0.9, BASE, BASE + 40.0, lag), rel=1e-12
    )


def test_loglik_helper_rejects_events_outside_the_window_or_the_cells() -> None:
    day, cell, mu = np.array([BASE, BASE + 5.0]), np.array([0, 1]), np.array([0.1, 0.1])
    with pytest.raises(ValueError, match="window"):
        grid_hawkes_loglik(day, cell, mu, 0.5, 0.5, start=BASE, end=BASE + 5.0)
    with pytest.raises(ValueError, match="cell"):
        grid_hawkes_loglik(day, cell, mu[:1], 0.5, 0.5, start=BASE, end=BASE + 6.0)


# --- EM behaviour on simulated data ---------------------------------------------------------


@pytest.mark.parametrize("background", [12.0, None])
def test_loglik_never_decreases_across_em_iterations(background: float | None) -> None:
    rng = np.random.default_rng(5)
    cell, day = simulate(rng, rng.uniform(0.02, 0.2, 30), 0.5, 0.5, 300.0)
    model = GridETAS(
        window_days=300.0, max_iter=300, tol=1e-12, background_half_life=background
    ).fit(events_of(cell, day + BASE), area_of(30), at(300.0))
    steps = np.diff(model.loglik_)
    assert model.n_iter_ > 10
    assert steps.min() >= -1e-9 * abs(model.loglik_[-1])
    assert len(model.loglik_) == model.n_iter_ + 1


def test_parameter_recovery_on_a_simulated_grid_hawkes_process() -> None:
    rng = np.random.default_rng(2024)
    mu = rng.uniform(0.05, 0.15, 60)
    cell, day = simulate(rng, mu, 0.5, 0.5, 400.0)
    model = GridETAS(window_days=400.0, max_iter=1000, tol=1e-10).fit(
        events_of(cell, day + BASE), area_of(60), at(400.0)
    )
    assert model.converged_
    assert model.theta_ == pytest.approx(0.5, rel=0.2)
    assert model.omega_ == pytest.approx(0.5, rel=0.2)
    assert float(model.mu_.sum()) == pytest.approx(float(mu.sum()), rel=0.2)


def test_branching_ratio_near_one_is_clipped_and_em_stays_monotone() -> None:
    # A supercritical process (each event has 1.3 children on average) grows without bound; the
    # fit must keep theta below one and still never lower the log-likelihood.
    rng = np.random.default_rng(0)
    cell, day = simulate(rng, np.array([0.05, 0.05]), 1.3, 1.0, 40.0)
    model = GridETAS(window_days=40.0, max_iter=300, tol=1e-12).fit(
        events_of(cell, day + BASE), area_of(2), at(40.0)
    )
    assert len(cell) > 100
    assert model.theta_ == THETA_MAX
    assert np.diff(model.loglik_).min() >= -1e-9 * abs(model.loglik_[-1])


def test_near_simultaneous_repeats_keep_omega_bounded() -> None:
    rng = np.random.default_rng(9)
    first = BASE + rng.uniform(0.0, 100.0, 50)
    day = np.concatenate([first, first + 1e-6])  # each event repeated a tenth of a second later
    cell = np.tile(rng.integers(0, 5, 50), 2)
    model = GridETAS(window_days=101.0, max_iter=100).fit(
        events_of(cell, day), area_of(5), at(101.0)
    )
    assert model.omega_ <= OMEGA_MAX
    assert np.isfinite(model.loglik_).all()
    assert np.diff(model.loglik_).min() >= -1e-9 * abs(model.loglik_[-1])


def test_fit_ignores_event_order() -> None:
    rng = np.random.default_rng(3)
    cell, day = simulate(rng, rng.uniform(0.05, 0.2, 10), 0.4, 0.4, 200.0)
    order = rng.permutation(len(cell))
    a = GridETAS(window_days=200.0).fit(events_of(cell, day + BASE), area_of(10), at(200.0))
    b = GridETAS(window_days=200.0).fit(
        events_of(cell[order], day[order] + BASE), area_of(10), at(200.0)
    )
    np.testing.assert_allclose(a.predict(), b.predict(), rtol=1e-9)
    assert a.theta_ == pytest.approx(b.theta_, rel=1e-9)


# --- what the fit may see, and the forecast -------------------------------------------------


def fitted_on(
    events: EventSet,
    until: datetime | date | int = date(2024, 7, 1),
    background: float | None = 12.0,
) -> GridETAS:
    return GridETAS(window_days=150.0, horizon_days=10.0, background_half_life=background).fit(
        events, area_of(8), until
    )


def test_events_at_or_after_the_start_change_nothing() -> None:
    rng = np.random.default_rng(4)
    cell, day = simulate(rng, rng.uniform(0.05, 0.3, 8), 0.5, 0.5, 200.0)
    day = day + BASE  # 2024-01-01 to about 2024-07-19; the forecast starts 2024-07-01
    start = float((date(2024, 7, 1) - date(1970, 1, 1)).days)
    reference = fitted_on(events_of(cell, day)).predict()

    moved = np.where(day >= start, day + 3.0, day)
    reassigned = np.where(day >= start, (cell + 1) % 8, cell)
    extra_cell = np.concatenate([reassigned, np.array([0, 3, 5, 7])])
    extra_day = np.concatenate([moved, np.array([start, start, start + 0.5, start + 40.0])])
    np.testing.assert_array_equal(fitted_on(events_of(extra_cell, extra_day)).predict(), reference)
    np.testing.assert_array_equal(
        fitted_on(events_of(cell[day < start], day[day < start])).predict(), reference
    )


@pytest.mark.parametrize("background", [12.0, None])
def test_undated_old_zero_weight_and_context_events_are_left_out(
    background: float | None,
) -> None:
    # Old events (before the window) shape an ew background, so that one is tested with an
    # event older than its 36-month look-back.
    rng = np.random.default_rng(6)
    cell, day = simulate(rng, rng.uniform(0.05, 0.3, 8), 0.5, 0.5, 180.0)
    day = day + BASE
    reference = fitted_on(events_of(cell, day), background=background)
    old_day = BASE - 200.0 if background is None else BASE - 1200.0
    n = len(cell)
    extra_cell = np.concatenate([cell, np.array([1, 2, 3, 4])])
    extra_day = np.concatenate([day, np.array([np.nan, old_day, BASE + 100.0, BASE + 101.0])])
    weight = np.concatenate([np.ones(n), np.array([1.0, 1.0, 0.0, 1.0])])
    target = np.concatenate([np.ones(n, dtype=bool), np.array([True, True, True, False])])
    other = fitted_on(events_of(extra_cell, extra_day, weight, target), background=background)
    np.testing.assert_array_equal(other.predict(), reference.predict())
    in_window = (day >= BASE + 182.0 - 150.0) & (day < BASE + 182.0)  # 2024-07-01 is BASE + 182
    assert other.n_events_ == reference.n_events_ == int(in_window.sum())


def test_pure_background_forecast_is_mu_times_horizon() -> None:
    # Events in each cell at least max_lag_days apart: no pair can trigger, theta drops to 0.
    cell = np.repeat(np.arange(8, dtype=np.int64), 2)
    day = BASE + np.tile(np.array([10.0, 80.0]), 8) + np.repeat(np.arange(8.0), 2)
    events = events_of(cell[:-2], day[:-2])  # cell 7 has no events
    model = fitted_on(events, at(150.0), background=None)
    assert model.theta_ == 0.0
    np.testing.assert_allclose(model.predict(), model.mu_ * 10.0, rtol=1e-12)
    np.testing.assert_allclose(model.mu_[:7], 2 / 150.0, rtol=1e-12)
    assert model.mu_[7] == 0.0
    # With the default background nothing triggers either, and the forecast is the ew-12 count
    # scaled to the window's events: ETAS then ranks cells exactly as ew-12 does.
    shaped = fitted_on(events, at(150.0))
    ew = ExponentialCount(half_life=12.0).fit(events, area_of(8), at(150.0)).predict()
    assert shaped.theta_ == 0.0
    np.testing.assert_allclose(shaped.predict(), ew / ew.sum() * 14 / 150.0 * 10.0, rtol=1e-12)


def test_poisson_background_fits_small_theta_and_forecasts_about_mu_h() -> None:
    rng = np.random.default_rng(12)
    mu = rng.uniform(0.1, 0.5, 8)
    cell, day = simulate(rng, mu, 0.0, 1.0, 150.0)
    model = fitted_on(events_of(cell, day + BASE), at(150.0))
    assert model.theta_ < 0.05
    # The triggered part of the forecast is at most theta per recent event.
    recent = np.bincount(cell[day > 150.0 - 60.0], minlength=8)
    assert np.all(np.abs(model.predict() - model.mu_ * 10.0) <= model.theta_ * recent + 1e-12)


def test_forecast_is_the_integral_of_the_intensity() -> None:
    rng = np.random.default_rng(10)
    cell, day = simulate(rng, np.array([0.1, 0.2, 0.05]), 0.5, 0.5, 150.0)
    model = GridETAS(window_days=150.0, horizon_days=10.0, max_lag_days=20.0).fit(
        events_of(cell, day + BASE), area_of(3), at(150.0)
    )
    assert model.theta_ > 0.2
    # The fitted intensity over the horizon, from the past events only, by the trapezoid rule.
    s = np.linspace(0.0, 10.0, 20_001)
    lag = s[:, None] + (150.0 - day)[None, :]
    kernel = model.theta_ * model.omega_ * np.exp(-model.omega_ * lag) * (lag <= 20.0)
    intensity = model.mu_[None, :] + np.stack(
        [kernel[:, cell == c].sum(axis=1) for c in range(3)], axis=1
    )
    np.testing.assert_allclose(model.predict(), np.trapezoid(intensity, s, axis=0), rtol=1e-6)


@pytest.mark.parametrize(
    ("until", "start"),
    [
        (month_index(date(2024, 3, 1)), BASE + 60.0),
        (date(2024, 3, 17), BASE + 60.0),
        (datetime(2024, 3, 1, 7, 0), BASE + 60.0 + 7 / 24),
        (datetime(2024, 3, 1, 7, 0, tzinfo=timezone(timedelta(hours=1))), BASE + 60.0 + 6 / 24),
    ],
)
def test_forecast_start_from_a_month_or_a_datetime(
    until: date | datetime | int, start: float
) -> None:
    model = GridETAS().fit(events_of(np.array([0]), np.array([BASE + 1.0])), area_of(1), until)
    assert model.start_day_ == pytest.approx(start, abs=1e-9)


# --- errors ---------------------------------------------------------------------------------


def test_predict_before_fit_raises() -> None:
    with pytest.raises(NotFittedError):
        GridETAS().predict()


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("window_days", 0.0),
        ("window_days", math.nan),
        ("horizon_days", -1.0),
        ("max_lag_days", 0.0),
        ("max_iter", 0),
        ("max_iter", 2.5),
        ("tol", -1e-6),
        ("theta0", 0.0),
        ("theta0", 1.0),
        ("omega0", 0.0),
        ("omega0", 1e6),
        ("background_half_life", 0.0),
        ("background_lookback", 6),
    ],
)
def test_bad_parameters_are_named(param: str, value: float) -> None:
    model = GridETAS().set_params(**{param: value})
    with pytest.raises(ValueError, match=param):
        model.fit(events_of(np.array([0]), np.array([BASE])), area_of(1), date(2024, 2, 1))


def test_month_only_data_raise_a_clear_error() -> None:
    events = events_of(np.array([0, 1]), np.array([np.nan, np.nan]))
    with pytest.raises(NoDateTimesError, match="date-times") as caught:
        GridETAS().fit(events, area_of(2), date(2024, 2, 1))
    assert isinstance(caught.value, StreetlightError)


def test_events_outside_the_study_area_are_rejected() -> None:
    with pytest.raises(ValueError, match="cell"):
        GridETAS().fit(events_of(np.array([3]), np.array([BASE])), area_of(2), date(2024, 2, 1))


def test_no_events_in_the_window_forecasts_zero() -> None:
    model = GridETAS(window_days=30.0).fit(
        events_of(np.array([0]), np.array([BASE])), area_of(2), date(2024, 6, 1)
    )
    assert model.n_events_ == 0
    np.testing.assert_array_equal(model.predict(), np.zeros(2))
