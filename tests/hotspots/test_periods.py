"""Shift and day forecasts: the time-of-day baseline by hand, shift boundaries, period backtests."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from functools import partial

import numpy as np
import pytest

from streetlight.evaluate.backtest import backtest_periods
from streetlight.hotspots.base import EventSet, StudyArea
from streetlight.hotspots.periods import RecentHoursCount, day_starts, shift_starts
from streetlight.hotspots.registry import UnknownModelError, is_simple_baseline, make_period_model
from tests.hotspots.conftest import make_events

START = datetime(2019, 11, 5, 15, 0, tzinfo=UTC)
START_DAY = (START - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds() / 86_400


def with_days(events: EventSet, days: list[float]) -> EventSet:
    return EventSet(
        events.cell,
        events.x,
        events.y,
        events.month,
        np.asarray(days),
        events.weight,
        events.category,
        events.location,
        events.target,
    )


def test_recent_hours_by_hand(square_area: StudyArea) -> None:
    hours = 1 / 24
    days = [
        START_DAY - 1 + 2 * hours,  # yesterday 17:00: in yesterday's window, weight 1
        START_DAY - 1 + 9 * hours,  # yesterday 00:00 next day: outside the 8 hours
        START_DAY - 3 + 0.5 * hours,  # three days ago 15:30: weight 0.5 ** (2 / 2)
        START_DAY + 1 * hours,  # after the start: never seen
        START_DAY - 0.5,  # this morning 03:00: not the same hours
    ]
    events = with_days(make_events([3, 3, 4, 5, 6], [24_238] * 5, square_area), days)
    got = (
        RecentHoursCount(horizon_hours=8, half_life_days=2)
        .fit(events, square_area, START)
        .predict()
    )
    expected = np.zeros(square_area.n_cells)
    expected[3] = 1.0
    expected[4] = 0.5
    np.testing.assert_allclose(got, expected)


def test_shifts_follow_local_time_across_daylight_saving() -> None:
    shifts = list(shift_starts(date(2019, 11, 2), date(2019, 11, 3), "America/Chicago"))
    labels = [label for label, _ in shifts]
    assert labels[:3] == ["2019-11-02 early", "2019-11-02 late", "2019-11-02 night"]
    # 07:00 CDT is 12:00 UTC before clocks go back on 3 November, 13:00 UTC after.
    assert shifts[0][1].hour == 12 and shifts[3][1].hour == 13
    days = list(day_starts(date(2019, 11, 1), date(2019, 11, 1), "UTC"))
    assert days == [("2019-11-01", datetime(2019, 11, 1, tzinfo=UTC))]


def test_period_backtest_scores_each_shift(square_area: StudyArea) -> None:
    rng = np.random.default_rng(5)
    n = 400
    days = START_DAY - 30 + rng.uniform(0, 32, n)
    events = with_days(
        make_events(rng.integers(0, 6, n).tolist(), [24_238] * n, square_area), days.tolist()
    )
    starts = list(shift_starts(date(2019, 11, 5), date(2019, 11, 6), "UTC"))
    result = backtest_periods(
        events,
        square_area,
        starts,
        8.0,
        {
            "recent-hours": lambda: make_period_model("recent-hours", 8.0),
            "etas": lambda: make_period_model("etas", 8.0),
        },
        by="shift",
    )
    data = result.to_json()
    assert data["by"] == "shift" and data["periods"] == [label for label, _ in starts]
    entry = data["models"]["etas"]
    assert [p["period"] for p in entry["per_month"]] == data["periods"]
    assert math.isfinite(entry["hit_rate"]["5"])


def test_long_window_counts_at_a_datetime_count_every_hour_before_it(
    square_area: StudyArea,
) -> None:
    month = 365.25 / 12
    days = [
        START_DAY - 0.25,  # six hours before the start, in other hours of the day: counted
        START_DAY - month / 2,  # half a month before
        START_DAY - 1.5 * month,  # outside a one-month window, inside ew's look-back
        START_DAY + 0.1,  # after the start: never seen
        float("nan"),  # undated: left out
    ]
    events = with_days(make_events([3, 3, 4, 5, 6], [24_238] * 5, square_area), days)
    rolling = make_period_model("rolling-1", 8.0).fit(events, square_area, START).predict()
    expected = np.zeros(square_area.n_cells)
    expected[3] = 2.0
    np.testing.assert_allclose(rolling, expected)
    ew = make_period_model("ew-12", 8.0).fit(events, square_area, START).predict()
    expected[3] = 0.5 ** (0.25 / month / 12) + 0.5 ** (0.5 / 12)
    expected[4] = 0.5 ** (1.5 / 12)
    np.testing.assert_allclose(ew, expected)


def test_same_hours_counts_weigh_every_day_of_the_window_alike(square_area: StudyArea) -> None:
    hours = 1 / 24
    days = [
        START_DAY - 1 + 2 * hours,  # yesterday, in the shift's hours
        START_DAY - 27 + 7 * hours,  # 27 days ago, in the shift's hours
        START_DAY - 29 + 1 * hours,  # 29 days ago: outside 28 days
        START_DAY - 2 + 9 * hours,  # two days ago, after the shift's hours
    ]
    events = with_days(make_events([1, 1, 1, 2], [24_238] * 4, square_area), days)
    got = make_period_model("same-hours-28d", 8.0).fit(events, square_area, START).predict()
    expected = np.zeros(square_area.n_cells)
    expected[1] = 2.0
    np.testing.assert_allclose(got, expected)


@pytest.mark.parametrize("name", ["kde", "gbm", "same-hours-0d", "same-hours-28", "crystal-ball"])
def test_models_without_a_shift_form_are_refused_by_name(name: str) -> None:
    with pytest.raises(UnknownModelError, match="same-hours-Nd"):
        make_period_model(name, 8.0)


@pytest.mark.parametrize(
    ("name", "simple"),
    [
        ("ew-12", True),
        ("EW-1.5", True),
        ("rolling-24", True),
        ("last-month", True),
        ("same-hours-365d", True),
        ("recent-hours", True),
        ("etas", False),
        ("gbm", False),
        ("kde-100", False),
        ("ew-x", False),
    ],
)
def test_simple_baselines_are_known_by_name(name: str, simple: bool) -> None:
    assert is_simple_baseline(name) is simple


def test_a_shift_backtest_resamples_days_and_recommends_a_baseline_it_cannot_beat(
    square_area: StudyArea,
) -> None:
    rng = np.random.default_rng(8)
    n = 3000
    cells = rng.choice(6, n, p=[0.4, 0.25, 0.15, 0.1, 0.05, 0.05])
    days = START_DAY - 700 + rng.uniform(0, 702, n)
    events = with_days(make_events(cells.tolist(), [24_238] * n, square_area), days.tolist())
    starts = list(shift_starts(date(2019, 11, 5), date(2019, 11, 6), "UTC"))
    names = ("ew-12", "same-hours-28d", "etas")
    result = backtest_periods(
        events,
        square_area,
        starts,
        8.0,
        {name: partial(make_period_model, name, 8.0) for name in names},
        coverage=(20.0,),
        by="shift",
    )
    assert result.blocks == ["2019-11-05"] * 3 + ["2019-11-06"] * 3
    data = result.to_json()
    assert data["baseline"]["model"] in {"ew-12", "same-hours-28d"}
    assert data["recommended"] == data["baseline"]["model"]
    assert set(data["baseline"]["gains"]) == set(names)
