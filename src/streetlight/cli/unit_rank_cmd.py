"""`streetlight unit rank`: the unit's suspects ranked by harm as of a date, first the top N by
token, score, allegations, victims and the offence contributing most; with `--explain`, each
person's score offence by offence. A prompt for a supervisor's recorded decision, never a
decision: the listing is recorded in the audit log (a consultation of each listed person, and
the list itself), and the terminal shows tokens, never a name or the force's own person id."""

from __future__ import annotations

from pathlib import Path

import typer

from streetlight.cli.options import (
    DatabaseOption,
    DataOption,
    ForceZoneOption,
    OptionError,
    database_url,
    force_zone,
)
from streetlight.cli.terminal import cli_errors, out

_METHODS = ("v100", "rfgv", "count", "recent")


def rank_command(
    as_of: str = typer.Option(
        ...,
        "--as-of",
        help="The ranking's date, YYYY-MM-DD (the force's local date): allegations reported on "
        "or before it count, and only those.",
    ),
    top: int = typer.Option(100, "--top", min=1, help="How many people to list."),
    method: str = typer.Option(
        "v100",
        "--method",
        help="v100 (summed CCHI days of VAWG allegations in 365 days), rfgv (recency, "
        "frequency, gravity, victims of domestic abuse in 3 years, serial perpetrators only), "
        "count or recent (the naive comparisons).",
    ),
    weights: Path | None = typer.Option(
        None,
        "--weights",
        help="CCHI days per offence subgroup (CSV with the columns of the packaged "
        "cchi_subgroups.csv) for v100 and rfgv's gravity [default: the packaged table].",
    ),
    rfgv_weights: Path | None = typer.Option(
        None,
        "--rfgv-weights",
        help="rfgv's points (TOML, as the packaged rfgv.toml, which documents each) "
        "[default: the packaged file].",
    ),
    explain: bool = typer.Option(
        False, "--explain", help="Also print each listed person's score offence by offence."
    ),
    timezone: ForceZoneOption = "Europe/London",
    store: DataOption = None,
    database: DatabaseOption = None,
) -> None:
    """Rank the unit's suspects by harm as of a date and list the first N by token (no names),
    recorded in the audit log. Each score is the sum of its allegations' parts (--explain)."""
    from datetime import UTC, date, datetime

    from rich.table import Table
    from sqlalchemy.orm import Session

    from streetlight.db.engine import session_factory
    from streetlight.db.migrate import open_database
    from streetlight.unit.harm import SUBGROUP_HARM_NOTE
    from streetlight.unit.ranking import Ranking
    from streetlight.unit.ranking_casework import rank_casework
    from streetlight.unit.ranking_weights import read_harm_weights, read_rfgv_weights

    with cli_errors():
        if method not in _METHODS:
            raise OptionError(f"--method: {method!r} is not one of {', '.join(_METHODS)}")
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            raise OptionError(f"--as-of: {as_of!r} is not a date (YYYY-MM-DD)") from None
        force_zone(timezone)
        ranking = Ranking(
            method=method,
            harm=read_harm_weights(weights) if weights else None,
            rfgv=read_rfgv_weights(rfgv_weights) if rfgv_weights else None,
            zone=timezone,
        )
        engine = open_database(database_url(store, database))
        try:
            session: Session
            with session_factory(engine).begin() as session:
                listed = rank_casework(
                    session, ranking, as_of=day, top=top, actor="cli", now=datetime.now(UTC)
                )
        finally:
            engine.dispose()
    out.print(
        f"{method} as of {listed.as_of}: {listed.ranked:,} people ranked; the first "
        f"{len(listed.people):,} by token. A prompt for a supervisor's recorded decision, not a "
        "decision; this listing is in the audit log.",
        soft_wrap=True,
    )
    if method in ("v100", "rfgv") and weights is None:
        out.print(SUBGROUP_HARM_NOTE, soft_wrap=True)
    if not listed.people:
        return
    # An 80-column terminal must show whole tokens and references (a cut one is useless): one
    # space between columns, and a token never wraps.
    table = Table(box=None, padding=(0, 1, 0, 0), pad_edge=False)
    for heading in ("rank", "token", "score", "offences", "victims", "top offence"):
        left = heading in ("token", "top offence")
        table.add_column(
            heading,
            justify="left" if left else "right",
            no_wrap=heading != "top offence",
            min_width=32 if heading == "token" else None,
            overflow="fold",
        )
    for p in listed.people:
        table.add_row(
            str(p.rank),
            p.person,
            f"{p.score:,.2f}",
            str(p.allegations),
            str(p.victims),
            p.top_offence,
        )
    out.print(table)
    if explain:
        for p in listed.people:
            out.print(f"{p.person}: {listed.explanations[p.person]}", soft_wrap=True)
