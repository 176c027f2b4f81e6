"""Prospective hotspotting (Bowers, Johnson & Pease 2004, "Prospective hot-spotting: the future
of crime mapping?", British Journal of Criminology 44(5)).

Risk at a cell is the sum over recent events of (1 / (1 + distance in cells)) x
(1 / (1 + age)), for events within `bandwidth` metres and `time_window` months: near repeats decay
in space and time. Bowers et al. used 50 m cells, 400 m and two months (weeks as the time unit);
data.police.uk gives only months, so age is counted in months (0 = last month). The space term
is a fixed kernel convolved over the grid (scipy.ndimage), one pass per month of age.
"""

from __future__ import annotations

from datetime import date
from typing import Self

import numpy as np
from scipy.ndimage import convolve

from streetlight.hotspots.base import EventSet, FloatArray, HotspotModel, StudyArea, as_month_index
from streetlight.hotspots.raster import Raster


def distance_kernel(bandwidth_cells: float) -> FloatArray:
    """1 / (1 + d) for cells within `bandwidth_cells` (Euclidean, centre to centre), else 0."""
    r = int(np.floor(bandwidth_cells))
    di, dj = np.meshgrid(np.arange(-r, r + 1), np.arange(-r, r + 1), indexing="ij")
    d = np.hypot(di, dj)
    return np.where(d <= bandwidth_cells, 1.0 / (1.0 + d), 0.0)


class Prospective(HotspotModel):
    """Bowers-Johnson-Pease prospective risk per cell.

    Parameters:
        bandwidth: metres within which an event raises risk.
        time_window: months of history used (an event `age` months old weighs 1 / (1 + age),
            age 0 being the month before the forecast).
    """

    def __init__(self, *, bandwidth: float = 400.0, time_window: int = 2) -> None:
        self.bandwidth = bandwidth
        self.time_window = time_window

    def fit(self, events: EventSet, area: StudyArea, until: date | int) -> Self:
        if not self.bandwidth >= 0:
            raise ValueError(f"bandwidth must be non-negative metres, not {self.bandwidth!r}")
        if not self.time_window >= 1:
            raise ValueError(f"time_window must be at least 1 month, not {self.time_window!r}")
        end = as_month_index(until)
        months = range(end - int(self.time_window), end)
        counts = events.targets().before(end).counts(area.n_cells, months)
        ages = end - 1 - np.arange(months.start, months.stop)
        recent = (counts * (1.0 / (1.0 + ages))[:, None]).sum(axis=0)
        kernel = distance_kernel(self.bandwidth / area.cell_size)
        raster = Raster.of(area, kernel.shape[0] // 2 + 1)
        risk = convolve(raster.dense(area, recent), kernel, mode="constant", cval=0.0)
        self.scores_ = raster.sample(area, risk)
        self._fitted = True
        return self

    def predict(self) -> FloatArray:
        self._check_fitted()
        return self.scores_.copy()
