"""`streetlight unit linked TOKEN`: the unsolved offences most likely one person's, by crime
linkage (`streetlight.unit.linkage_casework.operator_person_linkage`), with their scores and
breakdown in words, by offence reference: never a name. Recorded in the audit log as a
consultation of the person, with the reason given. A prompt for investigation, never evidence
in itself."""

from __future__ import annotations

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


def linked_command(
    person: str = typer.Argument(
        ..., help="The person's token (the 32 hex digits of their page's address)."
    ),
    reason: str = typer.Option(
        ..., "--reason", help="Why you consult the record: kept in the audit log. No names."
    ),
    top: int = typer.Option(20, "--top", min=1, max=1000, help="How many offences to print."),
    timezone: ForceZoneOption = "Europe/London",
    store: DataOption = None,
    database: DatabaseOption = None,
) -> None:
    """Print the unsolved offences most like one person's offences as suspect (within a year
    of one of them), best first: offence reference, when, type, score (log Bayes factor) and
    its strength, and the breakdown of the most alike pair in words. Fits the linkage model on
    the unit's solved offences first (a second or so). Recorded as a consultation."""
    from datetime import UTC, datetime

    from sqlalchemy.orm import Session

    from streetlight.db.engine import session_factory
    from streetlight.db.migrate import open_database
    from streetlight.unit.access import PersonNotFoundError
    from streetlight.unit.linkage_casework import operator_person_linkage

    with cli_errors():
        zone = force_zone(timezone)
        engine = open_database(database_url(store, database))
        try:
            session: Session
            with session_factory(engine).begin() as session:
                try:
                    found = operator_person_linkage(
                        session, person, actor="cli", reason=reason, zone=zone,
                        now=datetime.now(UTC), top=top,
                    )  # fmt: skip
                except PersonNotFoundError:
                    raise OptionError(
                        "PERSON: no person has this token (check it against the person's page "
                        "address)"
                    ) from None
        finally:
            engine.dispose()
    if not found.offences:
        out.print(
            "nothing to show: no unsolved offence within a year of an offence of theirs as "
            "suspect, or too few solved offences to learn from; recorded in the audit log as a "
            "consultation",
            soft_wrap=True,
        )
        return
    out.print(
        f"the {len(found.offences):,} most alike of {found.compared:,} unsolved offence(s) "
        f"within a year of their {found.series:,} offence(s) as suspect (model {found.model}; "
        "score: log Bayes factor of the most alike pair); a prompt for investigation, never "
        "evidence in itself; recorded in the audit log as a consultation",
        soft_wrap=True,
    )
    for rank, o in enumerate(found.offences, start=1):
        when = f"{o.occurred_from:%Y-%m-%d %H:%M}"
        if o.occurred_to != o.occurred_from:
            when += f" to {o.occurred_to:%Y-%m-%d %H:%M}"
        decided = f"; decided: {o.decision.decision.value}" if o.decision else ""
        out.print(
            f"{rank:>3}. {o.offence_ref}  {o.score:6.2f} ({o.strength})  {when}  {o.subgroup}"
            f"{decided}\n     most like {o.theirs}: {o.breakdown}",
            soft_wrap=True,
        )
