"""What several commands print the same way: an ingest's summary (`ingest`, `demo`), the demo
force's accounts (`demo`, `db seed-demo`), the public reports a command used (`hotspots`,
`plan`, `reports layer`), a store's summary (`info`, and the console script's quick path to it
in `entry.py`) and the end of a `--force all` run (`backtest`, `hotspots`, `plan-backtest`).
Kept out of the command modules so none imports another; imports nothing heavier than Rich, so
that quick path stays quick."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.table import Table

from streetlight.cli.terminal import err, out

if TYPE_CHECKING:
    from streetlight.cluster.run import Outcomes
    from streetlight.demo.force import DemoForce
    from streetlight.ingest import IngestReport
    from streetlight.reports.perception import PerceptionLayer
    from streetlight.store.summary import StoreSummary

_SHOW = 8  # list at most this many notes / skipped entries
_GAPS_SHOWN = 6


def print_demo_force(force: DemoForce, store: Path) -> None:
    """The accounts with their passwords and TOTP secrets, and how to start the web app."""
    out.print(
        f"\nDemo force in {force.database} (Middlesbrough; demonstration only):", soft_wrap=True
    )
    for account in force.accounts:
        out.print(
            f"  {account.username:<11} {account.role.value:<15} password {account.password}  "
            f"TOTP secret {account.totp_secret}  ({account.note})",
            soft_wrap=True,
            highlight=False,
        )
    unit = force.unit
    held = " and ".join(f"{name} {n}" for name, n in unit.caseloads)
    out.print(
        f"Offender unit (SYNTHETIC people, not real: {unit.extract}): caseloads {held}, "
        f"highest harm first; {unit.tasks} open tasks, {unit.overdue} overdue; a harm-ranking "
        f"list of {unit.listed} awaiting the unit supervisor's decisions (/unit/list).",
        soft_wrap=True,
        highlight=False,
    )
    out.print(
        "Enrol a TOTP secret in an authenticator app, or print the current code with\n"
        "  python -c \"import pyotp; print(pyotp.TOTP('SECRET').now())\"",
        highlight=False,
    )
    out.print(
        f"Start the web app:  streetlight serve --store {store}\n"
        "then open http://localhost:8000/verify (the public), /signin as dc2207 (the officer "
        "app), as operator (the console) and as analyst (/analyst/reports: the public's "
        "reports of feeling unsafe, made at /report). Walk-throughs: docs/web.md and "
        "docs/reports.md. Positions are stamped now and trusted for 15 minutes: "
        f"`streetlight db seed-demo --store {store}` refreshes them.",
        soft_wrap=True,
        highlight=False,
    )


def print_report(report: IngestReport, quiet: bool = False) -> None:
    """One line of files and rows read; unless `quiet`, quarantine reasons, notes and skips."""
    read = sum(1 for f in report.files if f.status in ("ingested", "empty"))
    already = sum(1 for f in report.files if f.status == "already in store")
    same = len(report.files) - read - already
    line = (
        f"{report.store}: read {read} file(s), {report.rows_read:,} rows: "
        f"{report.accepted:,} accepted, {report.quarantined:,} quarantined"
    )
    if already or same:
        line += f"; {already + same} file(s) skipped as already ingested"
    out.print(line, soft_wrap=True)
    if quiet:
        return
    if report.reasons:
        out.print("Quarantined rows by reason:")
        table = Table(box=None, padding=(0, 2), show_header=False)
        table.add_column("reason")
        table.add_column("rows", justify="right")
        for reason, n in report.reasons.most_common():
            table.add_row(reason, f"{n:,}")
        out.print(table)
    for title, items in (
        ("Notes", [f"{name}: {note}" for name, note in report.notes]),
        ("Skipped", [f"{s.name}: {s.reason}" for s in report.skipped]),
    ):
        if items:
            out.print(f"{title}:")
            for item in items[:_SHOW]:
                out.print(f"  {item}", soft_wrap=True)
            if len(items) > _SHOW:
                out.print(f"  ... and {len(items) - _SHOW} more")


def layer_line(layer: PerceptionLayer, accepted: int) -> str:
    """What the terminal says about the reports a command used and left out."""
    cells = int((layer.reports > 0).sum())
    return (
        f"public reports: {accepted:,} accepted, {layer.placed:,} used in {cells:,} cells; "
        f"{layer.unplaced:,} without a point or over 250 m from the study area"
    )


def _category_table(categories: tuple[tuple[str, int], ...]) -> str:
    """Categories and counts in two aligned columns, as one string: a national store has 44
    forces' tables, and a Rich table per force took longer to print than the rest of `info`."""
    rows = [("category", "incidents"), *((cat, f"{n:,}") for cat, n in categories)]
    left = max(len(cat) for cat, _ in rows)
    right = max(len(n) for _, n in rows)
    return "\n".join(f"  {cat:<{left}}    {n:>{right}}" for cat, n in rows)


def print_summary(s: StoreSummary) -> None:
    out.print(
        f"Store {s.path}: {s.sources} source file(s) from {s.ingests} ingest(s)", soft_wrap=True
    )
    for f in s.forces:
        out.print()
        out.print(f"{f.name} ({f.slug}, x/y in {f.crs})", style="bold")
        out.print(f"  incidents: {f.incidents:,} ({f.without_location:,} without a location)")
        out.print(f"  months: {f.first_month} .. {f.last_month}, {f.months_with_data} with data")
        if f.gaps:
            shown = [a if a == b else f"{a}..{b}" for a, b in f.gaps[:_GAPS_SHOWN]]
            more = f" and {len(f.gaps) - _GAPS_SHOWN} more" if len(f.gaps) > _GAPS_SHOWN else ""
            out.print(f"  missing months: {', '.join(shown)}{more}")
        else:
            out.print("  missing months: none")
        out.print(_category_table(f.categories), soft_wrap=True)
    out.print(f"\nQuarantine: {s.quarantined:,} row(s)")
    for reason, n in s.quarantine_reasons:
        out.print(f"  {reason}: {n:,}")


def finish_all_forces(
    lines: Sequence[str], outcomes: Outcomes[Any], summary: Sequence[Path]
) -> None:
    """A line per force that ran, how long they took on how many workers, the forces that
    failed (on stderr) and the summary files; exit status 1 when any force failed, after the
    others' results are written and shown."""
    for line in lines:
        out.print(line, soft_wrap=True)
    failed = outcomes.failed
    n = len(outcomes.results) + len(failed)
    cpu = sum(attempt.seconds for attempt in outcomes.cpu.values())
    out.print(
        f"{n} forces on {outcomes.workers} workers in {outcomes.seconds:.1f} s (the cluster's "
        f"start-up not counted); CPU {cpu:.1f} s, the busiest worker's "
        f"{outcomes.busiest_worker():.1f} s",
        soft_wrap=True,
    )
    for force, why in failed.items():
        err.print(f"error: {force}: {why}", soft_wrap=True)
    for path in summary:
        out.print(f"wrote {path}")
    if failed:
        import typer

        raise typer.Exit(1)
