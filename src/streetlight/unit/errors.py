"""Errors of offender-unit casework: the `CaseworkError` group of `streetlight.errors`.

Every message names the file, table, key or column to fix, and never a value from a row: the
rows are personal data, and messages end up in terminals, logs and tickets.
"""

from __future__ import annotations

from streetlight.errors import CaseworkError, ConfigError


class ExtractMappingError(CaseworkError):
    """A unit mapping file (or the offence-code list it names) that is missing, not valid TOML,
    or names something impossible; the message names the file and the key."""


class ExtractError(CaseworkError):
    """An extract that cannot be read at all: missing, not a folder or zip, a table's file absent
    or not UTF-8 CSV, or a column the mapping names missing from its header.

    Bad rows do not raise: they are quarantined (file, row, field, reason) and the rest lands.
    """

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


class CaseworkAccessError(CaseworkError):
    """A read of casework that the reader's role does not allow, or that gives no reason (every
    consultation is audited with its reason)."""


class WeightsError(ConfigError):
    """A ranking's weights file (CCHI days per subgroup as CSV, or the rfgv TOML) that is
    missing, malformed, or lacks a weight the ranking needs; the message names the file, the row
    (or TOML key) and the field."""


class RankingError(ConfigError):
    """A ranking asked for in a way that cannot be made: an unknown method, a naive date-time,
    or a ranking read before it is fitted."""


class ExportError(CaseworkError):
    """An export (the DPIA material) that cannot be written where asked: the path exists
    already; the message names the path."""
