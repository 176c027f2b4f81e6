"""`streetlight unit backtest`: how well each harm ranking would have done, month by month. At
each monthly refresh it ranks on the year before only, then measures what each list's people
went on to do in the next 12 months against count, recent and a random list, with a leakage
check; prints a summary table and writes `backtest.json` and `report.md` with plots. Counts and
shares only: no token, name or force id is printed. With `--synthetic`, on a freshly generated
synthetic force instead of the casework, and every line and file says SYNTHETIC."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from streetlight.cli.options import (
    DatabaseOption,
    DataOption,
    ForceZoneOption,
    OptionError,
    QuietOption,
    database_url,
    force_zone,
)
from streetlight.cli.terminal import cli_errors, out, progress_bar, tracked

if TYPE_CHECKING:
    from streetlight.unit.rank_backtest import Backtest

_METHODS = ("v100", "rfgv", "count", "recent")
_BANNER = "SYNTHETIC DATA - NOT REAL PEOPLE"


def backtest_command(
    first: str = typer.Option(
        ..., "--from", help="The first refresh month, YYYY-MM (ranked on the year before it)."
    ),
    last: str = typer.Option(
        ...,
        "--to",
        help="The last refresh month, YYYY-MM: the records must run 12 months past it.",
    ),
    methods: str = typer.Option(
        ",".join(_METHODS), "--methods", help="Rankings to test, comma-separated."
    ),
    top: int = typer.Option(100, "--top", min=1, help="The list's size (also: the top 1%)."),
    out_dir: Path | None = typer.Option(
        None, "--out", help="Folder for backtest.json, report.md and its plots."
    ),
    seed: int = typer.Option(
        20260101, "--seed", help="The random list's seed (and the synthetic force's)."
    ),
    synthetic: bool = typer.Option(
        False,
        "--synthetic",
        help="Run on a freshly generated synthetic force (not real people), not the casework.",
    ),
    perpetrators: float = typer.Option(
        3_500.0,
        "--perpetrators",
        min=1.0,
        help="With --synthetic: perpetrators a year (62,000: the force-sized benchmark).",
    ),
    timezone: ForceZoneOption = "Europe/London",
    quiet: QuietOption = False,
    store: DataOption = None,
    database: DatabaseOption = None,
) -> None:
    """Backtest the harm rankings: at each monthly refresh rank on the year before, then measure
    the share of the next 12 months' VAWG harm each list's people are named for, repeat
    victimisation, and what no list can see, against count, recent and a random list."""
    from datetime import UTC, date, datetime

    from sqlalchemy.orm import Session

    from streetlight.unit.rank_backtest import synthetic_backtest
    from streetlight.unit.rank_backtest_report import write_backtest

    def month(option: str, text: str) -> date:
        try:
            return date.fromisoformat(f"{text}-01")
        except ValueError:
            raise OptionError(f"{option}: {text!r} is not a month (YYYY-MM)") from None

    with cli_errors():
        start, end = month("--from", first), month("--to", last)
        if end < start:
            raise OptionError(f"--to: {last} is before --from {first}")
        chosen = [m.strip() for m in methods.split(",") if m.strip()]
        unknown = [m for m in chosen if m not in _METHODS]
        if unknown or not chosen:
            raise OptionError(
                f"--methods: {', '.join(unknown) or 'none'} (use {', '.join(_METHODS)})"
            )
        force_zone(timezone)
        bar = progress_bar("backtest", quiet)
        result: Backtest
        with bar if bar is not None else contextlib.nullcontext():
            progress = tracked(bar, "refreshes" + (" (synthetic)" if synthetic else ""))
            if synthetic:
                result = synthetic_backtest(
                    start, end, perpetrators_per_year=perpetrators, seed=seed,
                    methods=chosen, top=top, progress=progress,
                )  # fmt: skip
            else:
                from streetlight.db.engine import session_factory
                from streetlight.db.migrate import open_database
                from streetlight.unit.ranking_casework import backtest_casework

                engine = open_database(database_url(store, database))
                try:
                    session: Session
                    with session_factory(engine).begin() as session:
                        result = backtest_casework(
                            session, first=start, last=end, actor="cli", now=datetime.now(UTC),
                            methods=chosen, top=top, seed=seed, zone=timezone, progress=progress,
                        )  # fmt: skip
                finally:
                    engine.dispose()
        written = write_backtest(result, out_dir) if out_dir is not None else ()
    _print(result, written)


def _print(result: Backtest, written: tuple[Path, ...]) -> None:
    from rich.table import Table

    if result.synthetic:
        out.print(_BANNER)
    n = len(result.refreshes)
    first, last = result.refreshes[0], result.refreshes[-1]
    out.print(
        f"{'SYNTHETIC force: ' if result.synthetic else ''}{n} monthly refreshes "
        f"{first.month}..{last.month}, each ranked on the 365 days before it and followed for 12 "
        f"months; {first.eligible:,} people eligible at the first, {last.eligible:,} at the last.",
        soft_wrap=True,
    )
    out.print(
        f"Leakage check ({len(result.leakage)} rankings on all records vs cut at their date): "
        + ("identical, none found." if result.leak_free else "DIFFERENCES FOUND: do not use."),
        soft_wrap=True,
    )
    table = Table(box=None, padding=(0, 1, 0, 0), pad_edge=False)
    for heading in (
        "list",
        f"top {result.top} harm",
        "95% interval",
        "top 1% harm",
        "repeat victims",
        "vs count",
    ):
        table.add_column(heading, justify="left" if heading == "list" else "right")
    for name in result.all_lists():
        s = result.summary(name, "top", "harm_share")
        share = result.summary(name, "share", "harm_share")
        repeat = result.summary(name, "top", "repeat_rate")
        if name in ("count", "random") or "count" not in result.all_lists():
            versus = ""
        else:
            g = result.gain(name, "count", "top", "harm_share")
            versus = f"{g.gain:+.0%} [{g.low:+.0%}, {g.high:+.0%}]"
        table.add_row(
            name,
            f"{s.mean:.1%}",
            f"{s.low:.1%}-{s.high:.1%}",
            f"{share.mean:.1%}",
            f"{repeat.mean:.1%}",
            versus,
        )
    out.print(table)
    unseen = result.unseen().mean()
    unnamed = sum(r.unseen.unnamed_share for r in result.refreshes) / n
    out.print(
        f"Seen by no list: {unseen:.1%} of follow-up VAWG harm ({unnamed:.1%} with no named "
        f"suspect, {unseen - unnamed:.1%} by people ranked by no method: first-time suspects "
        "among them). Follow-up reports are not offending; intervals are 95% paired block "
        "bootstrap over refresh months.",
        soft_wrap=True,
    )
    for path in written:
        out.print(f"Written: {path}", soft_wrap=True)
    if result.synthetic:
        out.print(_BANNER)
