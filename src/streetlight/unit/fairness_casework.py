"""The disparity report of a harm ranking of the unit's casework: the ranking made as
`ranking_casework` makes it, the demographics of everyone it ranked read by token, and the
reading recorded in the audit log.

The report names no one, so the audit log records one `unit.view` of the report (method, date,
how many listed of how many ranked: counts only), not a consultation of each person: nobody's
record is shown. Reading everyone's age, sex and ethnicity is what the equality assessment of
the list needs, and the report keeps only group counts, small ones suppressed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from streetlight.db import audit as chain
from streetlight.db.models import UnitPerson
from streetlight.unit.access import VIEW
from streetlight.unit.disparity import DisparityReport, ranking_disparity
from streetlight.unit.ranking import Ranking
from streetlight.unit.ranking_casework import casework_frames

DISPARITY_SUBJECT = "unit_page:disparity"
DPIA_SUBJECT = "unit_page:dpia-export"
_CHUNK = 500  # tokens per query: under SQLite's limit on bound parameters


def casework_people(session: Session, tokens: Sequence[str]) -> pl.DataFrame:
    """`person_ref` (the token), `date_of_birth`, `sex` and `ethnicity` of the people `tokens`."""
    rows: list[tuple[str, date | None, str, str | None]] = []
    for start in range(0, len(tokens), _CHUNK):
        chunk = list(tokens[start : start + _CHUNK])
        found = session.execute(
            select(
                UnitPerson.token, UnitPerson.date_of_birth, UnitPerson.sex, UnitPerson.ethnicity
            ).where(UnitPerson.token.in_(chunk))
        ).all()
        rows.extend((r[0], r[1], r[2].value, r[3]) for r in found)
    return pl.DataFrame(
        rows,
        schema={
            "person_ref": pl.String,
            "date_of_birth": pl.Date,
            "sex": pl.String,
            "ethnicity": pl.String,
        },
        orient="row",
    )


def disparity_casework(
    session: Session,
    ranking: Ranking,
    *,
    as_of: date,
    top: int,
    actor: str,
    now: datetime,
    subject: str = DISPARITY_SUBJECT,
) -> DisparityReport:
    """Rank the casework as of `as_of` and compare its first `top` with everyone ranked,
    recording the reading (counts only) in the caller's transaction under `subject`."""
    offences, links = casework_frames(session, ranking.window(as_of), ranking.method)
    fitted = ranking.fit(offences, links, as_of=as_of)
    people = casework_people(session, fitted.scores_["person"].to_list())
    report = ranking_disparity(fitted, people, as_of=as_of, top=top)
    chain.append_many(
        session,
        [
            chain.Entry(
                actor,
                VIEW,
                subject,
                {
                    "method": report.method,
                    "as_of": report.as_of,
                    "listed": report.listed,
                    "ranked": report.population,
                    "flagged": sum(r.flagged for r in report.rows),
                },
            )
        ],
        now=now,
    )
    return report
