"""Rolling-origin backtests: each month is forecast from the months before it, models side by side.

For every forecast month m in the range, every model is fitted with `until=m` (it sees only
earlier months) and scored against month m's crimes (`metrics.score_month`). Means over months
come with a bootstrap interval (months resampled with replacement, fixed seed), so a difference
between models can be judged against month-to-month noise.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import numpy as np

from streetlight.evaluate.intervals import bootstrap_interval
from streetlight.evaluate.metrics import MonthScore, score_month
from streetlight.hotspots.base import EventSet, HotspotModel, StudyArea, month_of_index, start_day
from streetlight.progress import Progress, no_progress
from streetlight.store.months import month_key

T = TypeVar("T")
METRICS = ("hit_rate", "pai", "pei")
# What an analyst does by hand; the names the model registry gives them.
SIMPLE_BASELINES = frozenset(
    {
        "last-month",
        "rolling-3",
        "rolling-6",
        "rolling-12",
        "rolling-24",
        "ew-3",
        "ew-6",
        "ew-12",
        "recent-hours",
    }
)


@dataclass
class ModelResult:
    """One model's scores: per month, and mean with a 95% bootstrap interval per coverage."""

    per_month: list[MonthScore] = field(default_factory=list)
    seconds: float = 0.0

    def values(self, metric: str, coverage: float) -> np.ndarray[Any, np.dtype[np.float64]]:
        return np.array([getattr(m, metric)[coverage] for m in self.per_month], dtype=np.float64)

    def mean(self, metric: str, coverage: float) -> float:
        v = self.values(metric, coverage)
        return float(np.nanmean(v)) if np.isfinite(v).any() else float("nan")

    def interval(
        self, metric: str, coverage: float, n_boot: int = 2000, seed: int = 0
    ) -> tuple[float, float]:
        """95% percentile bootstrap interval of the mean over months."""
        return bootstrap_interval(self.values(metric, coverage), n_boot, seed)


@dataclass
class BacktestResult:
    cell_size: float
    months: list[int]
    coverage: list[float]
    models: dict[str, ModelResult]

    def recommended(self, metric: str = "pai", coverage: float = 5.0, n_boot: int = 2000) -> str:
        """The model the backtest supports best.

        The best simple baseline (last month, rolling sum, exponential count) unless another
        model beats it in a paired bootstrap over months (the lower end of the 95% interval of
        the mean difference above zero): a more complex model must earn its place, not win by
        month-to-month noise. Without baselines in the run, the best mean.
        """
        cov = coverage if coverage in self.coverage else self.coverage[len(self.coverage) // 2]

        def score(name: str) -> float:
            return float(np.nan_to_num(self.models[name].mean(metric, cov), nan=-np.inf))

        best = max(self.models, key=score)
        simple = [name for name in self.models if name in SIMPLE_BASELINES]
        if not simple or best in simple:
            return best
        baseline = max(simple, key=score)
        diff = self.models[best].values(metric, cov) - self.models[baseline].values(metric, cov)
        diff = diff[np.isfinite(diff)]
        if len(diff) < 2:
            return baseline
        rng = np.random.default_rng(0)
        means = diff[rng.integers(0, len(diff), size=(n_boot, len(diff)))].mean(axis=1)
        return best if float(np.percentile(means, 2.5)) > 0 else baseline

    def to_json(self) -> dict[str, Any]:
        """The DESIGN.md schema, plus `recommended` and a `ci95` interval per metric."""
        labels = [month_key(month_of_index(m)) for m in self.months]
        return {
            "cell_size": self.cell_size,
            "months": labels,
            "coverage": self.coverage,
            "models": self.to_json_entries(labels),
            "recommended": self.recommended(),
        }

    def to_json_entries(self, labels: list[str], label_key: str = "month") -> dict[str, Any]:
        """Per model: mean metrics per coverage, `per_month` rows, `ci95` and `seconds`."""

        def key(c: float) -> str:
            return f"{c:g}"

        models: dict[str, Any] = {}
        for name, res in self.models.items():
            entry: dict[str, Any] = {
                metric: {key(c): res.mean(metric, c) for c in self.coverage} for metric in METRICS
            }
            entry["per_month"] = [
                {
                    label_key: label,
                    **{
                        metric: {key(c): getattr(s, metric)[c] for c in self.coverage}
                        for metric in METRICS
                    },
                }
                for label, s in zip(labels, res.per_month, strict=True)
            ]
            entry["ci95"] = {
                metric: {key(c): list(res.interval(metric, c)) for c in self.coverage}
                for metric in METRICS
            }
            entry["seconds"] = res.seconds
            models[name] = entry
        return models


def backtest(
    events: EventSet,
    area: StudyArea,
    months: Sequence[int],
    models: Mapping[str, Callable[[], HotspotModel]],
    coverage: Sequence[float] = (1, 2, 5, 10),
    progress: Progress = no_progress,
) -> BacktestResult:
    """Forecast each of `months` (month indexes) with each model and score it."""
    targets = events.targets()
    result = BacktestResult(
        area.cell_size,
        list(months),
        [float(c) for c in coverage],
        {name: ModelResult() for name in models},
    )
    jobs = [(m, name) for m in months for name in models]
    for month, name in progress(jobs, len(jobs)):
        actual = targets.subset(targets.month == month).counts(
            area.n_cells, range(month, month + 1)
        )[0]
        started = time.perf_counter()
        scores = models[name]().fit(events, area, month).predict()
        result.models[name].seconds += time.perf_counter() - started
        result.models[name].per_month.append(score_month(scores, actual, result.coverage))
    return result


@dataclass
class PeriodBacktest:
    """A backtest over shifts or days: like `BacktestResult`, with labelled periods."""

    cell_size: float
    by: str
    labels: list[str]
    coverage: list[float]
    models: dict[str, ModelResult]

    def to_json(self) -> dict[str, Any]:
        months = BacktestResult(self.cell_size, [], self.coverage, self.models)
        data = months.to_json_entries(self.labels, label_key="period")
        return {
            "cell_size": self.cell_size,
            "by": self.by,
            "periods": self.labels,
            "coverage": self.coverage,
            "models": data,
            "recommended": months.recommended(),
        }


def backtest_periods(
    events: EventSet,
    area: StudyArea,
    starts: Sequence[tuple[str, datetime]],
    horizon_hours: float,
    models: Mapping[str, Callable[[], HotspotModel]],
    coverage: Sequence[float] = (1, 2, 5, 10),
    by: str = "shift",
    progress: Progress = no_progress,
) -> PeriodBacktest:
    """Forecast each period (label, UTC start) of `horizon_hours` and score it."""
    targets = events.targets()
    known = np.isfinite(targets.day)
    result = PeriodBacktest(
        area.cell_size,
        by,
        [label for label, _ in starts],
        [float(c) for c in coverage],
        {name: ModelResult() for name in models},
    )
    jobs = [(label, start, name) for label, start in starts for name in models]
    for _, start, name in progress(jobs, len(jobs)):
        t0 = start_day(start)
        inside = known & (targets.day >= t0) & (targets.day < t0 + horizon_hours / 24.0)
        actual = np.bincount(
            targets.cell[inside], weights=targets.weight[inside], minlength=area.n_cells
        ).astype(np.float64)
        started = time.perf_counter()
        scores = models[name]().fit(events, area, start).predict()
        result.models[name].seconds += time.perf_counter() - started
        result.models[name].per_month.append(score_month(scores, actual, result.coverage))
    return result
