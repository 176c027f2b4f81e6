"""`streetlight ingest`: read data.police.uk files or a mapped force export into the store."""

from __future__ import annotations

import contextlib
from pathlib import Path

import typer

from streetlight.cli.options import store_at
from streetlight.cli.printing import print_report
from streetlight.cli.terminal import cli_errors, progress_bar, tracked
from streetlight.ingest import ingest
from streetlight.ingest.mapping import MappedFormat, load_mapping
from streetlight.store.store import Store


def ingest_command(
    sources: list[Path] = typer.Argument(
        ..., help="Files, folders or .zip archives (data.police.uk layout, or as the mapping says)."
    ),
    # Text, as `StoreOption`: a bucket's URL is refused by name (a store there is read-only),
    # not turned into a local folder called "s3:".
    store: str | None = typer.Option(
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
        target = Store.open(store_at(store), create=True)
        bar = progress_bar("reading", quiet)
        with bar if bar is not None else contextlib.nullcontext():
            report = ingest(sources, target, fmt, progress=tracked(bar, "reading files"))
        print_report(report, quiet)
