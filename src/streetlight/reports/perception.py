"""The perception layer: accepted public reports counted per study-area cell, factor and time band.

Recorded crime misses most of what makes a place *feel* unsafe (harassment that is never reported,
poor lighting, being followed), so the hotspot maps and patrol plans take a second, separate
signal: how many people told the force they felt unsafe in each cell. It is kept apart from the
forecast scores on purpose: it counts people's reports, not crimes, and the two answer different
questions.

Counting is one vectorised pass: each placed report gets a combined index
`cell * N_BANDS + band`, and for each factor bit one `np.bincount` over the reports naming it fills
that factor's slice. A million reports take a few tenths of a second (benchmarks/bench_perception.py).

A report just off the study area counts in the nearest study-area cell when that cell's centre is
within `within` metres (250 m by default, the public precision and well inside a patrol post's
reach). The study area holds only cells with recorded crime, and the places crime data misses (an
unlit path, a quiet underpass) are exactly the ones these reports are for: dropping them would
throw away the signal the layer exists to add.

Reports are never dropped silently: those without a point (a typed description the analysts have
not located yet) or farther than that from the study area are counted in `unplaced`, so every
caller can say how many reports the layer left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import polars as pl
from numpy.typing import ArrayLike, NDArray

from streetlight.errors import ReportError
from streetlight.geo.crs import WGS84, transform
from streetlight.hotspots.base import StudyArea
from streetlight.reports.categories import FACTOR_CODE, FACTORS, N_BANDS, TIME_BANDS, Factor

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

N_FACTORS = len(FACTORS)
NEAREST_WITHIN_M = 250.0
ALL_FACTORS_MASK = (1 << N_FACTORS) - 1


class PerceptionError(ReportError, ValueError):
    """Report arrays that cannot be counted: mismatched lengths, an unknown band or factor bit."""


@dataclass(frozen=True)
class PerceptionLayer:
    """Accepted public reports per study-area cell, in the area's cell order.

    Attributes:
        area: the study area the reports were counted on (cells in its fixed order).
        counts: int64 array (n_cells, len(FACTORS), N_BANDS): reports in the cell naming that
            factor (in `FACTORS` order) in that three-hour band. A report naming two factors is in
            two slices, so summing over factors counts it twice: use `reports` or `total`.
        reports: int64 array (n_cells,): reports per cell, each counted once whatever its factors.
        unplaced: reports left out because they have no point or are farther than `within` from the study area.
        cell, band, mask: the placed reports' study-area cell index, time band and factor bitmask
            (int64 arrays, one entry per placed report), kept so `total` can count a report naming
            several of the wanted factors once.
    """

    area: StudyArea
    counts: IntArray
    reports: IntArray
    unplaced: int
    cell: IntArray
    band: IntArray
    mask: IntArray

    @property
    def placed(self) -> int:
        """Reports counted in a study-area cell."""
        return len(self.cell)

    def total(
        self, factors: Iterable[Factor] | None = None, bands: Iterable[int] | None = None
    ) -> IntArray:
        """Reports per cell that name any of `factors` (None: any factor) in any of `bands`
        (None: any band); each report counted once."""
        if factors is None and bands is None:
            return self.reports.copy()
        keep = np.ones(len(self.cell), dtype=np.bool_)
        if factors is not None:
            keep &= (self.mask & factor_mask_of(factors)) != 0
        if bands is not None:
            keep &= np.isin(self.band, _checked_bands(bands))
        return np.bincount(self.cell[keep], minlength=self.area.n_cells).astype(np.int64)

    def table(self) -> pl.DataFrame:
        """Long form, non-zero rows only: `cell_id, factor, time_band, reports`, sorted by cell
        (area order), factor (`FACTORS` order) and band."""
        cell, factor, band = np.nonzero(self.counts)
        ids = np.array(self.area.cell_ids(), dtype=object)
        names = np.array([f.value for f in FACTORS], dtype=object)
        return pl.DataFrame(
            {
                "cell_id": ids[cell].tolist(),
                "factor": names[factor].tolist(),
                "time_band": band.astype(np.int8),
                "reports": self.counts[cell, factor, band],
            },
            schema={
                "cell_id": pl.String,
                "factor": pl.String,
                "time_band": pl.Int8,
                "reports": pl.Int64,
            },
        )


def factor_mask_of(factors: Iterable[Factor | str]) -> int:
    """The bitmask (`FACTOR_CODE` bits) naming `factors`; unknown names raise PerceptionError
    listing the valid ones."""
    mask = 0
    for factor in factors:
        try:
            mask |= 1 << FACTOR_CODE[Factor(factor)]
        except ValueError:
            valid = ", ".join(f.value for f in FACTORS)
            raise PerceptionError(f"unknown factor {factor!r} (factors: {valid})") from None
    return mask


def _checked_bands(bands: Iterable[int]) -> IntArray:
    wanted = np.array(list(bands), dtype=np.int64)
    bad = wanted[(wanted < 0) | (wanted >= N_BANDS)]
    if len(bad):
        raise PerceptionError(
            f"unknown time band {int(bad[0])} (bands: {TIME_BANDS[0]}..{TIME_BANDS[-1]})"
        )
    return wanted


def perception_layer(
    x: ArrayLike,
    y: ArrayLike,
    factor_mask: ArrayLike,
    time_band: ArrayLike,
    area: StudyArea,
    *,
    within: float = NEAREST_WITHIN_M,
) -> PerceptionLayer:
    """Count reports at projected points `x, y` (metres in `area.crs`; NaN = no point) with their
    factor bitmasks and time bands onto `area`'s cells; a point off the study area counts in the
    nearest cell whose centre is within `within` metres (0: only points inside a cell count).

    Row order does not matter. Raises PerceptionError for arrays of different lengths, a band
    outside 0..7 or a mask with bits beyond the known factors.
    """
    xs = np.asarray(x, dtype=np.float64)
    ys = np.asarray(y, dtype=np.float64)
    masks = np.asarray(factor_mask, dtype=np.int64)
    bands = np.asarray(time_band, dtype=np.int64)
    n = len(xs)
    if not len(ys) == len(masks) == len(bands) == n:
        raise PerceptionError(
            f"report arrays differ in length: x {n}, y {len(ys)}, factor_mask {len(masks)}, "
            f"time_band {len(bands)}"
        )
    if n and (int(bands.min()) < 0 or int(bands.max()) >= N_BANDS):
        bad = bands[(bands < 0) | (bands >= N_BANDS)][0]
        raise PerceptionError(f"time band {int(bad)} is not one of 0..{N_BANDS - 1}")
    if n and (int(masks.min()) < 0 or int(masks.max()) > ALL_FACTORS_MASK):
        bad = masks[(masks < 0) | (masks > ALL_FACTORS_MASK)][0]
        raise PerceptionError(
            f"factor mask {int(bad)} has bits beyond the {N_FACTORS} known factors"
        )

    where = _nearest_cells(xs, ys, area, within)
    placed = where >= 0
    cell, band, mask = where[placed], bands[placed], masks[placed]
    n_cells = area.n_cells
    slots = n_cells * N_BANDS
    # One combined index per report; each factor bit selects its reports and one bincount fills
    # that factor's (cell, band) slice. Counting into (cell, band) first keeps every bincount the
    # size of the layer, not of the reports.
    combined = cell * N_BANDS + band
    counts = np.zeros((n_cells, N_FACTORS, N_BANDS), dtype=np.int64)
    for code in range(N_FACTORS):
        named = (mask >> code) & 1 == 1
        if named.any():
            counts[:, code, :] = np.bincount(combined[named], minlength=slots).reshape(
                n_cells, N_BANDS
            )
    reports = np.bincount(cell, minlength=n_cells).astype(np.int64)
    return PerceptionLayer(
        area=area,
        counts=counts,
        reports=reports,
        unplaced=int(n - len(cell)),
        cell=cell.astype(np.int64),
        band=band.astype(np.int64),
        mask=mask.astype(np.int64),
    )


def _nearest_cells(x: FloatArray, y: FloatArray, area: StudyArea, within: float) -> IntArray:
    """Each point's study-area cell; off the area, the nearest cell centre within `within` m."""
    where = area.locate(x, y)
    off = (where < 0) & np.isfinite(x) & np.isfinite(y)
    if within <= 0 or not off.any() or area.n_cells == 0:
        return where
    from scipy.spatial import cKDTree

    cx, cy = area.centres()
    distance, nearest = cKDTree(np.column_stack([cx, cy])).query(
        np.column_stack([x[off], y[off]]), distance_upper_bound=within
    )
    found = np.isfinite(distance)
    where = where.copy()
    where[np.flatnonzero(off)[found]] = nearest[found]
    return where


def perception_from_frame(
    frame: pl.DataFrame, area: StudyArea, *, within: float = NEAREST_WITHIN_M
) -> PerceptionLayer:
    """The layer of an accepted-reports frame (lon/lat in WGS84, null when unlocated) on `area`
    (`within`: see `perception_layer`)."""
    lon = frame["lon"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    lat = frame["lat"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    x, y = transform(WGS84, area.crs, lon, lat) if len(lon) else (lon, lat)
    return perception_layer(
        x,
        y,
        frame["factor_mask"].cast(pl.Int64).to_numpy(),
        frame["time_band"].cast(pl.Int64).to_numpy(),
        area,
        within=within,
    )
