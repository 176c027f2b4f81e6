"""Importing a force's records-management extract into the unit's casework tables.

`import_extract` reads the extract through its mapping (`unit.reading`), then, in the caller's
one transaction, adds new rows, updates changed ones by their references, records the import and
its quarantine, and appends one audit entry of counts. Whatever stops it (an error, a kill -9)
leaves the database as it was: nothing is committed here.

Idempotency, two ways:
- the extract's digest (SHA-256 of its tables' bytes, the mapping and the offence-code list): the
  same extract imported again is recognised before any row is read, and nothing is written, not
  even an audit entry (`ImportSummary.already_imported`);
- row by row: a row whose reference is stored is compared with the stored values and updated only
  when they differ, so a changed extract changes exactly the rows that changed (`updated`), and
  counts the rest `unchanged`. A link is stored once per (person, offence, role).
Nothing is deleted: a row missing from a later extract stays (an extract may be partial), and
erasure is a recorded decision (`UnitReview`, `unit.audit.erased`), not a side effect.

Quarantine: the rows refused (`reading.REASONS`, plus links, arrests, bail and orders naming a
person or offence neither in the extract nor stored) go to `unit_quarantine` with the import's
id, their mapped values as the force wrote them, and file, row, field and reason; each import
replaces the last one's (nothing is kept longer than the unit needs it to fix its source). The
summary and the audit entry carry only where and why, never a value.

Speed: rows are read with the `csv` module and compiled per-field readers; stored rows are loaded
once per table (id, reference and compared columns); new rows stream into one COPY per table on
PostgreSQL and go in prepared batches on SQLite, changed rows in batches (one `unnest` statement
each on PostgreSQL, `db.bulk`). The planner's statistics of the tables written are refreshed in
the same transaction (ANALYZE): a first import fills empty tables, whose stale statistics made
the pages' queries scan whole tables (a person page's queries took 28 ms instead of 6 on a
20,000-offence store until autovacuum came round).
"""

from __future__ import annotations

import json
import secrets
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, delete, func, insert, select, text, update
from sqlalchemy.orm import Session

from streetlight.db.audit import JSONValue
from streetlight.db.bulk import UnnestUpdate, copy_into
from streetlight.db.engine import lock_for_append
from streetlight.db.enums import PersonRole, SafeguardingStatus
from streetlight.db.models import (
    UnitArrest,
    UnitBail,
    UnitImport,
    UnitLink,
    UnitOffence,
    UnitOrder,
    UnitPerson,
    UnitQuarantine,
)
from streetlight.db.models.base import Base, table_of
from streetlight.progress import Progress, no_progress
from streetlight.unit import audit
from streetlight.unit.errors import ExtractMappingError
from streetlight.unit.mapping import UnitMapping
from streetlight.unit.reading import Problem, ReadTable, Row, add_months, open_extract, read_table

# A person first stored is reviewed a year on, unless a recorded decision says otherwise.
FIRST_REVIEW_MONTHS = 12
TABLE_ORDER = ("offences", "people", "links", "arrests", "bail", "orders")
# Any constant: the PostgreSQL advisory lock that lets one import run at a time.
_IMPORT_LOCK_KEY = 0x5354_4C55  # "STLU"
_BATCH = 20_000
_PERSON_ONLY = ("token", "review_due")  # set once, when a person is first stored
_LINK_COLUMNS = ("person_id", "offence_id", "role", "safeguarding", "created_at")
_IMPORTS = table_of(UnitImport)
_QUARANTINE = table_of(UnitQuarantine)


def person_token() -> str:
    """A new person's unit token: 128 random bits as 32 hex digits, unguessable, so that a
    URL or an audit entry holding it says nothing about the person and cannot be enumerated."""
    return secrets.token_hex(16)


@dataclass(frozen=True)
class TableCounts:
    """What an import did with one table's rows: `read` = accepted (new) + updated + unchanged
    + quarantined."""

    table: str
    file: str
    read: int = 0
    accepted: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0


@dataclass(frozen=True)
class ImportSummary:
    """The outcome of `import_extract`. `already_imported`: this very extract was the last one
    imported (import `import_id`, at `at`), and nothing was done."""

    unit: str
    import_id: int
    at: datetime
    digest: str
    already_imported: bool
    tables: tuple[TableCounts, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def reasons(self) -> Counter[str]:
        return Counter(p.reason for p in self.problems)

    @property
    def changed(self) -> int:
        return sum(t.accepted + t.updated for t in self.tables)

    def counts(self) -> dict[str, JSONValue]:
        """The counts as JSON (the audit entry's details and the import's summary): no value of
        any row."""
        tables: dict[str, JSONValue] = {
            t.table: {
                "read": t.read,
                "accepted": t.accepted,
                "updated": t.updated,
                "unchanged": t.unchanged,
                "quarantined": t.quarantined,
            }
            for t in self.tables
        }
        reasons: dict[str, JSONValue] = dict(sorted(self.reasons.items()))
        return {"digest": self.digest, "tables": tables, "reasons": reasons}


@dataclass(frozen=True)
class _Spec:
    """A table rows are upserted into by reference: the columns compared and written."""

    model: type[Base]
    ref: str
    columns: tuple[str, ...]


_SPECS: dict[str, _Spec] = {
    name: _Spec(model, ref, tuple(columns.split()))
    for name, model, ref, columns in (
        (
            "offences",
            UnitOffence,
            "offence_ref",
            "ho_code subgroup category vawg occurred_from occurred_to reported_at x y relationship",
        ),
        ("people", UnitPerson, "person_ref", "surname forenames date_of_birth sex ethnicity"),
        (
            "arrests",
            UnitArrest,
            "arrest_ref",
            "person_id offence_id arrested_at charged_at outcome outcome_at",
        ),
        (
            "bail",
            UnitBail,
            "bail_ref",
            "person_id offence_id kind starts expires authority conditions victim_views_sought",
        ),
        (
            "orders",
            UnitOrder,
            "order_ref",
            "person_id kind starts expires conditions protected_person_id breached_at",
        ),
    )
}
# Reference columns of the extract and the id columns they become.
_REFERENCES = {
    "person_ref": ("person_id", "people", "unknown_person"),
    "offence_ref": ("offence_id", "offences", "unknown_offence"),
    "protected_person_ref": ("protected_person_id", "people", "unknown_person"),
}


def _plain(value: object) -> object:
    """A stored value as the reading gives it (an enum member as its text: StrEnum members hash
    by name, so they would never match their text in a set)."""
    return value.value if isinstance(value, PersonRole | SafeguardingStatus) else value


@dataclass
class _Writer:
    """Writes the tables of one import in order, remembering each stored reference's id."""

    session: Session
    now: datetime
    review_due: date
    token: Callable[[], str]
    ids: dict[str, dict[str, int]] = field(default_factory=dict)  # table -> ref -> id

    @property
    def postgres(self) -> bool:
        return self.session.get_bind().dialect.name == "postgresql"

    def write(self, read: ReadTable) -> TableCounts:
        rows = self._resolve(read)
        if read.name == "links":
            accepted, updated, unchanged = self._links(rows)
        else:
            accepted, updated, unchanged = self._upsert(read.name, rows)
        return TableCounts(
            read.name,
            read.mapping.file,
            read=read.read,
            accepted=accepted,
            updated=updated,
            unchanged=unchanged,
            quarantined=len(read.problems),
        )

    def _resolve(self, read: ReadTable) -> Iterator[Row]:
        """The rows whose references are all stored, with their ids; the rest quarantined."""
        own = read.mapping.table
        references = [
            (ref, *_REFERENCES[ref])
            for ref in _REFERENCES
            if ref != own.key and ref in own.column_names
        ]
        if not references:
            yield from read.rows
            return
        for row in read.rows:
            values = row.values
            for ref, column, table, reason in references:
                key = values[ref]
                if key is None:
                    values[column] = None
                    continue
                found = self.ids[table].get(key)  # type: ignore[call-overload]
                if found is None:
                    read.quarantine(row.number, row.raw, ref, reason)
                    break
                values[column] = found
            else:
                yield row

    def _upsert(self, name: str, rows: Iterable[Row]) -> tuple[int, int, int]:
        spec = _SPECS[name]
        table = table_of(spec.model)
        ref, columns = spec.ref, spec.columns
        stored: dict[str, tuple[int, tuple[object, ...]]] = {}
        last_id = 0
        query = select(table.c.id, table.c[ref], *(table.c[c] for c in columns))
        for found in self.session.execute(query).all():
            stored[found[1]] = (found[0], tuple(_plain(v) for v in found[2:]))
            last_id = max(last_id, found[0])
        people = name == "people"
        inserted = (ref, *columns, "created_at", "updated_at", *(_PERSON_ONLY if people else ()))
        changed: list[dict[str, object]] = []
        now = self.now
        new = unchanged = 0
        with self._inserting(table, inserted) as put:
            for row in rows:
                values = row.values
                key = str(values[ref])
                current = tuple([values[c] for c in columns])
                hit = stored.get(key)
                if hit is None:
                    extra = (self.token(), self.review_due) if people else ()
                    put((key, *current, now, now, *extra))
                    new += 1
                elif hit[1] != current:
                    record = dict(zip(columns, current, strict=True))
                    record["id"] = hit[0]
                    record["updated_at"] = now
                    changed.append(record)
                else:
                    unchanged += 1
        self._update(table, (*columns, "updated_at"), changed)
        ids = {key: hit[0] for key, hit in stored.items()}
        if new:
            added = select(table.c.id, table.c[ref]).where(table.c.id > last_id)
            ids.update({key: id for id, key in self.session.execute(added).all()})
        self.ids[name] = ids
        return new, len(changed), unchanged

    def _links(self, rows: Iterable[Row]) -> tuple[int, int, int]:
        table = table_of(UnitLink)
        query = select(table.c.person_id, table.c.offence_id, table.c.role)
        stored = {(p, o, _plain(r)) for p, o, r in self.session.execute(query).all()}
        victim, unassessed = PersonRole.VICTIM.value, SafeguardingStatus.UNASSESSED.value
        new = unchanged = 0
        now = self.now
        with self._inserting(table, _LINK_COLUMNS) as put:
            for row in rows:
                values = row.values
                key = (values["person_id"], values["offence_id"], values["role"])
                if key in stored:
                    unchanged += 1
                    continue
                stored.add(key)  # a repeat was quarantined by the reading: belt and braces
                put((*key, unassessed if key[2] == victim else None, now))
                new += 1
        return new, 0, unchanged

    @contextmanager
    def _inserting(
        self, table: Table, columns: tuple[str, ...]
    ) -> Iterator[Callable[[tuple[object, ...]], None]]:
        """A function that inserts one row (a tuple in `columns`' order) into `table`. On
        PostgreSQL the rows stream into one COPY, so the server stores them while the next ones
        are read (on another core); on SQLite they go in batches, each one prepared statement,
        each value made as SQLAlchemy's column type makes it (its bind processor) but without
        its per-row bookkeeping."""
        if self.postgres:
            with copy_into(self.session, table, columns) as write:
                yield write
            return
        dialect = self.session.get_bind().dialect
        processors = [
            (i, _last_remembered(processor))
            for i, name in enumerate(columns)
            # The dialect's own type: SQLite keeps date-times as text in its own layout.
            if (processor := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
            is not None
        ]
        marks = ", ".join("?" * len(columns))
        statement = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"
        connection = self.session.connection()
        batch: list[tuple[object, ...]] = []

        def flush() -> None:
            connection.exec_driver_sql(statement, batch)
            batch.clear()

        def put(row: tuple[object, ...]) -> None:
            if processors:
                values = list(row)
                for i, processor in processors:
                    values[i] = processor(values[i])
                row = tuple(values)
            batch.append(row)
            if len(batch) >= _BATCH:
                flush()

        yield put
        if batch:
            flush()

    def _update(
        self, table: Table, columns: tuple[str, ...], rows: Sequence[Mapping[str, object]]
    ) -> None:
        if not rows:
            return
        if self.postgres:
            bulk = UnnestUpdate(table, columns)
            connection = self.session.connection()
            for batch in _batches(rows):
                connection.exec_driver_sql(bulk.sql, bulk.params(batch))
            return
        # Bound names differ from the columns': SQLAlchemy reserves those for the SET clause.
        statement = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values({c: bindparam(f"b_{c}") for c in columns})
        )
        for batch in _batches(rows):
            self.session.execute(statement, [{f"b_{k}": v for k, v in r.items()} for r in batch])


def _last_remembered(processor: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`processor`, answering at once when given the very object it was last given: every row
    of an import carries the same `now` twice, which would otherwise be formatted each time."""
    last: list[Any] = [object(), None]

    def process(value: Any) -> Any:
        if value is not last[0]:
            last[0], last[1] = value, processor(value)
        return last[1]

    return process


def _batches(rows: Sequence[Mapping[str, object]]) -> Iterable[list[Mapping[str, object]]]:
    for start in range(0, len(rows), _BATCH):
        yield list(rows[start : start + _BATCH])


def import_extract(
    session: Session,
    source: Path,
    mapping: UnitMapping,
    *,
    actor: str,
    now: datetime,
    progress: Progress = no_progress,
    token: Callable[[], str] = person_token,
) -> ImportSummary:
    """Import the extract at `source` (a folder or .zip) read through `mapping`, in `session`'s
    transaction, which the caller commits (see the module docstring). `actor`: who runs it (a
    staff username, or "cli"); `now`: the import's time (an aware datetime); `progress` wraps the
    tables as they are written; `token` makes new people's tokens."""
    extract = open_extract(source, mapping)
    digest = extract.digest(mapping)
    # One import at a time (SQLite: BEGIN IMMEDIATE already holds the one write lock).
    lock_for_append(session, _IMPORT_LOCK_KEY)
    last = session.execute(
        select(_IMPORTS.c.id, _IMPORTS.c.at, _IMPORTS.c.digest)
        .order_by(_IMPORTS.c.id.desc())
        .limit(1)
    ).first()
    if last is not None and last.digest == digest:
        return ImportSummary(mapping.name, last.id, last.at, digest, already_imported=True)
    _check_crs(session, mapping)
    tables = {
        name: read_table(t.file, extract.files[t.file], mapping, t)
        for name, t in mapping.tables.items()
    }
    local_today = now.astimezone(ZoneInfo(mapping.timezone)).date()
    writer = _Writer(session, now, add_months(local_today, FIRST_REVIEW_MONTHS), token)
    counts: dict[str, TableCounts] = {}
    order = [name for name in TABLE_ORDER if name in tables]
    for name in progress(order, total=len(order)):
        counts[name] = writer.write(tables[name])
    _analyze(session, [n for n in order if counts[n].accepted or counts[n].updated])
    problems = tuple(p for name in order for p in sorted(tables[name].problems, key=_row))
    summary = ImportSummary(
        mapping.name,
        0,
        now,
        digest,
        already_imported=False,
        tables=tuple(counts[name] for name in order),
        problems=problems,
    )
    import_id = session.execute(
        insert(_IMPORTS).returning(_IMPORTS.c.id),
        {
            "at": now,
            "actor": actor,
            "unit_name": mapping.name,
            "digest": digest,
            "crs": mapping.crs,
            "summary": json.dumps(summary.counts(), sort_keys=True, separators=(",", ":")),
        },
    ).scalar_one()
    _replace_quarantine(session, import_id, [tables[name] for name in order])
    audit.imported(session, actor=actor, import_id=import_id, details=summary.counts(), now=now)
    return ImportSummary(
        summary.unit,
        import_id,
        now,
        digest,
        already_imported=False,
        tables=summary.tables,
        problems=summary.problems,
    )


def _analyze(session: Session, names: Sequence[str]) -> None:
    """Refresh the planner's statistics of the tables `names` wrote (both engines allow it
    inside a transaction, and PostgreSQL samples the transaction's own new rows)."""
    for name in names:
        model = UnitLink if name == "links" else _SPECS[name].model
        session.execute(text(f"ANALYZE {table_of(model).name}"))


def _row(problem: Problem) -> int:
    return problem.row


def _check_crs(session: Session, mapping: UnitMapping) -> None:
    """x/y already stored are in one CRS: an extract in another would mix them."""
    if not mapping.crs:
        return
    stored = session.execute(
        select(_IMPORTS.c.crs, _IMPORTS.c.id)
        .where(_IMPORTS.c.crs != "")
        .order_by(_IMPORTS.c.id.desc())
        .limit(1)
    ).first()
    if stored is not None and stored.crs != mapping.crs:
        raise ExtractMappingError(
            f"{mapping.path}: [unit] crs is {mapping.crs}, but the unit's x/y are stored in "
            f"{stored.crs} (import {stored.id}): give the extract's x/y in {stored.crs}"
        )


def _replace_quarantine(session: Session, import_id: int, tables: list[ReadTable]) -> None:
    session.execute(delete(_QUARANTINE))
    rows: list[dict[str, Any]] = [
        {
            "import_id": import_id,
            "extract_table": problem.table,
            "file": problem.file,
            "row_number": problem.row,
            "field": problem.field,
            "reason": problem.reason,
            "raw_values": json.dumps(read.raw_values(raw), ensure_ascii=False),
        }
        for read in tables
        for problem, raw in zip(read.problems, read.quarantined, strict=True)
    ]
    for start in range(0, len(rows), _BATCH):
        session.execute(insert(_QUARANTINE), rows[start : start + _BATCH])


def count_rows(session: Session) -> dict[str, int]:
    """Rows in each casework table the import writes (for summaries and tests)."""
    return {
        name: session.execute(select(func.count()).select_from(table_of(model))).scalar_one()
        for name, model in (
            ("offences", UnitOffence),
            ("people", UnitPerson),
            ("links", UnitLink),
            ("arrests", UnitArrest),
            ("bail", UnitBail),
            ("orders", UnitOrder),
        )
    }
