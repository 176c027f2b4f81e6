"""Getis-Ord Gi*: cells whose neighbourhood holds significantly more crime than the area as a whole.

Unlike a forecast score, Gi* answers "is this cluster more than chance?", which is the question an
analyst is asked before a cell is called a hot spot. For cell i with value x_i (a weighted count),
binary weights w_ij = 1 for the study-area cells j within `radius` cells of i (Chebyshev distance,
so radius 1 is queen contiguity) including i itself, and n study-area cells:

    W_i = sum_j w_ij                  (cells in the window that are in the study area)
    x_bar = sum_j x_j / n,            s^2 = sum_j x_j^2 / n - x_bar^2
    z_i = (sum_j w_ij x_j - x_bar W_i) / (s * sqrt((n S1_i - W_i^2) / (n - 1)))

with S1_i = sum_j w_ij^2, which equals W_i for binary weights, so the root is W_i (n - W_i) / (n - 1).
This is the standardised G*_i of Getis & Ord (1992), Geographical Analysis 24(3), 189-206, in the
form of Ord & Getis (1995), Geographical Analysis 27(4), 286-306; it gives the same numbers
as PySAL esda's `G_Local(y, w, transform="B", star=True).Zs`. Cells outside the study area are not
zeros: they do not exist, so they count in neither W_i nor n (a coastline is not a cold spot).

Testing every cell is n tests at once, so the hot-spot mask controls the false discovery rate with
Benjamini & Hochberg (1995), JRSS B 57(1), 289-300, as Caldas de Castro & Singer (2006),
Geographical Analysis 38(2), recommend for local statistics. Overlapping windows make the tests
positively correlated; BH keeps its level under positive regression dependence (Benjamini &
Yekutieli 2001, Annals of Statistics 29(4)), which such tests are generally taken to satisfy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Self, TypeVar

import numpy as np
from numpy.typing import NDArray
from scipy import special
from scipy.spatial import cKDTree

from streetlight.hotspots.base import (
    EventSet,
    FloatArray,
    HotspotModel,
    IntArray,
    StudyArea,
    as_month_index,
)

BoolArray = NDArray[np.bool_]
_Num = TypeVar("_Num", np.float64, np.int64)

# The dense path allocates a few arrays over the cells' bounding box. A compact force area fills
# most of its box, but a few stray cells (a mis-geocoded incident, an island) can make the box huge
# and nearly empty; then neighbour pairs from a k-d tree cost memory in proportion to the pairs.
_DENSE_MIN_BOX = 1 << 20
_DENSE_BOX_PER_CELL = 16


@dataclass(frozen=True)
class GiStarResult:
    """Gi* for each study-area cell, in the order the cells were given.

    Attributes:
        z: standardised G*_i (Getis & Ord 1992; Ord & Getis 1995): positive where the cell's
            window holds more than its share of the total, in standard-normal units. 0 where it is
            undefined (all values equal, a single cell, or a window covering every cell).
        p: one-sided upper-tail p-value of `z` under the normal approximation, P(Z >= z); small
            means a hot spot, near 1 a cold spot; 0.5 where `z` is 0.
        hot: cells that are significant hot spots (z > 0) with the false discovery rate across all
            cells controlled at `alpha` by the Benjamini-Hochberg (1995) step-up procedure.
    """

    z: FloatArray
    p: FloatArray
    hot: BoolArray


def gi_star(
    values: FloatArray,
    i: IntArray,
    j: IntArray,
    *,
    radius: int = 1,
    alpha: float = 0.05,
) -> GiStarResult:
    """Getis-Ord Gi* z-scores, upper-tail p-values and FDR-controlled hot spots on a square grid.

    Args:
        values: value of each study-area cell (weighted crime count), any finite numbers.
        i, j: grid column and row of each cell (see `Grid`); each (i, j) at most once, any order.
        radius: window half-width in cells (Chebyshev distance; 1 = queen contiguity, 0 = the
            cell alone). The window always includes the cell itself (the "star").
        alpha: false discovery rate for `hot`, in (0, 1).

    Neighbour sums come from a summed-area table over the cells' bounding box (or, for a sparse
    box, from k-d tree pairs), so the cost is linear in the box and independent of `radius`.
    """
    x = np.asarray(values, dtype=np.float64)
    ci = np.asarray(i, dtype=np.int64)
    cj = np.asarray(j, dtype=np.int64)
    if x.ndim != 1 or ci.shape != x.shape or cj.shape != x.shape:
        raise ValueError(
            f"values, i and j must be 1-D arrays of one length, not shapes "
            f"{x.shape}, {ci.shape}, {cj.shape}"
        )
    if not np.isfinite(x).all():
        raise ValueError("values must be finite (a NaN or infinite count cannot be tested)")
    _check_radius(radius)
    _check_alpha(alpha)

    n = len(x)
    if n == 0:
        return GiStarResult(np.zeros(0), np.zeros(0), np.zeros(0, dtype=np.bool_))
    sums, counts = _window_sums(x, ci, cj, radius)

    mean = float(x.mean())
    s = float(np.sqrt(np.mean((x - mean) ** 2)))  # two-pass: no cancellation for large counts
    if n < 2 or s == 0.0 or np.ptp(x) == 0.0:
        # No variation to test against: Gi* is 0/0. No cell stands out, so z = 0.
        z = np.zeros(n)
    else:
        w = counts.astype(np.float64)
        denominator = s * np.sqrt(w * (n - w) / (n - 1))
        numerator = sums - mean * w
        # A window covering every cell (W_i = n) has numerator and denominator both 0.
        safe = denominator > 0
        z = np.where(safe, numerator / np.where(safe, denominator, 1.0), 0.0)
    p = np.asarray(special.ndtr(-z), dtype=np.float64)  # P(Z >= z), exact in the far upper tail
    hot = benjamini_hochberg(p, alpha=alpha) & (z > 0)
    return GiStarResult(z, p, hot)


def benjamini_hochberg(p: FloatArray, *, alpha: float = 0.05) -> BoolArray:
    """Which hypotheses to reject with the false discovery rate controlled at `alpha`.

    Step-up procedure of Benjamini & Hochberg (1995), JRSS B 57(1): sort the m p-values, find the
    largest rank k with p_(k) <= k * alpha / m, reject the k smallest. NaN p-values are never
    rejected but count in m.
    """
    _check_alpha(alpha)
    pv = np.asarray(p, dtype=np.float64)
    m = pv.size
    reject = np.zeros(pv.shape, dtype=np.bool_)
    if m == 0:
        return reject
    order = np.argsort(pv, axis=None, kind="stable")  # NaN sorts last
    ranked = pv.ravel()[order]
    below = ranked <= alpha * np.arange(1, m + 1) / m
    if below.any():
        k = int(np.flatnonzero(below)[-1]) + 1
        reject.ravel()[order[:k]] = True
    return reject


def _window_sums(
    x: FloatArray, i: IntArray, j: IntArray, radius: int
) -> tuple[FloatArray, IntArray]:
    """sum_j w_ij x_j and W_i for every cell, the window including the cell itself."""
    i0, j0 = int(i.min()), int(j.min())
    width, height = int(i.max()) - i0 + 1, int(j.max()) - j0 + 1
    box = width * height
    if box > max(_DENSE_MIN_BOX, _DENSE_BOX_PER_CELL * len(x)):
        return _pair_sums(x, i, j, radius)
    flat = (i - i0) * height + (j - j0)
    present = np.bincount(flat, minlength=box)
    if present.max() > 1:
        raise ValueError("cells (i, j) must be unique: a cell appears more than once")
    dense = np.zeros(box)
    dense[flat] = x
    sums = _box_sum(dense.reshape(width, height), radius).ravel()[flat]
    counts = _box_sum(present.reshape(width, height), radius).ravel()[flat]
    return sums, counts.astype(np.int64)


def _box_sum(a: NDArray[_Num], radius: int) -> NDArray[_Num]:
    """Sum over the (2r+1) x (2r+1) window around each element, zeros beyond the edges.

    One cumulative sum per axis (a summed-area table split into its two passes): the cost does not
    grow with the radius, and float rounding is bounded by each row's total, not the grid's.
    """
    out = a
    span = 2 * radius + 1
    for axis in (0, 1):
        pad = [(0, 0), (0, 0)]
        pad[axis] = (radius + 1, radius)
        c = np.cumsum(np.pad(out, pad), axis=axis)
        hi = [slice(None), slice(None)]
        lo = [slice(None), slice(None)]
        hi[axis] = slice(span, None)
        lo[axis] = slice(None, -span)
        out = c[tuple(hi)] - c[tuple(lo)]
    return out


def _pair_sums(x: FloatArray, i: IntArray, j: IntArray, radius: int) -> tuple[FloatArray, IntArray]:
    """The same sums from neighbour pairs, for cells scattered over a box too big to allocate."""
    order = np.lexsort((j, i))
    if ((np.diff(i[order]) == 0) & (np.diff(j[order]) == 0)).any():
        raise ValueError("cells (i, j) must be unique: a cell appears more than once")
    points = np.column_stack([i, j]).astype(np.float64)  # exact: grid indexes are small integers
    pairs = np.asarray(
        cKDTree(points).query_pairs(r=radius, p=np.inf, output_type="ndarray"), dtype=np.int64
    ).reshape(-1, 2)
    a, b = pairs[:, 0], pairs[:, 1]
    n = len(x)
    sums = x + np.bincount(a, weights=x[b], minlength=n) + np.bincount(b, weights=x[a], minlength=n)
    counts = 1 + np.bincount(a, minlength=n) + np.bincount(b, minlength=n)
    return sums, counts.astype(np.int64)


def _check_radius(radius: object) -> None:
    if isinstance(radius, bool) or not isinstance(radius, int | np.integer) or radius < 0:
        raise ValueError(f"radius must be a whole number of cells >= 0, not {radius!r}")


def _check_alpha(alpha: object) -> None:
    if isinstance(alpha, bool) or not isinstance(alpha, float | int) or not 0 < alpha < 1:
        raise ValueError(f"alpha must be a false discovery rate in (0, 1), not {alpha!r}")


class GiStar(HotspotModel):
    """Getis-Ord Gi* hot spots of the last `window_months` months of events before `until`.

    Sums the (harm-weighted) target-category events of months `until - window_months` to
    `until - 1` per study-area cell and computes `gi_star` over the study area: Getis & Ord (1992), Geographical
    Analysis 24(3); Ord & Getis (1995), Geographical Analysis 27(4); hot spots with the false
    discovery rate controlled by Benjamini & Hochberg (1995), JRSS B 57(1).

    Args:
        window_months: how many months before `until` to count, >= 1 (months).
        radius: neighbourhood half-width, >= 0 (cells; 1 = queen contiguity).
        alpha: false discovery rate for `hot_`, in (0, 1).

    Attributes (after `fit`):
        counts_: weighted event count per study-area cell over the window.
        z_: Gi* z-score per cell (see `GiStarResult.z`); `predict()` returns it.
        p_: one-sided upper-tail p-value per cell.
        hot_: cells that are hot spots at false discovery rate `alpha`.
    """

    counts_: FloatArray
    z_: FloatArray
    p_: FloatArray
    hot_: BoolArray

    def __init__(self, *, window_months: int = 12, radius: int = 1, alpha: float = 0.05) -> None:
        self.window_months = window_months
        self.radius = radius
        self.alpha = alpha

    def fit(self, events: EventSet, area: StudyArea, until: date | int) -> Self:
        """Learn from events of the `window_months` months strictly before month `until`."""
        window = self.window_months
        if isinstance(window, bool) or not isinstance(window, int | np.integer) or window < 1:
            raise ValueError(f"window_months must be a whole number of months >= 1, not {window!r}")
        _check_radius(self.radius)
        _check_alpha(self.alpha)

        end = as_month_index(until)
        # Context categories (EventSet.target False) inform learned models only; Gi* tests the
        # crimes being forecast.
        past = events.targets().before(end)
        recent = past.month >= end - int(window)
        cells = past.cell[recent]
        if len(cells) and (cells.min() < 0 or cells.max() >= area.n_cells):
            raise ValueError(
                f"events index cells outside this study area of {area.n_cells} cells: "
                "build the EventSet with EventSet.from_incidents(..., area)"
            )
        counts = np.bincount(cells, weights=past.weight[recent], minlength=area.n_cells).astype(
            np.float64
        )
        result = gi_star(counts, area.i, area.j, radius=int(self.radius), alpha=float(self.alpha))
        self.counts_ = counts
        self.z_ = result.z
        self.p_ = result.p
        self.hot_ = result.hot
        self._fitted = True
        return self

    def predict(self) -> FloatArray:
        """The Gi* z-score of each study-area cell (higher = a more significant hot spot)."""
        self._check_fitted()
        return self.z_.copy()
