"""Models by name, as the CLI and backtests ask for them ("ew-6", "rolling-12", "kde-100")."""

from __future__ import annotations

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
_PATTERNS: tuple[tuple[re.Pattern[str], Callable[[str], HotspotModel], str], ...] = (
    (re.compile(r"rolling-(\d+)"), lambda v: RollingSum(months=int(v)), "rolling-K: K months"),
    (
        re.compile(r"ew-(\d+(?:\.\d+)?)"),
        lambda v: ExponentialCount(half_life=float(v)),
        "ew-H: half-life H months",
    ),
    (
        re.compile(r"kde-(\d+(?:\.\d+)?)"),
        lambda v: GridKDE(bandwidth=float(v)),
        "kde-B: bandwidth B metres",
    ),
)


PERIOD_MODELS = ("recent-hours", "etas")


def make_period_model(name: str, horizon_hours: float) -> HotspotModel:
    """A model forecasting `horizon_hours` from a datetime (shifts, days): needs date-times."""
    from streetlight.hotspots.etas import GridETAS
    from streetlight.hotspots.periods import RecentHoursCount

    key = name.strip().lower()
    if key == "recent-hours":
        return RecentHoursCount(horizon_hours=horizon_hours)
    if key == "etas":
        return GridETAS(horizon_days=horizon_hours / 24.0)
    raise UnknownModelError(
        f"unknown model {name!r} for shifts or days (known: {', '.join(PERIOD_MODELS)})"
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
