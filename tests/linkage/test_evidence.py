"""Evidence variables: hand-computed values, and the closed forms against brute force."""

from __future__ import annotations

import numpy as np
import pytest

from streetlight.linkage.crimes import CrimeTable
from streetlight.linkage.evidence import (
    compare,
    expected_abs_difference,
    expected_circular_difference,
)


def _table(windows: list[tuple[str, str]], mo: list[int] | None = None) -> CrimeTable:
    n = len(windows)
    return CrimeTable(
        ids=np.array([f"C{k}" for k in range(n)]),
        x=np.array([0.0, 300.0, 0.0, 0.0][:n]),
        y=np.array([0.0, 400.0, 0.0, 0.0][:n]),
        t_from=np.array([w[0] for w in windows], dtype="datetime64[m]"),
        t_to=np.array([w[1] for w in windows], dtype="datetime64[m]"),
        categorical={"entry": np.array(mo if mo is not None else [0] * n, dtype=np.int32)},
        levels={"entry": ("door", "window")},
        numeric={"value": np.array([100.0, 250.0, np.nan, 0.0][:n])},
    )


def test_two_exact_times() -> None:
    assert expected_abs_difference(1.0, 0.0, 4.5, 0.0) == pytest.approx(3.5)
    assert expected_circular_difference(23.0, 0.0, 1.0, 0.0, 24.0) == pytest.approx(2.0)
    assert expected_circular_difference(1.0, 0.0, 13.0, 0.0, 24.0) == pytest.approx(12.0)


def test_windows_apart_give_the_distance_of_their_midpoints() -> None:
    assert expected_abs_difference(0.0, 2.0, 10.0, 4.0) == pytest.approx(11.0)
    # Far from the origin too: no precision lost to cubes of large numbers.
    assert expected_abs_difference(1e6, 1e-3, 1e6 + 1, 1e-3) == pytest.approx(1.0, abs=1e-12)


def test_a_point_against_a_window_and_two_equal_windows() -> None:
    # Point 1 in U[0, 4]: ((1-0)^2 + (4-1)^2) / (2*4) = 10/8.
    assert expected_abs_difference(1.0, 0.0, 0.0, 4.0) == pytest.approx(1.25)
    assert expected_abs_difference(0.0, 4.0, 1.0, 0.0) == pytest.approx(1.25)
    # Two independent U[0, w]: E|X - Y| = w / 3.
    assert expected_abs_difference(0.0, 3.0, 0.0, 3.0) == pytest.approx(1.0)


def test_time_of_day_across_midnight() -> None:
    # 23:00 to 01:00 against exactly midnight: uniform distance 0..1 h, mean 0.5 h.
    assert expected_circular_difference(23.0, 2.0, 0.0, 0.0, 24.0) == pytest.approx(0.5)
    # Against 12:00: 11..13 h on the line, folded to 11..12..11 on the circle: mean 11.5 h.
    assert expected_circular_difference(23.0, 2.0, 12.0, 0.0, 24.0) == pytest.approx(11.5)
    # Two windows 22:00-02:00 and 00:00-00:00 (exact midnight) agree with a window from -2 to 2.
    assert expected_circular_difference(22.0, 4.0, 24.0, 0.0, 24.0) == pytest.approx(1.0)


def test_day_of_week_across_the_week_end() -> None:
    # Day 6.5 to 7.5 (crossing the week's end) against day 0: distance uniform 0..0.5, mean 0.25.
    assert expected_circular_difference(6.5, 1.0, 0.0, 0.0, 7.0) == pytest.approx(0.25)
    # A whole week (or several) is uniform on the circle: P/4.
    assert expected_circular_difference(2.0, 7.0, 5.3, 0.0, 7.0) == pytest.approx(7 / 4)
    assert expected_circular_difference(2.0, 14.0, 5.3, 3.0, 7.0) == pytest.approx(7 / 4)


def _monte_carlo(
    a: float, wa: float, c: float, wc: float, period: float | None, rng: np.random.Generator
) -> tuple[float, float]:
    """Mean of the (circular) distance of 200,000 draws, and its standard error."""
    n = 200_000
    x = a + wa * rng.random(n)
    y = c + wc * rng.random(n)
    d = np.abs(x - y)
    if period is not None:
        d = np.minimum(np.mod(d, period), period - np.mod(d, period))
    return float(d.mean()), float(d.std() / np.sqrt(n))


@pytest.mark.parametrize("period", [None, 24.0, 7.0])
def test_closed_forms_match_monte_carlo_on_random_windows(period: float | None) -> None:
    rng = np.random.default_rng(20)
    scale = 30.0 if period is None else period
    for _ in range(40):
        a, c = rng.uniform(0, scale, 2)
        # Widths from zero to beyond the period, some zero on purpose.
        wa, wc = rng.choice([0.0, 0.01, 1.0, 5.0, 30.0], 2) * rng.random(2)
        if period is None:
            got = expected_abs_difference(a, wa, c, wc)
        else:
            got = expected_circular_difference(a, wa, c, wc, period)
        want, se = _monte_carlo(a, wa, c, wc, period, rng)
        assert abs(float(got) - want) <= 5 * se + 1e-9, (a, wa, c, wc, period)


def test_vectorised_equals_one_at_a_time() -> None:
    rng = np.random.default_rng(3)
    a, c = rng.uniform(0, 24, (2, 50))
    wa, wc = rng.uniform(0, 30, (2, 50)) * (rng.random((2, 50)) > 0.3)
    together = expected_circular_difference(a, wa, c, wc, 24.0)
    alone = [float(expected_circular_difference(*v, 24.0)) for v in zip(a, wa, c, wc, strict=True)]
    np.testing.assert_allclose(together, alone)


def test_symmetric_and_shift_invariant() -> None:
    rng = np.random.default_rng(4)
    a, c = rng.uniform(0, 100, (2, 30))
    wa, wc = rng.uniform(0, 10, (2, 30))
    np.testing.assert_allclose(
        expected_abs_difference(a, wa, c, wc), expected_abs_difference(c, wc, a, wa)
    )
    np.testing.assert_allclose(
        expected_circular_difference(a, wa, c, wc, 7.0),
        expected_circular_difference(a + 7 * 3 + 0.5, wa, c + 0.5, wc, 7.0),
        atol=1e-9,
    )


def test_compare_a_pair_of_crimes_by_hand() -> None:
    crimes = _table(
        [
            # Friday 23:30 to Saturday 00:30, against Saturday 00:00 exactly that night and a
            # week later: across midnight and the week's end both times.
            ("2026-01-02T23:30", "2026-01-03T00:30"),
            ("2026-01-03T00:00", "2026-01-03T00:00"),
            ("2026-01-10T00:00", "2026-01-10T00:00"),
        ],
        mo=[0, 0, -1],
    )
    e = compare(crimes, [0, 0], [1, 2])
    np.testing.assert_allclose(e.spatial, [500.0, 0.0])
    # 30 minutes each side of the point: mean 15 minutes (in days, hours and days); a week
    # later the window is wholly before the point: the distance of the midpoints, 7 days.
    np.testing.assert_allclose(e.temporal, [15 / 1440, 7.0])
    np.testing.assert_allclose(e.tod, [0.25, 0.25])
    np.testing.assert_allclose(e.dow, [15 / 1440, 15 / 1440])
    np.testing.assert_array_equal(e.categorical["entry"], [1.0, np.nan])
    np.testing.assert_array_equal(e.numeric["value"], [150.0, np.nan])


def test_compare_does_not_change_the_table() -> None:
    crimes = _table([("2026-01-02T23:30", "2026-01-03T00:30"), ("2026-01-03T00:00",) * 2])
    before = crimes.t_from.copy()
    compare(crimes, [0], [1])
    np.testing.assert_array_equal(crimes.t_from, before)
