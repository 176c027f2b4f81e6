"""What every hotspot estimator works on: the study area, the events, and the estimator habits.

Estimators follow scikit-learn (DESIGN.md, Grid and hotspot estimators): parameters are stored
by `__init__` and checked in `fit`; `fit(events, area, until)` learns only from events strictly
before the forecast month `until`; `predict()` returns one score per study-area cell, higher
meaning more expected harm; learned state ends in `_`.

Events are converted from the incident store once (`EventSet.from_incidents`) so that a backtest
of many months and models does not re-read or re-grid anything; every estimator cuts the events
at `until` itself, so none can see the month it forecasts.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Self

import numpy as np
import polars as pl
from numpy.typing import NDArray

from streetlight.errors import ForecastError
from streetlight.geo.grid import Grid

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


def month_index(value: date) -> int:
    """Months since year 0 (2024-01 -> 2024 * 12 + 0): differences are months."""
    return value.year * 12 + value.month - 1


def month_of_index(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


class NotFittedError(ForecastError, ValueError):
    """`predict` was called before `fit`."""


@dataclass(frozen=True)
class StudyArea:
    """The cells forecasts are made for, in a fixed order (sorted by column i, then row j).

    DESIGN.md: the cells that intersect the force boundary when one is given, else the cells that
    hold at least one incident of any category for the force.
    """

    grid: Grid
    i: IntArray
    j: IntArray
    crs: str

    @classmethod
    def from_incidents(cls, incidents: pl.DataFrame, cell_size: float, crs: str) -> StudyArea:
        cells = Grid(cell_size).cells_of(incidents)
        return cls(
            Grid(cell_size),
            cells["i"].to_numpy().astype(np.int64),
            cells["j"].to_numpy().astype(np.int64),
            crs,
        )

    @property
    def n_cells(self) -> int:
        return len(self.i)

    @property
    def cell_size(self) -> float:
        return self.grid.cell_size

    def centres(self) -> tuple[FloatArray, FloatArray]:
        """Cell-centre coordinates in metres."""
        s = self.grid.cell_size
        return (self.i + 0.5).astype(np.float64) * s, (self.j + 0.5).astype(np.float64) * s

    def cell_ids(self) -> list[str]:
        s = f"{self.grid.cell_size:g}m"
        return [f"{s}:{a}:{b}" for a, b in zip(self.i.tolist(), self.j.tolist(), strict=True)]

    def locate(self, x: FloatArray, y: FloatArray) -> IntArray:
        """Study-area index of each point's cell, or -1 outside the study area (or no location)."""
        s = self.grid.cell_size
        ok = np.isfinite(x) & np.isfinite(y)
        ci = np.where(ok, np.floor(np.where(ok, x, 0) / s), 0).astype(np.int64)
        cj = np.where(ok, np.floor(np.where(ok, y, 0) / s), 0).astype(np.int64)
        keys = self._keys(self.i, self.j)
        wanted = self._keys(ci, cj)
        pos = np.searchsorted(keys, wanted)
        pos = np.clip(pos, 0, len(keys) - 1)
        found = ok & (len(keys) > 0) & (keys[pos] == wanted)
        return np.where(found, pos, -1).astype(np.int64)

    @staticmethod
    def _keys(i: IntArray, j: IntArray) -> IntArray:
        # Cells sorted by (i, j) give sorted keys: j is offset into a range that never overflows.
        return (i + (1 << 31)) * (1 << 32) + (j + (1 << 31))

    def dense_shape(self) -> tuple[int, int, int, int]:
        """(i0, j0, width, height) of the smallest box of cells holding the study area."""
        if self.n_cells == 0:
            return 0, 0, 0, 0
        i0, j0 = int(self.i.min()), int(self.j.min())
        return i0, j0, int(self.i.max()) - i0 + 1, int(self.j.max()) - j0 + 1


@dataclass(frozen=True)
class EventSet:
    """Located incidents of the categories being forecast, as plain arrays.

    `cell` indexes the study area (events outside it are dropped); `month` is a month index
    (see `month_index`); `day` is days since 1970-01-01 UTC as a float, NaN when the source gives
    only a month; `weight` is 1 unless a harm index weights the events; `harm`, when known, is
    each event's harm for scoring (the harm PEI), whatever the models learn from.
    """

    cell: IntArray
    x: FloatArray
    y: FloatArray
    month: IntArray
    day: FloatArray
    weight: FloatArray
    category: NDArray[np.str_]
    location: NDArray[np.object_]
    # Which events are of the categories being forecast; None means all. The others are context
    # (leading indicators for learned models).
    target: NDArray[np.bool_] | None = None
    harm: FloatArray | None = None

    @classmethod
    def from_incidents(
        cls,
        incidents: pl.DataFrame,
        area: StudyArea,
        weights: dict[str, float] | None = None,
        targets: list[str] | None = None,
        harm: dict[str, float] | None = None,
    ) -> EventSet:
        """Events of `incidents` inside `area`; with `targets`, only those categories are forecast
        and the rest are kept as context; `weights` and `harm` map categories to weights."""
        located = incidents.drop_nulls(["x", "y"])
        x = located["x"].to_numpy().astype(np.float64)
        y = located["y"].to_numpy().astype(np.float64)
        cell = area.locate(x, y)
        keep = cell >= 0
        months = located["month"].to_numpy().astype("datetime64[M]").astype(np.int64) + 1970 * 12
        occurred = located["occurred_at"]
        day = (
            occurred.dt.epoch("ms").to_numpy().astype(np.float64) / 86_400_000.0
            if occurred.null_count() < located.height
            else np.full(located.height, np.nan)
        )
        day = np.where(np.isfinite(day), day, np.nan)
        category = located["category"].to_numpy().astype(str)
        weight = _weigh(category, weights) if weights is not None else np.ones(located.height)
        return cls(
            cell=cell[keep],
            x=x[keep],
            y=y[keep],
            month=months[keep],
            day=day[keep],
            weight=weight[keep],
            category=category[keep],
            location=located["location"].to_numpy()[keep],
            target=np.isin(category[keep], targets) if targets is not None else None,
            harm=_weigh(category, harm)[keep] if harm is not None else None,
        )

    def __len__(self) -> int:
        return len(self.cell)

    def subset(self, mask: NDArray[np.bool_]) -> EventSet:
        return EventSet(
            self.cell[mask],
            self.x[mask],
            self.y[mask],
            self.month[mask],
            self.day[mask],
            self.weight[mask],
            self.category[mask],
            self.location[mask],
            self.target[mask] if self.target is not None else None,
            self.harm[mask] if self.harm is not None else None,
        )

    def targets(self) -> EventSet:
        """Only the events of the categories being forecast."""
        return self if self.target is None else self.subset(self.target)

    def before(self, until: int) -> EventSet:
        """Only the events of months strictly before month index `until`."""
        return self.subset(self.month < until)

    def counts(self, n_cells: int, months: range, *, harm: bool = False) -> FloatArray:
        """Weighted counts, shape (len(months), n_cells), for the month indexes in `months`
        (with `harm`, the events' harm instead of their weights)."""
        out = np.zeros((len(months), n_cells))
        sel = (self.month >= months.start) & (self.month < months.stop)
        values = self.harm if harm and self.harm is not None else self.weight
        np.add.at(out, (self.month[sel] - months.start, self.cell[sel]), values[sel])
        return out


def _weigh(category: NDArray[np.str_], weights: dict[str, float]) -> FloatArray:
    return np.array([weights.get(c, 0.0) for c in category], dtype=np.float64)


class HotspotModel(ABC):
    """Base of the estimators: parameter handling and the fitted check, as scikit-learn does."""

    _fitted: bool = False

    def get_params(self) -> dict[str, Any]:
        return {
            k: v for k, v in vars(self).items() if not k.endswith("_") and not k.startswith("_")
        }

    def set_params(self, **params: Any) -> Self:
        for key, value in params.items():
            if key not in self.get_params():
                raise ValueError(f"{type(self).__name__} has no parameter {key!r}")
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    @abstractmethod
    def fit(self, events: EventSet, area: StudyArea, until: date | int) -> Self:
        """Learn from `events` of months strictly before `until`; return self."""

    @abstractmethod
    def predict(self) -> FloatArray:
        """One score per study-area cell, higher = more expected harm."""

    def _check_fitted(self) -> None:
        if not self._fitted:
            raise NotFittedError(f"{type(self).__name__} is not fitted yet: call fit() first")


def as_month_index(until: date | datetime | int) -> int:
    return until if isinstance(until, int) else month_index(until)


EPOCH_DATE = date(1970, 1, 1)
EPOCH_TIME = datetime(1970, 1, 1, tzinfo=UTC)


def start_day(until: date | datetime | int) -> float:
    """Days since 1970-01-01 UTC at which the forecast starts."""
    if isinstance(until, bool):
        raise TypeError(f"until must be a month index, a date or a datetime, not {until!r}")
    if isinstance(until, datetime):
        moment = until if until.tzinfo is not None else until.replace(tzinfo=UTC)
        return (moment - EPOCH_TIME) / timedelta(days=1)
    if isinstance(until, date | int):
        return float((month_of_index(as_month_index(until)) - EPOCH_DATE).days)
    raise TypeError(f"until must be a month index, a date or a datetime, not {until!r}")
