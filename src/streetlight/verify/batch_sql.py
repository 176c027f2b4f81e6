"""A batch of public checks and the database: the locks, what is read under them, and the writes,
in as few round trips as each database allows.

Every batch takes the audit chain's lock (its rows extend the chain) and its rate-limit keys'
locks (its counts must be exact), so batches from all app processes run their locked part one
after another, and what bounds the checks per second is how long that part lasts. On PostgreSQL
each statement is a round trip, slow when the server shares two busy cores with the app, so the
locked part is four: take the locks; read the counts, the chain's end and new verification ids;
insert every row of every table and add to the window's tally of junk checks
(`streetlight.db.bulk`); commit. The officers and codes are read
before the locks (`service.snapshots`): a code is still consumed by a conditional UPDATE, so a
code used meanwhile cannot be used twice.

SQLite runs in process: `BEGIN IMMEDIATE` already holds its one write lock and a statement costs
no round trip, only the Python around it: one statement reads the counts, the chain's end and the
newest verification id, and each table takes a plain insert.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Insert, Select, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from streetlight.db import audit, bulk, ratelimit
from streetlight.db.models import (
    AuditEntry,
    CheckTally,
    ConsoleEvent,
    RateLimitHit,
    Verification,
)
from streetlight.db.models.base import table_of

Rows = Sequence[Mapping[str, object]]
_VERIFICATIONS = table_of(Verification)
_TABLES = (_VERIFICATIONS, table_of(RateLimitHit), table_of(AuditEntry), table_of(ConsoleEvent))
_TALLIES = table_of(CheckTally)
_PG = postgresql.dialect()  # type: ignore[no-untyped-call]
_HEAD = ", ".join(
    str(part.compile(dialect=_PG, compile_kwargs={"literal_binds": True}))
    for part in (audit.HEAD_ID, audit.HEAD_HASH)
)
# Read under the locks, in one round trip.
_START = (
    f"SELECT {ratelimit.COUNTS_SQL}, {_HEAD}, "
    f"ARRAY(SELECT nextval(pg_get_serial_sequence('{_VERIFICATIONS.name}', 'id'))"
    " FROM generate_series(1, %(new_ids)s))"
)
# A window's tally row is made by its first junk check and added to by the later ones.
_TALLY_SUMS = ("unknown", "refused")


def _tally_upsert() -> Insert:
    """SQLite: add to the window's tally (`streetlight.verify.junk`), or start it."""
    insert = sqlite.insert(_TALLIES)
    return insert.on_conflict_do_update(
        index_elements=[_TALLIES.c.window_start],
        set_={
            **{name: _TALLIES.c[name] + insert.excluded[name] for name in _TALLY_SUMS},
            "last_at": func.max(_TALLIES.c.last_at, insert.excluded.last_at),
        },
    )


_PG_TALLY_UPSERT = (
    "ON CONFLICT (window_start) DO UPDATE SET "
    + ", ".join(f"{name} = {_TALLIES.name}.{name} + EXCLUDED.{name}" for name in _TALLY_SUMS)
    + f", last_at = GREATEST({_TALLIES.name}.last_at, EXCLUDED.last_at)"
)
_PLAIN_INSERTS = (*(table.insert() for table in _TABLES), _tally_upsert())
# Verification and audit rows come with their ids (read under the locks); rate-limit hits and
# console events take the next of their sequences, in the order given.
_INSERTS = (
    *(
        bulk.UnnestInsert(table, tuple(c.name for c in table.c if with_id or c.name != "id"))
        for table, with_id in zip(_TABLES, (True, False, True, False), strict=True)
    ),
    bulk.UnnestInsert(_TALLIES, tuple(c.name for c in _TALLIES.c), on_conflict=_PG_TALLY_UPSERT),
)


@dataclass(frozen=True)
class Start:
    """What a batch reads under its locks: each key's count, the chain's end, and the ids its
    verification rows will have."""

    counts: list[int]
    head: audit.Head
    ids: list[int]


def start(
    session: Session,
    keys: Sequence[tuple[ratelimit.Limit, str]],
    size: int,
    now: datetime,
    salt: bytes,
) -> Start:
    """Lock `keys` and the audit chain for the rest of the transaction, then read under the
    locks. `size`: how many verification rows the batch will write."""
    if session.get_bind().dialect.name != "postgresql":
        audit.lock(session)  # nothing to do: SQLite's one write lock is held
        query, params = ratelimit.counts_select(session, keys, now, salt)
        *counts, head_id, head_hash, last = session.execute(_with_head(query), params).one()
        first = int(last or 0) + 1
        ids = list(range(first, first + size))
    else:
        ratelimit.lock_keys(session, keys, now, salt, then=audit.LOCK_KEY)
        audit.locked_by_caller(session)
        params = {**ratelimit.count_params(session, keys, now, salt), "new_ids": size}
        counts, head_id, head_hash, ids = session.connection().exec_driver_sql(_START, params).one()
    head = audit.Head() if head_id is None else audit.Head(head_id, head_hash)
    return Start([int(n) for n in counts[: len(keys)]], head, sorted(ids))


@functools.cache
def _with_head(counts: Select[Any]) -> Select[Any]:
    """SQLite: the counts, then the chain's end and the newest verification id (the write lock
    is held, so the next ids are free): one statement, built once per size of count query."""
    return counts.add_columns(
        audit.HEAD_ID, audit.HEAD_HASH, select(func.max(_VERIFICATIONS.c.id)).scalar_subquery()
    )


def write(
    session: Session,
    *,
    verifications: Rows,
    hits: Rows,
    chain: Rows,
    events: Rows,
    tallies: Rows = (),
) -> None:
    """Insert a batch's rows, still under the locks `start` took (events commit in id order),
    and add `tallies` (at most one row: `streetlight.verify.junk`) to the window's counts."""
    parts = tuple(zip(_INSERTS, (verifications, hits, chain, events, tallies), strict=True))
    if session.get_bind().dialect.name == "postgresql":
        bulk.insert_together(session, parts)
        return
    for statement, (_, rows) in zip(_PLAIN_INSERTS, parts, strict=True):
        if rows:
            session.execute(statement, list(rows))
