"""Rate limits kept in the database, so they hold across app processes and restarts.

Keys are stored as `HMAC(pepper, salt + scope + key)`: the salt is random, one per UTC day, kept in
the database; the pepper is derived from the server's secret (`bind_secret`) and never stored. So
a copy of the database alone cannot test a guessed address or username against a stored key (the
salt without the pepper is not enough). The first use of a new day's salt deletes older salts and
their hits, after which nobody, the operator with the server's secret included, can tell which
client or account a stored key belonged to. The price: a window that spans midnight UTC starts
again from zero for that key.

A limit that lets a stored hit be joined to another record of the same request (a report and its
audit row) gives its hits a coarse time (`Limit.resolution`), rounded up so that the limit only
gets stricter.

Counting and recording are exact under concurrency: `locked_counts` (and so `is_limited` and
`any_limited`) first takes the keys' locks for the rest of the transaction, so another request for
the same key waits until this one has recorded its hit and committed.

Each process remembers today's salt once it has read it as already stored (so committed by
whoever made it): a salt never changes within its day, and every check saves a query. A salt this
transaction made itself is not remembered until it is read back in a later one, since a rollback
would take it away.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from weakref import WeakKeyDictionary

from sqlalchemy import (
    Engine,
    Integer,
    ScalarSelect,
    Select,
    bindparam,
    delete,
    func,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from streetlight.db.models import RateLimitHit, RateLimitSalt
from streetlight.db.models.base import table_of

SALT_BYTES = 32


@dataclass(frozen=True)
class Limit:
    """At most `max_hits` counted events per key within `window` (a sliding window).

    `resolution`: when set, a hit is stored at the next multiple of it (from the epoch, UTC)
    instead of its exact time, so it cannot be joined by time to the rest of its request; it then
    counts for between `window` and `window + resolution`."""

    scope: str
    max_hits: int
    window: timedelta
    resolution: timedelta | None = None

    def stamp(self, now: datetime) -> datetime:
        """The time a hit made `now` is stored at."""
        if self.resolution is None:
            return now
        step = self.resolution
        return _EPOCH + -((_EPOCH - now) // step) * step


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


_MADE_HERE = "streetlight.ratelimit.salt_made"  # session.info: this session inserted a salt
_known: WeakKeyDictionary[Engine, tuple[date, bytes]] = WeakKeyDictionary()
_known_lock = threading.Lock()
_peppers: WeakKeyDictionary[Engine, bytes] = WeakKeyDictionary()
_PEPPER_LABEL = b"streetlight rate-limit keys\x00"


def _engine(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def bind_secret(engine: Engine, secret: bytes) -> None:
    """Key the limits kept through `engine` with a pepper derived from the server's `secret`,
    so that every app process sharing the database agrees on each key. An engine never bound
    (a test, a command) gets a random pepper of its own, held in this process's memory only."""
    pepper = hmac.new(secret, _PEPPER_LABEL, hashlib.sha256).digest()
    with _known_lock:
        _peppers[engine] = pepper


def _pepper(session: Session) -> bytes:
    engine = _engine(session)
    pepper = _peppers.get(engine)
    if pepper is not None:
        return pepper
    with _known_lock:
        return _peppers.setdefault(engine, secrets.token_bytes(SALT_BYTES))


def day_salt(session: Session, now: datetime) -> bytes:
    """Today's salt (UTC), made on first use; concurrent first uses agree on one salt."""
    today = now.astimezone(UTC).date()
    engine = _engine(session)
    known = _known.get(engine)
    if known is not None and known[0] == today:
        return known[1]
    salt = session.scalar(select(RateLimitSalt.salt).where(RateLimitSalt.day == today))
    if salt is not None:
        if not session.info.get(_MADE_HERE):
            with _known_lock:
                _known[engine] = (today, salt)
        return salt
    session.info[_MADE_HERE] = True
    values = {"day": today, "salt": secrets.token_bytes(SALT_BYTES)}
    if session.get_bind().dialect.name == "postgresql":
        session.execute(pg_insert(RateLimitSalt).values(values).on_conflict_do_nothing())
    else:
        session.execute(sqlite_insert(RateLimitSalt).values(values).on_conflict_do_nothing())
    # Older salts go: after this, yesterday's keys can no longer be linked to anyone. Their hits
    # go too, since no key made with today's salt can match them.
    session.execute(delete(RateLimitSalt).where(RateLimitSalt.day < today))
    start_of_day = datetime.combine(today, datetime.min.time(), tzinfo=UTC)
    purge(session, start_of_day, keep=timedelta(0))
    stored = session.scalar(select(RateLimitSalt.salt).where(RateLimitSalt.day == today))
    if stored is None:  # pragma: no cover - the row was inserted or already there
        raise RuntimeError("rate-limit salt vanished")
    return stored


def key_hash(
    session: Session, scope: str, key: str, now: datetime, salt: bytes | None = None
) -> str:
    """The keyed hash stored instead of `key` (a client address, a username, a warrant number).
    `salt`: today's salt when the caller already has it (one query fewer)."""
    salt = salt if salt is not None else day_salt(session, now)
    message = salt + scope.encode() + b"\x00" + key.encode()
    return hmac.new(_pepper(session), message, hashlib.sha256).hexdigest()


def hits(
    session: Session,
    limit: Limit,
    key: str,
    now: datetime,
    salt: bytes | None = None,
    cap: int | None = None,
) -> int:
    """Counted events for `key` within the window ending at `now` (at most `cap`: counting stops
    there, so a key with a flood of hits costs no more than one at its limit)."""
    params = _window_params(0, session, limit, key, now, salt, _NO_CAP if cap is None else cap)
    return int(session.execute(_counts(1), params).one()[0])


def latest_hit(
    session: Session, limit: Limit, key: str, now: datetime, salt: bytes | None = None
) -> datetime | None:
    """When `key`'s latest hit within the window ending at `now` was counted (for a back-off
    that runs from it); None when it has none."""
    digest = key_hash(session, limit.scope, key, now, salt)
    return session.scalar(
        select(func.max(RateLimitHit.at)).where(
            RateLimitHit.scope == limit.scope,
            RateLimitHit.key_hash == digest,
            RateLimitHit.at > now - limit.window,
        )
    )


def is_limited(
    session: Session, limit: Limit, key: str, now: datetime, salt: bytes | None = None
) -> bool:
    """True when `key` has used up its allowance; its lock is held until the transaction ends
    (see `locked_counts`)."""
    return any_limited(session, [(limit, key)], now, salt)


def any_limited(
    session: Session,
    checks: Sequence[tuple[Limit, str]],
    now: datetime,
    salt: bytes | None = None,
) -> bool:
    """True when any (limit, key) of `checks` has used up its allowance: their locks held until
    the transaction ends (see `locked_counts`), then one query for all."""
    counts = locked_counts(session, checks, now, salt)
    return any(count >= limit.max_hits for count, (limit, _) in zip(counts, checks, strict=True))


def locked_counts(
    session: Session,
    checks: Sequence[tuple[Limit, str]],
    now: datetime,
    salt: bytes | None = None,
) -> list[int]:
    """`window_counts` of `checks` after taking their keys' locks (`lock_keys`) for the rest of
    the transaction: a caller that records its hit before committing is exact, since a
    concurrent request for the same key counts only once this one has committed. Take every
    key a transaction needs in one call: the locks are ordered within a call only."""
    salt = salt if salt is not None else day_salt(session, now)
    lock_keys(session, checks, now, salt)
    return window_counts(session, checks, now, salt)


def lock_keys(
    session: Session,
    checks: Sequence[tuple[Limit, str]],
    now: datetime,
    salt: bytes | None = None,
    *,
    then: int | None = None,
) -> None:
    """Keep every other transaction from counting or adding hits for these keys until this one
    ends, so that a count followed by a hit is exact across app processes. `then`: a one-integer
    advisory lock (the audit chain's) to take after the keys', in the same round trip.

    PostgreSQL: one transaction-scoped advisory lock per key (in the two-integer key space, apart
    from the audit chain's), taken in one statement in a fixed order, so two transactions that
    share keys cannot deadlock and two that share none do not wait for each other. SQLite:
    nothing to do, `BEGIN IMMEDIATE` already holds the database's single write lock.
    """
    if session.get_bind().dialect.name != "postgresql" or not (checks or then is not None):
        return
    keys = {"keys": _lock_ids(session, checks, now, salt)}
    if then is None:
        session.execute(_LOCK_KEYS, keys)
    else:
        session.execute(_LOCK_KEYS_THEN, {**keys, "then": then})


def _lock_ids(
    session: Session,
    checks: Sequence[tuple[Limit, str]],
    now: datetime,
    salt: bytes | None = None,
) -> list[int]:
    """The second integers of the keys' advisory locks (the first is `_LOCK_CLASS`)."""
    return sorted(
        {
            int.from_bytes(
                bytes.fromhex(key_hash(session, limit.scope, key, now, salt)[:8]), signed=True
            )
            for limit, key in checks
        }
    )


_LOCK_CLASS = 0x534C524C  # "SLRL": rate-limit keys, the first integer of each advisory lock
_LOCK_KEYS_SQL = (
    f"SELECT count(pg_advisory_xact_lock({_LOCK_CLASS}, k)) AS locked "
    "FROM (SELECT unnest(CAST(:keys AS integer[])) AS k ORDER BY 1) AS ordered"
)
_LOCK_KEYS = text(_LOCK_KEYS_SQL)
# The outer lock waits for the inner query's row, so it is taken after all of the keys'.
_LOCK_KEYS_THEN = text(
    f"SELECT pg_advisory_xact_lock(CAST(:then AS bigint)) FROM ({_LOCK_KEYS_SQL}) AS keys_locked"
)


def window_counts(
    session: Session,
    checks: Sequence[tuple[Limit, str]],
    now: datetime,
    salt: bytes | None = None,
) -> list[int]:
    """Each (limit, key)'s hits within its window, counted up to its limit (a flood of hits costs
    no more than a key at its limit): one query for all of them."""
    if not checks:
        return []
    if session.get_bind().dialect.name == "postgresql":
        found = session.connection().exec_driver_sql(
            _COUNTS_ONLY, count_params(session, checks, now, salt)
        )
        return [int(count) for count in found.scalar_one()]
    query, params = counts_select(session, checks, now, salt)
    row = session.execute(query, params).one()
    return [int(count) for count in row[: len(checks)]]


def counts_select(
    session: Session,
    checks: Sequence[tuple[Limit, str]],
    now: datetime,
    salt: bytes | None = None,
) -> tuple[Select[*tuple[int, ...]], dict[str, object]]:
    """Other databases: `window_counts`' query and parameters, for a caller that reads more in
    the same statement. The first `len(checks)` columns of its one row are the counts."""
    # Pad to a power of two so that batches of any size share a few cached statements.
    padded = [*checks, *[checks[0]] * ((1 << (len(checks) - 1).bit_length()) - len(checks))]
    params: dict[str, object] = {}
    for i, (limit, key) in enumerate(padded):
        params.update(_window_params(i, session, limit, key, now, salt, limit.max_hits))
    return _counts(len(padded)), params


# PostgreSQL: the counts of one array per parameter (`count_params`), as an array in their order.
# One text for any number of keys, so the server plans it once (binary arrays: cheap to send).
COUNTS_SQL = (
    "ARRAY(SELECT (SELECT count(*) FROM (SELECT 1 FROM rate_limit_hits AS hit"
    " WHERE hit.scope = k.scope AND hit.key_hash = k.key_hash AND hit.at > k.since"
    " LIMIT k.cap) AS window_hits)"
    " FROM unnest(CAST(%(count_scopes)b AS text[]), CAST(%(count_keys)b AS text[]),"
    " CAST(%(count_since)b AS timestamptz[]), CAST(%(count_caps)b AS integer[]))"
    " WITH ORDINALITY AS k(scope, key_hash, since, cap, n) ORDER BY k.n)"
)
_COUNTS_ONLY = f"SELECT {COUNTS_SQL}"


def count_params(
    session: Session,
    checks: Sequence[tuple[Limit, str]],
    now: datetime,
    salt: bytes | None = None,
) -> dict[str, list[object]]:
    """`COUNTS_SQL`'s parameters: each key counted up to its limit."""
    return {
        "count_scopes": [limit.scope for limit, _ in checks],
        "count_keys": [key_hash(session, limit.scope, key, now, salt) for limit, key in checks],
        "count_since": [now - limit.window for limit, _ in checks],
        "count_caps": [limit.max_hits for limit, _ in checks],
    }


_HITS = table_of(RateLimitHit)
_NO_CAP = 2**31 - 1


@functools.cache
def _counts(n: int) -> Select[*tuple[int, ...]]:
    """One row of `n` counts, each of one key's hits in its window up to a cap; built once per
    `n`, with bound parameters `scope<i>`, `key<i>`, `since<i>` and `cap<i>`."""

    def count(i: int) -> ScalarSelect[int]:
        window = (
            select(_HITS.c.id)
            .where(
                _HITS.c.scope == bindparam(f"scope{i}"),
                _HITS.c.key_hash == bindparam(f"key{i}"),
                _HITS.c.at > bindparam(f"since{i}"),
            )
            .limit(bindparam(f"cap{i}", type_=Integer()))
            .subquery()
        )
        return select(func.count()).select_from(window).scalar_subquery()

    return select(*(count(i) for i in range(n)))


def _window_params(
    i: int, session: Session, limit: Limit, key: str, now: datetime, salt: bytes | None, cap: int
) -> dict[str, object]:
    return {
        f"scope{i}": limit.scope,
        f"key{i}": key_hash(session, limit.scope, key, now, salt),
        f"since{i}": now - limit.window,
        f"cap{i}": cap,
    }


def record_hit(
    session: Session, limit: Limit, key: str, now: datetime, salt: bytes | None = None
) -> None:
    """Count one event for `key` now."""
    add_hit(session, limit, key, now, salt)
    session.flush()


def add_hit(
    session: Session, limit: Limit, key: str, now: datetime, salt: bytes | None = None
) -> None:
    """Like `record_hit`, left for the caller's next flush (several rows in one statement)."""
    digest = key_hash(session, limit.scope, key, now, salt)
    session.add(RateLimitHit(scope=limit.scope, key_hash=digest, at=limit.stamp(now)))


def add_hits(
    session: Session, hits: Sequence[tuple[Limit, str]], now: datetime, salt: bytes | None = None
) -> None:
    """Count one event now for each (limit, key) of `hits`, in one statement sent at once."""
    session.execute(_HITS.insert(), hit_rows(session, hits, now, salt))


def hit_rows(
    session: Session, hits: Sequence[tuple[Limit, str]], now: datetime, salt: bytes | None = None
) -> list[dict[str, object]]:
    """The `rate_limit_hits` rows `add_hits` inserts, for a caller that inserts them itself."""
    return [
        {
            "scope": limit.scope,
            "key_hash": key_hash(session, limit.scope, key, now, salt),
            "at": limit.stamp(now),
        }
        for limit, key in hits
    ]


def purge(session: Session, now: datetime, keep: timedelta) -> int:
    """Delete hits older than `keep` (the longest window in use); returns how many went."""
    result = session.execute(delete(RateLimitHit).where(RateLimitHit.at <= now - keep))
    return int(getattr(result, "rowcount", 0) or 0)
