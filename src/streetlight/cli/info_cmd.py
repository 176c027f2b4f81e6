"""`streetlight info`: what the store holds."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from streetlight.cli.terminal import cli_errors, out
from streetlight.store.store import Store, default_store_path
from streetlight.store.summary import StoreSummary, summarise

_GAPS_SHOWN = 6


def info_command(
    store: Path | None = typer.Option(
        None, "--store", help="Store folder [default: $STREETLIGHT_STORE or ./streetlight-data]."
    ),
) -> None:
    """Forces, months (gaps named), categories with counts, and quarantine totals."""
    with cli_errors():
        print_summary(summarise(Store.open(store or default_store_path())))


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
        table = Table(show_header=True, box=None, padding=(0, 2))
        table.add_column("category")
        table.add_column("incidents", justify="right")
        for cat, n in f.categories:
            table.add_row(cat, f"{n:,}")
        out.print(table)
    out.print(f"\nQuarantine: {s.quarantined:,} row(s)")
    for reason, n in s.quarantine_reasons:
        out.print(f"  {reason}: {n:,}")
