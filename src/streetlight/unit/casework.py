"""What the unit's pages show, read from the casework tables as plain frozen dataclasses: a
caseload (people held and their open tasks, overdue first), one person's file (a timeline of
their offences, arrests, bail and orders, the people linked to them, open tasks, the points of
their offences), the bail and orders board (what expires soon, what lapsed without a decision,
what was breached, each with the action it needs) and the dashboard's aggregates.

Reads only: nothing here is audited or checks who asks. `streetlight.unit.access` decides who
may see what and records each opening; callers pass what the reader's remit bounds (`holder`:
a staff account's id for an officer's caseload, None for the whole unit).

Dates: "today" is the force's local date, passed in (`today`), so that a bail period ending on
the 4th is still live all of the 4th in the force's time zone; instants are UTC, and a local
month or day is taken in the force's zone (`zone`).
"""

from __future__ import annotations

import enum
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.orm import Mapped, Session, aliased

from streetlight.db.enums import (
    BAIL_MONTHS,
    BailAuthority,
    BailKind,
    OrderKind,
    PersonRole,
    Relationship,
    ReviewDecision,
    SafeguardingStatus,
    Sex,
    TaskKind,
    TaskStatus,
)
from streetlight.db.models import (
    StaffUser,
    UnitArrest,
    UnitBail,
    UnitCaseload,
    UnitLink,
    UnitOffence,
    UnitOrder,
    UnitPerson,
    UnitReview,
    UnitTask,
)

OPEN_STATUSES = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)
# The board: what ends within this many days needs its decision now.
EXPIRING_DAYS = 14
# The board shows this many items of each state to a page, and counts bail up to this many.
BOARD_SHOWN = 50
BOARD_COUNT_CAP = 1000
# The caseload page shows this many people to a page.
CASELOAD_SHOWN = 100
# A lapsed order or a breach stays on the board this long: the casework has no record of the
# action taken on one, so the board cannot tell when it was dealt with, and the review dates
# cover the record after that.
RECENT_DAYS = 28
# Outcomes that are no decision yet: a bail period that ends with only these has lapsed.
PENDING_OUTCOMES = frozenset({"Under investigation"})
DASHBOARD_MONTHS = 12


# --- People as lists show them ------------------------------------------------------------------


@dataclass(frozen=True)
class PersonLine:
    """A person as a list names them: by token (their page's address) and name where the
    extract carries one."""

    token: str
    surname: str | None
    forenames: str | None
    review_due: date

    @property
    def name(self) -> str | None:
        """ "Forenames SURNAME", or None when the unit holds no name."""
        parts = [p for p in (self.forenames, self.surname.upper() if self.surname else None) if p]
        return " ".join(parts) or None

    @property
    def short(self) -> str:
        """The token's first eight digits: tells unnamed people apart on a page."""
        return self.token[:8]


def _line(person: UnitPerson) -> PersonLine:
    return PersonLine(person.token, person.surname, person.forenames, person.review_due)


@dataclass(frozen=True)
class TaskLine:
    """An open task. `overdue_days`: how many days past its due date (0 when not overdue)."""

    id: int
    person: PersonLine
    kind: TaskKind
    status: TaskStatus
    due_on: date
    details: str
    assigned_to: str | None  # the staff member's display name
    assigned_to_id: int | None
    overdue_days: int

    @property
    def overdue(self) -> bool:
        return self.overdue_days > 0


def _task_lines(
    session: Session, where: Sequence[ColumnElement[bool]], today: date
) -> tuple[TaskLine, ...]:
    """Open tasks matching `where`, overdue first (the longest overdue first), then by due date."""
    rows = session.execute(
        select(UnitTask, UnitPerson, StaffUser.display_name)
        .join(UnitPerson, UnitPerson.id == UnitTask.person_id)
        .outerjoin(StaffUser, StaffUser.id == UnitTask.assigned_to_id)
        .where(UnitTask.status.in_(OPEN_STATUSES), *where)
    ).all()
    lines = [
        TaskLine(
            id=task.id,
            person=_line(person),
            kind=task.kind,
            status=task.status,
            due_on=task.due_on,
            details=task.details,
            assigned_to=assignee,
            assigned_to_id=task.assigned_to_id,
            overdue_days=max(0, (today - task.due_on).days),
        )
        for task, person, assignee in rows
    ]
    return tuple(sorted(lines, key=lambda t: (not t.overdue, t.due_on, t.id)))


# --- The caseload -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeldPerson:
    """A person on a caseload: who holds them, their part in offences, their open tasks."""

    person: PersonLine
    holders: tuple[str, ...]  # display names of the staff holding them
    suspect_in: int
    victim_in: int
    open_tasks: int
    overdue_tasks: int
    review_overdue: bool


@dataclass(frozen=True)
class Caseload:
    """`people`: held (by `holder`, or by anyone in the unit), those from `first` (0-based) of
    `held` in all, most overdue tasks first; `tasks`: their open tasks and those assigned to
    `holder`, overdue first; `reviews_due`: people in the remit whose review date has come,
    most overdue first (a supervisor's remit: every record)."""

    whole_unit: bool
    people: tuple[HeldPerson, ...]
    tasks: tuple[TaskLine, ...]
    reviews_due: tuple[PersonLine, ...]
    held: int = 0
    first: int = 0

    @property
    def overdue(self) -> int:
        return sum(1 for t in self.tasks if t.overdue)

    @property
    def more(self) -> bool:
        return self.first + len(self.people) < self.held

    @property
    def following(self) -> int:
        """How many the next page shows."""
        return min(self.held - self.first - len(self.people), len(self.people))


def held_ids(holder: int | None) -> Select[int]:
    """The ids of the people `holder` holds (None: held by anyone in the unit)."""
    query = select(UnitCaseload.person_id)
    return query if holder is None else query.where(UnitCaseload.user_id == holder)


def caseload(
    session: Session,
    holder: int | None,
    today: date,
    *,
    reviews_limit: int = 50,
    shown: int | None = None,
    first: int = 0,
) -> Caseload:
    """The caseload of `holder` (a staff account's id), or the whole unit's (None): `shown`
    people from the `first`, in order of urgency. Everyone held is ordered (by their open
    tasks), but only the page's people have their holders and offences counted: a unit's
    caseload runs to a thousand people, and drawing them all took most of a second.
    `shown`: `CASELOAD_SHOWN` when None."""
    shown = CASELOAD_SHOWN if shown is None else shown
    held = held_ids(holder)
    people = session.execute(
        select(
            UnitPerson.id, UnitPerson.token, UnitPerson.surname, UnitPerson.forenames,
            UnitPerson.review_due,
        ).where(UnitPerson.id.in_(held))
    ).all()  # fmt: skip
    task_where: list[ColumnElement[bool]] = [UnitTask.person_id.in_(held)]
    if holder is not None:
        task_where = [or_(UnitTask.person_id.in_(held), UnitTask.assigned_to_id == holder)]
    tasks = _task_lines(session, task_where, today)
    open_by: Counter[str] = Counter(t.person.token for t in tasks)
    overdue_by: Counter[str] = Counter(t.person.token for t in tasks if t.overdue)
    lines = [(p.id, PersonLine(p.token, p.surname, p.forenames, p.review_due)) for p in people]
    lines.sort(
        key=lambda line: (
            -overdue_by[line[1].token],
            -open_by[line[1].token],
            line[1].name or "~",
            line[1].token,
        )
    )
    page = lines[first : first + shown]
    ids = [pid for pid, _ in page]
    holders: dict[int, list[str]] = defaultdict(list)
    for person_id, name in session.execute(
        select(UnitCaseload.person_id, StaffUser.display_name)
        .join(StaffUser, StaffUser.id == UnitCaseload.user_id)
        .where(UnitCaseload.person_id.in_(ids))
        .order_by(StaffUser.display_name)
    ):
        holders[person_id].append(name)
    roles: Counter[tuple[int, PersonRole]] = Counter()
    for person_id, role in session.execute(
        select(UnitLink.person_id, UnitLink.role).where(UnitLink.person_id.in_(ids))
    ):
        roles[person_id, role] += 1
    shown_people = tuple(
        HeldPerson(
            person=line,
            holders=tuple(holders[pid]),
            suspect_in=roles[pid, PersonRole.SUSPECT],
            victim_in=roles[pid, PersonRole.VICTIM],
            open_tasks=open_by[line.token],
            overdue_tasks=overdue_by[line.token],
            review_overdue=line.review_due <= today,
        )
        for pid, line in page
    )
    due_query = select(UnitPerson).where(UnitPerson.review_due <= today)
    if holder is not None:
        due_query = due_query.where(UnitPerson.id.in_(held))
    due = session.scalars(
        due_query.order_by(UnitPerson.review_due, UnitPerson.id).limit(reviews_limit)
    ).all()
    due_lines = tuple(_line(p) for p in due)
    return Caseload(holder is None, shown_people, tasks, due_lines, len(lines), first)


# --- One person's file --------------------------------------------------------------------------


@dataclass(frozen=True)
class Involvement:
    """An offence this person is linked to, and their part in it (`safeguarding`: where a
    victim's safeguarding stands; None for other parts). x/y: metres in the imports' CRS."""

    offence_id: int
    offence_ref: str
    ho_code: str
    subgroup: str
    category: str
    vawg: bool
    occurred_from: datetime
    occurred_to: datetime | None
    reported_at: datetime
    x: float | None
    y: float | None
    relationship: Relationship | None
    role: PersonRole
    safeguarding: SafeguardingStatus | None


@dataclass(frozen=True)
class ArrestLine:
    arrest_ref: str
    offence_ref: str
    arrested_at: datetime
    charged_at: datetime | None
    outcome: str | None
    outcome_at: datetime | None


@dataclass(frozen=True)
class BailLine:
    bail_ref: str
    offence_ref: str
    kind: BailKind
    starts: date
    expires: date | None
    authority: BailAuthority | None
    conditions: str | None
    victim_views_sought: bool | None


@dataclass(frozen=True)
class OrderLine:
    """A protective order: against this person (`protects` is whom, when the unit knows them),
    or protecting them (`against` is whom)."""

    order_ref: str
    kind: OrderKind
    starts: date
    expires: date | None
    conditions: str | None
    breached_at: datetime | None
    against: PersonLine | None
    protects: PersonLine | None


@dataclass(frozen=True)
class ReviewLine:
    decision: ReviewDecision
    reason: str
    decided_at: datetime
    decided_by: str | None
    next_review: date | None


@dataclass(frozen=True)
class LinkedPerson:
    """Someone else linked to one of this person's offences: the victims of their offences
    (with the victim's safeguarding status), the suspects of the offences against them,
    witnesses."""

    person: PersonLine
    offence_ref: str
    role: PersonRole
    safeguarding: SafeguardingStatus | None
    relationship: Relationship | None


class EventKind(enum.StrEnum):
    """One line of a person's timeline."""

    OFFENCE = "offence"  # an offence they are linked to, at its start (their part in it)
    ARREST = "arrest"
    CHARGE = "charge"
    OUTCOME = "outcome"
    BAIL = "bail"  # bail or release under investigation starts
    ORDER = "order"  # an order against them, or protecting them, starts
    BREACH = "breach"
    REVIEW = "review"


TimelineItem = Involvement | ArrestLine | BailLine | OrderLine | ReviewLine


@dataclass(frozen=True)
class Event:
    """A timeline line: what, on which local day (`at`: the instant when the record has one),
    and the record it comes from."""

    kind: EventKind
    on: date
    at: datetime | None
    item: TimelineItem


@dataclass(frozen=True)
class MapPoint:
    """An offence's point (metres in the imports' CRS) and this person's part in it."""

    x: float
    y: float
    role: PersonRole
    offence_ref: str


@dataclass(frozen=True)
class PersonFile:
    """Everything the unit holds about one person, for their page (newest events first)."""

    token: str
    surname: str | None
    forenames: str | None
    date_of_birth: date | None
    sex: Sex
    ethnicity: str | None
    review_due: date
    review_overdue: bool
    holders: tuple[str, ...]
    holder_ids: tuple[int, ...]
    involvements: tuple[Involvement, ...]
    arrests: tuple[ArrestLine, ...]
    bail: tuple[BailLine, ...]
    orders: tuple[OrderLine, ...]
    linked: tuple[LinkedPerson, ...]
    tasks: tuple[TaskLine, ...]
    reviews: tuple[ReviewLine, ...]
    timeline: tuple[Event, ...]
    points: tuple[MapPoint, ...]

    @property
    def line(self) -> PersonLine:
        return PersonLine(self.token, self.surname, self.forenames, self.review_due)

    @property
    def victims(self) -> tuple[LinkedPerson, ...]:
        """The victims of the offences this person is a suspect in."""
        suspect_in = {i.offence_ref for i in self.involvements if i.role is PersonRole.SUSPECT}
        return tuple(
            p for p in self.linked if p.role is PersonRole.VICTIM and p.offence_ref in suspect_in
        )

    @property
    def suspects(self) -> tuple[LinkedPerson, ...]:
        """The suspects of the offences this person is a victim of."""
        victim_of = {i.offence_ref for i in self.involvements if i.role is PersonRole.VICTIM}
        return tuple(
            p for p in self.linked if p.role is PersonRole.SUSPECT and p.offence_ref in victim_of
        )


def _local_day(at: datetime, zone: ZoneInfo) -> date:
    return at.astimezone(zone).date()


def person_file(session: Session, person: UnitPerson, today: date, zone: ZoneInfo) -> PersonFile:
    """`person`'s file as of `today` (the force's local date; days are taken in `zone`)."""
    pid = person.id
    involvements = tuple(
        Involvement(
            offence_id=o.id,
            offence_ref=o.offence_ref,
            ho_code=o.ho_code,
            subgroup=o.subgroup,
            category=o.category,
            vawg=o.vawg,
            occurred_from=o.occurred_from,
            occurred_to=o.occurred_to,
            reported_at=o.reported_at,
            x=o.x,
            y=o.y,
            relationship=o.relationship_,
            role=link.role,
            safeguarding=link.safeguarding,
        )
        for link, o in session.execute(
            select(UnitLink, UnitOffence)
            .join(UnitOffence, UnitOffence.id == UnitLink.offence_id)
            .where(UnitLink.person_id == pid)
            .order_by(UnitOffence.occurred_from, UnitOffence.id, UnitLink.role)
        )
    )
    arrests = tuple(
        ArrestLine(a.arrest_ref, ref, a.arrested_at, a.charged_at, a.outcome, a.outcome_at)
        for a, ref in session.execute(
            select(UnitArrest, UnitOffence.offence_ref)
            .join(UnitOffence, UnitOffence.id == UnitArrest.offence_id)
            .where(UnitArrest.person_id == pid)
            .order_by(UnitArrest.arrested_at, UnitArrest.id)
        )
    )
    bail = tuple(
        BailLine(
            b.bail_ref,
            ref,
            b.kind,
            b.starts,
            b.expires,
            b.authority,
            b.conditions,
            b.victim_views_sought,
        )
        for b, ref in session.execute(
            select(UnitBail, UnitOffence.offence_ref)
            .join(UnitOffence, UnitOffence.id == UnitBail.offence_id)
            .where(UnitBail.person_id == pid)
            .order_by(UnitBail.starts, UnitBail.id)
        )
    )
    orders = _orders(session, pid)
    linked = _linked(session, pid)
    tasks = _task_lines(session, [UnitTask.person_id == pid], today)
    reviews = tuple(
        ReviewLine(r.decision, r.reason, r.decided_at, name, r.next_review)
        for r, name in session.execute(
            select(UnitReview, StaffUser.display_name)
            .outerjoin(StaffUser, StaffUser.id == UnitReview.decided_by_id)
            .where(UnitReview.person_id == pid)
            .order_by(UnitReview.decided_at)
        )
    )
    holders = session.execute(
        select(StaffUser.id, StaffUser.display_name)
        .join(UnitCaseload, UnitCaseload.user_id == StaffUser.id)
        .where(UnitCaseload.person_id == pid)
        .order_by(StaffUser.display_name)
    ).all()
    return PersonFile(
        token=person.token,
        surname=person.surname,
        forenames=person.forenames,
        date_of_birth=person.date_of_birth,
        sex=person.sex,
        ethnicity=person.ethnicity,
        review_due=person.review_due,
        review_overdue=person.review_due <= today,
        holders=tuple(h.display_name for h in holders),
        holder_ids=tuple(h.id for h in holders),
        involvements=involvements,
        arrests=arrests,
        bail=bail,
        orders=orders,
        linked=linked,
        tasks=tasks,
        reviews=reviews,
        timeline=_timeline(involvements, arrests, bail, orders, reviews, zone),
        points=tuple(
            MapPoint(i.x, i.y, i.role, i.offence_ref)
            for i in involvements
            if i.x is not None and i.y is not None
        ),
    )


def _orders(session: Session, pid: int) -> tuple[OrderLine, ...]:
    subject, protected = aliased(UnitPerson), aliased(UnitPerson)
    rows = session.execute(
        select(UnitOrder, subject, protected)
        .join(subject, subject.id == UnitOrder.person_id)
        .outerjoin(protected, protected.id == UnitOrder.protected_person_id)
        .where(or_(UnitOrder.person_id == pid, UnitOrder.protected_person_id == pid))
        .order_by(UnitOrder.starts, UnitOrder.id)
    )
    return tuple(
        OrderLine(
            order_ref=order.order_ref,
            kind=order.kind,
            starts=order.starts,
            expires=order.expires,
            conditions=order.conditions,
            breached_at=order.breached_at,
            against=None if against.id == pid else _line(against),
            protects=None if protects is None or protects.id == pid else _line(protects),
        )
        for order, against, protects in rows
    )


def _linked(session: Session, pid: int) -> tuple[LinkedPerson, ...]:
    mine, theirs = aliased(UnitLink), aliased(UnitLink)
    rows = session.execute(
        select(theirs, UnitPerson, UnitOffence.offence_ref, UnitOffence.relationship_)
        .join(mine, and_(mine.offence_id == theirs.offence_id, mine.person_id == pid))
        .join(UnitPerson, UnitPerson.id == theirs.person_id)
        .join(UnitOffence, UnitOffence.id == theirs.offence_id)
        .where(theirs.person_id != pid)
        .order_by(UnitOffence.occurred_from, UnitOffence.id, theirs.role, UnitPerson.id)
    )
    seen: set[tuple[int, int, PersonRole]] = set()
    found: list[LinkedPerson] = []
    for link, person, ref, relationship in rows:
        key = (link.person_id, link.offence_id, link.role)
        if key in seen:  # the person linked twice to the same offence by this one
            continue
        seen.add(key)
        found.append(LinkedPerson(_line(person), ref, link.role, link.safeguarding, relationship))
    return tuple(found)


def _timeline(
    involvements: Iterable[Involvement],
    arrests: Iterable[ArrestLine],
    bail: Iterable[BailLine],
    orders: Iterable[OrderLine],
    reviews: Iterable[ReviewLine],
    zone: ZoneInfo,
) -> tuple[Event, ...]:
    """Every dated fact about the person, newest first. A fact known only by its day (a bail
    period or an order starting) comes after the timed facts of that day (bail follows the
    arrest, an order the hearing), so it is listed above them."""
    events: list[Event] = []

    def at(kind: EventKind, instant: datetime, item: TimelineItem) -> None:
        events.append(Event(kind, _local_day(instant, zone), instant, item))

    for i in involvements:
        at(EventKind.OFFENCE, i.occurred_from, i)
    for a in arrests:
        at(EventKind.ARREST, a.arrested_at, a)
        if a.charged_at is not None:
            at(EventKind.CHARGE, a.charged_at, a)
        if a.outcome is not None and a.outcome_at is not None:
            at(EventKind.OUTCOME, a.outcome_at, a)
    for b in bail:
        events.append(Event(EventKind.BAIL, b.starts, None, b))
    for o in orders:
        events.append(Event(EventKind.ORDER, o.starts, None, o))
        if o.breached_at is not None:
            at(EventKind.BREACH, o.breached_at, o)
    for r in reviews:
        at(EventKind.REVIEW, r.decided_at, r)
    events.sort(key=lambda e: (e.on, e.at is None, e.at or datetime.min), reverse=True)
    return tuple(events)


# --- The bail and orders board ------------------------------------------------------------------


class BoardState(enum.StrEnum):
    """Why an item is on the board, most urgent first."""

    BREACHED = "breached"
    LAPSED = "lapsed"
    EXPIRING = "expiring"


class BoardAction(enum.StrEnum):
    """The action an item needs (the pages put it in words, with the law it comes from)."""

    # Bail ends soon: charge, or extend it with the authority the next period needs.
    DECIDE_BAIL = "decide_bail"
    # Bail ended with no charge, outcome, further bail or release under investigation recorded.
    BAIL_LAPSED = "bail_lapsed"
    # A DVPN ends within two days: the DVPO application must be heard before it does.
    APPLY_FOR_DVPO = "apply_for_dvpo"
    # A DVPO ends soon: consider a longer order with the victim.
    AFTER_DVPO = "after_dvpo"
    # Any other order ends soon: ask the protected person whether to apply to renew it.
    RENEW_ORDER = "renew_order"
    # A DVPN ended with no DVPO after it.
    DVPN_LAPSED = "dvpn_lapsed"
    # An order ended with no order after it: check the protected person's safety.
    ORDER_LAPSED = "order_lapsed"
    # A DVPN or DVPO breached: arrest; the subject goes before the magistrates (contempt).
    BREACH_DVPO = "breach_dvpo"
    # Any other order breached: a criminal offence; arrest and investigate.
    BREACH_OFFENCE = "breach_offence"


@dataclass(frozen=True)
class BoardItem:
    """A bail period or an order needing action. `ref` is the bail's or order's reference;
    `when`: the day it ends or ended, or the breach's day; `authority`: for bail ending soon, who
    must authorise a further period (None: a charge is the only way on)."""

    state: BoardState
    action: BoardAction
    person: PersonLine
    ref: str
    kind: BailKind | OrderKind
    when: date
    expires: date | None
    authority: BailAuthority | None = None
    victim_views_sought: bool | None = None


@dataclass(frozen=True)
class BoardGroup:
    """One state's items on one page of the board: `items` are those from `first` (0-based)
    of the `total` in that state (of more than `total` when `at_least`), most urgent first."""

    state: BoardState
    items: tuple[BoardItem, ...]
    total: int
    first: int = 0
    at_least: bool = False  # the count stopped early: there are more than `total`

    @property
    def more(self) -> bool:
        return self.at_least or self.first + len(self.items) < self.total

    @property
    def following(self) -> int:
        """How many the next page shows (at most; a page's worth when the count stopped)."""
        left = self.total - self.first - len(self.items)
        return len(self.items) if self.at_least else min(left, len(self.items))


@dataclass(frozen=True)
class Board:
    """The board's groups, breached first; each holds a page of its items (a force's board can
    hold thousands of lapsed bail periods, and a page of them all would take seconds)."""

    groups: tuple[BoardGroup, ...]

    @property
    def items(self) -> tuple[BoardItem, ...]:
        return tuple(item for group in self.groups for item in group.items)

    def of(self, state: BoardState) -> tuple[BoardItem, ...]:
        return next((g.items for g in self.groups if g.state is state), ())


_AUTHORITY_ORDER = tuple(BailAuthority)


def next_authority(authority: BailAuthority | None) -> BailAuthority:
    """Who may authorise the bail period after one `authority` set (PACE s47ZD-ZG): the next
    rank up, and a magistrates' court beyond an assistant chief constable."""
    if authority is None or BAIL_MONTHS[authority] is None:
        return BailAuthority.MAGISTRATES_COURT
    return _AUTHORITY_ORDER[min(_AUTHORITY_ORDER.index(authority) + 1, len(_AUTHORITY_ORDER) - 1)]


def _in_remit(person_column: Mapped[int], holder: int | None) -> list[ColumnElement[bool]]:
    """The condition that keeps the rows of people in the remit (none for the whole unit)."""
    return [] if holder is None else [person_column.in_(held_ids(holder))]


def board(
    session: Session,
    holder: int | None,
    today: date,
    zone: ZoneInfo,
    *,
    shown: int = BOARD_SHOWN,
    state: BoardState | None = None,
    first: int = 0,
) -> Board:
    """Bail and orders of the people in the remit (`holder`'s caseload, or the whole unit) that
    need action, most urgent first: breached orders, then what lapsed without a decision, then
    what ends within `EXPIRING_DAYS`, each by date; `shown` items of each state from the first,
    or of `state` alone from its `first`.

    Bail is counted and cut to the page in the database (a force's lapsed bail runs to
    thousands); orders, bounded by their dates, are all read and merged with it."""
    orders: dict[BoardState, list[BoardItem]] = defaultdict(list)
    for item in _order_items(session, holder, today, zone):
        orders[item.state].append(item)
    groups = []
    for each in BoardState if state is None else (state,):
        start = first if each is state else 0
        bail, bail_total, capped = _bail_items(session, holder, today, each, start + shown)
        items = sorted([*bail, *orders[each]], key=lambda i: (i.when, i.ref))
        total = bail_total + len(orders[each])
        if total:
            page = tuple(items[start : start + shown])
            groups.append(BoardGroup(each, page, total, start, at_least=capped))
    return Board(tuple(groups))


def _bail_items(
    session: Session, holder: int | None, today: date, state: BoardState, limit: int
) -> tuple[list[BoardItem], int, bool]:
    """The first `limit` pre-charge bail periods in `state` (lapsed: ended before `today`;
    expiring: ending by the board's horizon), by end date, how many there are (counted up to
    `BOARD_COUNT_CAP`, or `limit` if more) and whether there are more than that.
    Each has had no decision since it began: no charge,
    no outcome other than "under investigation" on the same person and offence, and no later
    bail or release under investigation on the same offence.

    "Since it began" compares the instant with the start day's UTC midnight (a decision an hour
    either side of midnight on the day bail began is not a case that happens)."""
    later = aliased(UnitBail)
    decided = exists().where(
        UnitArrest.person_id == UnitBail.person_id,
        UnitArrest.offence_id == UnitBail.offence_id,
        or_(
            UnitArrest.charged_at >= UnitBail.starts,
            and_(
                UnitArrest.outcome.is_not(None),
                UnitArrest.outcome.not_in(PENDING_OUTCOMES),
                UnitArrest.outcome_at >= UnitBail.starts,
            ),
        ),
    )
    superseded = exists().where(
        later.person_id == UnitBail.person_id,
        later.offence_id == UnitBail.offence_id,
        later.id != UnitBail.id,
        or_(
            later.starts > UnitBail.starts,
            and_(later.starts == UnitBail.starts, later.id > UnitBail.id),
        ),
    )
    if state is BoardState.BREACHED:
        return [], 0, False
    lapsed = state is BoardState.LAPSED
    window = (
        UnitBail.expires < today
        if lapsed
        else UnitBail.expires.between(today, today + timedelta(days=EXPIRING_DAYS))
    )
    where = (
        UnitBail.kind == BailKind.PRE_CHARGE_BAIL,
        window,
        ~decided,
        ~superseded,
        *_in_remit(UnitBail.person_id, holder),
    )
    # Counted up to a cap past the page: the board then says "more than", and the count stops
    # early instead of testing every lapsed period of a force's backlog for a decision (83 of
    # the 92 ms of a 300,000-offence unit's board).
    cap = max(BOARD_COUNT_CAP, limit)
    counted = select(UnitBail.id).where(*where).limit(cap + 1).subquery()
    total = session.execute(select(func.count()).select_from(counted)).scalar_one()
    if not total:
        return [], 0, False
    rows = session.execute(
        select(
            UnitBail.bail_ref,
            UnitBail.kind,
            UnitBail.expires,
            UnitBail.authority,
            UnitBail.victim_views_sought,
            UnitPerson.token,
            UnitPerson.surname,
            UnitPerson.forenames,
            UnitPerson.review_due,
        )
        .join(UnitPerson, UnitPerson.id == UnitBail.person_id)
        .where(*where)
        .order_by(UnitBail.expires, UnitBail.bail_ref)
        .limit(limit)
    )
    items = [
        BoardItem(
            state=state,
            action=BoardAction.BAIL_LAPSED if lapsed else BoardAction.DECIDE_BAIL,
            person=PersonLine(row.token, row.surname, row.forenames, row.review_due),
            ref=row.bail_ref,
            kind=row.kind,
            when=row.expires,
            expires=row.expires,
            authority=None if lapsed else next_authority(row.authority),
            victim_views_sought=row.victim_views_sought,
        )
        for row in rows
    ]
    return items, min(total, cap), total > cap


def _order_items(
    session: Session, holder: int | None, today: date, zone: ZoneInfo
) -> list[BoardItem]:
    """Orders breached recently (while in force, or in the last `RECENT_DAYS`), and orders with
    an end date and no order after them (same subject and protected person) that end within
    `EXPIRING_DAYS` or ended in the last `RECENT_DAYS`."""
    horizon = today + timedelta(days=EXPIRING_DAYS)
    since = today - timedelta(days=RECENT_DAYS)
    later = aliased(UnitOrder)
    same_protected = or_(
        later.protected_person_id == UnitOrder.protected_person_id,
        and_(later.protected_person_id.is_(None), UnitOrder.protected_person_id.is_(None)),
    )
    followed = exists().where(
        later.person_id == UnitOrder.person_id,
        same_protected,
        later.id != UnitOrder.id,
        later.starts >= UnitOrder.starts,
        or_(later.expires.is_(None), later.expires > UnitOrder.expires),
    )
    rows = session.execute(
        select(UnitOrder, UnitPerson, followed.label("followed"))
        .join(UnitPerson, UnitPerson.id == UnitOrder.person_id)
        .where(
            or_(
                UnitOrder.breached_at.is_not(None),
                and_(UnitOrder.expires.is_not(None), UnitOrder.expires.between(since, horizon)),
            ),
            *_in_remit(UnitOrder.person_id, holder),
        )
    )
    items: list[BoardItem] = []
    for order, person, has_successor in rows:
        dvp = order.kind in (OrderKind.DVPN, OrderKind.DVPO)
        expires = order.expires
        if order.breached_at is not None:
            breach_day = _local_day(order.breached_at, zone)
            in_force = expires is None or expires >= today
            if breach_day >= since or (in_force and breach_day >= order.starts):
                items.append(
                    BoardItem(
                        state=BoardState.BREACHED,
                        action=BoardAction.BREACH_DVPO if dvp else BoardAction.BREACH_OFFENCE,
                        person=_line(person),
                        ref=order.order_ref,
                        kind=order.kind,
                        when=breach_day,
                        expires=expires,
                    )
                )
                continue
        if expires is None or has_successor or not since <= expires <= horizon:
            continue
        if expires < today:
            state = BoardState.LAPSED
            action = (
                BoardAction.DVPN_LAPSED
                if order.kind is OrderKind.DVPN
                else BoardAction.ORDER_LAPSED
            )
        else:
            state = BoardState.EXPIRING
            action = {
                OrderKind.DVPN: BoardAction.APPLY_FOR_DVPO,
                OrderKind.DVPO: BoardAction.AFTER_DVPO,
            }.get(order.kind, BoardAction.RENEW_ORDER)
        items.append(
            BoardItem(state, action, _line(person), order.order_ref, order.kind, expires, expires)
        )
    return items


# --- The dashboard ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardRow:
    """One month (its first day; None: the whole window) and PRC offence subgroup ("" for all
    subgroups): arrests made, charges and outcomes recorded that month, and the median days from
    the crime's report to the arrest, for the month's arrests (None when there were none)."""

    month: date | None
    subgroup: str
    arrests: int
    charges: int
    outcomes: int
    median_days_to_arrest: float | None


@dataclass(frozen=True)
class OutcomeCount:
    """How many arrests of an offence subgroup reached an outcome category in the window."""

    subgroup: str
    outcome: str
    count: int


@dataclass(frozen=True)
class Dashboard:
    """The unit's activity over `months` (first days, oldest first): `rows` by month and
    subgroup, `monthly` totals by month, `by_subgroup` totals over the window, `overall` the
    window's total, and `outcomes` by category. Counts only: no person appears."""

    months: tuple[date, ...]
    rows: tuple[DashboardRow, ...]
    monthly: tuple[DashboardRow, ...]
    by_subgroup: tuple[DashboardRow, ...]
    overall: DashboardRow
    outcomes: tuple[OutcomeCount, ...]


def month_of(day: date) -> date:
    return day.replace(day=1)


def _months_back(today: date, count: int) -> tuple[date, ...]:
    year, month = today.year, today.month
    months = []
    for _ in range(count):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return tuple(reversed(months))


def dashboard(
    session: Session, today: date, zone: ZoneInfo, *, months: int = DASHBOARD_MONTHS
) -> Dashboard:
    """Arrests, charges and outcomes of the last `months` local months up to `today`'s, by month
    and offence subgroup, with the median time from report to arrest.

    Each event counts in its own month: an arrest in the month it was made, a charge in the
    month of the charge, an outcome in the month it was recorded. The time to arrest is from the
    crime's `reported_at`; an arrest at the scene is often recorded before the crime report is,
    and counts as 0 days.
    """
    window = _months_back(today, months)
    first = datetime.combine(window[0], datetime.min.time(), zone)
    rows = session.execute(
        select(
            UnitOffence.subgroup,
            UnitOffence.reported_at,
            UnitArrest.arrested_at,
            UnitArrest.charged_at,
            UnitArrest.outcome,
            UnitArrest.outcome_at,
        )
        .join(UnitOffence, UnitOffence.id == UnitArrest.offence_id)
        .where(
            or_(
                UnitArrest.arrested_at >= first,
                UnitArrest.charged_at >= first,
                UnitArrest.outcome_at >= first,
            )
        )
    )
    in_window = set(window)
    arrests: Counter[tuple[date, str]] = Counter()
    charges: Counter[tuple[date, str]] = Counter()
    outcomes: Counter[tuple[date, str]] = Counter()
    days: dict[tuple[date, str], list[float]] = defaultdict(list)
    categories: Counter[tuple[str, str]] = Counter()
    for subgroup, reported_at, arrested_at, charged_at, outcome, outcome_at in rows:
        month = month_of(_local_day(arrested_at, zone))
        if month in in_window:
            arrests[month, subgroup] += 1
            waited = (arrested_at - reported_at).total_seconds() / 86_400
            days[month, subgroup].append(max(0.0, waited))
        if charged_at is not None:
            month = month_of(_local_day(charged_at, zone))
            if month in in_window:
                charges[month, subgroup] += 1
        if outcome is not None and outcome_at is not None:
            month = month_of(_local_day(outcome_at, zone))
            if month in in_window:
                outcomes[month, subgroup] += 1
                categories[subgroup, outcome] += 1

    def row(month: date | None, subgroup: str, keys: list[tuple[date, str]]) -> DashboardRow:
        waits = [d for k in keys for d in days.get(k, ())]
        return DashboardRow(
            month=month,
            subgroup=subgroup,
            arrests=sum(arrests[k] for k in keys),
            charges=sum(charges[k] for k in keys),
            outcomes=sum(outcomes[k] for k in keys),
            median_days_to_arrest=statistics.median(waits) if waits else None,
        )

    keys = sorted(set(arrests) | set(charges) | set(outcomes))
    subgroups = sorted({s for _, s in keys})
    return Dashboard(
        months=window,
        rows=tuple(row(m, s, [(m, s)]) for m, s in keys),
        monthly=tuple(row(m, "", [k for k in keys if k[0] == m]) for m in window),
        by_subgroup=tuple(row(None, s, [k for k in keys if k[1] == s]) for s in subgroups),
        overall=row(None, "", keys),
        outcomes=tuple(
            OutcomeCount(s, o, n)
            for (s, o), n in sorted(categories.items(), key=lambda kv: (kv[0][0], -kv[1], kv[0][1]))
        ),
    )
