"""One exception tree for the whole package.

Catch the groups (`StreetlightError`, `SourceError`, `StoreError`); raise the concrete classes. Every
message names the file (and the row and field where there is one) so a user can find and fix it.
"""

from __future__ import annotations


class StreetlightError(Exception):
    """Base of every error Streetlight raises on purpose."""


class SourceError(StreetlightError):
    """An input source cannot be read at all (as opposed to bad rows, which are quarantined)."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


class SourceNotFoundError(SourceError):
    """The path does not exist."""


class NotCSVError(SourceError):
    """The file is not delimited text (binary, or no header line)."""


class NotZipError(SourceError):
    """A `.zip` that is not a readable zip archive."""


class UnknownLayoutError(SourceError):
    """The header does not match any layout Streetlight knows, nor the mapping given."""


class MappingError(StreetlightError):
    """A mapping file is missing, malformed, or names something impossible."""


class StoreError(StreetlightError):
    """The incident store is missing, locked by another writer, or damaged."""
