"""Import officers and duty from CSV, the way ingest treats crime files: a file that cannot be read
at all stops with one error naming it; a bad row is reported (file, row, field, reason) and skipped,
and every good row lands, all in one transaction with one audit row.

Officers file columns: `warrant_number,name,rank,unit` and optionally `team,status,photo`
(`status` is `active` or `suspended`; `photo` a JPEG or PNG path relative to the CSV file).
Duty file columns: `warrant_number,duty` and optionally `dress,area,started_at` (`duty` is `on`
or `off`; `dress` is `uniform` or `plain_clothes` and needed for `on`; `started_at` ISO 8601 with
a UTC offset). Row numbers count the header as row 1, as a spreadsheet shows them.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from sqlalchemy.orm import Session

from streetlight.db import audit
from streetlight.db import officers as ops
from streetlight.db.errors import DutyError, ImportFileError, OfficerNotFoundError
from streetlight.db.models import Dress, Officer, OfficerStatus

OFFICER_COLUMNS = ("warrant_number", "name", "rank", "unit")
OFFICER_OPTIONAL = ("team", "status", "photo")
DUTY_COLUMNS = ("warrant_number", "duty")
DUTY_OPTIONAL = ("dress", "area", "started_at")
MAX_PHOTO_BYTES = 2 * 1024 * 1024
_WARRANT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/-]{0,31}$")
_LIMITS = {"name": 120, "rank": 60, "unit": 120, "team": 60, "area": 120}
_E = TypeVar("_E", OfficerStatus, Dress)
_MAGIC = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


@dataclass(frozen=True)
class RowProblem:
    """Why one row was skipped."""

    source: str
    row: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: row {self.row}, {self.field}: {self.reason}"


@dataclass
class ImportReport:
    """What an import did: data rows read, rows applied, and the problems of the rest."""

    source: str
    rows: int = 0
    imported: int = 0
    problems: list[RowProblem] = field(default_factory=list)


class _BadRowError(Exception):
    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field_name
        self.reason = reason


def _read(path: Path, required: tuple[str, ...], optional: tuple[str, ...]) -> list[dict[str, str]]:
    if not path.is_file():
        raise ImportFileError(str(path), "no such file")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(str(path), f"not UTF-8 text (byte {exc.start})") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    if not header:
        raise ImportFileError(str(path), "empty file: expected a header line")
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportFileError(str(path), f"missing column(s): {', '.join(missing)}")
    unknown = [c for c in header if c not in required + optional]
    if unknown:
        known = ", ".join(required + optional)
        raise ImportFileError(
            str(path), f"unknown column(s): {', '.join(unknown)} (known: {known})"
        )
    reader.fieldnames = header
    rows = []
    for raw in reader:
        if None in raw:
            rows.append({"__extra__": "1"})
            continue
        rows.append({k: (v or "").strip() for k, v in raw.items()})
    return rows


def _text(row: dict[str, str], name: str, *, required: bool = True) -> str:
    value = row.get(name, "")
    if required and not value:
        raise _BadRowError(name, "empty")
    limit = _LIMITS.get(name, 200)
    if len(value) > limit:
        raise _BadRowError(name, f"longer than {limit} characters")
    return value


def _warrant(row: dict[str, str]) -> str:
    value = _text(row, "warrant_number")
    if not _WARRANT.match(value):
        raise _BadRowError(
            "warrant_number", f"{value!r} is not letters, digits, '-' or '/' (max 32)"
        )
    return value


def _choice(row: dict[str, str], name: str, kind: type[_E], default: _E | None) -> _E:
    value = row.get(name, "")
    if not value and default is not None:
        return default
    try:
        return kind(value.lower())
    except ValueError:
        allowed = " or ".join(m.value for m in kind)
        raise _BadRowError(name, f"{value!r} is not {allowed}") from None


def _photo(base: Path, value: str) -> tuple[bytes, str] | None:
    if not value:
        return None
    path = (base / value).resolve()
    if not path.is_file():
        raise _BadRowError("photo", f"{value}: no such file")
    data = path.read_bytes()
    if len(data) > MAX_PHOTO_BYTES:
        raise _BadRowError("photo", f"{value}: larger than {MAX_PHOTO_BYTES // 1024} KiB")
    for magic, media_type in _MAGIC.items():
        if data.startswith(magic):
            return data, media_type
    raise _BadRowError("photo", f"{value}: not a JPEG or PNG image")


def _each_row(
    session: Session,
    report: ImportReport,
    rows: list[dict[str, str]],
    apply: Callable[[dict[str, str]], None],
) -> None:
    for number, row in enumerate(rows, start=2):
        report.rows += 1
        try:
            if "__extra__" in row:
                raise _BadRowError("(row)", "more fields than the header has")
            # A savepoint per row: a row that fails half-way leaves nothing behind.
            with session.begin_nested():
                apply(row)
        except _BadRowError as bad:
            report.problems.append(RowProblem(report.source, number, bad.field, bad.reason))
        else:
            report.imported += 1


def import_officers(session: Session, path: Path, *, actor: str, now: datetime) -> ImportReport:
    """Create or update officers by warrant number (see the module docstring for the columns)."""
    rows = _read(path, OFFICER_COLUMNS, OFFICER_OPTIONAL)
    report = ImportReport(str(path))
    seen: set[str] = set()

    def apply(row: dict[str, str]) -> None:
        warrant = _warrant(row)
        if warrant in seen:
            raise _BadRowError("warrant_number", f"{warrant} appears twice in this file")
        name, rank, unit = _text(row, "name"), _text(row, "rank"), _text(row, "unit")
        team = _text(row, "team", required=False)
        status = _choice(row, "status", OfficerStatus, OfficerStatus.ACTIVE)
        photo = _photo(path.parent, row.get("photo", ""))
        seen.add(warrant)
        officer = ops.find_officer(session, warrant)
        if officer is None:
            officer = Officer(warrant_number=warrant, status=OfficerStatus.ACTIVE, created_at=now)
            session.add(officer)
        officer.name, officer.rank, officer.unit, officer.team = name, rank, unit, team
        officer.updated_at = now
        if photo is not None:
            officer.photo, officer.photo_media_type = photo
        session.flush()
        if status is not officer.status:
            change = ops.suspend if status is OfficerStatus.SUSPENDED else ops.reinstate
            change(session, warrant, actor=actor, now=now)

    _each_row(session, report, rows, apply)
    _audit(session, "officers.import", report, actor, now)
    return report


def _instant(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _BadRowError("started_at", f"{value!r} is not an ISO 8601 date-time") from None
    if parsed.tzinfo is None:
        raise _BadRowError("started_at", f"{value!r} has no UTC offset (add Z or +01:00)")
    return parsed


def import_duty(session: Session, path: Path, *, actor: str, now: datetime) -> ImportReport:
    """Put officers on or off duty (see the module docstring for the columns)."""
    rows = _read(path, DUTY_COLUMNS, DUTY_OPTIONAL)
    report = ImportReport(str(path))

    def apply(row: dict[str, str]) -> None:
        warrant = _warrant(row)
        state = row.get("duty", "").lower()
        if state not in ("on", "off"):
            raise _BadRowError("duty", f"{row.get('duty', '')!r} is not on or off")
        if ops.find_officer(session, warrant) is None:
            raise _BadRowError("warrant_number", f"no officer {warrant} (import officers first)")
        try:
            if state == "off":
                ops.end_duty(session, warrant, actor=actor, now=now)
                return
            dress = _choice(row, "dress", Dress, None)
            started = _instant(row.get("started_at", ""))
            if started is not None and started > now:
                raise _BadRowError("started_at", f"{row['started_at']} is in the future")
            area = _text(row, "area", required=False)
            ops.start_duty(
                session, warrant, dress=dress, area=area, actor=actor, now=now, started_at=started
            )
        except DutyError as exc:
            raise _BadRowError("duty", str(exc)) from None
        except OfficerNotFoundError as exc:  # pragma: no cover - checked above
            raise _BadRowError("warrant_number", str(exc)) from None

    _each_row(session, report, rows, apply)
    _audit(session, "duty.import", report, actor, now)
    return report


def _audit(session: Session, action: str, report: ImportReport, actor: str, now: datetime) -> None:
    audit.append(
        session,
        actor=actor,
        action=action,
        subject=Path(report.source).name,
        details={"rows": report.rows, "imported": report.imported, "skipped": len(report.problems)},
        now=now,
    )


def problems_text(report: ImportReport) -> Iterator[str]:
    """One line per skipped row, for the command line."""
    for problem in report.problems:
        yield str(problem)
