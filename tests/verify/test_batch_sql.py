"""A batch's reads under its locks and its writes: the same rows on SQLite as on PostgreSQL,
where they travel as one array per column in one statement."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db import audit, ratelimit
from streetlight.db.models import (
    AuditEntry,
    ConsoleEvent,
    RateLimitHit,
    Verification,
    VerificationOutcome,
)
from streetlight.verify import batch_sql
from tests.db.factories import NOW

WARRANT = ratelimit.Limit("verify:warrant", 5, timedelta(minutes=10))
CLIENT = ratelimit.Limit("verify:client", 2, timedelta(minutes=10))
SALT = b"s" * ratelimit.SALT_BYTES


def _verification(i: int, outcome: VerificationOutcome, **shared: object) -> dict[str, object]:
    return {
        "id": i,
        "token_hash": f"{i:064x}",
        "warrant_number": f"PC{i}",
        "officer_id": None,
        "engagement_id": None,
        "outcome": outcome,
        "at": NOW,
        "shared_lon": None,
        "shared_lat": None,
        "shared_place": "",
        "shared_at": None,
        **shared,
    }


def _batch(session: Session, keys: list[tuple[ratelimit.Limit, str]], size: int) -> list[int]:
    """One batch of `size` failed checks against `keys`: writes every kind of row."""
    start = batch_sql.start(session, keys, size, NOW, SALT)
    entries = [audit.Entry("public", "verify.failure", f"PC{i}", {"n": i}) for i in start.ids]
    batch_sql.write(
        session,
        verifications=[_verification(i, VerificationOutcome.WRONG_CODE) for i in start.ids],
        hits=ratelimit.hit_rows(session, keys, NOW, SALT),
        chain=audit.chain_rows(entries, start.head, now=NOW),
        events=[
            {"at": NOW, "kind": "verify.failure", "payload": f'{{"n":{i}}}'} for i in start.ids
        ],
    )
    return start.ids


def test_batches_read_and_extend_what_the_one_before_wrote(
    sessions: sessionmaker[Session],
) -> None:
    keys = [(WARRANT, "PC1"), (CLIENT, "203.0.113.7")]
    with sessions.begin() as session:
        first = batch_sql.start(session, keys, 3, NOW, SALT)
        assert first.counts == [0, 0]
        assert first.head == audit.Head()
    with sessions.begin() as session:
        ids = _batch(session, keys, 3)
    with sessions.begin() as session:
        later = batch_sql.start(session, [*keys, (WARRANT, "PC2")], 2, NOW, SALT)
        # One hit per key so far; a key with none counts 0; ids follow on, the chain goes on.
        assert later.counts == [1, 1, 0]
        assert later.ids[0] > ids[-1] and later.ids == list(range(later.ids[0], later.ids[0] + 2))
        last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert last is not None and later.head == audit.Head(last.id, last.hash)


def test_the_rows_arrive_whole_and_in_order(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        start = batch_sql.start(session, [(WARRANT, "PC1")], 2, NOW, SALT)
        located = {"shared_lon": -1.23, "shared_lat": 54.57, "shared_place": "bus stop"}
        batch_sql.write(
            session,
            verifications=[
                _verification(start.ids[0], VerificationOutcome.UNKNOWN_OFFICER),
                _verification(start.ids[1], VerificationOutcome.VERIFIED, shared_at=NOW, **located),
            ],
            hits=[],  # no failure counted: an empty array inserts nothing
            chain=audit.chain_rows(
                [audit.Entry("public", "a"), audit.Entry("public", "b")], start.head, now=NOW
            ),
            events=[{"at": NOW, "kind": kind, "payload": "{}"} for kind in "xyz"],
        )
    with sessions.begin() as session:
        stored = session.scalars(select(Verification).order_by(Verification.id)).all()
        assert [v.outcome for v in stored] == [
            VerificationOutcome.UNKNOWN_OFFICER,
            VerificationOutcome.VERIFIED,
        ]
        assert stored[0].shared_lon is None and stored[0].shared_at is None
        assert (stored[1].shared_lon, stored[1].shared_place, stored[1].shared_at) == (
            -1.23,
            "bus stop",
            NOW,
        )
        # The model's defaults fill what the rows leave out.
        assert [v.acknowledged_by for v in stored] == ["", ""]
        assert session.scalars(select(RateLimitHit)).all() == []
        events = session.scalars(select(ConsoleEvent).order_by(ConsoleEvent.id)).all()
        assert [e.kind for e in events] == ["x", "y", "z"]
        assert audit.verify_chain(session).first_bad_id is None
