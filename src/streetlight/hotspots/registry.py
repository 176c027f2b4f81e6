"""Models by name, as the CLI and backtests ask for them ("ew-6", "rolling-12", "kde-100")."""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from streetlight.errors import ForecastError
from streetlight.hotspots.base import HotspotModel
from streetlight.hotspots.counting import ExponentialCount, LastMonth, RollingSum
from streetlight.hotspots.kde import GridKDE
from streetlight.hotspots.prospective import Prospective

# Across the backtests in benchmarks/bench_hotspots.py (Cleveland 2024-12 .. 2025-11, City of
# London 2025-01 .. 2025-12, violence, 150 m) no model beats a 6-month exponentially weighted
# count beyond month-to-month noise on both forces, and it is the best on City of London: the
# default when no backtest says otherwise. `backtest --json` names its own choice.
RECOMMENDED = "ew-6"
DEFAULT_MODELS = ("last-month", "rolling-12", "ew-6", "ew-12", "kde", "prospective", "gbm")


def _gradient_boosted() -> HotspotModel:
    from streetlight.hotspots.learned import GradientBoostedPoisson  # scikit-learn: slow to import

    return GradientBoostedPoisson()


_FIXED: dict[str, Callable[[], HotspotModel]] = {
    "last-month": LastMonth,
    "kde": GridKDE,
    "prospective": Prospective,
    "gbm": _gradient_boosted,
}
_Pattern = tuple[re.Pattern[str], Callable[[str], HotspotModel], str]
# The counts that also forecast from a datetime (a shift's or a day's start).
_COUNTS: tuple[_Pattern, ...] = (
    (re.compile(r"rolling-(\d+)"), lambda v: RollingSum(months=int(v)), "rolling-K: K months"),
    (
        re.compile(r"ew-(\d+(?:\.\d+)?)"),
        lambda v: ExponentialCount(half_life=float(v)),
        "ew-H: half-life H months",
    ),
)
_PATTERNS: tuple[_Pattern, ...] = (
    *_COUNTS,
    (
        re.compile(r"kde-(\d+(?:\.\d+)?)"),
        lambda v: GridKDE(bandwidth=float(v)),
        "kde-B: bandwidth B metres",
    ),
)


# Shifts and days: the long-window counts over every hour (evaluated at the period's start), the
# same hours of the day over the last 28 days and the last year, the same hours with recent days
# weighing more, and the self-exciting model they are the test of.
PERIOD_MODELS = (
    "rolling-12",
    "ew-3",
    "ew-6",
    "ew-12",
    "same-hours-28d",
    "same-hours-365d",
    "recent-hours",
    "etas",
)
_SAME_HOURS = re.compile(r"same-hours-(\d+)d")
_SIMPLE = re.compile(r"last-month|rolling-\d+|ew-\d+(?:\.\d+)?|recent-hours|same-hours-\d+d")


def is_simple_baseline(name: str) -> bool:
    """Whether `name` is a count an analyst makes by hand (last month, rolling sums, exponential
    counts, same-hours counts): the baselines every other model must beat beyond noise."""
    return _SIMPLE.fullmatch(name.strip().lower()) is not None


def make_period_model(name: str, horizon_hours: float) -> HotspotModel:
    """A model forecasting `horizon_hours` from a datetime (shifts, days): needs date-times."""
    from streetlight.hotspots.etas import GridETAS
    from streetlight.hotspots.periods import RecentHoursCount

    key = name.strip().lower()
    if key == "recent-hours":
        return RecentHoursCount(horizon_hours=horizon_hours)
    same = _SAME_HOURS.fullmatch(key)
    if same and int(same[1]) > 0:
        return RecentHoursCount(
            horizon_hours=horizon_hours, half_life_days=math.inf, window_days=int(same[1])
        )
    if key == "etas":
        return GridETAS(horizon_days=horizon_hours / 24.0)
    if key == "last-month" or any(p.fullmatch(key) for p, _, _ in _COUNTS):
        return make_model(key)  # long-window counts: fitted at a datetime, they count all hours
    raise UnknownModelError(
        f"unknown model {name!r} for shifts or days (known: last-month, rolling-K, ew-H, "
        "same-hours-Nd (N days), recent-hours, etas)"
    )


class UnknownModelError(ForecastError):
    """A model name the registry does not know."""


def make_model(name: str) -> HotspotModel:
    """A fresh, unfitted estimator for `name`."""
    key = name.strip().lower()
    if key in _FIXED:
        return _FIXED[key]()
    for pattern, factory, _ in _PATTERNS:
        match = pattern.fullmatch(key)
        if match:
            return factory(match[1])
    extra = _extra_models()
    if key in extra:
        return extra[key]()
    known = ", ".join([*_FIXED, *extra, *(help_ for _, _, help_ in _PATTERNS)])
    raise UnknownModelError(f"unknown model {name!r} (known: {known})")


def _extra_models() -> dict[str, Callable[[], HotspotModel]]:
    """Models outside the monthly defaults, imported on demand: the descriptive Gi* layer, and
    the self-exciting model, which needs date-times."""
    from streetlight.hotspots.etas import GridETAS
    from streetlight.hotspots.gistar import GiStar

    return {"gistar": GiStar, "etas": GridETAS}
