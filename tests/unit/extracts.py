"""Small extracts for the unit tests, in the canonical layout: each table's header is its
canonical column names (`streetlight.unit.extract.TABLES`), times ISO 8601 and local to London,
and an identity mapping file beside them. `base()` is a valid extract every test may change."""

from __future__ import annotations

import copy
import csv
from pathlib import Path

from streetlight.unit.extract import TABLES

Rows = dict[str, list[dict[str, str]]]
EXTRA = "__extra__"

UNIT = """[unit]
name = "Test unit"
timezone = "Europe/London"
crs = "EPSG:27700"
"""

_BASE: Rows = {
    "offences": [
        {
            "offence_ref": "O1",
            "ho_code": "8U",
            "category": "Violence and sexual offences",
            "vawg": "",
            "occurred_from": "2025-03-01T00:00",
            "occurred_to": "2025-06-30T23:59",
            "reported_at": "2025-07-02T10:15",
            "x": "449210",
            "y": "519880",
            "relationship": "ex_partner",
        },
        {
            "offence_ref": "O2",
            "ho_code": "105A",
            "category": "Violence and sexual offences",
            "vawg": "true",
            "occurred_from": "2025-07-14T22:40",
            "occurred_to": "",
            "reported_at": "2025-07-14T23:05",
            "x": "",
            "y": "",
            "relationship": "partner",
        },
    ],
    "people": [
        {
            "person_ref": "P1",
            "surname": "Quorn",
            "forenames": "Dexter",
            "date_of_birth": "1988-11-04",
            "sex": "male",
            "ethnicity": "W1",
        },
        {
            "person_ref": "P2",
            "surname": "Ellery",
            "forenames": "Marguerite",
            "date_of_birth": "1991-02-12",
            "sex": "female",
            "ethnicity": "",
        },
        {
            "person_ref": "P3",
            "surname": "",
            "forenames": "",
            "date_of_birth": "",
            "sex": "",
            "ethnicity": "",
        },
    ],
    "links": [
        {"person_ref": "P1", "offence_ref": "O1", "role": "suspect"},
        {"person_ref": "P2", "offence_ref": "O1", "role": "victim"},
        {"person_ref": "P1", "offence_ref": "O2", "role": "suspect"},
        {"person_ref": "P3", "offence_ref": "O2", "role": "victim"},
    ],
    "arrests": [
        {
            "arrest_ref": "A1",
            "person_ref": "P1",
            "offence_ref": "O1",
            "arrested_at": "2025-07-05T07:10",
            "charged_at": "",
            "outcome": "Under investigation",
            "outcome_at": "",
        },
    ],
    "bail": [
        {
            "bail_ref": "B1",
            "person_ref": "P1",
            "offence_ref": "O1",
            "kind": "pre_charge_bail",
            "starts": "2025-07-05",
            "expires": "2025-10-05",  # the last day an inspector may set
            "authority": "inspector",
            "conditions": "No contact with the victim",
            "victim_views_sought": "yes",
        },
        {
            "bail_ref": "B2",
            "person_ref": "P1",
            "offence_ref": "O2",
            "kind": "rui",
            "starts": "2025-07-15",
            "expires": "",
            "authority": "",
            "conditions": "",
            "victim_views_sought": "",
        },
    ],
    "orders": [
        {
            "order_ref": "R1",
            "person_ref": "P1",
            "kind": "dvpo",
            "starts": "2025-07-15",
            "expires": "2025-08-12",  # 28 days: the longest a DVPO runs
            "conditions": "Not to enter the address",
            "protected_person_ref": "P3",
            "breached_at": "2025-08-03T22:10",
        },
    ],
}
# Every value a person row holds that is personal (for the tests that it goes nowhere else).
PERSONAL = ("Quorn", "Dexter", "1988-11-04", "Ellery", "Marguerite", "1991-02-12")


def base() -> Rows:
    return copy.deepcopy(_BASE)


def mapping_text(tables: Rows) -> str:
    parts = [UNIT]
    for table in TABLES:
        if table.name not in tables:
            continue
        parts.append(f'[{table.name}]\nfile = "{table.name}.csv"\n[{table.name}.columns]')
        parts += [f'{c.name} = "{c.name}"' for c in table.columns]
        parts.append("")
    return "\n".join(parts)


def write_extract(folder: Path, tables: Rows, *, mapping: str | None = None) -> Path:
    """`tables` as CSV files in `folder` (rows may carry extra keys: extra columns; `EXTRA`: a
    field past the header's end) and the mapping (identity, or `mapping`) beside the folder;
    returns the mapping's path."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        columns = next(t for t in TABLES if t.name == name).column_names
        keys = (k for row in rows for k in row if k != EXTRA)
        header = list(dict.fromkeys([*columns, *keys]))
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            for row in rows:
                extra = [row[EXTRA]] if EXTRA in row else []
                writer.writerow([row.get(c, "") for c in header] + extra)
    path = folder.parent / f"{folder.name}.toml"
    path.write_text(mapping if mapping is not None else mapping_text(tables), encoding="utf-8")
    return path
