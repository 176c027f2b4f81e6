"""The audit log is append-only and hash-chained; tampering is found and the row named."""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db import audit
from streetlight.db.models import GENESIS_HASH, AuditEntry
from tests.db.factories import NOW, bypass_audit_guard


def _fill(sessions: sessionmaker[Session], count: int = 5) -> None:
    for i in range(count):
        with sessions.begin() as session:
            audit.append(
                session,
                actor="sup1",
                action="officer.suspend",
                subject=f"PC{i}",
                details={"n": i, "note": "é ✓"},
                now=NOW + timedelta(seconds=i),
            )


def _check(sessions: sessionmaker[Session]) -> audit.ChainCheck:
    with sessions() as session:
        return audit.verify_chain(session)


def test_chain_links_each_row_to_the_one_before(sessions: sessionmaker[Session]) -> None:
    _fill(sessions)
    with sessions() as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [r.id for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(rows))
    check = _check(sessions)
    assert check.ok and check.rows == 5 and check.head == rows[-1].hash


def test_an_empty_log_verifies(sessions: sessionmaker[Session]) -> None:
    check = _check(sessions)
    assert check.ok and check.rows == 0 and check.head == GENESIS_HASH


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_log SET actor = 'x' WHERE id = 2", "DELETE FROM audit_log WHERE id = 2"],
)
def test_the_database_refuses_changes(
    engine: Engine, sessions: sessionmaker[Session], statement: str
) -> None:
    _fill(sessions)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text(statement))


def test_an_edited_row_is_found(engine: Engine, sessions: sessionmaker[Session]) -> None:
    _fill(sessions)
    bypass_audit_guard(engine, "UPDATE audit_log SET subject = 'PC999' WHERE id = 3")
    check = _check(sessions)
    assert (check.ok, check.first_bad_id) == (False, 3)
    assert check.problem == "content does not match its hash"


def test_an_edited_row_with_a_recomputed_hash_is_found(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    """Rewriting a row's hash too breaks the link from the next row."""
    _fill(sessions)
    with sessions() as session:
        row = session.get(AuditEntry, 3)
        assert row is not None
        forged = audit.entry_hash(
            row.prev_hash, id=3, at=row.at, actor="someone-else", action=row.action,
            subject=row.subject, details=row.details,
        )  # fmt: skip
    bypass_audit_guard(
        engine, f"UPDATE audit_log SET actor = 'someone-else', hash = '{forged}' WHERE id = 3"
    )
    check = _check(sessions)
    assert (check.first_bad_id, check.problem) == (4, "prev_hash does not match the row before")


def test_a_deleted_row_is_found(engine: Engine, sessions: sessionmaker[Session]) -> None:
    _fill(sessions)
    bypass_audit_guard(engine, "DELETE FROM audit_log WHERE id = 2")
    check = _check(sessions)
    assert (check.ok, check.first_bad_id, check.problem) == (False, 3, "row 2 is missing")


def test_concurrent_appends_keep_one_chain(sessions: sessionmaker[Session]) -> None:
    """Writers in several threads (each its own connection) never fork the chain."""
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(10):
                with sessions.begin() as session:
                    audit.append(session, actor=f"w{n}", action="test", details={"i": i}, now=NOW)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    check = _check(sessions)
    assert check.ok and check.rows == 40


def test_the_lock_is_taken_once_per_transaction(
    sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    taken: list[Session] = []
    monkeypatch.setattr(audit, "lock_for_append", lambda session, key: taken.append(session))
    session = sessions()
    for _ in range(2):
        with session.begin():
            audit.lock(session)
            audit.append(session, actor="a", action="test", now=NOW)
            audit.append(session, actor="b", action="test", now=NOW)
    session.close()
    assert taken == [session, session]  # once in each of the two transactions


def test_an_anchor_shows_the_newest_rows_were_deleted(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    """Deleting the newest rows leaves a valid, shorter chain: only an anchor kept elsewhere
    shows it."""
    _fill(sessions)
    anchor = _check(sessions).anchor
    assert str(anchor).startswith("5:") and audit.Anchor.parse(str(anchor)) == anchor
    with sessions() as session:
        assert audit.verify_chain(session, anchor).ok
    _fill(sessions, 2)  # the log grows: an old anchor still holds
    with sessions() as session:
        assert audit.verify_chain(session, anchor).ok
    bypass_audit_guard(engine, "DELETE FROM audit_log WHERE id >= 5")
    assert _check(sessions).ok  # the chain alone looks whole
    with sessions() as session:
        cut = audit.verify_chain(session, anchor)
    assert (cut.ok, cut.first_bad_id, cut.rows) == (False, 5, 4)
    assert cut.problem == "missing: the log ends at row 4, rows after it were deleted"


def test_an_anchor_shows_a_rewritten_chain(sessions: sessionmaker[Session]) -> None:
    """A chain rebuilt from some row on is valid in itself but no longer holds the anchor."""
    _fill(sessions)
    recorded = audit.Anchor(3, "0" * 64)
    with sessions() as session:
        check = audit.verify_chain(session, recorded)
    assert (check.ok, check.first_bad_id) == (False, 3)
    assert check.problem == "does not match the anchor recorded for it"


@pytest.mark.parametrize("text", ["", "5", "x:" + "a" * 64, "5:" + "a" * 63, "5:" + "A" * 64])
def test_a_malformed_anchor_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="an anchor is <row>:<64 hex digits>"):
        audit.Anchor.parse(text)
