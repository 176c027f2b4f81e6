"""`streetlight plan`: units per post for each shift, from next month's hotspot forecast."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from streetlight.cli.options import (
    BoundaryOption,
    BriefingsOption,
    BusyWeightOption,
    CategoryOption,
    CellOption,
    DatabaseOption,
    ForceOption,
    GapOption,
    MaxPerPostOption,
    ModelOption,
    OfficersOption,
    PlacesOption,
    PlanHarmOption,
    PlanMonthOption,
    PlanOutOption,
    ProfileOption,
    RadiusOption,
    ReportsDemandOption,
    ReportsWeightOption,
    ScheduleOutOption,
    SeedOption,
    ShiftsOption,
    StoreOption,
    StreetsOption,
    TimeLimitOption,
    UnitSizeOption,
    UnitsOutOption,
    WomenShareOption,
    database_url,
    month_flag,
    parse_shares,
    plan_settings,
    store_at,
)
from streetlight.cli.printing import layer_line
from streetlight.cli.terminal import cli_errors, out
from streetlight.deploy import defaults
from streetlight.store.store import Store

if TYPE_CHECKING:
    from streetlight.deploy.export import Written
    from streetlight.deploy.month import MonthPlan, ReportDemand


def plan_command(
    month: PlanMonthOption,
    officers: OfficersOption,
    out_files: PlanOutOption,
    category: CategoryOption = [defaults.VIOLENCE],  # noqa: B006 - Typer never mutates it
    harm: PlanHarmOption = defaults.HARM,
    shifts: ShiftsOption = defaults.SHIFT_SHARES,
    profile: ProfileOption = None,
    unit_size: UnitSizeOption = defaults.UNIT_SIZE,
    radius: RadiusOption = defaults.RADIUS_M,
    max_per_post: MaxPerPostOption = defaults.MAX_PER_POST,
    women_share: WomenShareOption = defaults.WOMEN_SHARE,
    time_limit: TimeLimitOption = defaults.TIME_LIMIT_S,
    model: ModelOption = None,
    store: StoreOption = None,
    force: ForceOption = None,
    cell: CellOption = defaults.CELL_M,
    boundary: BoundaryOption = None,
    schedule: ScheduleOutOption = None,
    units_out: UnitsOutOption = None,
    briefings: BriefingsOption = None,
    places_file: PlacesOption = None,
    busy_weight: BusyWeightOption = defaults.BUSY_WEIGHT,
    gap: GapOption = defaults.GAP,
    streets: StreetsOption = None,
    seed: SeedOption = 0,
    reports: ReportsDemandOption = False,
    reports_weight: ReportsWeightOption = defaults.REPORTS_WEIGHT,
    database: DatabaseOption = None,
) -> None:
    """Place patrol units on posts for each shift to cover the most forecast harm.

    Crimes are weighed by --harm: by default the Cambridge Crime Harm Index days per category
    that ship with Streetlight (its source and caveats are printed with the plan), or the
    force's own table; with one crime type the posts are the same and only the objective's
    unit changes.

    With --reports, every study-area cell holding accepted public reports of feeling unsafe
    becomes women's-safety demand: it counts towards --women-share and adds up to 2 W hot-cell
    equivalents (W = --reports-weight; docs/reports.md says how, and why).
    """
    from streetlight.deploy.export import PlanOutputs, write_plan
    from streetlight.deploy.month import PlanRequest, deploy

    with cli_errors():
        request = PlanRequest(
            month=month_flag(month, "--month"),
            settings=plan_settings(
                officers=officers,
                shifts=shifts,
                unit_size=unit_size,
                radius=radius,
                max_per_post=max_per_post,
                women_share=women_share,
                time_limit=time_limit,
                busy_weight=busy_weight,
                gap=gap,
            ),
            categories=tuple(category),
            model=model,
            force=force,
            cell_size=cell,
            boundary=boundary,
            harm=harm,
            harm_share=parse_shares(profile, "--profile") if profile else None,
            places_file=places_file,
            reports_database=database_url(store, database) if reports else None,
            reports_weight=reports_weight,
        )
        plan = deploy(Store.open(store_at(store)), request)
        _print_plan(plan, month, officers)
        outputs = PlanOutputs(
            files=tuple(out_files),
            units=units_out,
            schedule=schedule,
            briefings=briefings,
            streets=streets,
            seed=seed,
        )
        _print_written(write_plan(plan, outputs))


def _print_written(written: Iterable[Written]) -> None:
    """One line per file as it is written (a later failure leaves the earlier lines true)."""
    for file in written:
        count = f"{file.briefings} briefings and " if file.briefings is not None else ""
        out.print(f"wrote {count}{file.path}")


def _print_plan(plan: MonthPlan, month: str, officers: int) -> None:
    """What was planned with what (the harm weights with their caveats), then one line per
    shift: units, harm share, the MILP's objective, gap and seconds, and its gain over the
    greedy baseline."""
    settings, forecast = plan.settings, plan.forecast
    out.print(
        f"{forecast.force} {month}: {officers} officers, units of {settings.unit_size}, "
        f"{settings.radius:g} m radius, {forecast.area.n_cells:,} candidate cells"
    )
    out.print(
        f"busy places: snap-point cells weigh {settings.busy_weight:g} hot-cell equivalents"
        + "".join(f"; {p.name} {p.weight:g}" for p in plan.busy_places)
    )
    out.print(plan.harm.describe(), soft_wrap=True)
    if plan.outside:
        out.print(f"outside the study area, not used: {', '.join(plan.outside)}")
    if plan.reports is not None:
        _print_reports(plan.reports)
    # Objectives are in the harm table's unit: CCHI days run to millions on a force's plan.
    out.print(
        f"{'shift':<7}{'officers':>9}{'units':>6}{'harm':>6}{'covered':>13}"
        f"{'gap':>7}{'s':>6}{'greedy':>13}{'gain':>7}"
    )
    for p in plan.plans:
        gain = p.milp.objective / p.greedy.objective - 1 if p.greedy.objective else 0.0
        out.print(
            f"{p.shift:<7}{settings.officers[p.shift]:>9}{int(p.milp.units.sum()):>6}"
            f"{p.demand_share:>6.2f}{p.milp.objective:>13,.1f}{p.milp.gap:>7.2%}"
            f"{p.milp.seconds:>6.1f}{p.greedy.objective:>13,.1f}{gain:>7.1%}"
        )


def _print_reports(reports: ReportDemand) -> None:
    """The public reports weighed: how many, W's scale, and the weight per reports in a cell."""
    layer, weight = reports.layer, reports.weight
    out.print(layer_line(layer, reports.accepted), soft_wrap=True)
    out.print(
        f"  women's-safety weight W {weight:g} hot-cell equivalents at "
        f"{reports.top_mean:.3g} reports a cell (top 1% mean), at most {2 * weight:g}",
        soft_wrap=True,
    )
    out.print(
        "  reports in a cell: weight (cells) "
        + ", ".join(
            f"{layer.reports[p.cells[0]]}: {p.weight:.3g} ({len(p.cells):,})"
            for p in reports.places
        ),
        soft_wrap=True,
    )
