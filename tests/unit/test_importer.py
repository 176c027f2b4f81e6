"""Importing an extract on SQLite and PostgreSQL: what lands, what is quarantined and why, what a
second import changes, and that personal data goes nowhere but the casework tables."""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db.audit import verify_chain
from streetlight.db.enums import PersonRole, SafeguardingStatus, Sex
from streetlight.db.models import (
    AuditEntry,
    UnitBail,
    UnitImport,
    UnitLink,
    UnitOffence,
    UnitOrder,
    UnitPerson,
    UnitQuarantine,
)
from streetlight.unit.errors import ExtractMappingError
from streetlight.unit.importer import ImportSummary, count_rows, import_extract
from streetlight.unit.mapping import load_mapping
from streetlight.unit.reading import REASONS
from tests.conftest import REPO, database_text
from tests.unit.extracts import EXTRA, PERSONAL, Rows, base, write_extract

NOW = datetime(2026, 3, 14, 21, 30, tzinfo=UTC)
EXAMPLE = REPO / "tests" / "data" / "unit-extract"
EXAMPLE_MAPPING = REPO / "mappings" / "unit-example.toml"
BASE_COUNTS = {"offences": 2, "people": 3, "links": 4, "arrests": 1, "bail": 2, "orders": 1}


def _import(
    sessions: sessionmaker[Session], source: Path, mapping: Path, now: datetime = NOW
) -> ImportSummary:
    with sessions.begin() as session:
        return import_extract(session, source, load_mapping(mapping), actor="tester", now=now)


def _counts(summary: ImportSummary) -> dict[str, tuple[int, ...]]:
    return {
        t.table: (t.read, t.accepted, t.updated, t.unchanged, t.quarantined) for t in summary.tables
    }


def _stored(sessions: sessionmaker[Session]) -> dict[str, int]:
    with sessions() as session:
        return count_rows(session)


def test_the_example_extract_lands_and_a_second_import_changes_nothing(
    sessions: sessionmaker[Session],
) -> None:
    summary = _import(sessions, EXAMPLE, EXAMPLE_MAPPING)
    assert not summary.already_imported and summary.import_id == 1
    assert _counts(summary) == {
        "offences": (8, 7, 0, 0, 1),
        "people": (9, 8, 0, 0, 1),
        "links": (15, 14, 0, 0, 1),
        "arrests": (3, 3, 0, 0, 0),
        "bail": (3, 2, 0, 0, 1),
        "orders": (3, 3, 0, 0, 0),
    }
    assert [str(p) for p in summary.problems] == [
        "Occurrences.csv: row 9, HOOffenceCode: unknown_offence_code",
        "Nominals.csv: row 10, DOB: unparsable_date",
        "OccurrenceNominals.csv: row 16, NominalID: unknown_person",
        "Bail.csv: row 4, BailExpiry: bail_beyond_authority",
    ]
    with sessions() as session:
        offence = session.scalars(
            select(UnitOffence).where(UnitOffence.offence_ref == "CL/00587/25")
        ).one()
        # 14/07/2025 22:40 in London (BST) is 21:40 UTC; "Partner" is the mapping's word.
        assert offence.occurred_from == datetime(2025, 7, 14, 21, 40, tzinfo=UTC)
        assert offence.relationship_ == "partner" and offence.vawg
        person = session.scalars(select(UnitPerson).where(UnitPerson.person_ref == "N300076")).one()
        assert person.sex is Sex.UNKNOWN and person.surname is None
        assert person.review_due == date(2027, 3, 14)  # a year after the import
        assert len(person.token) == 32 and int(person.token, 16) >= 0
        victims = session.scalars(select(UnitLink).where(UnitLink.role == PersonRole.VICTIM))
        assert {link.safeguarding for link in victims} == {SafeguardingStatus.UNASSESSED}
    before = database_text(sessions)
    again = _import(sessions, EXAMPLE, EXAMPLE_MAPPING, NOW + timedelta(hours=1))
    assert again.already_imported and again.import_id == 1 and again.at == NOW
    assert database_text(sessions) == before  # not even an audit entry


def test_a_zip_of_the_extract_is_the_same_extract(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    archive = tmp_path / "extract.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in sorted(EXAMPLE.iterdir()):
            zipped.write(path, f"rms-export/{path.name}")  # a zip of a folder
    first = _import(sessions, archive, EXAMPLE_MAPPING)
    assert sum(t.accepted for t in first.tables) == 37
    assert _import(sessions, EXAMPLE, EXAMPLE_MAPPING).already_imported


def test_a_changed_extract_updates_rows_by_their_references(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    mapping = write_extract(tmp_path / "extract", base())
    first = _import(sessions, tmp_path / "extract", mapping)
    assert {t.table: t.accepted for t in first.tables} == BASE_COUNTS
    assert first.problems == ()
    with sessions() as session:
        tokens = {
            ref: token
            for ref, token in session.execute(select(UnitPerson.person_ref, UnitPerson.token))
        }
    changed = base()
    changed["offences"][1]["reported_at"] = "2025-07-15T09:00"
    changed["people"][0]["surname"] = ""  # the unit no longer needs it: cleared
    changed["people"].append({"person_ref": "P4", "sex": "female"})
    changed["links"].append({"person_ref": "P4", "offence_ref": "O2", "role": "witness"})
    changed["bail"][0]["expires"] = "2025-09-05"
    mapping = write_extract(tmp_path / "extract", changed)
    later = NOW + timedelta(days=1)
    second = _import(sessions, tmp_path / "extract", mapping, later)
    assert _counts(second) == {
        "offences": (2, 0, 1, 1, 0),
        "people": (4, 1, 1, 2, 0),
        "links": (5, 1, 0, 4, 0),
        "arrests": (1, 0, 0, 1, 0),
        "bail": (2, 0, 1, 1, 0),
        "orders": (1, 0, 0, 1, 0),
    }
    with sessions() as session:
        offences = {o.offence_ref: o for o in session.scalars(select(UnitOffence))}
        assert offences["O2"].reported_at == datetime(2025, 7, 15, 8, 0, tzinfo=UTC)
        assert (offences["O1"].updated_at, offences["O2"].updated_at) == (NOW, later)
        assert offences["O2"].created_at == NOW
        people = {p.person_ref: p for p in session.scalars(select(UnitPerson))}
        assert people["P1"].surname is None and people["P1"].forenames == "Dexter"
        assert {ref: people[ref].token for ref in tokens} == tokens  # a token never changes
        assert people["P4"].review_due == date(2027, 3, 15)
        bail = session.scalars(select(UnitBail).where(UnitBail.bail_ref == "B1")).one()
        assert bail.expires == date(2025, 9, 5)
        imports = session.scalars(select(UnitImport).order_by(UnitImport.id)).all()
        assert [i.id for i in imports] == [1, 2] and imports[1].actor == "tester"
    assert _stored(sessions) == {**BASE_COUNTS, "people": 4, "links": 5}


def test_the_values_the_import_stores_are_found_by_the_orm(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """SQLite keeps date-times as text: the import's fast path must write the text SQLAlchemy
    writes, or comparisons in SQL would miss rows."""
    _import(sessions, tmp_path / "extract", write_extract(tmp_path / "extract", base()))
    with sessions() as session:
        when = datetime(2025, 7, 14, 21, 40, tzinfo=UTC)
        assert session.scalars(
            select(UnitOffence.offence_ref).where(UnitOffence.occurred_from == when)
        ).all() == ["O2"]
        assert session.scalars(
            select(UnitOffence.offence_ref).where(UnitOffence.created_at == NOW)
        ).all() == ["O1", "O2"]
        assert session.scalars(
            select(UnitPerson.person_ref).where(UnitPerson.date_of_birth == date(1988, 11, 4))
        ).all() == ["P1"]
        order = session.scalars(select(UnitOrder)).one()
        assert order.breached_at == datetime(2025, 8, 3, 21, 10, tzinfo=UTC)


Change = Callable[[Rows], None]


def _set(table: str, index: int, **values: str) -> Change:
    def change(rows: Rows) -> None:
        rows[table][index].update(values)

    return change


def _add(table: str, **values: str) -> Change:
    def change(rows: Rows) -> None:
        rows[table].append(values)

    return change


_LINK = {"person_ref": "P2", "offence_ref": "O2", "role": "witness"}
# (change to the base extract, table, row number in its file, field, reason)
BAD_ROWS: list[tuple[str, Change, str, int, str]] = [
    ("missing", _set("offences", 0, category=""), "offences", 2, "category:missing_field"),
    (
        "date",
        _set("offences", 1, reported_at="yesterday"),
        "offences",
        3,
        "reported_at:unparsable_date",
    ),
    (
        "dst gap",
        _set("offences", 0, occurred_from="2025-03-30T01:30"),
        "offences",
        2,
        "occurred_from:nonexistent_time",
    ),
    ("number", _set("offences", 0, x="north"), "offences", 2, "x:unparsable_number"),
    ("half point", _set("offences", 0, y=""), "offences", 2, "y:half_location"),
    (
        "vocabulary",
        _set("offences", 0, relationship="neighbour"),
        "offences",
        2,
        "relationship:not_in_vocabulary",
    ),
    ("boolean", _set("offences", 1, vawg="maybe"), "offences", 3, "vawg:not_in_vocabulary"),
    ("code", _set("offences", 1, ho_code="99Z"), "offences", 3, "ho_code:unknown_offence_code"),
    (
        "window",
        _set("offences", 0, occurred_to="2025-02-01T00:00"),
        "offences",
        2,
        "occurred_to:ends_before_start",
    ),
    (
        "reported",
        _set("offences", 0, reported_at="2025-02-01T00:00"),
        "offences",
        2,
        "reported_at:reported_before_occurred",
    ),
    (
        "duplicate",
        _add("offences", **{**base()["offences"][1]}),
        "offences",
        4,
        "offence_ref:duplicate_ref",
    ),
    ("too long", _set("people", 1, surname="x" * 121), "people", 3, "surname:too_long"),
    ("sex", _set("people", 2, sex="other"), "people", 4, "sex:not_in_vocabulary"),
    (
        "dob",
        _set("people", 1, date_of_birth="1991-02-30"),
        "people",
        3,
        "date_of_birth:unparsable_date",
    ),
    ("person twice", _add("people", person_ref="P2"), "people", 5, "person_ref:duplicate_ref"),
    ("role", _set("links", 3, role="bystander"), "links", 5, "role:not_in_vocabulary"),
    (
        "link twice",
        _add("links", person_ref="P1", offence_ref="O1", role="Suspect"),
        "links",
        6,
        "person_ref:duplicate_ref",
    ),
    (
        "no person",
        _add("links", person_ref="P9", offence_ref="O1", role="witness"),
        "links",
        6,
        "person_ref:unknown_person",
    ),
    (
        "no offence",
        _add("links", person_ref="P1", offence_ref="O9", role="witness"),
        "links",
        6,
        "offence_ref:unknown_offence",
    ),
    ("extra", _add("links", **_LINK, **{EXTRA: "x"}), "links", 6, "(row):extra_fields"),
    (
        "outcome",
        _set("arrests", 0, outcome="Sent to Mars"),
        "arrests",
        2,
        "outcome:not_in_vocabulary",
    ),
    (
        "charged early",
        _set("arrests", 0, charged_at="2025-07-05T07:00"),
        "arrests",
        2,
        "charged_at:ends_before_start",
    ),
    (
        "arrest offence",
        _set("arrests", 0, offence_ref="O9"),
        "arrests",
        2,
        "offence_ref:unknown_offence",
    ),
    (
        "bail backwards",
        _set("bail", 0, expires="2025-07-04"),
        "bail",
        2,
        "expires:ends_before_start",
    ),
    (
        "bail too long",
        _set("bail", 0, expires="2025-10-06"),
        "bail",
        2,
        "expires:bail_beyond_authority",
    ),
    (
        "supt too long",
        _set("bail", 0, expires="2026-01-06", authority="superintendent"),
        "bail",
        2,
        "expires:bail_beyond_authority",
    ),
    ("no authority", _set("bail", 0, authority=""), "bail", 2, "authority:missing_field"),
    ("no expiry", _set("bail", 0, expires=""), "bail", 2, "expires:missing_field"),
    (
        "rui terms",
        _set("bail", 1, conditions="No contact"),
        "bail",
        3,
        "conditions:rui_with_bail_terms",
    ),
    ("bail kind", _set("bail", 1, kind="street bail"), "bail", 3, "kind:not_in_vocabulary"),
    (
        "dvpo too long",
        _set("orders", 0, expires="2025-08-13"),
        "orders",
        2,
        "expires:order_beyond_limit",
    ),
    (
        "order backwards",
        _set("orders", 0, expires="2025-07-14"),
        "orders",
        2,
        "expires:ends_before_start",
    ),
    (
        "protected",
        _set("orders", 0, protected_person_ref="P9"),
        "orders",
        2,
        "protected_person_ref:unknown_person",
    ),
]


@pytest.mark.parametrize(
    ("change", "table", "row", "problem"),
    [pytest.param(*case[1:], id=case[0]) for case in BAD_ROWS],
)
def test_a_bad_row_is_quarantined_with_its_reason_and_the_rest_lands(
    sessions: sessionmaker[Session],
    tmp_path: Path,
    change: Change,
    table: str,
    row: int,
    problem: str,
) -> None:
    tables = base()
    change(tables)
    summary = _import(sessions, tmp_path / "extract", write_extract(tmp_path / "extract", tables))
    mine = [p for p in summary.problems if p.table == table and p.row == row]
    assert [f"{p.field}:{p.reason}" for p in mine] == [problem]
    # Anything else quarantined is a consequence: rows naming the row that was refused.
    others = [p for p in summary.problems if p not in mine]
    assert {p.reason for p in others} <= {"unknown_person", "unknown_offence"}
    counts = {t.table: t for t in summary.tables}
    assert counts[table].quarantined == 1 + sum(p.table == table for p in others)
    for t in summary.tables:
        assert t.read == t.accepted + t.updated + t.unchanged + t.quarantined
    assert _stored(sessions) == {name: t.accepted for name, t in counts.items()}
    with sessions() as session:
        stored = session.scalars(
            select(UnitQuarantine).where(
                UnitQuarantine.extract_table == table, UnitQuarantine.row_number == row
            )
        ).all()
        assert [q.reason for q in stored] == [problem.split(":")[1]]
    assert all(reason in REASONS for reason in summary.reasons)


def test_every_reason_is_tested() -> None:
    tested = {case[4].split(":")[1] for case in BAD_ROWS}
    assert tested == set(REASONS)


def test_quarantine_keeps_values_only_in_its_table_and_the_next_import_replaces_it(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    tables = base()
    tables["people"][0]["date_of_birth"] = "04/11/1988"  # not ISO: quarantined with its name
    tables["people"][1]["sex"] = "F?"
    summary = _import(sessions, tmp_path / "extract", write_extract(tmp_path / "extract", tables))
    printed = "\n".join(str(p) for p in summary.problems)
    assert "people.csv: row 2, date_of_birth: unparsable_date" in printed
    for value in (*PERSONAL, "04/11/1988"):
        assert value not in printed
    with sessions() as session:
        entry = session.scalars(select(AuditEntry)).one()
        assert entry.action == "unit.import" and entry.subject == f"unit_import:{summary.import_id}"
        details = json.loads(entry.details)
        assert details["tables"]["people"]["quarantined"] == 2
        # P1's links, arrest, bail and order, and P2's link, name people who were refused.
        assert details["reasons"] == {
            "not_in_vocabulary": 1,
            "unknown_person": 7,
            "unparsable_date": 1,
        }
        assert set(details) == {"digest", "tables", "reasons"}
        for value in (*PERSONAL, "04/11/1988", "P1", "P2"):
            assert value not in entry.details and value not in entry.subject
        people = select(UnitQuarantine).where(UnitQuarantine.extract_table == "people")
        stored = {q.row_number: json.loads(q.raw_values) for q in session.scalars(people)}
        assert stored[2]["surname"] == "Quorn" and stored[2]["date_of_birth"] == "04/11/1988"
        assert verify_chain(session).ok
    # A corrected extract: the quarantine empties, and the people land.
    mapping = write_extract(tmp_path / "extract", base())
    second = _import(sessions, tmp_path / "extract", mapping)
    assert second.problems == ()
    with sessions() as session:
        assert session.scalars(select(UnitQuarantine)).all() == []
    assert _stored(sessions) == BASE_COUNTS


def test_an_error_half_way_leaves_the_database_as_it_was(
    sessions: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _import(sessions, EXAMPLE, EXAMPLE_MAPPING)
    before = database_text(sessions)
    from streetlight.unit import importer

    def broken(self: object, rows: object) -> object:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(importer._Writer, "_links", broken)  # after offences and people
    mapping = write_extract(tmp_path / "extract", base())
    with pytest.raises(RuntimeError, match="the disk is full"):
        _import(sessions, tmp_path / "extract", mapping)
    assert database_text(sessions) == before


def test_an_extract_in_another_crs_is_refused(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    mapping = write_extract(tmp_path / "extract", base())
    _import(sessions, tmp_path / "extract", mapping)
    text = mapping.read_text().replace('crs = "EPSG:27700"', 'crs = "EPSG:32630"')
    mapping.write_text(text)
    with pytest.raises(ExtractMappingError, match=r"stored in EPSG:27700 \(import 1\)"):
        _import(sessions, tmp_path / "extract", mapping)


def test_a_changed_mapping_is_a_changed_extract(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """The digest covers the mapping: the same files read another way are imported again."""
    tables = base()
    tables["links"][3]["role"] = "Victim of crime"
    mapping = write_extract(tmp_path / "extract", tables)
    first = _import(sessions, tmp_path / "extract", mapping)
    assert [p.reason for p in first.problems] == ["not_in_vocabulary"]
    mapping.write_text(
        mapping.read_text() + '\n[links.values.role]\n"Victim of crime" = "victim"\n'
    )
    second = _import(sessions, tmp_path / "extract", mapping)
    assert not second.already_imported and second.problems == ()
    assert {t.table: t.accepted for t in second.tables}["links"] == 1


def test_the_example_extract_copied_elsewhere_is_still_the_same(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "copy")
    _import(sessions, EXAMPLE, EXAMPLE_MAPPING)
    assert _import(sessions, tmp_path / "copy", EXAMPLE_MAPPING).already_imported
