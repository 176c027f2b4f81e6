"""Rolling-origin backtests: each month is forecast from the months before it, models side by side.

For every forecast month m in the range, every model is fitted with `until=m` (it sees only
earlier months) and scored against month m's crimes (`metrics.score_month`); shifts and days
likewise from their start. Means over periods come with a bootstrap interval (periods resampled
with replacement, fixed seed), and every model's gain over the best simple baseline with a paired
one, so a difference between models can be judged against period-to-period noise and the
recommendation (`Scores.comparison`) follows the same rule at every time scale.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from streetlight.evaluate.intervals import bootstrap_interval, paired_gain
from streetlight.evaluate.metrics import MonthScore, score_month
from streetlight.hotspots.base import EventSet, HotspotModel, StudyArea, month_of_index, start_day
from streetlight.hotspots.registry import is_simple_baseline
from streetlight.progress import Progress, no_progress
from streetlight.store.months import month_key

METRICS = ("hit_rate", "pai", "pei")
RECOMMEND_METRIC = "pai"
RECOMMEND_COVERAGE = 5.0


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


@dataclass(frozen=True)
class Gain:
    """A model's mean against the best simple baseline's on the same periods: the relative gain
    and its 95% paired-bootstrap interval (0.05 = 5% better)."""

    gain: float
    low: float
    high: float

    @property
    def beyond_noise(self) -> bool:
        return self.low > 0


@dataclass(frozen=True)
class Comparison:
    """Every model against the best simple baseline, at one metric and coverage.

    Attributes:
        baseline: the simple baseline with the best mean (None when the run has none).
        gains: per model, its `Gain` over the baseline (the baseline's own is 0).
        recommended: the baseline, unless the best model beats it beyond noise; without
            baselines, the best mean.
    """

    metric: str
    coverage: float
    baseline: str | None
    gains: dict[str, Gain]
    recommended: str

    def to_json(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "coverage": self.coverage,
            "model": self.baseline,
            "gains": {
                name: {"gain": g.gain, "ci95": [g.low, g.high]} for name, g in self.gains.items()
            },
        }


@dataclass(kw_only=True)
class Scores:
    """Models scored side by side on the same periods (months, shifts or days).

    `blocks` labels the periods that share a history (a shift's day), resampled together by the
    paired bootstrap; None: every period on its own.
    """

    cell_size: float
    coverage: list[float]
    models: dict[str, ModelResult]
    blocks: list[str] | None = None

    def comparison(
        self,
        metric: str = RECOMMEND_METRIC,
        coverage: float = RECOMMEND_COVERAGE,
        n_boot: int = 2000,
    ) -> Comparison:
        """The recommendation rule, at every time scale: the best simple baseline (a count an
        analyst makes by hand, `hotspots.registry.is_simple_baseline`) unless another model's
        mean beats it in a paired bootstrap over periods (the lower end of the 95% interval of
        the gain above zero). A more complex model must earn its place, not win by noise."""
        cov = coverage if coverage in self.coverage else self.coverage[len(self.coverage) // 2]

        def score(name: str) -> float:
            return float(np.nan_to_num(self.models[name].mean(metric, cov), nan=-np.inf))

        best = max(self.models, key=score)
        simple = [name for name in self.models if is_simple_baseline(name)]
        if not simple:
            return Comparison(metric, cov, None, {}, best)
        baseline = max(simple, key=score)
        base = self.models[baseline].values(metric, cov)
        gains = {
            name: Gain(*paired_gain(res.values(metric, cov), base, self.blocks, n_boot))
            for name, res in self.models.items()
        }
        winner = best if best in simple or gains[best].beyond_noise else baseline
        return Comparison(metric, cov, baseline, gains, winner)

    def recommended(self, metric: str = RECOMMEND_METRIC, coverage: float = 5.0) -> str:
        """The model the backtest supports best (`comparison`)."""
        return self.comparison(metric, coverage).recommended

    def metrics(self) -> tuple[str, ...]:
        """The metrics scored: `METRICS`, and `harm_pei` when the events carried harm."""
        scored = [s for res in self.models.values() for s in res.per_month]
        return (*METRICS, "harm_pei") if scored and all(s.harm_pei for s in scored) else METRICS

    def to_json_entries(self, labels: list[str], label_key: str = "month") -> dict[str, Any]:
        """Per model: mean metrics per coverage, `per_month` rows, `ci95` and `seconds`."""

        def key(c: float) -> str:
            return f"{c:g}"

        metrics = self.metrics()
        models: dict[str, Any] = {}
        for name, res in self.models.items():
            entry: dict[str, Any] = {
                metric: {key(c): res.mean(metric, c) for c in self.coverage} for metric in metrics
            }
            entry["per_month"] = [
                {
                    label_key: label,
                    **{
                        metric: {key(c): getattr(s, metric)[c] for c in self.coverage}
                        for metric in metrics
                    },
                }
                for label, s in zip(labels, res.per_month, strict=True)
            ]
            entry["ci95"] = {
                metric: {key(c): list(res.interval(metric, c)) for c in self.coverage}
                for metric in metrics
            }
            entry["seconds"] = res.seconds
            models[name] = entry
        return models


@dataclass(kw_only=True)
class BacktestResult(Scores):
    """A backtest over months (month indexes)."""

    months: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The DESIGN.md schema, plus `recommended`, the `baseline` comparison behind it and a
        `ci95` interval per metric."""
        labels = [month_key(month_of_index(m)) for m in self.months]
        comparison = self.comparison()
        return {
            "cell_size": self.cell_size,
            "months": labels,
            "coverage": self.coverage,
            "models": self.to_json_entries(labels),
            "baseline": comparison.to_json(),
            "recommended": comparison.recommended,
        }


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
        cell_size=area.cell_size,
        coverage=[float(c) for c in coverage],
        models={name: ModelResult() for name in models},
        months=list(months),
    )
    jobs = [(m, name) for m in months for name in models]
    for month, name in progress(jobs, len(jobs)):
        observed = targets.subset(targets.month == month)
        actual = observed.counts(area.n_cells, range(month, month + 1))[0]
        harm = (
            observed.counts(area.n_cells, range(month, month + 1), harm=True)[0]
            if targets.harm is not None
            else None
        )
        started = time.perf_counter()
        scores = models[name]().fit(events, area, month).predict()
        result.models[name].seconds += time.perf_counter() - started
        result.models[name].per_month.append(score_month(scores, actual, result.coverage, harm))
    return result


@dataclass(kw_only=True)
class PeriodBacktest(Scores):
    """A backtest over shifts or days: like `BacktestResult`, with labelled periods."""

    by: str = "shift"
    labels: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        comparison = self.comparison()
        return {
            "cell_size": self.cell_size,
            "by": self.by,
            "periods": self.labels,
            "coverage": self.coverage,
            "models": self.to_json_entries(self.labels, label_key="period"),
            "baseline": comparison.to_json(),
            "recommended": comparison.recommended,
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
    labels = [label for label, _ in starts]
    result = PeriodBacktest(
        cell_size=area.cell_size,
        coverage=[float(c) for c in coverage],
        models={name: ModelResult() for name in models},
        # A day's shifts share their history: the bootstrap resamples days.
        blocks=[label.split(" ")[0] for label in labels] if by == "shift" else None,
        by=by,
        labels=labels,
    )
    jobs = [(label, start, name) for label, start in starts for name in models]
    for _, start, name in progress(jobs, len(jobs)):
        t0 = start_day(start)
        inside = known & (targets.day >= t0) & (targets.day < t0 + horizon_hours / 24.0)
        actual = np.bincount(
            targets.cell[inside], weights=targets.weight[inside], minlength=area.n_cells
        ).astype(np.float64)
        harm = (
            np.bincount(
                targets.cell[inside], weights=targets.harm[inside], minlength=area.n_cells
            ).astype(np.float64)
            if targets.harm is not None
            else None
        )
        started = time.perf_counter()
        scores = models[name]().fit(events, area, start).predict()
        result.models[name].seconds += time.perf_counter() - started
        result.models[name].per_month.append(score_month(scores, actual, result.coverage, harm))
    return result
