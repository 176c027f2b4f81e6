"""Errors of the operational database and its imports, in the package's one `StreetlightError` tree."""

from __future__ import annotations

from streetlight.errors import StreetlightError


class DatabaseError(StreetlightError):
    """The database cannot be reached, or is at a schema this version does not know."""


class ImportFileError(StreetlightError):
    """An import file cannot be read at all (missing, not CSV, no header or missing columns).

    Bad rows do not raise: they are reported one by one (file, row, field) and the good rows land.
    """

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


class OfficerNotFoundError(StreetlightError):
    """No officer has this warrant number."""

    def __init__(self, warrant_number: str) -> None:
        super().__init__(f"no officer with warrant number {warrant_number!r}")
        self.warrant_number = warrant_number


class DutyError(StreetlightError):
    """A duty change that cannot happen (a suspended officer going on duty, say)."""
