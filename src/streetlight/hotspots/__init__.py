"""Where harm concentrates, and where it will: hotspot estimators with scikit-learn habits.

Every forecasting estimator takes its parameters in `__init__`, learns in
`fit(events, area, until)` from events strictly before `until`, and returns one score per
study-area cell from `predict()`. `registry.make_model` builds them by name.

The learned model (scikit-learn) and ETAS (scipy.optimize) load on first use: importing them
took over a second, paid by every web app process and command that reads any hotspot module.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from streetlight.hotspots.base import EventSet, HotspotModel, NotFittedError, StudyArea
from streetlight.hotspots.concentration import Concentration, concentration
from streetlight.hotspots.counting import ExponentialCount, LastMonth, RollingSum
from streetlight.hotspots.gistar import GiStar, gi_star
from streetlight.hotspots.kde import GridKDE
from streetlight.hotspots.periods import RecentHoursCount
from streetlight.hotspots.prospective import Prospective
from streetlight.hotspots.registry import make_model

if TYPE_CHECKING:
    from streetlight.hotspots.etas import GridETAS
    from streetlight.hotspots.learned import GradientBoostedPoisson

_ON_FIRST_USE = {
    "GridETAS": "streetlight.hotspots.etas",
    "GradientBoostedPoisson": "streetlight.hotspots.learned",
}


def __getattr__(name: str) -> object:
    if name in _ON_FIRST_USE:
        return getattr(importlib.import_module(_ON_FIRST_USE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "Concentration",
    "EventSet",
    "ExponentialCount",
    "GiStar",
    "GradientBoostedPoisson",
    "GridETAS",
    "GridKDE",
    "HotspotModel",
    "LastMonth",
    "NotFittedError",
    "Prospective",
    "RecentHoursCount",
    "RollingSum",
    "StudyArea",
    "concentration",
    "gi_star",
    "make_model",
]
