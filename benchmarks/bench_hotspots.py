"""Hotspot forecasts: accuracy on real data against the best simple baseline, the noise ceiling,
and speed.

    uv run python benchmarks/bench_hotspots.py [--skip-accuracy] [--skip-shifts] [--skip-speed]

Accuracy by month: rolling-origin backtests of every monthly model on Cleveland (2024-12 ..
2025-11), City of London (2025-01 .. 2025-12) "Violence and sexual offences" and St. Louis
(2019-01 .. 2019-12, its violent crime types), 150 m cells, from the data beside the repository
(../shared/data). Each model's gain over the best simple baseline comes with its paired-bootstrap
interval, and the recommended model's ratio to that baseline is printed (the target: never below
0.99). The ceiling rows score oracles that know other months' counts, including the months after
the forecast (equally weighted, or by distance in time on both sides): no honest model can expect
to do better, so they show how much room the target month's chance variation leaves.

Accuracy by shift: the same on St. Louis's 276 shifts of 2019-10 .. 2019-12 (local time), with the
shift-level ceiling: oracles that rank cells by every other event of the five years, before and
after the shift, equally weighted or by distance in time (best of several half-lives), over all
hours or only the shift's hours of the day.

Speed: fit + predict of one month from 1M synthetic incidents on a 150 m grid over 50 x 50 km,
and a 12-month backtest of the non-learned models on Cleveland. Figures are best of 3.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path

import numpy as np

from streetlight.evaluate.backtest import Scores, backtest, backtest_periods
from streetlight.evaluate.metrics import score_month
from streetlight.geo.grid import Grid
from streetlight.hotspots.base import EventSet, HotspotModel, StudyArea, month_index, start_day
from streetlight.hotspots.periods import shift_starts
from streetlight.hotspots.registry import (
    DEFAULT_MODELS,
    PERIOD_MODELS,
    make_model,
    make_period_model,
)
from streetlight.ingest import ingest
from streetlight.ingest.mapping import MappedFormat, load_mapping
from streetlight.store import Store

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
MAPPINGS = Path(__file__).resolve().parents[1] / "mappings"
VIOLENCE = "Violence and sexual offences"
ST_LOUIS_VIOLENCE = (
    "Aggravated assault",
    "Other assaults",
    "Robbery",
    "Rape",
    "Homicide",
    "Sex offenses",
)
CASES = {
    "cleveland": (
        "police-uk/cleveland-2023-01_2025-11.zip",
        date(2024, 12, 1),
        date(2025, 11, 1),
        (VIOLENCE,),
    ),
    "city-of-london": (
        "police-uk/city-of-london-2017-01_2025-12.zip",
        date(2025, 1, 1),
        date(2025, 12, 1),
        (VIOLENCE,),
    ),
    "st-louis": (
        "force-exports/st-louis-2015_2019.zip",
        date(2019, 1, 1),
        date(2019, 12, 1),
        ST_LOUIS_VIOLENCE,
    ),
}
SHIFTS = (date(2019, 10, 1), date(2019, 12, 31), "America/Chicago")
HALF_LIVES_DAYS = (7, 30, 91, 182, 365, 730)


def load(force: str, store_root: Path) -> tuple[EventSet, StudyArea]:
    source, _, _, categories = CASES[force]
    store = Store.open(store_root / force, create=True)
    fmt = MappedFormat(load_mapping(MAPPINGS / "st-louis.toml")) if force == "st-louis" else None
    ingest([SHARED / source], store, fmt)
    incidents = store.incidents(force=force)
    area = StudyArea.from_incidents(incidents, 150.0, store.forces[force].crs)
    return EventSet.from_incidents(incidents, area, targets=list(categories)), area


def ceiling(events: EventSet, area: StudyArea, months: list[int]) -> dict[str, float]:
    """Mean PAI@5% of oracles that see other months, the future included (leaky on purpose).

    "all months": every month's counts, the forecast month's too; "all other months": the same
    without it; "both sides": counts of the months before and after the forecast month weighted
    by half-lives of 1 to 24 months, the best of them, so a rate that drifts is followed too.
    """
    targets = events.targets()
    span = range(int(targets.month.min()), int(targets.month.max()) + 1)
    every = targets.counts(area.n_cells, span).astype(np.float64)
    total = every.sum(axis=0)
    scores: dict[str, list[float]] = {"all months": [], "all other months": []}
    for m in months:
        actual = every[m - span.start]
        scores["all months"].append(score_month(total, actual, [5]).pai[5])
        scores["all other months"].append(score_month(total - actual, actual, [5]).pai[5])
    result = {name: float(np.mean(values)) for name, values in scores.items()}
    best = 0.0
    for half_life in (1, 2, 3, 4, 6, 9, 12, 18, 24):
        pais = []
        for m in months:
            distance = np.abs(np.arange(len(span)) - (m - span.start))
            weights = np.where(distance > 0, 0.5 ** (distance / half_life), 0.0)
            pais.append(score_month(weights @ every, every[m - span.start], [5]).pai[5])
        best = max(best, float(np.mean(pais)))
    result["both sides, best half-life"] = best
    return result


def shift_ceiling(
    events: EventSet, area: StudyArea, starts: list[float], hours: float = 8.0
) -> dict[str, float]:
    """Mean PAI@5% over shifts of oracles that see every other dated event, after the shift too.

    Each ranks cells by events outside the shift [t, t + hours): equally weighted ("all other
    events"), or weighted 0.5^(|gap| / H) by their distance in time from the shift, the best of
    several half-lives H ("both sides"); "same hours" counts only events in the shift's hours of
    the day.
    """
    targets = events.targets()
    dated = np.isfinite(targets.day)
    day, cell = targets.day[dated], targets.cell[dated]
    width = hours / 24.0
    variants: dict[str, list[list[float]]] = {}
    for t in starts:
        inside = (day >= t) & (day < t + width)
        actual = np.bincount(cell[inside], minlength=area.n_cells).astype(np.float64)
        if not actual.sum() > 0:
            continue
        gap = np.where(day < t, t - day, np.maximum(day - (t + width), 0.0))
        same = ((day - t) % 1.0) < width
        for hours_name, keep in (("all hours", ~inside), ("same hours", ~inside & same)):
            flat = np.bincount(cell[keep], minlength=area.n_cells).astype(np.float64)
            variants.setdefault(f"all other events, {hours_name}", [[]])[0].append(
                score_month(flat, actual, [5]).pai[5]
            )
            rows = variants.setdefault(
                f"both sides, best half-life, {hours_name}", [[] for _ in HALF_LIVES_DAYS]
            )
            for row, half_life in zip(rows, HALF_LIVES_DAYS, strict=True):
                weights = 0.5 ** (gap[keep] / half_life)
                scores = np.bincount(cell[keep], weights=weights, minlength=area.n_cells).astype(
                    np.float64
                )
                row.append(score_month(scores, actual, [5]).pai[5])
    return {name: max(float(np.mean(row)) for row in rows) for name, rows in variants.items()}


def print_scores(result: Scores, seconds: bool = True) -> str:
    """Each model's PAI@5%, hit rate, PEI and gain over the best simple baseline; returns the
    baseline's name."""
    comparison = result.comparison()
    base = comparison.baseline or ""
    print(
        f"{'model':<16}{'PAI@5%':>8}{'95% interval':>16}{'hit@5%':>8}{'PEI@5%':>8}"
        f"{'vs ' + base:>14}{'paired 95% interval':>22}{'seconds':>9}"
    )
    for name, res in result.models.items():
        lo, hi = res.interval("pai", 5.0)
        gain = comparison.gains[name]
        print(
            f"{name:<16}{res.mean('pai', 5.0):>8.2f}{f'{lo:.2f} .. {hi:.2f}':>16}"
            f"{res.mean('hit_rate', 5.0):>8.3f}{res.mean('pei', 5.0):>8.3f}"
            f"{gain.gain:>+14.1%}{f'{gain.low:+.1%} .. {gain.high:+.1%}':>22}"
            + (f"{res.seconds:>9.1f}" if seconds else "")
        )
    recommended = comparison.recommended
    ratio = result.models[recommended].mean("pai", 5.0) / result.models[base].mean("pai", 5.0)
    print(f"recommended: {recommended}, {ratio:.3f} x the best simple baseline ({base})")
    return base


def accuracy(store_root: Path) -> None:
    for force, (_, first, last, _) in CASES.items():
        events, area = load(force, store_root)
        months = list(range(month_index(first), month_index(last) + 1))
        factories: dict[str, Callable[[], HotspotModel]] = {
            n: partial(make_model, n) for n in DEFAULT_MODELS
        }
        result = backtest(events, area, months, factories)
        print(
            f"\n{force}: {first:%Y-%m} .. {last:%Y-%m}, {area.n_cells:,} cells of 150 m, "
            f"{len(events.targets()):,} violent crimes"
        )
        strongest = print_scores(result)
        base = result.models[strongest].mean("pai", 5.0)
        for name, pai in ceiling(events, area, months).items():
            print(
                f"{'ceiling: ' + name:<40}{pai:>8.2f}  {(pai / base - 1) * 100:+.1f}% vs {strongest}"
            )


def shifts(store_root: Path) -> None:
    events, area = load("st-louis", store_root)
    first, last, zone = SHIFTS
    starts = list(shift_starts(first, last, zone))
    factories: dict[str, Callable[[], HotspotModel]] = {
        n: partial(make_period_model, n, 8.0) for n in PERIOD_MODELS
    }
    result = backtest_periods(events, area, starts, 8.0, factories, by="shift")
    print(
        f"\nst-louis by shift: {first} .. {last}, {len(starts)} shifts ({zone}), "
        f"{area.n_cells:,} cells of 150 m, {len(events.targets()):,} violent crimes"
    )
    strongest = print_scores(result)
    base = result.models[strongest].mean("pai", 5.0)
    oracle = shift_ceiling(events, area, [start_day(t) for _, t in starts])
    for name, pai in oracle.items():
        print(f"{'ceiling: ' + name:<48}{pai:>8.2f}  {(pai / base - 1) * 100:+.1f}% vs {strongest}")


def synthetic(n_events: int = 1_000_000, side_m: float = 50_000.0) -> tuple[EventSet, StudyArea]:
    """1M clustered incidents over 36 months on a 50 x 50 km square of 150 m cells."""
    rng = np.random.default_rng(42)
    n_events = int(n_events * 1.01)  # a few fall on the far edge and are dropped
    centres = rng.uniform(0, side_m, size=(400, 2))
    pick = rng.integers(0, len(centres), n_events)
    xy = np.clip(centres[pick] + rng.normal(0, 600, size=(n_events, 2)), 0, side_m - 1)
    grid = Grid(150.0)
    n = int(side_m // 150)
    i, j = np.meshgrid(np.arange(n, dtype=np.int64), np.arange(n, dtype=np.int64), indexing="ij")
    area = StudyArea(grid, i.ravel(), j.ravel(), "EPSG:27700")
    cell = area.locate(xy[:, 0], xy[:, 1])
    xy, cell = xy[cell >= 0], cell[cell >= 0]
    n_events = len(cell)
    months = month_index(date(2023, 1, 1)) + rng.integers(0, 36, n_events)
    events = EventSet(
        cell,
        xy[:, 0],
        xy[:, 1],
        months.astype(np.int64),
        np.full(n_events, np.nan),
        np.ones(n_events),
        np.full(n_events, VIOLENCE),
        np.full(n_events, None),
    )
    return events, area


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def speed(store_root: Path) -> None:
    events, area = synthetic()
    until = month_index(date(2026, 1, 1))
    print(f"\nfit + predict, 1,000,000 incidents, {area.n_cells:,} cells (50 x 50 km, 150 m):")
    for name in ("last-month", "rolling-12", "ew-6", "kde", "prospective", "gistar"):
        model = make_model(name)
        seconds = best_of(partial(lambda m: m.fit(events, area, until).predict(), model))
        print(f"  {name:<14}{seconds:>7.3f} s")
    cleveland, cl_area = load("cleveland", store_root)
    months = list(range(month_index(date(2024, 12, 1)), month_index(date(2025, 11, 1)) + 1))
    names = ["last-month", "rolling-12", "ew-6", "ew-12", "kde", "prospective"]
    factories: dict[str, Callable[[], HotspotModel]] = {n: partial(make_model, n) for n in names}
    seconds = best_of(lambda: backtest(cleveland, cl_area, months, factories))
    print(f"12-month backtest of {len(names)} non-learned models on Cleveland: {seconds:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-accuracy", action="store_true")
    parser.add_argument("--skip-shifts", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if not args.skip_accuracy:
            accuracy(Path(tmp))
        if not args.skip_shifts:
            shifts(Path(tmp))
        if not args.skip_speed:
            speed(Path(tmp))


if __name__ == "__main__":
    main()
