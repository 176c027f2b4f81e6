"""Errors of the operational database and its imports: the `DatabaseError` group of
`streetlight.errors`."""

from __future__ import annotations

from streetlight.errors import DatabaseError


class DatabaseUrlError(DatabaseError):
    """A database URL Streetlight cannot use (an in-memory SQLite, an unknown backend)."""


class DatabaseUnreachableError(DatabaseError):
    """The database cannot be reached, or cannot be brought to this version's schema."""


class AuditChainError(DatabaseError):
    """The audit log's hash chain is broken: a row was changed or removed."""


class ImportFileError(DatabaseError):
    """An import file cannot be read at all (missing, not CSV, no header or missing columns).

    Bad rows do not raise: they are reported one by one (file, row, field) and the good rows land.
    """

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


class OfficerNotFoundError(DatabaseError):
    """No officer has this warrant number."""

    def __init__(self, warrant_number: str) -> None:
        super().__init__(f"no officer with warrant number {warrant_number!r}")
        self.warrant_number = warrant_number


class DutyError(DatabaseError):
    """A duty change that cannot happen (a suspended officer going on duty, say)."""
