"""Where harm concentrates, and where it will: hotspot estimators with scikit-learn habits.

Every forecasting estimator takes its parameters in `__init__`, learns in
`fit(events, area, until)` from events strictly before `until`, and returns one score per
study-area cell from `predict()`. `registry.make_model` builds them by name.
"""

from streetlight.hotspots.base import EventSet, HotspotModel, NotFittedError, StudyArea
from streetlight.hotspots.concentration import Concentration, concentration
from streetlight.hotspots.counting import ExponentialCount, LastMonth, RollingSum
from streetlight.hotspots.etas import GridETAS
from streetlight.hotspots.gistar import GiStar, gi_star
from streetlight.hotspots.kde import GridKDE
from streetlight.hotspots.learned import GradientBoostedPoisson
from streetlight.hotspots.periods import RecentHoursCount
from streetlight.hotspots.prospective import Prospective
from streetlight.hotspots.registry import make_model

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
