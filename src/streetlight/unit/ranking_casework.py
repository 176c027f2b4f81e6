"""A harm ranking of the unit's casework: the casework tables read into the frames `ranking`
works on, ranked, and the listing recorded in the audit log.

People are keyed by their unit token, never by the force's own id: the list a supervisor sees,
and the audit log, name no one the wider force could look up. The ranking reads the records of
everyone it ranks, but only the people it lists are shown, so the audit log records one
consultation per listed person (why: the ranking, its date and their rank) and one `unit.view`
of the list (method, date, how many listed of how many ranked): who appeared on which list, when
and by whom, is what a later challenge to the list needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from streetlight.db import audit as chain
from streetlight.db.enums import PersonRole, Relationship
from streetlight.db.models import UnitLink, UnitOffence, UnitPerson
from streetlight.progress import Progress, no_progress
from streetlight.unit import audit
from streetlight.unit.access import VIEW
from streetlight.unit.concentration import DOMESTIC
from streetlight.unit.rank_backtest import FOLLOW_UP_MONTHS, Backtest, add_months, backtest
from streetlight.unit.ranking import METHODS, V100_DAYS, Ranked, Ranking, Window, window
from streetlight.unit.ranking_weights import HarmWeights, RfgvWeights

LIST_SUBJECT = "unit_page:rank"


def casework_frames(session: Session, w: Window, method: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The offences reported in `w` that `method` reads (domestic abuse for `rfgv`, VAWG for
    the others: a force's three years are a million rows, most of which no method reads), with
    their stored `subgroup` and `reported_at` UTC, and their suspects' and victims' links,
    people keyed by token in `person_ref`."""
    in_window = (UnitOffence.reported_at > w.after) & (UnitOffence.reported_at <= w.until)
    if method == "rfgv":
        in_window &= UnitOffence.relationship_.in_([Relationship(r) for r in DOMESTIC])
    else:
        in_window &= UnitOffence.vawg.is_(True)
    return _frames(session, in_window)


def casework_span_frames(
    session: Session, after: datetime, until: datetime
) -> tuple[pl.DataFrame, pl.DataFrame, datetime | None]:
    """What a backtest reads: the offences reported after `after` and at or before `until`
    (UTC) that any method or the follow-up reads (VAWG or domestic abuse), as `casework_frames`;
    and the latest report of any offence in the casework (how far the records run), or None."""
    in_span = (UnitOffence.reported_at > after) & (UnitOffence.reported_at <= until)
    in_span &= UnitOffence.vawg.is_(True) | UnitOffence.relationship_.in_(
        [Relationship(r) for r in DOMESTIC]
    )
    latest = session.scalar(select(func.max(UnitOffence.reported_at)))
    if latest is not None and latest.tzinfo is None:
        latest = latest.replace(tzinfo=UTC)  # SQLite gives back naive UTC
    offences, links = _frames(session, in_span)
    return offences, links, latest


def _frames(session: Session, in_window: ColumnElement[bool]) -> tuple[pl.DataFrame, pl.DataFrame]:
    offences = session.execute(
        select(
            UnitOffence.offence_ref,
            UnitOffence.ho_code,
            UnitOffence.subgroup,
            UnitOffence.vawg,
            UnitOffence.reported_at,
            UnitOffence.relationship_,
        ).where(in_window)
    ).all()
    links = session.execute(
        select(UnitPerson.token, UnitOffence.offence_ref, UnitLink.role)
        .join(UnitLink, UnitLink.person_id == UnitPerson.id)
        .join(UnitOffence, UnitOffence.id == UnitLink.offence_id)
        .where(in_window, UnitLink.role.in_((PersonRole.SUSPECT, PersonRole.VICTIM)))
    ).all()
    offence_frame = pl.DataFrame(
        {
            "offence_ref": [r[0] for r in offences],
            "ho_code": [r[1] for r in offences],
            "subgroup": [r[2] for r in offences],
            "vawg": [r[3] for r in offences],
            "reported_at": [r[4] for r in offences],
            "relationship": [r[5].value if r[5] is not None else None for r in offences],
        },
        schema={
            "offence_ref": pl.String,
            "ho_code": pl.String,
            "subgroup": pl.String,
            "vawg": pl.Boolean,
            "reported_at": pl.Datetime("us", "UTC"),
            "relationship": pl.String,
        },
    )
    link_frame = pl.DataFrame(
        {
            "person_ref": [r[0] for r in links],
            "offence_ref": [r[1] for r in links],
            "role": [r[2].value for r in links],
        },
        schema={"person_ref": pl.String, "offence_ref": pl.String, "role": pl.String},
    )
    return offence_frame, link_frame


@dataclass(frozen=True)
class RankList:
    """The first `top` people of a ranking (tokens only) as of `as_of`, of `ranked` in all;
    `explanations` by token."""

    method: str
    as_of: str
    ranked: int
    people: tuple[Ranked, ...]
    explanations: dict[str, str]


def rank_casework(
    session: Session,
    ranking: Ranking,
    *,
    as_of: date | datetime,
    top: int,
    actor: str,
    now: datetime,
) -> RankList:
    """Rank the casework as of `as_of` and return its first `top`, recording the listing (see
    the module docstring) in the caller's transaction."""
    offences, links = casework_frames(session, ranking.window(as_of), ranking.method)
    fitted = ranking.fit(offences, links, as_of=as_of)
    people = fitted.top(top)
    label = fitted.window_.label
    entries = [
        chain.Entry(
            actor,
            audit.CONSULT,
            audit.person_subject(p.person),
            {"reason": f"harm ranking {ranking.method} as of {label}: rank {p.rank} of {p.of}"},
        )
        for p in people
    ]
    entries.append(
        chain.Entry(
            actor,
            VIEW,
            LIST_SUBJECT,
            {
                "method": ranking.method,
                "as_of": label,
                "listed": len(people),
                "ranked": fitted.scores_.height,
            },
        )
    )
    chain.append_many(session, entries, now=now)
    return RankList(
        method=ranking.method,
        as_of=label,
        ranked=fitted.scores_.height,
        people=people,
        explanations={p.person: fitted.explain(p.person) for p in people},
    )


BACKTEST_SUBJECT = "unit_page:rank-backtest"


def backtest_casework(
    session: Session,
    *,
    first: date,
    last: date,
    actor: str,
    now: datetime,
    methods: Sequence[str] = METHODS,
    top: int = 100,
    seed: int = 0,
    harm: HarmWeights | None = None,
    rfgv: RfgvWeights | None = None,
    zone: str = "Europe/London",
    progress: Progress = no_progress,
) -> Backtest:
    """The rankings' backtest (`rank_backtest.backtest`) over the casework, refreshes from
    `first`'s month to `last`'s, recorded in the audit log as one `unit.view` (months, methods,
    lists) in the caller's transaction: it reads everyone's records but shows no one, so there
    is no per-person consultation to record."""
    tz = ZoneInfo(zone)
    start = window(first.replace(day=1) - timedelta(days=1), V100_DAYS, tz).after
    end = window(add_months(last, FOLLOW_UP_MONTHS) - timedelta(days=1), 1, tz).until
    offences, links, latest = casework_span_frames(session, start, end)
    result = backtest(
        offences,
        links,
        first=first,
        last=last,
        methods=methods,
        top=top,
        seed=seed,
        harm=harm,
        rfgv=rfgv,
        zone=zone,
        data_end=latest,
        progress=progress,
    )
    chain.append_many(
        session,
        [
            chain.Entry(
                actor,
                VIEW,
                BACKTEST_SUBJECT,
                {
                    "from": f"{first:%Y-%m}",
                    "to": f"{last:%Y-%m}",
                    "methods": list(methods),
                    "top": top,
                    "leak_free": result.leak_free,
                },
            )
        ],
        now=now,
    )
    return result
