"""`streetlight unit synthetic`: write a synthetic force's extract (people who are not real) for
trying the units' tools, demonstrations and benchmarks, and print how its harm concentrates
beside the published figures it is calibrated to, so that anyone using it sees how far it is
from them. Every line printed and every file written says SYNTHETIC."""

from __future__ import annotations

import contextlib
from pathlib import Path

import typer

from streetlight.cli.options import QuietOption
from streetlight.cli.terminal import cli_errors, out, progress_bar, tracked

_BANNER = "SYNTHETIC DATA - NOT REAL PEOPLE"


def synthetic_command(
    out_dir: Path = typer.Option(
        ..., "--out", help="Folder to write into: new, empty, or an earlier synthetic extract."
    ),
    seed: int = typer.Option(20260101, "--seed", help="The same seed writes the same files."),
    perpetrators: float = typer.Option(
        3_500.0,
        "--perpetrators",
        min=1.0,
        help="Perpetrators coming to notice a year: the force's size (3,500: about 17,000 "
        "offences in three years; 62,000: about 300,000, the force-sized benchmark).",
    ),
    years: int = typer.Option(3, "--years", min=1, help="Years the extract covers."),
    quiet: QuietOption = False,
) -> None:
    """Write a synthetic force's records-management extract (invented people and offences) with
    a README, readable by `streetlight unit import DIR --mapping mappings/unit-synthetic.toml`,
    and print its concentration of harm beside the published figures."""
    from streetlight.unit.synthetic import SyntheticConfig, make_extract

    with cli_errors():
        config = SyntheticConfig(years=years, perpetrators_per_year=perpetrators)
        bar = progress_bar("synthetic", quiet)
        with bar if bar is not None else contextlib.nullcontext():
            made = make_extract(
                config, seed, out_dir, progress=tracked(bar, "generating (synthetic)")
            )
    force = made.force
    out.print(_BANNER)
    out.print(
        f"Synthetic force, seed {seed}: {config.years} year(s) from {force.start.isoformat()}, "
        f"{force.offences.height:,} offences, {force.people.height:,} people (none real)",
        soft_wrap=True,
    )
    out.print("Written:")
    for path in made.paths:
        out.print(f"  {path}", soft_wrap=True)
    out.print("How concentrated its harm is (synthetic; the published figures in parentheses):")
    for line in made.figures.lines():
        out.print(f"  {line}", soft_wrap=True)
    out.print(
        f"Import it with: streetlight unit import {out_dir} --mapping mappings/unit-synthetic.toml",
        soft_wrap=True,
    )
    out.print(_BANNER)
