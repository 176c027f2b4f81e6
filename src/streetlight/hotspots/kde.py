"""Kernel density estimation on the grid, with time decay.

The usual hotspot map of police analysts (Chainey, Tompson & Uhlig 2008, "The utility of hotspot
mapping for predicting spatial patterns of crime", Security Journal 21): each past event spreads a
Gaussian kernel of `bandwidth` metres over the cells around it, weighted by recency as in
`ExponentialCount`. On a grid the Gaussian is separable, so the smoothing is two 1-D convolutions
(scipy.ndimage.gaussian_filter), cost proportional to cells, not to events x cells.
"""

from __future__ import annotations

from datetime import date
from typing import Self

import numpy as np
from scipy.ndimage import gaussian_filter

from streetlight.hotspots.base import EventSet, FloatArray, HotspotModel, StudyArea, as_month_index
from streetlight.hotspots.counting import ExponentialCount
from streetlight.hotspots.raster import Raster


class GridKDE(HotspotModel):
    """Recency-weighted Gaussian kernel density per cell.

    Parameters:
        bandwidth: standard deviation of the Gaussian kernel, metres.
        half_life: months after which an event's weight halves (see `ExponentialCount`).
        lookback: months of history used.
        truncate: the kernel is cut at this many standard deviations.
    """

    def __init__(
        self,
        *,
        bandwidth: float = 150.0,
        half_life: float = 6.0,
        lookback: int = 36,
        truncate: float = 4.0,
    ) -> None:
        self.bandwidth = bandwidth
        self.half_life = half_life
        self.lookback = lookback
        self.truncate = truncate

    def fit(self, events: EventSet, area: StudyArea, until: date | int) -> Self:
        if not self.bandwidth > 0:
            raise ValueError(f"bandwidth must be positive metres, not {self.bandwidth!r}")
        if not self.truncate > 0:
            raise ValueError(f"truncate must be positive, not {self.truncate!r}")
        weights = (
            ExponentialCount(half_life=self.half_life, lookback=self.lookback)
            .fit(events, area, as_month_index(until))
            .predict()
        )
        sigma = self.bandwidth / area.cell_size
        margin = int(np.ceil(self.truncate * sigma)) + 1
        raster = Raster.of(area, margin)
        smooth = gaussian_filter(
            raster.dense(area, weights), sigma=sigma, mode="constant", truncate=self.truncate
        )
        self.scores_ = raster.sample(area, smooth)
        self._fitted = True
        return self

    def predict(self) -> FloatArray:
        self._check_fitted()
        return self.scores_.copy()
