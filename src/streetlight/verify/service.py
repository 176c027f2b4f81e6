"""A member of the public checks a warrant number and a code.

Every failure (unknown number, suspended, off duty, no engagement, wrong, expired or used code, too
many attempts) runs the same statements and the same number of HMACs and returns the same public
answer; only the control room learns which it was. A judged check writes its verification, its
rate-limit hits, an audit row and a console alert; a check refused by a limit is only counted
(`streetlight.verify.junk`), and strangers' wrong codes burn a code rather than lock the officer
(`streetlight.verify.guessing`). A success marks the code used with a
conditional UPDATE, so of two concurrent checks with one code exactly one succeeds.

Checks are run in batches (`verify_batch`): the checks that arrive while the last batch commits
share one transaction, one read of each kind and one insert per table (on PostgreSQL one insert
for all four tables, `batch_sql`), so a check costs a share of a handful of statements. Each
is still decided on its own, in arrival order, as if run alone: a rate-limit hit or a used code
of an earlier check in the batch counts for the later ones.

The caller owns the transaction and the fail-safe: any exception here, a timeout or a failed
commit must reach the public as "cannot confirm" (see `streetlight.web.verify.checks`).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, String, any_, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from streetlight.db import audit, ratelimit
from streetlight.db.audit import JSONValue
from streetlight.db.models import (
    BackupRequest,
    BackupStatus,
    Duty,
    Engagement,
    Officer,
    OfficerStatus,
    Verification,
    VerificationCode,
    VerificationOutcome,
)
from streetlight.db.models.base import table_of
from streetlight.db.models.verify import PLACE_CHARS
from streetlight.verify import batch_sql, codes, guessing, junk
from streetlight.verify.decision import SLOTS, Candidate, Decision, Snapshot, decide, match_code
from streetlight.verify.engagements import Rules, colleagues_near, remaining_eta
from streetlight.verify.events import Record, event_rows, record_many

WARRANT_CHARS = 32
# Codes older than this are not candidates at all (a duty lasts well under a day).
_LOOKBACK = timedelta(hours=24)
# A check's token shares where its holder is at most this often: each share is an audit row and
# a console event, and any check (a failed one too) gives a token, so without a bound one check
# could grow both without end. Five covers moving on and correcting a typo.
SHARES_PER_TOKEN = ratelimit.Limit("verify-share", max_hits=5, window=timedelta(hours=1))


@dataclass(frozen=True)
class Limits:
    """Failed checks per client (`per_client`); code-tries per warrant number and day
    (`per_warrant`) and wrong tries per code (`per_code`), see `streetlight.verify.guessing`."""

    per_client: ratelimit.Limit
    per_warrant: ratelimit.Limit
    per_code: ratelimit.Limit = guessing.PER_CODE


@dataclass(frozen=True)
class SharedLocation:
    """Where the person says they are, only if they chose to share it."""

    lon: float | None = None
    lat: float | None = None
    place: str = ""

    @property
    def given(self) -> bool:
        return (self.lon is not None and self.lat is not None) or bool(self.place)


@dataclass(frozen=True)
class VerifyRequest:
    """What the public typed, who asks (a client address, hashed before storage) and, if they
    chose to say, where they are."""

    warrant_number: str
    code: str
    client: str
    where: SharedLocation = field(default_factory=SharedLocation)


@dataclass(frozen=True)
class OfficerView:
    warrant_number: str
    name: str
    rank: str
    unit: str
    has_photo: bool


@dataclass(frozen=True)
class BackupView:
    status: BackupStatus
    eta_minutes: int | None


@dataclass(frozen=True)
class Confirmed:
    """What a verified check shows: the officer, the engagement, help nearby."""

    officer: OfficerView
    reason: str
    started_at: datetime
    backup: BackupView | None
    colleagues_nearby: int
    nearest_colleague_m: float | None


@dataclass(frozen=True)
class VerifyResult:
    """`token` opens this person's chat and location sharing (shown to them only)."""

    outcome: VerificationOutcome
    verification_id: int
    token: str
    confirmed: Confirmed | None

    @property
    def verified(self) -> bool:
        return self.confirmed is not None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def clean_warrant(typed: str) -> str:
    """The warrant number as looked up and stored: trimmed, upper case, at most 32 characters."""
    return typed.strip().upper()[:WARRANT_CHARS]


# The statements of every check, built once on the Core tables: building them per request, and
# the ORM's handling of each, cost more than running them.
_officers, _duties = table_of(Officer), table_of(Duty)
_codes, _engagements = table_of(VerificationCode), table_of(Engagement)
_SLOT = (
    func.row_number()
    .over(partition_by=_engagements.c.officer_id, order_by=_codes.c.id.desc())
    .label("slot")
)


def _snapshots_query(asked: Callable[[ColumnElement[str]], ColumnElement[bool]]) -> Select[Any]:
    """Each asked-for officer (`asked(warrant_number)`), their open duty, their recent codes."""
    # Each asked-for officer's SLOTS most recent codes of the last day, numbered newest first.
    recent = (
        select(
            _engagements.c.officer_id,
            _codes.c.id,
            _codes.c.engagement_id,
            _engagements.c.duty_id,
            _codes.c.code_hash,
            _codes.c.expires_at,
            _codes.c.used_at,
            _codes.c.revoked_at,
            _SLOT,
        )
        .join(_engagements, _codes.c.engagement_id == _engagements.c.id)
        .where(
            _engagements.c.officer_id.in_(
                select(_officers.c.id).where(asked(_officers.c.warrant_number))
            ),
            _engagements.c.started_at >= bindparam("since"),
        )
        .subquery()
    )
    # One row per (officer, recent code), or one with no code: the officer, their open duty if any.
    return (
        select(
            _officers.c.warrant_number,
            _officers.c.id,
            _officers.c.status,
            _duties.c.id,
            *(recent.c[name] for name in ("id", "engagement_id", "duty_id", "code_hash")),
            *(recent.c[name] for name in ("expires_at", "used_at", "revoked_at")),
        )
        .outerjoin(_duties, (_duties.c.officer_id == _officers.c.id) & _duties.c.ended_at.is_(None))
        .outerjoin(recent, (recent.c.officer_id == _officers.c.id) & (recent.c.slot <= SLOTS))
        .where(asked(_officers.c.warrant_number))
        .order_by(_officers.c.id, recent.c.slot)
    )


# A list of warrant numbers: SQLite expands it into `IN (...)`, one placeholder each; PostgreSQL
# takes one array, so the text is the same for any batch and the server plans it once.
_SNAPSHOTS = _snapshots_query(lambda warrant: warrant.in_(bindparam("warrants", expanding=True)))
_SNAPSHOTS_PG = _snapshots_query(
    lambda warrant: warrant == any_(bindparam("warrants", type_=ARRAY(String)))
)
_UNKNOWN = Snapshot(officer_id=None, officer_active=False, open_duty_id=None, candidates=())


def snapshots(session: Session, warrants: Sequence[str], now: datetime) -> dict[str, Snapshot]:
    """What the database holds for each warrant number (absent: unknown), in one query."""
    query = _SNAPSHOTS_PG if session.get_bind().dialect.name == "postgresql" else _SNAPSHOTS
    rows = session.execute(
        query, {"warrants": sorted(set(warrants)), "since": now - _LOOKBACK}
    ).all()
    found: dict[str, Snapshot] = {}
    for warrant, officer_id, status, duty_id, *code in rows:
        before = found.get(warrant)
        candidates = before.candidates if before is not None else ()
        if code[0] is not None:
            candidates = (*candidates, Candidate(*code))
        found[warrant] = Snapshot(
            officer_id=officer_id,
            officer_active=status is OfficerStatus.ACTIVE,
            open_duty_id=duty_id,
            candidates=candidates,
        )
    return found


def _consume(session: Session, decision: Decision, now: datetime) -> Decision:
    """Mark the code used; a concurrent check that used it first turns this into USED_CODE."""
    candidate = decision.candidate
    if not decision.verified or candidate is None:
        return decision
    result = session.execute(
        update(VerificationCode)
        .where(VerificationCode.id == candidate.code_id, VerificationCode.used_at.is_(None))
        .values(used_at=now)
    )
    if getattr(result, "rowcount", 1) != 1:
        return Decision(VerificationOutcome.USED_CODE, candidate)
    return decision


def _confirmed(session: Session, engagement_id: int, rules: Rules, now: datetime) -> Confirmed:
    engagement = session.get_one(Engagement, engagement_id)
    officer = engagement.officer
    backup = session.scalar(
        select(BackupRequest).where(BackupRequest.engagement_id == engagement.id)
    )
    view = None
    if backup is not None:
        assigned = backup.status is BackupStatus.ASSIGNED
        view = BackupView(backup.status, remaining_eta(backup, now) if assigned else None)
    nearby = colleagues_near(session, engagement, rules, now)
    return Confirmed(
        officer=OfficerView(
            officer.warrant_number,
            officer.name,
            officer.rank,
            officer.unit,
            officer.photo is not None,
        ),
        reason=engagement.reason.value,
        started_at=engagement.started_at,
        backup=view,
        colleagues_nearby=len(nearby),
        nearest_colleague_m=nearby[0] if nearby else None,
    )


def verify_batch(
    session: Session,
    requests: Sequence[VerifyRequest],
    *,
    rules: Rules,
    limits: Limits,
    now: datetime,
) -> list[VerifyResult]:
    """Check each of `requests` in order, record each and answer each, in the caller's
    transaction.

    A check the limits refuse is only counted (`junk.tally_rows`): no verification, audit or
    console row, no rate-limit hit, so a flood grows nothing but one counter per window. Every
    other check writes its verification row (its token lets the person share where they are),
    its rate-limit hits when it failed (`_Check.hits`), an audit row and a console event; a
    check of an unknown number is also counted in the window's tally, which the console shows
    instead of listing such checks one by one. A code that reaches its wrong-try allowance is
    burnt (`guessing`).

    The officers and their codes are read first; then the batch's rate-limit keys and the audit
    chain are locked (`batch_sql.start`), so that no other check counts the same windows or
    extends the chain until this batch has committed: the limits hold exactly, on PostgreSQL
    too, and the locked part is a few round trips long.
    """
    salt = ratelimit.day_salt(session, now)
    found = snapshots(session, [clean_warrant(r.warrant_number) for r in requests], now)
    checks = [_Check.of(r, found, limits, now) for r in requests]
    distinct = list(dict.fromkeys(key for check in checks for key in check.keys))
    start = batch_sql.start(session, distinct, len(checks), now, salt)
    before = dict(zip(distinct, start.counts, strict=True))
    used = dict(before)
    decisions = [_decide(session, check, used, rules, now) for check in checks]
    # The codes this batch's wrong tries took to their allowance.
    burnt = [
        int(key[1])
        for key in distinct
        if key[0] == limits.per_code and _spent(key, used) and not _spent(key, before)
    ]
    tokens = [secrets.token_urlsafe(32) for _ in checks]
    results = [
        VerifyResult(
            decision.outcome,
            verification_id,
            token,
            # Read what a confirmed check shows before the writes (a confirmed check is rare).
            _confirmed(session, decision.candidate.engagement_id, rules, now)
            if decision.verified and decision.candidate is not None
            else None,
        )
        for decision, verification_id, token in zip(decisions, start.ids, tokens, strict=True)
    ]
    kept = [
        (check, decision, result)
        for check, decision, result in zip(checks, decisions, results, strict=True)
        if decision.outcome is not VerificationOutcome.LIMITED
    ]
    records = [record for c, d, r in kept for record in _records(c, d, r.verification_id)]
    _burn(session, burnt, now)
    batch_sql.write(
        session,
        verifications=[
            _verification_row(c, d, r.token, now) | {"id": r.verification_id} for c, d, r in kept
        ],
        hits=ratelimit.hit_rows(session, [h for c, d, _ in kept for h in c.hits(d)], now, salt),
        chain=audit.chain_rows([r.entry for r in records], start.head, now=now),
        events=event_rows(records, now=now),
        tallies=junk.tally_rows([d.outcome for d in decisions], now),
    )
    return results


Key = tuple[ratelimit.Limit, str]


@dataclass(frozen=True)
class _Check:
    """A request in a batch: the warrant number as looked up, what the database holds for it,
    and the rate-limit keys it is counted against: its client always; while the officer holds
    live codes, each of them and the warrant number's daily budget (`streetlight.verify.guessing`).
    """

    request: VerifyRequest
    warrant: str
    snapshot: Snapshot
    client: Key
    warrant_budget: Key
    code_keys: tuple[Key, ...]

    @classmethod
    def of(
        cls, request: VerifyRequest, found: dict[str, Snapshot], limits: Limits, now: datetime
    ) -> _Check:
        warrant = clean_warrant(request.warrant_number)
        snapshot = found.get(warrant, _UNKNOWN)
        live = guessing.live_codes(snapshot, now)
        return cls(
            request,
            warrant,
            snapshot,
            client=(limits.per_client, request.client),
            warrant_budget=(limits.per_warrant, warrant),
            code_keys=tuple((limits.per_code, str(c.code_id)) for c in live),
        )

    @property
    def keys(self) -> tuple[Key, ...]:
        """Every key this check reads (and may add hits to)."""
        guessed = (self.warrant_budget, *self.code_keys) if self.code_keys else ()
        return (self.client, *guessed)

    def hits(self, decision: Decision) -> list[Key]:
        """The hits a judged failure adds: one for its client, and for each live code it was
        compared with, one for that code and one for the warrant number's budget."""
        if decision.verified:
            return []
        return [self.client, *(k for key in self.code_keys for k in (key, self.warrant_budget))]


def _spent(key: Key, used: dict[Key, int]) -> bool:
    return used[key] >= key[0].max_hits


def _decide(
    session: Session, check: _Check, used: dict[Key, int], rules: Rules, now: datetime
) -> Decision:
    """Decide one check on the counts so far (`used`, updated with its hits), as if alone.

    Past the client's limit, or the warrant number's daily budget while it has live codes, the
    check is refused unseen. A code past its allowance is compared like the others but cannot
    verify (the same work on every path); the rest is `decide`.
    """
    limited = _spent(check.client, used) or (
        bool(check.code_keys) and _spent(check.warrant_budget, used)
    )
    spent = [int(key[1]) for key in check.code_keys if _spent(key, used)]
    snapshot = guessing.without(check.snapshot, spent, now)
    matched = match_code(rules.key, codes.normalise(check.request.code), snapshot.candidates)
    decision = _consume(session, decide(snapshot, matched, now=now, limited=limited), now)
    if decision.outcome is not VerificationOutcome.LIMITED:
        for key in check.hits(decision):
            used[key] += 1
    return decision


def _burn(session: Session, code_ids: Sequence[int], now: datetime) -> None:
    """Revoke the codes whose wrong tries reached their allowance, and say so (the officer app
    reads `burnt_at`). Under the chain's lock, as `_consume`'s update of the same rows. A statement
    only in a batch that burns a code, at most once per code."""
    if code_ids:
        session.execute(
            update(VerificationCode)
            .where(VerificationCode.id.in_(code_ids), VerificationCode.burnt_at.is_(None))
            .values(burnt_at=now, revoked_at=func.coalesce(VerificationCode.revoked_at, now))
        )


def _verification_row(
    check: _Check, decision: Decision, token: str, now: datetime
) -> dict[str, object]:
    """The verification's columns, every key present (one insert for the batch)."""
    where = check.request.where
    return {
        "token_hash": token_hash(token),
        "warrant_number": check.warrant,
        "officer_id": check.snapshot.officer_id,
        "engagement_id": decision.candidate.engagement_id if decision.candidate else None,
        "outcome": decision.outcome,
        "at": now,
        **_NOT_SHARED,
        **(_shared_columns(where, now) if where.given else {}),
    }


_NOT_SHARED: dict[str, object] = {
    "shared_lon": None,
    "shared_lat": None,
    "shared_place": "",
    "shared_at": None,
}


def _shared_columns(where: SharedLocation, now: datetime) -> dict[str, object]:
    """The verification columns a shared location sets: a position only with both coordinates,
    a place only when typed (at most PLACE_CHARS), and when it was shared."""
    columns: dict[str, object] = {"shared_at": now}
    if where.lon is not None and where.lat is not None:
        columns.update(shared_lon=where.lon, shared_lat=where.lat)
    if where.place:
        columns["shared_place"] = where.place[:PLACE_CHARS]
    return columns


def _location_record(verification_id: int, warrant: str) -> Record:
    """The audit row and console event of a shared location."""
    details: dict[str, JSONValue] = {"verification_id": verification_id}
    event: dict[str, JSONValue] = {"verification_id": verification_id, "warrant": warrant}
    return Record(audit.Entry("public", "verify.location", warrant, details), event)


def _records(check: _Check, decision: Decision, verification_id: int) -> list[Record]:
    """The audit rows and console events of one check: its outcome, then a shared location."""
    action = "verify.success" if decision.verified else "verify.failure"
    details: dict[str, JSONValue] = {
        "verification_id": verification_id,
        "outcome": decision.outcome.value,
    }
    event: dict[str, JSONValue] = {
        "verification_id": verification_id,
        "engagement_id": decision.candidate.engagement_id if decision.candidate else None,
        "warrant": check.warrant,
    }
    records = [Record(audit.Entry("public", action, check.warrant, details), event)]
    if check.request.where.given:
        records.append(_location_record(verification_id, check.warrant))
    return records


def find_verification(session: Session, token: str) -> Verification | None:
    """The verification a public token belongs to (None for an unknown token)."""
    if not token or len(token) > 128:
        return None
    return session.scalar(select(Verification).where(Verification.token_hash == token_hash(token)))


def share_location(
    session: Session,
    verification: Verification,
    *,
    lon: float | None,
    lat: float | None,
    place: str,
    now: datetime,
) -> bool:
    """The person chose to tell the control room where they are (after a failed check, say).
    False, and nothing written, past `SHARES_PER_TOKEN`."""
    if ratelimit.is_limited(session, SHARES_PER_TOKEN, verification.token_hash, now):
        return False
    ratelimit.record_hit(session, SHARES_PER_TOKEN, verification.token_hash, now)
    for column, value in _shared_columns(SharedLocation(lon, lat, place), now).items():
        setattr(verification, column, value)
    record_many(session, [_location_record(verification.id, verification.warrant_number)], now=now)
    return True
