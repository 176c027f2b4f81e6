"""The README's main job: bundled sample -> incident store -> where violence concentrates -> maps
-> next month's hotspot forecast -> a patrol plan for 650 officers with briefings.

The forecast and the plan weigh crimes by the harm table `streetlight plan` uses by default
(`deploy.defaults.HARM`, the packaged Cambridge Crime Harm Index), so the demo's plan is the one
the command would make, and its summary says the table's source and caveats.

It also seeds a demo force into the embedded database beside the store (officers on duty in
Middlesbrough, operator and supervisor accounts: `streetlight.demo.force`), so that
`streetlight serve` then shows on-the-spot verification end to end, and an offender unit whose
caseloads are synthetic people (`streetlight.demo.unit`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from streetlight.deploy.defaults import HARM, REPORTS_WEIGHT, VIOLENCE
from streetlight.deploy.harm import PlanHarm
from streetlight.errors import ConfigError
from streetlight.geo.boundary import Ring, read_rings
from streetlight.hotspots.base import month_index, month_of_index
from streetlight.hotspots.concentration import Concentration, concentration
from streetlight.hotspots.forecast import Forecast, make_forecast
from streetlight.hotspots.registry import RECOMMENDED
from streetlight.ingest import IngestReport, ingest
from streetlight.maps.cells import cells_html, cells_png
from streetlight.progress import Progress, no_progress
from streetlight.reports.overlay import write_forecast_files
from streetlight.store.months import month_key, parse_month
from streetlight.store.store import Store

if TYPE_CHECKING:
    from streetlight.demo.force import DemoForce
    from streetlight.reports.perception import PerceptionLayer

SAMPLE_FORCE = "cleveland"


class SampleNotFoundError(ConfigError):
    """The bundled sample is not where the demo looks (an installed package without it)."""


def sample_dir() -> Path:
    """The bundled sample: `$STREETLIGHT_SAMPLE`, else `data/sample` of the source checkout."""
    env = os.environ.get("STREETLIGHT_SAMPLE")
    path = Path(env) if env else Path(__file__).resolve().parents[3] / "data" / "sample"
    if not path.is_dir():
        raise SampleNotFoundError(f"{path}: bundled sample not found (set STREETLIGHT_SAMPLE)")
    return path


@dataclass(frozen=True)
class DemoResult:
    ingest: IngestReport
    concentration: Concentration
    first_month: str
    last_month: str
    png: Path
    html: Path
    csv: Path
    summary: Path
    summary_lines: tuple[str, ...]
    forecast: Forecast
    forecast_files: tuple[Path, ...]
    plan_files: tuple[Path, ...]
    force: DemoForce | None = None


def run_demo(
    store_path: Path,
    out_dir: Path,
    *,
    months: int = 12,
    cell_size: float = 150.0,
    category: str = VIOLENCE,
    progress: Progress = no_progress,
    seed_force: bool = True,
) -> DemoResult:
    """Ingest the sample, rank 150 m cells by violence over the last `months` months, draw maps,
    forecast next month and plan its patrols; with `seed_force`, also seed the demo force and
    its public reports for the web app (see the module docstring)."""
    sample = sample_dir()
    store = Store.open(store_path, create=True)
    report = ingest(sorted(sample.glob("*.zip")), store, progress=progress)
    rings = read_rings(sample / "cleveland-lsoa-2011.geojson", store.forces[SAMPLE_FORCE].crs)
    out_dir.mkdir(parents=True, exist_ok=True)
    seen = _concentration(
        store, out_dir, rings, months=months, cell_size=cell_size, category=category
    )
    forecast_month = month_of_index(month_index(seen.last) + 1)
    harm = PlanHarm.load(HARM)  # one forecast for the maps and the plan, weighted as `plan` does
    forecast = make_forecast(
        store,
        [category],
        forecast_month,
        RECOMMENDED,
        force=SAMPLE_FORCE,
        cell_size=cell_size,
        harm=harm.table,
    )
    force = _seed_force(store_path) if seed_force else None
    perception = _seed_reports(store_path, sample, forecast) if seed_force else None
    stem = out_dir / f"hotspots-{month_key(forecast_month)}"
    forecast_files = tuple(
        write_forecast_files(
            forecast, [stem.with_suffix(s) for s in (".png", ".html", ".csv")], rings, perception
        )
    )
    plan_lines, plan_files = _plan(
        store, forecast, harm, rings, out_dir / f"plan-{month_key(forecast_month)}", perception
    )
    lines = (
        *seen.lines,
        _forecast_line(forecast),
        *((_reports_line(perception),) if perception is not None else ()),
        *plan_lines,
    )
    return DemoResult(
        ingest=report,
        concentration=seen.concentration,
        first_month=month_key(seen.first),
        last_month=month_key(seen.last),
        png=seen.png,
        html=seen.html,
        csv=seen.csv,
        summary=_write_summary(out_dir / "summary.md", seen, lines),
        summary_lines=lines,
        forecast=forecast,
        forecast_files=forecast_files,
        plan_files=plan_files,
        force=force,
    )


@dataclass(frozen=True)
class _Seen:
    """Where the last months' crimes concentrated, and the maps and cells written of it."""

    concentration: Concentration
    first: date
    last: date
    title: str
    lines: tuple[str, ...]
    png: Path
    html: Path
    csv: Path


def _concentration(
    store: Store,
    out_dir: Path,
    rings: Sequence[Ring],
    *,
    months: int,
    cell_size: float,
    category: str,
) -> _Seen:
    """Rank the cells by `category` over the sample's last `months` months and draw them."""
    last = max(parse_month(p.month) for p in store.manifest.partitions if p.force == SAMPLE_FORCE)
    first = month_of_index(month_index(last) - (months - 1))
    crimes = store.incidents(force=SAMPLE_FORCE, start=first, end=last).filter(
        pl.col("category") == category
    )
    conc = concentration(
        crimes, study_area=store.incidents(force=SAMPLE_FORCE), cell_size=cell_size
    )
    span = f"{month_key(first)} .. {month_key(last)}"
    lines = (
        f"{conc.crimes:,} located '{category}' crimes in Cleveland, {span}, on "
        f"{conc.study_cells:,} cells of {cell_size:g} m (the study area).",
        f"The top 1% of cells ({conc.top_k(1)}) hold {conc.share_in_top(1):.1%} of them; "
        f"the top 5% ({conc.top_k(5)}) hold {conc.share_in_top(5):.1%}.",
        f"Half of them happened in {conc.area_holding(0.5):.1%} of the study area.",
        "Busiest place: "
        + (conc.cells["top_location"][0] or "unnamed")
        + f" ({conc.cells['count'][0]} crimes).",
    )
    title = f"Where violence concentrates: Cleveland, {span}"
    png = cells_png(conc.cells, cell_size, out_dir / "violence-concentration.png", title, rings)
    html = cells_html(
        conc.cells, cell_size, out_dir / "violence-concentration.html", title, rings, summary=lines
    )
    csv = out_dir / "violence-cells.csv"
    conc.cells.write_csv(csv)
    return _Seen(conc, first, last, title, lines, png, html, csv)


def _forecast_line(forecast: Forecast) -> str:
    top = forecast.table().head(5).select("rank", "place", "cell_id")
    places = "; ".join(f"{rank}. {place or cell_id}" for rank, place, cell_id in top.iter_rows())
    return f"Forecast for {month_key(forecast.month)} ({RECOMMENDED}): the top places are {places}."


def _write_summary(path: Path, seen: _Seen, lines: Sequence[str]) -> Path:
    """The summary page: every line the demo printed, the ten busiest cells, the attribution."""
    top = seen.concentration.cells.head(10).select("rank", "count", "top_location", "cell_id")
    table = "\n".join(f"| {r} | {c} | {loc or ''} | {cid} |" for r, c, loc, cid in top.iter_rows())
    path.write_text(
        f"# {seen.title}\n\n"
        + "\n".join(f"- {s}" for s in lines)
        + "\n\n| rank | crimes | most common place | cell |\n|---|---|---|---|\n"
        + table
        + "\n\nContains public sector information licensed under the Open Government Licence v3.0.\n",
        encoding="utf-8",
    )
    return path


def _seed_force(store_path: Path) -> DemoForce:
    from datetime import UTC, datetime

    from streetlight.demo.force import seed_demo_force

    return seed_demo_force(store_path, now=datetime.now(UTC))


DEMO_REPORT_ANCHORS = 30  # the top forecast cells the synthetic public reports cluster around
DEMO_REPORTS_WEIGHT = REPORTS_WEIGHT  # as `streetlight plan --reports-weight`'s default


def _seed_reports(store_path: Path, sample: Path, forecast: Forecast) -> PerceptionLayer:
    """Give the web app its report area (the sample's boundary), seed synthetic public reports
    around the top forecast cells (`streetlight.demo.reports`), and count the accepted ones on
    the forecast's study area: the perception layer the maps draw and the plan weighs."""
    import shutil
    from datetime import UTC, datetime

    from streetlight.db.engine import make_engine, session_factory, sqlite_url
    from streetlight.demo.reports import seed_demo_reports
    from streetlight.reports.area import AREA_FILE_NAME, ReportArea
    from streetlight.reports.dataset import accepted_frame
    from streetlight.reports.perception import perception_from_frame

    area_file = store_path / AREA_FILE_NAME
    if not area_file.exists():
        shutil.copyfile(sample / "cleveland-lsoa-2011.geojson", area_file)
    area = ReportArea.from_geojson(area_file)
    top = forecast.table().head(DEMO_REPORT_ANCHORS)
    anchors = list(zip(top["lon"].to_list(), top["lat"].to_list(), strict=True))
    engine = make_engine(sqlite_url(store_path))
    try:
        with session_factory(engine).begin() as session:
            seed_demo_reports(session, area, anchors, now=datetime.now(UTC))
            frame = accepted_frame(session)
    finally:
        engine.dispose()
    return perception_from_frame(frame, forecast.area)


def _reports_line(layer: PerceptionLayer) -> str:
    cells = int((layer.reports > 0).sum())
    return (
        f"Public reports of feeling unsafe (synthetic, for the demo): {layer.placed:,} accepted "
        f"in {cells:,} cells, drawn on the forecast maps and weighed in the plan as "
        "women's-safety demand."
    )


DEMO_OFFICERS = {"early": 196, "late": 227, "night": 227}  # 650 a day, 30/35/35%


def _plan(
    store: Store,
    forecast: Forecast,
    harm: PlanHarm,
    rings: Sequence[Ring],
    folder: Path,
    perception: PerceptionLayer | None = None,
) -> tuple[tuple[str, ...], tuple[Path, ...]]:
    """Place the force's 650 extra officers for the forecast month: maps, posts, briefings;
    cells with public reports count as women's-safety demand (as `plan --reports`). `harm` is
    the table `forecast` was weighted by; the lines end with its source and caveats."""
    from streetlight.deploy.export import PlanOutputs, write_plan
    from streetlight.deploy.month import ReportDemand, plan_forecast
    from streetlight.deploy.plan import PlanSettings, covered_share

    reports = None
    if perception is not None:  # the layer counts every accepted report, placed or not
        accepted = perception.placed + perception.unplaced
        reports = ReportDemand.of(perception, accepted, DEMO_REPORTS_WEIGHT)
    plan = plan_forecast(
        store,
        forecast,
        PlanSettings(officers=DEMO_OFFICERS),
        harm=harm,
        reports=reports,
        rings=rings,
    )
    outputs = PlanOutputs(
        files=(folder / "plan.png", folder / "plan.html", folder / "posts.csv"),
        schedule=folder / "schedule.csv",
        briefings=folder / "briefings",
    )
    written = [w.path for w in write_plan(plan, outputs)]
    settings = plan.settings
    shifts = "; ".join(
        f"{p.shift} {int(p.milp.units.sum())} units cover "
        f"{covered_share(forecast, p.milp.units, settings.radius):.0%} of the forecast harm"
        f" (gap {p.milp.gap:.2%}, {p.milp.objective / p.greedy.objective - 1:+.0%} over greedy)"
        for p in plan.plans
    )
    line = (
        f"Patrol plan for {month_key(forecast.month)}: {sum(DEMO_OFFICERS.values())} officers in "
        f"units of {settings.unit_size}, {settings.radius:g} m on foot: {shifts}."
    )
    schedule, briefings, png, html, posts = written
    return (line, harm.describe()), (png, html, posts, schedule, briefings)
