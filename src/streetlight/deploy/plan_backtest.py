"""Patrol plans proved on held-out months of the store: the library behind `streetlight
plan-backtest` (the method is `deploy.evaluation`'s).

`backtest_plans` reads the harm table, the force's incidents (weighted by it) and places once,
learns each month's shift profile from the months before it, and runs
`deploy.evaluation.plan_backtest`: the forecasts, the shift shares and the held-out crimes the
plans are scored on are all weighed by the one table, as `streetlight plan` weighs them; `write_plan_backtest`
writes the JSON and, when asked, a Markdown report with its plot.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from streetlight.deploy.defaults import CELL_M, HARM, VIOLENCE
from streetlight.deploy.errors import PlanInputError
from streetlight.deploy.evaluation import (
    METHODS,
    Evaluation,
    PlanBacktest,
    plan_backtest,
    report_markdown,
)
from streetlight.deploy.harm import PlanHarm
from streetlight.deploy.places import read_places
from streetlight.deploy.plan import PlanSettings, shift_profile
from streetlight.hotspots.base import EventSet, month_index, month_of_index
from streetlight.hotspots.forecast import resolve_force, study_area
from streetlight.hotspots.registry import RECOMMENDED, make_model
from streetlight.progress import Progress, no_progress
from streetlight.store.months import month_key
from streetlight.store.store import Store


@dataclass(frozen=True, kw_only=True)
class PlanBacktestRequest:
    """What to prove, by keyword only.

    Attributes:
        first, last: the first and last held-out months (first days), both included.
        settings: the plans' parameters; the places read here are added to its `places`.
        categories: crime types forecast and scored.
        model: forecast behind the MILP and greedy plans; None: the recommended one.
        baseline: model ranking cells for the top-cells plan; None: `model`.
        force: force slug, needed when the store holds several.
        cell_size: study-area cell size, metres.
        boundary: GeoJSON polygons: the study area.
        places_file: GeoJSON of a planner's busy places.
        harm: the harm table crimes are weighed by (`deploy.harm`): `cchi` (the default, as
            `streetlight plan`'s), a TOML file of the force's own, or None (or `none`) to
            count every crime as 1.
    """

    first: date
    last: date
    settings: PlanSettings
    categories: tuple[str, ...] = (VIOLENCE,)
    model: str | None = None
    baseline: str | None = None
    force: str | None = None
    cell_size: float = CELL_M
    boundary: Path | None = None
    places_file: Path | None = None
    harm: str | Path | None = HARM


@dataclass(frozen=True)
class StorePlanBacktest:
    """A plan backtest of one force's store: whose, on what, weighed by which harm table, and
    the scores."""

    force: str
    categories: tuple[str, ...]
    result: PlanBacktest
    harm: PlanHarm

    def to_json(self) -> dict[str, Any]:
        """The `--out` JSON (`cli/plan_backtest_cmd.py` documents every key)."""
        return {
            "force": self.force,
            "categories": list(self.categories),
            "harm_table": self.harm.source,
            **self.result.to_json(),
        }


def backtest_plans(
    store: Store, request: PlanBacktestRequest, progress: Progress = no_progress
) -> StorePlanBacktest:
    """Plan each held-out month from the months before it and score the plans on it.

    The shift profile of month m is `deploy.plan.shift_profile` of m, which learns from the
    months before m only. Unknown model names, a harm table that cannot be read and a range
    with nothing to learn from or nothing to score fail before any planning."""
    plan_model = request.model or RECOMMENDED
    rank_model = request.baseline or plan_model
    for name in (plan_model, rank_model):
        make_model(name)
    harm = PlanHarm.load(request.harm)
    slug = resolve_force(store, request.force)
    area = study_area(store, slug, request.cell_size, request.boundary)
    incidents = store.incidents(force=slug, end=request.last)
    weights = harm.weights(incidents["category"].unique().to_list())
    events = EventSet.from_incidents(incidents, area, weights, targets=list(request.categories))
    check_range(events, request.first, request.last, request.categories)
    months = list(range(month_index(request.first), month_index(request.last) + 1))
    profiles = {
        m: shift_profile(store, slug, request.categories, month_of_index(m), harm=harm.table)
        for m in months
    }
    places, _ = read_places(request.places_file, area) if request.places_file else ([], [])
    settings = replace(request.settings, places=(*request.settings.places, *places))
    spec = Evaluation(settings, plan_model, rank_model, store.forces[slug].timezone or "UTC")
    result = plan_backtest(events, area, months, profiles, spec, progress=progress)
    return StorePlanBacktest(slug, request.categories, result, harm)


def check_range(events: EventSet, first: date, last: date, categories: tuple[str, ...]) -> None:
    """Fail before planning when there is nothing to learn from or nothing to score on."""
    targets = events.targets()
    what = ", ".join(repr(c) for c in categories)
    if not (targets.month < month_index(first)).any():
        raise PlanInputError(
            f"no incidents of {what} before {month_key(first)}: nothing to plan from"
        )
    latest = int(targets.month.max())
    if month_index(last) > latest:
        raise PlanInputError(
            f"--to {month_key(last)} is after the last month with incidents of {what} "
            f"({month_key(month_of_index(latest))}): nothing to score"
        )


def write_plan_backtest(run: StorePlanBacktest, out_file: Path, report: Path | None) -> None:
    """The JSON at `out_file`; with `report`, a Markdown report there and its plot beside it
    (`<stem>-covered-share.png`)."""
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_text(json.dumps(run.to_json(), indent=1), encoding="utf-8")
    if report:
        plot = report.with_name(f"{report.stem}-covered-share.png")
        report.parent.mkdir(parents=True, exist_ok=True)
        plot_covered_share(run.result, plot)
        title = f"Patrol plans on held-out months: {', '.join(run.categories)}, {run.force}"
        text = report_markdown(run.result, title, plot.name, harm=run.harm.describe())
        report.write_text(text, encoding="utf-8")


def plot_covered_share(result: PlanBacktest, path: Path) -> None:
    """Covered share per month per method, one panel per shift (PNG, matplotlib Agg)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [month_key(month_of_index(m)) for m in result.months]
    shifts = result.shifts
    fig, axes = plt.subplots(
        1, len(shifts), figsize=(4.5 * len(shifts), 4), dpi=110, sharey=True, squeeze=False
    )
    for ax, shift in zip(axes[0], shifts, strict=True):
        for method in METHODS:
            ax.plot(labels, result.values(method, shift, "covered_share"), marker="o", label=method)
        ax.set_title(f"{shift}: share of the month's crimes covered")
        ax.tick_params(axis="x", rotation=45)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel("covered share")
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
