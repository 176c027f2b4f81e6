"""Shift and day forecasts: the time-of-day baseline by hand, shift boundaries, period backtests."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import numpy as np

from streetlight.evaluate.backtest import backtest_periods
from streetlight.hotspots.base import EventSet, StudyArea
from streetlight.hotspots.periods import RecentHoursCount, day_starts, shift_starts
from streetlight.hotspots.registry import make_period_model
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
