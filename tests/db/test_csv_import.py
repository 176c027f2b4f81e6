"""Officers and duty from CSV: good rows land, bad rows are named (file, row, field)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from streetlight.db import officers as ops
from streetlight.db.csv_import import import_duty, import_officers
from streetlight.db.errors import ImportFileError
from streetlight.db.models import Dress, Officer, OfficerStatus
from tests.conftest import Writer
from tests.db.factories import NOW

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

OFFICERS = """warrant_number,name,rank,unit,team,status,photo
PC100,Sam Patel,Police Constable,Night-time economy,NTE-1,active,sam.png
PC101,Jo Evans,Police Constable,Night-time economy,NTE-1,,
,No Number,PC,Unit,,,
PC102,Kim Lee,Sergeant,Response,R2,retired,
PC103,Ann Bay,Police Constable,Response,R2,active,missing.jpg
PC100,Sam Again,Police Constable,Response,R2,active,
PC 104,Space In Number,PC,Unit,,,
PC105,Too,Many,Fields,,,,extra
PC106,Ray Kay,Inspector,Response,R2,suspended,
"""


def _officers(session: Session) -> dict[str, Officer]:
    return {o.warrant_number: o for o in session.scalars(select(Officer))}


def test_officers_import_good_and_bad_rows(sessions: sessionmaker[Session], write: Writer) -> None:
    write("sam.png", PNG)
    path = write("officers.csv", OFFICERS)
    with sessions.begin() as session:
        report = import_officers(session, path, actor="test", now=NOW)
    assert (report.rows, report.imported) == (9, 3)
    assert [str(p) for p in report.problems] == [
        f"{path}: row 4, warrant_number: empty",
        f"{path}: row 5, status: 'retired' is not active or suspended",
        f"{path}: row 6, photo: missing.jpg: no such file",
        f"{path}: row 7, warrant_number: PC100 appears twice in this file",
        f"{path}: row 8, warrant_number: 'PC 104' is not letters, digits, '-' or '/' (max 32)",
        f"{path}: row 9, (row): more fields than the header has",
    ]
    with sessions() as session:
        officers = _officers(session)
        assert sorted(officers) == ["PC100", "PC101", "PC106"]
        assert officers["PC100"].photo == PNG and officers["PC100"].photo_media_type == "image/png"
        assert (
            officers["PC101"].team == "NTE-1" and officers["PC101"].status is OfficerStatus.ACTIVE
        )
        assert officers["PC106"].status is OfficerStatus.SUSPENDED


def test_reimport_updates_and_suspends_at_once(
    sessions: sessionmaker[Session], write: Writer
) -> None:
    first = write("a.csv", "warrant_number,name,rank,unit\nPC1,Ann,PC,Response\n")
    duty = write("d.csv", "warrant_number,duty,dress,area\nPC1,on,uniform,Centre\n")
    suspend = write(
        "b.csv", "warrant_number,name,rank,unit,status\nPC1,Ann B,Sergeant,Response,suspended\n"
    )
    with sessions.begin() as session:
        import_officers(session, first, actor="test", now=NOW)
        import_duty(session, duty, actor="test", now=NOW)
        assert ops.is_on_duty(session, ops.get_officer(session, "PC1"))
        report = import_officers(session, suspend, actor="test", now=NOW + timedelta(minutes=1))
        assert report.problems == []
        officer = ops.get_officer(session, "PC1")
        assert (officer.name, officer.rank, officer.status) == (
            "Ann B",
            "Sergeant",
            OfficerStatus.SUSPENDED,
        )
        assert not ops.is_on_duty(session, officer)


DUTY = """warrant_number,duty,dress,area,started_at
PC1,on,plain_clothes,Old Town,2026-03-14T20:00:00+00:00
PC2,on,uniform,Docks,
PC9,on,uniform,Docks,
PC1,maybe,uniform,,
PC3,on,,Centre,
PC3,on,uniform,Centre,2026-03-14 20:00
PC3,on,uniform,Centre,2099-01-01T00:00:00Z
PC4,on,uniform,Centre,
PC2,off,,,
"""


def test_duty_import(sessions: sessionmaker[Session], write: Writer) -> None:
    roster = "warrant_number,name,rank,unit,status\n" + "".join(
        f"PC{n},Officer {n},PC,Response,{'suspended' if n == 4 else 'active'}\n"
        for n in range(1, 5)
    )
    with sessions.begin() as session:
        import_officers(session, write("o.csv", roster), actor="test", now=NOW)
    path = write("duty.csv", DUTY)
    with sessions.begin() as session:
        report = import_duty(session, path, actor="test", now=NOW)
    assert (report.rows, report.imported) == (9, 3)
    assert [(p.row, p.field) for p in report.problems] == [
        (4, "warrant_number"),
        (5, "duty"),
        (6, "dress"),
        (7, "started_at"),
        (8, "started_at"),
        (9, "duty"),
    ]
    assert "suspended" in report.problems[-1].reason
    with sessions() as session:
        one = ops.open_duty(session, ops.get_officer(session, "PC1"))
        assert one is not None and one.dress is Dress.PLAIN_CLOTHES and one.area == "Old Town"
        assert one.started_at == NOW.replace(hour=20, minute=0, second=0, microsecond=0)
        assert ops.open_duty(session, ops.get_officer(session, "PC2")) is None


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"\xff\xfe\x00bad", "not UTF-8 text"),
        (b"", "empty file"),
        (b"warrant_number,name\nPC1,Ann\n", "missing column(s): rank, unit"),
        (b"warrant_number,name,rank,unit,colour\n", "unknown column(s): colour"),
    ],
)
def test_unreadable_files_stop_with_one_error(
    sessions: sessionmaker[Session],
    write: Writer,
    tmp_path: Path,
    content: bytes | None,
    message: str,
) -> None:
    path = write("x.csv", content) if content is not None else tmp_path / "none.csv"
    with sessions.begin() as session, pytest.raises(ImportFileError) as caught:
        import_officers(session, path, actor="test", now=NOW)
    assert str(caught.value).startswith(f"{path}: ") and message in str(caught.value)
