"""A backtest of a force's store, by month or by shift or day: the library behind
`streetlight backtest` (the method is `evaluate.backtest`'s).

`run_backtest` reads the force's incidents once (harm-weighted when a table is given), checks
every model name before any work, and rolls the origin over the months, or over every local
shift or day of them; `write_backtest` writes the JSON and, for months, the Markdown report.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property, partial
from pathlib import Path
from typing import Any

from streetlight.errors import ForecastError, UnknownTimeZoneError
from streetlight.evaluate.backtest import BacktestResult, PeriodBacktest, backtest, backtest_periods
from streetlight.hotspots.base import EventSet, StudyArea, month_index
from streetlight.hotspots.forecast import resolve_force, study_area
from streetlight.hotspots.harm import harm_or_default, load_harm
from streetlight.hotspots.periods import day_starts, shift_starts
from streetlight.hotspots.registry import (
    DEFAULT_MODELS,
    PERIOD_MODELS,
    make_model,
    make_period_model,
)
from streetlight.progress import Progress, no_progress
from streetlight.shifts import SHIFT_HOURS
from streetlight.store.store import Store

BY = ("month", "shift", "day")
COVERAGES = (1.0, 2.0, 5.0, 10.0)  # per cent of the study area (DESIGN.md's metrics)
CELL_M = 150.0  # study-area cell size, metres
DAY_HOURS = 24.0


class BacktestSettingsError(ForecastError, ValueError):
    """A backtest asked of an impossible time scale or range."""


class BacktestFileError(ForecastError):
    """A backtest JSON file that cannot be read or recommends no model."""


@dataclass(frozen=True, kw_only=True)
class BacktestRequest:
    """What to backtest, by keyword only.

    Attributes:
        first, last: the first and last forecast months (first days), both included.
        categories: crime types forecast and scored.
        models: model names; None: the standard set for `by` (`hotspots.registry`).
        coverages: per cent of the study area the metrics select.
        force: force slug, needed when the store holds several.
        cell_size: study-area cell size, metres.
        boundary: GeoJSON polygons: the study area.
        harm: harm-weight table (TOML, or `cchi`) weighting the crimes the models count and the
            metrics score; None counts each crime as one and adds a harm PEI weighted by the
            CCHI default (when it weighs every category forecast).
        by: "month", or "shift" / "day" for sources with date-times.
        timezone: local time zone of the shifts and days; None: the force's, else UTC.
    """

    first: date
    last: date
    categories: tuple[str, ...]
    models: tuple[str, ...] | None = None
    coverages: tuple[float, ...] = COVERAGES
    force: str | None = None
    cell_size: float = CELL_M
    boundary: Path | None = None
    harm: Path | None = None
    by: str = "month"
    timezone: str | None = None

    def __post_init__(self) -> None:
        if self.by not in BY:
            raise BacktestSettingsError(f"--by must be month, shift or day, not {self.by!r}")

    @property
    def horizon(self) -> float:
        """Hours a shift or day forecast covers."""
        return DAY_HOURS if self.by == "day" else float(SHIFT_HOURS)

    def model_names(self) -> list[str]:
        """The models to run; unknown names fail here, before any work."""
        names = list(self.models or (DEFAULT_MODELS if self.by == "month" else PERIOD_MODELS))
        for name in names:
            make_model(name) if self.by == "month" else make_period_model(name, self.horizon)
        return names


@dataclass(frozen=True)
class StoreBacktest:
    """A backtest of one force's store and what it ran on.

    Attributes:
        force: force slug.
        categories: crime types scored.
        area: the study area.
        result: the scores: per month, or per shift or day (`PeriodBacktest`).
        timezone: the local time zone of the shifts or days (None for months).
        harm_note: what must be said of the harm weights used (their caveats, or why the harm
            PEI is left out; "" for a force's own table).
    """

    force: str
    categories: tuple[str, ...]
    area: StudyArea
    result: BacktestResult | PeriodBacktest
    timezone: str | None = None
    harm_note: str = ""

    @cached_property
    def data(self) -> dict[str, Any]:
        """The result as JSON data (computed once: the recommendation bootstraps)."""
        return self.result.to_json()


def run_backtest(
    store: Store, request: BacktestRequest, progress: Progress = no_progress
) -> StoreBacktest:
    """Forecast each month (or shift, or day) from the time before it with every model and
    score them side by side."""
    names = request.model_names()
    slug = resolve_force(store, request.force)
    area = study_area(store, slug, request.cell_size, request.boundary)
    incidents = store.incidents(force=slug, end=request.last)
    table = load_harm(request.harm) if request.harm else None
    scoring, note = harm_or_default(table, request.categories)
    known = incidents["category"].unique().sort().to_list()
    events = EventSet.from_incidents(
        incidents,
        area,
        table.as_dict(known) if table else None,
        targets=list(request.categories),
        harm=scoring.as_dict(known) if scoring else None,
    )
    if request.by == "month":
        months = range(month_index(request.first), month_index(request.last) + 1)
        models = {n: partial(make_model, n) for n in names}
        result = backtest(events, area, list(months), models, request.coverages, progress)
        return StoreBacktest(slug, request.categories, area, result, None, note)
    zone = request.timezone or store.forces[slug].timezone or "UTC"
    last_day = (request.last.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    try:
        starts = list(
            (shift_starts if request.by == "shift" else day_starts)(request.first, last_day, zone)
        )
    except (KeyError, ValueError) as exc:
        raise UnknownTimeZoneError(f"--timezone: unknown time zone {zone!r}") from exc
    period = backtest_periods(
        events,
        area,
        starts,
        request.horizon,
        {n: partial(make_period_model, n, request.horizon) for n in names},
        request.coverages,
        by=request.by,
        progress=progress,
    )
    return StoreBacktest(slug, request.categories, area, period, zone, note)


def write_backtest(run: StoreBacktest, json_out: Path | None, report: Path | None) -> None:
    """The JSON (DESIGN.md's layout) at `json_out`; for a monthly backtest with `report`, the
    Markdown report and its plots in that folder (`evaluate.report`)."""
    from streetlight.evaluate.report import write_report

    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps(run.data, indent=1), encoding="utf-8")
    if report and isinstance(run.result, BacktestResult):
        title = f"Backtest: {', '.join(run.categories)}, {run.force}"
        write_report(run.result, report, title)


def recommended_model(path: Path) -> str:
    """The model a `backtest --json` file recommends."""
    try:
        name = json.loads(path.read_text(encoding="utf-8"))["recommended"]
    except (OSError, ValueError, KeyError) as exc:
        raise BacktestFileError(
            f"{path}: not a backtest JSON with a 'recommended' model ({exc})"
        ) from exc
    return str(name)
