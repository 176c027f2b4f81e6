"""`streetlight linkage score`: one score per pair of crimes named in a CSV, from the default
model fitted on the pairs the given offenders file yields, for any outside check."""

from __future__ import annotations

from pathlib import Path

import typer

from streetlight.cli.options import (
    LinkageCrimesOption,
    LinkageMappingOption,
    LinkageOffendersOption,
)
from streetlight.cli.terminal import cli_errors, out


def score_command(
    crimes: LinkageCrimesOption,
    offenders: LinkageOffendersOption,
    pairs: Path = typer.Option(..., "--pairs", help="Pairs to score (CSV: crime_a,crime_b)."),
    out_file: Path = typer.Option(
        ..., "--out", help="Write crime_a,crime_b,score here (CSV, the pairs' order)."
    ),
    mapping: LinkageMappingOption = None,
    seed: int = typer.Option(0, "--seed", help="Seed of the unlinked pairs sampled for fitting."),
) -> None:
    """Score pairs of crimes: fit Streetlight's default linkage model on the linked and unlinked
    pairs derivable from --offenders only (the crimelinkage protocol, no split), then write one
    score per input pair: the natural log Bayes factor, higher = more likely one offender. A
    pair naming a crime not in --crimes is an error that names its row."""
    from streetlight.linkage.reference import read_inputs
    from streetlight.linkage.score import fit_default, read_pairs, score_pairs, write_scores

    with cli_errors():
        table, people = read_inputs(crimes, offenders, mapping)
        if table.quarantined:
            out.print(
                f"{len(table.quarantined)} crime row(s) quarantined; first: {table.quarantined[0]}",
                soft_wrap=True,
            )
        wanted = read_pairs(pairs, table)
        model = fit_default(table, people, seed=seed)
        written = write_scores(out_file, wanted, score_pairs(model, table, wanted))
    out.print(
        f"Scored {len(wanted.a):,} pairs with {model.name}. Written: {written}", soft_wrap=True
    )
