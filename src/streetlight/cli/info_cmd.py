"""`streetlight info`: what the store holds.

Answered from the store's manifest alone, importing nothing that needs polars: `cli/entry.py`
runs it without loading the other commands, so it stays well under 2 s on a national store.
"""

from __future__ import annotations

from pathlib import Path

import typer

from streetlight.cli.terminal import cli_errors, out
from streetlight.store.access import default_store_path
from streetlight.store.summary import StoreSummary, summarise_at

_GAPS_SHOWN = 6


def info_command(
    store: Path | None = typer.Option(
        None, "--store", help="Store folder [default: $STREETLIGHT_STORE or ./streetlight-data]."
    ),
) -> None:
    """Forces, months (gaps named), categories with counts, and quarantine totals."""
    with cli_errors():
        print_summary(summarise_at(store or default_store_path()))


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
