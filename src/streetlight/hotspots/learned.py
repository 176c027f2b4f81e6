"""A learned forecast: gradient-boosted Poisson regression on features of each cell and its area.

Counting baselines use one signal, a cell's own past. The model adds what analysts know matters:
several history windows (1, 3, 6, 12, 24 months), the neighbourhood's counts, other crime types
as leading indicators (anti-social behaviour and public order often precede violence at night-time
economy places), the kind of place at the snap points, the season and the trend. It is trained,
for each forecast month, only on earlier months (each training example's features are computed
from the months before its own label month), with a Poisson loss because the targets are counts.

Method: scikit-learn's HistGradientBoostingRegressor (LightGBM-style histogram boosting; Ke et al.
2017, NeurIPS), in the spirit of Mohler & Porter (2018, "Rotational grid, PAI-maximizing crime
forecasts", Statistical Analysis and Data Mining 11) and Wheeler & Steenbeek (2021, "Mapping the
risk terrain for crime using machine learning", Journal of Quantitative Criminology 37).

Fit and prediction run on one OpenMP thread. A force's training set is tens of thousands of cell-
months, where a second thread gains little; and when the other core is busy, OpenMP's threads
wait on each other: a three-month backtest of one force took 30 s with scikit-learn's default
threads on a loaded machine against 7.8 s on one. One thread also makes the forecast the same in
one process and on a Dask worker (which Dask starts with one).
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Self

import numpy as np
from numpy.typing import NDArray
from scipy.ndimage import uniform_filter
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from streetlight.hotspots.base import EventSet, FloatArray, HotspotModel, StudyArea, as_month_index
from streetlight.hotspots.places import PLACE_KINDS, place_kind
from streetlight.hotspots.raster import Raster

WINDOWS = (1, 3, 6, 12, 24)


def _window_sums(cum: FloatArray, t: int, w: int) -> FloatArray:
    """Sum of monthly rows [t - w, t) from a cumulative array with a leading zero row."""
    lo = max(t - w, 0)
    return np.asarray(cum[t] - cum[lo], dtype=np.float64)


class GradientBoostedPoisson(HotspotModel):
    """Poisson gradient boosting on per-cell history, neighbourhood, context and place features.

    Parameters:
        train_months: forecast months used as training examples (each with its own history).
        context_categories: how many of the most frequent non-target categories become features.
        neighbourhood: side of the square neighbourhood, in cells (3 = the cell and its 8
            neighbours).
        max_iter, learning_rate, max_leaf_nodes, min_samples_leaf, l2_regularization: passed to
            scikit-learn's HistGradientBoostingRegressor (trees, shrinkage, leaves per tree,
            examples per leaf, L2 penalty).
        random_state: seed for the booster's randomness (early stopping is off, so it is unused
            unless scikit-learn subsamples); kept so fits are reproducible.
    """

    def __init__(
        self,
        *,
        train_months: int = 12,
        context_categories: int = 6,
        neighbourhood: int = 3,
        max_iter: int = 150,
        learning_rate: float = 0.05,
        max_leaf_nodes: int = 15,
        min_samples_leaf: int = 100,
        l2_regularization: float = 1.0,
        random_state: int = 0,
    ) -> None:
        self.train_months = train_months
        self.context_categories = context_categories
        self.neighbourhood = neighbourhood
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.random_state = random_state

    def fit(self, events: EventSet, area: StudyArea, until: date | int) -> Self:
        if self.train_months < 1:
            raise ValueError(f"train_months must be at least 1, not {self.train_months!r}")
        if self.neighbourhood < 1 or self.neighbourhood % 2 == 0:
            raise ValueError(
                f"neighbourhood must be an odd number of cells, not {self.neighbourhood!r}"
            )
        end = as_month_index(until)
        past = events.before(end)
        if len(past) == 0:
            raise ValueError("no events before the forecast month to learn from")
        first = int(past.month.min())
        n_months = end - first
        is_target = past.target if past.target is not None else np.ones(len(past), dtype=bool)
        target = self._monthly(past.subset(is_target), area, first, n_months)
        context_names = [
            c
            for c, _ in Counter(past.category[~is_target].tolist()).most_common(
                self.context_categories
            )
        ]
        contexts = [
            self._monthly(past.subset(~is_target & (past.category == c)), area, first, n_months)
            for c in context_names
        ]
        places = self._places(past, area)
        raster = Raster.of(area, self.neighbourhood)
        # Examples: label month t (index from `first`), features from months before t.
        label_months = [t for t in range(max(1, n_months - self.train_months), n_months)]
        x_train = np.vstack(
            [self._features(target, contexts, places, raster, area, t, first) for t in label_months]
        )
        y_train = np.concatenate([target[t] for t in label_months])
        model = HistGradientBoostingRegressor(
            loss="poisson",
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=self.min_samples_leaf,
            l2_regularization=self.l2_regularization,
            early_stopping=False,
            random_state=self.random_state,
        )
        with threadpool_limits(limits=1, user_api="openmp"):
            self.model_ = model.fit(x_train, y_train)
        self.features_ = self._features(target, contexts, places, raster, area, n_months, first)
        self.context_categories_ = context_names
        self._fitted = True
        return self

    def predict(self) -> FloatArray:
        self._check_fitted()
        with threadpool_limits(limits=1, user_api="openmp"):
            return np.asarray(self.model_.predict(self.features_), dtype=np.float64)

    @staticmethod
    def _monthly(events: EventSet, area: StudyArea, first: int, n_months: int) -> FloatArray:
        return events.counts(area.n_cells, range(first, first + n_months))

    @staticmethod
    def _places(events: EventSet, area: StudyArea) -> FloatArray:
        """Share of each cell's past events at each kind of place (cells x kinds)."""
        kinds = {k: n for n, k in enumerate(PLACE_KINDS)}
        out = np.zeros((area.n_cells, len(PLACE_KINDS)))
        column_of: dict[object, int] = {}
        for loc in set(events.location.tolist()):
            kind = place_kind(loc)
            column_of[loc] = kinds[kind] if kind is not None else -1
        col = np.array([column_of[loc] for loc in events.location.tolist()], dtype=np.int64)
        hit = col >= 0
        np.add.at(out, (events.cell[hit], col[hit]), 1.0)
        totals = np.bincount(events.cell, minlength=area.n_cells).astype(np.float64)
        return out / np.maximum(totals, 1.0)[:, None]

    def _features(
        self,
        target: FloatArray,
        contexts: list[FloatArray],
        places: FloatArray,
        raster: Raster,
        area: StudyArea,
        t: int,
        first: int,
    ) -> NDArray[np.float64]:
        """Features of every cell for label month index t (relative to `first`): months < t only."""
        cum = np.vstack([np.zeros((1, target.shape[1])), np.cumsum(target, axis=0)])
        cols: list[FloatArray] = []
        for w in WINDOWS:
            own = _window_sums(cum, t, w) / w
            cols.append(own)
            near = raster.sample(
                area,
                uniform_filter(raster.dense(area, own), size=self.neighbourhood, mode="constant"),
            )
            cols.append(near)
        for ctx in contexts:
            ccum = np.vstack([np.zeros((1, ctx.shape[1])), np.cumsum(ctx, axis=0)])
            cols.append(_window_sums(ccum, t, 3) / 3)
            cols.append(_window_sums(ccum, t, 12) / 12)
        n = area.n_cells
        calendar = (first + t) % 12
        cols.append(np.full(n, float(calendar)))
        same_month_last_year = target[t - 12] if t >= 12 else np.zeros(n)
        cols.append(same_month_last_year)
        cols.append(np.full(n, float(min(t, 24))))  # history available, months
        features = np.column_stack([*cols, places])
        return np.asarray(features, dtype=np.float64)
