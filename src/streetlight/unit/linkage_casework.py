"""Crime linkage for the unit's casework: for a person, the unsolved offences most likely theirs,
each with its evidence in words, and the reviewers' recorded decisions about them (issue 20,
part 5).

How (`streetlight.linkage`, after Porter 2016, "A statistical approach to crime linkage", The
American Statistician 70(2)):
- the unit's offences become a linkage crime table (`casework_crimes`): the place (x/y, metres),
  the window in which it happened (`occurred_from` to `occurred_to`, in the force's local time,
  as time of day and day of week are read), and three categorical modus-operandi variables the
  unit's data holds (`CATEGORICAL`: the offence's Home Office subgroup, the suspect's
  relationship to the victim, the VAWG flag). An offence without a place is left out, counted;
- the solved offences are those with a suspect link: the suspect is the offender, several
  suspects are co-offenders. A pairwise model is fitted on them by the reference protocol
  (`linkage.pairs.make_pairs`, seed `SEED`), the model being `default_model()`: the one switch
  point for the model in use;
- for a person, their offences as suspect (their series) are compared with every unsolved
  offence (no suspect link) within `WINDOW_DAYS` of one of them; each pair gets a log Bayes
  factor, and each unsolved offence the factors of its pairs joined by `LINK`
  (`linkage.identify.rank_series` with the unsolved offence as the series). With "single" the
  score is exactly the strongest pair's factor, so the breakdown in words
  (`linkage.explain`) explains the number shown. The first `TOP` are shown.

The fitted model is cached per state of the casework (`LinkageCache`: the latest import and the
count of people, so an import or an erasure refits), so a page does not refit.

It is a prompt for investigation, never evidence in itself; and the model learns from the
unit's own solved offences, so whatever bias decides whose offences get solved carries over to
whose are suggested. Decisions (`decide`): accept for investigation, or reject, always with a
reason, by a unit supervisor; the score and model at the time are kept with them.

Audit (in the caller's transaction): each view of a person's results is a `unit.consult` of the
person (reason "crime linkage: offences that may be theirs", with how many were shown and the
model); each decision a `unit.alter` of the person (`unit_linkage_decisions.decision`, the
decision, the model and the decision's id, and `unit_tasks` with the task's id when an accepted
offence becomes a task; never the offence's reference or values). Entries
name people by token only. Decisions go with the person or the offence (ON DELETE CASCADE):
erasing a person at review erases them.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import cast
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import polars as pl
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from streetlight.db import audit as chain
from streetlight.db.audit import JSONValue
from streetlight.db.enums import LinkageDecision, PersonRole, Relationship, TaskKind
from streetlight.db.models import (
    StaffUser,
    UnitImport,
    UnitLink,
    UnitLinkageDecision,
    UnitOffence,
    UnitPerson,
    UnitTask,
)
from streetlight.errors import CaseworkError
from streetlight.linkage.crimes import CrimeTable, Offenders
from streetlight.linkage.evidence import Evidence, compare
from streetlight.linkage.explain import explain, strength_words
from streetlight.linkage.identify import Link, rank_series
from streetlight.linkage.models import LinkageModel, LogisticLinkage
from streetlight.linkage.pairs import make_pairs, midpoint_days
from streetlight.unit import audit
from streetlight.unit.access import (
    Capability,
    PersonNotFoundError,
    Reader,
    refused,
    require,
    token_subject,
)

Ints = npt.NDArray[np.intp]
Floats = npt.NDArray[np.float64]

SEED = 20261207  # the reference protocol's sample of unlinked pairs: fixed, so refits agree
WINDOW_DAYS = 365.0  # as the protocol's threshold: offenders change over longer spans
LINK: Link = "single"  # the score is the strongest pair's: its words explain the number
TOP = 20
# Past this many suspects, the model learns from a seeded sample of them: the protocol's
# unlinked sampling grows with crime groups times offences (hours on a force-sized casework),
# while 5,000 suspects give thousands of linked pairs, plenty for a model of a dozen features.
MAX_TRAIN_SUSPECTS = 5_000
TASK_DAYS = 14  # an accepted offence's task is due this many days after the decision
CONSULT_REASON = "crime linkage: offences that may be theirs"
# The categorical variables read, with their words in a breakdown.
CATEGORICAL: dict[str, str] = {
    "subgroup": "offence type",
    "relationship": "relationship",
    "vawg": "VAWG flag",
}


def default_model() -> LinkageModel:
    """The linkage model in use: the one place to switch it (a naive Bayes or boosted-tree
    model follows the same `LinkageModel` protocol)."""
    return LogisticLinkage()


class LinkageError(CaseworkError):
    """A linkage decision that cannot be recorded: the offence is not one compared with the
    person's (solved, too far in time, or no such offence)."""


@dataclass(frozen=True)
class CaseworkCrimes:
    """The unit's offences as a linkage crime table (ids are offence references) with each row's
    `offence_id` (unit_offences.id), the suspect links as `offenders` (offender: the person's
    row id as text; crime: the offence reference), each suspect link's `suspect_person` and
    `suspect_row` (crime-table row), and how many offences were `left_out` (no place)."""

    crimes: CrimeTable
    offence_id: Ints
    offenders: Offenders
    suspect_person: Ints
    suspect_row: Ints
    left_out: int


def _local_minutes(values: Sequence[datetime], zone: ZoneInfo) -> npt.NDArray[np.datetime64]:
    """UTC instants as the force's local wall-clock time, to the minute (naive)."""
    utc = np.array([v.timestamp() for v in values], dtype=np.float64)
    series = pl.Series("t", (utc * 1e6).astype(np.int64)).cast(pl.Datetime("us", "UTC"))
    local = series.dt.convert_time_zone(zone.key).dt.replace_time_zone(None)
    return cast(npt.NDArray[np.datetime64], local.to_numpy().astype("datetime64[m]"))


def _codes(values: Sequence[str | None]) -> tuple[npt.NDArray[np.int32], tuple[str, ...]]:
    levels = tuple(sorted({v for v in values if v is not None}))
    lookup = {v: k for k, v in enumerate(levels)}
    return np.array([-1 if v is None else lookup[v] for v in values], dtype=np.int32), levels


def _relationship(value: Relationship | None) -> str | None:
    """A relationship's level ("ex-partner"); "unknown" is unknown (-1), not a level."""
    if value is None or value is Relationship.UNKNOWN:
        return None
    return value.value.replace("_", "-")


def casework_crimes(session: Session, zone: ZoneInfo) -> CaseworkCrimes:
    """Every offence of the casework with a place, and every suspect link (two queries)."""
    rows = session.execute(
        select(
            UnitOffence.id,
            UnitOffence.offence_ref,
            UnitOffence.x,
            UnitOffence.y,
            UnitOffence.occurred_from,
            UnitOffence.occurred_to,
            UnitOffence.subgroup,
            UnitOffence.relationship_,
            UnitOffence.vawg,
        ).order_by(UnitOffence.id)
    ).all()
    placed = [r for r in rows if r.x is not None and r.y is not None]
    starts = _local_minutes([r.occurred_from for r in placed], zone)
    ends = _local_minutes([r.occurred_to or r.occurred_from for r in placed], zone)
    categorical: dict[str, npt.NDArray[np.int32]] = {}
    levels: dict[str, tuple[str, ...]] = {}
    columns: dict[str, list[str | None]] = {
        "subgroup": [r.subgroup or None for r in placed],
        "relationship": [_relationship(r.relationship_) for r in placed],
        "vawg": ["yes" if r.vawg else "no" for r in placed],
    }
    for name, values in columns.items():
        categorical[name], levels[name] = _codes(values)
    crimes = CrimeTable(
        ids=np.array([r.offence_ref for r in placed], dtype=np.str_),
        x=np.array([r.x for r in placed], dtype=np.float64),
        y=np.array([r.y for r in placed], dtype=np.float64),
        t_from=starts,
        t_to=np.maximum(starts, ends),
        categorical=categorical,
        levels=levels,
    )
    offence_id = np.array([r.id for r in placed], dtype=np.intp)
    links = session.execute(
        select(UnitLink.person_id, UnitOffence.offence_ref)
        .join(UnitOffence, UnitOffence.id == UnitLink.offence_id)
        .where(UnitLink.role == PersonRole.SUSPECT)
    ).all()
    person = np.array([p for p, _ in links], dtype=np.intp)
    refs = np.array([ref for _, ref in links], dtype=np.str_)
    row = crimes.index(refs) if len(refs) else np.zeros(0, dtype=np.intp)
    return CaseworkCrimes(
        crimes=crimes,
        offence_id=offence_id,
        offenders=Offenders(offender=person.astype(np.str_), crime=refs),
        suspect_person=person[row >= 0],
        suspect_row=row[row >= 0],
        left_out=len(rows) - len(placed),
    )


@dataclass(frozen=True)
class FittedLinkage:
    """A model fitted on the casework's solved offences, with what a person's query needs:
    each crime-table row's window `mid` (days), the unsolved rows sorted by it, each suspect's
    rows (`series`), and the fit's size and time."""

    data: CaseworkCrimes
    model: LinkageModel
    mid: Floats
    unsolved: Ints  # rows with no suspect link, by `mid`
    unsolved_mid: Floats
    series: Mapping[int, Ints]
    linked_pairs: int
    unlinked_pairs: int
    fit_seconds: float

    @property
    def model_name(self) -> str:
        return self.model.name


def training_offenders(
    data: CaseworkCrimes, *, seed: int = SEED, limit: int = MAX_TRAIN_SUSPECTS
) -> Offenders:
    """The suspect links a model learns from: all of them, or those of `limit` suspects drawn
    at random (seeded) when there are more."""
    offenders = data.offenders
    people = np.unique(offenders.offender)
    if len(people) <= limit:
        return offenders
    chosen = np.random.default_rng(seed).choice(people, size=limit, replace=False)
    keep = np.isin(offenders.offender, chosen)
    return Offenders(offender=offenders.offender[keep], crime=offenders.crime[keep])


def fit_casework(
    data: CaseworkCrimes,
    *,
    model: LinkageModel | None = None,
    seed: int = SEED,
    train: Offenders | None = None,
) -> FittedLinkage:
    """Fit `model` (default `default_model()`) on the solved offences by the reference
    protocol. `train`: the offender rows to learn from, default `training_offenders(data)`
    (every suspect's, or a seeded sample of `MAX_TRAIN_SUSPECTS` of them on a larger
    casework); every suspect's series is compared either way.
    `LinkageError` when there is too little to learn from (no two solved offences of one
    suspect, or fewer than two groups of offenders)."""
    started = time.perf_counter()
    crimes = data.crimes
    learn = train if train is not None else training_offenders(data, seed=seed)
    pairs = make_pairs(crimes, learn, seed=seed, threshold_days=WINDOW_DAYS)
    if not pairs.linked.any() or pairs.linked.all():
        raise LinkageError("too few solved offences to learn from (linked and unlinked pairs)")
    chosen = model if model is not None else default_model()
    chosen.fit(compare(crimes, pairs.i, pairs.j), pairs.linked, pairs.weight)
    mid = midpoint_days(crimes)
    solved = np.zeros(len(crimes), dtype=bool)
    solved[data.suspect_row] = True
    unsolved = np.flatnonzero(~solved)
    unsolved = unsolved[np.argsort(mid[unsolved], kind="stable")]
    order = np.argsort(data.suspect_person, kind="stable")
    people, starts = np.unique(data.suspect_person[order], return_index=True)
    split = np.split(data.suspect_row[order], starts[1:]) if len(order) else []
    series = {int(p): np.unique(rows) for p, rows in zip(people, split, strict=True)}
    return FittedLinkage(
        data=data,
        model=chosen,
        mid=mid,
        unsolved=unsolved.astype(np.intp),
        unsolved_mid=mid[unsolved],
        series=series,
        linked_pairs=int(pairs.linked.sum()),
        unlinked_pairs=int((~pairs.linked).sum()),
        fit_seconds=time.perf_counter() - started,
    )


@dataclass(frozen=True)
class Scored:
    """A person's unsolved candidates, best first: crime-table `rows`, joined `scores`, and for
    each the pair (index into `evidence`) that was strongest; `compared` candidates in all."""

    rows: Ints
    scores: Floats
    strongest: Ints
    evidence: Evidence
    compared: int


def score_person(
    fitted: FittedLinkage, person_id: int, *, top: int | None = TOP, link: Link = LINK
) -> Scored:
    """Every unsolved offence within `WINDOW_DAYS` of one of the person's offences as suspect,
    scored against them (pure: no database)."""
    rows = fitted.series.get(person_id, np.zeros(0, dtype=np.intp))
    lo = np.searchsorted(fitted.unsolved_mid, fitted.mid[rows] - WINDOW_DAYS, side="left")
    hi = np.searchsorted(fitted.unsolved_mid, fitted.mid[rows] + WINDOW_DAYS, side="right")
    near = [fitted.unsolved[a:b] for a, b in zip(lo, hi, strict=True)]
    candidates = np.unique(np.concatenate(near)) if near else np.zeros(0, dtype=np.intp)
    i = np.repeat(rows, len(candidates))
    j = np.tile(candidates, len(rows))
    keep = np.abs(fitted.mid[i] - fitted.mid[j]) <= WINDOW_DAYS
    evidence = compare(fitted.data.crimes, i[keep], j[keep])
    log_bf = fitted.model.log_bayes_factor(evidence) if len(evidence) else np.zeros(0)
    ranking = rank_series(log_bf, evidence.j, link=link, top=top)
    return Scored(
        ranking.series, ranking.score, ranking.strongest, evidence, len(np.unique(evidence.j))
    )


StateKey = tuple[str, int, int, str]


class LinkageCache:
    """Fitted models by the state of the casework they were fitted on: the database, the
    latest import (anything an import changes), the count of people (an erasure deletes the
    person, their links and the offences only they were in) and the zone. Holds one state per
    database (a new state replaces the old), `size` databases at most; fits one at a time (a
    second request waits for the first's fit rather than fitting again)."""

    def __init__(self, size: int = 4) -> None:
        self.size = size
        self._fitted: OrderedDict[StateKey, FittedLinkage | None] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(session: Session, zone: ZoneInfo) -> StateKey:
        """Two cheap queries: the latest import's id, and the count of people (an index)."""
        latest = session.scalar(select(func.max(UnitImport.id))) or 0
        people = session.scalar(select(func.count(UnitPerson.id))) or 0
        url = session.get_bind().engine.url.render_as_string(hide_password=True)
        return (url, latest, people, zone.key)

    def fitted(self, session: Session, zone: ZoneInfo) -> FittedLinkage | None:
        """The model for the casework as it is in `session`, fitted if need be; None when the
        casework has too little to learn from."""
        key = self.key(session, zone)
        with self._lock:
            if key in self._fitted:
                self._fitted.move_to_end(key)
                return self._fitted[key]
            # An earlier state of this database goes first: after an erasure, nothing of the
            # erased person may stay in memory either.
            for stale in [k for k in self._fitted if k[0] == key[0]]:
                del self._fitted[stale]
            try:
                found: FittedLinkage | None = fit_casework(casework_crimes(session, zone))
            except LinkageError:
                found = None
            self._fitted[key] = found
            while len(self._fitted) > self.size:
                self._fitted.popitem(last=False)
            return found

    def prime(self, session: Session, zone: ZoneInfo, fitted: FittedLinkage | None) -> None:
        """Hold `fitted` (fitted elsewhere: a benchmark, a warm-up) for the casework's current
        state in `session`, in place of any earlier state of its database."""
        key = self.key(session, zone)
        with self._lock:
            for stale in [k for k in self._fitted if k[0] == key[0]]:
                del self._fitted[stale]
            self._fitted[key] = fitted
            while len(self._fitted) > self.size:
                self._fitted.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._fitted.clear()


CACHE = LinkageCache()


@dataclass(frozen=True)
class DecisionLine:
    """A decision as the pages show it (`decided_by`: a staff username)."""

    offence_ref: str
    decision: LinkageDecision
    reason: str
    decided_by: str | None
    decided_at: datetime
    score: float
    model: str


@dataclass(frozen=True)
class LinkedOffence:
    """An unsolved offence that may be the person's: local window, type, the score (log Bayes
    factor) and its strength in words, the person's own offence it is most alike (`theirs`) and
    the breakdown of that pair, and the latest decision about it."""

    offence_ref: str
    occurred_from: datetime
    occurred_to: datetime
    subgroup: str
    score: float
    strength: str
    theirs: str
    breakdown: str
    decision: DecisionLine | None


@dataclass(frozen=True)
class PersonLinkage:
    """What a person's page shows: the model, the `offences` shown (best first) of `compared`
    unsolved offences, how many of the person's offences as suspect were compared (`series`),
    and every decision about them, newest first."""

    model: str | None
    offences: tuple[LinkedOffence, ...]
    compared: int
    series: int
    decisions: tuple[DecisionLine, ...]


def _decisions(session: Session, person_id: int) -> tuple[DecisionLine, ...]:
    found = session.execute(
        select(UnitLinkageDecision, UnitOffence.offence_ref, StaffUser.username)
        .join(UnitOffence, UnitOffence.id == UnitLinkageDecision.offence_id)
        .outerjoin(StaffUser, StaffUser.id == UnitLinkageDecision.decided_by_id)
        .where(UnitLinkageDecision.person_id == person_id)
        .order_by(UnitLinkageDecision.decided_at.desc(), UnitLinkageDecision.id.desc())
    ).all()
    return tuple(
        DecisionLine(ref, d.decision, d.reason, who, d.decided_at, d.score, d.model)
        for d, ref, who in found
    )


def _when(value: np.datetime64) -> datetime:
    return cast(datetime, value.astype("datetime64[s]").astype(datetime))


def linked_offences(
    session: Session, fitted: FittedLinkage | None, person_id: int, *, top: int = TOP
) -> PersonLinkage:
    """The person's results (no audit entry: `person_linkage` and `operator_person_linkage`
    write it)."""
    decisions = _decisions(session, person_id)
    if fitted is None:
        return PersonLinkage(None, (), 0, 0, decisions)
    scored = score_person(fitted, person_id, top=top)
    crimes = fitted.data.crimes
    latest: dict[str, DecisionLine] = {}
    for d in decisions:
        latest.setdefault(d.offence_ref, d)
    subgroup = crimes.categorical["subgroup"]
    lines = []
    for row, score, k in zip(scored.rows, scored.scores, scored.strongest, strict=True):
        ref = str(crimes.ids[row])
        code = int(subgroup[row])
        lines.append(
            LinkedOffence(
                offence_ref=ref,
                occurred_from=_when(crimes.t_from[row]),
                occurred_to=_when(crimes.t_to[row]),
                subgroup=crimes.levels["subgroup"][code] if code >= 0 else "",
                score=float(score),
                strength=strength_words(float(score)),
                theirs=str(crimes.ids[scored.evidence.i[k]]),
                breakdown=str(explain(crimes, scored.evidence, int(k), labels=CATEGORICAL)),
                decision=latest.get(ref),
            )
        )
    return PersonLinkage(
        fitted.model_name,
        tuple(lines),
        scored.compared,
        len(fitted.series.get(person_id, ())),
        decisions,
    )


def _viewed(
    session: Session, actor: str, token: str, found: PersonLinkage, reason: str, now: datetime
) -> None:
    chain.append(
        session,
        actor=actor,
        action=audit.CONSULT,
        subject=audit.person_subject(token),
        details={
            "reason": audit.reason_text(reason),
            "shown": len(found.offences),
            "compared": found.compared,
            "model": found.model,
        },
        now=now,
    )


def person_linkage(
    session: Session,
    reader: Reader,
    person: UnitPerson,
    *,
    zone: ZoneInfo,
    now: datetime,
    top: int = TOP,
    cache: LinkageCache = CACHE,
) -> PersonLinkage:
    """The unsolved offences that may be `person`'s (whose record the caller has opened,
    audited), recorded as a consultation. A person with no offence as suspect is compared with
    nothing (and the model is not fitted for them)."""
    require(session, reader, Capability.LINKAGE, now=now)
    fitted = cache.fitted(session, zone) if _has_series(session, person.id) else None
    found = linked_offences(session, fitted, person.id, top=top)
    _viewed(session, reader.username, person.token, found, CONSULT_REASON, now)
    return found


def operator_person_linkage(
    session: Session,
    token: str,
    *,
    actor: str,
    reason: str,
    zone: ZoneInfo,
    now: datetime,
    top: int = TOP,
    cache: LinkageCache = CACHE,
) -> PersonLinkage:
    """`person_linkage` for whoever holds the database's credentials (the command line): no
    staff role to check, so the consultation names `actor` and records `reason` (required).
    `PersonNotFoundError` for a token no one has."""
    text = audit.reason_text(reason)
    person = session.scalar(select(UnitPerson).where(UnitPerson.token == token[:64]))
    if person is None:
        raise PersonNotFoundError("no person has this token")
    fitted = cache.fitted(session, zone) if _has_series(session, person.id) else None
    found = linked_offences(session, fitted, person.id, top=top)
    _viewed(session, actor, person.token, found, f"{CONSULT_REASON}: {text}", now)
    return found


def _has_series(session: Session, person_id: int) -> bool:
    """Whether the person is a suspect of any offence (else nothing to compare, nor to fit)."""
    found = session.scalars(
        select(UnitLink.offence_id)
        .where(UnitLink.person_id == person_id, UnitLink.role == PersonRole.SUSPECT)
        .limit(1)
    ).first()
    return found is not None


def decide(
    session: Session,
    reader: Reader,
    token: str,
    offence_ref: str,
    decision: LinkageDecision,
    *,
    reason: str,
    zone: ZoneInfo,
    now: datetime,
    task_due: date | None = None,
    cache: LinkageCache = CACHE,
) -> DecisionLine:
    """Record a supervisor's decision about an unsolved offence that may be the person's, with
    the score and model as they stand now; with `task_due`, an accepted offence also becomes a
    task about the person, assigned to the supervisor, due then (`TASK_DAYS` on the pages).
    Checked before anything is written: the role (`CaseworkForbiddenError`), the reason
    (`CaseworkAccessError`), the person (`PersonNotFoundError`), the offence being one compared
    with theirs, and a task only for an acceptance (`LinkageError`)."""
    require(session, reader, Capability.LINKAGE_DECIDE, now=now)
    text = audit.reason_text(reason)
    if task_due is not None and decision is not LinkageDecision.ACCEPT:
        raise LinkageError("task: only an offence accepted for investigation becomes a task")
    person = session.scalar(select(UnitPerson).where(UnitPerson.token == token[:64]))
    if person is None:
        refused(session, reader, token_subject(token), status=404, page="linkage", now=now)
        raise PersonNotFoundError("no such person")
    fitted = cache.fitted(session, zone)
    row = -1 if fitted is None else int(fitted.data.crimes.index([offence_ref[:64]])[0])
    if fitted is None or row < 0:
        raise LinkageError("offence: not an unsolved offence compared with this person's")
    scored = score_person(fitted, person.id, top=None)
    at = np.flatnonzero(scored.rows == row)
    if not len(at):
        raise LinkageError("offence: not an unsolved offence compared with this person's")
    score = float(scored.scores[at[0]])
    entry = UnitLinkageDecision(
        person_id=person.id,
        offence_id=int(fitted.data.offence_id[row]),
        decision=decision,
        reason=text,
        decided_by_id=reader.user_id,
        decided_at=now,
        score=score,
        model=fitted.model_name,
    )
    session.add(entry)
    changed: list[JSONValue] = ["unit_linkage_decisions.decision"]
    task = None
    if task_due is not None:
        task = UnitTask(
            person_id=person.id,
            offence_id=entry.offence_id,
            kind=TaskKind.OTHER,
            assigned_to_id=reader.user_id,
            due_on=task_due,
            details=f"Investigate a possible link to unsolved crime {offence_ref} (crime "
            "linkage: accepted for investigation; a prompt, not evidence).",
            created_at=now,
            updated_at=now,
        )
        session.add(task)
        changed.append("unit_tasks")
    session.flush()
    details: dict[str, JSONValue] = {
        "reason": text,
        "changed": changed,
        "decision": decision.value,
        "model": fitted.model_name,
        "linkage_decision": entry.id,
    }
    if task is not None:
        details["task"] = task.id
    chain.append(
        session,
        actor=reader.username,
        action=audit.ALTER,
        subject=audit.person_subject(person.token),
        details=details,
        now=now,
    )
    return DecisionLine(offence_ref, decision, text, reader.username, now, score, fitted.model_name)
