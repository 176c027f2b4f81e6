"""The harm ranking's list under human review: refreshed by a supervisor, decided on person by
person, and the only way from a ranking to work.

A ranking is a prompt, never a decision (the Met's Gangs Matrix was found unlawful in its
operation, not in its arithmetic). So:
- `refresh` ranks the casework (`Ranking` over `ranking_casework.casework_frames`) and stores
  the first `top` people with their rank, score and explanation as of that refresh: what a
  supervisor decided on can be read back exactly later;
- each listed person has a standing decision per method (`decide`): adopt, not now or remove,
  each with a reason. Decisions expire (`EXPIRES_MONTHS`, the one place the periods are set), and
  an expired decision puts the person back to "needs a decision", shown with the decision that
  lapsed;
- a removal is remembered: a removed person whom a later refresh ranks again is listed with the
  removal beside them (standing "removed" while it is live, then "needs a decision" with the
  removal shown), never silently re-added and never as adopted;
- nobody is tasked from the list until adopted: `task_from_list` refuses without a live adopt
  decision (`NotAdoptedError`);
- nothing is kept past its rules (`unit.retention`): each refresh first takes off the list whoever
  the method no longer ranks, or whose latest decision lapsed unrenewed, and deletes their
  listings and the decisions about them; someone ranked again comes back afresh.

Who sees the list (`access.GRANTS`): unit supervisors see all of it and decide; a unit officer
sees only the people they hold whom a supervisor has adopted (the work the list gives them, not
who else is ranked, nor what was decided not to do); any other role is refused, and the refusal
recorded.

Audit (in the caller's transaction, so the act and its record land together): a refresh is one
`unit.refresh` entry with its counts and one `unit.consult` per listed person (the ranking read
their record); a view of the list is one `unit.view` (`unit_page:list`, method, date and how many
shown); a decision is a `unit.alter` of the person with its reason, decision, method and expiry;
a task from the list is a `unit.alter` too. Entries name people by token only.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import CursorResult, Result, and_, delete, select
from sqlalchemy.orm import Session

from streetlight.db import audit as chain
from streetlight.db.enums import ListDecision, TaskKind
from streetlight.db.models import (
    StaffUser,
    UnitCaseload,
    UnitListDecision,
    UnitListEntry,
    UnitListRefresh,
    UnitPerson,
    UnitTask,
)
from streetlight.db.models.unit import TASK_DETAILS_CHARS
from streetlight.errors import CaseworkError
from streetlight.unit import audit
from streetlight.unit.access import (
    VIEW,
    Capability,
    PersonNotFoundError,
    Reader,
    look_up,
    refused,
    require,
    token_subject,
)
from streetlight.unit.casework import PersonLine
from streetlight.unit.ranking import METHODS, Ranking
from streetlight.unit.ranking_casework import casework_frames
from streetlight.unit.reading import add_months
from streetlight.unit.retention import Listing, leavers

# How long a decision stands before the person comes back for review, in calendar months from
# the day it was made: adopt and not now at the next quarter's review, a removal for a year (a
# removal that lapsed too soon would put the same person before a supervisor every month).
EXPIRES_MONTHS: dict[ListDecision, int] = {
    ListDecision.ADOPT: 3,
    ListDecision.NOT_NOW: 3,
    ListDecision.REMOVE: 12,
}
MAX_TOP = 1000  # the Met acts on 100; more than this is no longer a list anyone reviews
LIST_PAGE = "unit_page:list"


class ListingError(CaseworkError):
    """A refresh or decision that cannot be made: a size out of range, no refresh yet, or a
    person not on the method's list (the message says which)."""


class NotAdoptedError(CaseworkError):
    """A task from the list for someone a supervisor has not adopted (no decision, another
    decision, or an adoption that has expired)."""


class Standing(enum.StrEnum):
    """Where a listed person stands today."""

    NEEDS_DECISION = "needs_decision"  # never decided, or the last decision has expired
    ADOPT = "adopt"
    NOT_NOW = "not_now"
    REMOVE = "remove"


@dataclass(frozen=True)
class DecisionLine:
    """One decision as the pages show it (`decided_by` is a staff username)."""

    method: str
    decision: ListDecision
    reason: str
    decided_by: str | None
    decided_at: datetime
    expires_on: date

    def live(self, today: date) -> bool:
        """Whether it still stands on `today` (it lapses on `expires_on`)."""
        return today < self.expires_on


def standing(latest: DecisionLine | None, today: date) -> Standing:
    """A person's standing from their latest decision: none or expired needs a decision."""
    if latest is None or not latest.live(today):
        return Standing.NEEDS_DECISION
    return Standing(latest.decision.value)


@dataclass(frozen=True)
class ListLine:
    """A listed person: their place at the refresh, and their latest decision (live or not)."""

    person: PersonLine
    rank: int
    score: float
    explanation: str
    standing: Standing
    decision: DecisionLine | None

    @property
    def lapsed(self) -> DecisionLine | None:
        """The earlier decision that has expired (shown beside "needs a decision"), if any."""
        return self.decision if self.standing is Standing.NEEDS_DECISION else None


@dataclass(frozen=True)
class RefreshLine:
    """A refresh as the pages show it."""

    id: int
    method: str
    as_of: date
    top: int
    ranked: int
    created_at: datetime
    created_by: str | None


@dataclass(frozen=True)
class ListView:
    """The latest refresh of `method` (None before the first) and the lines this reader may
    see; `whole` is False for an officer (adopted people they hold only)."""

    method: str
    refresh: RefreshLine | None
    lines: tuple[ListLine, ...]
    whole: bool


def _method(method: str) -> str:
    if method not in METHODS:
        raise ListingError(f"method: {method!r} is not one of {', '.join(METHODS)}")
    return method


def _refresh_line(session: Session, row: UnitListRefresh) -> RefreshLine:
    by = session.get(StaffUser, row.created_by_id) if row.created_by_id is not None else None
    return RefreshLine(
        row.id,
        row.method,
        row.as_of,
        row.top,
        row.ranked,
        row.created_at,
        by.username if by is not None else None,
    )


def latest_refresh(session: Session, method: str) -> UnitListRefresh | None:
    """The most recent refresh of `method`'s list."""
    return session.scalars(
        select(UnitListRefresh)
        .where(UnitListRefresh.method == method)
        .order_by(UnitListRefresh.created_at.desc(), UnitListRefresh.id.desc())
        .limit(1)
    ).first()


def refresh(
    session: Session,
    reader: Reader,
    method: str,
    *,
    as_of: date,
    top: int,
    now: datetime,
    ranking: Ranking | None = None,
) -> RefreshLine:
    """Rank the casework by `method` as of `as_of` and store its first `top` as the list's new
    refresh (supervisors only). `ranking`: the configured ranking (weights, zone), default the
    method's with the packaged weights. Decisions are untouched: each listed person keeps theirs."""
    require(session, reader, Capability.LIST_DECIDE, now=now)
    _method(method)
    if not 1 <= top <= MAX_TOP:
        raise ListingError(f"top: the list keeps 1 to {MAX_TOP} people")
    ranking = ranking if ranking is not None else Ranking(method=method)
    if ranking.method != method:
        raise ListingError("ranking: its method is not the list's")
    offences, links = casework_frames(session, ranking.window(as_of), method)
    fitted = ranking.fit(offences, links, as_of=as_of)
    left = _retire(session, method, fitted, as_of)
    people = fitted.top(top)
    ids = dict(
        session.execute(
            select(UnitPerson.token, UnitPerson.id).where(
                UnitPerson.token.in_([p.person for p in people])
            )
        ).all()
    )
    row = UnitListRefresh(
        method=method,
        as_of=as_of,
        top=top,
        ranked=fitted.scores_.height,
        created_at=now,
        created_by_id=reader.user_id,
    )
    session.add(row)
    session.flush()
    session.add_all(
        UnitListEntry(
            refresh_id=row.id,
            person_id=ids[p.person],
            rank=p.rank,
            score=p.score,
            explanation=fitted.explain(p.person),
        )
        for p in people
    )
    label = as_of.isoformat()
    entries = [
        chain.Entry(
            reader.username,
            audit.CONSULT,
            audit.person_subject(p.person),
            {"reason": f"harm ranking list {method} as of {label}: rank {p.rank} of {p.of}"},
        )
        for p in people
    ]
    entries.append(
        chain.Entry(
            reader.username,
            audit.REFRESH,
            f"unit_list:{row.id}",
            {
                "method": method,
                "as_of": label,
                "listed": len(people),
                "ranked": row.ranked,
                **left.counts(),
            },
        )
    )
    chain.append_many(session, entries, now=now)
    session.flush()
    return _refresh_line(session, row)


@dataclass(frozen=True)
class Retired:
    """What the retention rules took off the list at a refresh (counts: the audit entry's)."""

    people: int = 0
    entries: int = 0
    decisions: int = 0

    def counts(self) -> dict[str, int]:
        return {
            "left": self.people,
            "entries_deleted": self.entries,
            "decisions_deleted": self.decisions,
        }


def _retire(session: Session, method: str, fitted: Ranking, as_of: date) -> Retired:
    """Apply the retention rules (`unit.retention`) to `method`'s list before a refresh stores
    its new one: whoever the method no longer ranks (their last qualifying allegation aged out)
    or whose latest decision lapsed unrenewed leaves, with every record of their listings and
    the decisions about them deleted. Someone the new refresh ranks again is listed afresh,
    needing a decision. A decision lapses on `expires_on`, so its review date is the day before.
    """
    zone = ZoneInfo(fitted.zone)
    last = {
        person: latest.astimezone(zone).date()
        for person, latest in fitted.scores_.select("person", "latest").iter_rows()
    }
    listed = session.execute(
        select(UnitPerson.token, UnitPerson.id, UnitListRefresh.as_of)
        .join(UnitListEntry, UnitListEntry.person_id == UnitPerson.id)
        .join(UnitListRefresh, UnitListRefresh.id == UnitListEntry.refresh_id)
        .where(UnitListRefresh.method == method)
    ).all()
    ids: dict[str, int] = {}
    dates: dict[str, set[date]] = defaultdict(set)
    for token, person_id, on in listed:
        ids[token] = person_id
        dates[token].add(on)
    decisions = _decision_lines(session, list(ids.values()), method)  # newest first

    def review_date(token: str) -> date | None:
        latest = next(iter(decisions.get(ids[token], [])), None)
        return None if latest is None else latest.expires_on - timedelta(days=1)

    history = [
        Listing(token, tuple(sorted(dates[token])), review_date(token)) for token in sorted(ids)
    ]
    gone = [
        ids[g.person] for g in leavers(history, last, as_of=as_of, window_days=fitted.window_.days)
    ]
    if not gone:
        return Retired()
    of_method = select(UnitListRefresh.id).where(UnitListRefresh.method == method)
    dropped = session.execute(
        delete(UnitListEntry).where(
            UnitListEntry.person_id.in_(gone), UnitListEntry.refresh_id.in_(of_method)
        )
    )
    undone = session.execute(
        delete(UnitListDecision).where(
            UnitListDecision.person_id.in_(gone), UnitListDecision.method == method
        )
    )
    return Retired(len(gone), _deleted(dropped), _deleted(undone))


def _deleted(result: Result[Any]) -> int:
    """How many rows a DELETE removed (every driver the app uses reports it)."""
    assert isinstance(result, CursorResult)
    return int(result.rowcount)


def _decision_lines(
    session: Session, person_ids: Sequence[int], method: str | None
) -> dict[int, list[DecisionLine]]:
    """Each person's decisions, newest first (`method` None: every method's)."""
    query = (
        select(UnitListDecision, StaffUser.username)
        .outerjoin(StaffUser, StaffUser.id == UnitListDecision.decided_by_id)
        .where(UnitListDecision.person_id.in_(person_ids))
        .order_by(UnitListDecision.decided_at.desc(), UnitListDecision.id.desc())
    )
    if method is not None:
        query = query.where(UnitListDecision.method == method)
    found: dict[int, list[DecisionLine]] = {}
    for d, username in session.execute(query).all():
        found.setdefault(d.person_id, []).append(
            DecisionLine(d.method, d.decision, d.reason, username, d.decided_at, d.expires_on)
        )
    return found


def view_list(
    session: Session, reader: Reader, method: str, *, today: date, now: datetime
) -> ListView:
    """The latest refresh of `method`'s list as `reader` may see it (see the module docstring),
    each person with their standing decision on `today`; recorded as one `unit.view`."""
    require(session, reader, Capability.LIST, now=now)
    _method(method)
    row = latest_refresh(session, method)
    lines: list[ListLine] = []
    if row is not None:
        query = (
            select(UnitListEntry, UnitPerson)
            .join(UnitPerson, UnitPerson.id == UnitListEntry.person_id)
            .where(UnitListEntry.refresh_id == row.id)
            .order_by(UnitListEntry.rank)
        )
        if not reader.whole_unit:
            query = query.join(
                UnitCaseload,
                and_(
                    UnitCaseload.person_id == UnitPerson.id,
                    UnitCaseload.user_id == reader.user_id,
                ),
            )
        found = session.execute(query).all()
        decisions = _decision_lines(session, [p.id for _, p in found], method)
        for entry, person in found:
            latest = next(iter(decisions.get(person.id, ())), None)
            line = ListLine(
                PersonLine(person.token, person.surname, person.forenames, person.review_due),
                entry.rank,
                entry.score,
                entry.explanation,
                standing(latest, today),
                latest,
            )
            if reader.whole_unit or line.standing is Standing.ADOPT:
                lines.append(line)
    chain.append(
        session,
        actor=reader.username,
        action=VIEW,
        subject=LIST_PAGE,
        details={
            "method": method,
            "as_of": row.as_of.isoformat() if row is not None else None,
            "people": len(lines),
        },
        now=now,
    )
    return ListView(
        method,
        _refresh_line(session, row) if row is not None else None,
        tuple(lines),
        reader.whole_unit,
    )


def decide(
    session: Session,
    reader: Reader,
    token: str,
    method: str,
    decision: ListDecision,
    *,
    reason: str,
    today: date,
    now: datetime,
) -> DecisionLine:
    """Record a supervisor's decision about a person on `method`'s list, standing until
    `EXPIRES_MONTHS` after `today`. Checked before anything is written: the role
    (`CaseworkForbiddenError`), the reason (`CaseworkAccessError`), the person being on one of
    the method's refreshes (`PersonNotFoundError`, the same for no such person)."""
    require(session, reader, Capability.LIST_DECIDE, now=now)
    _method(method)
    text = audit.reason_text(reason)
    person_id = session.scalars(
        select(UnitPerson.id)
        .join(UnitListEntry, UnitListEntry.person_id == UnitPerson.id)
        .join(UnitListRefresh, UnitListRefresh.id == UnitListEntry.refresh_id)
        .where(UnitPerson.token == token[:64], UnitListRefresh.method == method)
        .limit(1)
    ).first()
    if person_id is None:
        refused(session, reader, token_subject(token), status=404, page="list", now=now)
        raise PersonNotFoundError("no such person on this list")
    expires_on = add_months(today, EXPIRES_MONTHS[decision])
    session.add(
        UnitListDecision(
            person_id=person_id,
            method=method,
            decision=decision,
            reason=text,
            decided_by_id=reader.user_id,
            decided_at=now,
            expires_on=expires_on,
        )
    )
    chain.append(
        session,
        actor=reader.username,
        action=audit.ALTER,
        subject=audit.person_subject(token),
        details={
            "reason": text,
            "changed": ["unit_list_decisions.decision"],
            "method": method,
            "decision": decision.value,
            "expires_on": expires_on.isoformat(),
        },
        now=now,
    )
    session.flush()
    return DecisionLine(method, decision, text, reader.username, now, expires_on)


def task_from_list(
    session: Session,
    reader: Reader,
    token: str,
    method: str,
    kind: TaskKind,
    *,
    due_on: date,
    details: str,
    today: date,
    now: datetime,
) -> int:
    """Create a task about a listed person, assigned to `reader`, and return its id: only for
    someone with a live adopt decision on `method`'s list (`NotAdoptedError` otherwise; the
    refusal is recorded). A supervisor may task anyone adopted; an officer, the adopted people
    they hold (`PersonNotFoundError` for anyone else, as for no such person)."""
    require(session, reader, Capability.TASKS, now=now)
    require(session, reader, Capability.LIST, now=now)
    _method(method)
    if len(details) > TASK_DETAILS_CHARS:
        raise ListingError(f"details: at most {TASK_DETAILS_CHARS} characters")
    found = look_up(session, reader, token)
    if found is None or not (reader.whole_unit or found.held):
        refused(session, reader, token_subject(token), status=404, page="list", now=now)
        raise PersonNotFoundError("no such person, or not one of the reader's")
    latest = next(
        iter(_decision_lines(session, [found.person_id], method).get(found.person_id, ())), None
    )
    if standing(latest, today) is not Standing.ADOPT:
        refused(session, reader, token_subject(token), status=409, page="list-task", now=now)
        raise NotAdoptedError(
            f"not adopted from the {method} list: a supervisor records an adopt decision, with "
            "its reason, before anyone is tasked from the list"
        )
    task = UnitTask(
        person_id=found.person_id,
        kind=kind,
        assigned_to_id=reader.user_id,
        due_on=due_on,
        details=details,
        created_at=now,
        updated_at=now,
    )
    session.add(task)
    session.flush()
    audit.altered(
        session,
        reader.username,
        token,
        f"task {task.id} from the {method} list (adopted)",
        changed=["unit_tasks"],
        now=now,
    )
    return task.id


@dataclass(frozen=True)
class PersonPlace:
    """A person's latest place on one method's list, and their standing there."""

    refresh: RefreshLine
    rank: int
    score: float
    explanation: str
    standing: Standing


@dataclass(frozen=True)
class PersonRanking:
    """What the person page shows of the list: the latest place per method (where the person
    has one) and every decision about them, newest first."""

    places: tuple[PersonPlace, ...]
    decisions: tuple[DecisionLine, ...]


def person_ranking(session: Session, person_id: int, *, today: date) -> PersonRanking:
    """`person_id`'s places and decisions (the caller has opened their record, audited)."""
    decisions = _decision_lines(session, [person_id], None).get(person_id, [])
    places: list[PersonPlace] = []
    for method in METHODS:
        found = session.execute(
            select(UnitListEntry, UnitListRefresh)
            .join(UnitListRefresh, UnitListRefresh.id == UnitListEntry.refresh_id)
            .where(UnitListEntry.person_id == person_id, UnitListRefresh.method == method)
            .order_by(UnitListRefresh.created_at.desc(), UnitListRefresh.id.desc())
            .limit(1)
        ).first()
        if found is None:
            continue
        entry, row = found
        latest = next((d for d in decisions if d.method == method), None)
        places.append(
            PersonPlace(
                _refresh_line(session, row),
                entry.rank,
                entry.score,
                entry.explanation,
                standing(latest, today),
            )
        )
    return PersonRanking(tuple(places), tuple(decisions))


@dataclass(frozen=True)
class ListMark:
    """What a caseload shows of a person's place on a list: their rank on its latest refresh
    and their standing there."""

    method: str
    rank: int
    standing: Standing


def caseload_marks(
    session: Session, reader: Reader, tokens: Sequence[str], *, method: str = "v100", today: date
) -> dict[str, ListMark]:
    """The people of a caseload page (by token) on `method`'s latest refresh, as `reader` may
    see them: a supervisor, everyone listed; an officer, only the adopted (what the list gives
    them to do, as on the list page). One query each for the entries and the decisions."""
    latest = latest_refresh(session, method)
    if latest is None or not tokens:
        return {}
    rows = session.execute(
        select(UnitPerson.token, UnitPerson.id, UnitListEntry.rank)
        .join(UnitListEntry, UnitListEntry.person_id == UnitPerson.id)
        .where(UnitListEntry.refresh_id == latest.id, UnitPerson.token.in_(list(tokens)))
    ).all()
    decisions = _decision_lines(session, [person_id for _, person_id, _ in rows], method)
    marks = {}
    for token, person_id, rank in rows:
        latest_decision = next(iter(decisions.get(person_id, [])), None)
        mark = ListMark(method, rank, standing(latest_decision, today))
        if reader.whole_unit or mark.standing is Standing.ADOPT:
            marks[token] = mark
    return marks
