"""The records-management extract a unit imports: its tables and canonical columns.

A force's extract is a folder (or zip) of CSV files, one per table; a mapping file
(`mappings/unit-*.toml`) names each table's file and which of its columns holds each canonical
column below, as the incident ingest's mapping does for crime exports. The synthetic force writes
an extract in this shape and the import reads it, so both are checked against one definition.

Offence codes: each offence carries a Home Office offence code, looked up in an offence-code list
(code, offence, PRC subgroup, VAWG by default) to find its subgroup, which the harm ranking
weighs (CCHI days per subgroup). `offence_codes.csv` beside this module is an illustrative subset,
the codes the synthetic force uses: a force loads its own full list.
"""

from __future__ import annotations

import csv
import enum
from dataclasses import dataclass
from pathlib import Path

from streetlight.db.enums import (
    BailAuthority,
    BailKind,
    OrderKind,
    PersonRole,
    Relationship,
    Sex,
)


class Kind(enum.StrEnum):
    """How a canonical column's text is read."""

    TEXT = "text"
    BOOL = "bool"  # true/false, yes/no, y/n, 1/0 (any case)
    DATE = "date"  # ISO 8601 date
    DATETIME = "datetime"  # ISO 8601 date-time, local to the force unless it carries an offset
    FLOAT = "float"
    CHOICE = "choice"  # one of `choices` (the enum's values)


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = True
    choices: tuple[str, ...] = ()


def _choice(name: str, values: type[enum.StrEnum], *, required: bool = True) -> Column:
    return Column(name, Kind.CHOICE, required, tuple(v.value for v in values))


@dataclass(frozen=True)
class Table:
    """One extract table: its canonical columns and the one that identifies a row."""

    name: str
    key: str
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


OFFENCES = Table(
    "offences",
    "offence_ref",
    (
        Column("offence_ref", Kind.TEXT),  # the force's crime reference
        Column("ho_code", Kind.TEXT),  # Home Office offence code, in the offence-code list
        Column("category", Kind.TEXT),  # the data.police.uk category
        Column("vawg", Kind.BOOL, required=False),  # None: the code's default
        Column("occurred_from", Kind.DATETIME),
        Column("occurred_to", Kind.DATETIME, required=False),  # known only within a window
        Column("reported_at", Kind.DATETIME),
        Column("x", Kind.FLOAT, required=False),  # metres, the force's CRS
        Column("y", Kind.FLOAT, required=False),
        _choice("relationship", Relationship, required=False),
    ),
)
PEOPLE = Table(
    "people",
    "person_ref",
    (
        Column("person_ref", Kind.TEXT),  # the force's own person id
        Column("surname", Kind.TEXT, required=False),
        Column("forenames", Kind.TEXT, required=False),
        Column("date_of_birth", Kind.DATE, required=False),
        _choice("sex", Sex, required=False),
        # Self-defined ethnicity as the force records it (the 18+1 census codes, e.g. "W1"); often
        # missing.
        Column("ethnicity", Kind.TEXT, required=False),
    ),
)
LINKS = Table(
    "links",
    "",  # a link is identified by (person_ref, offence_ref, role)
    (
        Column("person_ref", Kind.TEXT),
        Column("offence_ref", Kind.TEXT),
        _choice("role", PersonRole),
    ),
)
ARRESTS = Table(
    "arrests",
    "arrest_ref",
    (
        Column("arrest_ref", Kind.TEXT),
        Column("person_ref", Kind.TEXT),
        Column("offence_ref", Kind.TEXT),
        Column("arrested_at", Kind.DATETIME),
        Column("charged_at", Kind.DATETIME, required=False),
        Column("outcome", Kind.TEXT, required=False),  # a data.police.uk outcome where one fits
        Column("outcome_at", Kind.DATETIME, required=False),
    ),
)
BAIL = Table(
    "bail",
    "bail_ref",
    (
        Column("bail_ref", Kind.TEXT),
        Column("person_ref", Kind.TEXT),
        Column("offence_ref", Kind.TEXT),
        _choice("kind", BailKind),
        Column("starts", Kind.DATE),
        Column("expires", Kind.DATE, required=False),  # none for release under investigation
        _choice("authority", BailAuthority, required=False),
        Column("conditions", Kind.TEXT, required=False),
        Column("victim_views_sought", Kind.BOOL, required=False),
    ),
)
ORDERS = Table(
    "orders",
    "order_ref",
    (
        Column("order_ref", Kind.TEXT),
        Column("person_ref", Kind.TEXT),  # the person the order is against
        _choice("kind", OrderKind),
        Column("starts", Kind.DATE),
        Column("expires", Kind.DATE, required=False),
        Column("conditions", Kind.TEXT, required=False),
        Column("protected_person_ref", Kind.TEXT, required=False),
        Column("breached_at", Kind.DATETIME, required=False),
    ),
)
TABLES: tuple[Table, ...] = (OFFENCES, PEOPLE, LINKS, ARRESTS, BAIL, ORDERS)

# data.police.uk outcome categories (the "Last outcome category" values), used where they fit.
OUTCOMES: tuple[str, ...] = (
    "Investigation complete; no suspect identified",
    "Unable to prosecute suspect",
    "Formal action is not in the public interest",
    "Further investigation is not in the public interest",
    "Further action is not in the public interest",
    "Local resolution",
    "Offender given a caution",
    "Offender given penalty notice",
    "Suspect charged as part of another case",
    "Awaiting court outcome",
    "Court result unavailable",
    "Offender sent to prison",
    "Offender given suspended prison sentence",
    "Offender given community sentence",
    "Offender fined",
    "Offender given conditional discharge",
    "Defendant found not guilty",
    "Court case unable to proceed",
    "Action to be taken by another organisation",
    "Under investigation",
)

OFFENCE_CODES = Path(__file__).resolve().parent / "offence_codes.csv"


@dataclass(frozen=True)
class OffenceCode:
    code: str
    offence: str
    subgroup: str  # the Home Office PRC offence subgroup (as in the CCHI subgroup table)
    vawg: bool


def read_offence_codes(path: Path = OFFENCE_CODES) -> dict[str, OffenceCode]:
    """The offence-code list by code (codes compared as written, trimmed)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            row["code"].strip(): OffenceCode(
                row["code"].strip(),
                row["offence"].strip(),
                row["subgroup"].strip(),
                row["vawg"].strip().lower() == "true",
            )
            for row in csv.DictReader(handle)
        }
