"""`streetlight linkage evaluate`: the reference protocol on a crime table and its offenders:
every model on the same pairs and split per seed, test AUC, precision at the top, series
identification of held-out crimes; a summary table with the published figures beside, and
optionally the full results as JSON and the curves as a PNG."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from streetlight.cli.options import (
    LinkageCrimesOption,
    LinkageMappingOption,
    LinkageOffendersOption,
    OptionError,
    QuietOption,
)
from streetlight.cli.terminal import cli_errors, out, progress_bar, tracked

if TYPE_CHECKING:
    from streetlight.linkage.crimes import CrimeTable
    from streetlight.linkage.evaluate import Evaluation


def note_quarantined(table: CrimeTable, path: Path) -> None:
    """Say how many crime rows were set aside, and the first one's file, row and field."""
    if table.quarantined:
        out.print(
            f"{len(table.quarantined)} row(s) of {path} quarantined; first: {table.quarantined[0]}",
            soft_wrap=True,
        )


def _seeds(seed: list[int], seeds: str | None) -> list[int]:
    chosen = list(seed)
    if seeds:
        try:
            chosen += [int(s) for s in seeds.split(",") if s.strip()]
        except ValueError:
            raise OptionError(
                f"--seeds: {seeds!r} is not a comma-separated list of integers"
            ) from None
    return list(dict.fromkeys(chosen)) or [0]


def evaluate_command(
    crimes: LinkageCrimesOption,
    offenders: LinkageOffendersOption,
    mapping: LinkageMappingOption = None,
    seed: list[int] = typer.Option(
        [], "--seed", help="Seed of the pairs, split and held-out crimes; repeat for several."
    ),
    seeds: str | None = typer.Option(None, "--seeds", help="Several seeds at once, e.g. 0,1,2."),
    json_out: Path | None = typer.Option(None, "--json", help="Write every figure as JSON here."),
    plot: Path | None = typer.Option(
        None,
        "--plot",
        help="Write the ROC and precision curves here (PNG) [default: beside --json].",
    ),
    quiet: QuietOption = False,
) -> None:
    """Evaluate the linkage models by the crimelinkage protocol: naive Bayes, logistic and
    boosted trees as the reference fits them, and Streetlight's context ensemble without and
    with evidence through third crimes (context-transitive), on the same pairs and 70/30 split
    per seed (default seed 0). Prints AUC, precision at the top 10/50/100 test pairs, and how
    often a held-out crime's offender is ranked in the top 1/5/20."""
    from streetlight.linkage.evaluate import evaluate
    from streetlight.linkage.plot import write_plot
    from streetlight.linkage.reference import read_inputs

    with cli_errors():
        chosen = _seeds(seed, seeds)
        table, people = read_inputs(crimes, offenders, mapping)
        note_quarantined(table, crimes)
        bar = progress_bar("evaluate", quiet)
        with bar if bar is not None else contextlib.nullcontext():
            result = evaluate(table, people, seeds=chosen, progress=tracked(bar, "seeds"))
        written: list[Path] = []
        if json_out is not None:
            json_out.parent.mkdir(parents=True, exist_ok=True)
            json_out.write_text(json.dumps(result.to_dict(), indent=1) + "\n", encoding="utf-8")
            written.append(json_out)
        if plot is None and json_out is not None:
            plot = json_out.with_suffix(".png")
        if plot is not None:
            written.append(write_plot(result, plot))
    _print(result, written)


def _print(result: Evaluation, written: list[Path]) -> None:
    from rich.table import Table

    from streetlight.linkage.evaluate import PUBLISHED, SERIES_TOP

    seeds = ", ".join(str(s.seed) for s in result.seeds)
    first = result.seeds[0]
    out.print(
        f"Seed{'s' if len(result.seeds) > 1 else ''} {seeds}: {first.pairs:,} pairs "
        f"({first.linked} linked) at seed {first.seed}, "
        f"{first.test:,} test pairs ({first.test_linked} linked). Means over the seeds; AUC "
        "unweighted as the reference reports it, wAUC with the pair weights; P@k: share linked "
        "among the top k test pairs; top-k: held-out crimes whose offender is ranked in the top "
        "k (average link); pub.: published for the crimelinkage data.",
        soft_wrap=True,
    )
    table = Table(box=None, padding=(0, 1, 0, 0), pad_edge=False)
    headings = ["model", "AUC", "wAUC", "PR-AUC", "P@10", "P@50", "P@100"]
    headings += [f"top-{k}" for k in SERIES_TOP] + ["pub. AUC"]
    for heading in headings:
        if heading == "model":
            table.add_column(heading, no_wrap=True)
        else:
            table.add_column(heading, justify="right")
    for name in result.model_names:
        published = PUBLISHED["auc"].get(name)
        table.add_row(
            name,
            f"{result.mean(name, lambda r: r.pairs.auc):.3f}",
            f"{result.mean(name, lambda r: r.pairs.auc_weighted):.3f}",
            f"{result.mean(name, lambda r: r.pairs.pr_auc):.3f}",
            *(
                f"{result.mean(name, lambda r, k=k: r.pairs.precision_at[k]):.2f}"  # type: ignore[misc]
                for k in (10, 50, 100)
            ),
            *(
                f"{result.mean(name, lambda r, k=k: r.series_link('average').top[k]):.0%}"  # type: ignore[misc]
                for k in SERIES_TOP
            ),
            "" if published is None else f"{published:.3f}",
        )
    out.print(table)
    top = PUBLISHED["series_top"]
    out.print(
        "Published (crimelinkage data): series identification "
        + ", ".join(f"top-{k} {v:.0%}" for k, v in top.items())
        + ". Single and complete link are in the JSON.",
        soft_wrap=True,
    )
    for path in written:
        out.print(f"Written: {path}", soft_wrap=True)
