"""`streetlight ingest`: read data.police.uk files or a mapped force export into the store."""

from __future__ import annotations

import contextlib
from pathlib import Path

import typer
from rich.table import Table

from streetlight.cli.terminal import cli_errors, out, progress_bar, tracked
from streetlight.ingest import IngestReport, ingest
from streetlight.ingest.mapping import MappedFormat, load_mapping
from streetlight.store.store import Store, default_store_path

_SHOW = 8  # list at most this many notes / skipped entries


def ingest_command(
    sources: list[Path] = typer.Argument(
        ..., help="Files, folders or .zip archives (data.police.uk layout, or as the mapping says)."
    ),
    store: Path | None = typer.Option(
        None, "--store", help="Store folder [default: $STREETLIGHT_STORE or ./streetlight-data]."
    ),
    mapping: Path | None = typer.Option(
        None,
        "--mapping",
        help="TOML mapping for a force's own export, e.g. mappings/st-louis.toml.",
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Only the one-line summary."),
) -> None:
    """Ingest police-recorded crime. Re-ingesting the same files adds nothing; bad rows are
    quarantined with their reasons (see `streetlight info`)."""
    with cli_errors():
        fmt = MappedFormat(load_mapping(mapping)) if mapping else None
        target = Store.open(store or default_store_path(), create=True)
        bar = progress_bar("reading", quiet)
        with bar if bar is not None else contextlib.nullcontext():
            report = ingest(sources, target, fmt, progress=tracked(bar, "reading files"))
        print_report(report, quiet)


def print_report(report: IngestReport, quiet: bool = False) -> None:
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
